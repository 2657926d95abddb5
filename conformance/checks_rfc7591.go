package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// Every check that may register a client needs the admin identity: a
// registered client has no creator, so only a system-wide identity can
// delete it afterwards (server/channels/api4/oauth.go registerOAuthClient).
var dcrNeeds = Needs{Roles: []Role{Admin}, DCR: On, Creates: true}

func rfc7591Checks() []Check {
	allowNeeds := dcrNeeds
	allowNeeds.Allowlist = true
	offNeeds := dcrNeeds
	offNeeds.DCR = Off
	return []Check{
		{
			ID: "rfc7591/register/no-session-required", Category: CategoryRFC7591, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "Registration without a session answers 201 with a client_id, a secret, every redirect URI and the client_uri echoed, and Mattermost's fixed grant types, response types and scope; two registrations get two ids",
			Source:   "RFC 7591 §3.1, §3.2.1; server/public/model/oauth.go OAuthApp (ClientRegistrationResponse), server/channels/api4/oauth.go registerOAuthClient (defaults), docs/RULES.md",
			Needs:    dcrNeeds,
			Run:      runRegisterNoSession,
		},
		{
			ID: "rfc7591/register/stored-as-app", Category: CategoryRFC7591, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "A registered client is an app with id client_id, the issued secret, no creator, is_dynamically_registered, callback_urls = redirect_uris, homepage = client_uri and the default name \"Dynamically Registered Client\"",
			Source:   "server/channels/api4/oauth.go registerOAuthClient (success: NewOAuthAppFromClientRegistration), server/public/model/oauth.go OAuthApp (OAuthApp)",
			Needs:    dcrNeeds,
			Run:      runRegisteredApp,
		},
		{
			ID: "rfc7591/register/public-client-no-secret", Category: CategoryRFC7591, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "A client registered with token_endpoint_auth_method=none gets no client_secret and method none",
			Source:   "RFC 7591 §2, §3.2.1; server/channels/api4/oauth.go registerOAuthClient, docs/RULES.md (TestRegisterOAuthClient_PublicClient_Success)",
			Needs:    dcrNeeds,
			Run: func(ctx context.Context, t *T) {
				reg := t.registerClient(ctx, t.newRegistration(models.AuthMethodNone))
				if reg.ClientSecret.IsSet() {
					t.Errorf("a public client was issued a client_secret")
				}
				if reg.TokenEndpointAuthMethod != models.AuthMethodNone {
					t.Errorf("token_endpoint_auth_method is %q, want none", reg.TokenEndpointAuthMethod)
				}
			},
		},
		{
			ID: "rfc7591/register/bad-redirect-uri-rejected", Category: CategoryRFC7591, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "A redirect URI that is not an absolute http(s) URL is refused with 400 invalid_client_metadata",
			Source:   "server/channels/api4/oauth.go registerOAuthClient (IsValid: redirect_uri_format); RFC 7591 §3.2.2",
			Needs:    dcrNeeds,
			Run: func(ctx context.Context, t *T) {
				for _, uri := range []string{"javascript:alert(1)", "/relative/callback", "conformance.mmoauth.invalid/callback"} {
					r := t.rawJSON(ctx, Anonymous, http.MethodPost, registerPath, fmt.Sprintf(`{"redirect_uris":[%q]}`, uri))
					r.expect(t, fmt.Sprintf("register with redirect URI %q", uri), http.StatusBadRequest, models.DCRErrorInvalidClientMetadata)
				}
			},
		},
		{
			ID: "rfc7591/register/fragment-redirect-uri-rejected", Category: CategoryRFC7591, Kind: KindRFCStrict,
			Releases: sinceOAuth21,
			Rule:     "A redirect URI with a fragment is refused (400 invalid_redirect_uri or invalid_client_metadata)",
			Source:   "RFC 6749 §3.1.2 (MUST NOT include a fragment) via RFC 7591 §2; server/channels/api4/oauth.go registerOAuthClient (IsValidHTTPURL accepts it)",
			Needs:    dcrNeeds,
			Run: func(ctx context.Context, t *T) {
				r := t.rawJSON(ctx, Anonymous, http.MethodPost, registerPath, fmt.Sprintf(`{"redirect_uris":[%q]}`, t.registrationCallback()+"#fragment"))
				if r.Status != http.StatusBadRequest {
					t.Errorf("a redirect URI with a fragment got %d, want 400", r.Status)
				}
			},
		},
		{
			ID: "rfc7591/errors/rfc7591-body", Category: CategoryRFC7591, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "Invalid registrations get 400 application/json {error: invalid_client_metadata, error_description}, not an AppError",
			Source:   "RFC 7591 §3.2.2; server/channels/api4/oauth.go registerOAuthClient (steps 1 and 4), docs/RULES.md",
			Needs:    dcrNeeds,
			Run:      runRegistrationErrors,
		},
		{
			ID: "rfc7591/register/secret-expires-at", Category: CategoryRFC7591, Kind: KindRFCStrict,
			Releases: sinceOAuth21,
			Rule:     "A registration that issues a client_secret includes client_secret_expires_at",
			Source:   "RFC 7591 §3.2.1 (REQUIRED if client_secret is issued); server/public/model/oauth.go OAuthApp (never sent)",
			Needs:    dcrNeeds,
			Run: func(ctx context.Context, t *T) {
				reg := t.registerClient(ctx, t.newRegistration(models.AuthMethodClientSecretPost))
				if reg.ClientSecret.IsSet() && reg.ClientSecretExpiresAt == nil {
					t.Errorf("a client_secret was issued without client_secret_expires_at")
				}
			},
		},
		{
			ID: "rfc7591/allowlist/enforced", Category: CategoryRFC7591, Kind: KindCompat,
			Releases: sinceAllowlist,
			Rule:     "With an allowlist, a matching redirect URI registers; a non-matching one, alone or among matching ones, gets 400 invalid_redirect_uri",
			Source:   "server/channels/api4/oauth.go registerOAuthClient (step 5, allowlist matching; TestRegisterOAuthClient_RedirectURIAllowlist), docs/RULES.md",
			Needs:    allowNeeds,
			Run:      runAllowlist,
		},
		{
			ID: "rfc7591/disabled/refused", Category: CategoryRFC7591, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "With registration disabled a valid registration gets 400 unsupported_operation and creates nothing",
			Source:   "server/channels/api4/oauth.go registerOAuthClient (step 3), server/public/model/config.go ServiceSettings (EnableDynamicClientRegistration default false)",
			Needs:    offNeeds,
			Run: func(ctx context.Context, t *T) {
				req := t.newRegistration("")
				req.ClientName = uniqueName("refused registration")
				r := t.rawJSON(ctx, Anonymous, http.MethodPost, registerPath, registrationJSON(req))
				r.expect(t, "register while registration is disabled", http.StatusBadRequest, models.DCRErrorUnsupportedOperation)
				t.expectNothingNamed(ctx, req.ClientName, "register while registration is disabled")
			},
		},
		{
			ID: "rfc7591/disabled/registered-error-code", Category: CategoryRFC7591, Kind: KindRFCStrict,
			Releases: sinceOAuth21,
			Rule:     "A refused registration uses an error code RFC 7591 defines (invalid_redirect_uri, invalid_client_metadata, …)",
			Source:   "RFC 7591 §3.2.2; server/channels/api4/oauth.go registerOAuthClient (Mattermost answers unsupported_operation)",
			Needs:    Needs{DCR: Off},
			Run: func(ctx context.Context, t *T) {
				r := t.rawJSON(ctx, Anonymous, http.MethodPost, registerPath, `{"redirect_uris":[]}`)
				e, ok := r.dcrError()
				switch {
				case !ok:
					t.Errorf("the refusal has no RFC 7591 error body")
				case !slices.Contains(rfc7591Codes, e.Error):
					t.Errorf("the refusal's error code %q is not one RFC 7591 §3.2.2 defines", e.Error)
				}
			},
		},
	}
}

