package mockserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

// redirectCallbacks are the callbacks of the apps the open-redirect tests
// authorize: a plain one, and one with a query of its own.
var redirectCallbacks = []string{"https://app.example.com/callback", "http://localhost:8080/cb?keep=1"}

// redirectTarget says whether loc is a place /oauth/authorize may send a
// browser to: a page of the site itself (login, error), or exactly one of
// the registered callbacks, where only the query and fragment may carry
// code, state or error. It returns "" when it is, else why not.
//
// A location that starts with the callback and goes on with its query or
// fragment is safe for any URL parser, whatever follows (the real server
// appends the state unescaped: "?error=unsupported_response_type&state=…").
// Other locations (a callback whose query was re-encoded) must parse to the
// callback's scheme, host and path.
func redirectTarget(loc, site string, callbacks []string) string {
	if strings.HasPrefix(loc, site+"/") {
		return ""
	}
	for _, cb := range callbacks {
		rest, ok := strings.CutPrefix(loc, cb)
		if ok && (rest == "" || strings.ContainsAny(cb, "?#") || rest[0] == '?' || rest[0] == '#') {
			return ""
		}
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "neither a callback followed by its query nor a URL"
	}
	if u.User != nil || u.Opaque != "" {
		return "user info or opaque part"
	}
	for _, cb := range callbacks {
		c, err := url.Parse(cb)
		if err == nil && u.Scheme == c.Scheme && u.Host == c.Host && u.EscapedPath() == c.EscapedPath() {
			return ""
		}
	}
	return "not a registered callback"
}

// redirectFixture is a server with a trusted app (GET redirects at once)
// and an untrusted app the user has approved (GET redirects too), both
// with redirectCallbacks.
type redirectFixture struct {
	ts               *TestServer
	trusted, granted models.OAuthApp
	user             string
}

func newRedirectFixture(t testing.TB) *redirectFixture {
	t.Helper()
	ts := NewTestServer(t)
	body := newApp("trusted")
	body.CallbackURLs = redirectCallbacks
	body.IsTrusted = true
	trusted := createApp(t, ts, tokenOf(ts, colSA), body)
	require.True(t, trusted.IsTrusted)
	body = newApp("granted")
	body.CallbackURLs = redirectCallbacks
	granted := createApp(t, ts, tokenOf(ts, colC), body)
	user := ts.Identities.PlainUser.Token
	authorizeCode(t, ts, user, granted, "")
	return &redirectFixture{ts: ts, trusted: trusted, granted: granted, user: user}
}

// hostileRedirects are redirect_uri values that look like a registered
// callback but are not it.
var hostileRedirects = []string{
	"https://app.example.com/callback.evil.example",
	"https://app.example.com/callback/../../evil",
	"https://app.example.com/callback/",
	"https://app.example.com/callback?next=https://evil.example",
	"https://app.example.com/callback#@evil.example",
	"https://app.example.com@evil.example/callback",
	"https://evil.example/https://app.example.com/callback",
	"https://evil.example/?https://app.example.com/callback",
	"https://APP.example.com/callback",
	"https://app.example.com/Callback",
	"https://app.example.com:443/callback",
	"https://app.example.com/%63allback",
	"https://app.example.com/callback%2F..%2Fevil",
	"http://app.example.com/callback",
	"//evil.example/callback",
	"https://app.example.com\\@evil.example/callback",
	"javascript:alert(1)//https://app.example.com/callback",
	"https://app.example.com/callback\r\nLocation: https://evil.example",
	" https://app.example.com/callback",
	"https://app.example.com/callback ",
	"https://app.example.com/callback\x00",
	"http://localhost:8080/cb",
	"http://localhost:8080/cb?keep=1&x=2",
	"http://localhost:8080/cb?keep=2",
	"http://localhost:8081/cb?keep=1",
}

// TestAuthorizeNeverRedirectsElsewhere: for every redirect_uri that is not
// byte for byte a registered callback, GET /oauth/authorize never answers
// 302 and POST /oauth/authorize answers 400 (server/channels/app/oauth.go: "must exactly
// equal a registered callback"), for a trusted app and for an approved one.
func TestAuthorizeNeverRedirectsElsewhere(t *testing.T) {
	f := newRedirectFixture(t)
	for _, app := range []models.OAuthApp{f.trusted, f.granted} {
		for _, uri := range hostileRedirects {
			t.Run(app.Name+" "+uri, func(t *testing.T) {
				q := url.Values{"response_type": {"code"}, "client_id": {app.ID}, "redirect_uri": {uri}, "state": {"s"}}
				r := do(t, f.ts, req{Method: http.MethodGet, Path: "/oauth/authorize?" + q.Encode(), Token: f.user})
				assert.NotEqual(t, http.StatusFound, r.Status, "GET redirected to %q", r.Header.Get("Location"))
				assert.Equal(t, http.StatusBadRequest, r.Status)
				assert.Empty(t, r.Header.Get("Location"))

				r = authorize(t, f.ts, f.user, models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: uri, State: "s"})
				require.Equal(t, http.StatusBadRequest, r.Status, "POST accepted %q: %s", uri, r.Body)
			})
		}
	}
}

