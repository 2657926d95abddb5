package proxy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/internal/har/hartest"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
	"github.com/mmoauth/mmoauth/proxy"
)

const appID = "abcdefghijklmnopqrstuvwxyz"

// recorded collects what a proxy reports.
type recorded struct {
	mu         sync.Mutex
	violations []proxy.Violation
	notices    []proxy.Notice
	exchanges  []proxy.ExchangeSummary
}

func (r *recorded) options() proxy.Options {
	return proxy.Options{
		OnViolation: func(v proxy.Violation) { r.mu.Lock(); r.violations = append(r.violations, v); r.mu.Unlock() },
		OnNotice:    func(n proxy.Notice) { r.mu.Lock(); r.notices = append(r.notices, n); r.mu.Unlock() },
		OnExchange:  func(e proxy.ExchangeSummary) { r.mu.Lock(); r.exchanges = append(r.exchanges, e); r.mu.Unlock() },
	}
}

// startProxy puts a validating proxy in front of target and serves it on
// loopback.
func startProxy(t *testing.T, target string, opts proxy.Options) (*proxy.Proxy, string) {
	t.Helper()
	u, err := proxy.ParseTarget(target)
	require.NoError(t, err)
	p, err := proxy.New(u, opts)
	require.NoError(t, err)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

// do sends one request and returns the status and the body.
func do(t *testing.T, method, u, contentType, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer sometokenvaluexxxxxxxxxxxx")
	// A client of its own: no idle connection of an earlier test (to a
	// port since reused) is ever picked up.
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// validApp is a GetOAuthApp answer the document allows.
const validApp = `{"id":"` + appID + `","creator_id":"` + appID + `","create_at":1,"update_at":1,"client_secret":"s","name":"n","description":"","icon_url":"","callback_urls":["https://x.example.com/cb"],"homepage":"https://x.example.com","is_trusted":false,"mattermost_app_id":""}`

// TestProxyCatchesInjectedViolations: a test server breaks the document in
// one way per case; the proxy must name the operation, the status, where
// and what was expected, and still pass the answer on unchanged.
func TestProxyCatchesInjectedViolations(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		gzip        bool
		want        proxy.Violation // Direction, Operation, Status, Part, Where; Expected is checked non-empty
		expected    string          // a substring of Expected
	}{
		{"wrong type", 200, "application/json", strings.Replace(validApp, `"is_trusted":false`, `"is_trusted":"no"`, 1), false,
			proxy.Violation{Direction: "response", Operation: "GetOAuthApp", Status: 200, Part: "body", Where: "/is_trusted"}, "boolean"},
		{"missing required member", 200, "application/json", `{"name":"n"}`, false,
			proxy.Violation{Direction: "response", Operation: "GetOAuthApp", Status: 200, Part: "body", Where: "/id"}, "id"},
		{"undeclared status", 418, "application/json", `{}`, false,
			proxy.Violation{Direction: "response", Operation: "GetOAuthApp", Status: 418, Part: "status"}, "200"},
		{"wrong content type", 200, "text/html", "<p>hi</p>", false,
			proxy.Violation{Direction: "response", Operation: "GetOAuthApp", Status: 200, Part: "content-type"}, `"text/html" is not declared for 200; the document allows application/json`},
		{"gzip body, wrong type", 200, "application/json", strings.Replace(validApp, `"create_at":1`, `"create_at":"1"`, 1), true,
			proxy.Violation{Direction: "response", Operation: "GetOAuthApp", Status: 200, Part: "body", Where: "/create_at"}, "integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := []byte(tt.body)
			if tt.gzip {
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				_, _ = zw.Write(payload)
				require.NoError(t, zw.Close())
				payload = buf.Bytes()
			}
			target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				if tt.gzip {
					w.Header().Set("Content-Encoding", "gzip")
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write(payload)
			}))
			defer target.Close()
			var rec recorded
			p, base := startProxy(t, target.URL, rec.options())

			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, base+"/api/v4/oauth/apps/"+appID, nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Encoding", "gzip") // the client takes the encoded body as is
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			got, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, payload, got, "the answer passes unchanged")
			p.Wait()

			require.Len(t, rec.violations, 1, "%+v", rec.violations)
			v := rec.violations[0]
			t.Log(v)
			assert.Equal(t, tt.want.Direction, v.Direction)
			assert.Equal(t, tt.want.Operation, v.Operation)
			assert.Equal(t, tt.want.Status, v.Status)
			assert.Equal(t, tt.want.Part, v.Part)
			assert.Equal(t, tt.want.Where, v.Where)
			assert.Contains(t, v.Expected, tt.expected)
			assert.Equal(t, "/api/v4/oauth/apps/"+appID, v.Path)
			assert.Contains(t, v.String(), "GetOAuthApp")
			assert.Equal(t, int64(1), p.Stats().ResponseViolations)
		})
	}
}

