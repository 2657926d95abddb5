package conformance

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
	"github.com/mmoauth/mmoauth/spec"
)

// SetupError is a target the suite cannot test at all: unreachable, not a
// Mattermost server, a rejected token. Its message is one line.
type SetupError struct {
	Target string // the target's URL
	Reason string
}

// Error is "URL: reason", one line.
func (e *SetupError) Error() string { return e.Target + ": " + e.Reason }

// retryPolicy for the suite's clients: a few quick attempts, so that rate
// limiting (429 with Retry-After) does not fail a check, while a server error
// that a retry hides is still recorded and reported (T.record).
func retryPolicy() client.RetryPolicy {
	return client.RetryPolicy{MaxAttempts: 3, MinWait: 50 * time.Millisecond, MaxWait: time.Second, MaxRetryAfter: 5 * time.Second}
}

// newEnv builds a target's transport and clients; nothing is sent yet.
func newEnv(tg Target, opts *Options, sc *scrubber) (*env, error) {
	u, err := url.Parse(tg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, &SetupError{Target: tg.URL, Reason: "not an absolute http(s) URL without query or fragment"}
	}
	base := strings.TrimRight(tg.URL, "/")
	basePath := strings.TrimRight(u.EscapedPath(), "/")
	v, err := spec.NewValidator(spec.WithBasePath(basePath))
	if err != nil {
		return nil, fmt.Errorf("loading the OpenAPI document: %w", err)
	}
	next := tg.Transport
	if next == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = opts.Concurrency + 2
		next = t
	}
	tr := newTracker()
	gate := newRateGate(next, opts.RequestTimeout, basePath)
	rec := &recorder{next: gate, validator: v, scrub: sc, tracker: tr, basePath: basePath, observe: observer(opts.OnExchange, base, sc)}
	hc := &http.Client{
		// Each attempt is bounded by the request timeout in the rate gate,
		// so that waiting out a 429 does not count against it.
		Transport: rec,
		// The API never redirects; following a redirect could carry a token
		// to another host (client package does the same).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	name := tg.Name
	e := &env{
		target: tg, name: name, baseURL: base, basePath: basePath, opts: opts,
		hc: hc, rec: rec, gate: gate, scrub: sc, tracker: tr,
		tokens: map[Role]string{}, clients: map[Role]*client.Client{}, users: map[Role]*models.User{},
		leftovers: map[string]string{},
	}
	anon, err := client.New(base, client.WithHTTPClient(hc), client.WithRetryPolicy(retryPolicy()), client.WithUserAgent(userAgent))
	if err != nil {
		return nil, &SetupError{Target: tg.URL, Reason: err.Error()}
	}
	e.clients[Anonymous] = anon
	for _, role := range Roles() {
		tok := strings.TrimSpace(tg.Tokens[role])
		if tok == "" {
			continue
		}
		sc.add(tok)
		rec.setRole(tok, role)
		e.tokens[role] = tok
		e.clients[role] = anon.WithToken(tok)
	}
	return e, nil
}

// setup probes the target: is it reachable and a Mattermost server, who are
// the identities, which settings does it have. It changes nothing on the
// server except a probe app, created and deleted to learn whether the
// manage_oauth identities are system-wide.
//
// A target that cannot be tested at all (unreachable, not Mattermost, a
// token refused) is a *SetupError. Any other answer that breaks a rule of
// the real server, or that contradicts another probe, is a finding: it fails
// the setup check that owns the rule, and what setup could not learn because
// of it blocks the checks that need it (never a skip).
//
// probeScope allows the probe app; it is false when no selected check needs
// to know the managers' scope.
func (e *env) setup(ctx context.Context, probeScope bool) error {
	if err := e.probeServer(e.phase(ctx, chkAnonymousMe, true)); err != nil {
		return err
	}
	// The settings probes judge every status themselves: an answer of a
	// release without the endpoint is not in the document, and the checks
	// of the metadata and registration validate those documents.
	provider := e.detectProvider(e.phase(ctx, chkProvider, false))
	if err := e.resolveIdentities(e.phase(ctx, chkIdentities, true)); err != nil {
		return err
	}
	e.detectDCR(e.phase(ctx, chkDCR, false), provider)
	e.settings.Allowlist = slices.Clone(e.target.Declared.Allowlist)
	e.detectSystemWide(e.phase(ctx, chkScope, true), probeScope)
	return nil
}

