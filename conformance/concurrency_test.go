package conformance_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// idOrder makes the mock page its app lists in the order of the app ids,
// one of the orders a server without ORDER BY may use (the real query has
// none: server/channels/store/sqlstore/oauth_store.go GetApps). Ids are
// random, so an app created while a check walks the pages lands anywhere
// and shifts the pages after it, as it does on a real Mattermost.
func idOrder(next http.Handler, _ mockserver.Identities) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/v4/oauth/apps" {
			next.ServeHTTP(w, r)
			return
		}
		var all []json.RawMessage
		for page := 0; ; page++ {
			q := fmt.Sprintf("/api/v4/oauth/apps?page=%d&per_page=200", page)
			req := httptest.NewRequest(http.MethodGet, q, nil)
			req.Header = r.Header.Clone()
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
				return
			}
			var apps []json.RawMessage
			_ = json.Unmarshal(rec.Body.Bytes(), &apps)
			all = append(all, apps...)
			if len(apps) < 200 {
				break
			}
		}
		id := func(raw json.RawMessage) string {
			var a struct{ ID string }
			_ = json.Unmarshal(raw, &a)
			return a.ID
		}
		sort.Slice(all, func(i, j int) bool { return id(all[i]) < id(all[j]) })
		page, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil || page < 0 {
			page = 0
		}
		perPage, err := strconv.Atoi(r.URL.Query().Get("per_page"))
		if err != nil || perPage < 0 {
			perPage = 60
		}
		perPage = min(perPage, 200)
		start, end := min(page*perPage, len(all)), min(page*perPage+perPage, len(all))
		var b bytes.Buffer
		_ = json.NewEncoder(&b).Encode(append([]json.RawMessage{}, all[start:end]...))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b.Bytes())
	})
}

// TestVerdictIndependentOfConcurrency: the whole catalogue, against servers
// that page in id order, gives every check the same verdict at concurrency
// 1, 4 and 16. paging/list-apps/pages-disjoint used to fail whenever it
// walked the pages while another check created its apps.
func TestVerdictIndependentOfConcurrency(t *testing.T) {
	t.Parallel()
	verdicts := map[int]map[string]conformance.Status{}
	for _, n := range []int{1, 4, 16} {
		var targets []conformance.Target
		for _, edit := range []func(*mockserver.Config){nil, dcrOn, allowlisted, providerOff} {
			targets = append(targets, startMock(t, mockSetup{edit: edit, shim: idOrder}))
		}
		rep := run(t, conformance.Options{Concurrency: n}, targets...)
		verdicts[n] = map[string]conformance.Status{}
		for _, r := range rep.Results {
			verdicts[n][r.ID] = r.Status
			if r.Status == conformance.StatusFail {
				t.Errorf("concurrency %d: %s failed: %s", n, r.ID, failureSummary(r))
			}
		}
		require.True(t, rep.OK(), "concurrency %d: %s", n, rep.VerdictLine())
	}
	assert.Equal(t, verdicts[1], verdicts[4])
	assert.Equal(t, verdicts[1], verdicts[16])
}

// statusRewrite answers every create and registration with status instead
// of 201, body unchanged: a server that created the app but says otherwise.
func statusRewrite(status int) shim {
	return func(next http.Handler, _ mockserver.Identities) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || (r.URL.Path != "/api/v4/oauth/apps" && r.URL.Path != "/api/v4/oauth/apps/register") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			if rec.Code == http.StatusCreated {
				rec.Code = status
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})
	}
}

// TestEveryCreatedAppIsCleanedUp: apps whose create or registration was
// answered 200 or 400 instead of 201 are still deleted at the end.
func TestEveryCreatedAppIsCleanedUp(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusOK, http.StatusBadRequest} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			target := startMock(t, mockSetup{edit: dcrOn, shim: statusRewrite(status)})
			rep := run(t, conformance.Options{Skip: []string{bulkCheck}}, target)
			assert.False(t, rep.OK(), "creates answered %d fail their checks", status)
			assert.Positive(t, rep.Targets[0].AppsCreated, "the apps were tracked")
			assert.Empty(t, rep.Targets[0].Leftovers)

			admin := target.Tokens[conformance.Admin]
			req, err := http.NewRequest(http.MethodGet, target.URL+"/api/v4/oauth/apps?per_page=200", nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+admin)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			var apps []struct{ ID, Name string }
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&apps))
			assert.Empty(t, apps, "every app the run created was deleted")
		})
	}
}

// TestRateLimitedRegistrationNeverFails: with the registration limiter on
// (2 a second, burst 1, per client address, as Mattermost's), the
// registration checks pass at concurrency 1, 4 and 16: the suite waits as
// the 429s ask and sends registrations one at a time.
func TestRateLimitedRegistrationNeverFails(t *testing.T) {
	t.Parallel()
	limited := func(c *mockserver.Config) {
		c.EnableDynamicClientRegistration = true
		c.EnableDCRRateLimit = true
	}
	for _, n := range []int{1, 4, 16} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			rep := run(t, conformance.Options{Only: []string{"rfc7591/register/**", "rfc7591/errors/**"}, Concurrency: n},
				startMock(t, mockSetup{edit: limited, validate: true}))
			for _, r := range rep.Results {
				assert.NotEqual(t, conformance.StatusFail, r.Status, "%s: %s", r.ID, failureSummary(r))
			}
			assert.True(t, rep.OK(), rep.VerdictLine())
			assert.True(t, slices.ContainsFunc(rep.Targets[0].Notes, func(s string) bool { return strings.HasPrefix(s, "rate limited: waited out") }),
				"the limiter was hit: %q", rep.Targets[0].Notes)
		})
	}
}
