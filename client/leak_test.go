package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// teeHandler sends every record to several handlers (text and JSON), so one
// run checks both encodings.
type teeHandler []slog.Handler

func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range t {
		if err := h.Handle(ctx, r.Clone()); err != nil {
			return err
		}
	}
	return nil
}

func (t teeHandler) WithAttrs(a []slog.Attr) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(a)
	}
	return out
}

func (t teeHandler) WithGroup(name string) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}

// secretBag collects every credential a flow handles and every text the
// client produced, then checks that none of the former is in the latter.
type secretBag struct {
	mu      sync.Mutex
	secrets map[string]string // value → what it is
	texts   []string
}

func (b *secretBag) secret(what, v string) {
	if v == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.secrets[v] = what
}

// render records every fmt rendering of v that a program could print.
func (b *secretBag) render(v any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		b.texts = append(b.texts, fmt.Sprintf(verb, v))
	}
	if err, ok := v.(error); ok && err != nil {
		b.texts = append(b.texts, err.Error())
	}
}

// reporter is the part of testing.T that check uses, so that the checker's
// own test can hand it a recorder.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

func (b *secretBag) check(t reporter, more ...string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.secrets) < 10 {
		t.Errorf("the flow handled only %d secrets", len(b.secrets))
	}
	var all []string
	all = append(all, b.texts...)
	for _, m := range more {
		all = append(all, strings.Split(m, "\n")...)
	}
	for _, text := range all {
		for v, what := range b.secrets {
			if i := strings.Index(text, v); i >= 0 {
				t.Errorf("a %s leaked: ...%s[%s]... (text %.80q)", what, text[max(0, i-40):i], what, text)
			}
		}
	}
}

// echoingServer wraps the mock: the /info route of one app answers a 500
// that echoes the request's Authorization header and a few secrets, as a
// broken server or proxy might; the client must redact what it stores.
func echoingServer(mock http.Handler, appID string, echoed ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v4/oauth/apps/"+appID+"/info" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"id":"x.app_error","message":"%s","detailed_error":"client_secret=%s code=%s","client_secret":%q,"token":%q}`,
				r.Header.Get("Authorization"), echoed[0], echoed[1], echoed[0], echoed[2])
			return
		}
		mock.ServeHTTP(w, r)
	})
}

