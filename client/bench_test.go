package client

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mmoauth/mmoauth/models"
)

// The client's overhead over a bare net/http + encoding/json call of the
// same endpoint (DESIGN.md "Quality bars"): go test -bench=. ./client/
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(appJSON))
	}))
	b.Cleanup(srv.Close)
	return srv
}

func BenchmarkGetOAuthApp(b *testing.B) {
	srv := benchServer(b)
	c, err := New(srv.URL, WithToken(testToken))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.GetOAuthApp(b.Context(), appID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBareGetOAuthApp(b *testing.B) {
	srv := benchServer(b)
	hc := defaultHTTPClient()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, srv.URL+"/api/v4/oauth/apps/"+appID, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var app models.OAuthApp
		err = json.NewDecoder(resp.Body).Decode(&app)
		_ = resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreateOAuthApp(b *testing.B) {
	srv := benchServer(b)
	c, err := New(srv.URL, WithToken(testToken))
	if err != nil {
		b.Fatal(err)
	}
	req := validCreate()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.CreateOAuthApp(b.Context(), req); err != nil {
			b.Fatal(err)
		}
	}
}
