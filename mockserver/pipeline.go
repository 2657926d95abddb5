package mockserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/routers"
	"github.com/mmoauth/mmoauth/spec"

	"github.com/mmoauth/mmoauth/models"
)

// authMode says whether an operation needs a session, as the handler wrapper
// of the real server does (api4: APISessionRequired / APIHandler; web:
// APIHandlerTrustRequester for the page, the token endpoint and metadata).
type authMode int

const (
	authNone     authMode = iota // the session, if any, is ignored
	authOptional                 // used when present (GET /oauth/authorize)
	authRequired                 // 401 api.context.session_expired.app_error without one
)

// operation is a handler and the wrapper it is registered with.
type operation struct {
	auth   authMode
	handle func(*call)
}

// operations maps the document's operationIds to handlers. Every operation
// of the document has one (TestEveryOperationHasAHandler).
var operations = map[string]operation{
	"CreateOAuthApp":                 {authRequired, (*call).createOAuthApp},
	"GetOAuthApps":                   {authRequired, (*call).getOAuthApps},
	"GetOAuthApp":                    {authRequired, (*call).getOAuthApp},
	"UpdateOAuthApp":                 {authRequired, (*call).updateOAuthApp},
	"DeleteOAuthApp":                 {authRequired, (*call).deleteOAuthApp},
	"RegenerateOAuthAppSecret":       {authRequired, (*call).regenerateOAuthAppSecret},
	"GetOAuthAppInfo":                {authRequired, (*call).getOAuthAppInfo},
	"GetAuthorizedOAuthAppsForUser":  {authRequired, (*call).getAuthorizedOAuthApps},
	"RegisterOAuthClient":            {authNone, (*call).registerOAuthClient},
	"GetAuthorizationServerMetadata": {authNone, (*call).getAuthorizationServerMetadata},
	"AuthorizeOAuthApp":              {authRequired, (*call).authorizeOAuthApp},
	"AuthorizeOAuthAppPage":          {authOptional, (*call).authorizeOAuthPage},
	"GetOAuthAccessToken":            {authNone, (*call).getAccessToken},
	"DeauthorizeOAuthApp":            {authRequired, (*call).deauthorizeOAuthApp},
	"GetMe":                          {authRequired, (*call).getMe},
}

// serve runs the pipeline for one request. A panic anywhere becomes a 500
// AppError (the real server's recover does the same), except the
// http.ErrAbortHandler a dropped-connection fault raises.
func (c *call) serve(ctx context.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // recover returns the sentinel itself
				panic(v)
			}
			c.writeError(newError(http.StatusInternalServerError, "api.context.internal.app_error", fmt.Sprintf("panic: %v", v)))
		}
	}()
	h := c.w.Header()
	h.Set("X-Request-ID", c.requestID)
	h.Set("X-Version-ID", versionHeader(c.cfg.emulated()))

	if !c.readBody() {
		return
	}
	if !c.findRoute(ctx) || !c.rules.operationExists(c) {
		return
	}
	if c.injectFaults(ctx) || c.answerPrefer() {
		return
	}
	op := operations[c.op]
	if op.handle == nil {
		c.unchecked = true
		c.writeError(newError(http.StatusNotImplemented, "api.context.not_implemented.app_error", "no handler for "+c.op))
		return
	}
	mode := c.rules.sessionRequirement(c.op, op.auth)
	// Authentication reads the state outside any transaction; a request
	// that may write gets its transaction only once it has passed every
	// check that needs no state, so that a durable store's single writer
	// is held for the handler alone.
	c.st = c.s.store.begin(ctx, false)
	if !c.authenticate(mode) {
		return
	}
	if !c.validateRequest(ctx) {
		return
	}
	if !readOnlyOps[c.op] {
		if err := c.endState(); err != nil {
			c.failCommit(err)
			return
		}
		c.st = c.s.store.begin(ctx, true)
	}
	op.handle(c)
}

// readBody buffers the body, refusing more than 1 MiB with 413, and leaves it
// readable for validation and the handler.
func (c *call) readBody() bool {
	if c.r.Body == nil {
		c.r.Body = http.NoBody
		return true
	}
	tooLarge := c.r.ContentLength > maxBodyBytes
	if !tooLarge {
		b, err := io.ReadAll(io.LimitReader(c.r.Body, maxBodyBytes+1))
		if err != nil {
			c.unchecked = true
			c.writeError(errInvalidBodyParam("body", "unable to read the request body"))
			return false
		}
		tooLarge = len(b) > maxBodyBytes
		c.body = b
	}
	_ = c.r.Body.Close()
	if tooLarge {
		c.unchecked = true
		c.writeError(newError(http.StatusRequestEntityTooLarge, "api.context.request_body_too_large.app_error", ""))
		return false
	}
	c.r.Body = io.NopCloser(bytes.NewReader(c.body))
	return true
}

