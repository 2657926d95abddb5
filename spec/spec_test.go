package spec_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/spec"
)

const (
	appID  = "abcdefghijklmnopqrstuvwxyz"
	userID = "zyxwvutsrqponmlkjihgfedcba"
)

// validApp is a GetOAuthApp 200 body as the real server sends it.
const validApp = `{"id":"abcdefghijklmnopqrstuvwxyz","creator_id":"zyxwvutsrqponmlkjihgfedcba",` +
	`"create_at":1700000000000,"update_at":1700000000000,"client_secret":"s3cr3tvalue0000000000000000",` +
	`"name":"App","description":"","icon_url":"","callback_urls":["https://example.com/cb"],` +
	`"homepage":"https://example.com","is_trusted":false,"mattermost_app_id":""}`

var jsonUTF8 = http.Header{"Content-Type": {"application/json; charset=utf-8"}}

func newValidator(t testing.TB) *spec.Validator {
	t.Helper()
	v, err := spec.NewValidator()
	require.NoError(t, err)
	return v
}

func TestLoad(t *testing.T) {
	doc, err := spec.Load()
	require.NoError(t, err)
	again, err := spec.Load()
	require.NoError(t, err)
	assert.Same(t, doc, again, "Load is cached")
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	require.Len(t, doc.Servers, 1)
	assert.Equal(t, "/", doc.Servers[0].URL, "a relative server lets routing work on any host")

	raw := spec.YAML()
	require.True(t, bytes.HasPrefix(raw, []byte("openapi: 3.0.3")))
	raw[0] = 'X'
	assert.Equal(t, byte('o'), spec.YAML()[0], "YAML returns a copy")
}

// TestOperations pins every operation: the seed's ten with their
// operationIds, and the ones around them (docs/ARCHITECTURE.md "Contracts").
func TestOperations(t *testing.T) {
	doc, err := spec.Load()
	require.NoError(t, err)
	tests := []struct {
		method, path, id string
		secured          bool
	}{
		{"POST", "/api/v4/oauth/apps", "CreateOAuthApp", true},
		{"GET", "/api/v4/oauth/apps", "GetOAuthApps", true},
		{"GET", "/api/v4/oauth/apps/{app_id}", "GetOAuthApp", true},
		{"PUT", "/api/v4/oauth/apps/{app_id}", "UpdateOAuthApp", true},
		{"DELETE", "/api/v4/oauth/apps/{app_id}", "DeleteOAuthApp", true},
		{"POST", "/api/v4/oauth/apps/{app_id}/regen_secret", "RegenerateOAuthAppSecret", true},
		{"GET", "/api/v4/oauth/apps/{app_id}/info", "GetOAuthAppInfo", true},
		{"GET", "/.well-known/oauth-authorization-server", "GetAuthorizationServerMetadata", false},
		{"POST", "/api/v4/oauth/apps/register", "RegisterOAuthClient", false},
		{"GET", "/api/v4/users/{user_id}/oauth/apps/authorized", "GetAuthorizedOAuthAppsForUser", true},
		{"POST", "/oauth/authorize", "AuthorizeOAuthApp", true},
		{"GET", "/oauth/authorize", "AuthorizeOAuthAppPage", true},
		{"POST", "/oauth/access_token", "GetOAuthAccessToken", false},
		{"POST", "/oauth/deauthorize", "DeauthorizeOAuthApp", true},
		{"GET", "/api/v4/users/me", "GetMe", true},
	}
	count := 0
	for _, item := range doc.Paths.Map() {
		count += len(item.Operations())
	}
	assert.Equal(t, len(tests), count, "no undeclared operations")
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			item := doc.Paths.Value(tt.path)
			require.NotNil(t, item, tt.path)
			op := item.GetOperation(tt.method)
			require.NotNil(t, op, "%s %s", tt.method, tt.path)
			assert.Equal(t, tt.id, op.OperationID)

			// Effective security: the operation's, else the document's.
			sec := doc.Security
			if op.Security != nil {
				sec = *op.Security
			}
			hasBearer := false
			for _, req := range sec {
				if _, ok := req["bearerAuth"]; ok {
					hasBearer = true
				}
			}
			assert.Equal(t, tt.secured, hasBearer, "bearerAuth on %s", tt.id)

			// Injected faults must never count as drift.
			for _, status := range []int{429, 500, 502, 503} {
				assert.NotNil(t, op.Responses.Status(status), "%s must declare %d", tt.id, status)
			}
		})
	}
}

// TestFidelityNotes pins rules where the real server differs from the
// published yaml, so a later edit cannot drop them silently.
func TestFidelityNotes(t *testing.T) {
	doc, err := spec.Load()
	require.NoError(t, err)
	op := func(method, path string) string {
		o := doc.Paths.Value(path).GetOperation(method)
		require.NotNil(t, o)
		return o.Description
	}
	resp := func(method, path string, status int) string {
		r := doc.Paths.Value(path).GetOperation(method).Responses.Status(status)
		require.NotNil(t, r, "%s %s %d", method, path, status)
		return *r.Value.Description
	}
	tests := []struct {
		name, text, want string
	}{
		{"list 403 id", resp("GET", "/api/v4/oauth/apps", 403), "api.command.admin_only.app_error"},
		{"info blanks the secret", op("GET", "/api/v4/oauth/apps/{app_id}/info"), "always \"\""},
		{"DCR disabled is 400", op("POST", "/api/v4/oauth/apps/register"), "`unsupported_operation`"},
		{"DCR uses RFC 7591 errors", resp("POST", "/api/v4/oauth/apps/register", 400), "RFC 7591"},
		{"metadata 500 without SiteURL", resp("GET", "/.well-known/oauth-authorization-server", 500), "site_url_required"},
		{"status OK upper case", doc.Components.Schemas["StatusOK"].Value.Description, "upper case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, tt.text, tt.want)
		})
	}
	assert.Nil(t, doc.Paths.Value("/api/v4/oauth/apps/register").Post.Responses.Status(501),
		"the real server answers 400 unsupported_operation, never 501, on registration")
	assert.Equal(t, []any{"OK"}, doc.Components.Schemas["StatusOK"].Value.Properties["status"].Value.Enum)
}

func TestFindRoute(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name, method, target string
		basePath             string
		wantOp               string
		wantParams           map[string]string
		wantErr              error
	}{
		{name: "register literal wins for POST", method: "POST", target: "/api/v4/oauth/apps/register", wantOp: "RegisterOAuthClient", wantParams: map[string]string{}},
		{name: "GET register is GetOAuthApp", method: "GET", target: "/api/v4/oauth/apps/register", wantOp: "GetOAuthApp", wantParams: map[string]string{"app_id": "register"}},
		{name: "DELETE register is DeleteOAuthApp", method: "DELETE", target: "/api/v4/oauth/apps/register", wantOp: "DeleteOAuthApp", wantParams: map[string]string{"app_id": "register"}},
		{name: "one app", method: "GET", target: "/api/v4/oauth/apps/" + appID, wantOp: "GetOAuthApp", wantParams: map[string]string{"app_id": appID}},
		{name: "regen", method: "POST", target: "/api/v4/oauth/apps/" + appID + "/regen_secret", wantOp: "RegenerateOAuthAppSecret", wantParams: map[string]string{"app_id": appID}},
		{name: "list ignores query", method: "GET", target: "/api/v4/oauth/apps?page=1&per_page=2", wantOp: "GetOAuthApps", wantParams: map[string]string{}},
		{name: "absolute URL", method: "GET", target: "http://127.0.0.1:8065/api/v4/oauth/apps", wantOp: "GetOAuthApps", wantParams: map[string]string{}},
		{name: "users me literal", method: "GET", target: "/api/v4/users/me", wantOp: "GetMe", wantParams: map[string]string{}},
		{name: "authorized apps of me", method: "GET", target: "/api/v4/users/me/oauth/apps/authorized", wantOp: "GetAuthorizedOAuthAppsForUser", wantParams: map[string]string{"user_id": "me"}},
		{name: "authorized apps of id", method: "GET", target: "/api/v4/users/" + userID + "/oauth/apps/authorized", wantOp: "GetAuthorizedOAuthAppsForUser", wantParams: map[string]string{"user_id": userID}},
		{name: "metadata", method: "GET", target: "/.well-known/oauth-authorization-server", wantOp: "GetAuthorizationServerMetadata", wantParams: map[string]string{}},
		{name: "token", method: "POST", target: "/oauth/access_token", wantOp: "GetOAuthAccessToken", wantParams: map[string]string{}},
		{name: "authorize page", method: "GET", target: "/oauth/authorize?client_id=x", wantOp: "AuthorizeOAuthAppPage", wantParams: map[string]string{}},
		{name: "base path", method: "GET", target: "/mattermost/api/v4/oauth/apps", basePath: "/mattermost/", wantOp: "GetOAuthApps", wantParams: map[string]string{}},
		{name: "outside base path", method: "GET", target: "/api/v4/oauth/apps", basePath: "/mattermost", wantErr: routers.ErrPathNotFound},
		{name: "non-alphanumeric app id is the router's 404", method: "GET", target: "/api/v4/oauth/apps/bad-id", wantErr: routers.ErrPathNotFound},
		{name: "encoded slash is not a separator", method: "GET", target: "/api/v4/oauth/apps/a%2Fb/info", wantErr: routers.ErrPathNotFound},
		{name: "unknown path", method: "GET", target: "/api/v4/nothing", wantErr: routers.ErrPathNotFound},
		{name: "trailing slash", method: "GET", target: "/api/v4/oauth/apps/", wantErr: routers.ErrPathNotFound},
		{name: "PATCH app", method: "PATCH", target: "/api/v4/oauth/apps/" + appID, wantErr: routers.ErrMethodNotAllowed},
		{name: "GET token endpoint", method: "GET", target: "/oauth/access_token", wantErr: routers.ErrMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			val := v
			if tt.basePath != "" {
				var err error
				val, err = spec.NewValidator(spec.WithBasePath(tt.basePath))
				require.NoError(t, err)
			}
			r := httptest.NewRequest(tt.method, tt.target, nil)
			route, params, err := val.FindRoute(r)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, route)
				assert.Empty(t, val.OperationID(r))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantOp, route.Operation.OperationID)
			assert.Equal(t, tt.wantParams, params)
			assert.Equal(t, tt.wantOp, val.OperationID(r))
		})
	}
}

