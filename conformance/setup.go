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
	rec := &recorder{next: next, validator: v, scrub: sc, tracker: tr, basePath: basePath}
	hc := &http.Client{
		Transport: rec,
		Timeout:   opts.RequestTimeout,
		// The API never redirects; following a redirect could carry a token
		// to another host (client package does the same).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	name := tg.Name
	e := &env{
		target: tg, name: name, baseURL: base, basePath: basePath, opts: opts,
		hc: hc, rec: rec, scrub: sc, tracker: tr,
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
// probeScope allows the probe app; it is false when no selected check needs
// to know the managers' scope.
func (e *env) setup(ctx context.Context, probeScope bool) error {
	ctx = withSink(ctx, logSink{list: &e.setupLog})
	if err := e.probeServer(ctx); err != nil {
		return err
	}
	e.detectProvider(ctx)
	if err := e.resolveIdentities(ctx); err != nil {
		return err
	}
	e.detectDCR(ctx)
	e.settings.Allowlist = slices.Clone(e.target.Declared.Allowlist)
	e.detectSystemWide(ctx, probeScope)
	for _, ex := range e.setupLog.all() {
		if ex.SchemaError != "" {
			e.note("setup: response to %s does not match the OpenAPI document: %s", ex.RequestLine(), ex.SchemaError)
		}
	}
	return nil
}

// probeServer makes the first request: GET /api/v4/users/me without a
// session must be answered with JSON (401 AppError on a real server).
func (e *env) probeServer(ctx context.Context) error {
	r, err := e.do(ctx, Anonymous, http.MethodGet, "/api/v4/users/me", "", nil)
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

// detectProvider reads EnableOAuthServiceProvider from the metadata
// endpoint: 200 on, 501 off (reference §4 gates), unless declared.
func (e *env) detectProvider(ctx context.Context) {
	r, err := e.do(ctx, Anonymous, http.MethodGet, metadataPath, "", nil)
	if err == nil && r.Status == http.StatusOK {
		var m models.AuthorizationServerMetadata
		if json.Unmarshal(r.Body, &m) == nil {
			e.metadata = &m
		}
	}
	switch e.target.Declared.Provider {
	case On:
		e.settings.Provider = true
		return
	case Off:
		e.settings.Provider = false
		return
	}
	switch {
	case err != nil:
		e.settings.Provider = true
		e.note("metadata endpoint did not answer (%s); assuming the OAuth provider is enabled", transportMessage(err))
	case r.Status == http.StatusNotImplemented:
		e.settings.Provider = false
	case r.Status == http.StatusOK:
		e.settings.Provider = true
	default:
		e.settings.Provider = true
		e.note("metadata endpoint answered %d (Mattermost before 11.2, or an empty SiteURL); assuming the OAuth provider is enabled", r.Status)
	}
}

// resolveIdentities reads each identity's user with GET /api/v4/users/me.
// A rejected token, or two identities that are the same user, make the run
// meaningless, so they stop it with a one-line reason.
func (e *env) resolveIdentities(ctx context.Context) error {
	seen := map[string]Role{}
	for _, role := range Roles() {
		c := e.clients[role]
		if c == nil {
			continue
		}
		o := call(c.GetMe(ctx))
		if o.Err != nil {
			return &SetupError{Target: e.baseURL, Reason: fmt.Sprintf("the %s token was refused by GET /api/v4/users/me: %s", role, o.describe())}
		}
		u := o.Value
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

// detectDCR learns EnableDynamicClientRegistration, unless declared, by
// sending a registration with no redirect URI: the server refuses it with
// unsupported_operation when registration is off and with
// invalid_client_metadata when it is on (reference §3 check order), and
// creates nothing either way.
func (e *env) detectDCR(ctx context.Context) {
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
	r, err := e.do(ctx, Anonymous, http.MethodPost, registerPath, contentJSON, []byte(`{"redirect_uris":[]}`))
	if err != nil {
		e.note("could not detect dynamic client registration: %s", transportMessage(err))
		return
	}
	switch code := r.errorID(); {
	case r.Status == http.StatusCreated:
		e.settings.DCR = On
		e.note("the registration endpoint accepted an empty redirect_uris list (the client is deleted at the end)")
	case r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed:
		e.settings.DCR = Off
		e.note("no registration endpoint (%d): Mattermost before 11.2?", r.Status)
	case code == models.DCRErrorInvalidClientMetadata:
		e.settings.DCR = On
	case code == models.DCRErrorUnsupportedOperation:
		e.settings.DCR = Off
	default:
		e.note("could not detect dynamic client registration: the probe got %s; declare it", describeStatus(r.Status, code))
	}
}

// detectSystemWide learns whether Manager and Manager2 can see each other's
// apps (reference §5 "Default roles": on a stock server only system_admin
// holds manage_oauth, and it is system-wide). A role list with system_admin
// says so at once; otherwise Manager creates a probe app and Manager2 tries
// to GET it and to find it in its list. Only both succeeding means
// system-wide: one without the other is a server breaking a rule, which the
// permission checks must report rather than skip.
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
	req := newAppRequest("system-wide probe")
	app, _, err := e.clients[Manager].CreateOAuthApp(ctx, req)
	if err != nil {
		e.note("the manager identity could not create a probe app (%v)", err)
		return
	}
	defer e.cleanup(ctx, "", true)
	getOK := false
	if _, _, err := e.clients[Manager2].GetOAuthApp(ctx, app.ID); err == nil {
		getOK = true
	}
	listOK := false
	for a, err := range e.clients[Manager2].OAuthApps(ctx, models.MaxPerPage) {
		if err != nil {
			break
		}
		if a.ID == app.ID {
			listOK = true
			break
		}
	}
	switch {
	case getOK && listOK:
		e.settings.ManagersSystemWide = On
		e.note("manager2 can read and list the manager's apps: the manage_oauth identities are system-wide")
	default:
		e.settings.ManagersSystemWide = Off
		if getOK != listOK {
			e.note("manager2 can %s but not %s the manager's app: treated as creator-scoped, so the permission checks report it",
				map[bool]string{true: "read", false: "list"}[getOK], map[bool]string{true: "list", false: "read"}[getOK])
		}
	}
}

// newAppRequest is a valid create body for an app the run owns.
func newAppRequest(purpose string) *models.CreateOAuthAppRequest {
	name := "mmoauth-conformance " + purpose
	if len(name) > models.MaxAppNameBytes {
		name = name[:models.MaxAppNameBytes]
	}
	return &models.CreateOAuthAppRequest{
		Name:         name,
		Description:  "Created by the mmoauth conformance suite; deleted when the run ends.",
		CallbackURLs: []string{testCallback},
		Homepage:     testHomepage,
	}
}

// URLs of the apps the run creates. The .invalid TLD never resolves (RFC
// 6761 §6.4), so nothing is ever sent to them.
const (
	testHomepage = "https://conformance.mmoauth.invalid"
	testCallback = "https://conformance.mmoauth.invalid/callback"
)

// metadataPath is the RFC 8414 document under the server root (reference §4).
const metadataPath = "/.well-known/oauth-authorization-server"
