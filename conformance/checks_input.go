package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// idRoute is one route with an app id in its path.
type idRoute struct {
	method string
	suffix string // after /api/v4/oauth/apps/{id}
	body   bool   // PUT needs a body whose id matches the path
}

var idRoutes = []idRoute{
	{http.MethodGet, "", false},
	{http.MethodPut, "", true},
	{http.MethodDelete, "", false},
	{http.MethodPost, "/regen_secret", false},
	{http.MethodGet, "/info", false},
}

func (r idRoute) path(id string) string { return appPath(id) + r.suffix }

func (r idRoute) send(ctx context.Context, t *T, role Role, id string) *rawResponse {
	if r.body {
		body := fmt.Sprintf(`{"id":%q,"name":"x","callback_urls":[%q],"homepage":%q}`, id, testCallback, testHomepage)
		return t.rawJSON(ctx, role, r.method, r.path(id), body)
	}
	return t.raw(ctx, role, r.method, r.path(id), "", nil)
}

func inputChecks() []Check {
	return []Check{
		{
			ID: "input/app-id/malformed-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "An app_id that is not a 26-character id (4, 25 or 27 alphanumerics) gets 400 " + idInvalidURLParam + " on every app route",
			Source: "server/channels/api4/oauth.go (RequireAppId, model.IsValidId), docs/RULES.md",
			Needs:  Needs{Roles: []Role{Manager}},
			Run: func(ctx context.Context, t *T) {
				for _, id := range malformedIDs() {
					for _, r := range idRoutes {
						r.send(ctx, t, Manager, id.id).expect(t, r.method+" "+r.path("{"+id.what+"}"), http.StatusBadRequest, idInvalidURLParam)
					}
				}
			},
		},
		{
			ID: "input/app-id/unknown-404", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "A well-formed app_id that matches no app gets 404 " + idAppNotFound + " on every app route",
			Source: "server/channels/api4/oauth.go (app.GetOAuthApp), docs/RULES.md",
			Needs:  Needs{Roles: []Role{Manager}},
			Run: func(ctx context.Context, t *T) {
				id := unknownID()
				for _, r := range idRoutes {
					r.send(ctx, t, Manager, id).expect(t, r.method+" "+r.path("{unknown id}"), http.StatusNotFound, idAppNotFound)
				}
			},
		},
		{
			ID: "input/user-id/malformed-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "A user_id that is neither \"me\" nor a 26-character id gets 400 " + idInvalidURLParam,
			Source: "server/channels/api4/oauth.go (RequireUserId), docs/RULES.md",
			Needs:  Needs{Roles: []Role{PlainUser}},
			Run: func(ctx context.Context, t *T) {
				for _, id := range malformedIDs() {
					r := t.raw(ctx, PlainUser, http.MethodGet, "/api/v4/users/"+id.id+"/oauth/apps/authorized", "", nil)
					r.expect(t, "list the authorized apps of user {"+id.what+"}", http.StatusBadRequest, idInvalidURLParam)
				}
			},
		},
		{
			ID: "input/update-app/id-mismatch-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "PUT whose body id differs from the path id gets 400 " + idInvalidBodyParam + " and changes nothing",
			Source: "server/channels/api4/oauth.go (PUT /oauth/apps/{id}), docs/RULES.md",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "id mismatch", nil)
				body := fmt.Sprintf(`{"id":%q,"name":"renamed by a mismatched update","callback_urls":[%q],"homepage":%q}`,
					unknownID(), testCallback, testHomepage)
				r := t.rawJSON(ctx, Manager, http.MethodPut, appPath(app.ID), body)
				r.expect(t, "update with another id in the body", http.StatusBadRequest, idInvalidBodyParam)
				got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator re-reads the app")
				if got.Name != app.Name {
					t.Errorf("the refused update renamed the app")
				}
			},
		},
		{
			ID: "input/create-app/malformed-json-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "Create with a body that is not JSON, or with a field of the wrong type, gets 400 " + idInvalidBodyParam,
			Source: "server/channels/api4/oauth.go (POST /oauth/apps step 1: json decode), server/public/model/oauth.go OAuthAppRequest",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				for _, body := range malformedAppBodies() {
					r := t.rawJSON(ctx, Manager, http.MethodPost, appsPath, body.json)
					r.expect(t, "create with "+body.what, http.StatusBadRequest, idInvalidBodyParam)
				}
			},
		},
		{
			ID: "input/update-app/malformed-json-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "Update with a body that is not JSON, or with a field of the wrong type, gets 400 " + idInvalidBodyParam,
			Source: "server/channels/api4/oauth.go (PUT /oauth/apps/{id}: decode body)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "malformed update", nil)
				for _, body := range malformedAppBodies() {
					r := t.rawJSON(ctx, Manager, http.MethodPut, appPath(app.ID), strings.ReplaceAll(body.json, "{ID}", app.ID))
					r.expect(t, "update with "+body.what, http.StatusBadRequest, idInvalidBodyParam)
				}
			},
		},
		{
			ID: "input/create-app/invalid-fields-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "Create without a name, callback URL or homepage, or with a non-http(s) URL, gets 400 model.oauth.is_valid.*",
			Source: "server/channels/api4/oauth.go (model.oauth.is_valid.*), server/public/model/oauth.go OAuthApp limits",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run:    runInvalidFields,
		},
		{
			ID: "input/access-token/malformed-form-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "The token endpoint answers 400 to an unknown grant_type, a missing code and a malformed client_id",
			Source: "server/channels/app/oauth.go (Token: request shape)",
			Run:    runMalformedTokenForms,
		},
		{
			ID: "input/list-apps/garbage-paging-defaults", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "Non-numeric or negative page and per_page fall back to the defaults instead of failing (200)",
			Source: srcPaging,
			Needs:  Needs{Roles: []Role{Manager}},
			Run: func(ctx context.Context, t *T) {
				for _, q := range []string{"page=abc&per_page=xyz", "page=-1&per_page=-5"} {
					r := t.raw(ctx, Manager, http.MethodGet, appsPath+"?"+q, "", nil)
					countApps(t, r, "list with "+q)
				}
			},
		},
	}
}