// phase attributes a setup step's exchanges to the check that owns its
// rules.
func (e *env) phase(ctx context.Context, check string, documents bool) context.Context {
	return withSink(ctx, &setupSink{e: e, check: check, documents: documents})
}

// finding is a rule broken during setup: it fails check.
type finding struct {
	check string
	problem
}

// setupSink records a setup phase's exchanges in the setup log and turns an
// answer that breaks the OpenAPI document (when documents is set), or a
// server error, into a finding of the phase's check, as T.record does for a
// check.
type setupSink struct {
	e         *env
	check     string
	documents bool
}

func (s *setupSink) record(ex *Exchange) {
	s.e.setupLog.add(ex)
	if ex.SchemaError != "" && s.documents {
		s.e.addFinding(s.check, problem{fmt.Sprintf("response to %s does not match the OpenAPI document: %s", ex.RequestLine(), ex.SchemaError), ex})
	}
	if ex.Status >= 500 && ex.Status != http.StatusNotImplemented {
		s.e.addFinding(s.check, problem{fmt.Sprintf("server error %d on %s", ex.Status, ex.RequestLine()), ex})
	}
}

func (s *setupSink) owner() string { return "" }

func (e *env) addFinding(check string, p problem) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p.msg = e.scrub.scrub(p.msg)
	e.findings = append(e.findings, finding{check: check, problem: p})
}

// block records that setup could not learn a setting (or an identity)
// because of a finding of check: every check that needs it is blocked.
func (e *env) block(what, check string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.blocks == nil {
		e.blocks = map[string]string{}
	}
	if _, ok := e.blocks[what]; !ok {
		e.blocks[what] = check
	}
}

// What setup can fail to learn (env.blocks keys).
const (
	blockProvider = "the OAuth provider setting"
	blockDCR      = "the dynamic client registration setting"
	blockScope    = "whether the manage_oauth identities are system-wide"
)

func blockRole(r Role) string { return "the " + string(r) + " identity" }

// blocker returns the check whose finding keeps a check with needs n from
// running, and what setup could not learn; "" when nothing blocks it.
func (e *env) blocker(n Needs) (check, what string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	wants := []string{blockProvider}
	if n.AnyProvider {
		wants = nil
	}
	if n.DCR != Either {
		wants = append(wants, blockDCR)
	}
	if n.CreatorScoped {
		wants = append(wants, blockScope)
	}
	for _, r := range n.Roles {
		wants = append(wants, blockRole(r))
	}
	for _, w := range wants {
		if c, ok := e.blocks[w]; ok {
			return c, w
		}
	}
	return "", ""
}

// probeServer makes the first request: GET /api/v4/users/me without a
// session must be answered with JSON (401 AppError on a real server).
func (e *env) probeServer(ctx context.Context) error {
	r, ex, err := e.probe(ctx, Anonymous, http.MethodGet, usersMePath, nil)
	if err != nil {
		return &SetupError{Target: e.baseURL, Reason: diagnose(err, e.opts.RequestTimeout)}
	}
	var obj map[string]any
	if json.Unmarshal(r.Body, &obj) != nil || (r.Status != http.StatusUnauthorized && r.Status != http.StatusOK) {
		ct := r.Header.Get("Content-Type")
		if ct == "" {
			ct = "no content type"
		}
		return &SetupError{Target: e.baseURL, Reason: fmt.Sprintf(
			"does not look like a Mattermost server: GET /api/v4/users/me answered %d %s (%s), want a JSON 401",
			r.Status, ct, excerpt(e.scrub.scrub(string(r.Body)), 60))}
	}
	for _, p := range anonymousMeProblems(r, ex) {
		e.addFinding(chkAnonymousMe, p)
	}
	if h := r.Header.Get("X-Version-Id"); h != "" {
		v, err := ParseVersion(h)
		if err != nil {
			e.note("the server announced an unreadable version: %v", err)
		}
		e.version = v
	} else {
		e.note("the server announced no version (no X-Version-Id header)")
	}
	return nil
}

// diagnose turns a transport error into a one-line reason.
func diagnose(err error, timeout time.Duration) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	var netErr net.Error
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve host %q", dnsErr.Name)
	case errors.As(err, &certErr):
		return "TLS certificate not trusted: " + oneLine(certErr.Err.Error())
	case errors.Is(err, context.Canceled):
		return "cancelled before the server answered"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return fmt.Sprintf("no answer within %s (is the server hanging?)", timeout)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "cannot connect: " + oneLine(opErr.Err.Error())
	}
	return "request failed: " + transportMessage(err)
}

