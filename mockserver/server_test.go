package mockserver

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/mmoauth/mmoauth/models"
	"github.com/mmoauth/mmoauth/spec"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryOperationHasAHandler: the document and the handler table agree,
// and an operation needs a session exactly when the document says so
// (bearerAuth without an anonymous alternative).
func TestEveryOperationHasAHandler(t *testing.T) {
	doc, err := spec.Load()
	require.NoError(t, err)
	var ids []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ids = append(ids, op.OperationID)
			h, ok := operations[op.OperationID]
			require.True(t, ok, "%s %s (%s) has no handler", method, path, op.OperationID)
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			assert.Equal(t, h.auth == authRequired, requiresSession(security), "%s: auth mode vs security", op.OperationID)
		}
	}
	assert.ElementsMatch(t, ids, slices.Collect(maps.Keys(operations)), "no handler without an operation")
}

func requiresSession(reqs openapi3.SecurityRequirements) bool {
	if len(reqs) == 0 {
		return false
	}
	for _, r := range reqs {
		if len(r) == 0 {
			return false // {} makes authentication optional
		}
	}
	return true
}

// TestRecover: a panic in the pipeline becomes a 500 AppError.
func TestRecover(t *testing.T) {
	s := &Server{now: newFakeClock().Now, store: newStore(), rules: buildRules(models.ReleaseNewestKnown, nil)} // no validator: routing panics
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v4/users/me", nil))
	require.Equal(t, http.StatusInternalServerError, w.Code)
	var e models.AppError
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
	assert.Equal(t, "api.context.internal.app_error", e.ID)
}

// TestResponseValidationReports: the reporter receives a mismatch with the
// operation and status in its message, and the response still reaches the
// client.
func TestResponseValidationReports(t *testing.T) {
	var mu sync.Mutex
	var got []error
	ts := NewTestServer(t, WithDeviations(DevStatusOKLowercase), WithResponseValidation(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, err)
	}))
	app := createApp(t, ts, tokenOf(ts, colC), newApp("x"))
	r := do(t, ts, req{Method: http.MethodDelete, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)})
	assert.Equal(t, http.StatusOK, r.Status)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1)
	var re *spec.ResponseError
	require.ErrorAs(t, got[0], &re)
	assert.Equal(t, "DeleteOAuthApp", re.Operation)
	assert.Contains(t, got[0].Error(), "/status")
	assert.NotContains(t, got[0].Error(), app.ClientSecret.Reveal())
}

// TestResponseHeaders: every answer has a request id and a version.
func TestResponseHeaders(t *testing.T) {
	ts := NewTestServer(t)
	for _, path := range []string{"/api/v4/users/me", "/nowhere"} {
		r := do(t, ts, req{Method: http.MethodGet, Path: path, Token: tokenOf(ts, colU)})
		assert.Len(t, r.Header.Get("X-Request-ID"), 26, path)
		assert.NotEmpty(t, r.Header.Get("X-Version-ID"), path)
	}
}

// TestIDs: ids, secrets, codes and tokens have Mattermost's form and do not
// repeat.
func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newID()
		require.Len(t, id, 26)
		require.True(t, models.IsValidID(id))
		require.Empty(t, strings.Trim(id, "ybndrfg8ejkmcpqxot1uwisza345h769"))
		require.False(t, seen[id])
		seen[id] = true
	}
	assert.Len(t, newCode(), 52)
	assert.True(t, secretEqual("abc", "abc"))
	assert.False(t, secretEqual("abc", "abd"))
	assert.False(t, secretEqual("abc", "ab"))
}

