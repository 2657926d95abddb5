package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

const appJSON = `{"id":"abcdefghijklmnopqrstuvwxyz","creator_id":"zyxwvutsrqponmlkjihgfedcba","create_at":1,"update_at":2,
"client_secret":"s3cr3tsecretsecretsecret00","name":"Bot","description":"d","icon_url":"","callback_urls":["https://bot.example/cb"],
"homepage":"https://bot.example","is_trusted":false,"mattermost_app_id":""}`

func validCreate() *models.CreateOAuthAppRequest {
	return &models.CreateOAuthAppRequest{Name: "Bot", Description: "d", CallbackURLs: []string{"https://bot.example/cb"}, Homepage: "https://bot.example", IsPublic: true}
}

func validUpdate() *models.UpdateOAuthAppRequest {
	return &models.UpdateOAuthAppRequest{ID: appID, Name: "Bot2", CallbackURLs: []string{"https://bot.example/cb"}, Homepage: "https://bot.example"}
}

func validRegistration() *models.ClientRegistrationRequest {
	return &models.ClientRegistrationRequest{RedirectURIs: []string{"http://127.0.0.1:9999/cb?x=1&y=2"}, TokenEndpointAuthMethod: models.AuthMethodNone, ClientName: "bot"}
}

func validAuthorize() *models.AuthorizeRequest {
	return &models.AuthorizeRequest{ResponseType: "code", ClientID: appID, RedirectURI: "https://bot.example/cb", Scope: "user", State: "st"}
}

