package conformance

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// Sources of the authorize endpoint's rules.
const (
	srcAuthorizeJSON = "server/channels/web/oauth.go authorizeOAuthApp; server/channels/app/oauth.go AllowOAuthAppAccessToUser"
	srcAuthorizePage = "server/channels/web/oauth.go authorizeOAuthPage"
	srcCodeRedirect  = "server/channels/app/oauth.go GetOAuthCodeRedirect"
)

// authorizeState is the state the authorize checks send: characters that
// must be escaped in a query, so that a server that copies it unescaped, or
// drops it, is caught (RFC 6749 §4.1.2: "the exact value received").
const authorizeState = "mmoauth state/1 & x=é"

// plainState is a state that needs no escaping in a query.
const plainState = "mmoauth-state-2"

// authorizeChecks are the rules of the authorize endpoint's answers: what the
// consent form's JSON answer carries back to the client, and where the
// browser entry point may send the user (RFC 6749 §4.1.2, §4.1.2.1, §4.2.2).
func authorizeChecks() []Check {
	return []Check{
		{
			ID: "authorize/code/redirect-carries-code-and-state", Category: CategoryBehaviour, Kind: KindCompat,
			Rule: "POST /oauth/authorize (response_type=code) answers 200 {\"redirect\": …} and nothing else: the registered callback " +
				"(scheme, host, path and its own query kept) with a code and the state exactly as sent",
			Source: srcAuthorizeJSON + "; " + srcCodeRedirect + "; RFC 6749 §4.1.2",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				callback := testCallback + "?keep=1&state=stale"
				app := t.createApp(ctx, Manager, "authorize answer", func(r *models.CreateOAuthAppRequest) {
					r.CallbackURLs = []string{callback, testCallback}
				})
				u, ok := t.authorizeRedirect(ctx, app, models.ResponseTypeCode, callback)
				if !ok {
					return
				}
				sameTarget(t, u, callback)
				q := u.Query()
				code := q.Get("code")
				t.remember(code)
				if code == "" {
					t.Errorf("the redirect carries no code")
				}
				if got := q["state"]; !slices.Equal(got, []string{authorizeState}) {
					t.Errorf("the redirect's state is %q, want exactly [%q] (the callback's own state replaced)", got, authorizeState)
				}
				if got := q["keep"]; !slices.Equal(got, []string{"1"}) {
					t.Errorf("the callback's own query parameter keep=1 became %q", got)
				}
				if extra := extraKeys(q, "code", "state", "keep"); len(extra) > 0 {
					t.Errorf("the redirect carries unexpected query parameters %q", extra)
				}
				if u.Fragment != "" {
					t.Errorf("the code redirect has a fragment; the code belongs in the query (RFC 6749 §4.1.2)")
				}
			},
		},
		{
			ID: "authorize/implicit/token-in-fragment", Category: CategoryBehaviour, Kind: KindCompat,
			Rule: "POST /oauth/authorize with response_type=token redirects to the callback with access_token, token_type=bearer, " +
				"expires_in, scope and state in the fragment (never the query), and the token is a session of the approving user",
			Source: srcAuthorizeJSON + "; server/channels/app/oauth.go GetOAuthImplicitRedirect; RFC 6749 §4.2.2",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "implicit grant", nil)
				u, ok := t.authorizeRedirect(ctx, app, models.ResponseTypeToken, app.CallbackURLs[0])
				if !ok {
					return
				}
				sameTarget(t, u, app.CallbackURLs[0])
				if len(u.Query()) > 0 {
					t.remember(u.Query().Get("access_token"))
					t.Errorf("the implicit redirect has a query %q; its parameters belong in the fragment", slices.Sorted(maps.Keys(u.Query())))
				}
				f, err := url.ParseQuery(u.EscapedFragment())
				if err != nil {
					t.Fatalf("the redirect's fragment is not form-encoded: %v", err)
				}
				token := f.Get("access_token")
				t.remember(token)
				if token == "" {
					t.Fatalf("the fragment carries no access_token")
				}
				if got := f.Get("token_type"); !strings.EqualFold(got, "bearer") {
					t.Errorf("token_type is %q, want bearer", got)
				}
				if n, err := strconv.ParseInt(f.Get("expires_in"), 10, 64); err != nil || n <= 0 {
					t.Errorf("expires_in is %q, want a positive number of seconds", f.Get("expires_in"))
				}
				if got := f.Get("scope"); got != models.DefaultScope {
					t.Errorf("scope is %q, want %q (the scope asked for)", got, models.DefaultScope)
				}
				if got := f.Get("state"); got != authorizeState {
					t.Errorf("state is %q, want %q exactly", got, authorizeState)
				}
				if f.Has("refresh_token") {
					t.Errorf("the implicit grant carries a refresh_token (RFC 6749 §4.2.2: it must not)")
				}
				me := call(t.Client(Anonymous).WithToken(token).GetMe(ctx)).must(t, "GET /api/v4/users/me with the implicit token")
				if me != nil && me.ID != t.UserID(t.authorizer()) {
					t.Errorf("the implicit token is a session of user %s, want the approving user %s", me.ID, t.UserID(t.authorizer()))
				}
			},
		},
		{
			ID: "authorize/response-type/unsupported-error-redirect", Category: CategoryBehaviour, Kind: KindCompat,
			Rule: "POST /oauth/authorize with a response_type other than code or token answers 200 with a redirect to the callback " +
				"carrying error=unsupported_response_type and the state, and no code or token",
			Source: "server/channels/app/oauth.go AllowOAuthAppAccessToUser (default case); RFC 6749 §4.1.2.1",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "unsupported response type", nil)
				// The real server appends the state to this redirect unescaped
				// (AllowOAuthAppAccessToUser: "&state=" + authRequest.State), so
				// the check sends one that needs no escaping.
				u, ok := t.authorizeRedirectState(ctx, app, "id_token", app.CallbackURLs[0], plainState)
				if !ok {
					return
				}
				sameTarget(t, u, app.CallbackURLs[0])
				q := u.Query()
				t.remember(q.Get("code"))
				if got := q.Get("error"); got != "unsupported_response_type" {
					t.Errorf("the redirect's error is %q, want unsupported_response_type", got)
				}
				if got := q.Get("state"); got != plainState {
					t.Errorf("the error redirect's state is %q, want %q", got, plainState)
				}
				if q.Has("code") || strings.Contains(u.Fragment, "access_token") {
					t.Errorf("the error redirect carries a grant (code or access_token)")
				}
			},
		},
		{
			ID: "authorize/browser/anonymous-login-redirect", Category: CategoryBehaviour, Kind: KindCompat,
			Rule: "GET /oauth/authorize without a session answers 302 to the server's /login page with redirect_to set to the " +
				"authorize request, never to the client's callback",
			Source: srcAuthorizePage + " (no session: http.Redirect to /login?redirect_to=)",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "login redirect", nil)
				path := authorizePagePath(app, app.CallbackURLs[0])
				r := t.raw(ctx, Anonymous, http.MethodGet, path, "", nil)
				loc, ok := locationOf(t, r, "the anonymous authorize page")
				if !ok {
					return
				}
				if !strings.HasSuffix(loc.Path, "/login") {
					t.Errorf("the anonymous authorize page redirects to %s, want the server's /login page", t.env.scrub.redactURL(loc.String()))
				}
				if got := loc.Query().Get("redirect_to"); !strings.HasSuffix(got, path) {
					t.Errorf("the login redirect's redirect_to is %q, want the authorize request %q", got, path)
				}
			},
		},
		{
			ID: "authorize/browser/unregistered-redirect-refused", Category: CategoryBehaviour, Kind: KindCompat,
			Rule: "GET /oauth/authorize with a session and a redirect_uri the app did not register, or an unknown client_id, answers " +
				"an error page (400, 404) and never redirects: an authorization server is not an open redirector",
			Source: srcAuthorizePage + " (IsValidRedirectURL, GetOAuthApp); RFC 6749 §4.1.2.1, §10.15",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "open redirect", nil)
				foreign := "https://elsewhere.mmoauth.invalid/steal"
				cases := []struct {
					what   string
					path   string
					status int
				}{
					{"an unregistered redirect_uri", authorizePagePath(app, foreign), http.StatusBadRequest},
					{"an unknown client_id", authorizePagePath(&models.OAuthApp{ID: unknownID()}, foreign), http.StatusNotFound},
				}
				for _, c := range cases {
					r := t.raw(ctx, t.authorizer(), http.MethodGet, c.path, "", nil)
					if loc := r.Header.Get("Location"); loc != "" {
						t.Errorf("the authorize page with %s redirects (%d to %s); it must show an error page", c.what, r.Status, t.env.scrub.redactURL(loc))
						continue
					}
					r.expect(t, "the authorize page with "+c.what, c.status, "")
				}
			},
		},
		{
			ID: "authorize/browser/approved-app-redirects", Category: CategoryBehaviour, Kind: KindCompat,
			Rule: "GET /oauth/authorize for an app the user has already approved answers 302 to the callback with a code and the " +
				"state, without asking again, and the code is exchangeable",
			Source: srcAuthorizePage + " (isAuthorized: the authorized-app preference); " + srcCodeRedirect,
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "approved app", nil)
				t.authorize(ctx, t.authorizer(), app, nil)
				t.expectBrowserCode(ctx, app, "the authorize page for an approved app")
			},
		},
		{
			ID: "authorize/browser/trusted-app-no-consent", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "GET /oauth/authorize for a trusted app answers 302 to the callback with a code and the state before any approval",
			Source: srcAuthorizePage + " (oauthApp.IsTrusted); " + srcCodeRedirect,
			Needs:  Needs{Roles: []Role{Admin}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Admin, "trusted app", func(r *models.CreateOAuthAppRequest) { r.IsTrusted = true })
				if !app.IsTrusted {
					t.Fatalf("the system admin's trusted app was stored with is_trusted=false (trusted/create/admin-honoured)")
				}
				t.expectBrowserCode(ctx, app, "the authorize page for a trusted app")
			},
		},
		{
			ID: "authorize/browser/unapproved-app-needs-consent", Category: CategoryBehaviour, Kind: KindCompat,
			Rule: "GET /oauth/authorize for an untrusted app the user never approved shows the consent page (200 HTML; 404 where " +
				"the web app is not installed) and never redirects to the callback with a grant",
			Source: srcAuthorizePage + " (neither trusted nor authorized: root.html); RFC 6749 §4.1.1, §10.2",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "consent needed", nil)
				r := t.raw(ctx, t.authorizer(), http.MethodGet, authorizePagePath(app, app.CallbackURLs[0]), "", nil)
				if loc := r.Header.Get("Location"); loc != "" {
					t.Errorf("the authorize page for an unapproved app redirects (%d to %s) instead of asking the user", r.Status, t.env.scrub.redactURL(loc))
					return
				}
				if r.Status != http.StatusOK && r.Status != http.StatusNotFound {
					t.Errorf("the authorize page for an unapproved app answers %d, want 200 (the consent page) or 404 (no web app installed)", r.Status)
				}
				if _, listed := t.listedAuthorized(ctx, t.authorizer(), app.ID); listed {
					t.Errorf("showing the consent page approved the app: it is in the user's authorized-apps list")
				}
			},
		},
		{
			ID: "pkce/token/live-token-reissued", Category: CategoryPKCE, Kind: KindCompat,
			Rule: "A second code exchange for the same user and client, while the first access token is unexpired, answers that " +
				"access token and refresh token again, and both keep working",
			Source: "server/channels/app/oauth.go GetOAuthAccessTokenForCodeFlow (GetPreviousAccessData: an unexpired token is returned, not replaced)",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "second exchange", nil)
				who := t.authorizer()
				first, second := t.grant(ctx, who, app), t.grant(ctx, who, app)
				if !sameSecret(first.AccessToken, second.AccessToken) {
					t.Errorf("the second exchange issued a new access token instead of answering the unexpired one")
				}
				if !sameSecret(first.RefreshToken, second.RefreshToken) {
					t.Errorf("the second exchange issued a new refresh token instead of answering the unexpired one")
				}
				for _, tok := range []models.Secret{first.AccessToken, second.AccessToken} {
					call(t.Client(Anonymous).WithToken(tok.Reveal()).GetMe(ctx)).
						expect(t, "GET /api/v4/users/me with a token of the two exchanges", http.StatusOK, "")
				}
			},
		},
	}
}

