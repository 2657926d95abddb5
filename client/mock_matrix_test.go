package client_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// matrixRig is a server with DCR on, a client per identity of the
// permission matrix (the permission checks of server/channels/api4/oauth.go)
// and a way to make an app as its creator. The mock's rig is here; the live
// tests (live_test.go) build one for a real server.
type matrixRig struct {
	ts      *mockserver.TestServer    // nil on a live server
	as      map[string]*client.Client // anon, U, C, N, SA
	userID  map[string]string         // U, C -> their user ids
	creator *client.Client
	// created collects the ids of the apps the rows create, for a live
	// server's cleanup.
	created []string
}

func newMatrixRig(t *testing.T) *matrixRig {
	t.Helper()
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	ts := mockserver.NewTestServer(t, mockserver.WithConfig(cfg))
	ids := ts.Identities
	r := newRig(t, ts.URL, map[string]string{"U": ids.PlainUser.Token, "C": ids.OAuthManager.Token, "N": ids.OAuthManager2.Token, "SA": ids.SystemAdmin.Token})
	r.ts = ts
	return r
}

// newRig builds the clients of the matrix for a server and its identities'
// tokens (keys U, C, N, SA) and reads the users' ids.
func newRig(t *testing.T, url string, tokens map[string]string) *matrixRig {
	t.Helper()
	anon, err := client.New(url, client.WithRetryPolicy(client.NoRetry()))
	require.NoError(t, err)
	r := &matrixRig{as: map[string]*client.Client{"anon": anon}, userID: map[string]string{}}
	for who, tok := range tokens {
		r.as[who] = anon.WithToken(tok)
		me, _, err := r.as[who].GetMe(context.Background())
		require.NoError(t, err, "GET /users/me as %s", who)
		r.userID[who] = me.ID
	}
	r.creator = r.as["C"]
	return r
}

// newApp creates a confidential app as C, the creator of the matrix.
func (r *matrixRig) newApp(t *testing.T) *models.OAuthApp {
	t.Helper()
	app, _, err := r.creator.CreateOAuthApp(context.Background(), &models.CreateOAuthAppRequest{
		Name: "matrix", Description: "permission matrix", Homepage: "https://matrix.example.com",
		CallbackURLs: []string{"https://matrix.example.com/cb"},
	})
	require.NoError(t, err)
	r.created = append(r.created, app.ID)
	return app
}

// TestPermissionMatrixThroughTheClient runs every operation as every
// identity of the permission checks of server/channels/api4/oauth.go over real HTTP against the mock, and checks the
// status and the typed error the client returns for it.
func TestPermissionMatrixThroughTheClient(t *testing.T) {
	runMatrix(t, newMatrixRig(t))
}

// matrixOp is one operation of the matrix and the status each identity
// gets for it.
type matrixOp struct {
	name string
	do   func(ctx context.Context, c *client.Client, r *matrixRig, app *models.OAuthApp) (*client.Response, error)
	want map[string]int // identity → status
}

// matrixOps are the permission matrix's rows; identical for the mock and a
// real server (seen on Mattermost 11.6).
func matrixOps() []matrixOp {
	return []matrixOp{
		{"CreateOAuthApp", func(ctx context.Context, c *client.Client, r *matrixRig, _ *models.OAuthApp) (*client.Response, error) {
			app, resp, err := c.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{
				Name: "m", Homepage: "https://m.example.com", CallbackURLs: []string{"https://m.example.com/cb"},
			})
			if err == nil {
				r.created = append(r.created, app.ID)
			}
			return resp, err
		}, map[string]int{"anon": 401, "U": 403, "C": 201, "N": 201, "SA": 201}},
		{"GetOAuthApps", func(ctx context.Context, c *client.Client, _ *matrixRig, _ *models.OAuthApp) (*client.Response, error) {
			_, resp, err := c.GetOAuthApps(ctx, 0, 60)
			return resp, err
		}, map[string]int{"anon": 401, "U": 403, "C": 200, "N": 200, "SA": 200}},
		{"GetOAuthApp", func(ctx context.Context, c *client.Client, _ *matrixRig, app *models.OAuthApp) (*client.Response, error) {
			_, resp, err := c.GetOAuthApp(ctx, app.ID)
			return resp, err
		}, map[string]int{"anon": 401, "U": 403, "C": 200, "N": 403, "SA": 200}},
		{"UpdateOAuthApp", func(ctx context.Context, c *client.Client, _ *matrixRig, app *models.OAuthApp) (*client.Response, error) {
			req := app.UpdateRequest()
			req.Name = "renamed"
			_, resp, err := c.UpdateOAuthApp(ctx, req)
			return resp, err
		}, map[string]int{"anon": 401, "U": 403, "C": 200, "N": 403, "SA": 200}},
		{"DeleteOAuthApp", func(ctx context.Context, c *client.Client, _ *matrixRig, app *models.OAuthApp) (*client.Response, error) {
			_, resp, err := c.DeleteOAuthApp(ctx, app.ID)
			return resp, err
		}, map[string]int{"anon": 401, "U": 403, "C": 200, "N": 403, "SA": 200}},
		{"RegenerateOAuthAppSecret", func(ctx context.Context, c *client.Client, _ *matrixRig, app *models.OAuthApp) (*client.Response, error) {
			_, resp, err := c.RegenerateOAuthAppSecret(ctx, app.ID)
			return resp, err
		}, map[string]int{"anon": 401, "U": 403, "C": 200, "N": 403, "SA": 200}},
		{"GetOAuthAppInfo", func(ctx context.Context, c *client.Client, _ *matrixRig, app *models.OAuthApp) (*client.Response, error) {
			info, resp, err := c.GetOAuthAppInfo(ctx, app.ID)
			if err == nil && info.ClientSecret.IsSet() {
				return resp, errors.New("/info returned the secret")
			}
			return resp, err
		}, map[string]int{"anon": 401, "U": 200, "C": 200, "N": 200, "SA": 200}},
		{"GetAuthorizedOAuthAppsForUser/self", func(ctx context.Context, c *client.Client, _ *matrixRig, _ *models.OAuthApp) (*client.Response, error) {
			_, resp, err := c.GetAuthorizedOAuthAppsForUser(ctx, "me", 0, 60)
			return resp, err
		}, map[string]int{"anon": 401, "U": 200, "C": 200, "N": 200, "SA": 200}},
		{"GetAuthorizedOAuthAppsForUser/other", func(ctx context.Context, c *client.Client, r *matrixRig, _ *models.OAuthApp) (*client.Response, error) {
			_, resp, err := c.GetAuthorizedOAuthAppsForUser(ctx, r.userID["U"], 0, 60)
			return resp, err
		}, map[string]int{"anon": 401, "C": 403, "N": 403, "SA": 200}},
		{"GetAuthorizedOAuthAppsForUser/other-of-U", func(ctx context.Context, c *client.Client, r *matrixRig, _ *models.OAuthApp) (*client.Response, error) {
			_, resp, err := c.GetAuthorizedOAuthAppsForUser(ctx, r.userID["C"], 0, 60)
			return resp, err
		}, map[string]int{"U": 403}},
		{"RegisterOAuthClient", func(ctx context.Context, c *client.Client, r *matrixRig, _ *models.OAuthApp) (*client.Response, error) {
			reg, resp, err := c.RegisterOAuthClient(ctx, &models.ClientRegistrationRequest{RedirectURIs: []string{"https://bot.example.com/cb"}})
			if err == nil {
				r.created = append(r.created, reg.ClientID)
			}
			return resp, err
		}, map[string]int{"anon": 201, "U": 201, "C": 201, "N": 201, "SA": 201}},
		{"GetAuthorizationServerMetadata", func(ctx context.Context, c *client.Client, _ *matrixRig, _ *models.OAuthApp) (*client.Response, error) {
			_, resp, err := c.GetAuthorizationServerMetadata(ctx)
			return resp, err
		}, map[string]int{"anon": 200, "U": 200, "C": 200, "N": 200, "SA": 200}},
	}
}

