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
// delete it afterwards (reference §3).
var dcrNeeds = Needs{Roles: []Role{Admin}, DCR: On, Creates: true}

func rfc7591Checks() []Check {
	allowNeeds := dcrNeeds
	allowNeeds.Allowlist = true
	offNeeds := dcrNeeds
	offNeeds.DCR = Off
	return []Check{
		{
			ID: "rfc7591/register/no-session-required", Category: CategoryRFC7591, Kind: KindCompat,
			Rule:   "Registration without a session answers 201 with a client_id, a secret and Mattermost's defaults; two registrations get two ids",
			Source: "RFC 7591 §3.1, §3.2.1; reference §3 (defaults), §10 item 6",
			Needs:  dcrNeeds,
			Run:    runRegisterNoSession,
		},
		{
			ID: "rfc7591/register/public-client-no-secret", Category: CategoryRFC7591, Kind: KindCompat,
			Rule:   "A client registered with token_endpoint_auth_method=none gets no client_secret and method none",
			Source: "RFC 7591 §2, §3.2.1; reference §3, §10 item 6 (TestRegisterOAuthClient_PublicClient_Success)",
			Needs:  dcrNeeds,
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
			Rule:   "A redirect URI that is not an absolute http(s) URL is refused with 400 invalid_client_metadata",
			Source: "reference §3 (IsValid: redirect_uri_format); RFC 7591 §3.2.2",
			Needs:  dcrNeeds,
			Run: func(ctx context.Context, t *T) {
				for _, uri := range []string{"javascript:alert(1)", "/relative/callback", "conformance.mmoauth.invalid/callback"} {
					r := t.rawJSON(ctx, Anonymous, http.MethodPost, registerPath, fmt.Sprintf(`{"redirect_uris":[%q]}`, uri))
					r.expect(t, fmt.Sprintf("register with redirect URI %q", uri), http.StatusBadRequest, models.DCRErrorInvalidClientMetadata)
				}
			},
		},
		{
			ID: "rfc7591/register/fragment-redirect-uri-rejected", Category: CategoryRFC7591, Kind: KindRFCStrict,
			Rule:   "A redirect URI with a fragment is refused (400 invalid_redirect_uri or invalid_client_metadata)",
			Source: "RFC 6749 §3.1.2 (MUST NOT include a fragment) via RFC 7591 §2; reference §3 (IsValidHTTPURL accepts it)",
			Needs:  dcrNeeds,
			Run: func(ctx context.Context, t *T) {
				r := t.rawJSON(ctx, Anonymous, http.MethodPost, registerPath, fmt.Sprintf(`{"redirect_uris":[%q]}`, t.registrationCallback()+"#fragment"))
				if r.Status != http.StatusBadRequest {
					t.Errorf("a redirect URI with a fragment got %d, want 400", r.Status)
				}
			},
		},
		{
			ID: "rfc7591/errors/rfc7591-body", Category: CategoryRFC7591, Kind: KindCompat,
			Rule:   "Invalid registrations get 400 application/json {error: invalid_client_metadata, error_description}, not an AppError",
			Source: "RFC 7591 §3.2.2; reference §3 (steps 1 and 4), §10 item 7",
			Needs:  dcrNeeds,
			Run:    runRegistrationErrors,
		},
		{
			ID: "rfc7591/register/secret-expires-at", Category: CategoryRFC7591, Kind: KindRFCStrict,
			Rule:   "A registration that issues a client_secret includes client_secret_expires_at",
			Source: "RFC 7591 §3.2.1 (REQUIRED if client_secret is issued); reference §2 (never sent)",
			Needs:  dcrNeeds,
			Run: func(ctx context.Context, t *T) {
				reg := t.registerClient(ctx, t.newRegistration(models.AuthMethodClientSecretPost))
				if reg.ClientSecret.IsSet() && reg.ClientSecretExpiresAt == nil {
					t.Errorf("a client_secret was issued without client_secret_expires_at")
				}
			},
		},
		{
			ID: "rfc7591/allowlist/enforced", Category: CategoryRFC7591, Kind: KindCompat,
			Rule:   "With an allowlist, a matching redirect URI registers; a non-matching one, alone or among matching ones, gets 400 invalid_redirect_uri",
			Source: "reference §3 (step 5, allowlist matching; TestRegisterOAuthClient_RedirectURIAllowlist), §10 item 7",
			Needs:  allowNeeds,
			Run:    runAllowlist,
		},
		{
			ID: "rfc7591/disabled/refused", Category: CategoryRFC7591, Kind: KindCompat,
			Rule:   "With registration disabled a valid registration gets 400 unsupported_operation and creates nothing",
			Source: "reference §3 (step 3), §9 (EnableDynamicClientRegistration default false)",
			Needs:  offNeeds,
			Run: func(ctx context.Context, t *T) {
				r := t.rawJSON(ctx, Anonymous, http.MethodPost, registerPath, registrationJSON(t.newRegistration("")))
				r.expect(t, "register while registration is disabled", http.StatusBadRequest, models.DCRErrorUnsupportedOperation)
			},
		},
		{
			ID: "rfc7591/disabled/registered-error-code", Category: CategoryRFC7591, Kind: KindRFCStrict,
			Rule:   "A refused registration uses an error code RFC 7591 defines (invalid_redirect_uri, invalid_client_metadata, …)",
			Source: "RFC 7591 §3.2.2; reference §3 (Mattermost answers unsupported_operation)",
			Needs:  Needs{DCR: Off},
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
	if !slices.Equal(reg.RedirectURIs, req.RedirectURIs) || reg.ClientName != req.ClientName {
		t.Errorf("redirect_uris and client_name are not echoed as registered (RFC 7591 §3.2.1)")
	}
	if again := t.registerClient(ctx, req); again.ClientID == reg.ClientID {
		t.Errorf("two registrations got the same client_id")
	}
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
// "**" become a plain word, which every glob segment accepts (reference §3,
// per-component matching).
func allowedExample(pattern string) string {
	p := strings.TrimSpace(pattern)
	p = strings.ReplaceAll(p, "**", "x")
	return strings.ReplaceAll(p, "*", "x")
}