// TestSeed: a seed file replaces the identities and overrides settings;
// mistakes are refused.
func TestSeed(t *testing.T) {
	good := `{
	  "users": [
	    {"id": "aaaaaaaaaaaaaaaaaaaaaaaaaa", "username": "root", "email": "root@x", "roles": "system_user system_admin", "token": "roottoken"},
	    {"username": "dev", "roles": "system_user", "permissions": ["manage_oauth"], "token": "devtoken"},
	    {"username": "viewer", "token": "viewertoken"}
	  ],
	  "config": {"site_url": "https://mm.example.com", "enable_dynamic_client_registration": true,
	             "dcr_redirect_uri_allowlist": ["https://*.example.com/**"]}
	}`
	seed, err := LoadSeed(strings.NewReader(good))
	require.NoError(t, err)
	s, err := New(WithSeed(seed))
	require.NoError(t, err)
	id := s.Identities()
	assert.Equal(t, "root", id.SystemAdmin.Username)
	assert.Equal(t, "dev", id.OAuthManager.Username)
	assert.Empty(t, id.OAuthManager2.Username)
	assert.Equal(t, "viewer", id.PlainUser.Username)
	assert.True(t, models.IsValidID(id.OAuthManager.ID), "a missing id is generated")
	assert.Equal(t, "system_user", id.PlainUser.Roles, "roles default to system_user")
	cfg := s.Config()
	assert.Equal(t, "https://mm.example.com", cfg.SiteURL)
	assert.True(t, cfg.EnableOAuthServiceProvider, "absent keys keep their defaults")
	assert.True(t, cfg.EnableDynamicClientRegistration)
	assert.Equal(t, []string{"https://*.example.com/**"}, cfg.DCRRedirectURIAllowlist)

	bad := []struct{ name, in, want string }{
		{"unknown key", `{"users":[],"colour":1}`, "unknown field"},
		{"bad id", `{"users":[{"id":"short","token":"t"}]}`, "not 26"},
		{"duplicate token", `{"users":[{"token":"t"},{"token":"t"}]}`, "duplicate token"},
		{"duplicate username", `{"users":[{"username":"a","token":"t1"},{"username":"a","token":"t2"}]}`, "duplicate username"},
		{"not JSON", `users:`, "seed"},
		{"trailing data", `{} {}`, "trailing"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadSeed(strings.NewReader(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestDefaultIdentities: the documented default seed and its roles.
func TestDefaultIdentities(t *testing.T) {
	s, err := New()
	require.NoError(t, err)
	id := s.Identities()
	tests := []struct {
		u     User
		token string
		perms []string
	}{
		{id.SystemAdmin, "sysadmintokenxxxxxxxxxxxxx", []string{PermManageOAuth, PermManageSystemWideOAuth, PermManageSystem, PermEditOtherUsers}},
		{id.OAuthManager, "oauthmanagertokenxxxxxxxxx", []string{PermManageOAuth}},
		{id.OAuthManager2, "oauthmanagerbtokenxxxxxxxx", []string{PermManageOAuth}},
		{id.PlainUser, "basicusertokenxxxxxxxxxxxx", nil},
	}
	for _, tt := range tests {
		t.Run(tt.u.Username, func(t *testing.T) {
			assert.Equal(t, tt.token, tt.u.Token)
			assert.True(t, models.IsValidID(tt.u.ID))
			var got []string
			for p := range tt.u.permissionSet() {
				got = append(got, p)
			}
			assert.ElementsMatch(t, tt.perms, got)
			assert.NotContains(t, tt.u.String(), tt.token, "String redacts the token")
		})
	}
	assert.Len(t, s.Users(), 4)
	assert.False(t, slices.ContainsFunc(s.Users(), func(u User) bool { return u.Token == "" }))
}

// TestNewRefusesBadFaults: an invalid fault rule is an error, not a no-op.
func TestNewRefusesBadFaults(t *testing.T) {
	_, err := New(WithFaults(Fault{Status: 404}))
	require.Error(t, err)
	s, err := New()
	require.NoError(t, err)
	err = s.Faults().Add(Fault{Route: "GetMe", Status: 500}, Fault{})
	require.Error(t, err)
	assert.Empty(t, s.Faults().Rules(), "an invalid batch adds nothing")
}
