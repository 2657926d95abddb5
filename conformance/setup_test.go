package conformance_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// closedURL is a loopback URL nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	return url
}

func serverOf(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestBadTargets: each unusable target gives one line naming the cause,
// quickly, as a *SetupError, never a panic or a hang.
func TestBadTargets(t *testing.T) {
	mock := func(t *testing.T) conformance.Target { return startMock(t, mockSetup{}) }
	tests := []struct {
		name   string
		target func(t *testing.T) conformance.Target
		want   string
	}{
		{"unreachable", func(t *testing.T) conformance.Target {
			return conformance.Target{URL: closedURL(t)}
		}, "cannot connect"},
		{"html", func(t *testing.T) conformance.Target {
			return conformance.Target{URL: serverOf(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte("<html><body>Welcome to nginx!</body></html>"))
			})}
		}, "does not look like a Mattermost server"},
		{"garbage", func(t *testing.T) conformance.Target {
			return conformance.Target{URL: serverOf(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte("\x00\x01\x02 not json {"))
			})}
		}, "does not look like a Mattermost server"},
		{"json but not mattermost", func(t *testing.T) conformance.Target {
			return conformance.Target{URL: serverOf(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"message":"no route"}`))
			})}
		}, "answered 404"},
		{"hanging", func(t *testing.T) conformance.Target {
			return conformance.Target{URL: serverOf(t, func(_ http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // answers nothing until the client gives up
			})}
		}, "no answer within"},
		{"wrong token", func(t *testing.T) conformance.Target {
			tg := mock(t)
			tg.Tokens[conformance.Manager] = "wrongtokenwrongtokenwrongx"
			return tg
		}, "the manager token was refused by GET /api/v4/users/me: 401"},
		{"same user twice", func(t *testing.T) conformance.Target {
			tg := mock(t)
			tg.Tokens[conformance.Manager2] = tg.Tokens[conformance.Manager]
			return tg
		}, "belong to the same user"},
		{"admin as plain user", func(t *testing.T) conformance.Target {
			tg := mock(t)
			tg.Tokens[conformance.PlainUser] = tg.Tokens[conformance.Admin]
			delete(tg.Tokens, conformance.Admin)
			return tg
		}, "a system admin"},
		{"not a URL", func(*testing.T) conformance.Target { return conformance.Target{URL: "ftp://example.com"} }, "not an absolute http(s) URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := conformance.Run(context.Background(), conformance.Options{RequestTimeout: 200 * time.Millisecond}, tc.target(t))
			assert.Nil(t, rep)
			var se *conformance.SetupError
			require.True(t, errors.As(err, &se), "want a *SetupError, got %v", err)
			assert.Contains(t, se.Error(), tc.want)
			assert.NotContains(t, se.Error(), "\n")
			assert.NotContains(t, se.Error(), "wrongtoken", "the error repeats a token")
		})
	}
}

// TestSettingsDetection: with nothing declared, setup finds the provider and
// registration states itself and says so in the report.
func TestSettingsDetection(t *testing.T) {
	tests := []struct {
		name                    string
		edit                    func(*mockserver.Config)
		provider, dcr, managers string
		registrationOn          bool
	}{
		{"stock", nil, "on", "off", "no", false},
		{"dcr on", dcrOn, "on", "on", "no", true},
		// With the provider off nothing can be created, so the managers'
		// scope stays unknown.
		{"provider off", providerOff, "off", "off", "unknown", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := startMock(t, mockSetup{edit: tc.edit, declared: &conformance.Declared{}})
			rep := run(t, conformance.Options{Only: []string{"rfc8414/**", "rfc7591/**", "permissions/list-apps/manager-sees-own-only"}}, tg)
			require.Len(t, rep.Targets, 1)
			s := rep.Targets[0].Settings
			assert.Equal(t, tc.provider, s.Provider)
			assert.Equal(t, tc.dcr, s.DCR)
			assert.Equal(t, tc.managers, s.ManagersSystemWide)
			res, ok := rep.Result("rfc7591/register/no-session-required")
			require.True(t, ok)
			assert.Equal(t, tc.registrationOn, res.Status == conformance.StatusPass, "%s: %s", res.Status, res.Reason)
			assert.Zero(t, rep.Summary.Failed, "%v", rep.IDs(conformance.StatusFail))
		})
	}
}

// TestDefaultRoles: on a stock server the only manage_oauth holders are
// system admins, who see every app; the creator-only checks are skipped with
// that reason rather than failed (the permission checks of server/channels/api4/oauth.go "Default roles").
func TestDefaultRoles(t *testing.T) {
	users := mockserver.DefaultUsers()
	for i := range users {
		if len(users[i].Permissions) > 0 { // the two granted managers
			users[i].Roles = mockserver.RoleSystemUser + " " + mockserver.RoleSystemAdmin
			users[i].Permissions = nil
		}
	}
	hs := httptest.NewUnstartedServer(nil)
	url := "http://" + hs.Listener.Addr().String()
	cfg := mockserver.DefaultConfig()
	cfg.SiteURL = url
	srv, err := mockserver.New(mockserver.WithConfig(cfg), mockserver.WithUsers(users))
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	tokens := map[conformance.Role]string{}
	for _, u := range users {
		switch {
		case u.Username == "sysadmin":
			tokens[conformance.Admin] = u.Token
		case strings.HasPrefix(u.Username, "oauth.manager.b"):
			tokens[conformance.Manager2] = u.Token
		case strings.HasPrefix(u.Username, "oauth.manager"):
			tokens[conformance.Manager] = u.Token
		default:
			tokens[conformance.PlainUser] = u.Token
		}
	}
	require.Len(t, tokens, 4)
	rep := run(t, conformance.Options{}, conformance.Target{URL: url, Tokens: tokens,
		Declared: conformance.Declared{Provider: conformance.On, DCR: conformance.Off}})

	assert.Equal(t, "yes", rep.Targets[0].Settings.ManagersSystemWide)
	for id, reason := range map[string]string{
		"permissions/get-app/non-creator-forbidden":   "system-wide",
		"permissions/list-apps/manager-sees-own-only": "system-wide",
		"trusted/create/forced-false-for-manager":     "system admin",
	} {
		res, _ := rep.Result(id)
		assert.Equal(t, conformance.StatusSkip, res.Status, id)
		assert.Contains(t, res.Reason, reason)
	}
	assert.Zero(t, rep.Summary.Failed, "%v", rep.IDs(conformance.StatusFail))
}
