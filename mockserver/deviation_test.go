package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probe observes the behaviour a deviation breaks and summarises it.
type probe func(t *testing.T, ts *TestServer) string

func statusOf(r reply) string { return fmt.Sprint(r.Status) }

func secretSet(t *testing.T, r reply) string {
	t.Helper()
	var a models.OAuthApp
	r.decode(t, &a)
	return fmt.Sprint(a.ClientSecret.IsSet())
}

func listLen(t *testing.T, r reply) string {
	t.Helper()
	var a []json.RawMessage
	r.decode(t, &a)
	return fmt.Sprint(len(a))
}

func metadata(t *testing.T, ts *TestServer) models.AuthorizationServerMetadata {
	t.Helper()
	var m models.AuthorizationServerMetadata
	do(t, ts, req{Method: http.MethodGet, Path: metadataPath}).decode(t, &m)
	return m
}

func register(t *testing.T, ts *TestServer, body, token string) reply {
	t.Helper()
	return do(t, ts, req{Method: http.MethodPost, Path: registerPath, Body: body, Token: token})
}

func publicApp(t *testing.T, ts *TestServer) models.OAuthApp {
	t.Helper()
	b := newApp("public")
	b.IsPublic = true
	return createApp(t, ts, tokenOf(ts, colC), b)
}

// insertApps puts n apps straight into the store (fast setup for paging).
func insertApps(ts *TestServer, n int, creator string) {
	for i := range n {
		ts.Server.mem().insertApp(models.OAuthApp{ID: newID(), CreatorID: creator, Name: fmt.Sprint("bulk", i),
			CallbackURLs: []string{"https://b.example.com/cb"}, Homepage: "https://b.example.com", CreateAt: 1, UpdateAt: 1})
	}
}

