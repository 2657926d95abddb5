package mockserver

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestServer is a mock server listening on 127.0.0.1 for the duration of a
// test (its store is closed when the test ends).
type TestServer struct {
	// URL is the server root, e.g. http://127.0.0.1:41234; it is also the
	// SiteURL unless WithConfig set one.
	URL string
	// Server is the handler, for changing settings and faults mid-test.
	Server *Server
	// Identities are the seeded users of the permission matrix.
	Identities Identities

	http *httptest.Server
}

// NewTestServer starts a mock server on a loopback port, with the
// DefaultServerLimits of mmoauth mock, and closes it when the test ends
// (t.Cleanup). Response validation is on by default and fails
// the test (t.Errorf) on any response that does not match the OpenAPI
// document; WithResponseValidation overrides the reporter, and
// WithResponseValidation(nil) turns validation off.
func NewTestServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	all := append([]Option{WithResponseValidation(func(err error) {
		t.Errorf("mock response does not match the OpenAPI document: %v", err)
	})}, opts...)
	s, err := New(all...)
	if err != nil {
		t.Fatalf("mockserver.NewTestServer: %v", err)
	}
	hs := httptest.NewUnstartedServer(s)
	DefaultServerLimits().apply(hs.Config) // the limits of mmoauth mock
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		if err := s.Close(); err != nil {
			t.Errorf("mockserver.NewTestServer: closing the store: %v", err)
		}
	})
	s.setSiteURLIfEmpty(hs.URL)
	return &TestServer{URL: hs.URL, Server: s, Identities: s.Identities(), http: hs}
}

// Client returns an *http.Client for the server (no retries, no auth).
func (ts *TestServer) Client() *http.Client { return ts.http.Client() }