// TestNoSecretInLogsErrorsOrRenderings drives a whole OAuth flow through
// the client with a debug logger (text and JSON), against the mock with
// faults (retries, give-ups, drops) and a server that echoes credentials in
// an error body. It then checks that no token, client secret, authorization
// code or PKCE verifier appears in any log line, any error string, or any
// %v / %+v / %#v / %s / %q / %x / %d rendering of what the client returned.
func TestNoSecretInLogsErrorsOrRenderings(t *testing.T) {
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	mock, err := mockserver.New(mockserver.WithConfig(cfg))
	require.NoError(t, err)
	var logs bytes.Buffer
	var logMu sync.Mutex
	logw := writerFunc(func(p []byte) (int, error) {
		logMu.Lock()
		defer logMu.Unlock()
		return logs.Write(p)
	})
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	logger := slog.New(teeHandler{slog.NewTextHandler(logw, opts), slog.NewJSONHandler(logw, opts)})

	bag := &secretBag{secrets: map[string]string{}}
	id := mock.Identities()
	for _, u := range []mockserver.User{id.SystemAdmin, id.OAuthManager, id.OAuthManager2, id.PlainUser} {
		bag.secret("token", u.Token)
	}
	const bogus = "bogustokenbogustokenbogus1"
	bag.secret("token", bogus)

	var handler http.Handler = mock
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(hs.Close)
	mock.UpdateConfig(func(c *mockserver.Config) { c.SiteURL = hs.URL })
	w := &waits{}
	newClient := func(token string) *Client {
		c, err := New(hs.URL, WithToken(token), WithLogger(logger), WithRetryPolicy(tinyPolicy()))
		require.NoError(t, err)
		c.clock = testClock(w)
		return c
	}
	ctx := t.Context()
	keep := func(v any, r *Response, err error) {
		bag.render(v)
		bag.render(r)
		bag.render(err)
		// models' LogValue under both handlers. A slice is logged element
		// by element: slog's JSONHandler marshals a slice with
		// encoding/json, which must keep secrets for the wire (the gap
		// models.Secret documents).
		if list, ok := v.([]*models.OAuthApp); ok {
			for _, a := range list {
				logger.Info("returned", "value", a)
			}
		} else if v != nil {
			logger.Info("returned", "value", v)
		}
	}

	admin := newClient(id.SystemAdmin.Token)
	bag.render(admin)
	logger.Info("client", "client", admin)

	app, r, err := admin.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{Name: "leak", CallbackURLs: []string{"https://leak.example.com/cb"}, Homepage: "https://leak.example.com"})
	require.NoError(t, err)
	bag.secret("client secret", app.ClientSecret.Reveal())
	keep(app, r, err)

	require.NoError(t, mock.Faults().Add(mockserver.Fault{Route: "RegenerateOAuthAppSecret", Status: 503, Count: 2}))
	regen, r, err := admin.RegenerateOAuthAppSecret(ctx, app.ID)
	require.NoError(t, err)
	bag.secret("client secret", regen.ClientSecret.Reveal())
	keep(regen, r, err)

	for _, f := range []mockserver.Fault{
		{Route: "GetOAuthApp", Status: 503},    // retried until the budget is spent
		{Route: "GetOAuthApp", Drop: true},     // transport errors
		{Route: "GetOAuthApp", Truncate: true}, // a cut-off 2xx
		{Route: "GetOAuthApp", Garbage: true},  // a 2xx that is not JSON
		{Route: "GetOAuthApps", Status: 429},   // rate limited
		{Route: "GetOAuthAppInfo", DropAfter: true},
	} {
		mock.Faults().Clear()
		require.NoError(t, mock.Faults().Add(f))
		got, r, err := admin.GetOAuthApp(ctx, app.ID)
		keep(got, r, err)
		list, r, err := admin.GetOAuthApps(ctx, 0, 10)
		keep(list, r, err)
	}
	mock.Faults().Clear()
	deadline, cancel := context.WithTimeout(ctx, time.Second)
	require.NoError(t, mock.Faults().Add(mockserver.Fault{Route: "GetOAuthApp", Status: 429, RetryAfter: time.Hour}))
	got, r, err := admin.GetOAuthApp(deadline, app.ID)
	cancel()
	require.Error(t, err)
	keep(got, r, err)
	mock.Faults().Clear()

	// Registration, public and confidential, with a retried 429.
	anon := newClient("")
	require.NoError(t, mock.Faults().Add(mockserver.Fault{Route: "RegisterOAuthClient", Status: 429, Count: 1}))
	reg, r, err := anon.RegisterOAuthClient(ctx, &models.ClientRegistrationRequest{RedirectURIs: []string{"https://leak.example.com/cb"}, ClientName: "leak-dcr"})
	require.NoError(t, err)
	bag.secret("client secret", reg.ClientSecret.Reveal())
	keep(reg, r, err)
	pub, r, err := anon.RegisterOAuthClient(ctx, &models.ClientRegistrationRequest{RedirectURIs: []string{"https://leak.example.com/cb"}, TokenEndpointAuthMethod: models.AuthMethodNone})
	require.NoError(t, err)
	keep(pub, r, err)

	// The authorization code flow with PKCE through x/oauth2.
	meta, err := Discover(ctx, hs.URL, WithLogger(logger))
	require.NoError(t, err)
	keep(meta, nil, nil)
	user := newClient(id.PlainUser.Token)
	pkce := NewPKCE()
	bag.secret("PKCE verifier", pkce.Verifier.Reveal())
	bag.render(pkce)
	logger.Info("pkce", "pkce", pkce)
	ar := &models.AuthorizeRequest{ResponseType: models.ResponseTypeCode, ClientID: pub.ClientID, RedirectURI: "https://leak.example.com/cb", State: "st"}
	pkce.ApplyTo(ar)
	ans, r, err := user.AuthorizeOAuthApp(ctx, ar)
	require.NoError(t, err)
	code, err := ans.Code()
	require.NoError(t, err)
	bag.secret("authorization code", code.Reveal())
	keep(ans, r, err)
	bag.render(code)
	conf, err := OAuth2Config(meta, pub, "https://leak.example.com/cb")
	require.NoError(t, err)
	tok, err := conf.Exchange(ctx, code.Reveal(), pkce.VerifierOption())
	require.NoError(t, err)
	bag.secret("access token", tok.AccessToken)
	bag.secret("refresh token", tok.RefreshToken)

	// The issued access token, used through a token source, then refused.
	viaToken, err := New(hs.URL, WithTokenSource(TokenSource(conf, tok, nil)), WithLogger(logger))
	require.NoError(t, err)
	bag.render(viaToken)
	me, r, err := viaToken.GetMe(ctx)
	require.NoError(t, err)
	keep(me, r, err)
	_, r, err = newClient(bogus).GetMe(ctx)
	require.ErrorIs(t, err, ErrUnauthorized)
	keep(nil, r, err)

	// A server that echoes credentials in an error body.
	handler = echoingServer(mock, app.ID, regen.ClientSecret.Reveal(), code.Reveal(), id.OAuthManager.Token)
	info, r, err := admin.GetOAuthAppInfo(ctx, app.ID)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	require.NotEmpty(t, apiErr.Body)
	keep(info, r, err)
	bag.render(string(apiErr.Body))

	// Input the client refuses before sending.
	_, _, err = admin.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{Name: regen.ClientSecret.Reveal()})
	keep(nil, nil, err)

	logMu.Lock()
	lines := logs.String()
	logMu.Unlock()
	require.Contains(t, lines, `"level":"DEBUG"`, "the debug logger saw the attempts")
	require.Contains(t, lines, "retrying")
	bag.check(t, lines)
}

