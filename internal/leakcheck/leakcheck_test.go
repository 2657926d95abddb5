package leakcheck_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// harvest collects every credential that crosses the wire in either
// direction, by the names the protocols give them, plus the bearer tokens
// sent. It sits between the suite and the mock, so it sees exactly what
// the suite saw.
type harvest struct {
	mu     sync.Mutex
	values map[string]string // value → kind
}

// secretNames are the JSON members, form fields and query parameters that
// carry a credential (RFC 6749 §4.1.2, §4.1.3, §5.1; RFC 7591 §3.2.1;
// RFC 7636 §4.5; the authorize response's "redirect").
var secretNames = map[string]bool{
	"client_secret": true, "access_token": true, "refresh_token": true, "id_token": true,
	"code": true, "code_verifier": true, "registration_access_token": true,
}

func (h *harvest) add(kind, v string) {
	if len(v) < 8 || v == "[REDACTED]" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, seen := h.values[v]; !seen { // the first name it was seen under
		h.values[v] = kind
	}
}

func (h *harvest) kinds() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]int{}
	for _, k := range h.values {
		out[k]++
	}
	return out
}

// fromURL takes the credentials out of a URL's query and fragment.
func (h *harvest) fromURL(raw string) {
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	for _, q := range []string{u.RawQuery, u.Fragment} {
		vals, _ := url.ParseQuery(q)
		for k, vs := range vals {
			if secretNames[k] {
				for _, v := range vs {
					h.add(k, v)
				}
			}
		}
	}
}

// fromJSON walks any JSON document for credential members.
func (h *harvest) fromJSON(b []byte) {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok {
					switch {
					case secretNames[k]:
						h.add(k, s)
					case k == "redirect":
						h.fromURL(s)
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
}

// capture is a ResponseWriter that keeps a copy of the body.
type capture struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (c *capture) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

func (h *harvest) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok {
			h.add("bearer token", strings.TrimSpace(tok))
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if vals, err := url.ParseQuery(string(body)); err == nil {
			for k, vs := range vals {
				if secretNames[k] {
					for _, v := range vs {
						h.add(k, v)
					}
				}
			}
		}
		h.fromJSON(body)
		h.fromURL(r.URL.String())
		c := &capture{ResponseWriter: w}
		next.ServeHTTP(c, r)
		h.fromJSON(c.body.Bytes())
		h.fromURL(w.Header().Get("Location"))
	})
}

// mockTarget starts a mock with cfg and deviations behind the harvest and
// returns the suite's target for it.
func mockTarget(t *testing.T, h *harvest, name string, edit func(*mockserver.Config), devs ...mockserver.Deviation) conformance.Target {
	t.Helper()
	var lc net.ListenConfig
	l, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cfg := mockserver.DefaultConfig()
	edit(&cfg)
	cfg.SiteURL = "http://" + l.Addr().String()
	srv, err := mockserver.New(mockserver.WithConfig(cfg), mockserver.WithDeviations(devs...))
	require.NoError(t, err)
	hs := httptest.NewUnstartedServer(h.wrap(srv))
	require.NoError(t, hs.Listener.Close())
	hs.Listener = l
	hs.Start()
	t.Cleanup(hs.Close)
	id := srv.Identities()
	for _, u := range []mockserver.User{id.SystemAdmin, id.OAuthManager, id.OAuthManager2, id.PlainUser} {
		h.add("seeded token", u.Token)
	}
	gate := func(on bool) conformance.Gate {
		if on {
			return conformance.On
		}
		return conformance.Off
	}
	return conformance.Target{
		Name: name,
		URL:  cfg.SiteURL,
		Tokens: map[conformance.Role]string{
			conformance.Admin: id.SystemAdmin.Token, conformance.Manager: id.OAuthManager.Token,
			conformance.Manager2: id.OAuthManager2.Token, conformance.PlainUser: id.PlainUser.Token,
		},
		Declared: conformance.Declared{
			Provider: gate(cfg.EnableOAuthServiceProvider), DCR: gate(cfg.EnableDynamicClientRegistration),
			Allowlist: cfg.DCRRedirectURIAllowlist,
		},
	}
}

