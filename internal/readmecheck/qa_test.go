package readmecheck

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// readme:qa

func TestCreateAppSurvivesA502(t *testing.T) {
	// A mock Mattermost on 127.0.0.1 for this test only. Every answer it gives
	// is checked against the OpenAPI document; a mismatch fails the test.
	ts := mockserver.NewTestServer(t)
	admin, err := client.New(ts.URL, client.WithToken(ts.Identities.SystemAdmin.Token))
	require.NoError(t, err)

	// The next list answers 502 once; the client retries the GET.
	require.NoError(t, ts.Server.Faults().Add(mockserver.Fault{Route: "GetOAuthApps", Status: 502, Count: 1}))
	apps, resp, err := admin.GetOAuthApps(context.Background(), 0, 60)
	require.NoError(t, err)
	assert.Empty(t, apps)
	assert.Equal(t, 2, resp.Attempts)

	// The permission rules are the real server's: a plain user gets 403.
	user := admin.WithToken(ts.Identities.PlainUser.Token)
	_, _, err = user.CreateOAuthApp(context.Background(), &models.CreateOAuthAppRequest{
		Name: "x", Homepage: "https://x.example.com", CallbackURLs: []string{"https://x.example.com/cb"},
	})
	assert.ErrorIs(t, err, client.ErrForbidden)
}

// readme:end
