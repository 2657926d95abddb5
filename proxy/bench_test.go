package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/proxy"
)

// benchApp is a GetOAuthApp answer; the list is 60 of them (Mattermost's
// default page).
func benchApp(i int) string {
	return fmt.Sprintf(`{"id":"%026d","creator_id":"zyxwvutsrqponmlkjihgfedcba","create_at":1700000000000,"update_at":1700000000000,`+
		`"client_secret":"s3cr3tvalue0000000000000000","name":"bench","description":"load","icon_url":"","callback_urls":["https://bench.example.com/cb"],`+
		`"homepage":"https://bench.example.com","is_trusted":false,"mattermost_app_id":""}`, i)
}

// BenchmarkProxy sends one request at a time through a bare
// httputil.ReverseProxy and through the validating proxy to a target that
// answers a fixed body, so that only the proxies differ. For the
// validating proxy, an iteration includes the validation of the exchange
// (Wait), which otherwise runs after the answer: ns/op is the whole CPU
// cost of an exchange, not its latency.
func BenchmarkProxy(b *testing.B) {
	apps := make([]string, 60)
	for i := range apps {
		apps[i] = benchApp(i)
	}
	bodies := map[string]string{"/api/v4/oauth/apps": "[" + strings.Join(apps, ",") + "]", "/api/v4/oauth/apps/" + appID: benchApp(0)}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, bodies[r.URL.Path])
	}))
	b.Cleanup(target.Close)
	u, err := url.Parse(target.URL)
	require.NoError(b, err)
	vp, err := proxy.New(u, proxy.Options{OnViolation: func(v proxy.Violation) { b.Errorf("violation: %s", v) }})
	require.NoError(b, err)
	for _, side := range []struct {
		name string
		h    http.Handler
		wait func()
	}{{"bare", proxy.NewReverseProxy(u, http.DefaultTransport), func() {}}, {"mmoauth", vp, vp.Wait}} {
		srv := httptest.NewServer(side.h)
		b.Cleanup(srv.Close)
		for _, op := range []struct{ name, path string }{{"GetOAuthApps", "/api/v4/oauth/apps"}, {"GetOAuthApp", "/api/v4/oauth/apps/" + appID}} {
			b.Run(op.name+"/"+side.name, func(b *testing.B) {
				req, err := http.NewRequest(http.MethodGet, srv.URL+op.path, nil)
				require.NoError(b, err)
				req.Header.Set("Authorization", "Bearer token")
				b.ReportAllocs()
				for b.Loop() {
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					side.wait()
				}
			})
		}
	}
}