// TestMethodRequests checks, for every operation, the request on the wire
// and the decoding of the answer.
func TestMethodRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		call      func(t *testing.T, c *Client) (any, *Response, error)
		reply     reply
		method    string
		path      string
		query     string
		anonymous bool
		body      any // expected JSON body (nil: no body)
		check     func(t *testing.T, v any)
	}{
		{
			name: "CreateOAuthApp",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.CreateOAuthApp(t.Context(), validCreate())
			},
			reply:  reply{status: 201, body: appJSON},
			method: "POST", path: "/api/v4/oauth/apps", body: validCreate(),
			check: func(t *testing.T, v any) {
				app := v.(*models.OAuthApp)
				assert.Equal(t, appID, app.ID)
				assert.Equal(t, models.Secret(secretVal), app.ClientSecret)
				assert.Equal(t, []string{"https://bot.example/cb"}, app.CallbackURLs)
			},
		},
		{
			name: "GetOAuthApps",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.GetOAuthApps(t.Context(), 2, 500)
			},
			reply:  reply{status: 200, body: "[" + appJSON + "," + appJSON + "]"},
			method: "GET", path: "/api/v4/oauth/apps", query: "page=2&per_page=500",
			check: func(t *testing.T, v any) {
				apps := v.([]*models.OAuthApp)
				require.Len(t, apps, 2)
				assert.Equal(t, "Bot", apps[1].Name)
			},
		},
		{
			name: "GetOAuthApp",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.GetOAuthApp(t.Context(), appID)
			},
			reply:  reply{status: 200, body: appJSON},
			method: "GET", path: "/api/v4/oauth/apps/" + appID,
			check: func(t *testing.T, v any) { assert.Equal(t, "Bot", v.(*models.OAuthApp).Name) },
		},
		{
			name: "UpdateOAuthApp",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.UpdateOAuthApp(t.Context(), validUpdate())
			},
			reply:  reply{status: 200, body: appJSON},
			method: "PUT", path: "/api/v4/oauth/apps/" + appID, body: validUpdate(),
			check: func(t *testing.T, v any) { assert.Equal(t, appID, v.(*models.OAuthApp).ID) },
		},
		{
			name: "DeleteOAuthApp",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.DeleteOAuthApp(t.Context(), appID)
			},
			reply:  reply{status: 200, body: `{"status":"OK"}`},
			method: "DELETE", path: "/api/v4/oauth/apps/" + appID,
			check: func(t *testing.T, v any) { assert.Equal(t, models.StatusOKValue, v.(*models.StatusOK).Status) },
		},
		{
			name: "RegenerateOAuthAppSecret",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.RegenerateOAuthAppSecret(t.Context(), appID)
			},
			reply:  reply{status: 200, body: appJSON},
			method: "POST", path: "/api/v4/oauth/apps/" + appID + "/regen_secret",
			check: func(t *testing.T, v any) { assert.True(t, v.(*models.OAuthApp).ClientSecret.IsSet()) },
		},
		{
			name: "GetOAuthAppInfo",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.GetOAuthAppInfo(t.Context(), appID)
			},
			reply:  reply{status: 200, body: strings.Replace(appJSON, secretVal, "", 1)},
			method: "GET", path: "/api/v4/oauth/apps/" + appID + "/info",
			check: func(t *testing.T, v any) { assert.False(t, v.(*models.OAuthApp).ClientSecret.IsSet()) },
		},
		{
			name: "GetAuthorizationServerMetadata",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.GetAuthorizationServerMetadata(t.Context())
			},
			reply:  reply{status: 200, body: `{"issuer":"http://mm.test","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}`},
			method: "GET", path: "/.well-known/oauth-authorization-server", anonymous: true,
			check: func(t *testing.T, v any) {
				m := v.(*models.AuthorizationServerMetadata)
				assert.Equal(t, testBase, m.Issuer)
				assert.True(t, m.SupportsS256())
			},
		},
		{
			name: "RegisterOAuthClient",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.RegisterOAuthClient(t.Context(), validRegistration())
			},
			reply: reply{status: 201, body: `{"client_id":"abcdefghijklmnopqrstuvwxyz","redirect_uris":["http://127.0.0.1:9999/cb?x=1&y=2"],
				"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"response_types":["code"],"scope":"user"}`},
			method: "POST", path: "/api/v4/oauth/apps/register", anonymous: true, body: validRegistration(),
			check: func(t *testing.T, v any) {
				r := v.(*models.ClientRegistrationResponse)
				assert.Equal(t, appID, r.ClientID)
				assert.True(t, r.IsPublic())
				assert.False(t, r.ClientSecret.IsSet())
			},
		},
		{
			name: "GetAuthorizedOAuthAppsForUser me",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.GetAuthorizedOAuthAppsForUser(t.Context(), "me", 0, 60)
			},
			reply:  reply{status: 200, body: "[]"},
			method: "GET", path: "/api/v4/users/me/oauth/apps/authorized", query: "page=0&per_page=60",
			check: func(t *testing.T, v any) { assert.Empty(t, v.([]*models.OAuthApp)) },
		},
		{
			name: "GetAuthorizedOAuthAppsForUser id",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.GetAuthorizedOAuthAppsForUser(t.Context(), userID, 1, 5)
			},
			reply:  reply{status: 200, body: "[" + appJSON + "]"},
			method: "GET", path: "/api/v4/users/" + userID + "/oauth/apps/authorized", query: "page=1&per_page=5",
			check: func(t *testing.T, v any) { assert.Len(t, v.([]*models.OAuthApp), 1) },
		},
		{
			name: "AuthorizeOAuthApp",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.AuthorizeOAuthApp(t.Context(), validAuthorize())
			},
			reply:  reply{status: 200, body: `{"redirect":"https://bot.example/cb?code=thecode&state=st"}`},
			method: "POST", path: "/oauth/authorize", body: validAuthorize(),
			check: func(t *testing.T, v any) {
				code, err := v.(*models.AuthorizeResponse).Code()
				require.NoError(t, err)
				assert.Equal(t, "thecode", code.Reveal())
			},
		},
		{
			name: "DeauthorizeOAuthApp",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.DeauthorizeOAuthApp(t.Context(), appID)
			},
			reply:  reply{status: 200, body: `{"status":"OK"}`},
			method: "POST", path: "/oauth/deauthorize", body: &models.DeauthorizeRequest{ClientID: appID},
			check: func(t *testing.T, v any) { assert.Equal(t, "OK", v.(*models.StatusOK).Status) },
		},
		{
			name: "GetMe",
			call: func(t *testing.T, c *Client) (any, *Response, error) {
				return c.GetMe(t.Context())
			},
			reply:  reply{status: 200, body: `{"id":"zyxwvutsrqponmlkjihgfedcba","username":"bot","roles":"system_user"}`},
			method: "GET", path: "/api/v4/users/me",
			check: func(t *testing.T, v any) { assert.Equal(t, "bot", v.(*models.User).Username) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rp := tt.reply
			rp.header = http.Header{"X-Request-Id": {"req-1"}, "X-Version-Id": {"11.2.0"}, "Etag": {`"e1"`}}
			f := newFixture(t, []reply{rp}, WithUserAgent("test-agent/1"))
			v, resp, err := tt.call(t, f.c)
			require.NoError(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, rp.status, resp.StatusCode)
			assert.Equal(t, "req-1", resp.RequestID)
			assert.Equal(t, "11.2.0", resp.ServerVersion)
			assert.Equal(t, `"e1"`, resp.Etag)
			assert.Equal(t, 1, resp.Attempts)
			tt.check(t, v)

			reqs := f.s.requests()
			require.Len(t, reqs, 1)
			got := reqs[0]
			assert.Equal(t, tt.method, got.Method)
			assert.Equal(t, tt.path, got.Path)
			assert.Equal(t, tt.query, got.RawQuery)
			assert.Equal(t, "application/json", got.Header.Get("Accept"))
			assert.Equal(t, "test-agent/1", got.Header.Get("User-Agent"))
			if tt.anonymous {
				assert.Empty(t, got.Header.Values("Authorization"))
			} else {
				assert.Equal(t, "Bearer "+testToken, got.Header.Get("Authorization"))
			}
			if tt.body == nil {
				assert.Empty(t, got.Body)
				assert.Empty(t, got.Header.Get("Content-Type"))
				return
			}
			assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			want, err := json.Marshal(tt.body)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got.Body))
			assert.NotContains(t, string(got.Body), `\u0026`, "URLs are sent without HTML escaping")
		})
	}
}

func TestCreateOAuthAppSendsIsPublic(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{{status: 201, body: appJSON}})
	_, _, err := f.c.CreateOAuthApp(t.Context(), validCreate())
	require.NoError(t, err)
	var sent map[string]any
	require.NoError(t, json.Unmarshal(f.s.requests()[0].Body, &sent))
	assert.Equal(t, true, sent["is_public"])
	assert.NotContains(t, sent, "id")
	assert.NotContains(t, sent, "client_secret")
}

func TestBaseURLWithPathPrefixesEveryRoute(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c, err := New("http://mm.test/chat/", WithHTTPClient(f.c.hc), WithRetryPolicy(NoRetry()))
	require.NoError(t, err)
	assert.Equal(t, "http://mm.test/chat", c.BaseURL())
	_, _, err = c.GetOAuthApp(t.Context(), appID)
	require.NoError(t, err)
	_, _, err = c.AuthorizeOAuthApp(t.Context(), validAuthorize())
	require.NoError(t, err)
	reqs := f.s.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/chat/api/v4/oauth/apps/"+appID, reqs[0].Path)
	assert.Equal(t, "/chat/oauth/authorize", reqs[1].Path)
	assert.Empty(t, reqs[0].Header.Values("Authorization"), "no token configured: anonymous")
}

