package mockserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAllowlistGlob drives RedirectURIMatchesGlob's per-component rules
// (v11.9, server/channels/api4/oauth.go registerOAuthClient): "*" stops at "/", "**" does not, each component is
// matched on its own, the query must be absent unless the pattern has one.
func TestAllowlistGlob(t *testing.T) {
	tests := []struct {
		uri, pattern string
		want         bool
	}{
		{"https://example.com/cb", "https://example.com/cb", true},
		{"https://example.com/cb", "https://example.com/other", false},
		{"http://example.com/cb", "https://example.com/cb", false},
		{"HTTPS://example.com/cb", "https://example.com/cb", true}, // the parser lower-cases the scheme
		{"https://a.example.com/cb", "https://*.example.com/cb", true},
		{"https://a.b.example.com/cb", "https://*.example.com/cb", true}, // a host has no "/"
		{"https://example.com/cb", "https://*.example.com/cb", false},
		{"https://example.com/evil", "https://*/cb", false}, // a host wildcard cannot satisfy the path
		{"https://example.com/cb", "https://*/cb", true},
		{"https://example.com/a/b", "https://example.com/*", false},
		{"https://example.com/a", "https://example.com/*", true},
		{"https://example.com/", "https://example.com/*", true},
		{"https://example.com/a/b", "https://example.com/**", true},
		{"https://example.com/a/b/c/d", "https://example.com/**", true},
		{"https://example.com/x/y/deep/z", "https://example.com/**/deep/**", true},
		{"https://example.com/deep/", "https://example.com/**/deep/**", false}, // "**/" needs the leading "/"
		{"https://example.com//deep/", "https://example.com/**/deep/**", true},
		{"https://example.com/cb?a=1", "https://example.com/cb", false},
		{"https://example.com/cb", "https://example.com/cb?a=1", false},
		{"https://example.com/cb?a=1", "https://example.com/cb?a=1", true},
		{"https://example.com/cb?a=2", "https://example.com/cb?a=1", false},
		{"https://example.com/cb?a=2", "https://example.com/cb?a=*", true},
		{"https://example.com/cb?a=1&b=2", "https://example.com/cb?*", true},
		{"https://example.com/cb?r=/x", "https://example.com/cb?r=*", false}, // "*" stops at "/" in the query too
		{"http://localhost:8080/cb", "http://localhost:*/cb", true},
		{"http://localhost/cb", "http://localhost:*/cb", false},
		{"https://example.com/cb/", "https://example.com/cb", false},
		{"https://example.com/CB", "https://example.com/cb", false},
		{"https://example.com/a%20b", "https://example.com/a%20b", true},
		{"https://example.com/a%20b", "https://example.com/a b", false},
		{"https://example.com/café", "https://example.com/caf*", true},  // "*" covers the escaped "%C3%A9"
		{"https://example.com/café", "https://example.com/café", false}, // the escaped path is matched
		{"https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9", true},
		{"https://example.com/cb", "***", false},
		{"https://example.com/cb", "https://example.com/***", false},
		{"https://example.com/cb", "ftp://example.com/cb", false},
		{"https://example.com/cb", "", false},
		{"https://example.com/cb", "https://", false},
		{"not a url", "https://example.com/cb", false},
		{"", "https://example.com/cb", false},
		{"/relative/only", "https://example.com/cb", false},
		{"https:///cb", "https://*/cb", false},
		{"https://example.com/\x01", "https://example.com/*", false},
		{"https://example.com/cb", "https://example.com/\tcb", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" ~ "+tt.uri, func(t *testing.T) {
			assert.Equal(t, tt.want, redirectURIMatches(tt.uri, tt.pattern))
		})
	}
}

// TestAllowlist: an empty list allows everything, blank entries are skipped
// (so a list of blanks allows nothing), entries are trimmed, any match wins.
func TestAllowlist(t *testing.T) {
	tests := []struct {
		name  string
		uri   string
		list  []string
		allow bool
	}{
		{"nil list", "https://anything.example.com/cb", nil, true},
		{"empty list", "https://anything.example.com/cb", []string{}, true},
		{"blanks only", "https://example.com/cb", []string{"", "   ", "\t"}, false},
		{"trimmed entry", "https://example.com/cb", []string{"  https://example.com/cb  "}, true},
		{"second entry", "https://b.example.com/cb", []string{"https://a.example.com/cb", "https://b.example.com/cb"}, true},
		{"no entry", "https://c.example.com/cb", []string{"https://a.example.com/cb", "https://b.example.com/cb"}, false},
		{"invalid entry never matches", "https://example.com/cb", []string{"example.com/cb"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.allow, redirectURIAllowed(tt.uri, tt.list))
		})
	}
}

// TestGlobMatch checks the matcher itself, including inputs that make a
// backtracking matcher slow.
func TestGlobMatch(t *testing.T) {
	tests := []struct {
		s, p string
		want bool
	}{
		{"", "", true},
		{"a", "", false},
		{"", "*", true},
		{"", "**", true},
		{"abc", "a*c", true},
		{"a/c", "a*c", false},
		{"a/c", "a**c", true},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*a*a*a*a*c", false},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "**a**a**a**a**a**a**a**b", true},
	}
	for _, tt := range tests {
		t.Run(tt.p+" ~ "+tt.s, func(t *testing.T) {
			assert.Equal(t, tt.want, globMatch(tt.s, tt.p))
		})
	}
}
