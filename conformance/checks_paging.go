package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/mmoauth/mmoauth/models"
)

const srcPaging = "reference §6 (server/channels/web/params.go)"

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
			ID: "paging/list-apps/page-size-limits", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "Without per_page a page has 60 apps; per_page above 200 is clamped to 200 (creates 201 apps to see it)",
			Source: srcPaging,
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				if err := t.env.bulk.ensure(ctx, t.env, Manager, models.MaxPerPage+1); err != nil {
					t.Fatalf("creating the apps the paging check needs: %v", err)
				}
				r := t.raw(ctx, Manager, http.MethodGet, appsPath, "", nil)
				if n, ok := countApps(t, r, "list without paging parameters"); ok && n != models.DefaultPerPage {
					t.Errorf("without per_page the page has %d apps, want %d", n, models.DefaultPerPage)
				}
				apps := call(t.Client(Manager).GetOAuthApps(ctx, 0, 500)).must(t, "list with per_page=500")
				if len(apps) != models.MaxPerPage {
					t.Errorf("per_page=500 returned %d apps, want the cap of %d", len(apps), models.MaxPerPage)
				}
			},
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
	}
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

// bulkFixture makes sure an identity sees at least n apps of its own
// making, created once per target and shared between the paging checks.
// They belong to no check: the final sweep deletes them.
type bulkFixture struct {
	mu    sync.Mutex
	ready int
	err   error
}

// bulkWorkers bounds the concurrent creates of the fixture.
const bulkWorkers = 8

func (b *bulkFixture) ensure(ctx context.Context, e *env, role Role, n int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil || b.ready >= n {
		return b.err
	}
	// The fixture's requests are the setup's, not the first caller's.
	ctx = withSink(ctx, logSink{list: &e.setupLog})
	c := e.clients[role]
	// The fixture creates all n apps itself rather than counting what is
	// there: apps other checks create and delete while it counts would make
	// the count wrong.
	missing := n - b.ready
	var wg sync.WaitGroup
	errs := make(chan error, missing)
	sem := make(chan struct{}, bulkWorkers)
	for i := range missing {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, _, err := c.CreateOAuthApp(ctx, newAppRequest(fmt.Sprintf("paging fixture %d", i))); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.err = errors.Join(err, fmt.Errorf("%d of %d creates failed", len(errs)+1, missing))
		return b.err
	}
	b.ready = n
	return nil
}