// TestBadInputNeverSent covers the "Bad input": refused before any
// request, with a *models.ValidationError naming the field.
func TestBadInputNeverSent(t *testing.T) {
	t.Parallel()
	badIDs := []string{"", "../users", "..", "short", appID + "x", "abcdefghijklmnopqrstuvwxy/", "abcdefghijklm?opqrstuvwxyz", "abcdefghijklmnopqrstuvwx%2F"}
	type tc struct {
		name  string
		field string
		call  func(c *Client) error
	}
	var tests []tc
	for _, id := range badIDs {
		tests = append(tests,
			tc{"GetOAuthApp " + id, "app_id", func(c *Client) error { _, _, err := c.GetOAuthApp(t.Context(), id); return err }},
			tc{"DeleteOAuthApp " + id, "app_id", func(c *Client) error { _, _, err := c.DeleteOAuthApp(t.Context(), id); return err }},
			tc{"Regen " + id, "app_id", func(c *Client) error { _, _, err := c.RegenerateOAuthAppSecret(t.Context(), id); return err }},
			tc{"Info " + id, "app_id", func(c *Client) error { _, _, err := c.GetOAuthAppInfo(t.Context(), id); return err }},
			tc{"Authorized " + id, "user_id", func(c *Client) error {
				_, _, err := c.GetAuthorizedOAuthAppsForUser(t.Context(), id, 0, 10)
				return err
			}},
			tc{"Deauthorize " + id, "client_id", func(c *Client) error { _, _, err := c.DeauthorizeOAuthApp(t.Context(), id); return err }},
			tc{"Update " + id, "id", func(c *Client) error {
				u := validUpdate()
				u.ID = id
				_, _, err := c.UpdateOAuthApp(t.Context(), u)
				return err
			}},
		)
	}
	tests = append(tests,
		tc{"Create nil", "body", func(c *Client) error { _, _, err := c.CreateOAuthApp(t.Context(), nil); return err }},
		tc{"Create invalid", "callback_urls", func(c *Client) error {
			r := validCreate()
			r.CallbackURLs = []string{"javascript:alert(1)"}
			_, _, err := c.CreateOAuthApp(t.Context(), r)
			return err
		}},
		tc{"Update nil", "body", func(c *Client) error { _, _, err := c.UpdateOAuthApp(t.Context(), nil); return err }},
		tc{"Update invalid", "name", func(c *Client) error {
			r := validUpdate()
			r.Name = ""
			_, _, err := c.UpdateOAuthApp(t.Context(), r)
			return err
		}},
		tc{"Register nil", "body", func(c *Client) error { _, _, err := c.RegisterOAuthClient(t.Context(), nil); return err }},
		tc{"Register invalid", "token_endpoint_auth_method", func(c *Client) error {
			r := validRegistration()
			r.TokenEndpointAuthMethod = "client_secret_basic"
			_, _, err := c.RegisterOAuthClient(t.Context(), r)
			return err
		}},
		tc{"Authorize nil", "body", func(c *Client) error { _, _, err := c.AuthorizeOAuthApp(t.Context(), nil); return err }},
		tc{"Authorize invalid", "code_challenge_method", func(c *Client) error {
			r := validAuthorize()
			r.CodeChallenge, r.CodeChallengeMethod = strings.Repeat("a", 43), "plain"
			_, _, err := c.AuthorizeOAuthApp(t.Context(), r)
			return err
		}},
	)
	f := newFixture(t, nil)
	for _, tt := range tests {
		err := tt.call(f.c)
		var ve *models.ValidationError
		require.True(t, errors.As(err, &ve), "%s: got %v", tt.name, err)
		assert.Equal(t, tt.field, ve.Field, tt.name)
		assert.NotEmpty(t, ve.ServerErrorID, tt.name)
	}
	assert.Empty(t, f.s.requests(), "no request may be sent for bad input")
}

func TestUserIDMeIsAcceptedOnlyWhereAllowed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{{status: 200, body: "[]"}})
	_, _, err := f.c.GetAuthorizedOAuthAppsForUser(t.Context(), "me", 0, 1)
	require.NoError(t, err)
	_, _, err = f.c.GetOAuthApp(t.Context(), "me")
	var ve *models.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "api.context.invalid_url_param.app_error", ve.ServerErrorID)
	assert.Len(t, f.s.requests(), 1)
}

func TestEscapePath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"abc", "/abc"},
		{"../users", "/..%2Fusers"},
		{"..", "/%2E%2E"},
		{".", "/%2E"},
		{"a/b?c#d", "/a%2Fb%3Fc%23d"},
		{"é", "/%C3%A9"},
		{"a b", "/a%20b"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, escapePath(tt.in), tt.in)
		u := resolve(&url0, escapePath("api", tt.in, "x"), nil)
		assert.Equal(t, "http://h/api"+tt.want+"/x", u.String(), "the escaping survives URL.String for %q", tt.in)
	}
}

// TestEscapedIDReachesServerAsOneSegment sends an id that IsValidID accepts
// but that needs escaping (26 bytes of letters) to a real server.
func TestEscapedIDReachesServerAsOneSegment(t *testing.T) {
	t.Parallel()
	id := strings.Repeat("é", 13)
	require.True(t, models.IsValidID(id))
	f := newFixture(t, []reply{{status: 200, body: appJSON}})
	_, _, err := f.c.GetOAuthAppInfo(t.Context(), id)
	require.NoError(t, err)
	assert.Equal(t, "/api/v4/oauth/apps/"+strings.Repeat("%C3%A9", 13)+"/info", f.s.requests()[0].Path)
}

func TestNilContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	//nolint:staticcheck // a nil context is what is being tested
	_, _, err := f.c.GetMe(nil)
	require.Error(t, err)
	assert.Empty(t, f.s.requests())
}

func TestNullListElementIsDecodeError(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{{status: 200, body: "[" + appJSON + ",null]"}})
	apps, resp, err := f.c.GetOAuthApps(t.Context(), 0, 10)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Nil(t, apps)
	require.NotNil(t, resp)
	assert.Equal(t, "/api/v4/oauth/apps", de.Path)
}