// detectProvider learns EnableOAuthServiceProvider from the provider probes
// (probeProvider), unless declared. When the probes disagree or fit no
// state, the provider check fails and every check that needs the setting is
// blocked. It returns the probes' evidence for detectDCR.
func (e *env) detectProvider(ctx context.Context) providerEvidence {
	switch e.target.Declared.Provider {
	case On:
		e.settings.Provider = true
		return providerEvidence{state: On}
	case Off:
		e.settings.Provider = false
		return providerEvidence{state: Off}
	}
	ev := e.probeProvider(ctx)
	for _, p := range ev.problems {
		e.addFinding(chkProvider, p)
	}
	for _, n := range ev.notes {
		e.note("%s", n)
	}
	switch {
	case ev.state != Either:
		e.settings.Provider = ev.state == On
	case len(ev.problems) > 0:
		e.settings.Provider = true
		e.block(blockProvider, chkProvider)
	default:
		// Nothing answered either way and nothing broke a rule (a release
		// without the metadata, and no identity that may list apps).
		e.settings.Provider = true
		e.note("nothing tells whether the OAuth provider is enabled; assuming it is (declare it with --provider)")
	}
	return ev
}

// resolveIdentities reads each identity's user with GET /api/v4/users/me.
// A rejected token, or two identities that are the same user, make the run
// meaningless, so they stop it with a one-line reason; an answer that breaks
// the rule of identityProblems fails chkIdentities and blocks that
// identity's checks.
func (e *env) resolveIdentities(ctx context.Context) error {
	seen := map[string]Role{}
	for _, role := range Roles() {
		if e.clients[role] == nil {
			continue
		}
		r, ex, err := e.probe(ctx, role, http.MethodGet, usersMePath, nil)
		switch {
		case err != nil:
			return &SetupError{Target: e.baseURL, Reason: fmt.Sprintf("the %s token could not be checked: GET /api/v4/users/me: %s", role, diagnose(err, e.opts.RequestTimeout))}
		case r.Status == http.StatusUnauthorized:
			return &SetupError{Target: e.baseURL, Reason: fmt.Sprintf("the %s token was refused by GET /api/v4/users/me: %s", role, describeStatus(r.Status, r.errorID()))}
		}
		u, probs := identityProblems(role, r, ex)
		for _, p := range probs {
			e.addFinding(chkIdentities, p)
		}
		if u == nil {
			e.block(blockRole(role), chkIdentities)
			continue
		}
		if prev, dup := seen[u.ID]; dup {
			return &SetupError{Target: e.baseURL, Reason: fmt.Sprintf("the %s and %s tokens belong to the same user %q; the permission matrix needs distinct users", prev, role, u.Username)}
		}
		seen[u.ID] = role
		e.users[role] = u
		isAdmin := isSystemAdmin(u)
		switch {
		case role == PlainUser && isAdmin:
			return &SetupError{Target: e.baseURL, Reason: fmt.Sprintf("the user token belongs to %q, a system admin; it must be a user without manage_oauth", u.Username)}
		case role == Admin && !isAdmin:
			e.note("the admin identity %q lacks the system_admin role; checks that need manage_system_wide_oauth may fail", u.Username)
		}
	}
	return nil
}

// detectDCR learns EnableDynamicClientRegistration, unless declared, from
// the registration probes (probeDCR), which create nothing. When they
// disagree or fit no state, chkDCR fails and the checks that need the
// setting are blocked.
func (e *env) detectDCR(ctx context.Context, provider providerEvidence) {
	switch d := e.target.Declared.DCR; {
	case d != Either:
		e.settings.DCR = d
		return
	case len(e.target.Declared.Allowlist) > 0:
		e.settings.DCR = On
		return
	case !e.settings.Provider:
		e.settings.DCR = Off
		return
	}
	ev := e.probeDCR(ctx, provider.metadata)
	for _, p := range ev.problems {
		e.addFinding(chkDCR, p)
	}
	for _, n := range ev.notes {
		e.note("%s", n)
	}
	e.settings.DCR = ev.state
	if ev.state == Either {
		e.block(blockDCR, chkDCR)
	}
}

