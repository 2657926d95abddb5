package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

// exampleServer is a tiny stand-in for a Mattermost server, so that the
// examples run offline. Real programs pass their server's SiteURL.
func exampleServer() *httptest.Server {
	var srv *httptest.Server
	apps := []models.OAuthApp{
		{ID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Name: "Build bot"},
		{ID: "bbbbbbbbbbbbbbbbbbbbbbbbbb", Name: "Deploy bot"},
		{ID: "cccccccccccccccccccccccccc", Name: "Triage bot"},
	}
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "example-request-id")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/users/me", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, 200, models.User{ID: "uuuuuuuuuuuuuuuuuuuuuuuuuu", Username: "admin"})
	})
	mux.HandleFunc("POST /api/v4/oauth/apps", func(w http.ResponseWriter, r *http.Request) {
		var req models.CreateOAuthAppRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		reply(w, 201, models.OAuthApp{ID: "dddddddddddddddddddddddddd", Name: req.Name, CallbackURLs: req.CallbackURLs,
			Homepage: req.Homepage, ClientSecret: "example-secret-value-000000"})
	})
	mux.HandleFunc("GET /api/v4/oauth/apps", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		from, to := min(page*per, len(apps)), min((page+1)*per, len(apps))
		reply(w, 200, apps[from:to])
	})
	mux.HandleFunc("GET /api/v4/oauth/apps/{id}", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, 404, models.AppError{ID: "app.oauth.get_app.find.app_error", Message: "Unable to find the requested app.", StatusCode: 404})
	})
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, 200, models.AuthorizationServerMetadata{
			Issuer:                        srv.URL,
			AuthorizationEndpoint:         srv.URL + "/oauth/authorize",
			TokenEndpoint:                 srv.URL + "/oauth/access_token",
			ResponseTypesSupported:        []string{"code"},
			RegistrationEndpoint:          srv.URL + "/api/v4/oauth/apps/register",
			ScopesSupported:               []string{"user"},
			CodeChallengeMethodsSupported: []string{"S256"},
		})
	})
	mux.HandleFunc("POST /api/v4/oauth/apps/register", func(w http.ResponseWriter, r *http.Request) {
		var req models.ClientRegistrationRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		reply(w, 201, models.ClientRegistrationResponse{ClientID: "eeeeeeeeeeeeeeeeeeeeeeeeee", RedirectURIs: req.RedirectURIs,
			TokenEndpointAuthMethod: req.TokenEndpointAuthMethod, GrantTypes: []string{"authorization_code", "refresh_token"},
			ResponseTypes: []string{"code"}, Scope: "user", ClientName: req.ClientName})
	})
	srv = httptest.NewServer(mux)
	return srv
}

func ExampleNew() {
	srv := exampleServer()
	defer srv.Close()

	c, err := client.New(srv.URL, client.WithToken("personal-access-token"))
	if err != nil {
		log.Fatal(err)
	}
	me, resp, err := c.GetMe(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Username, resp.StatusCode, resp.RequestID)
	// Output: admin 200 example-request-id
}

func ExampleClient_CreateOAuthApp() {
	srv := exampleServer()
	defer srv.Close()
	c, err := client.New(srv.URL, client.WithToken("personal-access-token"))
	if err != nil {
		log.Fatal(err)
	}

	app, _, err := c.CreateOAuthApp(context.Background(), &models.CreateOAuthAppRequest{
		Name:         "Build bot",
		Description:  "Posts build results",
		CallbackURLs: []string{"https://bot.example.com/oauth/callback"},
		Homepage:     "https://bot.example.com",
	})
	if err != nil {
		log.Fatal(err)
	}
	// The secret prints redacted; Reveal it only to store it or put it on the wire.
	fmt.Println(app.Name, app.ClientSecret, app.IsPublic())
	// Output: Build bot [REDACTED] false
}

