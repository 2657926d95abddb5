package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/require"
)

// reply is a response with its body read.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) appError(t testing.TB) models.AppError {
	t.Helper()
	var e models.AppError
	require.NoError(t, json.Unmarshal(r.Body, &e), "body %s", r.Body)
	return e
}

func (r reply) dcrError(t testing.TB) models.DCRError {
	t.Helper()
	var e models.DCRError
	require.NoError(t, json.Unmarshal(r.Body, &e), "body %s", r.Body)
	return e
}

func (r reply) decode(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body %s", r.Body)
}

// req describes one request to the mock.
type req struct {
	Method string
	Path   string
	Token  string
	Body   any // string or []byte are sent verbatim; anything else as JSON
	Form   url.Values
	Header map[string]string
}

// do sends a request over real HTTP and reads the answer.
func do(t testing.TB, ts *TestServer, q req) reply {
	t.Helper()
	r, err := tryDo(ts, q)
	require.NoError(t, err)
	return r
}

// tryDo is do without the test: safe in goroutines other than the test's.
func tryDo(ts *TestServer, q req) (reply, error) {
	var body io.Reader
	ctype := ""
	switch b := q.Body.(type) {
	case nil:
	case string:
		body, ctype = strings.NewReader(b), "application/json"
	case []byte:
		body, ctype = bytes.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return reply{}, err
		}
		body, ctype = bytes.NewReader(raw), "application/json"
	}
	if q.Form != nil {
		body, ctype = strings.NewReader(q.Form.Encode()), "application/x-www-form-urlencoded"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, q.Method, ts.URL+q.Path, body)
	if err != nil {
		return reply{}, err
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if q.Token != "" {
		r.Header.Set("Authorization", "Bearer "+q.Token)
	}
	for k, v := range q.Header {
		r.Header.Set(k, v)
	}
	client := *ts.Client() // a copy: CheckRedirect must not touch the shared client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(r)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

// newApp is a valid create body.
func newApp(name string) models.CreateOAuthAppRequest {
	return models.CreateOAuthAppRequest{
		Name: name, Description: "test app", CallbackURLs: []string{"https://app.example.com/callback"},
		Homepage: "https://app.example.com",
	}
}

// createApp creates an app as token and returns it.
func createApp(t testing.TB, ts *TestServer, token string, body any) models.OAuthApp {
	t.Helper()
	r := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: token, Body: body})
	require.Equal(t, http.StatusCreated, r.Status, "create: %s", r.Body)
	var app models.OAuthApp
	r.decode(t, &app)
	return app
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// mem is the server's memory store, for tests that set up or inspect state
// behind the handlers' back.
func (s *Server) mem() *store { return s.store.(*store) }
