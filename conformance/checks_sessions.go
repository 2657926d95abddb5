package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

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
			ID: "sessions/bearer/authorization-schemes", Category: CategoryPermission, Kind: KindCompat,
			Rule: "The Authorization header carries a session as \"Bearer <token>\" with the scheme in any case, or as \"Token <token>\"; " +
				"Basic, a bare token and a Bearer without a token get 401 " + idSessionExpired,
			Source: "server/channels/app/session.go ParseAuthTokenFromRequest (strings.ToUpper prefix match of HeaderBearer and HeaderToken); " +
				"RFC 7235 §2.1 (the auth-scheme is case-insensitive), RFC 6750 §2.1",
			Needs: Needs{Roles: []Role{Manager}},
			Run: func(ctx context.Context, t *T) {
				token := t.env.tokens[Manager]
				cases := []struct {
					header string
					ok     bool
				}{
					{"Bearer " + token, true}, {"bearer " + token, true}, {"BEARER " + token, true}, {"Token " + token, true},
					{"Basic " + token, false}, {token, false}, {"Bearer", false},
				}
				for _, c := range cases {
					step := "GET /api/v4/users/me with Authorization: " + strings.Replace(c.header, token, "<manager token>", 1)
					r := t.rawHeader(ctx, http.MethodGet, "/api/v4/users/me", "Authorization", c.header)
					if !c.ok {
						r.expect(t, step, http.StatusUnauthorized, idSessionExpired)
						continue
					}
					var me models.User
					if r.expect(t, step, http.StatusOK, "") && (json.Unmarshal(r.Body, &me) != nil || me.ID != t.UserID(Manager)) {
						t.Errorf("%s authenticated user %q, want the manager %s", step, me.ID, t.UserID(Manager))
					}
				}
			},
		},
		{
			ID: "sessions/oauth-token/acts-as-user", Category: CategoryPermission, Kind: KindCompat,
			Rule: "An OAuth access token authenticates the API as the user who approved the app, with that user's permissions " +
				"(Mattermost has no scopes): a manage_oauth user's token may create and read OAuth apps",
			Source: "server/channels/app/oauth.go newSession (the session carries the user's roles); server/channels/app/session.go GetSession",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "token permissions", nil)
				tok := t.grant(ctx, Manager, app)
				c := t.Client(Manager).WithToken(tok.AccessToken.Reveal())
				created := call(c.CreateOAuthApp(ctx, t.env.newAppRequest("created with an OAuth token")))
				if created.expect(t, "create an app with the manager's OAuth access token", http.StatusCreated, "") &&
					created.Value.CreatorID != t.UserID(Manager) {
					t.Errorf("the app created with the manager's OAuth token has creator %s, want the manager %s", created.Value.CreatorID, t.UserID(Manager))
				}
				call(c.GetOAuthApp(ctx, app.ID)).expect(t, "read the manager's app with the manager's OAuth access token", http.StatusOK, "")
			},
		},
		{
			ID: "sessions/authorize/oauth-token-refused", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "POST /oauth/authorize with an OAuth access token instead of a user session gets 403 " + idPermissions + ": an app cannot approve apps",
			Source: "server/channels/web/oauth.go authorizeOAuthApp (c.AppContext.Session().IsOAuth: \"attempted access by oauth app\")",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "oauth token authorizes", nil)
				tok := t.grant(ctx, t.authorizer(), app)
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
		{
			ID: "authorized/deauthorize/unapproved-ok", Category: CategoryBehaviour, Kind: KindCompat,
			Rule: "POST /oauth/deauthorize for an app the caller never approved, or a well-formed id of no app, answers 200 " +
				"{\"status\":\"OK\"}: there is nothing to revoke, and the answer does not reveal whether the app exists",
			Source: "server/channels/web/oauth.go deauthorizeOAuthApp; server/channels/app/oauth.go DeauthorizeOAuthAppForUser " +
				"(deletes the preference and the access data it finds; finding none is not an error)",
			Needs: flowNeeds,
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "never approved", nil)
				who := t.authorizer()
				for _, c := range []struct{ what, id string }{{"an app never approved", app.ID}, {"an unknown id", unknownID()}} {
					st := call(t.Client(who).DeauthorizeOAuthApp(ctx, c.id))
					if st.expect(t, "deauthorize "+c.what, http.StatusOK, "") && st.Value.Status != models.StatusOKValue {
						t.Errorf("deauthorize %s answered status %q, want %q", c.what, st.Value.Status, models.StatusOKValue)
					}
				}
			},
		},
		{
			ID: "sessions/query-token/oauth-only", Category: CategoryPermission, Kind: KindCompat,
			Rule: "A token in the access_token query parameter is accepted only for an OAuth session: a user's session token there gets 401 " +
				idTokenInQuery + ", an OAuth access token there authenticates its user",
			Source: "server/channels/web/handlers.go ServeHTTP (TokenLocationQueryString and !session.IsOAuth); server/channels/app/session.go ParseAuthTokenFromRequest",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				who := t.authorizer()
				t.Client(who) // skips the check when the identity is missing
				t.raw(ctx, Anonymous, http.MethodGet, "/api/v4/users/me?access_token="+url.QueryEscape(t.env.tokens[who]), "", nil).
					expect(t, "GET /api/v4/users/me with a session token in the query", http.StatusUnauthorized, idTokenInQuery)
				app := t.createApp(ctx, Manager, "token in the query", nil)
				tok := t.grant(ctx, who, app)
				r := t.raw(ctx, Anonymous, http.MethodGet, "/api/v4/users/me?access_token="+url.QueryEscape(tok.AccessToken.Reveal()), "", nil)
				if !r.expect(t, "GET /api/v4/users/me with an OAuth access token in the query", http.StatusOK, "") {
					return
				}
				var me models.User
				if json.Unmarshal(r.Body, &me) != nil || me.ID != t.UserID(who) {
					t.Errorf("the OAuth access token in the query authenticated user %q, want %s", me.ID, t.UserID(who))
				}
			},
		},
	}
}
