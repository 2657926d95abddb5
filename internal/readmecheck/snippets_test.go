package readmecheck

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

func TestManageApps(t *testing.T) {
	ts := mockserver.NewTestServer(t)
	require.NoError(t, ManageApps(context.Background(), ts.URL, ts.Identities.SystemAdmin.Token))

	admin, err := client.New(ts.URL, client.WithToken(ts.Identities.SystemAdmin.Token))
	require.NoError(t, err)
	apps, _, err := admin.GetOAuthApps(context.Background(), 0, 60)
	require.NoError(t, err)
	assert.Empty(t, apps, "the quick start deletes what it creates")
}

func TestManageAppsNeedsManageOAuth(t *testing.T) {
	ts := mockserver.NewTestServer(t)
	err := ManageApps(context.Background(), ts.URL, ts.Identities.PlainUser.Token)
	assert.ErrorIs(t, err, client.ErrForbidden)
}

func TestBot(t *testing.T) {
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	ts := mockserver.NewTestServer(t, mockserver.WithConfig(cfg))
	ctx := context.Background()
	const redirect = "http://localhost:8080/callback"

	bot, err := NewBot(ctx, ts.URL, redirect)
	require.NoError(t, err)
	login, err := url.Parse(bot.LoginURL())
	require.NoError(t, err)
	assert.Equal(t, ts.URL+"/oauth/authorize", login.Scheme+"://"+login.Host+login.Path)

	// The user's browser: Mattermost's consent screen approves with POST
	// /oauth/authorize, using the parameters of the login URL.
	q := login.Query()
	user, err := client.New(ts.URL, client.WithToken(ts.Identities.PlainUser.Token))
	require.NoError(t, err)
	approval, _, err := user.AuthorizeOAuthApp(ctx, &models.AuthorizeRequest{
		ResponseType:        q.Get("response_type"),
		ClientID:            q.Get("client_id"),
		RedirectURI:         q.Get("redirect_uri"),
		Scope:               q.Get("scope"),
		State:               q.Get("state"),
		CodeChallenge:       q.Get("code_challenge"),
		CodeChallengeMethod: q.Get("code_challenge_method"),
	})
	require.NoError(t, err)
	back, err := approval.Params()
	require.NoError(t, err)

	_, err = bot.Callback(ctx, back.Get("code"), "forged")
	require.ErrorContains(t, err, "state mismatch")

	api, err := bot.Callback(ctx, back.Get("code"), back.Get("state"))
	require.NoError(t, err)
	me, _, err := api.GetMe(ctx)
	require.NoError(t, err)
	assert.Equal(t, ts.Identities.PlainUser.Username, me.Username)
}

func TestBotNeedsRegistration(t *testing.T) {
	ts := mockserver.NewTestServer(t) // a stock server: registration off
	_, err := NewBot(context.Background(), ts.URL, "http://localhost:8080/callback")
	assert.ErrorIs(t, err, client.ErrBadRequest)
}

func TestCheckServer(t *testing.T) {
	ts := mockserver.NewTestServer(t)
	ids := ts.Identities
	var junit bytes.Buffer
	ok, err := CheckServer(context.Background(), ts.URL, map[conformance.Role]string{
		conformance.Admin:     ids.SystemAdmin.Token,
		conformance.Manager:   ids.OAuthManager.Token,
		conformance.Manager2:  ids.OAuthManager2.Token,
		conformance.PlainUser: ids.PlainUser.Token,
	}, &junit)
	require.NoError(t, err)
	assert.True(t, ok, junit.String())
	var suites struct {
		Tests int `xml:"tests,attr"`
	}
	require.NoError(t, xml.Unmarshal(junit.Bytes(), &suites))
	assert.Positive(t, suites.Tests)
}

func TestCheckServerUnreachable(t *testing.T) {
	ts := mockserver.NewTestServer(t)
	_, err := CheckServer(context.Background(), ts.URL+"/not-mattermost", nil, &bytes.Buffer{})
	var setup *conformance.SetupError
	assert.ErrorAs(t, err, &setup)
}
