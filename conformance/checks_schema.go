package conformance

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// The schema checks call each operation once on purpose. Every response of
// every check is validated against the OpenAPI document anyway (the
// recorder); these make sure each response shape is exercised even when the
// behaviour checks are filtered out, and add the rules a schema cannot say.

func schemaChecks() []Check {
	return []Check{
		{
			ID: "schema/oauth-app/documented", Category: CategorySchema, Kind: KindCompat,
			Rule:   "Create, get, update, list, info and regen answer OAuthApp JSON as documented (every always-sent field present)",
			Source: "spec/openapi.yaml OAuthApp; server/public/model/oauth.go OAuthApp (OAuthApp)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				c := t.Client(Manager)
				app := t.createApp(ctx, Manager, "schema", nil)
				call(c.GetOAuthApp(ctx, app.ID)).must(t, "get")
				call(c.UpdateOAuthApp(ctx, app.UpdateRequest())).must(t, "update")
				call(c.GetOAuthApps(ctx, 0, 5)).must(t, "list")
				call(c.GetOAuthAppInfo(ctx, app.ID)).must(t, "info")
				call(c.RegenerateOAuthAppSecret(ctx, app.ID)).must(t, "regen")
				r := t.raw(ctx, Manager, http.MethodGet, appPath(app.ID), "", nil)
				for _, k := range []string{"id", "creator_id", "create_at", "update_at", "client_secret", "name", "description",
					"icon_url", "callback_urls", "homepage", "is_trusted", "mattermost_app_id"} {
					if !strings.Contains(string(r.Body), fmt.Sprintf("%q:", k)) {
						t.Errorf("GET one app lacks the always-sent field %q", k)
					}
				}
			},
		},
		{
			ID: "schema/status-ok/value", Category: CategorySchema, Kind: KindCompat,
			Rule:   "DELETE answers exactly {\"status\":\"OK\"} (upper case, although the published yaml says ok)",
			Source: "server/public/model/oauth.go OAuthApp (StatusOK), server/channels/api4/oauth.go (DELETE)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "status ok", nil)
				st := call(t.Client(Manager).DeleteOAuthApp(ctx, app.ID)).must(t, "creator deletes its app")
				if st.Status != models.StatusOKValue {
					t.Errorf(`DELETE answered {"status":%q}, want "OK"`, st.Status)
				}
			},
		},
		{
			ID: "schema/app-error/documented", Category: CategorySchema, Kind: KindCompat,
			Rule:   "Errors of the API are AppError JSON (application/json, non-empty id and message; status_code, when sent, equals the HTTP status — on every answer of every check)",
			Source: "server/channels/api4/oauth.go (common AppError bodies), server/public/model/oauth.go OAuthApp (AppError)",
			Needs:  Needs{Roles: []Role{Manager}},
			Run: func(ctx context.Context, t *T) {
				type probe struct {
					what        string
					role        Role
					method, url string
				}
				probes := []probe{
					{"401", Anonymous, http.MethodGet, appsPath},
					{"400", Manager, http.MethodGet, appPath(malformedID)},
					{"404", Manager, http.MethodGet, appPath(unknownID())},
				}
				if t.Has(PlainUser) {
					probes = append(probes, probe{"403", PlainUser, http.MethodGet, appsPath})
				}
				for _, probe := range probes {
					r := t.raw(ctx, probe.role, probe.method, probe.url, "", nil)
					checkAppErrorBody(t, probe.what, r)
				}
			},
		},
		{
			ID: "schema/access-token/documented", Category: CategorySchema, Kind: KindCompat,
			Rule:   "A confidential client's token response is AccessResponse JSON: a bearer access token, expires_in > 0 and a refresh token",
			Source: "server/public/model/oauth.go OAuthApp (AccessResponse), server/channels/app/oauth.go (Success); RFC 6749 §5.1",
			Needs:  flowNeeds,
			Run: func(ctx context.Context, t *T) {
				_, r := confidentialToken(ctx, t)
				tok, ok := accessResponse(r)
				switch {
				case !ok:
					t.Fatalf("code exchange: got %s, want 200 with a token", describeStatus(r.Status, r.errorID()))
				case !r.isJSON():
					t.Errorf("the token response is served as %q, want application/json", r.Header.Get("Content-Type"))
				}
				if !strings.EqualFold(tok.TokenType, "bearer") || tok.ExpiresIn <= 0 || !tok.AccessToken.IsSet() || !tok.RefreshToken.IsSet() {
					t.Errorf("token_type %q, expires_in %d, access token set %v, refresh token set %v: want bearer, > 0, true, true",
						tok.TokenType, tok.ExpiresIn, tok.AccessToken.IsSet(), tok.RefreshToken.IsSet())
				}
			},
		},
	}
}

func checkAppErrorBody(t *T, what string, r *rawResponse) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != contentJSON {
		t.Errorf("the %s error is served as %q, want application/json", what, r.Header.Get("Content-Type"))
	}
	e, ok := r.appError()
	switch {
	case !ok:
		t.Errorf("the %s error body is not an AppError with an id", what)
	case e.Message == "":
		t.Errorf("the %s AppError %s has no message", what, e.ID)
	case e.StatusCode != 0 && e.StatusCode != r.Status:
		t.Errorf("the %s AppError says status_code %d on a %d answer", what, e.StatusCode, r.Status)
	}
}
