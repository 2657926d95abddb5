package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

var flowNeeds = Needs{Roles: []Role{Manager}, Creates: true}

func pkceChecks() []Check {
	return []Check{
		{
			ID: "pkce/authorize/public-needs-challenge", Category: CategoryPKCE, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "Authorizing a public client with response_type=code and no code_challenge gets 400 " + idPKCERequiredPublic,
			Source:   "server/channels/app/oauth.go (Authorize); RFC 9700 §2.1.1",
			Needs:    flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "public no challenge", publicApp)
				o := call(t.Client(t.authorizer()).AuthorizeOAuthApp(ctx, authorizeRequest(app, nil)))
				o.expect(t, "authorize a public client without a challenge", http.StatusBadRequest, idPKCERequiredPublic)
			},
		},
		{
			ID: "pkce/authorize/redirect-uri-exact", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "Authorize refuses a redirect_uri that is not exactly a registered callback (e.g. one that only starts with it)",
			Source: "server/channels/app/oauth.go (redirect_uri must exactly equal a registered callback); RFC 6749 §3.1.2.3",
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
			ID: "pkce/authorize/challenge-validated", Category: CategoryPKCE, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "Authorize refuses (400 model.authorize.is_valid.code_challenge*) code_challenge_method=plain and challenges that are not 43–128 base64url characters",
			Source:   "server/channels/app/oauth.go (Authorize: S256 only, 43–128 base64url characters); RFC 7636 §4.2",
			Needs:    flowNeeds,
			Run:      runChallengeValidated,
		},
		{
			ID: "pkce/token/public-flow-no-refresh-token", Category: CategoryPKCE, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "A public client's S256 code flow yields a working bearer token and no refresh token",
			Source:   "server/channels/app/oauth.go (Token: public clients never get a refresh token); RFC 7636 §4.5",
			Needs:    flowNeeds,
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
			Releases: sinceOAuth21,
			Rule:     "A code issued with an S256 challenge is refused (400) with a wrong code_verifier or none",
			Source:   "server/channels/app/oauth.go (PKCE: verifier_required, verification_failed); RFC 7636 §4.6",
			Needs:    flowNeeds,
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
			Releases: sinceOAuth21,
			Rule:     "A failed PKCE verification is answered with the RFC 6749 §5.2 body {\"error\":\"invalid_grant\"}",
			Source:   "RFC 7636 §4.6; RFC 6749 §5.2; server/channels/app/oauth.go (Mattermost answers an AppError)",
			Needs:    flowNeeds,
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
			Source: "RFC 6749 §4.1.2, §10.5; server/channels/app/oauth.go (Code: unknown → 400 expired_code)",
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
			ID: "pkce/token/redirect-uri-bound", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "A code is exchanged only with the redirect_uri it was issued for: another registered callback gets 400 " + idCodeRedirectMismatch,
			Source: "server/channels/app/oauth.go (Code: redirect_uri mismatch → 400); RFC 6749 §4.1.3",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "redirect bound", func(r *models.CreateOAuthAppRequest) {
					r.CallbackURLs = []string{testCallback, testCallback + "/second"}
				})
				code := t.authorize(ctx, t.authorizer(), app, nil)
				form := codeForm(app, code, app.ClientSecret.Reveal(), "")
				form.Set("redirect_uri", app.CallbackURLs[1])
				t.tokenRequest(ctx, form).expect(t, "exchange with the app's other callback", http.StatusBadRequest, idCodeRedirectMismatch)
			},
		},
		{
			ID: "pkce/token/confidential-needs-secret", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "A confidential client's code exchange without its client_secret, or with a wrong one, is refused (401; 400 or 403 in older versions)",
			Source: "server/channels/app/oauth.go (Client: wrong secret → 401, older 403; older versions 400 bad_client_secret for an empty one); RFC 6749 §2.3.1",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "needs secret", nil)
				who := t.authorizer()
				wrong := unknownID()
				t.remember(wrong)
				for _, c := range []struct{ what, secret string }{{"without a client_secret", ""}, {"with a wrong client_secret", wrong}} {
					r := t.tokenRequest(ctx, codeForm(app, t.authorize(ctx, who, app, nil), c.secret, ""))
					if r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden && r.Status != http.StatusBadRequest {
						t.Errorf("code exchange %s: got %s, want 401 (400 or 403 before v11)", c.what, describeStatus(r.Status, r.errorID()))
					}
				}
			},
		},
		{
			ID: "pkce/token/verifier-without-challenge-refused", Category: CategoryPKCE, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "A confidential client that sends a code_verifier for a code issued without a challenge gets 400 model.authorize.validate_pkce.not_used_in_auth",
			Source:   "server/channels/app/oauth.go (PKCE: ValidatePKCEForClientType); RFC 7636 §4.5",
			Needs:    flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "verifier no challenge", nil)
				code := t.authorize(ctx, t.authorizer(), app, nil)
				verifier := client.NewPKCE().Verifier.Reveal()
				t.remember(verifier)
				r := t.tokenRequest(ctx, codeForm(app, code, app.ClientSecret.Reveal(), verifier))
				if r.expect(t, "exchange with a verifier but no challenge", http.StatusBadRequest, "") &&
					!strings.HasPrefix(r.errorID(), "model.authorize.validate_pkce.not_used_in_auth") {
					t.Errorf("exchange with a verifier but no challenge: error %q, want model.authorize.validate_pkce.not_used_in_auth…", r.errorID())
				}
			},
		},
		{
			ID: "pkce/token/refresh-rotates", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "The refresh grant issues a new access token that works and a new refresh token; the old refresh token is refused afterwards",
			Source: "server/channels/app/oauth.go (Success: refresh replaces the session and rotates the refresh token); RFC 6749 §6",
			Needs:  flowNeeds,
			Run:    runRefreshRotates,
		},
		{
			ID: "pkce/token/no-store", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "The token response of the code and the refresh grant carries Cache-Control: no-store",
			Source: "RFC 6749 §5.1; server/channels/web/oauth.go getAccessToken",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				for _, r := range t.tokenAnswers(ctx, "no-store") {
					if cc := strings.ToLower(r.resp.Header.Get("Cache-Control")); !strings.Contains(cc, "no-store") {
						t.Errorf("the %s answer's Cache-Control is %q, want no-store", r.grant, cc)
					}
				}
			},
		},
		{
			ID: "pkce/token/pragma-no-cache", Category: CategoryPKCE, Kind: KindCompat,
			Rule:   "The token response of the code and the refresh grant is application/json with Pragma: no-cache",
			Source: "server/channels/web/oauth.go getAccessToken (Content-Type, Cache-Control and Pragma set before the body); RFC 6749 §5.1",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				for _, r := range t.tokenAnswers(ctx, "pragma") {
					if p := strings.ToLower(r.resp.Header.Get("Pragma")); p != "no-cache" {
						t.Errorf("the %s answer's Pragma is %q, want no-cache", r.grant, p)
					}
					if !r.resp.isJSON() {
						t.Errorf("the %s answer is not application/json: %q", r.grant, r.resp.Header.Get("Content-Type"))
					}
				}
			},
		},
	}
}

