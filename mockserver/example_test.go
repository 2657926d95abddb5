package mockserver_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// buildBot is a valid app for the examples.
func buildBot() *models.CreateOAuthAppRequest {
	return &models.CreateOAuthAppRequest{
		Name:         "Build bot",
		CallbackURLs: []string{"https://bot.example.com/callback"},
		Homepage:     "https://bot.example.com",
	}
}

// The mock in a test: an httptest server over New, with the default
// identities, and the client talking to it. (In a Go test,
// NewTestServer(t) does the same in one line and also fails the test on any
// answer that does not match the OpenAPI document.)
func Example() {
	srv, err := mockserver.New()
	if err != nil {
		log.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	id := srv.Identities()
	ctx := context.Background()

	manager, err := client.New(hs.URL, client.WithToken(id.OAuthManager.Token))
	if err != nil {
		log.Fatal(err)
	}
	app, _, err := manager.CreateOAuthApp(ctx, buildBot())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: created by the manager %v, secret issued %v\n", app.Name, app.CreatorID == id.OAuthManager.ID, app.ClientSecret.IsSet())

	// The real server's permission rules: a user without manage_oauth
	// may not create apps. A stock server sends no detailed_error
	// (Config.EnableDeveloper turns it on).
	_, _, err = manager.WithToken(id.PlainUser.Token).CreateOAuthApp(ctx, buildBot())
	var ce *client.Error
	if errors.As(err, &ce) {
		fmt.Printf("plain user: %d %s, detailed_error %q\n", ce.StatusCode, ce.ID, ce.DetailedError)
	}
	// Output:
	// Build bot: created by the manager true, secret issued true
	// plain user: 403 api.context.permissions.app_error, detailed_error ""
}

// Faults make the mock fail the way a real server or network does, here a
// 503 with Retry-After on the next GET /api/v4/users/me only. Server.Faults
// adds rules while the server runs.
func ExampleWithFaults() {
	srv, err := mockserver.New(mockserver.WithFaults(mockserver.Fault{
		Route: "GetMe", Status: http.StatusServiceUnavailable, RetryAfter: 2 * time.Second, Count: 1,
	}))
	if err != nil {
		log.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := client.New(hs.URL, client.WithToken(srv.Identities().PlainUser.Token), client.WithRetryPolicy(client.NoRetry()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	_, _, err = c.GetMe(ctx)
	var ce *client.Error
	if errors.As(err, &ce) {
		fmt.Printf("first call: %d, retry after %s\n", ce.StatusCode, ce.RetryAfter)
	}
	me, _, err := c.GetMe(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second call:", me.Username)
	// Output:
	// first call: 503, retry after 2s
	// second call: basic.user
}

// A deviation breaks one rule of the real server on purpose, to show that a
// test (or a conformance check) notices: here /info, which must blank the
// client secret for everyone, leaks it.
func ExampleWithDeviations() {
	for _, devs := range [][]mockserver.Deviation{nil, {mockserver.DevInfoLeaksSecret}} {
		srv, err := mockserver.New(mockserver.WithDeviations(devs...))
		if err != nil {
			log.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		id := srv.Identities()
		ctx := context.Background()
		c, err := client.New(hs.URL, client.WithToken(id.OAuthManager.Token))
		if err != nil {
			log.Fatal(err)
		}
		app, _, err := c.CreateOAuthApp(ctx, buildBot())
		if err != nil {
			log.Fatal(err)
		}
		info, _, err := c.WithToken(id.PlainUser.Token).GetOAuthAppInfo(ctx, app.ID)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("deviations %v: /info shows the secret %v\n", devs, info.ClientSecret.IsSet())
		hs.Close()
	}
	// Output:
	// deviations []: /info shows the secret false
	// deviations [info-leaks-secret]: /info shows the secret true
}

// Listen runs the mock outside tests, on a real port, as mmoauth mock does.
// The SiteURL, left empty, becomes the listener's URL, so discovery's
// issuer check (RFC 8414 §3.3) passes.
func ExampleListen() {
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	ctx := context.Background()
	mock, err := mockserver.Listen(ctx, "127.0.0.1:0", mockserver.WithConfig(cfg))
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = mock.Close() }()

	meta, err := client.Discover(ctx, mock.URL)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("issuer is the URL:", meta.Issuer == mock.URL)
	fmt.Println("registration endpoint:", meta.RegistrationEndpoint == mock.URL+"/api/v4/oauth/apps/register")
	// Output:
	// issuer is the URL: true
	// registration endpoint: true
}