var probes = map[Deviation]probe{
	DevInfoLeaksSecret: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return secretSet(t, do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID + "/info", Token: tokenOf(ts, colU)}))
	},
	DevAuthorizedListLeaksSecret: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		r := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized", Token: tokenOf(ts, colU)})
		var apps []models.OAuthApp
		r.decode(t, &apps)
		require.Len(t, apps, 1)
		return fmt.Sprint(apps[0].ClientSecret.IsSet())
	},
	DevGetHidesSecret: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return secretSet(t, do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)}))
	},
	DevNonCreatorCanAccess: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		var out []string
		for _, q := range []req{
			{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID},
			{Method: http.MethodPut, Path: "/api/v4/oauth/apps/" + app.ID, Body: app.UpdateRequest()},
			{Method: http.MethodPost, Path: "/api/v4/oauth/apps/" + app.ID + "/regen_secret"},
			{Method: http.MethodDelete, Path: "/api/v4/oauth/apps/" + app.ID},
		} {
			q.Token = tokenOf(ts, colN)
			out = append(out, statusOf(do(t, ts, q)))
		}
		return strings.Join(out, ",")
	},
	DevListIgnoresCreator: func(t *testing.T, ts *TestServer) string {
		createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return listLen(t, do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colN)}))
	},
	DevListForbiddenWrongID: func(t *testing.T, ts *TestServer) string {
		return do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colU)}).appError(t).ID
	},
	DevPlainUserCanCreate: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colU), Body: newApp("x")}))
	},
	DevTrustedNotForced: func(t *testing.T, ts *TestServer) string {
		b := newApp("x")
		b.IsTrusted = true
		return fmt.Sprint(createApp(t, ts, tokenOf(ts, colC), b).IsTrusted)
	},
	DevIgnorePerPage: func(t *testing.T, ts *TestServer) string {
		insertApps(ts, 3, ts.Identities.SystemAdmin.ID)
		return listLen(t, do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps?per_page=1", Token: tokenOf(ts, colSA)}))
	},
	DevNoPerPageCap: func(t *testing.T, ts *TestServer) string {
		insertApps(ts, 205, ts.Identities.SystemAdmin.ID)
		return listLen(t, do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps?per_page=300", Token: tokenOf(ts, colSA)}))
	},
	DevPagePastEndError: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps?page=5", Token: tokenOf(ts, colSA)}))
	},
	DevWrongIssuer: func(t *testing.T, ts *TestServer) string { return metadata(t, ts).Issuer },
	DevNoS256: func(t *testing.T, ts *TestServer) string {
		m := metadata(t, ts)
		return fmt.Sprint(m.SupportsS256())
	},
	DevRegistrationEndpointAlways: func(t *testing.T, ts *TestServer) string { return metadata(t, ts).RegistrationEndpoint },
	DevRelativeEndpoints:          func(t *testing.T, ts *TestServer) string { return metadata(t, ts).AuthorizationEndpoint },
	DevDCRAcceptsBadRedirect: func(t *testing.T, ts *TestServer) string {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableDynamicClientRegistration = true })
		return statusOf(register(t, ts, `{"redirect_uris":["cursor://x/cb"]}`, ""))
	},
	DevDCRAppErrorBody: func(t *testing.T, ts *TestServer) string {
		var m map[string]any
		register(t, ts, `{"redirect_uris":["https://x.example.com/cb"]}`, "").decode(t, &m)
		return fmt.Sprint(m["error"] != nil, m["id"] != nil)
	},
	DevDCRPublicGetsSecret: func(t *testing.T, ts *TestServer) string {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableDynamicClientRegistration = true })
		var resp models.ClientRegistrationResponse
		register(t, ts, `{"redirect_uris":["https://x.example.com/cb"],"token_endpoint_auth_method":"none"}`, "").decode(t, &resp)
		return fmt.Sprint(resp.ClientSecret.IsSet())
	},
	DevDCRRequiresSession: func(t *testing.T, ts *TestServer) string {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableDynamicClientRegistration = true })
		return statusOf(register(t, ts, `{"redirect_uris":["https://x.example.com/cb"]}`, ""))
	},
	DevDCREnabledIgnored: func(t *testing.T, ts *TestServer) string {
		return statusOf(register(t, ts, `{"redirect_uris":["https://x.example.com/cb"]}`, ""))
	},
	DevPublicRegenAllowed: func(t *testing.T, ts *TestServer) string {
		app := publicApp(t, ts)
		return statusOf(do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/" + app.ID + "/regen_secret", Token: tokenOf(ts, colC)}))
	},
	DevPublicHasSecret: func(t *testing.T, ts *TestServer) string {
		return fmt.Sprint(publicApp(t, ts).ClientSecret.IsSet())
	},
	DevPKCENotRequiredPublic: func(t *testing.T, ts *TestServer) string {
		app := publicApp(t, ts)
		return statusOf(authorize(t, ts, tokenOf(ts, colU), models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: app.CallbackURLs[0]}))
	},
	DevPKCEVerifierNotChecked: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, testChallenge)
		return statusOf(exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], strings.Repeat("w", 50)))
	},
	DevCodeReusable: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], "")
		return statusOf(exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], ""))
	},
	DevPublicRefreshToken: func(t *testing.T, ts *TestServer) string {
		app := publicApp(t, ts)
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, testChallenge)
		return fmt.Sprint(accessOf(t, exchange(t, ts, app.ID, "", code, app.CallbackURLs[0], testVerifier)).RefreshToken.IsSet())
	},
	DevRegenKeepsOldSecret: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		var got models.OAuthApp
		do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/" + app.ID + "/regen_secret", Token: tokenOf(ts, colC)}).decode(t, &got)
		return fmt.Sprint(got.ClientSecret.Reveal() == app.ClientSecret.Reveal())
	},
	DevBadID404: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/junk", Token: tokenOf(ts, colC)}))
	},
	DevUnknownID400: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/zzzzzzzzzzzzzzzzzzzzzzzzzz", Token: tokenOf(ts, colC)}))
	},
	DevUpdateIgnoresIDMismatch: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		u := app.UpdateRequest()
		u.ID = "zzzzzzzzzzzzzzzzzzzzzzzzzz"
		return statusOf(do(t, ts, req{Method: http.MethodPut, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC), Body: u}))
	},
	DevBadJSONAfterPermission: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colU), Body: `{"name":`}))
	},
	DevDeleteNoop: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		do(t, ts, req{Method: http.MethodDelete, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)})
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)}))
	},
	DevDeauthorizeNoop: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		do(t, ts, req{Method: http.MethodPost, Path: "/oauth/deauthorize", Token: tokenOf(ts, colU), Body: models.DeauthorizeRequest{ClientID: app.ID}})
		return listLen(t, do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized", Token: tokenOf(ts, colU)}))
	},
	DevAuthorizeNotListed: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		return listLen(t, do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized", Token: tokenOf(ts, colU)}))
	},
	DevAnonymousAllowed: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID + "/info"}))
	},
	DevProviderOffIgnored: func(t *testing.T, ts *TestServer) string {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableOAuthServiceProvider = false })
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colSA)}))
	},
	DevWrongContentType: func(t *testing.T, ts *TestServer) string {
		return do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me", Token: tokenOf(ts, colU)}).Header.Get("Content-Type")
	},
	DevAppMissingCreateAt: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		var m map[string]any
		do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)}).decode(t, &m)
		_, ok := m["create_at"]
		return fmt.Sprint(ok)
	},
	DevStatusOKLowercase: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return string(do(t, ts, req{Method: http.MethodDelete, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)}).Body)
	},
	DevRedirectURIPrefixMatch: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return statusOf(authorize(t, ts, tokenOf(ts, colU), models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: app.CallbackURLs[0] + "/evil"}))
	},
	DevNoStoreMissing: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		f := url.Values{"grant_type": {"authorization_code"}, "client_id": {app.ID}, "client_secret": {app.ClientSecret.Reveal()}, "code": {code}, "redirect_uri": {app.CallbackURLs[0]}}
		return do(t, ts, req{Method: http.MethodPost, Path: "/oauth/access_token", Form: f}).Header.Get("Cache-Control")
	},
	DevListHidesSecret: func(t *testing.T, ts *TestServer) string {
		createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		var apps []models.OAuthApp
		do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colC)}).decode(t, &apps)
		require.Len(t, apps, 1)
		return fmt.Sprint(apps[0].ClientSecret.IsSet())
	},
	DevAdminNotSystemWide: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		get := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colSA)})
		list := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colSA)})
		return statusOf(get) + "," + listLen(t, list)
	},
	DevTrustedIgnoredForAdmin: func(t *testing.T, ts *TestServer) string {
		b := newApp("x")
		b.IsTrusted = true
		created := createApp(t, ts, tokenOf(ts, colSA), b)
		u := created.UpdateRequest()
		u.IsTrusted = false
		var updated models.OAuthApp
		do(t, ts, req{Method: http.MethodPut, Path: "/api/v4/oauth/apps/" + created.ID, Token: tokenOf(ts, colSA), Body: u}).decode(t, &updated)
		return fmt.Sprint(created.IsTrusted, updated.IsTrusted)
	},
	DevOAuthGateMissing: func(t *testing.T, ts *TestServer) string {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableDeveloper = true }) // to see which permission the 403 names
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return do(t, ts, req{Method: http.MethodDelete, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colU)}).appError(t).DetailedError
	},
	DevInfoRequiresManageOAuth: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID + "/info", Token: tokenOf(ts, colU)}))
	},
	DevAuthorizedSelfForbidden: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized", Token: tokenOf(ts, colU)}))
	},
	DevAuthorizedOtherAllowed: func(t *testing.T, ts *TestServer) string {
		path := "/api/v4/users/" + idOf(ts, colC) + "/oauth/apps/authorized"
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: path, Token: tokenOf(ts, colU)}))
	},
	DevEditOtherUsersIgnored: func(t *testing.T, ts *TestServer) string {
		path := "/api/v4/users/" + idOf(ts, colU) + "/oauth/apps/authorized"
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: path, Token: tokenOf(ts, colSA)}))
	},
	DevLenientJSON: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		create := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colC), Body: `{"name":`})
		update := do(t, ts, req{Method: http.MethodPut, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC), Body: `{"id":"` + app.ID + `","name":5}`})
		return create.appError(t).ID + "," + update.appError(t).ID
	},
	DevSkipAppValidation: func(t *testing.T, ts *TestServer) string {
		b := newApp("")
		return statusOf(do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colC), Body: b}))
	},
	DevTokenRequestUnchecked: func(t *testing.T, ts *TestServer) string {
		var out []string
		for _, f := range []url.Values{
			{"grant_type": {"password"}, "client_id": {newID()}, "code": {"x"}},
			{"grant_type": {"authorization_code"}, "client_id": {newID()}},
			{"grant_type": {"authorization_code"}, "client_id": {"junk"}, "code": {"x"}},
		} {
			out = append(out, statusOf(do(t, ts, req{Method: http.MethodPost, Path: "/oauth/access_token", Form: f})))
		}
		return strings.Join(out, ",")
	},
	DevStrictPagingParams: func(t *testing.T, ts *TestServer) string {
		var out []string
		for _, q := range []string{"per_page=abc", "page=-1"} {
			out = append(out, statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps?" + q, Token: tokenOf(ts, colSA)})))
			out = append(out, statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized?" + q, Token: tokenOf(ts, colU)})))
		}
		return strings.Join(out, ",")
	},
	DevAllowlistIgnored: func(t *testing.T, ts *TestServer) string {
		ts.Server.UpdateConfig(func(c *Config) {
			c.EnableDynamicClientRegistration = true
			c.DCRRedirectURIAllowlist = []string{"https://allowed.example.com/**"}
		})
		return statusOf(register(t, ts, `{"redirect_uris":["https://other.example.com/cb"]}`, ""))
	},
	DevRefusedCreatePersists: func(t *testing.T, ts *TestServer) string {
		r := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colU), Body: newApp("x")})
		return statusOf(r) + "," + fmt.Sprint(ts.Server.mem().appCount())
	},
	DevPublicRegenPersists: func(t *testing.T, ts *TestServer) string {
		app := publicApp(t, ts)
		r := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/" + app.ID + "/regen_secret", Token: tokenOf(ts, colC)})
		return statusOf(r) + "," + secretSet(t, do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)}))
	},
	DevDCRDisabledPersists: func(t *testing.T, ts *TestServer) string {
		r := register(t, ts, `{"redirect_uris":["https://x.example.com/cb"]}`, "")
		return statusOf(r) + "," + fmt.Sprint(ts.Server.mem().appCount())
	},
	DevUpdateClearsSecret: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		do(t, ts, req{Method: http.MethodPut, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC), Body: app.UpdateRequest()})
		return secretSet(t, do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)}))
	},
	DevUpdateAtFrozen: func(t *testing.T, ts *TestServer) string {
		// An app stored with update_at 1 ms, so that any real update moves it.
		app := models.OAuthApp{ID: newID(), CreatorID: idOf(ts, colC), Name: "x", ClientSecret: models.Secret(newID()),
			CallbackURLs: []string{"https://b.example.com/cb"}, Homepage: "https://b.example.com", CreateAt: 1, UpdateAt: 1}
		ts.Server.mem().insertApp(app)
		var got models.OAuthApp
		do(t, ts, req{Method: http.MethodPut, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC), Body: app.UpdateRequest()}).decode(t, &got)
		return fmt.Sprint(got.UpdateAt)
	},
	DevUpdateKeepsHomepage: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		u := app.UpdateRequest()
		u.Homepage = "https://elsewhere.example.com"
		var got models.OAuthApp
		do(t, ts, req{Method: http.MethodPut, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC), Body: u}).decode(t, &got)
		return got.Homepage
	},
	DevTimestampsInSeconds: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return fmt.Sprint(app.CreateAt > 1e12)
	},
	DevPageIgnored: func(t *testing.T, ts *TestServer) string {
		insertApps(ts, 2, ts.Identities.SystemAdmin.ID)
		var p0, p1 []models.OAuthApp
		do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps?page=0&per_page=1", Token: tokenOf(ts, colSA)}).decode(t, &p0)
		do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps?page=1&per_page=1", Token: tokenOf(ts, colSA)}).decode(t, &p1)
		require.Len(t, p0, 1)
		require.Len(t, p1, 1)
		return fmt.Sprint(p0[0].ID == p1[0].ID)
	},
	DevRefreshNotRotated: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		tok := accessOf(t, exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], ""))
		next := accessOf(t, refreshGrant(t, ts, app.ID, app.ClientSecret.Reveal(), tok.RefreshToken.Reveal()))
		return fmt.Sprint(next.RefreshToken.Reveal() == tok.RefreshToken.Reveal())
	},
	DevDeauthorizeKeepsRefreshToken: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		tok := accessOf(t, exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], ""))
		do(t, ts, req{Method: http.MethodPost, Path: "/oauth/deauthorize", Token: tokenOf(ts, colU), Body: models.DeauthorizeRequest{ClientID: app.ID}})
		access := meStatus(t, ts, tok.AccessToken.Reveal())
		return fmt.Sprint(access) + "," + statusOf(refreshGrant(t, ts, app.ID, app.ClientSecret.Reveal(), tok.RefreshToken.Reveal()))
	},
	DevCodeRedirectUnchecked: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		return statusOf(exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, "https://app.example.com/other", ""))
	},
	DevVerifierWithoutChallenge: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		return statusOf(exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], testVerifier))
	},
	DevPKCEChallengeUnchecked: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		var out []string
		for _, ch := range [][2]string{{testVerifier, "plain"}, {testChallenge[:42], "S256"}} {
			ar := models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: app.CallbackURLs[0],
				CodeChallenge: ch[0], CodeChallengeMethod: ch[1]}
			out = append(out, statusOf(authorize(t, ts, tokenOf(ts, colU), ar)))
		}
		return strings.Join(out, ",")
	},
	DevUnknownTokenAccepted: func(t *testing.T, ts *TestServer) string {
		return fmt.Sprint(meStatus(t, ts, "unknowntokenxxxxxxxxxxxxxx"))
	},
	DevOAuthTokenMayAuthorize: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		tok := accessOf(t, exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], ""))
		return statusOf(do(t, ts, req{Method: http.MethodPost, Path: "/oauth/authorize", Token: tok.AccessToken.Reveal(),
			Body: models.AuthorizeRequest{ResponseType: models.ResponseTypeCode, ClientID: app.ID, RedirectURI: app.CallbackURLs[0], Scope: "user", State: "s"}}))
	},
	DevPublicSecretAccepted: func(t *testing.T, ts *TestServer) string {
		app := publicApp(t, ts)
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, testChallenge)
		return statusOf(exchange(t, ts, app.ID, "somesecretxxxxxxxxxxxxxxxx", code, app.CallbackURLs[0], testVerifier))
	},
	DevDeauthorizeAnyClientID: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodPost, Path: "/oauth/deauthorize", Token: tokenOf(ts, colU), Body: `{"client_id":"not-an-id"}`}))
	},
	DevAuthorizeStateDropped: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return redirectOf(t, authorize(t, ts, tokenOf(ts, colU), models.AuthorizeRequest{
			ResponseType: "code", ClientID: app.ID, RedirectURI: app.CallbackURLs[0], State: "st"})).Query().Get("state")
	},
	DevImplicitTokenInQuery: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		u := redirectOf(t, authorize(t, ts, tokenOf(ts, colU), models.AuthorizeRequest{
			ResponseType: "token", ClientID: app.ID, RedirectURI: app.CallbackURLs[0], State: "st"}))
		return fmt.Sprint(u.Query().Has("access_token"))
	},
	DevUnknownResponseTypeGetsCode: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return redirectOf(t, authorize(t, ts, tokenOf(ts, colU), models.AuthorizeRequest{
			ResponseType: "id_token", ClientID: app.ID, RedirectURI: app.CallbackURLs[0], State: "st"})).Query().Get("error")
	},
	DevAuthorizePageAnonymous401: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: authorizePage(app, app.CallbackURLs[0])}))
	},
	DevAuthorizePageOpenRedirect: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: authorizePage(app, "https://elsewhere.example.com/cb"), Token: tokenOf(ts, colU)}))
	},
	DevAuthorizePageAlwaysConsent: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: authorizePage(app, app.CallbackURLs[0]), Token: tokenOf(ts, colU)}))
	},
	DevAuthorizePageSkipsConsent: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: authorizePage(app, app.CallbackURLs[0]), Token: tokenOf(ts, colU)}))
	},
	DevDeauthorizeUnapproved404: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodPost, Path: "/oauth/deauthorize", Token: tokenOf(ts, colU),
			Body: models.DeauthorizeRequest{ClientID: newID()}}))
	},
	DevQueryTokenAnySession: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me?access_token=" + tokenOf(ts, colU)}))
	},
	DevBearerSchemeCaseSensitive: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me",
			Header: map[string]string{"Authorization": "bearer " + tokenOf(ts, colU)}}))
	},
	DevTokenUnknownClient401: func(t *testing.T, ts *TestServer) string {
		return statusOf(exchange(t, ts, newID(), "secret", "code", "https://app.example.com/cb", ""))
	},
	DevCodeExchangeNewToken: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		var tokens []string
		for range 2 {
			code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
			tokens = append(tokens, accessOf(t, exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], "")).AccessToken.Reveal())
		}
		return fmt.Sprint(tokens[0] == tokens[1])
	},
	DevMetadataNoAuthMethodNone: func(t *testing.T, ts *TestServer) string {
		return fmt.Sprint(metadata(t, ts).TokenEndpointAuthMethodsSupported)
	},
	DevPragmaMissing: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		return exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], "").Header.Get("Pragma")
	},
	DevUpdateSkipsValidation: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		app.Name = ""
		return statusOf(do(t, ts, req{Method: http.MethodPut, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC), Body: app}))
	},
	DevOAuthTokenNoPermissions: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colC), app, "")
		tok := accessOf(t, exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], ""))
		return statusOf(do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: tok.AccessToken.Reveal(), Body: newApp("y")}))
	},
	DevAuthorizeLongStateAccepted: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		return statusOf(authorize(t, ts, tokenOf(ts, colU), models.AuthorizeRequest{
			ResponseType: "code", ClientID: app.ID, RedirectURI: app.CallbackURLs[0], State: strings.Repeat("s", models.MaxStateLength+1)}))
	},
	DevMissingSecretAccepted: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		return statusOf(exchange(t, ts, app.ID, "", code, app.CallbackURLs[0], ""))
	},
	DevDeleteKeepsSessions: func(t *testing.T, ts *TestServer) string {
		app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
		code := authorizeCode(t, ts, tokenOf(ts, colU), app, "")
		tok := accessOf(t, exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], ""))
		do(t, ts, req{Method: http.MethodDelete, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)})
		return fmt.Sprint(meStatus(t, ts, tok.AccessToken.Reveal()))
	},
	DevDCRClientURIDropped: func(t *testing.T, ts *TestServer) string {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableDynamicClientRegistration = true })
		var resp models.ClientRegistrationResponse
		register(t, ts, `{"redirect_uris":["https://x.example.com/cb"],"client_uri":"https://x.example.com"}`, "").decode(t, &resp)
		return resp.ClientURI
	},
	DevDCRSecretMismatch: func(t *testing.T, ts *TestServer) string {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableDynamicClientRegistration = true })
		var resp models.ClientRegistrationResponse
		register(t, ts, `{"redirect_uris":["https://x.example.com/cb"]}`, "").decode(t, &resp)
		stored, ok := ts.Server.mem().getApp(resp.ClientID)
		require.True(t, ok)
		return fmt.Sprint(sameSecretValue(stored.ClientSecret, resp.ClientSecret))
	},
	DevDCRRedirectURIsTruncated: func(t *testing.T, ts *TestServer) string {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableDynamicClientRegistration = true })
		var resp models.ClientRegistrationResponse
		register(t, ts, `{"redirect_uris":["https://x.example.com/a","https://x.example.com/b"]}`, "").decode(t, &resp)
		return strings.Join(resp.RedirectURIs, ",")
	},
	DevMetadataUnsupportedGrant: func(t *testing.T, ts *TestServer) string {
		return strings.Join(metadata(t, ts).GrantTypesSupported, ",")
	},
	DevStatusCodeMismatch: func(t *testing.T, ts *TestServer) string {
		r := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + newID(), Token: tokenOf(ts, colC)})
		return statusOf(r) + "," + fmt.Sprint(r.appError(t).StatusCode)
	},
	DevMetadataIgnoresProviderOff: func(t *testing.T, ts *TestServer) string {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableOAuthServiceProvider = false })
		return fmt.Sprint(do(t, ts, req{Method: http.MethodGet, Path: metadataPath}).Status)
	},
	DevMeWithoutRoles: func(t *testing.T, ts *TestServer) string {
		var u models.User
		do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me", Token: tokenOf(ts, colC)}).decode(t, &u)
		return u.Roles
	},
	DevTrustedOnlyInAnswer: func(t *testing.T, ts *TestServer) string {
		b := newApp("x")
		b.IsTrusted = true
		app := createApp(t, ts, tokenOf(ts, colC), b)
		var got models.OAuthApp
		do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)}).decode(t, &got)
		return fmt.Sprint(app.IsTrusted, got.IsTrusted)
	},
	DevLongIDAccepted: func(t *testing.T, ts *TestServer) string {
		return statusOf(do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + newID() + "x", Token: tokenOf(ts, colC)}))
	},
}