// challengeCases are code challenges AuthorizeRequest.IsValid refuses
// (server/channels/app/oauth.go Authorize): the method must be S256 and the challenge
// 43–128 base64url characters.
func challengeCases() []struct{ what, challenge, method string } {
	valid := client.NewPKCE()
	s256 := valid.Challenge()
	return []struct{ what, challenge, method string }{
		{"code_challenge_method=plain", valid.Verifier.Reveal(), "plain"},
		{"a 42-character challenge", s256[:42], models.PKCEMethodS256},
		{"a 129-character challenge", strings.Repeat("a", 129), models.PKCEMethodS256},
		{"a challenge with '+' and '='", s256[:41] + "+=", models.PKCEMethodS256},
	}
}

func runChallengeValidated(ctx context.Context, t *T) {
	app := t.createApp(ctx, Manager, "challenge checks", nil)
	who := t.authorizer()
	for _, c := range challengeCases() {
		req := authorizeRequest(app, nil)
		req.CodeChallenge, req.CodeChallengeMethod = c.challenge, c.method
		t.remember(c.challenge)
		r := t.rawJSON(ctx, who, http.MethodPost, "/oauth/authorize", authorizeJSON(req))
		step := "authorize with " + c.what
		if r.expect(t, step, http.StatusBadRequest, "") && !strings.HasPrefix(r.errorID(), "model.authorize.is_valid.code_challenge") {
			t.Errorf("%s: error %q, want model.authorize.is_valid.code_challenge…", step, r.errorID())
		}
	}
}

