package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// fuzzCalls are operations of every answer shape: an object, a list, the
// RFC 7591 and RFC 8414 documents, a status body, an authorize redirect.
var fuzzCalls = []func(ctx context.Context, c *Client) (*Response, error){
	func(ctx context.Context, c *Client) (*Response, error) {
		_, r, err := c.GetOAuthApp(ctx, appID)
		return r, err
	},
	func(ctx context.Context, c *Client) (*Response, error) {
		_, r, err := c.GetOAuthApps(ctx, 0, 60)
		return r, err
	},
	func(ctx context.Context, c *Client) (*Response, error) {
		_, r, err := c.RegisterOAuthClient(ctx, validRegistration())
		return r, err
	},
	func(ctx context.Context, c *Client) (*Response, error) {
		_, r, err := c.GetAuthorizationServerMetadata(ctx)
		return r, err
	},
	func(ctx context.Context, c *Client) (*Response, error) {
		_, r, err := c.DeleteOAuthApp(ctx, appID)
		return r, err
	},
	func(ctx context.Context, c *Client) (*Response, error) {
		_, r, err := c.CreateOAuthApp(ctx, validCreate())
		return r, err
	},
	func(ctx context.Context, c *Client) (*Response, error) {
		a, r, err := c.AuthorizeOAuthApp(ctx, validAuthorize())
		if err == nil {
			_, _ = a.Code()
		}
		return r, err
	},
}

