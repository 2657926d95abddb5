package readmecheck

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// TestCreateOnce: the README's reconciliation makes exactly one app whether
// the lost answer came after the server acted (drop-after, truncate,
// garbage) or before (drop).
func TestCreateOnce(t *testing.T) {
	for _, f := range []mockserver.Fault{{DropAfter: true}, {Truncate: true}, {Garbage: true}, {Drop: true}} {
		ts := mockserver.NewTestServer(t, mockserver.WithResponseValidation(nil))
		c, err := client.New(ts.URL, client.WithToken(ts.Identities.OAuthManager.Token))
		require.NoError(t, err)
		f.Route, f.Count = "CreateOAuthApp", 1
		require.NoError(t, ts.Server.Faults().Add(f))
		req := &models.CreateOAuthAppRequest{Name: "deploy-bot-7f3a", Homepage: "https://d.example.com", CallbackURLs: []string{"https://d.example.com/cb"}}
		app, err := CreateOnce(t.Context(), c, req)
		require.NoError(t, err, "%+v", f)
		assert.Equal(t, req.Name, app.Name)
		assert.True(t, app.ClientSecret.IsSet(), "the secret, from the answer or the listing")
		apps, _, err := c.GetOAuthApps(t.Context(), 0, 200)
		require.NoError(t, err)
		assert.Len(t, apps, 1, "%+v: exactly one app", f)
	}
}
