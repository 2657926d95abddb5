package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/mmoauth/mmoauth/models"
)

// The settings probes. Setup uses them to learn the target's settings, and
// the setup checks (checks_setup.go) run them again as checks of their own,
// so that the same evidence decides both: a server whose answers fit no
// state of the real server, or whose answers contradict each other, fails
// the check that owns the rule instead of quietly skipping what depends on
// it.

// problem is a rule a probe saw broken, with the exchange that showed it.
type problem struct {
	msg string
	ex  *Exchange
}

// captureSink forwards exchanges to the sink of the context it wraps (the
// running check, or setup's log) and keeps the last one as evidence.
type captureSink struct {
	parent sink
	last   *Exchange
}

func (c *captureSink) record(ex *Exchange) {
	c.last = ex
	if c.parent != nil {
		c.parent.record(ex)
	}
}

func (c *captureSink) owner() string {
	if c.parent == nil {
		return ""
	}
	return c.parent.owner()
}

// probe sends one request and returns the answer with its recorded
// exchange; a transport failure is returned as the error, with the exchange
// that recorded it.
func (e *env) probe(ctx context.Context, role Role, method, path string, body []byte) (*rawResponse, *Exchange, error) {
	cs := &captureSink{parent: sinkFrom(ctx)}
	ct := ""
	if body != nil {
		ct = contentJSON
	}
	r, err := e.do(withSink(ctx, cs), role, method, path, ct, body)
	return r, cs.last, err
}

// providerEvidence is what the provider probes say about
// EnableOAuthServiceProvider.
type providerEvidence struct {
	state    Gate
	metadata answer // the metadata endpoint's
	problems []problem
	notes    []string
}

// answer is a probe's response and the exchange that recorded it.
type answer struct {
	r  *rawResponse // nil when no answer arrived
	ex *Exchange
}

// probeProvider reads EnableOAuthServiceProvider from two routes: the RFC
// 8414 metadata (200 on; 501 off, server/channels/web/oauth.go
// authorizationServerMetadata; 404 on releases without it, before 11.2) and
// the app list as an identity with manage_oauth (200 on; 501
// api.oauth.allow_oauth.turn_off.app_error off, server/channels/app/oauth.go
// GetOAuthApps). Both seen on Mattermost 11.6; the list on 9.10 too.
func (e *env) probeProvider(ctx context.Context) providerEvidence {
	var ev providerEvidence
	fromMetadata, fromList := Either, Either
	var metaEx, listEx *Exchange

	r, ex, err := e.probeMetadata(ctx)
	metaEx = ex
	ev.metadata = answer{r, ex}
	switch {
	case r == nil && err == nil:
		ev.notes = append(ev.notes, fmt.Sprintf("Mattermost %s has no metadata endpoint (it arrived in 11.2)", e.version))
	case err != nil:
		ev.problems = append(ev.problems, problem{"the metadata endpoint did not answer: " + transportMessage(err), ex})
	case r.Status == http.StatusOK && !r.isJSON() && !e.version.AtLeast(11, 2):
		// Before 11.2 an unknown path is the web app's page.
		ev.notes = append(ev.notes, "the metadata path serves a page that is not JSON: a release before Mattermost 11.2")
	case r.Status == http.StatusOK:
		fromMetadata = On
	case r.Status == http.StatusNotImplemented:
		fromMetadata = Off
	case r.Status == http.StatusNotFound && e.version.AtLeast(11, 2):
		ev.problems = append(ev.problems, problem{fmt.Sprintf("the metadata endpoint answered 404, but Mattermost %s serves it (since 11.2)", e.version), ex})
	case r.Status == http.StatusNotFound:
		ev.notes = append(ev.notes, "no metadata endpoint (404): a release before Mattermost 11.2")
	case r.Status == http.StatusInternalServerError:
		ev.notes = append(ev.notes, "the metadata endpoint answered 500 (an empty SiteURL makes it fail)")
	default:
		ev.problems = append(ev.problems, problem{fmt.Sprintf(
			"the metadata endpoint answered %d, which fits no state of the real server (200 provider on, 501 off, 404 before 11.2)", r.Status), ex})
	}

	if role := e.firstRole(Admin, Manager); role != "" {
		r, ex, err := e.probe(ctx, role, http.MethodGet, appsPath+"?page=0&per_page=1", nil)
		listEx = ex
		switch {
		case err != nil:
			ev.problems = append(ev.problems, problem{"the app list did not answer: " + transportMessage(err), ex})
		case r.Status == http.StatusOK:
			fromList = On
		case r.Status == http.StatusNotImplemented && r.errorID() == idProviderOff:
			fromList = Off
		case r.Status == http.StatusForbidden:
			ev.notes = append(ev.notes, fmt.Sprintf("the %s identity may not list apps (403), so the list cannot tell whether the provider is on", role))
		default:
			ev.problems = append(ev.problems, problem{fmt.Sprintf(
				"the app list as %s answered %s, which fits no state of the real server (200 provider on, 501 %s off)",
				role, describeStatus(r.Status, r.errorID()), idProviderOff), ex})
		}
	}

	switch {
	case fromMetadata != Either && fromList != Either && fromMetadata != fromList:
		ev.problems = append(ev.problems,
			problem{fmt.Sprintf("the metadata says the OAuth provider is %s", fromMetadata), metaEx},
			problem{fmt.Sprintf("but the app list says it is %s: the two routes disagree", fromList), listEx})
	case fromMetadata != Either:
		ev.state = fromMetadata
	default:
		ev.state = fromList
	}
	return ev
}