// TestProxyCatchesRequestViolations: the application breaks the document;
// the proxy names the part and the pointer, and forwards the request all
// the same.
func TestProxyCatchesRequestViolations(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		part, where              string
	}{
		{"body member of the wrong type", http.MethodPost, "/api/v4/oauth/apps", `{"name":5,"homepage":"https://x.example.com","callback_urls":["https://x.example.com/cb"]}`, "body", "/name"},
		{"query parameter not a number", http.MethodGet, "/api/v4/oauth/apps?per_page=many", "", "query", "per_page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []byte
			target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen, _ = io.ReadAll(r.Body)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"id":"api.context.invalid_body_param.app_error","message":"m","detailed_error":"","request_id":"r","status_code":400}`)
			}))
			defer target.Close()
			var rec recorded
			p, base := startProxy(t, target.URL, rec.options())
			status, _ := do(t, tt.method, base+tt.path, "application/json", tt.body)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, tt.body, string(seen), "forwarded unchanged")
			p.Wait()
			require.Len(t, rec.violations, 1, "%+v", rec.violations)
			v := rec.violations[0]
			t.Log(v)
			assert.Equal(t, "request", v.Direction)
			assert.Equal(t, tt.part, v.Part)
			assert.Equal(t, tt.where, v.Where)
			assert.NotEmpty(t, v.Expected)
			assert.NotContains(t, v.Expected, "many", "no value quoted")
			assert.Equal(t, int64(1), p.Stats().RequestViolations)
		})
	}
}

// TestProxyForwardsUnchanged: method, path, query, headers (the client's
// own X-Forwarded-For included) and body reach the target as sent.
func TestProxyForwardsUnchanged(t *testing.T) {
	var got *http.Request
	var gotBody []byte
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		gotBody, _ = io.ReadAll(r.Body)
		w.Header().Set("X-Custom", "yes")
		w.WriteHeader(http.StatusNoContent)
	}))
	defer target.Close()
	_, base := startProxy(t, target.URL, proxy.Options{})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPut, base+"/some/where?a=1&b=%20", strings.NewReader("raw body"))
	require.NoError(t, err)
	req.Header.Set("X-Forwarded-For", "10.0.0.1")
	req.Header.Set("X-App", "v")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "yes", resp.Header.Get("X-Custom"))
	require.NotNil(t, got)
	assert.Equal(t, http.MethodPut, got.Method)
	assert.Equal(t, "/some/where", got.URL.Path)
	assert.Equal(t, "a=1&b=%20", got.URL.RawQuery)
	assert.Equal(t, "v", got.Header.Get("X-App"))
	assert.Equal(t, "10.0.0.1", got.Header.Get("X-Forwarded-For"), "no proxy hop added")
	assert.Equal(t, "raw body", string(gotBody))
}

// TestProxyWithTheMock: real traffic from the SDK through the proxy to the
// mock breaks nothing, and the HAR log opens as HAR 1.2 with no secret in
// it.
func TestProxyWithTheMock(t *testing.T) {
	ts := mockserver.NewTestServer(t, mockserver.WithConfig(func() mockserver.Config {
		c := mockserver.DefaultConfig()
		c.EnableDynamicClientRegistration = true
		return c
	}()))
	var rec recorded
	opts := rec.options()
	var harBuf bytes.Buffer
	opts.HAR = &harBuf
	p, base := startProxy(t, ts.URL, opts)

	ctx := context.Background()
	admin, err := client.New(base, client.WithToken(ts.Identities.SystemAdmin.Token))
	require.NoError(t, err)
	app, _, err := admin.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{
		Name: "proxied", Homepage: "https://p.example.com", CallbackURLs: []string{"https://p.example.com/cb"},
	})
	require.NoError(t, err)
	_, _, err = admin.GetOAuthApps(ctx, 0, 10)
	require.NoError(t, err)
	regen, _, err := admin.RegenerateOAuthAppSecret(ctx, app.ID)
	require.NoError(t, err)
	_, _, err = admin.GetOAuthApp(ctx, "zzzzzzzzzzzzzzzzzzzzzzzzzz")
	require.ErrorIs(t, err, client.ErrNotFound)
	_, _, err = admin.DeleteOAuthApp(ctx, app.ID)
	require.NoError(t, err)
	_, err = client.Discover(ctx, ts.URL, client.WithHTTPClient(&http.Client{Transport: rewriteTo(base)}))
	require.NoError(t, err)
	require.NoError(t, p.Close())

	assert.Empty(t, rec.violations, "the mock keeps the contract")
	st := p.Stats()
	assert.Equal(t, int64(6), st.Exchanges)
	assert.Zero(t, st.Violations())
	require.Len(t, rec.exchanges, 6)

	log, err := hartest.Parse(harBuf.Bytes())
	require.NoError(t, err, harBuf.String())
	require.Len(t, log.Entries, 6)
	for _, e := range log.Entries {
		assert.True(t, strings.HasPrefix(e.Request.URL, ts.URL+"/"), e.Request.URL)
	}
	text := harBuf.String()
	for _, secret := range []string{ts.Identities.SystemAdmin.Token, app.ClientSecret.Reveal(), regen.ClientSecret.Reveal()} {
		assert.NotContains(t, text, secret)
	}
	assert.Contains(t, text, "Bearer [REDACTED]")
}

// rewriteTo sends every request to base instead of its own host, so that a
// caller that must use the server's own URL (discovery checks the issuer)
// still goes through the proxy.
type rewriteTo string

func (b rewriteTo) RoundTrip(r *http.Request) (*http.Response, error) {
	u, err := url.Parse(string(b))
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, ""
	return http.DefaultTransport.RoundTrip(r)
}

// TestProxyLargeBodies: a body over the cap streams through whole and is
// reported as not validated, never as a violation.
func TestProxyLargeBodies(t *testing.T) {
	// 8 KiB, eight times the cap. (At 64 KiB, a bare httputil.ReverseProxy
	// under -race on a loaded machine now and then loses the upstream
	// connection mid-body, with or without this proxy around it.)
	big := `{"name":"` + strings.Repeat("x", 8<<10) + `"}`
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, big)
	}))
	defer target.Close()
	var rec recorded
	opts := rec.options()
	opts.MaxBodyBytes = 1024
	var harBuf bytes.Buffer
	opts.HAR = &harBuf
	p, base := startProxy(t, target.URL, opts)
	status, body := do(t, http.MethodPut, base+"/api/v4/oauth/apps/"+appID, "application/json", big)
	assert.Equal(t, http.StatusOK, status)
	assert.Len(t, body, len(big), "streamed whole")
	require.NoError(t, p.Close())
	assert.Empty(t, rec.violations)
	require.Len(t, rec.notices, 2, "%+v", rec.notices)
	for _, n := range rec.notices {
		assert.Equal(t, proxy.NoticeTooLarge, n.Kind)
		assert.Contains(t, n.Message, "larger than 1024 bytes")
	}
	assert.Equal(t, int64(2), p.Stats().NotValidated)
	log, err := hartest.Parse(harBuf.Bytes())
	require.NoError(t, err)
	require.Len(t, log.Entries, 1)
	assert.Empty(t, log.Entries[0].Response.Content.Text)
	assert.Contains(t, log.Entries[0].Response.Content.Comment, "larger than 1024 bytes")
	assert.Equal(t, int64(len(big)), log.Entries[0].Request.BodySize)
}

// TestProxyTargetDown: a target that goes away gives the client a 502 and
// the proxy a notice; a request outside the document is forwarded and said.
func TestProxyTargetDown(t *testing.T) {
	target := httptest.NewServer(http.NotFoundHandler())
	var rec recorded
	p, base := startProxy(t, target.URL, rec.options())
	status, _ := do(t, http.MethodGet, base+"/api/v4/channels", "", "")
	assert.Equal(t, http.StatusNotFound, status)
	target.Close()
	status, _ = do(t, http.MethodGet, base+"/api/v4/oauth/apps", "", "")
	assert.Equal(t, http.StatusBadGateway, status)
	p.Wait()
	assert.Empty(t, rec.violations)
	require.Len(t, rec.notices, 2)
	kinds := map[string]proxy.Notice{}
	for _, n := range rec.notices {
		kinds[n.Kind] = n
	}
	assert.Contains(t, kinds, proxy.NoticeNoOperation)
	require.Contains(t, kinds, proxy.NoticeTargetError)
	assert.Contains(t, kinds[proxy.NoticeTargetError].Message, "502")
	st := p.Stats()
	assert.Equal(t, int64(1), st.TargetErrors)
	assert.Equal(t, int64(1), st.NoOperation)
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		raw string
		ok  bool
	}{
		{"http://127.0.0.1:8065", true},
		{"https://chat.example.com/mattermost", true},
		{"ftp://x", false},
		{"127.0.0.1:8065", false},
		{"http://", false},
		{"http://h/?q=1", false},
		{"http://u:p@h/", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := proxy.ParseTarget(tt.raw)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			var te *proxy.TargetError
			assert.ErrorAs(t, err, &te)
		})
	}
}

// TestProxyValidatesEveryExchangeOnce: more exchanges at once than the
// validation worker's queue holds, so that some get their own goroutine,
// then more after Close: every one is validated exactly once (one
// violation each, one summary each) and Wait covers them all.
func TestProxyValidatesEveryExchangeOnce(t *testing.T) {
	broken := strings.Replace(validApp, `"is_trusted":false`, `"is_trusted":"no"`, 1)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, broken)
	}))
	defer target.Close()
	var rec recorded
	p, base := startProxy(t, target.URL, rec.options())
	tr := &http.Transport{MaxIdleConnsPerHost: 32}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	send := func(n int) {
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				resp, err := hc.Get(base + "/api/v4/oauth/apps/" + appID)
				if !assert.NoError(t, err) {
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			})
		}
		wg.Wait()
	}
	send(300)
	p.Wait()
	rec.mu.Lock()
	assert.Len(t, rec.violations, 300)
	assert.Len(t, rec.exchanges, 300)
	rec.mu.Unlock()

	require.NoError(t, p.Close())
	send(20)
	p.Wait()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Len(t, rec.violations, 320, "exchanges after Close are validated too")
	assert.Equal(t, int64(320), p.Stats().ResponseViolations)
	for _, v := range rec.violations {
		assert.Equal(t, "/is_trusted", v.Where)
	}
}
