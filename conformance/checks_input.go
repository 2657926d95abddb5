package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
			Rule:   "Create without a name, callback URL or homepage, or with a non-http(s) URL or icon URL, gets 400 model.oauth.is_valid.*",
			Source: "server/channels/api4/oauth.go (model.oauth.is_valid.*), server/public/model/oauth.go OAuthApp limits",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run:    runInvalidCreateFields,
		},
		{
			ID: "input/update-app/invalid-fields-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "Update without a name, callback URL or homepage, or with a non-http(s) URL or icon URL, gets 400 model.oauth.is_valid.*, and the app is unchanged",
			Source: "server/channels/api4/oauth.go updateOAuthApp; server/channels/app/oauth.go UpdateOAuthApp (OAuthApp.IsValid); server/public/model/oauth.go OAuthApp limits",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run:    runInvalidUpdateFields,
		},
		{
			ID: "input/access-token/malformed-form-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule:   "The token endpoint answers 400 to an unknown grant_type, a missing code or refresh_token and a malformed client_id",
			Source: "server/channels/app/oauth.go (Token: request shape)",
			Run:    runMalformedTokenForms,
		},
		{
			ID: "input/access-token/credential-errors", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule: "The token endpoint's credential errors: an unknown client 404 " + idTokenCredentials + ", a wrong secret 401 " +
				idGrantCredentials + " (before 11.2: 403 " + idTokenCredentials + "), an unknown code 400 " + idExpiredCode +
				", an unknown refresh token 404 " + idRefreshToken,
			Source: "server/channels/web/oauth.go getAccessToken; server/channels/app/oauth.go GetOAuthAccessTokenForCodeFlow; " +
				"server/public/model/oauth.go OAuthApp.ValidateForGrantType (11.2, PR #33664); seen on Mattermost 9.10 and 11.6",
			Needs: Needs{Roles: []Role{Manager}, Creates: true},
			Run:   runTokenCredentialErrors,
		},
		{
			ID: "input/authorize/invalid-request-400", Category: CategoryNegativeInput, Kind: KindCompat,
			Rule: "POST /oauth/authorize refuses a body that is not an AuthorizeRequest object with 400 " + idInvalidBodyParam +
				", a missing response_type, client_id or redirect_uri, a non-URL redirect_uri, a state over 1024 or a scope over 128 " +
				"characters with 400 model.authorize.is_valid.*, and an unknown client with 404 " + idAppNotFound,
			Source: "server/channels/web/oauth.go authorizeOAuthApp (decode, AuthorizeRequest.IsValid); server/public/model/authorize.go " +
				"AuthorizeRequest.IsValid; server/channels/app/oauth.go AllowOAuthAppAccessToUser (GetOAuthApp)",
			Needs: flowNeeds,
			Run:   runInvalidAuthorizeRequests,
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

// invalidField is an app body OAuthApp.IsValid refuses, and the field its
// error names (model.oauth.is_valid.<field>.app_error).
type invalidField struct {
	what, field string
	edit        func(*models.CreateOAuthAppRequest)
}

func invalidFields() []invalidField {
	return []invalidField{
		{"no name", "name", func(r *models.CreateOAuthAppRequest) { r.Name = "" }},
		{"no callback URL", "callback", func(r *models.CreateOAuthAppRequest) { r.CallbackURLs = nil }},
		{"no homepage", "homepage", func(r *models.CreateOAuthAppRequest) { r.Homepage = "" }},
		{"an ftp callback URL", "callback", func(r *models.CreateOAuthAppRequest) {
			r.CallbackURLs = []string{"ftp://conformance.mmoauth.invalid/cb"}
		}},
		{"a name of 65 bytes", "name", func(r *models.CreateOAuthAppRequest) { r.Name = strings.Repeat("n", models.MaxAppNameBytes+1) }},
		{"an icon URL that is not a URL", "icon_url", func(r *models.CreateOAuthAppRequest) { r.IconURL = "not-a-url" }},
	}
}

// appBody is the JSON of an app body with every field as given, and the id
// when not empty (the client would refuse to send these).
func appBody(id string, r *models.CreateOAuthAppRequest) string {
	body := fmt.Sprintf(`"name":%q,"description":%q,"callback_urls":%s,"homepage":%q,"icon_url":%q}`,
		r.Name, r.Description, jsonList(r.CallbackURLs), r.Homepage, r.IconURL)
	if id != "" {
		return fmt.Sprintf(`{"id":%q,`, id) + body
	}
	return "{" + body
}

func runInvalidCreateFields(ctx context.Context, t *T) {
	for _, c := range invalidFields() {
		req := t.env.newAppRequest("invalid fields")
		c.edit(req)
		t.rawJSON(ctx, Manager, http.MethodPost, appsPath, appBody("", req)).
			expect(t, "create with "+c.what, http.StatusBadRequest, "model.oauth.is_valid."+c.field+".app_error")
	}
}

func runInvalidUpdateFields(ctx context.Context, t *T) {
	app := t.createApp(ctx, Manager, "invalid update", nil)
	for _, c := range invalidFields() {
		req := t.env.newAppRequest("invalid update")
		req.Name, req.CallbackURLs, req.Homepage = app.Name, app.CallbackURLs, app.Homepage
		c.edit(req)
		t.rawJSON(ctx, Manager, http.MethodPut, appsPath+"/"+app.ID, appBody(app.ID, req)).
			expect(t, "update with "+c.what, http.StatusBadRequest, "model.oauth.is_valid."+c.field+".app_error")
	}
	got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "reading the app after the refused updates")
	if got != nil && (got.Name != app.Name || got.Homepage != app.Homepage || !slices.Equal(got.CallbackURLs, app.CallbackURLs)) {
		t.Errorf("a refused update changed the app: name %q, homepage %q, callbacks %q", got.Name, got.Homepage, got.CallbackURLs)
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
		{"a refresh grant without refresh_token", url.Values{"grant_type": {models.GrantTypeRefreshToken}, "client_id": {id}},
			idMissingRefresh},
		{"client_id=junk", url.Values{"grant_type": {models.GrantTypeAuthorizationCode}, "client_id": {malformedID}, "code": {"x"}, "redirect_uri": {testCallback}},
			"api.oauth.get_access_token.bad_client_id.app_error"},
	}
	for _, c := range cases {
		t.tokenRequest(ctx, c.form).expect(t, "token request with "+c.what, http.StatusBadRequest, c.id)
	}
}

