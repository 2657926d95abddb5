package differ

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

func mockSide(t *testing.T, devs ...mockserver.Deviation) Server {
	t.Helper()
	return mockRelease(t, models.Release{}, devs...)
}

// mockRelease is a mock with DCR on emulating release (zero: the newest).
func mockRelease(t *testing.T, release models.Release, devs ...mockserver.Deviation) Server {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	url := "http://" + hs.Listener.Addr().String()
	cfg := mockserver.DefaultConfig()
	cfg.SiteURL = url
	cfg.EnableDynamicClientRegistration = true
	cfg.Release = release
	srv, err := mockserver.New(mockserver.WithConfig(cfg), mockserver.WithDeviations(devs...))
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	id := srv.Identities()
	return Server{URL: url, Tokens: map[string]string{"admin": id.SystemAdmin.Token, "manager": id.OAuthManager.Token,
		"manager2": id.OAuthManager2.Token, "user": id.PlainUser.Token}}
}

// TestTwoFaithfulMocksAgree: the plan's answers from two separate mocks
// (other ids, secrets, timestamps, URLs) are the same by the comparison's
// rules, over at least 300 requests.
func TestTwoFaithfulMocksAgree(t *testing.T) {
	res, err := Run(context.Background(), mockSide(t), mockSide(t), Plan(), nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, res.Requests, 300)
	for _, d := range res.Differences {
		t.Errorf("%s: %s differs: %s vs %s", d.Request.Name, d.Field, d.A, d.B)
	}
}

// TestDeviationsShowAsDifferences: a mock that breaks a rule differs from a
// faithful one on exactly the requests that meet the rule.
func TestDeviationsShowAsDifferences(t *testing.T) {
	tests := []struct {
		dev   mockserver.Deviation
		field string
		on    string
	}{
		{mockserver.DevListForbiddenWrongID, "error id", "list apps as user"},
		{mockserver.DevBadID404, "status", "get short app as admin"},
		{mockserver.DevDCRAppErrorBody, "error id", "register with an empty list"},
		{mockserver.DevWrongIssuer, "body", "metadata"},
	}
	for _, tc := range tests {
		t.Run(string(tc.dev), func(t *testing.T) {
			res, err := Run(context.Background(), mockSide(t), mockSide(t, tc.dev), Plan(), nil)
			require.NoError(t, err)
			found := false
			for _, d := range res.Differences {
				if d.Request.Name == tc.on && d.Field == tc.field {
					found = true
				}
			}
			assert.True(t, found, "no %s difference on %q in %d differences", tc.field, tc.on, len(res.Differences))
			assert.Positive(t, res.Unexplained())

			allowed, err := Run(context.Background(), mockSide(t), mockSide(t, tc.dev), Plan(), []Allowed{{Request: "*", Field: tc.field, Reason: "test"}})
			require.NoError(t, err)
			for _, d := range allowed.Differences {
				if d.Field == tc.field {
					assert.Equal(t, "test", d.Explained)
				}
			}
		})
	}
}
