package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// DiscoveryRule names the rule a discovered document (or the input) broke.
type DiscoveryRule string

// The rules Discover enforces.
const (
	// RuleServerURL: the server URL is not an absolute http(s) URL without
	// query or fragment (RFC 8414 §2: the issuer identifier).
	RuleServerURL DiscoveryRule = "server-url"
	// RuleFetch: the document could not be fetched or decoded; Err says why
	// (an *Error, a *DecodeError or a transport error).
	RuleFetch DiscoveryRule = "fetch"
	// RuleIssuer: issuer is not identical to the server URL the document was
	// derived from (RFC 8414 §3.3: the client MUST NOT use it).
	RuleIssuer DiscoveryRule = "issuer"
	// RuleResponseTypes: response_types_supported lacks "code" (RFC 8414 §2
	// REQUIRED; the authorization code flow is the one Mattermost serves).
	RuleResponseTypes DiscoveryRule = "response-types"
	// RuleEndpoints: authorization_endpoint or token_endpoint is missing, or
	// an endpoint is not an absolute http(s) URL without fragment (RFC 8414 §2).
	RuleEndpoints DiscoveryRule = "endpoints"
	// RuleS256: code_challenge_methods_supported lacks "S256" (RFC 7636
	// §4.2 makes S256 mandatory to implement; RFC 9700 §2.1.1 requires PKCE
	// and a way for clients to detect it; an absent list means no PKCE).
	RuleS256 DiscoveryRule = "pkce-s256"
)

// DiscoveryError says which rule made Discover refuse a server.
type DiscoveryError struct {
	ServerURL string        // the issuer URL given to Discover, any password masked
	URL       string        // the metadata URL last fetched ("" for RuleServerURL)
	Rule      DiscoveryRule // which rule broke
	Reason    string        // what exactly was wrong
	// Metadata is the document as received, for diagnostics; it must not be
	// used to talk to the server.
	Metadata *models.AuthorizationServerMetadata
	Err      error // the underlying error for RuleServerURL and RuleFetch
}

