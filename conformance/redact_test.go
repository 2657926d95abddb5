package conformance_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// secretHarvester is a shim that remembers every secret that crosses the
// wire: client secrets, tokens, codes, verifiers.
type secretHarvester struct {
	mu      sync.Mutex
	secrets map[string]bool
}

func (h *secretHarvester) add(v string) {
	if len(v) >= 8 {
		h.mu.Lock()
		h.secrets[v] = true
		h.mu.Unlock()
	}
}

var harvestKeys = []string{"client_secret", "access_token", "refresh_token", "code", "code_verifier", "registration_access_token"}

func (h *secretHarvester) fromJSON(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok {
				for _, key := range harvestKeys {
					if k == key {
						h.add(s)
					}
				}
				if k == "redirect" {
					if u, err := url.Parse(s); err == nil {
						h.add(u.Query().Get("code"))
					}
				}
			}
			h.fromJSON(val)
		}
	case []any:
		for _, e := range x {
			h.fromJSON(e)
		}
	}
}

func (h *secretHarvester) shim(next http.Handler, _ mockserver.Identities) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := readBody(r)
		if form, err := url.ParseQuery(string(body)); err == nil {
			for _, k := range harvestKeys {
				h.add(form.Get(k))
			}
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var doc any
		if json.Unmarshal(rec.Body.Bytes(), &doc) == nil {
			h.fromJSON(doc)
		}
		replay(w, rec, rec.Body.Bytes())
	})
}

// readBody reads a request's body and leaves it readable again.
func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// replay writes a recorded answer.
func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	for k, vs := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// TestReportsHoldNoSecret: a run whose failures carry leaked secrets,
// tokens, codes and verifiers as evidence writes none of them in any report.
func TestReportsHoldNoSecret(t *testing.T) {
	h := &secretHarvester{secrets: map[string]bool{}}
	tg := startMock(t, mockSetup{edit: dcrOn, shim: h.shim, devs: []mockserver.Deviation{
		mockserver.DevInfoLeaksSecret, mockserver.DevAuthorizedListLeaksSecret, mockserver.DevCodeReusable,
		mockserver.DevPublicRefreshToken, mockserver.DevDCRPublicGetsSecret, mockserver.DevPKCEVerifierNotChecked,
	}})
	rep := run(t, conformance.Options{Strict: true}, tg)
	require.Positive(t, rep.Summary.Failed)
	for _, tok := range tg.Tokens {
		h.add(tok)
	}
	require.Greater(t, len(h.secrets), 20, "the run must have handled secrets for this test to mean anything")

	var text, js, junit bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	require.NoError(t, rep.WriteJSON(&js))
	require.NoError(t, rep.WriteJUnit(&junit))
	for name, out := range map[string]string{"text": text.String(), "json": js.String(), "junit": junit.String()} {
		assert.Contains(t, out, "[REDACTED]", "%s: the evidence shows redaction", name)
		for s := range h.secrets {
			if strings.Contains(out, s) {
				t.Errorf("the %s report contains a secret (%d characters)", name, len(s))
			}
		}
	}
}

func TestJUnitAndJSONReports(t *testing.T) {
	tg := startMock(t, mockSetup{devs: []mockserver.Deviation{mockserver.DevNoS256}})
	rep := run(t, conformance.Options{}, tg)

	var junit bytes.Buffer
	require.NoError(t, rep.WriteJUnit(&junit))
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
				Out string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xmlUnmarshal(junit.Bytes(), &doc))
	assert.Equal(t, len(conformance.Catalogue()), doc.Tests, "one testcase per check")
	assert.Equal(t, rep.Summary.Failed, doc.Failures)
	assert.Equal(t, rep.Summary.Skipped, doc.Skipped)
	cases := 0
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			cases++
			res, ok := rep.Result(c.Name)
			require.True(t, ok, c.Name)
			assert.Equal(t, string(res.Category), s.Name)
			assert.Equal(t, res.Status == conformance.StatusFail, c.Failure != nil, c.Name)
			if res.Status == conformance.StatusSkip {
				require.NotNil(t, c.Skipped, c.Name)
				assert.Equal(t, res.Reason, c.Skipped.Message)
			}
			if res.Status == conformance.StatusWarn {
				assert.True(t, strings.HasPrefix(c.Out, "WARNING"), c.Name)
			}
		}
	}
	assert.Equal(t, doc.Tests, cases)

	var js bytes.Buffer
	require.NoError(t, rep.WriteJSON(&js))
	var back conformance.Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, rep.Summary, back.Summary)
	res, _ := back.Result("rfc8414/metadata/s256-offered")
	assert.Equal(t, conformance.StatusFail, res.Status)
	require.NotEmpty(t, res.Failures)
	require.NotNil(t, res.Failures[0].Exchange, "a failure carries its evidence")
	assert.Equal(t, "/.well-known/oauth-authorization-server", res.Failures[0].Exchange.URL)
}

func TestTextReport(t *testing.T) {
	tg := startMock(t, mockSetup{devs: []mockserver.Deviation{mockserver.DevNonCreatorCanAccess}})
	rep := run(t, conformance.Options{}, tg)
	var out bytes.Buffer
	require.NoError(t, rep.WriteText(&out))
	text := out.String()
	for _, want := range []string{
		"category", "permission", // the table
		"FAIL permissions/get-app/non-creator-forbidden [permission]",
		"manager2 get-app on the manager's app: got 200, want 403 api.context.permissions.app_error",
		"> GET /api/v4/oauth/apps/", "as manager2 -> 200 OK (application/json)",
		`"client_secret":"[REDACTED]"`,
		"Warnings", "Skipped",
		"FAIL: ",
	} {
		assert.Contains(t, text, want)
	}
}

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }
