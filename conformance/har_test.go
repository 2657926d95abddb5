package conformance_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/internal/har/hartest"
	"github.com/mmoauth/mmoauth/mockserver"
)

// TestHARLog: every exchange of a whole run (PKCE flows and secret
// regenerations included) lands in the HAR log, which is HAR 1.2, labels
// each entry with its check, and holds no token, secret, code or verifier.
func TestHARLog(t *testing.T) {
	h := &secretHarvester{secrets: map[string]bool{}}
	tg := startMock(t, mockSetup{edit: dcrOn, shim: h.shim})
	var buf bytes.Buffer
	hw, err := conformance.NewHARWriter(&buf, "test")
	require.NoError(t, err)
	var mu sync.Mutex
	seen := 0
	rep := run(t, conformance.Options{OnExchange: func(rec conformance.ExchangeRecord) {
		hw.Add(rec)
		mu.Lock()
		seen++
		mu.Unlock()
	}}, tg)
	require.NoError(t, hw.Close())
	require.True(t, rep.OK(), rep.Problems)

	log, err := hartest.Parse(buf.Bytes())
	require.NoError(t, err)
	require.Len(t, log.Entries, seen)
	requests := 0
	for _, res := range rep.Results {
		requests += res.Requests
	}
	assert.GreaterOrEqual(t, len(log.Entries), requests, "every exchange of every check, plus setup and cleanup")

	ids := map[string]bool{}
	for _, c := range conformance.Catalogue() {
		ids[c.ID] = true
	}
	labelled := map[string]bool{}
	for _, e := range log.Entries {
		assert.True(t, strings.HasPrefix(e.Request.URL, tg.URL+"/"), e.Request.URL)
		if e.Check != "" {
			assert.True(t, ids[e.Check], "entry labelled with an unknown check %q", e.Check)
			assert.Equal(t, "check "+e.Check, e.Comment)
			labelled[e.Check] = true
		}
	}
	for _, res := range rep.Results {
		if res.Requests > 0 {
			assert.True(t, labelled[res.ID], "no entry for %s", res.ID)
		}
	}

	text := buf.String()
	for _, tok := range tg.Tokens {
		assert.NotContains(t, text, tok)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	require.NotEmpty(t, h.secrets, "the run saw secrets")
	for s := range h.secrets {
		assert.NotContains(t, text, s, "a secret in the HAR log")
	}
}

// TestFailureExcerptHasReplay: a failure shows the request body and a curl
// line with the token as a variable, never its value.
func TestFailureExcerptHasReplay(t *testing.T) {
	tg := startMock(t, mockSetup{devs: []mockserver.Deviation{mockserver.DevWrongIssuer, mockserver.DevSkipAppValidation}})
	rep := run(t, conformance.Options{Only: []string{"rfc8414/**", "input/**"}}, tg)
	require.False(t, rep.OK())
	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	out := text.String()
	assert.Contains(t, out, "replay: curl -sS -i '"+tg.URL+"/.well-known/oauth-authorization-server'")
	assert.Contains(t, out, "sent: {")
	assert.Regexp(t, `replay: curl -sS -i -X POST '`+tg.URL+`/api/v4/oauth/apps' -H "Authorization: Bearer \$MMOAUTH_[A-Z0-9]+_TOKEN" -H 'Content-Type: application/json' --data-raw '\{`, out)
	for _, tok := range tg.Tokens {
		assert.NotContains(t, out, tok)
	}
}

func TestCurl(t *testing.T) {
	tests := []struct {
		name string
		ex   conformance.Exchange
		want string
	}{
		{"anonymous GET", conformance.Exchange{Method: "GET", URL: "/.well-known/oauth-authorization-server", As: conformance.Anonymous},
			`curl -sS -i 'http://h/.well-known/oauth-authorization-server'`},
		{"admin POST with a quote", conformance.Exchange{Method: "POST", URL: "/api/v4/oauth/apps", As: conformance.Admin,
			RequestHeader: map[string][]string{"Content-Type": {"application/json"}, "Authorization": {"Bearer [REDACTED]"}, "User-Agent": {"x"}},
			RequestBody:   `{"name":"it's"}`},
			`curl -sS -i -X POST 'http://h/api/v4/oauth/apps' -H "Authorization: Bearer $MMOAUTH_ADMIN_TOKEN" -H 'Content-Type: application/json' --data-raw '{"name":"it'\''s"}'`},
		{"manager2 DELETE", conformance.Exchange{Method: "DELETE", URL: "/api/v4/oauth/apps/x", As: conformance.Manager2},
			`curl -sS -i -X DELETE 'http://h/api/v4/oauth/apps/x' -H "Authorization: Bearer $MMOAUTH_MANAGER2_TOKEN"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.ex.Curl("http://h/"))
		})
	}
}
