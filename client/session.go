package client

import (
	"context"
	"net/http"

	"github.com/mmoauth/mmoauth/models"
)

// AuthorizeOAuthApp approves an app for the session's user (POST
// {base}/oauth/authorize, JSON; not under /api/v4, like Client4). The answer
// is the redirect URL carrying the authorization code (or an error);
// AuthorizeResponse.Code extracts it. A public client must send a PKCE
// challenge (see PKCE.ApplyTo). Sessions of OAuth access tokens get 403.
func (c *Client) AuthorizeOAuthApp(ctx context.Context, req *models.AuthorizeRequest) (*models.AuthorizeResponse, *Response, error) {
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	return sendFor[models.AuthorizeResponse](ctx, c, request{method: http.MethodPost, path: pathAuthorize, body: req})
}

// DeauthorizeOAuthApp revokes the session user's authorization of an app
// and its tokens (POST {base}/oauth/deauthorize with {"client_id"}).
func (c *Client) DeauthorizeOAuthApp(ctx context.Context, clientID string) (*models.StatusOK, *Response, error) {
	// The id travels in the body, so the server's error names the body (server/channels/api4/oauth.go).
	if err := validID("client_id", clientID, "api.context.invalid_body_param.app_error"); err != nil {
		return nil, nil, err
	}
	body := &models.DeauthorizeRequest{ClientID: clientID}
	return sendFor[models.StatusOK](ctx, c, request{method: http.MethodPost, path: pathDeauth, body: body})
}

// GetMe returns the user the client authenticates as (GET /api/v4/users/me).
func (c *Client) GetMe(ctx context.Context) (*models.User, *Response, error) {
	return sendFor[models.User](ctx, c, request{method: http.MethodGet, path: pathMe})
}
