package client

import (
	"context"
	"net/http"

	"github.com/mmoauth/mmoauth/models"
)

// GetAuthorizationServerMetadata fetches the RFC 8414 document this server
// serves (GET {base}/.well-known/oauth-authorization-server, no
// authentication) as is, without validating it; Discover validates. 501 when
// the OAuth service provider is disabled.
func (c *Client) GetAuthorizationServerMetadata(ctx context.Context) (*models.AuthorizationServerMetadata, *Response, error) {
	return sendFor[models.AuthorizationServerMetadata](ctx, c, request{method: http.MethodGet, path: pathMetadata, anonymous: true})
}

// RegisterOAuthClient registers a client with RFC 7591 dynamic client
// registration (POST /api/v4/oauth/apps/register). It never sends the
// client's token: the endpoint is unauthenticated. It answers 201; errors
// carry the RFC 7591 code in Error.OAuthError (400 unsupported_operation
// when registration or the provider is disabled). The server may rate-limit
// it (429 "limit exceeded"), which is retried after Retry-After; a request
// that reached the server is never retried, so a client is never registered
// twice.
func (c *Client) RegisterOAuthClient(ctx context.Context, req *models.ClientRegistrationRequest) (*models.ClientRegistrationResponse, *Response, error) {
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	return sendFor[models.ClientRegistrationResponse](ctx, c, request{method: http.MethodPost, path: pathRegister, body: req, anonymous: true, name: req.ClientName})
}
