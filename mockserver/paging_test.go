package mockserver

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPaging: web/params.go's rules (server/channels/web/params.go) on 250 apps.
func TestPaging(t *testing.T) {
	ts := NewTestServer(t)
	sa := tokenOf(ts, colSA)
	var all []string
	for i := range 250 {
		all = append(all, createApp(t, ts, sa, newApp(fmt.Sprintf("app%03d", i))).ID)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", all[:60]},
		{"?page=1", all[60:120]},
		{"?page=4", all[240:250]},
		{"?page=5", []string{}},
		{"?page=999999999999", []string{}},
		{"?per_page=10&page=2", all[20:30]},
		{"?per_page=0", []string{}},
		{"?per_page=500", all[:200]},
		{"?per_page=500&page=1", all[200:250]},
		{"?per_page=abc", all[:60]},
		{"?per_page=-5", all[:60]},
		{"?page=abc", all[:60]},
		{"?page=-1", all[:60]},
		{"?pageSize=5", all[:5]},
		{"?per_page=7&pageSize=5", all[:7]},
		{"?per_page=1.5", all[:60]},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps" + tt.query, Token: sa})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
			var apps []models.OAuthApp
			r.decode(t, &apps)
			got := []string{}
			for _, a := range apps {
				got = append(got, a.ID)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestAuthorizedPaging: the authorized list pages the same way.
func TestAuthorizedPaging(t *testing.T) {
	ts := NewTestServer(t)
	u := ts.Identities.PlainUser.Token
	var ids []string
	for i := range 3 {
		app := createApp(t, ts, tokenOf(ts, colC), newApp(fmt.Sprintf("a%d", i)))
		authorizeCode(t, ts, u, app, "")
		authorizeCode(t, ts, u, app, "") // approving twice lists the app once
		ids = append(ids, app.ID)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", ids},
		{"?per_page=2", ids[:2]},
		{"?per_page=2&page=1", ids[2:]},
		{"?per_page=2&page=2", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized" + tt.query, Token: u})
			require.Equal(t, http.StatusOK, r.Status)
			var apps []models.OAuthApp
			r.decode(t, &apps)
			got := []string{}
			for _, a := range apps {
				got = append(got, a.ID)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