// TestAuthorizeRedirectsOnlyToTheCallback: with the exact callback, the
// redirect goes to that callback whatever the state and response type hold
// (fragments, "@", slashes, line breaks); without a session it goes to the
// site's login page.
func TestAuthorizeRedirectsOnlyToTheCallback(t *testing.T) {
	f := newRedirectFixture(t)
	site := f.ts.URL
	states := []string{"plain", "#@evil.example", "/../evil", "a\r\nLocation: https://evil.example", "&redirect_uri=https://evil.example", "\\\\evil.example"}
	for _, cb := range redirectCallbacks {
		for _, state := range states {
			for _, rt := range []string{"code", "token", "unsupported"} {
				q := url.Values{"response_type": {rt}, "client_id": {f.trusted.ID}, "redirect_uri": {cb}, "state": {state}}
				r := do(t, f.ts, req{Method: http.MethodGet, Path: "/oauth/authorize?" + q.Encode(), Token: f.user})
				require.Equal(t, http.StatusFound, r.Status, "%s", r.Body)
				loc := r.Header.Get("Location")
				assert.Empty(t, redirectTarget(loc, site, redirectCallbacks), "GET %s %q → %q", rt, state, loc)

				p := authorize(t, f.ts, f.user, models.AuthorizeRequest{ResponseType: rt, ClientID: f.granted.ID, RedirectURI: cb, State: state})
				require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
				var ans models.AuthorizeResponse
				p.decode(t, &ans)
				assert.Empty(t, redirectTarget(ans.Redirect.Reveal(), site, redirectCallbacks), "POST %s %q", rt, state)
			}
		}
	}
	q := url.Values{"response_type": {"code"}, "client_id": {f.trusted.ID}, "redirect_uri": {"https://evil.example/cb"}}
	r := do(t, f.ts, req{Method: http.MethodGet, Path: "/oauth/authorize?" + q.Encode()})
	require.Equal(t, http.StatusFound, r.Status)
	assert.True(t, strings.HasPrefix(r.Header.Get("Location"), site+"/login?"), r.Header.Get("Location"))
}

// FuzzAuthorizeRedirect: whatever the redirect_uri, state and response
// type, /oauth/authorize (GET and POST, trusted and approved apps) only
// ever sends the browser to the site itself or to a registered callback,
// and never answers 5xx.
func FuzzAuthorizeRedirect(f *testing.F) {
	for _, uri := range append(append([]string{}, redirectCallbacks...), hostileRedirects...) {
		f.Add(uri, "state", "code", true, true)
	}
	f.Add("https://app.example.com/callback", "#x", "token", false, false)
	ts := newRedirectFixture(f)
	site := ts.ts.URL
	s := ts.ts.Server
	f.Fuzz(func(t *testing.T, redirectURI, state, responseType string, trusted, get bool) {
		app := ts.granted
		if trusted {
			app = ts.trusted
		}
		var r *http.Request
		if get {
			q := url.Values{"response_type": {responseType}, "client_id": {app.ID}, "redirect_uri": {redirectURI}, "state": {state}}
			r = httptest.NewRequest(http.MethodGet, site+"/oauth/authorize?"+q.Encode(), nil)
		} else {
			body, err := json.Marshal(models.AuthorizeRequest{ResponseType: responseType, ClientID: app.ID, RedirectURI: redirectURI, State: state})
			require.NoError(t, err)
			r = httptest.NewRequest(http.MethodPost, site+"/oauth/authorize", strings.NewReader(string(body)))
			r.Header.Set("Content-Type", "application/json")
		}
		r.Header.Set("Authorization", "Bearer "+ts.user)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%d: %s", w.Code, w.Body)
		}
		loc := w.Header().Get("Location")
		if !get && w.Code == http.StatusOK {
			var ans models.AuthorizeResponse
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &ans))
			loc = ans.Redirect.Reveal()
		}
		if loc == "" {
			return
		}
		if why := redirectTarget(loc, site, app.CallbackURLs); why != "" {
			t.Fatalf("redirect_uri %q state %q → %q: %s", redirectURI, state, loc, why)
		}
		if !slicesContains(app.CallbackURLs, redirectURI) && !strings.HasPrefix(loc, site+"/") {
			t.Fatalf("redirect_uri %q is not registered, yet the answer redirects to %q", redirectURI, loc)
		}
	})
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
