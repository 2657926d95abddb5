package main

// Output helpers shared by discover, register and apps: JSON for scripts,
// aligned "key: value" lines and tables for people.

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// field is one "key: value" line of a text record.
type field struct{ key, value string }

// writeFields writes fields as aligned "key: value" lines.
func writeFields(w io.Writer, fields []field) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	for _, f := range fields {
		fmt.Fprintf(tw, "%s:\t%s\n", f.key, f.value)
	}
	return tw.Flush()
}

// writeTable writes a header and rows as aligned columns.
func writeTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// list renders a string list for a text field; "-" when empty, so that the
// column is never blank.
func list(items []string) string {
	if len(items) == 0 {
		return "-"
	}
	return strings.Join(items, ", ")
}

// orDash renders an optional text field.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
