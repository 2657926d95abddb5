package conformance

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

// Every app the suite creates carries its marker, so that apps an
// interrupted run left behind can be found and deleted later (Sweep), and
// only those:
//   - a created app's description ends with "[mmoauth-conformance run ID]";
//   - a registered client the suite names is called
//     "[mmoauth-conformance run ID] registered";
//   - every callback URL of every app the suite makes is on a host under
//     mmoauth.invalid, a name that can never resolve (RFC 6761 §6.4), so no
//     real application can have one; that alone marks the registrations the
//     suite leaves unnamed on purpose (to see the server's default name).
// With a declared DCR allowlist the suite must register the allowlist's own
// URIs; of those, only the named registrations carry the marker.

// markerPattern finds the run marker in a description or name; group 1 is
// the run id ("" for requests sent outside a run's identity).
var markerPattern = regexp.MustCompile(`\[mmoauth-conformance(?: run ([a-z0-9]+))?\]`)

// suiteHostSuffix is the domain of every URL the suite registers.
const suiteHostSuffix = ".mmoauth.invalid"

// newRunID is a fresh run id: 8 lower-case letters and digits.
func newRunID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// runMarker is the marker of run id ("" gives the suite's marker alone).
func runMarker(runID string) string {
	if runID == "" {
		return "[mmoauth-conformance]"
	}
	return "[mmoauth-conformance run " + runID + "]"
}

// appRequest is a valid create body for an app of run runID.
func appRequest(purpose, runID string) *models.CreateOAuthAppRequest {
	name := "mmoauth-conformance " + purpose
	if len(name) > models.MaxAppNameBytes {
		name = name[:models.MaxAppNameBytes]
	}
	return &models.CreateOAuthAppRequest{
		Name:         name,
		Description:  "Created by the mmoauth conformance suite; deleted when the run ends. " + runMarker(runID),
		CallbackURLs: []string{testCallback},
		Homepage:     testHomepage,
	}
}

// registrationName is the client_name of a client run runID registers.
func registrationName(runID string) string {
	return runMarker(runID) + " registered"
}

// SuiteApp is an app that carries the suite's marker.
type SuiteApp struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Run is the id of the run that created it, "" when the app does not
	// say (an unnamed registration, or a run before run ids).
	Run string `json:"run,omitempty"`
	// CreateAt is when the server created it (Unix milliseconds).
	CreateAt int64 `json:"create_at"`
}

// suiteApp reports whether app carries the suite's marker, and its run.
func suiteApp(app *models.OAuthApp) (SuiteApp, bool) {
	sa := SuiteApp{ID: app.ID, Name: app.Name, CreateAt: app.CreateAt}
	for _, text := range []string{app.Description, app.Name} {
		if m := markerPattern.FindStringSubmatch(text); m != nil {
			sa.Run = m[1]
			return sa, true
		}
	}
	if strings.HasPrefix(app.Description, "Created by the mmoauth conformance suite") {
		return sa, true // before run markers
	}
	if len(app.CallbackURLs) == 0 {
		return sa, false
	}
	for _, cb := range app.CallbackURLs {
		u, err := url.Parse(cb)
		if err != nil || !strings.HasSuffix(strings.ToLower(u.Hostname()), suiteHostSuffix) {
			return sa, false
		}
	}
	return sa, true
}

// findSuiteApps lists every app c can see and returns those with the
// suite's marker, oldest first.
func findSuiteApps(ctx context.Context, c *client.Client) ([]SuiteApp, error) {
	var out []SuiteApp
	for app, err := range c.OAuthApps(ctx, models.MaxPerPage) {
		if err != nil {
			return nil, err
		}
		if sa, ok := suiteApp(app); ok {
			out = append(out, sa)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreateAt < out[j].CreateAt })
	return out, nil
}

