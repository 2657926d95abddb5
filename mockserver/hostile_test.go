package mockserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

// appFields completes a create body.
const appFields = `"callback_urls":["https://x.example.com/cb"],"homepage":"https://x.example.com"`

// deepJSON nests n arrays: past encoding/json's depth limit (10000) for
// n = 100000, yet only 200 KB.
func deepJSON(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// TestHostileInput sends the mock what an attacker or a broken client
// would: path traversal in ids, huge and deeply nested JSON, duplicate keys,
// invalid UTF-8, Content-Type lies. Every answer is a clean 4xx with a body
// the document allows (NewTestServer validates every response and fails the
// test otherwise), or, where the real server accepts the input because Go's
// encoding/json does, the same success it would give; never a 5xx.
func TestHostileInput(t *testing.T) {
	ctJSON := func(ct string) map[string]string { return map[string]string{"Content-Type": ct} }
	tests := []struct {
		name   string
		q      req
		want   int
		wantID string // AppError id, DCR error code, or "" to skip
		check  func(t *testing.T, r reply)
	}{
		// Path traversal and malformed ids never reach another route or
		// resource. The real routes are {app_id:[A-Za-z0-9]+} (gorilla
		// mux), so what does not match is a 404; what matches but is not
		// an id is 400 invalid_url_param.
		{name: "encoded traversal in app_id", q: req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/..%2F..%2Fusers%2Fme"}, want: 404, wantID: "api.context.404.app_error"},
		{name: "raw traversal", q: req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/../../users/me"}, want: 404, wantID: "api.context.404.app_error"},
		{name: "dot-dot id", q: req{Method: http.MethodDelete, Path: "/api/v4/oauth/apps/%2e%2e"}, want: 404, wantID: "api.context.404.app_error"},
		{name: "NUL in id", q: req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/aaaaaaaaaaaaaaaaaaaaaaaaa%00"}, want: 404},
		{name: "encoded slash in user_id", q: req{Method: http.MethodGet, Path: "/api/v4/users/..%2Fsysadminuseridxxxxxxxxxxxx/oauth/apps/authorized"}, want: 404},
		{name: "invalid UTF-8 in id", q: req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/%ff%fe"}, want: 404},
		{name: "empty id", q: req{Method: http.MethodPut, Path: "/api/v4/oauth/apps//", Body: `{}`}, want: 404},
		{name: "junk id", q: req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/junk/regen_secret"}, want: 400, wantID: "api.context.invalid_url_param.app_error"},
		{name: "id of 26 letters beyond ASCII", q: req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + strings.Repeat("%C3%A1", 13)}, want: 404},
		{name: "traversal in the authorize page's redirect", q: req{Method: http.MethodGet, Path: "/oauth/authorize?response_type=code&client_id=aaaaaaaaaaaaaaaaaaaaaaaaaa&redirect_uri=https://x.example.com/cb/../../evil"}, want: 404},

		// Size and depth.
		{name: "body over 1 MiB", q: req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: `{"name":"` + strings.Repeat("a", 1<<20) + `"}`}, want: 413, wantID: "api.context.request_body_too_large.app_error"},
		{name: "1 MiB of whitespace then JSON", q: req{Method: http.MethodPost, Path: registerPath, Body: strings.Repeat(" ", 1<<20) + "{}"}, want: 413},
		{name: "deeply nested value", q: req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: `{"name":` + deepJSON(100000) + `,` + appFields + `}`}, want: 400, wantID: "api.context.invalid_body_param.app_error"},
		{name: "deeply nested unknown field", q: req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: `{"x":` + deepJSON(100000) + `,"name":"a",` + appFields + `}`}, want: 400, wantID: "api.context.invalid_body_param.app_error"},
		{name: "deeply nested registration", q: req{Method: http.MethodPost, Path: registerPath, Body: `{"redirect_uris":` + deepJSON(100000) + `}`}, want: 400, wantID: models.DCRErrorInvalidClientMetadata},
		{name: "deeply nested update", q: req{Method: http.MethodPut, Path: "/api/v4/oauth/apps/aaaaaaaaaaaaaaaaaaaaaaaaaa", Body: deepJSON(100000)}, want: 400, wantID: "api.context.invalid_body_param.app_error"},
		{name: "a million callback URLs", q: req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: `{"name":"a","homepage":"https://x.example.com","callback_urls":[` + strings.Repeat(`"",`, 300000) + `""]}`}, want: 400},
		{name: "huge page number", q: req{Method: http.MethodGet, Path: "/api/v4/oauth/apps?page=" + strings.Repeat("9", 4000)}, want: 200},

		// Duplicate keys: encoding/json keeps the last, as the real server.
		{name: "duplicate keys", q: req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: `{"name":"first","name":"last",` + appFields + `}`}, want: 201, check: func(t *testing.T, r reply) {
			var app models.OAuthApp
			r.decode(t, &app)
			assert.Equal(t, "last", app.Name)
		}},
		{name: "duplicate client_id on deauthorize", q: req{Method: http.MethodPost, Path: "/oauth/deauthorize", Body: `{"client_id":"aaaaaaaaaaaaaaaaaaaaaaaaaa","client_id":"junk"}`}, want: 400, wantID: "api.context.invalid_body_param.app_error"},

		// Invalid UTF-8 becomes U+FFFD in encoding/json, as on the real server.
		{name: "invalid UTF-8 in a string", q: req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: "{\"name\":\"\xff\xfe\"," + appFields + "}"}, want: 201, check: func(t *testing.T, r reply) {
			var app models.OAuthApp
			r.decode(t, &app)
			assert.Equal(t, "\ufffd\ufffd", app.Name)
		}},
		{name: "invalid UTF-8 in a client_id", q: req{Method: http.MethodPost, Path: "/oauth/authorize", Body: "{\"response_type\":\"code\",\"client_id\":\"\xff\"}"}, want: 400, wantID: "model.authorize.is_valid.client_id.app_error"},
		{name: "invalid UTF-8 in a query", q: req{Method: http.MethodGet, Path: "/oauth/authorize?client_id=%ff&response_type=code&redirect_uri=%00"}, want: 400},
		{name: "object where a string goes", q: req{Method: http.MethodPost, Path: "/oauth/deauthorize", Body: `{"client_id":{"a":1}}`}, want: 400},

		// Content-Type lies: the real handlers decode JSON whatever the
		// header says, and the token endpoint reads only forms.
		{name: "JSON sent as text/plain", q: req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: `{"name":"a",` + appFields + `}`, Header: ctJSON("text/plain")}, want: 201},
		{name: "JSON sent as a form", q: req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: `{"name":"a",` + appFields + `}`, Header: ctJSON("application/x-www-form-urlencoded")}, want: 201},
		{name: "form sent as JSON", q: req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: `name=a`, Header: ctJSON("application/json")}, want: 400},
		{name: "JSON to the token endpoint", q: req{Method: http.MethodPost, Path: "/oauth/access_token", Body: `{"grant_type":"authorization_code"}`}, want: 400, wantID: "api.oauth.get_access_token.bad_grant.app_error"},
		{name: "multipart without boundary to the token endpoint", q: req{Method: http.MethodPost, Path: "/oauth/access_token", Body: `grant_type=x`, Header: ctJSON("multipart/form-data")}, want: 400},
		{name: "garbage Content-Type", q: req{Method: http.MethodPost, Path: registerPath, Body: `{}`, Header: ctJSON(";;;=\"")}, want: 400},

		// Credentials in odd places.
		{name: "session token in the query", q: req{Method: http.MethodGet, Path: "/api/v4/users/me?access_token=sysadmintokenxxxxxxxxxxxxx"}, want: 401},
		{name: "huge bearer token", q: req{Method: http.MethodGet, Path: "/api/v4/users/me", Header: map[string]string{"Authorization": "Bearer " + strings.Repeat("t", 40<<10)}}, want: 401, wantID: "api.context.session_expired.app_error"},
	}
	ts := NewTestServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			if q.Header["Authorization"] == "" && !strings.Contains(q.Path, "access_token=") {
				q.Token = ts.Identities.SystemAdmin.Token
			}
			r := do(t, ts, q)
			require.Less(t, r.Status, 500, "never a 5xx: %s", r.Body)
			require.Equal(t, tt.want, r.Status, "%.300s", r.Body)
			if tt.wantID != "" {
				if strings.Contains(tt.wantID, ".") {
					assert.Equal(t, tt.wantID, r.appError(t).ID)
				} else {
					assert.Equal(t, tt.wantID, r.dcrError(t).Error)
				}
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// rawExchange writes raw bytes to the server and returns what comes back
// until the server closes the connection.
func rawExchange(t *testing.T, addr string, request string) string {
	t.Helper()
	var d net.Dialer
	conn, err := d.DialContext(context.Background(), "tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, request)
	require.NoError(t, err)
	b, _ := io.ReadAll(conn) // a reset after the answer is fine
	return string(b)
}

// statusLine is the first line of a raw answer.
func statusLine(raw string) string {
	line, _, _ := strings.Cut(raw, "\r\n")
	return line
}

// TestHeaderFloods: oversized or countless headers are refused with 431
// by the server's MaxHeaderBytes before any handler runs.
func TestHeaderFloods(t *testing.T) {
	ts := NewTestServer(t)
	addr := strings.TrimPrefix(ts.URL, "http://")
	var many strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&many, "X-Flood-%d: %s\r\n", i, strings.Repeat("v", 20))
	}
	tests := []struct {
		name    string
		headers string
		want    string
	}{
		{"one huge header", "X-Big: " + strings.Repeat("a", 200<<10) + "\r\n", "HTTP/1.1 431"},
		{"five thousand headers", many.String(), "HTTP/1.1 431"},
		{"huge cookie", "Cookie: MMAUTHTOKEN=" + strings.Repeat("c", 100<<10) + "\r\n", "HTTP/1.1 431"},
		{"many Authorization headers", strings.Repeat("Authorization: Bearer x\r\n", 100), "HTTP/1.1 401"},
		{"header just under the limit", "X-Big: " + strings.Repeat("a", 60<<10) + "\r\n", "HTTP/1.1 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := rawExchange(t, addr, "GET /api/v4/users/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"+tt.headers+"\r\n")
			assert.True(t, strings.HasPrefix(raw, tt.want), "got %q", statusLine(raw))
		})
	}
}