// malformedIDs are alphanumeric ids (so they reach the handler: api4 routes
// {app_id:[A-Za-z0-9]+}) of the wrong length: model.IsValidId wants exactly
// 26 characters, so each gets 400 invalid_url_param, never a lookup (404).
func malformedIDs() []struct{ what, id string } {
	id := unknownID()
	return []struct{ what, id string }{
		{"junk", malformedID},
		{"25 characters", id[:models.IDLength-1]},
		{"27 characters", id + "a"},
	}
}

type badBody struct{ what, json string }

// malformedAppBodies are bodies json.Decode refuses (server/channels/api4/oauth.go: 400
// invalid_body_param). {ID} is replaced by the app id for updates.
func malformedAppBodies() []badBody {
	return []badBody{
		{"truncated JSON", `{"id":"{ID}","name": "x`},
		{"a JSON array", `[]`},
		{"name as a number", `{"id":"{ID}","name":5,"callback_urls":["` + testCallback + `"],"homepage":"` + testHomepage + `"}`},
		{"callback_urls as a string", `{"id":"{ID}","name":"x","callback_urls":"` + testCallback + `","homepage":"` + testHomepage + `"}`},
	}
}

func runInvalidFields(ctx context.Context, t *T) {
	cases := []struct {
		what, field string
		edit        func(*models.CreateOAuthAppRequest)
	}{
		{"no name", "name", func(r *models.CreateOAuthAppRequest) { r.Name = "" }},
		{"no callback URL", "callback", func(r *models.CreateOAuthAppRequest) { r.CallbackURLs = nil }},
		{"no homepage", "homepage", func(r *models.CreateOAuthAppRequest) { r.Homepage = "" }},
		{"an ftp callback URL", "callback", func(r *models.CreateOAuthAppRequest) {
			r.CallbackURLs = []string{"ftp://conformance.mmoauth.invalid/cb"}
		}},
		{"a name of 65 bytes", "name", func(r *models.CreateOAuthAppRequest) { r.Name = strings.Repeat("n", models.MaxAppNameBytes+1) }},
	}
	for _, c := range cases {
		req := t.env.newAppRequest("invalid fields")
		c.edit(req)
		body := fmt.Sprintf(`{"name":%q,"description":%q,"callback_urls":%s,"homepage":%q}`,
			req.Name, req.Description, jsonList(req.CallbackURLs), req.Homepage)
		r := t.rawJSON(ctx, Manager, http.MethodPost, appsPath, body)
		want := "model.oauth.is_valid." + c.field + ".app_error"
		r.expect(t, "create with "+c.what, http.StatusBadRequest, want)
	}
}

func jsonList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

func runMalformedTokenForms(ctx context.Context, t *T) {
	id := unknownID()
	cases := []struct {
		what string
		form url.Values
		id   string
	}{
		{"grant_type=password", url.Values{"grant_type": {"password"}, "client_id": {id}, "code": {"x"}},
			"api.oauth.get_access_token.bad_grant.app_error"},
		{"no code", url.Values{"grant_type": {models.GrantTypeAuthorizationCode}, "client_id": {id}, "redirect_uri": {testCallback}},
			"api.oauth.get_access_token.missing_code.app_error"},
		{"client_id=junk", url.Values{"grant_type": {models.GrantTypeAuthorizationCode}, "client_id": {malformedID}, "code": {"x"}, "redirect_uri": {testCallback}},
			"api.oauth.get_access_token.bad_client_id.app_error"},
	}
	for _, c := range cases {
		t.tokenRequest(ctx, c.form).expect(t, "token request with "+c.what, http.StatusBadRequest, c.id)
	}
}