// redirectOf is the redirect URL of a 200 authorize answer.
func redirectOf(t *testing.T, r reply) *url.URL {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "authorize: %s", r.Body)
	var ans models.AuthorizeResponse
	r.decode(t, &ans)
	u, err := url.Parse(ans.Redirect.Reveal())
	require.NoError(t, err)
	return u
}

// authorizePage is the browser entry point's path for a code for app.
func authorizePage(app models.OAuthApp, redirectURI string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {app.ID}, "redirect_uri": {redirectURI}, "state": {"st"}}
	return "/oauth/authorize?" + q.Encode()
}

// sameSecretValue compares two secrets without printing either.
func sameSecretValue(a, b models.Secret) bool { return a.Reveal() == b.Reveal() }

// schemaDrift are the deviations whose answers the document itself refuses,
// so response validation reports them.
var schemaDrift = map[Deviation]bool{
	DevPagePastEndError: true, DevDCRAppErrorBody: true, DevDCRRequiresSession: true, DevWrongContentType: true,
	DevAppMissingCreateAt: true, DevStatusOKLowercase: true, DevNoStoreMissing: true,
	DevInfoRequiresManageOAuth:   true, // the document declares no 403 for /info
	DevSkipAppValidation:         true, // it answers apps OAuthApp.IsValid refuses (the document's OAuthApp constraints)
	DevUpdateSkipsValidation:     true, // likewise on update
	DevAuthorizePageAnonymous401: true, // the document declares no 401 for the browser entry point
	DevDeauthorizeUnapproved404:  true, // nor a 404 for deauthorize
}