func TestValidateRequest(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name, method, target, contentType, body string
		wantPart, wantName                      string // "" = valid
	}{
		{name: "create ok", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json",
			body: `{"name":"a","description":"d","callback_urls":["https://x/cb"],"homepage":"https://x","is_public":true}`},
		{name: "create missing fields is the server's business", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json", body: `{}`},
		{name: "create nulls decode in Go", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json", body: `{"name":null,"callback_urls":[null]}`},
		{name: "create null body decodes in Go", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json", body: `null`},
		{name: "create unknown fields ignored", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json", body: `{"id":5,"client_secret":true}`},
		{name: "create wrong type", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json", body: `{"name":1}`, wantPart: "body", wantName: "/name"},
		{name: "create wrong item type", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json", body: `{"callback_urls":["a",2]}`, wantPart: "body", wantName: "/callback_urls/1"},
		{name: "create is_trusted string", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json", body: `{"is_trusted":"yes"}`, wantPart: "body", wantName: "/is_trusted"},
		{name: "create bad JSON", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json", body: `{bad`, wantPart: "body"},
		{name: "create empty body", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json", body: ``, wantPart: "body"},
		{name: "create without content type is still JSON", method: "POST", target: "/api/v4/oauth/apps", body: `{"name":1}`, wantPart: "body", wantName: "/name"},
		{name: "create charset parameter", method: "POST", target: "/api/v4/oauth/apps", contentType: "application/json; charset=utf-8", body: `{"name":"a"}`},
		{name: "update ok", method: "PUT", target: "/api/v4/oauth/apps/" + appID, contentType: "application/json", body: `{"id":"` + appID + `","mattermost_app_id":"x"}`},
		{name: "update mattermost_app_id type", method: "PUT", target: "/api/v4/oauth/apps/" + appID, contentType: "application/json", body: `{"mattermost_app_id":1}`, wantPart: "body", wantName: "/mattermost_app_id"},
		{name: "junk app id is the handler's 400", method: "GET", target: "/api/v4/oauth/apps/junk"},
		{name: "list paging ok", method: "GET", target: "/api/v4/oauth/apps?page=2&per_page=500"},
		{name: "list paging garbage", method: "GET", target: "/api/v4/oauth/apps?page=abc", wantPart: "query", wantName: "page"},
		{name: "authorized paging garbage", method: "GET", target: "/api/v4/users/me/oauth/apps/authorized?per_page=x", wantPart: "query", wantName: "per_page"},
		{name: "register empty object is the server's business", method: "POST", target: "/api/v4/oauth/apps/register", contentType: "application/json", body: `{}`},
		{name: "register ignored fields take any value", method: "POST", target: "/api/v4/oauth/apps/register", contentType: "application/json", body: `{"redirect_uris":["https://x/cb"],"grant_types":5,"scope":["x"]}`},
		{name: "register redirect_uris not an array", method: "POST", target: "/api/v4/oauth/apps/register", contentType: "application/json", body: `{"redirect_uris":"https://x/cb"}`, wantPart: "body", wantName: "/redirect_uris"},
		{name: "authorize ok", method: "POST", target: "/oauth/authorize", contentType: "application/json", body: `{"client_id":"x","response_type":"code","redirect_uri":"https://x/cb","state":"s"}`},
		{name: "authorize wrong type", method: "POST", target: "/oauth/authorize", contentType: "application/json", body: `{"state":1}`, wantPart: "body", wantName: "/state"},
		{name: "deauthorize wrong type", method: "POST", target: "/oauth/deauthorize", contentType: "application/json", body: `{"client_id":1}`, wantPart: "body", wantName: "/client_id"},
		{name: "token form", method: "POST", target: "/oauth/access_token", contentType: "application/x-www-form-urlencoded", body: `grant_type=authorization_code&code=c&client_id=i`},
		{name: "token JSON body is ignored by the server", method: "POST", target: "/oauth/access_token?grant_type=x", contentType: "application/json", body: `{}`},
		{name: "authorize page any query", method: "GET", target: "/oauth/authorize?response_type=code&client_id=x&redirect_uri=y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			route, params, err := v.FindRoute(r)
			require.NoError(t, err)
			err = v.ValidateRequest(context.Background(), r, route, params)

			// The handler must still be able to read the body.
			rest, readErr := io.ReadAll(r.Body)
			require.NoError(t, readErr)
			assert.Equal(t, tt.body, string(rest), "body restored")
			assert.Equal(t, tt.target, r.URL.RequestURI(), "no defaults written into the query")

			if tt.wantPart == "" {
				assert.NoError(t, err)
				return
			}
			var re *spec.RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.wantPart, re.Part)
			assert.Equal(t, tt.wantName, re.Name)
			assert.NotEmpty(t, re.Reason)
			assert.NotNil(t, errors.Unwrap(err))
		})
	}
}

func TestValidateRequestNoRoute(t *testing.T) {
	v := newValidator(t)
	r := httptest.NewRequest("GET", "/api/v4/oauth/apps", nil)
	var re *spec.RequestError
	require.ErrorAs(t, v.ValidateRequest(context.Background(), r, nil, nil), &re)
	assert.ErrorIs(t, re, routers.ErrPathNotFound)
}

func TestValidateResponse(t *testing.T) {
	v := newValidator(t)
	text := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
	noStore := http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}, "Pragma": {"no-cache"}}
	token := `{"access_token":"t","token_type":"bearer","expires_in":3600,"scope":"user","refresh_token":"","id_token":""}`
	appError := `{"id":"api.context.permissions.app_error","message":"m","detailed_error":"","status_code":403}`

	tests := []struct {
		name, method, target string
		status               int
		header               http.Header
		body                 string
		wantPointer          string // checked when wantErr
		wantErr              bool
		wantErrIs            error
	}{
		{name: "app with charset", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8, body: validApp},
		{name: "extra fields allowed", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8, body: strings.Replace(validApp, `{`, `{"new_field":1,`, 1)},
		{name: "missing required field", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: strings.Replace(validApp, `"create_at":1700000000000,`, "", 1), wantErr: true, wantPointer: "/create_at"},
		{name: "wrong type", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: strings.Replace(validApp, `"is_trusted":false`, `"is_trusted":"no"`, 1), wantErr: true, wantPointer: "/is_trusted"},
		{name: "wrong type in list", method: "GET", target: "/api/v4/oauth/apps", status: 200, header: jsonUTF8,
			body: "[" + validApp + "," + strings.Replace(validApp, `"create_at":1700000000000`, `"create_at":"x"`, 1) + "]", wantErr: true, wantPointer: "/1/create_at"},
		// What OAuthApp.IsValid never lets the store save (server/public/model/oauth.go).
		{name: "app id not a model id", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, validApp, "id", "ABC"), wantErr: true, wantPointer: "/id"},
		{name: "app creator not a model id", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, validApp, "creator_id", "someone"), wantErr: true, wantPointer: "/creator_id"},
		{name: "app of DCR without creator", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, replaceField(t, validApp, "creator_id", ""), "homepage", "")},
		{name: "app created at 0", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, validApp, "create_at", 0), wantErr: true, wantPointer: "/create_at"},
		{name: "app with empty name", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, validApp, "name", ""), wantErr: true, wantPointer: "/name"},
		{name: "app name of 65", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, validApp, "name", strings.Repeat("n", 65)), wantErr: true, wantPointer: "/name"},
		{name: "app without callbacks", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, validApp, "callback_urls", []string{}), wantErr: true, wantPointer: "/callback_urls"},
		{name: "app homepage not http", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, validApp, "homepage", "ftp://x"), wantErr: true, wantPointer: "/homepage"},
		{name: "app icon not http", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, validApp, "icon_url", "javascript:alert(1)"), wantErr: true, wantPointer: "/icon_url"},
		{name: "app secret too long", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, validApp, "client_secret", strings.Repeat("s", 129)), wantErr: true, wantPointer: "/client_secret"},
		{name: "app mattermost_app_id too long", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8,
			body: replaceField(t, validApp, "mattermost_app_id", strings.Repeat("m", 33)), wantErr: true, wantPointer: "/mattermost_app_id"},
		{name: "undeclared status", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 418, header: jsonUTF8, body: appError, wantErr: true},
		{name: "wrong content type", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: text, body: validApp, wantErr: true},
		{name: "not JSON", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8, body: `<html>`, wantErr: true},
		{name: "empty list", method: "GET", target: "/api/v4/oauth/apps", status: 200, header: jsonUTF8, body: `[]`},
		{name: "403 AppError", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 403, header: jsonUTF8, body: appError},
		{name: "AppError without detailed_error", method: "GET", target: "/api/v4/oauth/apps/" + appID, status: 404, header: jsonUTF8, body: `{"id":"x","message":"m"}`, wantErr: true, wantPointer: "/detailed_error"},
		{name: "status OK", method: "DELETE", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8, body: `{"status":"OK"}`},
		{name: "status ok lower case", method: "DELETE", target: "/api/v4/oauth/apps/" + appID, status: 200, header: jsonUTF8, body: `{"status":"ok"}`, wantErr: true, wantPointer: "/status"},
		{name: "register 201 public", method: "POST", target: "/api/v4/oauth/apps/register", status: 201, header: jsonUTF8,
			body: `{"client_id":"c","redirect_uris":["https://x/cb"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"response_types":["code"],"scope":"user"}`},
		{name: "register DCR error", method: "POST", target: "/api/v4/oauth/apps/register", status: 400, header: jsonUTF8, body: `{"error":"unsupported_operation","error_description":"Dynamic client registration is disabled"}`},
		{name: "register AppError body is drift", method: "POST", target: "/api/v4/oauth/apps/register", status: 400, header: jsonUTF8, body: appError, wantErr: true, wantPointer: "/error"},
		{name: "register 501 is drift", method: "POST", target: "/api/v4/oauth/apps/register", status: 501, header: jsonUTF8, body: appError, wantErr: true},
		{name: "register 429 plain text", method: "POST", target: "/api/v4/oauth/apps/register", status: 429,
			header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "X-Ratelimit-Limit": {"1"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1"}, "Retry-After": {"1"}}, body: "limit exceeded\n"},
		{name: "injected 500 AppError", method: "GET", target: "/api/v4/users/me", status: 500, header: jsonUTF8, body: appError},
		{name: "injected 503 empty", method: "GET", target: "/api/v4/oauth/apps", status: 503, body: ""},
		{name: "proxy 502 html", method: "PUT", target: "/api/v4/oauth/apps/" + appID, status: 502, header: http.Header{"Content-Type": {"text/html"}}, body: "<html>bad gateway</html>"},
		{name: "metadata", method: "GET", target: "/.well-known/oauth-authorization-server", status: 200, header: jsonUTF8,
			body: `{"issuer":"http://127.0.0.1","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}`},
		{name: "metadata without issuer", method: "GET", target: "/.well-known/oauth-authorization-server", status: 200, header: jsonUTF8,
			body: `{"response_types_supported":["code"]}`, wantErr: true, wantPointer: "/issuer"},
		{name: "token with no-store", method: "POST", target: "/oauth/access_token", status: 200, header: noStore, body: token},
		{name: "token without no-store", method: "POST", target: "/oauth/access_token", status: 200, header: jsonUTF8, body: token, wantErr: true},
		{name: "token expires_in string", method: "POST", target: "/oauth/access_token", status: 200, header: noStore, body: strings.Replace(token, "3600", `"3600"`, 1), wantErr: true, wantPointer: "/expires_in"},
		{name: "authorize page redirect", method: "GET", target: "/oauth/authorize", status: 302, header: http.Header{"Location": {"https://x/cb?code=c"}}},
		{name: "authorize page redirect without Location", method: "GET", target: "/oauth/authorize", status: 302, wantErr: true},
		{name: "authorize page html", method: "GET", target: "/oauth/authorize", status: 200, header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, body: "<html></html>"},
		{name: "authorize page html error", method: "GET", target: "/oauth/authorize", status: 400, header: http.Header{"Content-Type": {"text/html"}}, body: "<html></html>"},
		{name: "no route", method: "GET", target: "/nowhere", status: 200, header: jsonUTF8, body: `{}`, wantErr: true, wantErrIs: routers.ErrPathNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, nil)
			err := v.ValidateResponse(context.Background(), r, tt.status, tt.header, []byte(tt.body))
			if !tt.wantErr {
				assert.NoError(t, err)
				return
			}
			var re *spec.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.status, re.StatusCode)
			assert.NotEmpty(t, re.Reason)
			assert.Equal(t, tt.wantPointer, re.Pointer)
			if tt.wantErrIs != nil {
				assert.ErrorIs(t, err, tt.wantErrIs)
				assert.Empty(t, re.Operation)
			} else {
				assert.Equal(t, v.OperationID(r), re.Operation)
			}
		})
	}
}

