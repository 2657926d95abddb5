package conformance_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
)

func TestCatalogueIsWellFormed(t *testing.T) {
	cat := conformance.Catalogue()
	require.NotEmpty(t, cat)
	seen := map[string]bool{}
	perCategory := map[conformance.Category]int{}
	for _, c := range cat {
		assert.False(t, seen[c.ID], "duplicate id %s", c.ID)
		seen[c.ID] = true
		perCategory[c.Category]++
		assert.NotContains(t, c.Rule, "\n", c.ID)
		assert.NotEmpty(t, c.Source, c.ID)
		assert.True(t, strings.Contains(c.Source, "§") || strings.Contains(c.Source, "server/channels/") || strings.Contains(c.Source, "server/public/"),
			"%s: the source names no RFC section or Mattermost source file: %q", c.ID, c.Source)
		got, ok := conformance.Lookup(c.ID)
		assert.True(t, ok)
		assert.Equal(t, c.Rule, got.Rule)
	}
	for _, cat := range conformance.Categories() {
		assert.Positive(t, perCategory[cat], "category %s has no check", cat)
	}
	// A run validates the catalogue: a broken entry is refused up front.
	_, err := conformance.Run(context.Background(), conformance.Options{Checks: []conformance.Check{{ID: "Bad ID"}}},
		conformance.Target{URL: "http://127.0.0.1:1"})
	assert.ErrorContains(t, err, "Bad ID")
}

// The permission matrix (the permission checks of server/channels/api4/oauth.go) has a check for every session
// endpoint without a session, and for the plain user, the non-creator and the
// admin on each single-app operation.
func TestPermissionMatrixIsCovered(t *testing.T) {
	var ids []string
	for _, c := range conformance.Catalogue() {
		ids = append(ids, c.ID)
	}
	for _, op := range []string{"create-app", "list-apps", "get-app", "update-app", "delete-app", "regen-secret", "app-info",
		"authorized-apps", "authorize", "deauthorize"} {
		assert.Contains(t, ids, "permissions/"+op+"/anonymous-unauthorized")
	}
	for _, op := range []string{"get-app", "update-app", "delete-app", "regen-secret"} {
		for _, cell := range []string{"plain-user-forbidden", "non-creator-forbidden", "admin-allowed"} {
			assert.Contains(t, ids, "permissions/"+op+"/"+cell)
		}
	}
}

func TestSelect(t *testing.T) {
	cat := conformance.Catalogue()
	ids := func(cs []conformance.Check) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		name       string
		only, skip []string
		check      func(t *testing.T, got []string)
	}{
		{"everything", nil, nil, func(t *testing.T, got []string) { assert.Len(t, got, len(cat)) }},
		{"subtree", []string{"rfc8414/**"}, nil, func(t *testing.T, got []string) {
			require.NotEmpty(t, got)
			for _, id := range got {
				assert.True(t, strings.HasPrefix(id, "rfc8414/"), id)
			}
		}},
		{"single segment glob", []string{"permissions/*/non-creator-forbidden"}, nil, func(t *testing.T, got []string) {
			assert.Len(t, got, 4)
		}},
		{"skip wins", []string{"permissions/**"}, []string{"permissions/*/anonymous-unauthorized"}, func(t *testing.T, got []string) {
			assert.False(t, slices.ContainsFunc(got, func(id string) bool { return strings.HasSuffix(id, "anonymous-unauthorized") }))
			assert.NotEmpty(t, got)
		}},
		{"exact id", []string{"schema/status-ok/value"}, nil, func(t *testing.T, got []string) {
			assert.Equal(t, []string{"schema/status-ok/value"}, got)
		}},
		{"wildcard prefix subtree", []string{"*/metadata/**"}, nil, func(t *testing.T, got []string) {
			assert.Contains(t, got, "rfc8414/metadata/served")
			assert.Contains(t, got, "provider-off/metadata/not-implemented")
		}},
		{"double star crosses segments anywhere", []string{"**/anonymous-unauthorized"}, nil, func(t *testing.T, got []string) {
			require.NotEmpty(t, got)
			for _, id := range got {
				assert.True(t, strings.HasSuffix(id, "/anonymous-unauthorized"), id)
			}
		}},
		{"single star stays in its segment", []string{"permissions/*"}, nil, nil},
		{"category name", []string{"rfc7591"}, nil, func(t *testing.T, got []string) {
			want := 0
			for _, c := range cat {
				if c.Category == conformance.CategoryRFC7591 {
					want++
				}
			}
			assert.Len(t, got, want)
		}},
		{"skip a category", nil, []string{"permission"}, func(t *testing.T, got []string) {
			for _, c := range cat {
				if slices.Contains(got, c.ID) {
					assert.NotEqual(t, conformance.CategoryPermission, c.Category, c.ID)
				}
			}
			assert.NotEmpty(t, got)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := conformance.Select(cat, tc.only, tc.skip)
			if tc.check == nil {
				var pe *conformance.PatternError
				require.ErrorAs(t, err, &pe, "a pattern that selects nothing is an error")
				assert.Equal(t, tc.only[0], pe.Pattern)
				return
			}
			require.NoError(t, err)
			tc.check(t, ids(got))
		})
	}
	for _, bad := range [][2][]string{{{"["}, nil}, {{"permissions/**"}, {"no/such/check"}}, {{"rfc9999"}, nil}, {{""}, nil}} {
		_, err := conformance.Select(cat, bad[0], bad[1])
		var pe *conformance.PatternError
		assert.ErrorAs(t, err, &pe, "%q", bad)
	}
}