// Error names the server, the rule and the reason on one line.
func (e *DiscoveryError) Error() string {
	msg := fmt.Sprintf("mmoauth: discovery of %q: %s: %s", e.ServerURL, e.Rule, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the fetch or parse error, if any.
func (e *DiscoveryError) Unwrap() error { return e.Err }

// Discover fetches and validates the RFC 8414 authorization server metadata
// of the server whose issuer identifier (Mattermost's SiteURL) is serverURL.
//
// The document is fetched from the RFC 8414 §3 well-known URL: the path
// /.well-known/oauth-authorization-server is inserted between the host and
// the issuer's path (https://h/mm → https://h/.well-known/oauth-authorization-server/mm).
// Mattermost itself serves the document below its SiteURL
// (https://h/mm/.well-known/oauth-authorization-server), so when the issuer
// has a path and the RFC URL answers 404, that URL is tried next.
//
// The document is refused, with a *DiscoveryError naming the rule, unless
// its issuer is identical to serverURL (string comparison, so
// "https://h/" and "https://h" differ: RFC 8414 §3.3), response types include
// "code", the authorization and token endpoints (and the registration
// endpoint, if any) are absolute http(s) URLs, and S256 PKCE is offered.
// http is accepted as well as https, for development servers.
//
// opts configure the fetch as for New (HTTP client, retry policy, logger,
// user agent); no Authorization header is ever sent.
func Discover(ctx context.Context, serverURL string, opts ...Option) (*models.AuthorizationServerMetadata, error) {
	shown := "(unparsable URL)"
	if u, err := url.Parse(serverURL); err == nil {
		shown = u.Redacted()
	}
	fail := func(rule DiscoveryRule, fetched, reason string, meta *models.AuthorizationServerMetadata, err error) error {
		return &DiscoveryError{ServerURL: shown, URL: fetched, Rule: rule, Reason: reason, Metadata: meta, Err: err}
	}
	issuer, err := parseIssuer(serverURL)
	if err != nil {
		return nil, fail(RuleServerURL, "", "not a usable issuer identifier", nil, err)
	}
	c, err := New(serverURL, opts...)
	if err != nil {
		return nil, fail(RuleServerURL, "", "cannot build a client", nil, err)
	}
	var meta *models.AuthorizationServerMetadata
	var fetched string
	for i, u := range wellKnownURLs(issuer) {
		fetched = u.String()
		meta, _, err = sendFor[models.AuthorizationServerMetadata](ctx, c, request{method: http.MethodGet, target: u, anonymous: true})
		if err == nil || !errors.Is(err, ErrNotFound) || i == 1 {
			break
		}
	}
	if err != nil {
		return nil, fail(RuleFetch, fetched, "cannot get the metadata document", nil, err)
	}
	if rule, reason := checkMetadata(meta, serverURL); rule != "" {
		return nil, fail(rule, fetched, reason, meta, nil)
	}
	return meta, nil
}

// parseIssuer checks the RFC 8414 §2 form of an issuer identifier, allowing http.
func parseIssuer(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("cannot parse the URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("scheme must be https (or http)")
	case u.Host == "":
		return nil, errors.New("no host")
	case u.User != nil:
		return nil, errors.New("user information is not allowed")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, errors.New("query and fragment are not allowed (RFC 8414 §2)")
	}
	return u, nil
}

// wellKnownURLs returns the RFC 8414 §3 URL and, for an issuer with a path,
// the path-appended URL Mattermost serves below its SiteURL.
func wellKnownURLs(issuer *url.URL) []*url.URL {
	const wellKnown = "/.well-known/oauth-authorization-server"
	path := strings.TrimSuffix(issuer.EscapedPath(), "/") // RFC 8414 §3: a terminating "/" is removed
	rfc := &url.URL{Scheme: issuer.Scheme, Host: issuer.Host}
	setEscapedPath(rfc, wellKnown+path)
	if path == "" {
		return []*url.URL{rfc}
	}
	appended := &url.URL{Scheme: issuer.Scheme, Host: issuer.Host}
	setEscapedPath(appended, path+wellKnown)
	return []*url.URL{rfc, appended}
}

func setEscapedPath(u *url.URL, escaped string) {
	if p, err := url.PathUnescape(escaped); err == nil {
		u.Path, u.RawPath = p, escaped
	}
}

// checkMetadata applies the rules documented on Discover, issuer first.
func checkMetadata(m *models.AuthorizationServerMetadata, serverURL string) (DiscoveryRule, string) {
	if m.Issuer != serverURL {
		return RuleIssuer, fmt.Sprintf("issuer %q is not identical to %q", m.Issuer, serverURL)
	}
	if !slices.Contains(m.ResponseTypesSupported, models.ResponseTypeCode) {
		return RuleResponseTypes, fmt.Sprintf("response_types_supported %q lacks %q", m.ResponseTypesSupported, models.ResponseTypeCode)
	}
	endpoints := []struct {
		name, value string
		required    bool
	}{
		{"authorization_endpoint", m.AuthorizationEndpoint, true},
		{"token_endpoint", m.TokenEndpoint, true},
		{"registration_endpoint", m.RegistrationEndpoint, false},
	}
	for _, ep := range endpoints {
		if ep.value == "" && !ep.required {
			continue
		}
		if !isAbsoluteEndpoint(ep.value) {
			return RuleEndpoints, fmt.Sprintf("%s %q is not an absolute http(s) URL without fragment", ep.name, ep.value)
		}
	}
	if !m.SupportsS256() {
		return RuleS256, fmt.Sprintf("code_challenge_methods_supported %q lacks %q", m.CodeChallengeMethodsSupported, models.PKCEMethodS256)
	}
	return "", ""
}

func isAbsoluteEndpoint(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.Fragment == "" && !strings.Contains(raw, "#")
}