// SweepResult is what Sweep found and did.
type SweepResult struct {
	// As is the identity that listed and deleted: the admin sees every app,
	// a manager only its own.
	As      Role       `json:"as"`
	Deleted []SuiteApp `json:"deleted"`
	// Failed maps an app id to why it could not be deleted.
	Failed map[string]string `json:"failed,omitempty"`
}

// Sweep deletes the apps earlier runs of the suite left on the target
// (interrupted by a kill, a crash or a lost connection): every app that
// carries the suite's marker, and no other. It acts as the admin identity
// (every app), else the manager (its own apps). It sends nothing but the
// app list and the deletes.
func Sweep(ctx context.Context, tg Target, opts Options) (*SweepResult, error) {
	opts = opts.withDefaults()
	e, err := newEnv(tg, &opts, newScrubber())
	if err != nil {
		return nil, err
	}
	role := e.firstRole(Admin, Manager)
	if role == "" {
		return nil, &SetupError{Target: e.baseURL, Reason: "sweeping needs the admin identity (or a manager, for its own apps)"}
	}
	res := &SweepResult{As: role, Failed: map[string]string{}}
	apps, err := findSuiteApps(ctx, e.clients[role])
	if err != nil {
		return nil, &SetupError{Target: e.baseURL, Reason: "listing the apps as " + string(role) + ": " + oneLine(err.Error())}
	}
	for _, a := range apps {
		_, _, err := e.clients[role].DeleteOAuthApp(ctx, a.ID)
		switch {
		case err == nil, errors.Is(err, client.ErrNotFound):
			res.Deleted = append(res.Deleted, a)
		default:
			res.Failed[a.ID] = e.scrub.scrub(oneLine(err.Error()))
		}
	}
	return res, nil
}

// leftoverNote says when earlier runs left apps behind ("" when none);
// it changes nothing.
func (e *env) leftoverNote(ctx context.Context) string {
	role := e.firstRole(Admin, Manager)
	if role == "" || !e.settings.Provider {
		return ""
	}
	found, err := findSuiteApps(withSink(ctx, logSink{list: &e.setupLog}), e.clients[role])
	if err != nil {
		return ""
	}
	var apps []SuiteApp
	runs := map[string]bool{}
	for _, a := range found {
		if a.Run == e.runID && a.Run != "" {
			continue
		}
		apps = append(apps, a)
		if a.Run != "" {
			runs[a.Run] = true
		}
	}
	if len(apps) == 0 {
		return ""
	}
	ids := make([]string, 0, len(runs))
	for r := range runs {
		ids = append(ids, r)
	}
	sort.Strings(ids)
	from := ""
	if len(ids) > 0 {
		from = " (runs " + strings.Join(ids, ", ") + ")"
	}
	return e.scrub.scrub(plural(len(apps), "app", "apps") + " that earlier runs of the suite left behind" + from +
		" found; delete them with: mmoauth conformance --sweep --url " + e.baseURL)
}

// sweepRun deletes the apps of this run that its tracker does not know: a
// create whose answer was lost (a dropped connection, a cancelled request)
// may still have created one. It runs with the final cleanup.
func (e *env) sweepRun(ctx context.Context) {
	role := e.firstRole(Admin, Manager)
	if role == "" || !e.settings.Provider || e.tracker.created() == 0 && !e.tracker.unsure() {
		return
	}
	// As cleanup does, it also runs after the run was cancelled.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	apps, err := findSuiteApps(withSink(ctx, logSink{list: &e.cleanupLog}), e.clients[role])
	if err != nil {
		e.note("could not look for apps of this run whose creation was not answered: %s", oneLine(err.Error()))
		return
	}
	for _, a := range apps {
		if a.Run != e.runID {
			continue
		}
		e.tracker.add(a.ID, a.Name, false, role, "")
	}
	e.cleanup(ctx, "", true)
	if e.tracker.unsure() {
		e.note("some creates were cut off before their answer; apps of run %s that the server finished creating after this run's last look are deleted by: mmoauth conformance --sweep --url %s", e.runID, e.baseURL)
	}
}