// tokenCase is one token request and the error the server must answer.
type tokenCase struct {
	what   string
	form   url.Values
	status int
	id     string
}

// runTokenCredentialErrors sends well-formed token requests whose client,
// secret, code or refresh token is wrong, for a client that exists.
func runTokenCredentialErrors(ctx context.Context, t *T) {
	app := t.createApp(ctx, Manager, "token credentials", nil)
	secret := app.ClientSecret.Reveal()
	wrong := unknownID()
	t.remember(wrong)
	code := func(client, secret string) url.Values {
		return url.Values{"grant_type": {models.GrantTypeAuthorizationCode}, "client_id": {client},
			"client_secret": {secret}, "code": {unknownID()}, "redirect_uri": {app.CallbackURLs[0]}}
	}
	refresh := url.Values{"grant_type": {models.GrantTypeRefreshToken}, "client_id": {app.ID},
		"client_secret": {secret}, "refresh_token": {unknownID()}}
	// A wrong secret is OAuthApp.ValidateForGrantType's 401 since 11.2 and
	// GetOAuthAccessTokenForCodeFlow's 403 before (seen on a real 9.10.0);
	// the step says which release's answer was expected.
	badSecret := tokenCase{"a wrong client_secret", code(app.ID, wrong), http.StatusUnauthorized, idGrantCredentials}
	if t.releaseBefore(models.ReleaseOAuth21) {
		badSecret.what += " (Mattermost " + t.ServerVersion().String() + " predates 11.2's client validation)"
		badSecret.status, badSecret.id = http.StatusForbidden, idTokenCredentials
	}
	cases := []tokenCase{
		{"an unknown client_id", code(unknownID(), wrong), http.StatusNotFound, idTokenCredentials},
		badSecret,
		{"an unknown code", code(app.ID, secret), http.StatusBadRequest, idExpiredCode},
		{"an unknown refresh_token", refresh, http.StatusNotFound, idRefreshToken},
	}
	for _, c := range cases {
		t.tokenRequest(ctx, c.form).expect(t, "token request with "+c.what, c.status, c.id)
	}
}

// runInvalidAuthorizeRequests posts consent bodies that are wrong in one
// way each, for an app that exists (AuthorizeRequest.IsValid's order:
// client_id, response_type, redirect_uri, state, scope).
func runInvalidAuthorizeRequests(ctx context.Context, t *T) {
	app := t.createApp(ctx, Manager, "authorize input", nil)
	valid := func(edit func(m map[string]any)) string {
		m := map[string]any{"response_type": models.ResponseTypeCode, "client_id": app.ID, "redirect_uri": app.CallbackURLs[0], "state": plainState}
		edit(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("encoding an authorize body: %v", err)
		}
		return string(b)
	}
	const isValid = "model.authorize.is_valid."
	cases := []struct {
		what, body string
		status     int
		id         string
	}{
		{"malformed JSON", `{"response_type":`, http.StatusBadRequest, idInvalidBodyParam},
		{"null", `null`, http.StatusBadRequest, idInvalidBodyParam},
		{"an array", `[]`, http.StatusBadRequest, idInvalidBodyParam},
		{"a number as response_type", `{"response_type":5}`, http.StatusBadRequest, idInvalidBodyParam},
		{"no response_type", valid(func(m map[string]any) { delete(m, "response_type") }), http.StatusBadRequest, isValid + "response_type.app_error"},
		{"no client_id", valid(func(m map[string]any) { delete(m, "client_id") }), http.StatusBadRequest, isValid + "client_id.app_error"},
		{"client_id=junk", valid(func(m map[string]any) { m["client_id"] = malformedID }), http.StatusBadRequest, isValid + "client_id.app_error"},
		{"no redirect_uri", valid(func(m map[string]any) { delete(m, "redirect_uri") }), http.StatusBadRequest, isValid + "redirect_uri.app_error"},
		{"a redirect_uri that is not a URL", valid(func(m map[string]any) { m["redirect_uri"] = "not a url" }), http.StatusBadRequest, isValid + "redirect_uri.app_error"},
		{"a 1025-character state", valid(func(m map[string]any) { m["state"] = strings.Repeat("s", models.MaxStateLength+1) }), http.StatusBadRequest, isValid + "state.app_error"},
		{"a 129-character scope", valid(func(m map[string]any) { m["scope"] = strings.Repeat("s", models.MaxScopeLength+1) }), http.StatusBadRequest, isValid + "scope.app_error"},
		{"an unknown client_id", valid(func(m map[string]any) { m["client_id"] = unknownID() }), http.StatusNotFound, idAppNotFound},
	}
	for _, c := range cases {
		t.rawJSON(ctx, t.authorizer(), http.MethodPost, "/oauth/authorize", c.body).
			expect(t, "authorize with "+c.what, c.status, c.id)
	}
}
