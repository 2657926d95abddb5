package readmecheck

import (
	"context"
	"errors"
	"fmt"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

// readme:application

// ManageApps creates an app, lists every app, deletes the app and reads the
// typed error of a missing one.
func ManageApps(ctx context.Context, serverURL, adminToken string) error {
	c, err := client.New(serverURL, client.WithToken(adminToken))
	if err != nil {
		return err
	}

	app, _, err := c.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{
		Name:         "Deploy bot",
		Homepage:     "https://deploy.example.com",
		CallbackURLs: []string{"https://deploy.example.com/oauth/callback"},
	})
	if err != nil {
		return err // *models.ValidationError before sending, *client.Error after
	}
	fmt.Println("created", app.ID, app.ClientSecret) // the secret prints as [REDACTED]
	// Use app.ClientSecret.Reveal() where the secret must really go.

	for a, err := range c.OAuthApps(ctx, 100) { // every page, 100 at a time
		if err != nil {
			return err
		}
		fmt.Println(a.ID, a.Name)
	}

	if _, _, err := c.DeleteOAuthApp(ctx, app.ID); err != nil {
		return err
	}
	_, _, err = c.GetOAuthApp(ctx, app.ID)
	var apiErr *client.Error
	if errors.Is(err, client.ErrNotFound) && errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ID, apiErr.RequestID) // 404 app.oauth.get_app.find.app_error ...
		return nil
	}
	return err
}

// readme:end