func ExampleClient_OAuthApps() {
	srv := exampleServer()
	defer srv.Close()
	c, err := client.New(srv.URL, client.WithToken("personal-access-token"))
	if err != nil {
		log.Fatal(err)
	}

	// Two apps per request: the iterator fetches pages until a short one.
	for app, err := range c.OAuthApps(context.Background(), 2) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(app.Name)
	}
	// Output:
	// Build bot
	// Deploy bot
	// Triage bot
}

func ExampleError() {
	srv := exampleServer()
	defer srv.Close()
	c, err := client.New(srv.URL, client.WithToken("personal-access-token"))
	if err != nil {
		log.Fatal(err)
	}

	_, _, err = c.GetOAuthApp(context.Background(), "zzzzzzzzzzzzzzzzzzzzzzzzzz")
	if errors.Is(err, client.ErrNotFound) {
		fmt.Println("no such app")
	}
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ID)
	}

	// Bad input never reaches the server.
	_, _, err = c.GetOAuthApp(context.Background(), "../users")
	var invalid *models.ValidationError
	if errors.As(err, &invalid) {
		fmt.Println(invalid.Field, invalid.ServerErrorID)
	}
	// Output:
	// no such app
	// 404 app.oauth.get_app.find.app_error
	// app_id api.context.invalid_url_param.app_error
}

// A bot discovers the server, registers itself as a public client and
// builds the authorization URL with PKCE.
func ExampleDiscover() {
	srv := exampleServer()
	defer srv.Close()
	ctx := context.Background()

	meta, err := client.Discover(ctx, srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(srv.URL) // registration needs no token
	if err != nil {
		log.Fatal(err)
	}
	const redirect = "http://127.0.0.1:8123/callback"
	reg, _, err := c.RegisterOAuthClient(ctx, &models.ClientRegistrationRequest{
		RedirectURIs:            []string{redirect},
		TokenEndpointAuthMethod: models.AuthMethodNone,
		ClientName:              "CLI bot",
	})
	if err != nil {
		log.Fatal(err)
	}
	conf, err := client.OAuth2Config(meta, reg, redirect)
	if err != nil {
		log.Fatal(err)
	}
	pkce := client.NewPKCE() // keep it until the code comes back
	authURL, err := url.Parse(conf.AuthCodeURL("random-state", pkce.ChallengeOption()))
	if err != nil {
		log.Fatal(err)
	}
	q := authURL.Query()
	fmt.Println(strings.TrimPrefix(authURL.Path, "/"), q.Get("client_id"), q.Get("code_challenge_method"), q.Get("scope"))
	fmt.Println("public client:", reg.IsPublic(), "secret in config:", conf.ClientSecret != "")

	// Send the user to authURL; with the code that comes back:
	//   tok, err := conf.Exchange(ctx, code, pkce.VerifierOption())

	// Output:
	// oauth/authorize eeeeeeeeeeeeeeeeeeeeeeeeee S256 user
	// public client: true secret in config: false
}

// Refreshing tokens must not depend on the context of the request that
// obtained them; TokenSource binds refreshes to a background context.
func ExampleTokenSource() {
	meta := &models.AuthorizationServerMetadata{
		AuthorizationEndpoint: "https://mm.example.com/oauth/authorize",
		TokenEndpoint:         "https://mm.example.com/oauth/access_token",
	}
	reg := &models.ClientRegistrationResponse{ClientID: "eeeeeeeeeeeeeeeeeeeeeeeeee", ClientSecret: "secret",
		TokenEndpointAuthMethod: models.AuthMethodClientSecretPost, RedirectURIs: []string{"https://bot.example.com/cb"}}
	conf, err := client.OAuth2Config(meta, reg, "https://bot.example.com/cb")
	if err != nil {
		log.Fatal(err)
	}
	// tok comes from conf.Exchange(ctx, code, ...) in a request handler.
	var tok = loadToken()
	c, err := client.New("https://mm.example.com", client.WithTokenSource(client.TokenSource(conf, tok, nil)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c)
	// Output: client.Client{base: https://mm.example.com, auth: token source}
}

func loadToken() *oauth2.Token { return &oauth2.Token{AccessToken: "access", RefreshToken: "refresh"} }
