package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

// sessionChecks are the rules about the token a request carries, the
// client's credentials at the token endpoint, and the body of deauthorize:
// the answers a server gives to what is present but wrong.
func sessionChecks() []Check {
	return []Check{
		{
			ID: "sessions/bearer/unknown-token-unauthorized", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "A well-formed bearer token the server never issued gets 401 " + idSessionExpired + " on every session endpoint, as no token does",
			Source: "server/channels/web/handlers.go ServeHTTP (GetSession fails: session_expired); server/channels/app/session.go GetSession",
			Needs:  Needs{},
			Run: func(ctx context.Context, t *T) {
				token := unknownID()
				t.remember(token)
				c := t.Client(Anonymous).WithToken(token)
				call(c.GetMe(ctx)).expect(t, "GET /api/v4/users/me with an unknown token", http.StatusUnauthorized, idSessionExpired)
				call(c.GetOAuthApps(ctx, 0, 10)).expect(t, "GET /api/v4/oauth/apps with an unknown token", http.StatusUnauthorized, idSessionExpired)
			},
		},
		{
			ID: "sessions/authorize/oauth-token-refused", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "POST /oauth/authorize with an OAuth access token instead of a user session gets 403 " + idPermissions + ": an app cannot approve apps",
			Source: "server/channels/web/oauth.go authorizeOAuthApp (c.AppContext.Session().IsOAuth: \"attempted access by oauth app\")",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "oauth token authorizes", nil)
				code := t.authorize(ctx, t.authorizer(), app, nil)
				tok := t.exchange(ctx, codeForm(app, code, app.ClientSecret.Reveal(), ""))
				t.remember(tok.AccessToken.Reveal(), tok.RefreshToken.Reveal())
				other := t.createApp(ctx, Manager, "approved by a token", nil)
				o := call(t.Client(Anonymous).WithToken(tok.AccessToken.Reveal()).AuthorizeOAuthApp(ctx, authorizeRequest(other, nil)))
				o.expect(t, "authorize with an OAuth access token", http.StatusForbidden, idPermissions)
			},
		},
		{
			ID: "pkce/token/public-client-secret-refused", Category: CategoryPKCE, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "A public client that sends a client_secret to the token endpoint gets 400 " + idPublicClientSecret,
			Source:   "server/public/model/oauth.go OAuthApp.ValidateForGrantType; RFC 6749 §2.1 (a public client has no credentials)",
			Needs:    flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "public with secret", publicApp)
				pk := client.NewPKCE()
				code := t.authorize(ctx, t.authorizer(), app, pk)
				secret := unknownID()
				t.remember(secret)
				t.tokenRequest(ctx, codeForm(app, code, secret, pk.Verifier.Reveal())).
					expect(t, "a public client's code exchange with a client_secret", http.StatusBadRequest, idPublicClientSecret)
			},
		},
		{
			ID: "pkce/token/public-client-refresh-refused", Category: CategoryPKCE, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "A refresh grant for a public client gets 400 " + idPublicClientRefresh + " (public clients cannot refresh)",
			Source:   "server/public/model/oauth.go OAuthApp.ValidateForGrantType; RFC 6749 §6",
			Needs:    flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "public refresh", publicApp)
				refresh := unknownID()
				t.remember(refresh)
				form := url.Values{
					"grant_type": {models.GrantTypeRefreshToken}, "client_id": {app.ID}, "refresh_token": {refresh},
				}
				t.tokenRequest(ctx, form).expect(t, "a refresh grant for a public client", http.StatusBadRequest, idPublicClientRefresh)
			},
		},
		{
			ID: "input/deauthorize/malformed-client-id-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "POST /oauth/deauthorize with a client_id that is not an id, or none, gets 400 " + idInvalidBodyParam,
			Source: "server/channels/web/oauth.go deauthorizeOAuthApp (model.IsValidId(clientId) else SetInvalidParam(\"client_id\"))",
			Needs:  Needs{Roles: []Role{PlainUser}},
			Run: func(ctx context.Context, t *T) {
				for _, body := range []string{`{"client_id":"not-an-id"}`, `{}`, fmt.Sprintf(`{"client_id":%q}`, unknownID()+"x")} {
					t.rawJSON(ctx, PlainUser, http.MethodPost, "/oauth/deauthorize", body).
						expect(t, "deauthorize with the body "+body, http.StatusBadRequest, idInvalidBodyParam)
				}
			},
		},
	}
}
