// Command manage-apps walks through the administrator's side of Mattermost's
// OAuth 2.0 service provider with the client package: create an app, list
// apps with the paging iterator, update it, regenerate its secret, delete it,
// and tell the typed errors apart.
//
// With no arguments it runs against an embedded mock server:
//
//	go run ./examples/manage-apps
//
// Against a real server it needs a token with manage_oauth (a system
// administrator's personal access token, on a stock server):
//
//	MMOAUTH_TOKEN=... go run ./examples/manage-apps -url https://chat.example.com
//
// It prints no secret: only whether one was issued or changed.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/examples/internal/exampleenv"
	"github.com/mmoauth/mmoauth/models"
)

func main() { exampleenv.Main(run) }

const appName = "mmoauth manage-apps example"

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Setup(ctx, "manage-apps", args, stdout, nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.Close()) }()

	c, err := client.New(env.URL, client.WithToken(env.AdminToken))
	if err != nil {
		return err
	}

	// Input the server would refuse is refused before anything is sent, with
	// the error id the server would have used.
	_, _, err = c.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{Name: appName, Homepage: "https://example.com"})
	var invalid *models.ValidationError
	if !errors.As(err, &invalid) {
		return fmt.Errorf("want a validation error for an app without callback URLs, got %w", err)
	}
	fmt.Fprintf(stdout, "refused before sending: %s (the server would answer %s)\n", invalid.Field, invalid.ServerErrorID)

	app, _, err := c.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{
		Name:         appName,
		Description:  "created by examples/manage-apps",
		Homepage:     "https://example.com",
		CallbackURLs: []string{"https://example.com/oauth/callback"},
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	// Delete it whatever happens next.
	defer func() {
		if app != nil {
			_, _, derr := c.DeleteOAuthApp(context.WithoutCancel(ctx), app.ID)
			err = errors.Join(err, derr)
		}
	}()
	fmt.Fprintf(stdout, "created %q: confidential=%t, client secret issued=%t\n", app.Name, !app.IsPublic(), app.ClientSecret.IsSet())

	// The iterator fetches page after page (here 50 apps at a time) until a
	// short page; the server does not order the list.
	found := false
	for a, err := range c.OAuthApps(ctx, 50) {
		if err != nil {
			return fmt.Errorf("list: %w", err)
		}
		found = found || a.ID == app.ID
	}
	fmt.Fprintf(stdout, "listed the apps with the iterator: ours is there=%t\n", found)

	// UpdateRequest starts from the current values, so only what changes is
	// set here.
	upd := app.UpdateRequest()
	upd.Description = "updated by examples/manage-apps"
	updated, _, err := c.UpdateOAuthApp(ctx, upd)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	fmt.Fprintf(stdout, "updated the description: %q\n", updated.Description)

	regen, _, err := c.RegenerateOAuthAppSecret(ctx, app.ID)
	if err != nil {
		return fmt.Errorf("regenerate secret: %w", err)
	}
	fmt.Fprintf(stdout, "regenerated the client secret: changed=%t\n", regen.ClientSecret != app.ClientSecret)

	// Any logged-in user may read the public fields; the secret is blank.
	info, _, err := c.GetOAuthAppInfo(ctx, app.ID)
	if err != nil {
		return fmt.Errorf("info: %w", err)
	}
	fmt.Fprintf(stdout, "info shows the public fields only: secret blank=%t\n", !info.ClientSecret.IsSet())

	if _, _, err := c.DeleteOAuthApp(ctx, app.ID); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	deletedID := app.ID
	app = nil
	fmt.Fprintln(stdout, "deleted the app")

	// A server error is a *client.Error; errors.Is matches it by status.
	_, _, err = c.GetOAuthApp(ctx, deletedID)
	var apiErr *client.Error
	switch {
	case errors.Is(err, client.ErrNotFound) && errors.As(err, &apiErr):
		fmt.Fprintf(stdout, "getting it again fails: %d %s\n", apiErr.StatusCode, apiErr.ID)
	default:
		return fmt.Errorf("want 404 for a deleted app, got %w", err)
	}
	return nil
}