// rfc7591Codes are the error codes of RFC 7591 §3.2.2.
var rfc7591Codes = []string{"invalid_redirect_uri", "invalid_client_metadata", "invalid_software_statement", "unapproved_software_statement"}

func registrationJSON(r *models.ClientRegistrationRequest) string {
	b, _ := json.Marshal(r)
	return string(b)
}

func runRegisterNoSession(ctx context.Context, t *T) {
	req := t.newRegistration("")
	req.RedirectURIs = t.registrationCallbacks()
	// Fields Mattermost reads nothing from (server/public/model/oauth.go OAuthApp): the answer keeps
	// its fixed values whatever is asked for.
	req.GrantTypes = []string{models.GrantTypeAuthorizationCode}
	req.Scope = "mmoauth-conformance-unknown-scope"
	reg := t.registerClient(ctx, req)
	if !models.IsValidID(reg.ClientID) {
		t.Errorf("client_id %q is not a Mattermost id", reg.ClientID)
	}
	if !reg.ClientSecret.IsSet() {
		t.Errorf("a confidential registration (default method) got no client_secret")
	}
	if reg.TokenEndpointAuthMethod != models.AuthMethodClientSecretPost {
		t.Errorf("the default token_endpoint_auth_method is %q, want client_secret_post", reg.TokenEndpointAuthMethod)
	}
	if !slices.Equal(reg.GrantTypes, []string{models.GrantTypeAuthorizationCode, models.GrantTypeRefreshToken}) {
		t.Errorf("grant_types is %v, want [authorization_code refresh_token]", reg.GrantTypes)
	}
	if !slices.Equal(reg.ResponseTypes, []string{models.ResponseTypeCode}) {
		t.Errorf("response_types is %v, want [code]", reg.ResponseTypes)
	}
	if reg.Scope != models.DefaultScope {
		t.Errorf("scope is %q, want %q", reg.Scope, models.DefaultScope)
	}
	if !slices.Equal(reg.RedirectURIs, req.RedirectURIs) || reg.ClientName != req.ClientName || reg.ClientURI != req.ClientURI {
		t.Errorf("redirect_uris (%d sent, %d echoed), client_name and client_uri are not echoed as registered (RFC 7591 §3.2.1)",
			len(req.RedirectURIs), len(reg.RedirectURIs))
	}
	if again := t.registerClient(ctx, req); again.ClientID == reg.ClientID {
		t.Errorf("two registrations got the same client_id")
	}
}

