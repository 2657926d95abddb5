package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"

	"github.com/mmoauth/mmoauth/models"
)

const srcPaging = "server/channels/web/params.go (server/channels/web/params.go)"

func pagingChecks() []Check {
	return []Check{
		{
			ID: "paging/list-apps/per-page-honoured", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "per_page=1 and per_page=2 return exactly that many apps when more exist; per_page=0 returns []",
			Source: srcPaging,
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				for i := range 3 {
					t.createApp(ctx, Manager, fmt.Sprintf("paging %d", i), nil)
				}
				for _, n := range []int{1, 2, 0} {
					apps := call(t.Client(Manager).GetOAuthApps(ctx, 0, n)).must(t, fmt.Sprintf("list with per_page=%d", n))
					if len(apps) != n {
						t.Errorf("per_page=%d returned %d apps", n, len(apps))
					}
				}
			},
		},
		{
			ID: "paging/list-apps/pages-disjoint", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "Consecutive pages (offset page*per_page) hold different apps and together list every app; their order may vary",
			Source: srcPaging + " (no ORDER BY: membership only, so sets are compared)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true, Exclusive: true},
			Run:    runPagesDisjoint,
		},
		{
			ID: "paging/list-apps/page-size-limits", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "Without per_page a page has 60 apps; per_page above 200 is clamped to 200 (creates 201 apps to see it)",
			Source: srcPaging,
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run:    runPageSizeLimits,
		},
		{
			ID: "paging/list-apps/past-end-empty", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "A page past the end of the list is 200 with [] (not 404)",
			Source: srcPaging + "; oauth_store.go initialises empty slices",
			Needs:  Needs{Roles: []Role{Manager}},
			Run: func(ctx context.Context, t *T) {
				o := call(t.Client(Manager).GetOAuthApps(ctx, 100000, models.MaxPerPage))
				if o.expect(t, "list page 100000", http.StatusOK, "") && len(o.Value) != 0 {
					t.Errorf("page 100000 returned %d apps", len(o.Value))
				}
			},
		},
		{
			ID: "paging/authorized-apps/per-page-honoured", Category: CategoryBehaviour, Kind: KindCompat,
			Rule: "The authorized-apps list pages like the app list: per_page=1 and 2 return exactly that many apps when more are approved, " +
				"per_page=0 and a page past the end return []",
			Source: srcPaging + "; server/channels/api4/oauth.go getAuthorizedOAuthApps (c.Params.Page, c.Params.PerPage); " +
				"server/channels/app/oauth.go GetAuthorizedAppsForUser (offset page*perPage)",
			Needs: flowNeeds,
			Run: func(ctx context.Context, t *T) {
				who := t.authorizer()
				for i := range 2 {
					t.authorize(ctx, who, t.createApp(ctx, Manager, fmt.Sprintf("authorized paging %d", i), nil), nil)
				}
				// Other checks may approve apps for the same user meanwhile, so
				// only sizes this check's own approvals guarantee are asserted.
				for _, c := range []struct{ page, perPage, want int }{{0, 1, 1}, {0, 2, 2}, {0, 0, 0}, {100000, models.MaxPerPage, 0}} {
					step := fmt.Sprintf("the authorized-apps list with page=%d&per_page=%d", c.page, c.perPage)
					apps := call(t.Client(who).GetAuthorizedOAuthAppsForUser(ctx, "me", c.page, c.perPage)).must(t, step)
					if len(apps) != c.want {
						t.Errorf("%s returned %d apps, want %d", step, len(apps), c.want)
					}
				}
			},
		},
	}
}

// pageWalkAttempts bounds how often runPagesDisjoint walks the pages again
// when apps created or deleted meanwhile (by other checks or people) may
// explain what it saw.
const pageWalkAttempts = 5

// runPagesDisjoint creates three apps and walks the manager's list in about
// four pages. Offsets without ORDER BY (server/channels/store/sqlstore/
// oauth_store.go GetAppByUser, GetApps) give no order, but a server that
// repeats an app on two pages, or loses one of ours, pages wrongly.
//
// On a live server any insert or delete while the pages are walked can
// move an app across a page boundary (a database without ORDER BY returns
// rows in storage order, and a delete shifts the rows behind it). So the
// walk is repeated when the manager's whole list changed during it, and a
// problem fails the check when it is seen on a walk the list did not change
// during, or on every walk. The walks hold the paging
// fixture, so that its creation (the 201 apps of the page-size check, the
// biggest disturbance of a run) never overlaps one.
func runPagesDisjoint(ctx context.Context, t *T) {
	defer t.env.bulk.hold()()
	var ours []string
	for i := range 3 {
		ours = append(ours, t.createApp(ctx, Manager, fmt.Sprintf("pages %d", i), nil).ID)
	}
	var problem string
	for attempt := 1; attempt <= pageWalkAttempts; attempt++ {
		before, err := listedIDs(ctx, t)
		if err != nil {
			t.Fatalf("listing the manager's apps: %v", err)
		}
		problem = walkPages(ctx, t, ours, len(before))
		if problem == "" {
			return
		}
		after, err := listedIDs(ctx, t)
		if err != nil {
			t.Fatalf("listing the manager's apps: %v", err)
		}
		if maps.Equal(before, after) {
			t.Errorf("%s; the list was the same before and after the walk", problem)
			return
		}
		t.Logf("walk %d: %s, but the list changed meanwhile (%d apps before, %d after)", attempt, problem, len(before), len(after))
	}
	t.Errorf("on each of %d walks through the pages: %s", pageWalkAttempts, problem)
}