// dcrEvidence is what the registration probes say about
// EnableDynamicClientRegistration.
type dcrEvidence struct {
	state Gate
	// absent: the release has no registration endpoint (before 11.2).
	absent   bool
	problems []problem
	notes    []string
}

// emptyRegistration is the registration probe's body: it can never create
// a client, because the server refuses it whether registration is on or off.
const emptyRegistration = `{"redirect_uris":[]}`

// probeDCR reads EnableDynamicClientRegistration from the registration
// endpoint's answer to a registration without a redirect URI (400
// invalid_client_metadata when on, 400 unsupported_operation when off, both
// in the RFC 7591 §3.2.2 body; server/channels/api4/oauth.go
// registerOAuthClient; 404 before 11.2) and from the metadata's
// registration_endpoint, listed exactly when registration is on
// (server/channels/web/oauth.go authorizationServerMetadata). Seen on
// Mattermost 11.6 (on and off) and 9.10 (404).
func (e *env) probeDCR(ctx context.Context, meta answer) dcrEvidence {
	var ev dcrEvidence
	if e.version.Known() && !e.version.AtLeast(11, 2) {
		ev.state, ev.absent = Off, true
		ev.notes = append(ev.notes, fmt.Sprintf("Mattermost %s has no dynamic client registration (it arrived in 11.2)", e.version))
		return ev
	}
	fromProbe, fromMetadata := Either, Either
	probeAbsent := false

	r, probeEx, err := e.probe(ctx, Anonymous, http.MethodPost, registerPath, []byte(emptyRegistration))
	dcr, isDCR := models.DCRError{}, false
	if err == nil {
		dcr, isDCR = r.dcrError()
		if _, isApp := r.appError(); isApp {
			isDCR = false
		}
	}
	switch {
	case err != nil:
		ev.problems = append(ev.problems, problem{"the registration endpoint did not answer: " + transportMessage(err), probeEx})
	case r.Status == http.StatusBadRequest && isDCR && dcr.Error == models.DCRErrorInvalidClientMetadata:
		fromProbe = On
	case r.Status == http.StatusBadRequest && isDCR && dcr.Error == models.DCRErrorUnsupportedOperation:
		fromProbe = Off
	case r.Status == http.StatusNotFound && e.version.AtLeast(11, 2):
		ev.problems = append(ev.problems, problem{fmt.Sprintf("the registration endpoint answered 404, but Mattermost %s has it (since 11.2)", e.version), probeEx})
	case r.Status == http.StatusNotFound:
		probeAbsent = true
	case r.Status == http.StatusCreated:
		fromProbe = On
		ev.problems = append(ev.problems, problem{"the registration endpoint accepted a registration without a redirect URI (201), want 400 invalid_client_metadata", probeEx})
	case r.Status == http.StatusTooManyRequests:
		ev.problems = append(ev.problems, problem{"rate limited: the registration probe was still answered 429 after the server's waits", probeEx})
	default:
		ev.problems = append(ev.problems, problem{fmt.Sprintf(
			"a registration without a redirect URI got %s%s, which fits no state of the real server (400 invalid_client_metadata when registration is on, 400 unsupported_operation when off, each in an RFC 7591 body {error, error_description})",
			describeStatus(r.Status, r.errorID()), shapeNote(r, isDCR)), probeEx})
	}

	metadataServed := meta.r != nil && meta.r.Status == http.StatusOK
	if metadataServed {
		var m struct {
			RegistrationEndpoint string `json:"registration_endpoint"`
		}
		if json.Unmarshal(meta.r.Body, &m) == nil {
			fromMetadata = Off
			if m.RegistrationEndpoint != "" {
				fromMetadata = On
			}
		}
	}

	switch {
	case probeAbsent && metadataServed:
		ev.problems = append(ev.problems, problem{"the metadata is served (Mattermost 11.2 or later), but the registration endpoint answered 404: the release that serves one has the other", probeEx})
	case probeAbsent:
		ev.state, ev.absent = Off, true
		ev.notes = append(ev.notes, "no registration endpoint (404): a release before Mattermost 11.2")
	case fromProbe != Either && fromMetadata != Either && fromProbe != fromMetadata:
		ev.problems = append(ev.problems,
			problem{fmt.Sprintf("the registration endpoint says registration is %s", fromProbe), probeEx},
			problem{fmt.Sprintf("but the metadata says it is %s (registration_endpoint %s): the two disagree", fromMetadata,
				map[Gate]string{On: "listed", Off: "not listed"}[fromMetadata]), meta.ex})
	case fromProbe != Either:
		ev.state = fromProbe
	default:
		ev.state = fromMetadata
	}
	return ev
}

// shapeNote says what was wrong with an error body's shape, if anything.
func shapeNote(r *rawResponse, isDCR bool) string {
	if _, isApp := r.appError(); isApp {
		return " in an AppError body"
	}
	if !isDCR {
		return " with a body that is not an RFC 7591 error"
	}
	return ""
}

// probeMetadata fetches the RFC 8414 metadata, unless the server announced
// a release without it (before 11.2): then r and err are both nil.
func (e *env) probeMetadata(ctx context.Context) (*rawResponse, *Exchange, error) {
	if e.version.Known() && !e.version.AtLeast(11, 2) {
		return nil, nil, nil
	}
	return e.probe(ctx, Anonymous, http.MethodGet, metadataPath, nil)
}

// firstRole is the first of roles the target has a token for, or "".
func (e *env) firstRole(roles ...Role) Role {
	for _, r := range roles {
		if e.clients[r] != nil {
			return r
		}
	}
	return ""
}