// detectSystemWide learns whether Manager and Manager2 can see each other's
// apps: on a stock server only system_admin holds manage_oauth, and it is
// system-wide. A role list with system_admin says so at once; otherwise
// probeScope finds out.
func (e *env) detectSystemWide(ctx context.Context, probe bool) {
	m, m2 := e.users[Manager], e.users[Manager2]
	if m == nil || m2 == nil {
		return
	}
	for _, u := range []*models.User{m, m2} {
		if isSystemAdmin(u) {
			e.settings.ManagersSystemWide = On
			e.note("manage_oauth identity %q is a system admin, so it is system-wide", u.Username)
			return
		}
	}
	if !probe || e.opts.ReadOnly || !e.settings.Provider {
		return
	}
	state, probs := e.probeScope(ctx)
	for _, p := range probs {
		e.addFinding(chkScope, p)
	}
	e.settings.ManagersSystemWide = state
	switch state {
	case On:
		e.note("manager2 can read and list the manager's apps: the manage_oauth identities are system-wide")
	case Either:
		e.block(blockScope, chkScope)
	}
}

// probeScope has Manager create an app and Manager2 try to GET it and to
// find it in its list (server/channels/api4/oauth.go getOAuthApp and
// getOAuthApps: manage_system_wide_oauth decides both). Both succeeding is
// system-wide, neither creator-scoped; one without the other breaks a rule
// (reported as creator-scoped, so the permission checks say which access
// leaks); a manager that cannot create, or an answer that fits neither,
// leaves the scope unknown.
func (e *env) probeScope(ctx context.Context) (Gate, []problem) {
	cs := &captureSink{parent: sinkFrom(ctx)}
	ctx = withSink(ctx, cs)
	app, _, err := e.clients[Manager].CreateOAuthApp(ctx, e.newAppRequest("system-wide probe"))
	if err != nil {
		return Either, []problem{{fmt.Sprintf("the manager identity (manage_oauth) could not create an app: %s", call(app, nil, err).describe()), cs.last}}
	}
	if sinkFrom(ctx).owner() == "" {
		// In setup, the probe app goes at once; a check's apps are deleted
		// when the check ends.
		defer e.cleanup(ctx, "", false)
	}
	_, _, getErr := e.clients[Manager2].GetOAuthApp(ctx, app.ID)
	getEx := cs.last
	listOK := false
	var listErr error
	for a, err := range e.clients[Manager2].OAuthApps(ctx, models.MaxPerPage) {
		if err != nil {
			listErr = err
			break
		}
		if a.ID == app.ID {
			listOK = true
			break
		}
	}
	listEx := cs.last
	getOK := getErr == nil
	switch {
	case getErr != nil && !errors.Is(getErr, client.ErrForbidden):
		return Either, []problem{{fmt.Sprintf("manager2 reading the manager's app got %s, want 200 (system-wide) or 403 (creator-scoped)", call(0, nil, getErr).describe()), getEx}}
	case listErr != nil:
		return Either, []problem{{fmt.Sprintf("manager2 listing apps got %s, want 200", call(0, nil, listErr).describe()), listEx}}
	case getOK && listOK:
		return On, nil
	case !getOK && !listOK:
		return Off, nil
	}
	// Half access: treated as creator-scoped, so that the permission checks
	// run and name the access that leaks.
	return Off, []problem{
		{fmt.Sprintf("manager2 can %s the manager's app", map[bool]string{true: "read", false: "list"}[getOK]), map[bool]*Exchange{true: getEx, false: listEx}[getOK]},
		{fmt.Sprintf("but cannot %s it: system-wide access covers both or neither", map[bool]string{true: "list", false: "read"}[getOK]), map[bool]*Exchange{true: listEx, false: getEx}[getOK]},
	}
}

// newAppRequest is a valid create body for an app the run owns, marked as
// the run's (marker.go).
func (e *env) newAppRequest(purpose string) *models.CreateOAuthAppRequest {
	return appRequest(purpose, e.runID)
}

// URLs of the apps the run creates. The .invalid TLD never resolves (RFC
// 6761 §6.4), so nothing is ever sent to them.
const (
	testHomepage = "https://conformance.mmoauth.invalid"
	testCallback = "https://conformance.mmoauth.invalid/callback"
)

// metadataPath is the RFC 8414 document under the server root (server/channels/app/oauth.go GetAuthorizationServerMetadata).
const metadataPath = "/.well-known/oauth-authorization-server"
