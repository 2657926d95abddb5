package redact

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

const (
	secretA = "abcdefghijklmnopqrstuvwxyz"
	secretB = "zyxwvutsrqponmlkjihgfedcba"
)

func TestRedactBody(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    []string // substrings of the result
	}{
		{"json member", "application/json", `{"id":"x","client_secret":"` + secretA + `"}`,
			[]string{`"client_secret":"[REDACTED]"`, `"id":"x"`}},
		{"nested list", "application/json", `[{"access_token":"` + secretA + `","refresh_token":"` + secretB + `"}]`,
			[]string{`"access_token":"[REDACTED]"`, `"refresh_token":"[REDACTED]"`}},
		{"empty secret stays empty", "application/json", `{"client_secret":""}`, []string{`"client_secret":""`}},
		{"authorize redirect", "application/json", `{"redirect":"https://cb.invalid/x?code=` + secretA + `&state=s"}`,
			[]string{"code=%5BREDACTED%5D", "state=s"}},
		{"token form", "application/x-www-form-urlencoded; charset=utf-8", "grant_type=authorization_code&code=" + secretA + "&code_verifier=" + secretB + "&client_id=c",
			[]string{"code=%5BREDACTED%5D", "code_verifier=%5BREDACTED%5D", "client_id=c"}},
		{"html echo of a known secret", "text/html", "<p>" + secretA + "</p>", []string{"<p>[REDACTED]</p>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New()
			s.Add(secretA) // learned earlier in the run
			got := s.Body(tc.contentType, []byte(tc.body), 0)
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
			assert.NotContains(t, got, secretA)
			assert.NotContains(t, got, secretB)
		})
	}
}

func TestScrubberLearnsFromBodies(t *testing.T) {
	s := New()
	s.Body("application/json", []byte(`{"client_secret":"`+secretB+`"}`), 0)
	assert.Equal(t, "error mentions [REDACTED]", s.Scrub("error mentions "+secretB))
	// Short values are ordinary words, not secrets.
	s.Add("ok")
	assert.Equal(t, "ok", s.Scrub("ok"))
}

func TestRedactHeader(t *testing.T) {
	s := New()
	h := http.Header{
		"Authorization": {"Bearer " + secretA},
		"Cookie":        {"MMAUTHTOKEN=" + secretA},
		"Location":      {"https://cb.invalid/?code=" + secretB + "&state=s"},
		"X-Request-Id":  {"r1"},
	}
	got := s.Header(h)
	assert.Equal(t, "Bearer [REDACTED]", got.Get("Authorization"))
	assert.Equal(t, "[REDACTED]", got.Get("Cookie"))
	assert.Contains(t, got.Get("Location"), "state=s")
	assert.NotContains(t, got.Get("Location"), secretB)
	assert.Equal(t, "r1", got.Get("X-Request-Id"))
	assert.Equal(t, "Bearer "+secretA, h.Get("Authorization"), "the original is untouched")
}

func TestRedactBodyCapsUTF8(t *testing.T) {
	s := New()
	got := s.Body("text/plain", []byte(strings.Repeat("é", 100)), 11)
	assert.Equal(t, strings.Repeat("é", 5)+"…", got)
}

// TestRedactURLFragment: an implicit grant's fragment is redacted once,
// values with escaped separators stay whole, and nothing is escaped twice.
func TestRedactURLFragment(t *testing.T) {
	s := New()
	got := s.URL("https://cb.invalid/x#access_token=" + secretA + "&state=a%26b%3Dc&token_type=bearer")
	assert.NotContains(t, got, secretA)
	assert.Contains(t, got, "access_token=%5BREDACTED%5D")
	assert.Contains(t, got, "state=a%26b%3Dc")
	assert.NotContains(t, got, "%25")
	assert.Contains(t, s.Scrub("later: "+secretA), Redacted, "the token is remembered")
}