// leakyDeviations make the mock put secrets where they do not belong, so
// the failing checks' evidence (recorded exchanges) is full of them.
var leakyDeviations = []mockserver.Deviation{
	mockserver.DevInfoLeaksSecret, mockserver.DevAuthorizedListLeaksSecret, mockserver.DevDCRPublicGetsSecret,
	mockserver.DevPublicHasSecret, mockserver.DevPublicRefreshToken, mockserver.DevCodeReusable,
	mockserver.DevRegenKeepsOldSecret, mockserver.DevPKCEVerifierNotChecked, mockserver.DevNoStoreMissing,
	mockserver.DevRedirectURIPrefixMatch, mockserver.DevWrongContentType,
}

// TestReportsCarryNoSecret runs the whole suite twice through its public
// API: against faithful mocks in every configuration the embedded mock uses,
// and against a mock whose deviations leak secrets (so that failures carry
// exchanges full of them as evidence). Every credential that crossed the
// wire is harvested; none may appear in the text, JSON or JUnit report, the
// progress output, or any fmt rendering of the report.
func TestReportsCarryNoSecret(t *testing.T) {
	runs := []struct {
		name       string
		targets    func(h *harvest) []conformance.Target
		wantFailed bool
	}{
		{"faithful", func(h *harvest) []conformance.Target {
			return []conformance.Target{
				mockTarget(t, h, "provider on, DCR off", func(*mockserver.Config) {}),
				mockTarget(t, h, "DCR on", func(c *mockserver.Config) { c.EnableDynamicClientRegistration = true }),
				mockTarget(t, h, "DCR on with an allowlist", func(c *mockserver.Config) {
					c.EnableDynamicClientRegistration = true
					c.DCRRedirectURIAllowlist = []string{"https://allowed.mmoauth.invalid/callback/*"}
				}),
				mockTarget(t, h, "provider off", func(c *mockserver.Config) {
					c.EnableOAuthServiceProvider = false
					c.EnableDynamicClientRegistration = true
				}),
			}
		}, false},
		{"leaky", func(h *harvest) []conformance.Target {
			return []conformance.Target{mockTarget(t, h, "leaky", func(c *mockserver.Config) { c.EnableDynamicClientRegistration = true }, leakyDeviations...)}
		}, true},
	}
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			h := &harvest{values: map[string]string{}}
			targets := run.targets(h)
			var progress bytes.Buffer
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			report, err := conformance.Run(ctx, conformance.Options{Strict: true, Progress: &progress}, targets...)
			require.NoError(t, err)
			if run.wantFailed {
				require.Positive(t, report.Summary.Failed, "the leaky mock must fail checks, so the report carries evidence")
			}

			kinds := h.kinds()
			t.Logf("harvested credentials by kind: %v", kinds)
			for _, k := range []string{"seeded token", "client_secret", "code", "code_verifier", "access_token"} {
				assert.Positive(t, kinds[k], "the run handled at least one %s", k)
			}

			outputs := map[string]string{"progress": progress.String()}
			var buf bytes.Buffer
			require.NoError(t, report.WriteText(&buf))
			outputs["text"] = buf.String()
			buf.Reset()
			require.NoError(t, report.WriteJSON(&buf))
			outputs["json"] = buf.String()
			buf.Reset()
			require.NoError(t, report.WriteJUnit(&buf))
			outputs["junit"] = buf.String()
			raw, err := json.Marshal(report)
			require.NoError(t, err)
			outputs["json.Marshal"] = string(raw)
			for _, verb := range []string{"%v", "%+v", "%#v"} {
				outputs["fmt "+verb] = fmt.Sprintf(verb, report)
			}
			if run.wantFailed {
				require.Contains(t, outputs["json"], `"exchanges"`, "failures carry recorded exchanges")
			}

			h.mu.Lock()
			defer h.mu.Unlock()
			for name, out := range outputs {
				sc := bufio.NewScanner(strings.NewReader(out))
				sc.Buffer(nil, 1<<26)
				line := 0
				for sc.Scan() {
					line++
					for v, kind := range h.values {
						if i := strings.Index(sc.Text(), v); i >= 0 {
							t.Errorf("%s report, line %d: a %s leaked after %q", name, line, kind, sc.Text()[max(0, i-60):i])
						}
					}
				}
				require.NoError(t, sc.Err())
			}
		})
	}
}