// defaultClientName is the name of a client registered without client_name
// (server/channels/api4/oauth.go registerOAuthClient, model.NewOAuthAppFromClientRegistration).
const defaultClientName = "Dynamically Registered Client"

// runRegisteredApp registers a confidential client with a name and a
// client_uri, and a public one without either, and reads both back as the
// system admin (a registered app has no creator: server/channels/api4/oauth.go registerOAuthClient) and through
// /info.
func runRegisteredApp(ctx context.Context, t *T) {
	req := t.newRegistration("")
	req.RedirectURIs = t.registrationCallbacks()
	req.ClientURI = testHomepage + "/client"
	reg := t.registerClient(ctx, req)
	app := call(t.Client(Admin).GetOAuthApp(ctx, reg.ClientID)).must(t, "the admin reads the registered client's app")
	checkRegisteredApp(t, "the confidential client's app", app, req.RedirectURIs, req.ClientName, req.ClientURI)
	if !app.ClientSecret.IsSet() || !sameSecret(app.ClientSecret, reg.ClientSecret) {
		t.Errorf("the app's client_secret is not the one the registration issued: the client cannot authenticate")
	}
	info := call(t.Client(firstOf(t, PlainUser, Admin)).GetOAuthAppInfo(ctx, reg.ClientID))
	if info.expect(t, "/info of the registered client", http.StatusOK, "") && (info.Value.ID != reg.ClientID || info.Value.ClientSecret.IsSet()) {
		t.Errorf("/info of the registered client answers another app or a client_secret")
	}

	pub := t.newRegistration(models.AuthMethodNone)
	pub.ClientName, pub.ClientURI = "", ""
	preg := t.registerClient(ctx, pub)
	if preg.ClientName != defaultClientName {
		t.Errorf("a client registered without client_name is answered with client_name %q, want %q", preg.ClientName, defaultClientName)
	}
	papp := call(t.Client(Admin).GetOAuthApp(ctx, preg.ClientID)).must(t, "the admin reads the public client's app")
	checkRegisteredApp(t, "the public client's app", papp, pub.RedirectURIs, defaultClientName, "")
	if papp.ClientSecret.IsSet() {
		t.Errorf("the app of a client registered with method none has a client_secret: it is stored as confidential")
	}
}

