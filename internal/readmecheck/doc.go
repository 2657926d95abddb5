// Package readmecheck holds the Go code shown in the repository's README.md,
// compiled and run by its tests, and a test that fails when a ```go block of
// the README differs from the code here. The README's code therefore always
// compiles and works.
//
// A region of a source file starts with a line "// readme:NAME" and ends with
// "// readme:end"; the README shows it in a ```go block right after the line
// "<!-- readme:NAME -->".
package readmecheck