// FuzzResponse runs whole calls against arbitrary answers (status,
// Content-Type, Retry-After, body): the client never panics, never makes
// more attempts than its policy allows, and returns either a value (2xx),
// an *Error with the answer's status (non-2xx) or a *DecodeError (a 2xx
// body that is not the expected JSON); every error is one line without the
// token or a secret the body carried.
func FuzzResponse(f *testing.F) {
	for _, s := range []struct {
		status     int
		ctype      string
		retryAfter string
		body       string
		op         uint8
	}{
		{200, "application/json", "", appJSON, 0},
		{200, "application/json", "", "[" + appJSON + ",null]", 1},
		{201, "application/json", "", `{"client_id":"x","client_secret":"` + secretVal + `"}`, 2},
		{200, "text/html", "", "<html>502 Bad Gateway</html>", 3},
		{200, "application/json", "", `{"status":"OK"}`, 4},
		{201, "application/json", "", appJSON[:40], 5},
		{200, "application/json", "", `{"redirect":"https://bot.example/cb?code=` + secretVal + `&state=st"}`, 6},
		{429, "text/plain", "1", "limit exceeded\n", 2},
		{503, "application/json", "Wed, 21 Oct 2026 07:28:05 GMT", `{"id":"x","message":"` + testToken + `"}`, 0},
		{502, "text/html", "", "<html>\r\n\r\n</html>", 5},
		{400, "application/json", "", `{"error":"invalid_client_metadata","error_description":"Bearer ` + testToken + `"}`, 2},
		{401, "", "", "", 0},
		{204, "", "", "", 1},
	} {
		f.Add(s.status, s.ctype, s.retryAfter, []byte(s.body), s.op)
	}
	f.Fuzz(func(t *testing.T, status int, ctype, retryAfter string, body []byte, op uint8) {
		status = 200 + abs(status)%400 // 200–599: net/http refuses 1xx finals
		h := http.Header{}
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		fx := newFixture(t, []reply{{status: status, header: h, body: string(body)}})
		r, err := fuzzCalls[int(op)%len(fuzzCalls)](t.Context(), fx.c)

		attempts := len(fx.s.requests())
		if attempts < 1 || attempts > tinyPolicy().MaxAttempts {
			t.Fatalf("%d attempts", attempts)
		}
		if r == nil {
			t.Fatalf("no *Response although an answer arrived (err %v)", err)
		}
		if r.StatusCode != status || r.Attempts != attempts {
			t.Fatalf("Response says %d after %d attempts; the server answered %d, %d times", r.StatusCode, r.Attempts, status, attempts)
		}
		ok := status >= 200 && status <= 299
		var apiErr *Error
		var decErr *DecodeError
		switch {
		case err == nil:
			if !ok {
				t.Fatalf("%d answered without error", status)
			}
			return
		case errors.As(err, &apiErr):
			if ok || apiErr.StatusCode != status || apiErr.Attempts != attempts {
				t.Fatalf("*Error %d (%d attempts) for a %d answer (%d attempts)", apiErr.StatusCode, apiErr.Attempts, status, attempts)
			}
			if len(apiErr.Body) > MaxErrorBodyBytes {
				t.Fatalf("error body of %d bytes", len(apiErr.Body))
			}
			assertNoSecret(t, "the stored body", string(apiErr.Body), testToken)
		case errors.As(err, &decErr):
			if !ok || decErr.StatusCode != status {
				t.Fatalf("*DecodeError %d for a %d answer", decErr.StatusCode, status)
			}
		default:
			// A validation refusal happens before any request: impossible here.
			t.Fatalf("untyped error %T: %v", err, err)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("multi-line error: %q", msg)
		}
		for _, rendered := range []string{msg, fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			assertNoSecret(t, "the error", rendered, testToken)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // math.MinInt
			return 0
		}
		return -n
	}
	return n
}

// FuzzRedact: whatever surrounds them, the token the client sent and a
// secret-bearing JSON member or query parameter never survive redaction,
// and the capped form stays within MaxErrorBodyBytes.
func FuzzRedact(f *testing.F) {
	f.Add("prefix ", " suffix", "s3cr3tvalu3xyz", uint8(0), uint16(0))
	f.Add(`{"a":`, `}`, "abcdefghijklmnop", uint8(1), uint16(0))
	f.Add("https://x/cb?", "&state=1", "c0dec0dec0dec0de", uint8(2), uint16(0))
	f.Add("", "", "tailtailtail", uint8(3), uint16(MaxErrorBodyBytes-20))
	f.Add(" ", "", "tailtailtail", uint8(1), uint16(MaxErrorBodyBytes-25))
	f.Fuzz(func(t *testing.T, before, after, secret string, form uint8, pad uint16) {
		// pad puts the secret near the size cap without making the input
		// itself large (large inputs make minimisation slow).
		before = strings.Repeat(" ", int(pad)%(MaxErrorBodyBytes+64)) + before
		if len(secret) < 8 || strings.Trim(secret, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			return // real credentials: 8+ alphanumerics
		}
		if strings.Contains(before, secret) || strings.Contains(after, secret) {
			return // the surroundings would carry the value themselves
		}
		var body string
		switch form % 4 {
		case 0: // the token this client sent, echoed anywhere
			body = before + testToken + after
			secret = testToken
		case 1:
			body = before + `"client_secret":"` + secret + `"` + after
		case 2:
			if before != "" && isWordByte(before[len(before)-1]) {
				return // "xcode=" is another parameter
			}
			body = before + "code=" + secret + after
		default:
			body = before + `{"access_token":"` + secret + `"}` + after
		}
		// As the client does: cap the body as it is read, then redact.
		capped := []byte(body)[:min(len(body), MaxErrorBodyBytes)]
		out := redactCapped(capped, testToken)
		if len(out) > MaxErrorBodyBytes {
			t.Fatalf("%d bytes after capping", len(out))
		}
		if strings.Contains(string(out), secret) {
			t.Fatalf("form %d: the secret survived in %q", form%4, out)
		}
		// A secret cut by the cap must not survive as a prefix either.
		if start := strings.Index(body, secret); start < len(capped) && len(capped) < start+len(secret) {
			if cut := string(capped[start:]); len(cut) >= minKnownSuffix && strings.HasSuffix(string(out), cut) {
				t.Fatalf("form %d: %d bytes of the cut secret survived", form%4, len(cut))
			}
		}
	})
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
