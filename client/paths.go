package client

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// escapePath joins path segments, escaping each one with url.PathEscape, so
// a segment can never add a "/", "?" or "#" and thereby reach another route.
// Segments that are exactly "." or ".." are escaped as well (%2E), because
// url.PathEscape leaves dots alone and clients or proxies may resolve them.
func escapePath(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		switch s {
		case ".", "..":
			b.WriteString(strings.Repeat("%2E", len(s)))
		default:
			b.WriteString(url.PathEscape(s))
		}
	}
	return b.String()
}

// resolve returns base + escapedPath + query as a URL whose Path and RawPath
// agree, so the escaping survives String().
func resolve(base *url.URL, escapedPath string, query url.Values) *url.URL {
	u := *base
	raw := base.EscapedPath() + escapedPath
	if p, err := url.PathUnescape(raw); err == nil {
		u.Path, u.RawPath = p, raw
	}
	u.RawQuery = query.Encode()
	return &u
}

// checkID refuses an id the server would answer with 400
// api.context.invalid_url_param.app_error (web/context.go RequireAppId /
// RequireUserId: model.IsValidId), before any I/O.
func checkID(field, id string) error {
	return validID(field, id, "api.context.invalid_url_param.app_error")
}

func validID(field, id, serverErrorID string) error {
	if models.IsValidID(id) {
		return nil
	}
	return &models.ValidationError{
		Field:         field,
		Reason:        fmt.Sprintf("%q is not a 26-character Mattermost id", truncate(id, 64)),
		ServerErrorID: serverErrorID,
	}
}

// checkUserID is checkID that also accepts "me" (RequireUserId).
func checkUserID(id string) error {
	if id == "me" {
		return nil
	}
	return checkID("user_id", id)
}