// authorizeRedirect posts the JSON consent for app as the authorizer and
// returns the redirect URL of the answer, which must be 200 JSON with the
// one member "redirect" (server/channels/web/oauth.go authorizeOAuthApp).
func (t *T) authorizeRedirect(ctx context.Context, app *models.OAuthApp, responseType, redirectURI string) (*url.URL, bool) {
	return t.authorizeRedirectState(ctx, app, responseType, redirectURI, authorizeState)
}

// authorizeRedirectState is authorizeRedirect with the given state.
func (t *T) authorizeRedirectState(ctx context.Context, app *models.OAuthApp, responseType, redirectURI, state string) (*url.URL, bool) {
	body, err := json.Marshal(models.AuthorizeRequest{
		ResponseType: responseType, ClientID: app.ID, RedirectURI: redirectURI,
		Scope: models.DefaultScope, State: state,
	})
	if err != nil {
		t.Fatalf("encoding the authorize request: %v", err)
	}
	r := t.raw(ctx, t.authorizer(), http.MethodPost, "/oauth/authorize", contentJSON, body)
	if !r.expect(t, "authorizing with response_type="+responseType, http.StatusOK, "") {
		return nil, false
	}
	var answer map[string]string
	if !r.isJSON() || json.Unmarshal(r.Body, &answer) != nil {
		t.Errorf("the authorize answer is not a JSON object of strings: %s", r.Header.Get("Content-Type"))
		return nil, false
	}
	if keys := jsonKeys(r.Body); !slices.Equal(keys, []string{"redirect"}) {
		t.Errorf("the authorize answer has members %q, want exactly [redirect]", keys)
	}
	u, err := url.Parse(answer["redirect"])
	if err != nil || answer["redirect"] == "" {
		t.Errorf("the authorize answer's redirect %q is not a URL", t.env.scrub.redactURL(answer["redirect"]))
		return nil, false
	}
	t.remember(u.Query().Get("code"))
	return u, true
}