// runMatrix runs every row of the matrix as every identity of r, each on a
// fresh app, and checks the status and the typed error.
func runMatrix(t *testing.T, r *matrixRig, skip ...string) {
	sentinels := map[int]error{401: client.ErrUnauthorized, 403: client.ErrForbidden}
	for _, op := range matrixOps() {
		if slices.Contains(skip, op.name) {
			continue
		}
		for who, want := range op.want {
			t.Run(op.name+"/"+who, func(t *testing.T) {
				app := r.newApp(t) // a fresh app per row: rows delete and rename
				resp, err := op.do(context.Background(), r.as[who], r, app)
				require.NotNil(t, resp, "every answered call returns a *Response (err: %v)", err)
				assert.Equal(t, want, resp.StatusCode)
				if want >= 400 {
					require.ErrorIs(t, err, sentinels[want])
					var apiErr *client.Error
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, want, apiErr.StatusCode)
					assert.NotEmpty(t, apiErr.ID, "AppError id carried by the typed error")
					// A refused write leaves the app as it was (checked as its creator).
					got, _, gerr := r.creator.GetOAuthApp(context.Background(), app.ID)
					require.NoError(t, gerr)
					assert.Equal(t, app.Name, got.Name)
					assert.Equal(t, app.ClientSecret.Reveal(), got.ClientSecret.Reveal())
					return
				}
				require.NoError(t, err)
				assert.NotEmpty(t, resp.RequestID, "X-Request-Id surfaces in Response")
			})
		}
	}
}

// TestClientAgainstMockErrorIDs checks the exact error ids the client
// surfaces for the quirks of server/channels/api4/oauth.go and docs/RULES.md.
func TestClientAgainstMockErrorIDs(t *testing.T) {
	r := newMatrixRig(t)
	ctx := context.Background()
	app := r.newApp(t)

	_, _, err := r.as["U"].GetOAuthApps(ctx, 0, 60)
	var apiErr *client.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "api.command.admin_only.app_error", apiErr.ID, "docs/RULES.md")

	_, _, err = r.as["SA"].GetOAuthApp(ctx, "abcdefghijklmnopqrstuvwxyz")
	require.ErrorIs(t, err, client.ErrNotFound)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "app.oauth.get_app.find.app_error", apiErr.ID)

	pub, _, err := r.creator.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{
		Name: "public", Homepage: "https://p.example.com", CallbackURLs: []string{"https://p.example.com/cb"}, IsPublic: true,
	})
	require.NoError(t, err)
	assert.True(t, pub.IsPublic())
	_, resp, err := r.creator.RegenerateOAuthAppSecret(ctx, pub.ID)
	require.ErrorIs(t, err, client.ErrBadRequest)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "api.oauth.regenerate_secret.public_client.app_error", apiErr.ID)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	r.ts.Server.UpdateConfig(func(c *mockserver.Config) { c.EnableOAuthServiceProvider = false })
	_, _, err = r.creator.GetOAuthApp(ctx, app.ID)
	require.ErrorIs(t, err, client.ErrNotImplemented)
	_, _, err = r.as["anon"].RegisterOAuthClient(ctx, &models.ClientRegistrationRequest{RedirectURIs: []string{"https://bot.example.com/cb"}})
	require.ErrorIs(t, err, client.ErrBadRequest, "DCR with the provider off is 400, not 501 (server/channels/api4/oauth.go registerOAuthClient)")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, models.DCRErrorUnsupportedOperation, apiErr.OAuthError)
}
