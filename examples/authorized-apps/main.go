// Command authorized-apps shows the end user's side of OAuth apps: which apps
// a user has approved, and how to withdraw an approval. An administrator
// creates an app, a user approves it, the user lists their authorized apps
// (with the paging iterator; secrets are always blank there), deauthorizes
// it, and the list no longer has it.
//
// With no arguments it runs against an embedded mock server, where the
// administrator and the user are two seeded identities:
//
//	go run ./examples/authorized-apps
//
// Against a real server one token plays both parts, so it needs manage_oauth
// (a system administrator's personal access token, on a stock server):
//
//	MMOAUTH_TOKEN=... go run ./examples/authorized-apps -url https://chat.example.com
//
// It prints no secret, token or code.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/examples/internal/exampleenv"
	"github.com/mmoauth/mmoauth/models"
)

func main() { exampleenv.Main(run) }

const (
	appName     = "mmoauth authorized-apps example"
	callbackURL = "https://example.com/oauth/callback"
)

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Setup(ctx, "authorized-apps", args, stdout, nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.Close()) }()

	admin, err := client.New(env.URL, client.WithToken(env.AdminToken))
	if err != nil {
		return err
	}
	user := admin.WithToken(env.UserToken) // shares the connection pool

	app, _, err := admin.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{
		Name:         appName,
		Description:  "created by examples/authorized-apps",
		Homepage:     "https://example.com",
		CallbackURLs: []string{callbackURL},
	})
	if err != nil {
		return fmt.Errorf("create (the token needs manage_oauth): %w", err)
	}
	defer func() {
		_, _, derr := admin.DeleteOAuthApp(context.WithoutCancel(ctx), app.ID)
		if derr == nil {
			fmt.Fprintln(stdout, "deleted the app")
		}
		err = errors.Join(err, derr)
	}()
	fmt.Fprintf(stdout, "an administrator created %q\n", app.Name)

	// The user approves the app, as the consent screen does. The code in the
	// redirect is not needed here: approving is what puts the app on the list.
	if _, _, err := user.AuthorizeOAuthApp(ctx, &models.AuthorizeRequest{
		ResponseType: models.ResponseTypeCode,
		ClientID:     app.ID,
		RedirectURI:  callbackURL,
		Scope:        models.DefaultScope,
		State:        rand.Text(),
	}); err != nil {
		return fmt.Errorf("authorize: %w", err)
	}
	fmt.Fprintln(stdout, "the user approved it")

	if err := show(ctx, user, app.ID, stdout); err != nil {
		return err
	}

	if _, _, err := user.DeauthorizeOAuthApp(ctx, app.ID); err != nil {
		return fmt.Errorf("deauthorize: %w", err)
	}
	fmt.Fprintln(stdout, "the user deauthorized it (its tokens are revoked too)")
	return show(ctx, user, app.ID, stdout)
}

// show lists the user's authorized apps ("me" is the token's user) and says
// whether appID is among them.
func show(ctx context.Context, user *client.Client, appID string, stdout io.Writer) error {
	listed, secretsBlank := false, true
	for a, err := range user.AuthorizedOAuthAppsForUser(ctx, "me", models.DefaultPerPage) {
		if err != nil {
			return fmt.Errorf("authorized apps: %w", err)
		}
		listed = listed || a.ID == appID
		secretsBlank = secretsBlank && !a.ClientSecret.IsSet()
	}
	fmt.Fprintf(stdout, "the user's authorized apps: ours listed=%t, every secret blank=%t\n", listed, secretsBlank)
	return nil
}
