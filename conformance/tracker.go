package conformance

import (
	"sync"
)

// trackedApp is an app this run created. Only apps in the tracker are ever
// deleted, so the suite never touches an app it did not create.
type trackedApp struct {
	ID   string
	Name string
	// Registered marks a DCR app: it has no creator, so only a system-wide
	// identity can delete it (server/channels/api4/oauth.go registerOAuthClient, last paragraph).
	Registered bool
	// By is the identity that created it.
	By Role
	// Check is the id of the check that created it ("" for setup fixtures).
	Check   string
	deleted bool
}

// tracker remembers every app the run created until it is deleted. The
// recorder feeds it from the transport, so an app is registered the moment
// its 201 arrives, before any check code runs.
type tracker struct {
	mu   sync.Mutex
	apps []*trackedApp
	byID map[string]*trackedApp
	// lost counts creates whose answer never arrived: they may have
	// created an app the tracker cannot know.
	lost int
}

// lostCreate notes a create or registration whose answer was lost.
func (tr *tracker) lostCreate() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.lost++
}

// unsure reports whether some create's outcome is unknown.
func (tr *tracker) unsure() bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.lost > 0
}

func newTracker() *tracker { return &tracker{byID: map[string]*trackedApp{}} }

func (tr *tracker) add(id, name string, registered bool, by Role, check string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if a, ok := tr.byID[id]; ok {
		// The same id again (a broken server): keep the first record, but
		// make sure it is deleted.
		a.deleted = false
		return
	}
	a := &trackedApp{ID: id, Name: name, Registered: registered, By: by, Check: check}
	tr.apps = append(tr.apps, a)
	tr.byID[id] = a
}

func (tr *tracker) markDeleted(id string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if a, ok := tr.byID[id]; ok {
		a.deleted = true
	}
}

// owns reports whether the run created the app with this id.
func (tr *tracker) owns(id string) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	_, ok := tr.byID[id]
	return ok
}

// pending returns copies of the apps not yet deleted that a check created;
// all of them when all is true.
func (tr *tracker) pending(check string, all bool) []trackedApp {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []trackedApp
	for _, a := range tr.apps {
		if !a.deleted && (all || a.Check == check) {
			out = append(out, *a)
		}
	}
	return out
}

// created is the number of apps the run created.
func (tr *tracker) created() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.apps)
}
