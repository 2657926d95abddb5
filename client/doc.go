// Package client is a typed, context-aware Go SDK for Mattermost's OAuth 2.0
// service-provider API: OAuth app management (/api/v4/oauth/apps...), RFC 8414
// authorization server metadata, RFC 7591 dynamic client registration, the
// session-side authorize/deauthorize calls, and a bridge to
// golang.org/x/oauth2 with PKCE.
//
// # Shape
//
// Every method takes a context.Context first and returns (value, *Response,
// error), like Mattermost's own model.Client4. The *Response is returned
// whenever the server answered, also together with an error, so the status,
// request id and rate-limit headers of a failed call stay readable.
//
// # Input checks
//
// Ids are checked with models.IsValidID and request bodies with their
// Validate method before anything is sent; the error is a
// *models.ValidationError whose ServerErrorID names the id the server would
// have answered with. Path segments are escaped, so an id can never select
// another route.
//
// # Errors
//
// A non-2xx answer is an *Error carrying the status, the method and path (never
// the query), the AppError fields or the RFC 7591 / RFC 6749 error code, and
// the capped, redacted body. errors.Is matches the sentinels ErrBadRequest,
// ErrUnauthorized, ErrForbidden, ErrNotFound, ErrRateLimited and
// ErrNotImplemented by status. A 2xx body that is not the expected JSON (or is
// larger than MaxResponseBytes) is a *DecodeError. A POST whose answer was
// lost is an *OutcomeUnknownError (see Unknown outcomes).
//
// # Unknown outcomes
//
// A request that is not idempotent (every POST: CreateOAuthApp,
// RegisterOAuthClient, RegenerateOAuthAppSecret, AuthorizeOAuthApp, the
// token exchange) is never sent twice once a byte of it was written. When
// its answer is then lost (the connection broke, the answer was cut off or
// garbled, or a gateway answered 502 or 504), the server may have acted,
// and the error is an *OutcomeUnknownError: errors.Is(err,
// ErrOutcomeUnknown) holds, and it carries the Method, the Path and, for a
// create or a registration, the Name sent. Reconcile before trying again:
//
//   - a create: list the apps (OAuthApps) and match by Name; give each
//     create a name of your own to recognise it by;
//   - a secret regeneration: GetOAuthApp returns the secret the app has now;
//   - a registration: the endpoint is anonymous and keeps no registration
//     token, so the caller cannot look it up; an administrator
//     (manage_system_wide_oauth) can list the apps and match client_name,
//     else register again and have the orphan deleted;
//   - authorize and the token exchange: start the flow again (a code is
//     single-use).
//
// # Retries
//
// Requests run on github.com/hashicorp/go-retryablehttp with this package's
// own policy (see RetryPolicy): only what is safe is retried, waits honour
// Retry-After and X-RateLimit-Reset, and no wait ever runs past the context
// deadline. Nothing is logged unless WithLogger is given, and the logger never
// sees headers, bodies, tokens, secrets, codes or verifiers.
//
// # Testing and recording
//
// WithHTTPClient(hc) puts hc under the retry layer: every attempt goes
// through hc, so a recording transport sees each retry, and httpmock
// intercepts with httpmock.ActivateNonDefault(hc). (httpmock.Activate swaps
// http.DefaultTransport, which the client never uses: its default
// *http.Client has a transport of its own.) WithRetryPolicy(NoRetry()) makes
// every call a single attempt. The raw status, headers and body of a failed
// call are in the *Error (StatusCode, Body) and the *Response returned with it
// (Header).
//
// # x/oauth2
//
// Discover fetches and validates the RFC 8414 document, RegisterOAuthClient
// registers a client, OAuth2Config turns both into an *oauth2.Config, and
// NewPKCE / TokenSource cover PKCE and token refresh without the x/oauth2
// pitfall of a token source that keeps a per-request context.
package client
