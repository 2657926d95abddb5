package conformance_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// neighbour is another client of the same server, as on a live one: right
// before each of the manager's first `times` app lists it deletes `deletes`
// of the manager's apps (an administrator tidying up) and creates `creates`
// more (a colleague at work).
type neighbour struct {
	times, deletes, creates int

	mu    sync.Mutex
	lists int
}

func (n *neighbour) turn() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lists++
	return n.lists <= n.times
}

func (n *neighbour) shim(next http.Handler, id mockserver.Identities) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/api/v4/oauth/apps" &&
			r.Header.Get("Authorization") == "Bearer "+id.OAuthManager.Token && n.turn() {
			n.act(next, id.OAuthManager.Token)
		}
		next.ServeHTTP(w, r)
	})
}

// act goes through the mock's handler, as the manager.
func (n *neighbour) act(next http.Handler, token string) {
	send := func(method, target, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, req)
		return rec
	}
	var apps []struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(send(http.MethodGet, "/api/v4/oauth/apps?per_page=200", "").Body.Bytes(), &apps)
	for _, a := range apps[:min(n.deletes, len(apps))] {
		send(http.MethodDelete, "/api/v4/oauth/apps/"+a.ID, "")
	}
	for range n.creates {
		send(http.MethodPost, "/api/v4/oauth/apps",
			`{"name":"a colleague's app","callback_urls":["https://colleague.invalid/cb"],"homepage":"https://colleague.invalid"}`)
	}
}

// TestPageSizeLimitsOnABusyServer: paging/list-apps/page-size-limits judges
// each page from one answer, so other people creating and deleting apps
// cannot fail it, and cannot hide a missing or absent cap either. It used to
// fail with "per_page=500 returned 198 apps, want the cap of 200" whenever 3
// of its 201 apps went away before it listed.
func TestPageSizeLimitsOnABusyServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		neighbour *neighbour
		devs      []mockserver.Deviation
		status    conformance.Status
		detail    string // in the reason, a failure or a note
	}{
		{name: "quiet server", status: conformance.StatusPass},
		{name: "apps deleted before the first lists", neighbour: &neighbour{times: 2, deletes: 3},
			status: conformance.StatusPass, detail: "of the apps this run created were deleted by someone else while it listed"},
		{name: "other people's apps appear", neighbour: &neighbour{times: 5, creates: 4}, status: conformance.StatusPass},
		{name: "apps deleted before every list", neighbour: &neighbour{times: 1000, deletes: 2},
			status: conformance.StatusSkip, detail: "someone else deleted apps this run created during each of 3 attempts"},
		{name: "no cap", devs: []mockserver.Deviation{mockserver.DevNoPerPageCap},
			status: conformance.StatusFail, detail: "per_page=500 returned 201 apps, want the cap of 200"},
		{name: "per_page ignored", devs: []mockserver.Deviation{mockserver.DevIgnorePerPage},
			status: conformance.StatusFail, detail: "per_page=500 returned 60 apps, want the cap of 200 (the 201 apps this run created were all there)"},
		{name: "per_page ignored while apps are deleted", neighbour: &neighbour{times: 2, deletes: 1}, devs: []mockserver.Deviation{mockserver.DevIgnorePerPage},
			status: conformance.StatusFail, detail: "per_page=500 returned 60 apps, want the cap of 200 (the 201 apps this run created were all there)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			setup := mockSetup{devs: tc.devs, validate: len(tc.devs) == 0}
			if tc.neighbour != nil {
				setup.shim = tc.neighbour.shim
			}
			tg := startMock(t, setup)
			rep := run(t, conformance.Options{Only: []string{bulkCheck}, Concurrency: 4}, tg)
			res, ok := rep.Result(bulkCheck)
			require.True(t, ok)
			assert.Equal(t, tc.status, res.Status, "%s %s", res.Reason, failureSummary(res))
			said := append([]string{res.Reason, failureSummary(res)}, res.Notes...)
			assert.True(t, slices.ContainsFunc(said, func(s string) bool { return strings.Contains(s, tc.detail) }),
				"want %q in %q", tc.detail, said)
			assert.Empty(t, rep.Targets[0].Leftovers, "the final sweep deletes the fixture, re-created apps too")
		})
	}
}

// TestTargetOrderDoesNotMatter: a check runs on the first target that can
// serve it, so the order of the targets decides which checks share one
// mock. Any order, with checks running side by side, must pass as the
// CLI's order does (the registration checks used to fail when the
// allowlisted mock came before the plain registration one).
func TestTargetOrderDoesNotMatter(t *testing.T) {
	t.Parallel()
	edits := []func(*mockserver.Config){nil, dcrOn, allowlisted, providerOff}
	for first := range edits {
		t.Run("rotation "+string(rune('0'+first)), func(t *testing.T) {
			t.Parallel()
			var targets []conformance.Target
			for i := range edits {
				targets = append(targets, startMock(t, mockSetup{edit: edits[(first+i)%len(edits)], validate: true}))
			}
			rep := run(t, conformance.Options{Concurrency: 8}, targets...)
			for _, r := range rep.Results {
				if r.Status == conformance.StatusFail || r.Status == conformance.StatusSkip {
					t.Errorf("%s %s: %s%s", r.ID, r.Status, r.Reason, failureSummary(r))
				}
			}
			assert.ElementsMatch(t, rfcStrictBaseline, rep.IDs(conformance.StatusWarn), "RFC-strict warnings")
		})
	}
}
