package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

// cleanupTimeout bounds the deletion of one check's apps (and the final
// sweep), with a context of its own so that it also runs after Ctrl-C or
// the run's time limit.
const cleanupTimeout = 30 * time.Second

// env is one target during a run: its transport, clients, users, settings,
// and the apps the run created there.
type env struct {
	target   Target
	name     string
	runID    string // marks every app the run creates (marker.go)
	baseURL  string
	basePath string
	opts     *Options

	hc      *http.Client
	rec     *recorder
	gate    *rateGate
	scrub   *scrubber
	tracker *tracker
	tokens  map[Role]string
	clients map[Role]*client.Client
	users   map[Role]*models.User

	settings Settings
	version  Version // announced in X-Version-Id at setup

	mu         sync.Mutex
	notes      []string
	leftovers  map[string]string // app id -> why it could not be deleted
	setupLog   exchangeList
	cleanupLog exchangeList
	// findings are the rules setup saw broken; blocks maps what setup
	// could not learn because of one to the check that owns it.
	findings []finding
	blocks   map[string]string

	bulk bulkFixture

	// appSet is held shared by checks that create (or delete) apps and
	// exclusively by the checks that need the set of apps to stand still
	// (Needs.Exclusive).
	appSet sync.RWMutex
}

func (e *env) note(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.notes = append(e.notes, e.scrub.scrub(fmt.Sprintf(format, args...)))
}

// unmet returns why a check cannot run on this target, or "".
func (e *env) unmet(n Needs) string {
	for _, r := range n.Roles {
		if r != Anonymous && e.clients[r] == nil {
			return fmt.Sprintf("no %s identity given", r)
		}
	}
	s := e.settings
	switch {
	case n.AnyProvider:
	case n.ProviderOff && s.Provider:
		return "needs the OAuth service provider disabled"
	case !n.ProviderOff && !s.Provider:
		return "needs the OAuth service provider enabled"
	}
	switch {
	case n.DCR == On && s.DCR == Off:
		return "needs dynamic client registration enabled"
	case n.DCR == Off && s.DCR == On:
		return "needs dynamic client registration disabled"
	case n.DCR != Either && s.DCR == Either:
		return "dynamic client registration state unknown (declare it)"
	case n.Allowlist && len(s.Allowlist) == 0:
		return "needs a declared DCR redirect URI allowlist"
	case n.Creates && e.opts.ReadOnly:
		return "creates apps (read-only run)"
	case n.CreatorScoped && s.ManagersSystemWide == On:
		return "the manage_oauth identities are system-wide, so creator-only rules cannot be observed (grant manage_oauth without manage_system_wide_oauth: server/public/model/role.go, the default roles)"
	case n.CreatorScoped && s.ManagersSystemWide == Either:
		return "could not tell whether the manage_oauth identities are system-wide"
	case n.ManagerNotAdmin && e.users[Manager] != nil && isSystemAdmin(e.users[Manager]):
		return "the manager identity is a system admin (manage_system), so is_trusted is honoured for it"
	}
	return ""
}

// cleanup deletes the apps a check created (all of them when all is set),
// each with an identity that can: the system admin first, else the creator
// (a DCR app has no creator: only the admin can; server/channels/api4/oauth.go registerOAuthClient). It uses a
// fresh, bounded context so that it runs after cancellation too.
func (e *env) cleanup(ctx context.Context, check string, all bool) {
	apps := e.tracker.pending(check, all)
	if len(apps) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	ctx = withSink(ctx, logSink{list: &e.cleanupLog})
	for _, app := range apps {
		err := e.deleteApp(ctx, app)
		e.mu.Lock()
		if err != nil {
			e.leftovers[app.ID] = e.scrub.scrub(fmt.Sprintf("app %s (%q) created by %s could not be deleted: %v",
				app.ID, app.Name, creatorLabel(app), err))
		} else {
			delete(e.leftovers, app.ID)
		}
		e.mu.Unlock()
	}
}

func creatorLabel(a trackedApp) string {
	if a.Check == "" {
		return "setup"
	}
	return a.Check
}

func (e *env) deleteApp(ctx context.Context, app trackedApp) error {
	if !e.tracker.owns(app.ID) {
		return errors.New("not created by this run") // never reached: pending only lists tracked apps
	}
	var deleters []Role
	if e.clients[Admin] != nil {
		deleters = append(deleters, Admin)
	}
	if !app.Registered && app.By != Admin && app.By != Anonymous && app.By != "" && e.clients[app.By] != nil {
		deleters = append(deleters, app.By)
	}
	if len(deleters) == 0 {
		return errors.New("no identity that may delete it (a registered client needs the admin identity)")
	}
	var last error
	for _, r := range deleters {
		o := call(e.clients[r].DeleteOAuthApp(ctx, app.ID))
		switch o.Status() {
		case http.StatusOK, http.StatusNotFound:
			e.tracker.markDeleted(app.ID)
			return nil
		}
		last = fmt.Errorf("DELETE as %s: %s", r, o.describe())
	}
	return last
}

// isSystemAdmin reports whether the user has the system_admin role.
func isSystemAdmin(u *models.User) bool {
	return slices.Contains(strings.Fields(u.Roles), "system_admin")
}
