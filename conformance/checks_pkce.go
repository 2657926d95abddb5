package conformance

import (
	"context"
	"net/http"
	"strings"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

var flowNeeds = Needs{Roles: []Role{Manager}, Creates: true}

func pkceChecks() []Check {
	return []Check{
		{
			ID: "pkce/authorize/public-needs-challenge", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "Authorizing a public client with response_type=code and no code_challenge gets 400 " + idPKCERequiredPublic,
			Source: "reference §7 (Authorize), §10 item 9; RFC 9700 §2.1.1",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "public no challenge", publicApp)
				o := call(t.Client(t.authorizer()).AuthorizeOAuthApp(ctx, authorizeRequest(app, nil)))
				o.expect(t, "authorize a public client without a challenge", http.StatusBadRequest, idPKCERequiredPublic)
			},
		},
		{
			ID: "pkce/authorize/redirect-uri-exact", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "Authorize refuses a redirect_uri that is not exactly a registered callback (e.g. one that only starts with it)",
			Source: "reference §7 (redirect_uri must exactly equal a registered callback); RFC 6749 §3.1.2.3",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "redirect exact", nil)
				req := authorizeRequest(app, nil)
				req.RedirectURI = app.CallbackURLs[0] + "/evil"
				o := call(t.Client(t.authorizer()).AuthorizeOAuthApp(ctx, req))
				o.expect(t, "authorize with a longer redirect_uri", http.StatusBadRequest, idRedirectCallback)
			},
		},
		{
			ID: "pkce/token/public-flow-no-refresh-token", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "A public client's S256 code flow yields a working bearer token and no refresh token",
			Source: "reference §7 (Token: public clients never get a refresh token), §10 item 9; RFC 7636 §4.5",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "public flow", publicApp)
				who := t.authorizer()
				pk := client.NewPKCE()
				code := t.authorize(ctx, who, app, pk)
				tok := t.exchange(ctx, codeForm(app, code, "", pk.Verifier.Reveal()))
				if tok.RefreshToken.IsSet() {
					t.Errorf("a public client was issued a refresh token")
				}
				if !strings.EqualFold(tok.TokenType, "bearer") || !tok.AccessToken.IsSet() {
					t.Errorf("token_type %q / access token set %v: want a bearer token", tok.TokenType, tok.AccessToken.IsSet())
				}
				me := call(t.Client(Anonymous).WithToken(tok.AccessToken.Reveal()).GetMe(ctx)).must(t, "GET /users/me with the access token")
				if me.ID != t.UserID(who) {
					t.Errorf("the access token authenticates another user than the one who authorized")
				}
			},
		},
		{
			ID: "pkce/token/verifier-checked", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "A code issued with an S256 challenge is refused (400) with a wrong code_verifier or none",
			Source: "reference §7 (PKCE: verifier_required, verification_failed); RFC 7636 §4.6",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "verifier", publicApp)
				who := t.authorizer()
				pk := client.NewPKCE()
				code := t.authorize(ctx, who, app, pk)
				wrong := client.NewPKCE().Verifier.Reveal()
				t.remember(wrong)
				t.tokenRequest(ctx, codeForm(app, code, "", wrong)).expect(t, "exchange with a wrong verifier", http.StatusBadRequest, "")
				code = t.authorize(ctx, who, app, pk)
				t.tokenRequest(ctx, codeForm(app, code, "", "")).expect(t, "exchange without a verifier", http.StatusBadRequest, "")
			},
		},
		{
			ID: "pkce/token/wrong-verifier-invalid-grant", Category: CategoryPKCE, Kind: KindRFCStrict,
			Rule:   "A failed PKCE verification is answered with the RFC 6749 §5.2 body {\"error\":\"invalid_grant\"}",
			Source: "RFC 7636 §4.6; RFC 6749 §5.2; reference §7 (Mattermost answers an AppError)",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "verifier error body", publicApp)
				pk := client.NewPKCE()
				code := t.authorize(ctx, t.authorizer(), app, pk)
				wrong := client.NewPKCE().Verifier.Reveal()
				t.remember(wrong)
				r := t.tokenRequest(ctx, codeForm(app, code, "", wrong))
				if e, ok := r.dcrError(); !ok || e.Error != "invalid_grant" {
					t.Errorf("a wrong verifier got %s without an RFC 6749 error body {\"error\":\"invalid_grant\"}", describeStatus(r.Status, r.errorID()))
				}
			},
		},
		{
			ID: "pkce/token/code-single-use", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "An authorization code works once: a second exchange of the same code is refused",
			Source: "RFC 6749 §4.1.2, §10.5; reference §7 (Code: unknown → 400 expired_code)",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "single use", nil)
				code := t.authorize(ctx, t.authorizer(), app, nil)
				form := codeForm(app, code, app.ClientSecret.Reveal(), "")
				t.exchange(ctx, form)
				if r := t.tokenRequest(ctx, form); r.Status == http.StatusOK {
					t.Errorf("the same code was exchanged twice")
				} else {
					r.expect(t, "second exchange of the code", http.StatusBadRequest, "api.oauth.get_access_token.expired_code.app_error")
				}
			},
		},
		{
			ID: "pkce/token/no-store", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "The token response carries Cache-Control: no-store",
			Source: "RFC 6749 §5.1; reference §1 (POST /oauth/access_token)",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "no-store", nil)
				code := t.authorize(ctx, t.authorizer(), app, nil)
				r := t.tokenRequest(ctx, codeForm(app, code, app.ClientSecret.Reveal(), ""))
				if !r.expect(t, "code exchange", http.StatusOK, "") {
					return
				}
				if cc := strings.ToLower(r.Header.Get("Cache-Control")); !strings.Contains(cc, "no-store") {
					t.Errorf("Cache-Control is %q, want no-store", cc)
				}
			},
		},
	}
}

// confidentialToken runs a confidential client's code flow and returns the
// raw token answer.
func confidentialToken(ctx context.Context, t *T) (*models.OAuthApp, *rawResponse) {
	app := t.createApp(ctx, Manager, "token shape", nil)
	code := t.authorize(ctx, t.authorizer(), app, nil)
	return app, t.tokenRequest(ctx, codeForm(app, code, app.ClientSecret.Reveal(), ""))
}