// findRoute resolves the operation. Under /api/v4 an unknown path and a
// known path with another method are both Handle404's answer (server/
// channels/api4/api.go: the API router's NotFoundHandler and
// MethodNotAllowedHandler): 404 api.context.404.app_error with a
// detailed_error naming the URL and no request id, as it does not pass
// through web/handlers.go. Elsewhere a wrong method is the router's plain
// "404 page not found". Seen on Mattermost 11.6.
func (c *call) findRoute(ctx context.Context) bool {
	if p := c.r.URL.Path; p != pathMetadata && strings.HasPrefix(p, pathMetadata) {
		// The metadata is registered under a path prefix (web/oauth.go
		// InitOAuth: PathPrefix), so every path that starts with it serves
		// the document. Seen on Mattermost 11.6: .../oauth-authorization-
		// server/api and ...-serverX answer 200.
		r := c.r.Clone(ctx)
		r.URL.Path, r.URL.RawPath = pathMetadata, ""
		c.r = r
	}
	route, params, err := c.s.validator.FindRoute(c.r)
	switch {
	case err == nil:
		c.route, c.params, c.op = route, params, route.Operation.OperationID
		return true
	case strings.HasPrefix(c.r.URL.Path, "/api/"):
		c.writeAPIRouteNotFound()
	case errors.Is(err, routers.ErrMethodNotAllowed):
		c.unchecked = true
		c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		c.w.Header().Set("X-Content-Type-Options", "nosniff")
		c.w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(c.w, "404 page not found\n")
	default:
		c.unchecked = true
		c.writeError(newError(http.StatusNotFound, "api.context.404.app_error", ""))
	}
	return false
}

// writeAPIRouteNotFound is api4/api.go Handle404: the answer to a path (or
// method) the API router does not have.
func (c *call) writeAPIRouteNotFound() {
	c.unchecked = true
	c.w.Header().Del("X-Request-ID")
	c.writeJSON(http.StatusNotFound, models.AppError{
		ID: "api.context.404.app_error", Message: messages["api.context.404.app_error"], StatusCode: http.StatusNotFound,
		DetailedError: "There doesn't appear to be an api call for the url='" + c.r.URL.Path + "'.  Typo? are you missing a team_id or user_id as part of the url?",
	})
}

// Where a token was found (app/session.go ParseAuthTokenFromRequest).
type tokenLocation int

const (
	tokenNone tokenLocation = iota
	tokenCookie
	tokenHeader
	tokenQuery
)

// tokenFrom reads the token as the real server does
// (app/session.go ParseAuthTokenFromRequest): the MMAUTHTOKEN cookie, then
// the Authorization header (rule headerToken), then the access_token query
// parameter.
func (c *call) tokenFrom() (string, tokenLocation) {
	if ck, err := c.r.Cookie("MMAUTHTOKEN"); err == nil && ck.Value != "" {
		return ck.Value, tokenCookie
	}
	if t := c.rules.headerToken(c.r.Header.Get("Authorization")); t != "" {
		return t, tokenHeader
	}
	if t := c.r.URL.Query().Get("access_token"); t != "" {
		return t, tokenQuery
	}
	return "", tokenNone
}

// headerToken is ParseAuthTokenFromRequest's reading of the Authorization
// header: "Bearer " or "Token " in any case, then the token as it is, so a
// second space makes it a token nobody issued (seen on 11.6).
func headerToken(auth string) string {
	switch {
	case len(auth) > 6 && strings.EqualFold(auth[:6], "bearer"):
		return auth[7:]
	case len(auth) > 5 && strings.EqualFold(auth[:5], "token"):
		return auth[6:]
	}
	return ""
}

// authenticate resolves the session. Session-required operations answer 401
// before looking at ids or bodies (web/handlers.go), which is why this runs
// before request validation.
func (c *call) authenticate(mode authMode) bool {
	if mode == authNone {
		return true
	}
	token, loc := c.tokenFrom()
	anonymousOK := c.rules.anonymousOK(mode)
	if token == "" {
		if anonymousOK {
			return true
		}
		c.writeError(errSessionExpired("UserRequired"))
		return false
	}
	sess, ok := c.sessionFor(token)
	if ok && !sess.ExpiresAt.IsZero() && c.now.After(sess.ExpiresAt) {
		ok = false // an expired OAuth access token (Session.IsExpired)
	}
	if !ok {
		sess, ok = c.rules.unknownToken(token, c.s.ident)
	}
	if !ok {
		if anonymousOK {
			return true
		}
		// The real detail echoes the token; a mock must not.
		c.writeError(errSessionExpired("invalid or expired token"))
		return false
	}
	if loc == tokenQuery && !c.rules.queryTokenAccepted(sess) {
		c.writeError(newError(http.StatusUnauthorized, "api.context.token_provided.app_error", ""))
		return false
	}
	c.sess = &sess
	c.acct = c.rules.sessionAccount(c.s.account(sess.UserID), sess)
	return true
}

// validateRequest checks the request against its operation. A bad path
// parameter is 400 invalid_url_param; a bad query parameter falls back to the
// default, as web/params.go does; a bad body is kept for the handler, which
// reports it where the real server decodes the body.
func (c *call) validateRequest(ctx context.Context) bool {
	if c.s.skipRequestValidation {
		return true
	}
	// The buffered body is validated in place: r.Body stays as readBody
	// left it, unread, for the handler.
	err := c.s.validator.ValidateRequestBytes(ctx, c.r, c.route, c.params, c.body)
	if err == nil {
		return true
	}
	var re *spec.RequestError
	if !errors.As(err, &re) {
		c.bodyErr = err
		return true
	}
	switch re.Part {
	case spec.PartPath:
		c.writeError(errInvalidURLParam(re.Name))
		return false
	case spec.PartQuery:
		return true
	default:
		c.bodyErr = err
		return true
	}
}
