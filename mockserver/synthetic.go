package mockserver

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// answerPrefer honours "Prefer: code=NNN" as Stoplight Prism does: the
// request is answered with that status and a body valid for it, without
// running the handler. Only error statuses the operation declares are
// produced; anything else (2xx, undeclared codes) is ignored and the request
// runs normally, so the answer is always one the document allows.
func (c *call) answerPrefer() bool {
	code, ok := preferredCode(c.r.Header.Values("Prefer"))
	if !ok || code < 400 || c.route.Operation.Responses.Status(code) == nil {
		return false
	}
	retry := time.Duration(0)
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
		retry = time.Second
	}
	c.writeSynthetic(code, retry)
	return true
}

// preferredCode finds code=NNN among the preferences (RFC 7240 syntax:
// comma-separated, optional parameters after ";").
func preferredCode(headers []string) (int, bool) {
	for _, h := range headers {
		for _, pref := range strings.Split(h, ",") {
			pref, _, _ = strings.Cut(pref, ";")
			key, value, ok := strings.Cut(strings.TrimSpace(pref), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(key), "code") {
				continue
			}
			n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(value), `"`))
			if err == nil && n >= 100 && n <= 599 {
				return n, true
			}
		}
	}
	return 0, false
}

// writeSynthetic answers status with the body the real server (or its rate
// limiter, or a proxy) would send for this operation: plain-text "limit
// exceeded" with X-RateLimit-* headers for 429, the RFC 7591 body on the
// registration endpoint, the HTML error page on the browser authorize
// endpoint, an AppError with a plausible id elsewhere. Retry-After is set
// when retryAfter is positive.
func (c *call) writeSynthetic(status int, retryAfter time.Duration) {
	if retryAfter > 0 {
		c.w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	}
	switch {
	case status == http.StatusTooManyRequests:
		limitResult{remaining: 0, resetAfter: max(retryAfter, time.Second), retryAfter: -1}.setHeaders(c.w.Header())
		http.Error(c.w, "limit exceeded", http.StatusTooManyRequests)
	case c.op == "RegisterOAuthClient" && (status == http.StatusBadRequest || status == http.StatusInternalServerError):
		c.writeDCRError(status, "invalid_client_metadata", http.StatusText(status)+" (injected)")
	case c.op == "AuthorizeOAuthAppPage" && status != http.StatusBadGateway && status != http.StatusServiceUnavailable:
		c.renderWebError(syntheticError(c.op, status))
	default:
		c.writeError(syntheticError(c.op, status))
	}
}

// syntheticError picks the id the real server most often sends with status
// on this operation.
func syntheticError(op string, status int) *apiError {
	e := &apiError{Status: status, Detail: "injected by the mock server"}
	switch status {
	case http.StatusBadRequest:
		e.ID, e.Name = "api.context.invalid_body_param.app_error", "body"
		if strings.Contains(op, "OAuthApp") && op != "CreateOAuthApp" && op != "GetOAuthApps" {
			e.ID, e.Name = "api.context.invalid_url_param.app_error", "app_id"
		}
	case http.StatusUnauthorized:
		e.ID = "api.context.session_expired.app_error"
	case http.StatusForbidden:
		e.ID = "api.context.permissions.app_error"
	case http.StatusNotFound:
		e.ID = "app.oauth.get_app.find.app_error"
	case http.StatusInternalServerError:
		e.ID = "api.context.internal.app_error"
	case http.StatusNotImplemented:
		e.ID = "api.oauth.allow_oauth.turn_off.app_error"
	case http.StatusBadGateway:
		e.ID = "api.context.bad_gateway.app_error"
	case http.StatusServiceUnavailable:
		e.ID = "api.context.server_busy.app_error"
	default:
		e.ID = "api.context.error.app_error"
	}
	return e
}