// TestErrorsNeverQuoteValues: bodies carry secrets and tokens, so no
// validation error may repeat a value (docs/ARCHITECTURE.md "Contracts": never print a secret).
func TestErrorsNeverQuoteValues(t *testing.T) {
	v := newValidator(t)
	const secret = "TOPSECRETVALUE"
	tests := []struct {
		name string
		run  func() error
	}{
		{"response enum", func() error {
			r := httptest.NewRequest("DELETE", "/api/v4/oauth/apps/"+appID, nil)
			return v.ValidateResponse(context.Background(), r, 200, jsonUTF8, []byte(`{"status":"`+secret+`"}`))
		}},
		{"response missing field next to a secret", func() error {
			r := httptest.NewRequest("POST", "/oauth/access_token", nil)
			return v.ValidateResponse(context.Background(), r, 200, http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}},
				[]byte(`{"access_token":"`+secret+`"}`))
		}},
		{"request wrong type next to a secret", func() error {
			r := httptest.NewRequest("POST", "/oauth/authorize", strings.NewReader(`{"code_challenge":"`+secret+`","state":1}`))
			r.Header.Set("Content-Type", "application/json")
			route, params, err := v.FindRoute(r)
			require.NoError(t, err)
			return v.ValidateRequest(context.Background(), r, route, params)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			require.Error(t, err)
			assert.NotContains(t, err.Error(), secret)
		})
	}
}

// TestConcurrentUse runs one Validator from many goroutines; -race checks
// that validation only reads shared state.
func TestConcurrentUse(t *testing.T) {
	v := newValidator(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			body := `{"name":"a","callback_urls":["https://x/cb"]}`
			req := httptest.NewRequest("POST", "/api/v4/oauth/apps", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			route, params, err := v.FindRoute(req)
			if err == nil {
				err = v.ValidateRequest(context.Background(), req, route, params)
			}
			if err == nil {
				err = v.ValidateResponse(context.Background(), req, 201, jsonUTF8, []byte(validApp))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

func BenchmarkValidateResponse(b *testing.B) {
	v := newValidator(b)
	r := httptest.NewRequest("GET", "/api/v4/oauth/apps/"+appID, nil)
	body := []byte(validApp)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ValidateResponse(ctx, r, 200, jsonUTF8, body); err != nil {
			b.Fatal(err)
		}
	}
}

// replaceField returns the JSON object doc with field set to value.
func replaceField(t *testing.T, doc, field string, value any) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(doc), &m))
	m[field] = value
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}
