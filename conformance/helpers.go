package conformance

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

// createApp creates an app as role and ends the check if that fails: the
// app is what the check builds on, not the rule under test. The recorder has
// registered the app for deletion before this returns.
func (t *T) createApp(ctx context.Context, role Role, purpose string, edit func(*models.CreateOAuthAppRequest)) *models.OAuthApp {
	req := t.env.newAppRequest(purpose)
	if edit != nil {
		edit(req)
	}
	app := call(t.Client(role).CreateOAuthApp(ctx, req)).must(t, "creating an app as "+string(role))
	if app == nil || app.ID == "" {
		t.Fatalf("creating an app as %s: the answer has no id", role)
	}
	return app
}

// publicApp edits a create request into a public client (server/channels/api4/oauth.go,
// is_public).
func publicApp(r *models.CreateOAuthAppRequest) { r.IsPublic = true }

// registerClient registers a client anonymously (RFC 7591) and ends the
// check if that fails.
func (t *T) registerClient(ctx context.Context, req *models.ClientRegistrationRequest) *models.ClientRegistrationResponse {
	reg := call(t.Client(Anonymous).RegisterOAuthClient(ctx, req)).must(t, "registering a client")
	if reg == nil || reg.ClientID == "" {
		t.Fatalf("registering a client: the answer has no client_id")
	}
	return reg
}

// newRegistration is a valid registration body for a client the run owns,
// with registrationCallback as its redirect URI.
func (t *T) newRegistration(method string) *models.ClientRegistrationRequest {
	return &models.ClientRegistrationRequest{
		RedirectURIs:            []string{t.registrationCallback()},
		TokenEndpointAuthMethod: method,
		ClientName:              registrationName(t.env.runID),
		ClientURI:               testHomepage,
	}
}

// registrationCallback is the redirect URI the run registers clients with:
// testCallback, or, when the target declares a DCR redirect URI allowlist, a
// URI its first pattern accepts. The allowlist is the last registration check
// (server/channels/api4/oauth.go registerOAuthClient step 5), so a check about anything else must pass it, or it
// would fail on the allowlist instead of testing its rule; only
// rfc7591/allowlist/enforced sends URIs outside it.
func (t *T) registrationCallback() string {
	if allow := t.Settings().Allowlist; len(allow) > 0 {
		return allowedExample(allow[0])
	}
	return testCallback
}

// unknownID returns a well-formed id (26 lower-case letters and digits,
// model.IsValidId) that no server object has.
func unknownID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, models.IDLength)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// malformedID is alphanumeric, so it reaches the handler (api4 routes
// {app_id:[A-Za-z0-9]+}), but is not 26 characters: the handler answers
// 400 invalid_url_param (server/channels/api4/oauth.go).
const malformedID = "junk"

// authorizer picks the user who approves apps in flow checks: the plain
// user when given (the usual end user), else manager2.
func (t *T) authorizer() Role {
	if t.Has(PlainUser) {
		return PlainUser
	}
	return Manager2
}

// authorize approves app for role's user with POST /oauth/authorize and
// returns the authorization code. pk adds an S256 challenge. Every secret
// involved is remembered by the scrubber.
func (t *T) authorize(ctx context.Context, role Role, app *models.OAuthApp, pk *client.PKCE) string {
	req := authorizeRequest(app, pk)
	if pk != nil {
		t.remember(pk.Verifier.Reveal())
	}
	resp := call(t.Client(role).AuthorizeOAuthApp(ctx, req)).must(t, "authorizing the app as "+string(role))
	code, err := resp.Code()
	if err != nil {
		t.Fatalf("authorizing the app as %s: %v", role, err)
	}
	t.remember(code.Reveal())
	return code.Reveal()
}

// authorizeRequest is the JSON authorize body for app's first callback.
func authorizeRequest(app *models.OAuthApp, pk *client.PKCE) *models.AuthorizeRequest {
	req := &models.AuthorizeRequest{
		ResponseType: models.ResponseTypeCode,
		ClientID:     app.ID,
		RedirectURI:  app.CallbackURLs[0],
		Scope:        models.DefaultScope,
		State:        "mmoauth-conformance-state",
	}
	if pk != nil {
		pk.ApplyTo(req)
	}
	return req
}

// codeForm is the RFC 6749 §4.1.3 token request for a code. secret and
// verifier are left out when empty.
func codeForm(app *models.OAuthApp, code, secret, verifier string) url.Values {
	f := url.Values{
		"grant_type":   {models.GrantTypeAuthorizationCode},
		"client_id":    {app.ID},
		"code":         {code},
		"redirect_uri": {app.CallbackURLs[0]},
	}
	if secret != "" {
		f.Set("client_secret", secret)
	}
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	return f
}

// accessResponse decodes a 200 token response.
func accessResponse(r *rawResponse) (*models.AccessResponse, bool) {
	if r.Status != http.StatusOK {
		return nil, false
	}
	var a models.AccessResponse
	if json.Unmarshal(r.Body, &a) != nil {
		return nil, false
	}
	return &a, true
}

// exchange trades a code for a token and ends the check unless it works;
// the tokens are remembered by the scrubber.
func (t *T) exchange(ctx context.Context, form url.Values) *models.AccessResponse {
	_, a := t.tokenGrant(ctx, "exchanging the code", form)
	return a
}

// tokenGrant posts a token request that must succeed (step names it) and
// returns the answer and its token, remembering the tokens.
func (t *T) tokenGrant(ctx context.Context, step string, form url.Values) (*rawResponse, *models.AccessResponse) {
	r := t.tokenRequest(ctx, form)
	a, ok := accessResponse(r)
	if !ok {
		t.Fatalf("%s: got %s, want 200 with a token", step, describeStatus(r.Status, r.errorID()))
	}
	t.remember(a.AccessToken.Reveal(), a.RefreshToken.Reveal())
	return r, a
}

// grant is the confidential code flow for app as role: approve, exchange
// with the app's secret; the check ends unless both work.
func (t *T) grant(ctx context.Context, role Role, app *models.OAuthApp) *models.AccessResponse {
	return t.exchange(ctx, codeForm(app, t.authorize(ctx, role, app, nil), app.ClientSecret.Reveal(), ""))
}

// findApp pages through a list (as role) looking for id; it returns the
// app and the ids of everything listed.
func findApp(ctx context.Context, c *client.Client, id string) (*models.OAuthApp, []*models.OAuthApp, error) {
	var found *models.OAuthApp
	var all []*models.OAuthApp
	for a, err := range c.OAuthApps(ctx, models.MaxPerPage) {
		if err != nil {
			return nil, all, err
		}
		all = append(all, a)
		if a.ID == id {
			found = a
		}
	}
	return found, all, nil
}

// listedAuthorized reports whether app id is in role's authorized-apps list,
// and returns it.
func (t *T) listedAuthorized(ctx context.Context, role Role, id string) (*models.OAuthApp, bool) {
	for a, err := range t.Client(role).AuthorizedOAuthAppsForUser(ctx, "me", models.MaxPerPage) {
		if err != nil {
			t.Fatalf("listing the authorized apps of %s: %v", role, err)
		}
		if a.ID == id {
			return a, true
		}
	}
	return nil, false
}

// sameSecret compares two secrets without revealing them in any message.
func sameSecret(a, b models.Secret) bool { return a.Reveal() == b.Reveal() }

// jsonKeys returns the member names of a JSON object body.
func jsonKeys(body []byte) []string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