// TestSlowClientsAreCutOff: a client that sends its headers or its body
// too slowly loses its connection once the read timeouts pass; it cannot
// hold a connection (and a goroutine) for ever. The test waits for the
// server to close the connection, so it would hang (and time out) without
// the limits.
func TestSlowClientsAreCutOff(t *testing.T) {
	s, err := New()
	require.NoError(t, err)
	limits := DefaultServerLimits()
	limits.ReadHeaderTimeout = 50 * time.Millisecond
	limits.ReadTimeout = 100 * time.Millisecond
	hs := httptest.NewUnstartedServer(s)
	hs.Config = NewHTTPServer(s, limits)
	hs.Start()
	t.Cleanup(hs.Close)
	addr := hs.Listener.Addr().String()

	tests := []struct {
		name    string
		partial string
	}{
		{"headers never finished (slowloris)", "GET /api/v4/users/me HTTP/1.1\r\nHost: x\r\nX-Slow: "},
		{"body never finished", "POST /api/v4/oauth/apps/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"redirect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d net.Dialer
			conn, err := d.DialContext(context.Background(), "tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, tt.partial)
			require.NoError(t, err)
			// Whatever the server says, it must end the connection.
			rest, err := io.ReadAll(bufio.NewReader(conn))
			if err != nil {
				assert.ErrorContains(t, err, "reset")
			}
			if len(rest) > 0 {
				assert.False(t, strings.HasPrefix(string(rest), "HTTP/1.1 5"), "no 5xx: %q", statusLine(string(rest)))
			}
		})
	}
}