func checkRegisteredApp(t *T, what string, app *models.OAuthApp, redirects []string, name, homepage string) {
	if app.CreatorID != "" || !app.IsDynamicallyRegistered || app.IsTrusted {
		t.Errorf("%s: creator_id %q, is_dynamically_registered %v, is_trusted %v; want \"\", true, false",
			what, app.CreatorID, app.IsDynamicallyRegistered, app.IsTrusted)
	}
	if !slices.Equal(app.CallbackURLs, redirects) {
		t.Errorf("%s: callback_urls has %d URLs, not the %d redirect URIs registered in their order", what, len(app.CallbackURLs), len(redirects))
	}
	if app.Name != name || app.Homepage != homepage {
		t.Errorf("%s: name %q and homepage %q, want %q and %q (client_name, client_uri)", what, app.Name, app.Homepage, name, homepage)
	}
	checkTimestamps(t, what, app)
}

func runRegistrationErrors(ctx context.Context, t *T) {
	cases := []struct{ what, body string }{
		{"malformed JSON", `{"redirect_uris": [`},
		{"no redirect_uris", `{"client_name":"x"}`},
		{"an empty redirect_uris", `{"redirect_uris":[]}`},
		{"redirect_uris as a string", fmt.Sprintf(`{"redirect_uris":%q}`, testCallback)},
		{"token_endpoint_auth_method client_secret_basic", fmt.Sprintf(`{"redirect_uris":[%q],"token_endpoint_auth_method":"client_secret_basic"}`, testCallback)},
		{"a client_name of 65 bytes", fmt.Sprintf(`{"redirect_uris":[%q],"client_name":%q}`, testCallback, strings.Repeat("n", models.MaxClientNameBytes+1))},
	}
	for _, c := range cases {
		r := t.rawJSON(ctx, Anonymous, http.MethodPost, registerPath, c.body)
		step := "register with " + c.what
		if !r.expect(t, step, http.StatusBadRequest, models.DCRErrorInvalidClientMetadata) {
			continue
		}
		if !r.isJSON() {
			t.Errorf("%s: the error is served as %q, want application/json", step, r.Header.Get("Content-Type"))
		}
		if keys := jsonKeys(r.Body); slices.Contains(keys, "id") || slices.Contains(keys, "status_code") {
			t.Errorf("%s: the error body has AppError members %v", step, keys)
		}
	}
}

func runAllowlist(ctx context.Context, t *T) {
	allow := t.Settings().Allowlist
	ok := allowedExample(allow[0])
	bad := "https://not-allowlisted.mmoauth.invalid/callback"
	for _, p := range allow {
		if strings.Contains(p, "//*") || strings.HasPrefix(p, "https://**") {
			t.Skipf("the allowlist pattern %q may match any host; cannot build a URI it refuses", p)
		}
	}
	reg := t.newRegistration("")
	reg.RedirectURIs = []string{ok}
	t.registerClient(ctx, reg)
	for _, uris := range [][]string{{bad}, {ok, bad}} {
		reg.RedirectURIs = uris
		r := t.rawJSON(ctx, Anonymous, http.MethodPost, registerPath, registrationJSON(reg))
		r.expect(t, fmt.Sprintf("register %d redirect URI(s), one outside the allowlist", len(uris)), http.StatusBadRequest, models.DCRErrorInvalidRedirectURI)
	}
}

// allowedExample turns an allowlist pattern into a URI it matches: "*" and
// "**" become a plain word, which every glob segment accepts (server/channels/api4/oauth.go registerOAuthClient,
// per-component matching).
func allowedExample(pattern string) string { return allowedExampleWith(pattern, "x") }

func allowedExampleWith(pattern, word string) string {
	p := strings.TrimSpace(pattern)
	p = strings.ReplaceAll(p, "**", word)
	return strings.ReplaceAll(p, "*", word)
}

// registrationCallbacks are two distinct redirect URIs the target accepts
// (one, if its allowlist admits a single URI only), to see that every
// registered URI is kept, in order.
func (t *T) registrationCallbacks() []string {
	allow := t.Settings().Allowlist
	if len(allow) == 0 {
		return []string{testCallback + "/z", testCallback}
	}
	var uris []string
	for _, p := range allow {
		for _, w := range []string{"x", "y"} {
			if u := allowedExampleWith(p, w); !slices.Contains(uris, u) {
				uris = append(uris, u)
			}
		}
	}
	return uris[:min(2, len(uris))]
}
