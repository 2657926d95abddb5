package readmecheck

import (
	"context"
	"errors"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

// readme:reconcile

// CreateOnce creates an app. When the answer was lost, it first finds out
// whether the server created the app anyway, so that a retry never makes
// a second one. Give each create a name you can recognise.
func CreateOnce(ctx context.Context, c *client.Client, req *models.CreateOAuthAppRequest) (*models.OAuthApp, error) {
	app, _, err := c.CreateOAuthApp(ctx, req)
	var unknown *client.OutcomeUnknownError
	if !errors.As(err, &unknown) {
		return app, err // created, or refused: the outcome is known
	}
	// errors.Is(err, client.ErrOutcomeUnknown): the server may have acted.
	for a, lerr := range c.OAuthApps(ctx, 200) {
		if lerr != nil {
			return nil, errors.Join(err, lerr)
		}
		if a.Name == unknown.Name {
			return a, nil // created after all; the listing carries its secret
		}
	}
	app, _, err = c.CreateOAuthApp(ctx, req) // not created: safe to send again
	return app, err
}

// readme:end
