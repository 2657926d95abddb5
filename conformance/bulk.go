package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/mmoauth/mmoauth/models"
)

// bulkFixture keeps at least n apps of one identity's making on a target,
// for the paging check that needs more apps than a page holds. They are
// created once per target and topped up when someone else deletes some; they
// belong to no check, so the final sweep deletes them.
//
// It counts only the apps it created itself, never what a list shows: other
// checks (and, on a live server, other people) create and delete apps at the
// same time, so a count of what is there would include apps that are about
// to go.
type bulkFixture struct {
	mu  sync.Mutex
	ids []string // created and not known to be deleted
	err error
}

// bulkWorkers bounds the concurrent requests of the fixture.
const bulkWorkers = 8

// ensure creates apps as role until the fixture holds n.
func (b *bulkFixture) ensure(ctx context.Context, e *env, role Role, n int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil || len(b.ids) >= n {
		return b.err
	}
	// The fixture's requests are the setup's, not the first caller's.
	ctx = withSink(ctx, logSink{list: &e.setupLog})
	c := e.clients[role]
	have, missing := len(b.ids), n-len(b.ids)
	var (
		mu   sync.Mutex
		errs []error
	)
	b.each(missing, func(i int) {
		app, _, err := c.CreateOAuthApp(ctx, e.newAppRequest(fmt.Sprintf("paging fixture %d", have+i)))
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		b.ids = append(b.ids, app.ID)
	})
	if len(errs) > 0 {
		b.err = errors.Join(errs[0], fmt.Errorf("%d of %d creates failed", len(errs), missing))
	}
	return b.err
}

// hold keeps the fixture from being created or topped up until the
// returned release is called: a check that must see the list undisturbed
// holds it.
func (b *bulkFixture) hold() (release func()) {
	b.mu.Lock()
	return b.mu.Unlock
}

// vanished asks the server, as role (the creator), for each of the
// fixture's apps, forgets those that are gone (404: someone else deleted
// them) and returns how many that was. Any other answer is an error: it
// cannot tell whether the app is there.
func (b *bulkFixture) vanished(ctx context.Context, e *env, role Role) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := e.clients[role]
	answers := make([]outcome[*models.OAuthApp], len(b.ids))
	b.each(len(b.ids), func(i int) {
		answers[i] = call(c.GetOAuthApp(ctx, b.ids[i]))
	})
	var kept []string
	for i, id := range b.ids {
		switch answers[i].Status() {
		case http.StatusOK:
			kept = append(kept, id)
		case http.StatusNotFound:
		default:
			return 0, fmt.Errorf("GET of app %s: %s, want 200 or 404", id, answers[i].describe())
		}
	}
	gone := len(b.ids) - len(kept)
	b.ids = slices.Clip(kept)
	return gone, nil
}

// each runs f(0..n-1) on at most bulkWorkers goroutines and waits for all.
func (b *bulkFixture) each(n int, f func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, bulkWorkers)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}