func authorizeJSON(r *models.AuthorizeRequest) string {
	b, _ := json.Marshal(r)
	return string(b)
}

func runRefreshRotates(ctx context.Context, t *T) {
	app := t.createApp(ctx, Manager, "refresh", nil)
	who := t.authorizer()
	tok := t.grant(ctx, who, app)
	if !tok.RefreshToken.IsSet() {
		t.Fatalf("the code exchange issued no refresh token to a confidential client")
	}
	r := t.tokenRequest(ctx, refreshForm(app, tok.RefreshToken.Reveal()))
	next, ok := accessResponse(r)
	if !ok {
		t.Fatalf("refresh: got %s, want 200 with a token", describeStatus(r.Status, r.errorID()))
	}
	switch {
	case !next.AccessToken.IsSet() || sameSecret(next.AccessToken, tok.AccessToken):
		t.Errorf("the refresh did not issue a new access token")
	case !strings.EqualFold(next.TokenType, "bearer") || next.ExpiresIn <= 0:
		t.Errorf("the refreshed token has token_type %q and expires_in %d, want bearer and > 0", next.TokenType, next.ExpiresIn)
	}
	if !next.RefreshToken.IsSet() || sameSecret(next.RefreshToken, tok.RefreshToken) {
		t.Errorf("the refresh did not rotate the refresh token")
	}
	me := call(t.Client(Anonymous).WithToken(next.AccessToken.Reveal()).GetMe(ctx)).must(t, "GET /users/me with the refreshed token")
	if me.ID != t.UserID(who) {
		t.Errorf("the refreshed token authenticates another user than the one who authorized")
	}
	if again := t.tokenRequest(ctx, refreshForm(app, tok.RefreshToken.Reveal())); again.Status == http.StatusOK {
		t.Errorf("the old refresh token got tokens again after it was rotated")
	}
	// "Refresh replaces the session" (server/channels/app/oauth.go), but the server's session
	// cache may serve the old session a while: noted, not failed.
	if o := call(t.Client(Anonymous).WithToken(tok.AccessToken.Reveal()).GetMe(ctx)); o.Status() == http.StatusOK {
		t.Logf("the access token from before the refresh still authenticates")
	}
}

// confidentialToken runs a confidential client's code flow and returns the
// raw token answer.
func confidentialToken(ctx context.Context, t *T) (*models.OAuthApp, *rawResponse) {
	app := t.createApp(ctx, Manager, "token shape", nil)
	code := t.authorize(ctx, t.authorizer(), app, nil)
	return app, t.tokenRequest(ctx, codeForm(app, code, app.ClientSecret.Reveal(), ""))
}

// tokenAnswer is one successful token response and the grant that got it.
type tokenAnswer struct {
	grant string
	resp  *rawResponse
}

// tokenAnswers runs a confidential flow and returns the 200 answers of its
// code exchange and of a refresh; the check ends unless both are 200.
func (t *T) tokenAnswers(ctx context.Context, purpose string) []tokenAnswer {
	app := t.createApp(ctx, Manager, purpose, nil)
	code := t.authorize(ctx, t.authorizer(), app, nil)
	first, tok := t.tokenGrant(ctx, "exchanging the code", codeForm(app, code, app.ClientSecret.Reveal(), ""))
	refresh, _ := t.tokenGrant(ctx, "refreshing the token", url.Values{"grant_type": {models.GrantTypeRefreshToken},
		"client_id": {app.ID}, "client_secret": {app.ClientSecret.Reveal()}, "refresh_token": {tok.RefreshToken.Reveal()}})
	return []tokenAnswer{{models.GrantTypeAuthorizationCode, first}, {models.GrantTypeRefreshToken, refresh}}
}