// expectBrowserCode asks the browser entry point for a code for app as the
// authorizer and checks that the answer is a 302 to the callback carrying a
// code and the state, and that the code buys a token.
func (t *T) expectBrowserCode(ctx context.Context, app *models.OAuthApp, step string) {
	r := t.raw(ctx, t.authorizer(), http.MethodGet, authorizePagePath(app, app.CallbackURLs[0]), "", nil)
	loc, ok := locationOf(t, r, step)
	if !ok {
		return
	}
	sameTarget(t, loc, app.CallbackURLs[0])
	code := loc.Query().Get("code")
	t.remember(code)
	if code == "" {
		t.Fatalf("%s: the redirect carries no code", step)
	}
	if got := loc.Query().Get("state"); got != authorizeState {
		t.Errorf("%s: the redirect's state is %q, want %q", step, got, authorizeState)
	}
	t.exchange(ctx, codeForm(app, code, app.ClientSecret.Reveal(), ""))
}

// authorizePagePath is the browser entry point's request for a code for
// app, redirecting to redirectURI, with authorizeState.
func authorizePagePath(app *models.OAuthApp, redirectURI string) string {
	q := url.Values{
		"response_type": {models.ResponseTypeCode}, "client_id": {app.ID},
		"redirect_uri": {redirectURI}, "state": {authorizeState}, "scope": {models.DefaultScope},
	}
	return "/oauth/authorize?" + q.Encode()
}

// locationOf checks that r is a 302 with a Location URL and returns it.
func locationOf(t *T, r *rawResponse, step string) (*url.URL, bool) {
	if r.Status != http.StatusFound {
		t.Errorf("%s: got %s, want 302 Found", step, describeStatus(r.Status, r.errorID()))
		return nil, false
	}
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || loc.String() == "" {
		t.Errorf("%s: the 302 has no usable Location", step)
		return nil, false
	}
	return loc, true
}

// sameTarget checks that u goes where callback does: same scheme, host and
// path (RFC 6749 §3.1.2: the client's registered endpoint).
func sameTarget(t *T, u *url.URL, callback string) {
	want, err := url.Parse(callback)
	if err != nil {
		t.Fatalf("the test callback %q does not parse: %v", callback, err)
	}
	if u.Scheme != want.Scheme || u.Host != want.Host || u.Path != want.Path {
		t.Errorf("the redirect goes to %s://%s%s, want the registered callback %s://%s%s",
			u.Scheme, u.Host, u.Path, want.Scheme, want.Host, want.Path)
	}
}

// extraKeys returns q's keys that are not among known, sorted.
func extraKeys(q url.Values, known ...string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(known, k) {
			out = append(out, k)
		}
	}
	return out
}