// TestDeviations: each deviation changes exactly the behaviour it names (the
// probe's observation differs from a faithful server's), and the ones that
// break the document are caught by response validation while the faithful
// run is clean.
func TestDeviations(t *testing.T) {
	require.ElementsMatch(t, AllDeviations(), keys(probes), "every deviation has a probe")
	for _, d := range AllDeviations() {
		t.Run(string(d), func(t *testing.T) {
			run := func(opts ...Option) (string, []error) {
				var mu sync.Mutex
				var errs []error
				opts = append(opts, WithResponseValidation(func(err error) {
					mu.Lock()
					defer mu.Unlock()
					errs = append(errs, err)
				}))
				ts := NewTestServer(t, opts...)
				got := probes[d](t, ts)
				mu.Lock()
				defer mu.Unlock()
				return got, errs
			}
			faithful, faithfulErrs := run()
			broken, brokenErrs := run(WithDeviations(d))
			assert.NotEqual(t, faithful, broken, "the deviation changes nothing")
			assert.Empty(t, faithfulErrs, "a faithful server matches the document")
			if schemaDrift[d] {
				assert.NotEmpty(t, brokenErrs, "response validation must catch this drift")
			} else {
				assert.Empty(t, brokenErrs, "this deviation keeps to the document")
			}
		})
	}
}

func keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestParseDeviation accepts the listed names only.
func TestParseDeviation(t *testing.T) {
	d, err := ParseDeviation("code-reusable")
	require.NoError(t, err)
	assert.Equal(t, DevCodeReusable, d)
	_, err = ParseDeviation("nope")
	require.Error(t, err)
	_, err = New(WithDeviations("nope"))
	require.Error(t, err)
}