// listedIDs is the set of every app id in the manager's list.
func listedIDs(ctx context.Context, t *T) (map[string]bool, error) {
	ids := map[string]bool{}
	for a, err := range t.Client(Manager).OAuthApps(ctx, models.MaxPerPage) {
		if err != nil {
			return nil, err
		}
		ids[a.ID] = true
	}
	return ids, nil
}

// walkPages lists the manager's total apps page by page and describes the
// first problem seen ("" when none): an app on two pages, or one of ours
// missing.
func walkPages(ctx context.Context, t *T, ours []string, total int) string {
	c := t.Client(Manager)
	perPage := min(models.MaxPerPage, max(2, (total+3)/4))
	seen := map[string]int{} // app id -> page
	for page := 0; page <= total/perPage+2; page++ {
		apps := call(c.GetOAuthApps(ctx, page, perPage)).must(t, fmt.Sprintf("list page %d of %d apps", page, perPage))
		for _, a := range apps {
			if first, dup := seen[a.ID]; dup {
				return fmt.Sprintf("app %s is on page %d and again on page %d (per_page=%d)", a.ID, first, page, perPage)
			}
			seen[a.ID] = page
		}
		if len(apps) < perPage {
			break
		}
	}
	for _, id := range ours {
		if _, ok := seen[id]; !ok {
			return fmt.Sprintf("app %s, created by this check, is on no page (per_page=%d)", id, perPage)
		}
	}
	return ""
}

// countApps decodes a JSON array answer and returns its length.
func countApps(t *T, r *rawResponse, step string) (int, bool) {
	if !r.expect(t, step, http.StatusOK, "") {
		return 0, false
	}
	var apps []models.OAuthApp
	if err := json.Unmarshal(r.Body, &apps); err != nil {
		t.Errorf("%s: the body is not a list of apps", step)
		return 0, false
	}
	return len(apps), true
}

// pageSizeAttempts bounds how often runPageSizeLimits re-creates apps that
// someone else deleted while it listed.
const pageSizeAttempts = 3

// runPageSizeLimits lists the manager's apps without paging parameters and
// with per_page=500 while at least 201 apps the run created are visible to
// it, and wants exactly 60 and exactly 200 (server/channels/web/params.go).
//
// Each size is judged from one answer. More than 60 or 200 is wrong whatever
// else happens on the server. Fewer is wrong only if the 201 apps were
// visible when the server answered: on a live server other people create and
// delete apps all the time, and can delete ours. Apps never come back, so if
// all of ours still exist after both lists, they existed during them, and a
// short page is the server's fault. If some were deleted, the answer proves
// nothing: they are re-created and the lists repeated.
func runPageSizeLimits(ctx context.Context, t *T) {
	const want = models.MaxPerPage + 1
	for attempt := 1; ; attempt++ {
		if err := t.env.bulk.ensure(ctx, t.env, Manager, want); err != nil {
			t.Fatalf("creating the apps the paging check needs: %v", err)
		}
		r := t.raw(ctx, Manager, http.MethodGet, appsPath, "", nil)
		nDefault, ok := countApps(t, r, "list without paging parameters")
		if !ok {
			return
		}
		nCapped := len(call(t.Client(Manager).GetOAuthApps(ctx, 0, 500)).must(t, "list with per_page=500"))
		if nDefault > models.DefaultPerPage {
			t.Errorf("without per_page the page has %d apps, want %d", nDefault, models.DefaultPerPage)
		}
		if nCapped > models.MaxPerPage {
			t.Errorf("per_page=500 returned %d apps, want the cap of %d", nCapped, models.MaxPerPage)
		}
		if nDefault >= models.DefaultPerPage && nCapped >= models.MaxPerPage {
			return
		}
		gone, err := t.env.bulk.vanished(ctx, t.env, Manager)
		if err != nil {
			t.Fatalf("checking that the run's %d apps are still there: %v", want, err)
		}
		if gone == 0 {
			if nDefault < models.DefaultPerPage {
				t.Errorf("without per_page the page has %d apps, want %d (the %d apps this run created were all there)",
					nDefault, models.DefaultPerPage, want)
			}
			if nCapped < models.MaxPerPage {
				t.Errorf("per_page=500 returned %d apps, want the cap of %d (the %d apps this run created were all there)",
					nCapped, models.MaxPerPage, want)
			}
			return
		}
		t.Logf("attempt %d: %d of the apps this run created were deleted by someone else while it listed (pages of %d and %d apps prove nothing)",
			attempt, gone, nDefault, nCapped)
		if attempt == pageSizeAttempts {
			t.Skipf("someone else deleted apps this run created during each of %d attempts, so the page sizes could not be seen with %d apps visible",
				pageSizeAttempts, want)
		}
	}
}
