// Package leakcheck holds the test that runs the conformance suite against
// the mock server, through its public API, and proves that no credential
// the run handled (the seeded tokens, and every client secret,
// authorization code, PKCE verifier, access and refresh token that went
// over the wire) appears in the text, JSON or JUnit report, in the
// progress output, or in a %v / %+v / %#v rendering of the report
// (issue 7, item 5). It has no code of its own: `go test
// ./internal/leakcheck` runs it.
package leakcheck
