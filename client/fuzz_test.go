package client

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzErrorBody: any error body yields a one-line *Error and never panics;
// the stored body stays capped and never holds the token.
func FuzzErrorBody(f *testing.F) {
	for _, seed := range []string{
		`{"id":"a.app_error","message":"m","detailed_error":"d","request_id":"r","status_code":400}`,
		`{"error":"invalid_client_metadata","error_description":"bad"}`,
		"limit exceeded\n", "", "null", `{"id":5}`, "<html>\n</html>", `{"client_secret":"x`,
		"Bearer " + testToken,
	} {
		f.Add(seed, 429)
	}
	f.Fuzz(func(t *testing.T, body string, status int) {
		r := &Response{StatusCode: status, Header: http.Header{}}
		e := newError("GET", "/p", r, redactCapped([]byte(body), testToken))
		msg := e.Error()
		if strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("multi-line error: %q", msg)
		}
		if len(e.Body) > MaxErrorBodyBytes {
			t.Fatalf("body of %d bytes", len(e.Body))
		}
		if strings.Contains(string(e.Body), testToken) {
			t.Fatal("token in body")
		}
	})
}

// FuzzHeaders: rate-limit and Retry-After parsing never panics nor yields
// a negative wait.
func FuzzHeaders(f *testing.F) {
	f.Add("3", "1", "0", "2")
	f.Add("Wed, 21 Oct 2026 07:28:00 GMT", "x", "-1", "99999999999")
	f.Fuzz(func(t *testing.T, retryAfterValue, limit, remaining, reset string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfterValue)
		h.Set("X-RateLimit-Limit", limit)
		h.Set("X-RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Reset", reset)
		now := time.Unix(1_800_000_000, 0)
		if d, _ := serverWait(h, now); d < 0 {
			t.Fatalf("negative wait %v", d)
		}
		if rl := parseRateLimit(h, now); rl.Reset < 0 {
			t.Fatalf("negative reset %v", rl.Reset)
		}
	})
}
