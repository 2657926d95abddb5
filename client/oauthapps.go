package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/mmoauth/mmoauth/models"
)

// Routes (server/channels/api4/oauth.go, api4/user.go, web/oauth.go).
var (
	pathOAuthApps = escapePath("api", "v4", "oauth", "apps")
	pathRegister  = escapePath("api", "v4", "oauth", "apps", "register")
	pathMe        = escapePath("api", "v4", "users", "me")
	pathMetadata  = escapePath(".well-known", "oauth-authorization-server")
	pathAuthorize = escapePath("oauth", "authorize")
	pathDeauth    = escapePath("oauth", "deauthorize")
)

func pathOAuthApp(appID string, sub ...string) string {
	return pathOAuthApps + escapePath(append([]string{appID}, sub...)...)
}

func pageQuery(page, perPage int) url.Values {
	return url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(perPage)}}
}

// CreateOAuthApp registers an OAuth app (POST /api/v4/oauth/apps; needs
// manage_oauth). The answer (201) includes the client secret, empty for a
// public app. Without manage_system the server forces is_trusted to false.
func (c *Client) CreateOAuthApp(ctx context.Context, app *models.CreateOAuthAppRequest) (*models.OAuthApp, *Response, error) {
	if err := app.Validate(); err != nil {
		return nil, nil, err
	}
	return sendFor[models.OAuthApp](ctx, c, request{method: http.MethodPost, path: pathOAuthApps, body: app, name: app.Name})
}

// GetOAuthApps lists OAuth apps (GET /api/v4/oauth/apps?page&per_page): all
// of them with manage_system_wide_oauth, else the caller's own. page and
// perPage are sent as given: the server treats negative values as the
// defaults (0 and 60) and clamps perPage to 200 (server/channels/web/params.go). Secrets are
// included.
func (c *Client) GetOAuthApps(ctx context.Context, page, perPage int) ([]*models.OAuthApp, *Response, error) {
	return c.listApps(ctx, request{method: http.MethodGet, path: pathOAuthApps, query: pageQuery(page, perPage)})
}

// GetOAuthApp fetches one app with its secret (GET /api/v4/oauth/apps/{app_id};
// the creator or manage_system_wide_oauth).
func (c *Client) GetOAuthApp(ctx context.Context, appID string) (*models.OAuthApp, *Response, error) {
	if err := checkID("app_id", appID); err != nil {
		return nil, nil, err
	}
	return sendFor[models.OAuthApp](ctx, c, request{method: http.MethodGet, path: pathOAuthApp(appID)})
}

// UpdateOAuthApp replaces an app's editable fields (PUT
// /api/v4/oauth/apps/{app.ID}). Start from OAuthApp.UpdateRequest to keep
// the fields you do not change. Without manage_system the server keeps the
// stored is_trusted.
func (c *Client) UpdateOAuthApp(ctx context.Context, app *models.UpdateOAuthAppRequest) (*models.OAuthApp, *Response, error) {
	if err := app.Validate(); err != nil {
		return nil, nil, err
	}
	return sendFor[models.OAuthApp](ctx, c, request{method: http.MethodPut, path: pathOAuthApp(app.ID), body: app})
}

// DeleteOAuthApp deletes an app (DELETE /api/v4/oauth/apps/{app_id}).
func (c *Client) DeleteOAuthApp(ctx context.Context, appID string) (*models.StatusOK, *Response, error) {
	if err := checkID("app_id", appID); err != nil {
		return nil, nil, err
	}
	return sendFor[models.StatusOK](ctx, c, request{method: http.MethodDelete, path: pathOAuthApp(appID)})
}

// RegenerateOAuthAppSecret issues a new client secret (POST
// /api/v4/oauth/apps/{app_id}/regen_secret); the old one stops working. A
// public app gets 400. Never retried once sent: a second regeneration would
// invalidate the secret the first one returned.
func (c *Client) RegenerateOAuthAppSecret(ctx context.Context, appID string) (*models.OAuthApp, *Response, error) {
	if err := checkID("app_id", appID); err != nil {
		return nil, nil, err
	}
	return sendFor[models.OAuthApp](ctx, c, request{method: http.MethodPost, path: pathOAuthApp(appID, "regen_secret")})
}

// GetOAuthAppInfo fetches an app's public fields (GET
// /api/v4/oauth/apps/{app_id}/info; any logged-in user); ClientSecret is
// always empty.
func (c *Client) GetOAuthAppInfo(ctx context.Context, appID string) (*models.OAuthApp, *Response, error) {
	if err := checkID("app_id", appID); err != nil {
		return nil, nil, err
	}
	return sendFor[models.OAuthApp](ctx, c, request{method: http.MethodGet, path: pathOAuthApp(appID, "info")})
}

// GetAuthorizedOAuthAppsForUser lists the apps a user has authorized (GET
// /api/v4/users/{user_id}/oauth/apps/authorized?page&per_page). userID may
// be "me"; another user needs edit_other_users. Secrets are blank.
func (c *Client) GetAuthorizedOAuthAppsForUser(ctx context.Context, userID string, page, perPage int) ([]*models.OAuthApp, *Response, error) {
	if err := checkUserID(userID); err != nil {
		return nil, nil, err
	}
	p := escapePath("api", "v4", "users", userID, "oauth", "apps", "authorized")
	return c.listApps(ctx, request{method: http.MethodGet, path: p, query: pageQuery(page, perPage)})
}

func (c *Client) listApps(ctx context.Context, rq request) ([]*models.OAuthApp, *Response, error) {
	var apps []*models.OAuthApp
	r, err := c.send(ctx, rq, &apps)
	if err != nil {
		return nil, r, err
	}
	for i, a := range apps {
		if a == nil {
			return nil, r, &DecodeError{StatusCode: r.StatusCode, Method: rq.method, Path: pathOf(c, rq),
				ContentType: r.Header.Get("Content-Type"), Err: fmt.Errorf("element %d of the list is null", i)}
		}
	}
	return apps, r, nil
}

func pathOf(c *Client, rq request) string {
	return resolve(c.base, rq.path, nil).EscapedPath()
}

// sendFor sends rq and decodes the 2xx body into a new T.
func sendFor[T any](ctx context.Context, c *Client, rq request) (*T, *Response, error) {
	out := new(T)
	r, err := c.send(ctx, rq, out)
	if err != nil {
		return nil, r, err
	}
	return out, r, nil
}