// writerFunc adapts a function to io.Writer.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// panicCaseEnv names the environment variable that tells the helper process
// which of panicValues to panic with.
const panicCaseEnv = "MMOAUTH_TEST_PANIC_CASE"

// panicValues are values holding secrets that a program could panic with.
func panicValues() map[string]any {
	app := models.OAuthApp{ID: appID, ClientSecret: secretVal, Name: "Bot"}
	apiErr := &Error{StatusCode: 500, Method: "GET", Path: "/p", Message: "m", Body: redactCapped([]byte(`{"client_secret":"`+secretVal+`"}`), testToken)}
	c, _ := New(testBase, WithToken(testToken))
	return map[string]any{
		"secret":          models.Secret(secretVal),
		"app":             app,
		"app pointer":     &app,
		"access response": models.AccessResponse{AccessToken: testToken, RefreshToken: secretVal},
		"registration":    models.ClientRegistrationResponse{ClientID: appID, ClientSecret: secretVal},
		"authorize":       models.AuthorizeResponse{Redirect: models.Secret("https://x/cb?code=" + secretVal)},
		"error":           apiErr,
		"wrapped error":   fmt.Errorf("calling: %w", apiErr),
		"joined error":    errors.Join(apiErr, errors.New("other")),
		"client":          c,
		"client value":    *c,
		"pkce":            PKCE{Verifier: secretVal},
		"formatted app":   fmt.Sprintf("bad app %v %+v %#v", app, app, app),
	}
}

// TestPanicMessagesCarryNoSecret runs a helper process (this test binary)
// that panics with each secret-holding value, and checks that the runtime's
// panic message and stack trace show none of the secrets.
func TestPanicMessagesCarryNoSecret(t *testing.T) {
	if name := os.Getenv(panicCaseEnv); name != "" {
		panic(panicValues()[name])
	}
	for name := range panicValues() {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPanicMessagesCarryNoSecret$", "-test.count=1")
			cmd.Env = append(os.Environ(), panicCaseEnv+"="+name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the helper must panic: %s", out)
			require.Contains(t, string(out), "panic:", "%s", out)
			assertNoSecret(t, "panic output", string(out), testToken, secretVal)
		})
	}
}

// recordingReporter counts failures instead of failing.
type recordingReporter struct{ errors []string }

func (r *recordingReporter) Helper() {}

func (r *recordingReporter) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestSecretBagCatchesALeak: the checker itself fails on a leak, in a
// rendering and in a log line, and passes clean text.
func TestSecretBagCatchesALeak(t *testing.T) {
	bag := &secretBag{secrets: map[string]string{}}
	for i := range 10 {
		bag.secret("x", fmt.Sprintf("secretvalue%02d", i))
	}
	clean := &recordingReporter{}
	bag.check(clean, "a clean line\nanother")
	assert.Empty(t, clean.errors)
	bag.render(errors.New("oops secretvalue07"))
	leaky := &recordingReporter{}
	bag.check(leaky, "ok line\nlog line with secretvalue03 in it")
	assert.NotEmpty(t, leaky.errors)
	assert.Contains(t, strings.Join(leaky.errors, "\n"), "[x]")
}
