package models

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits the server enforces (server/public/model/oauth.go OAuthApp.IsValid,
// model/oauth_dcr.go ClientRegistrationRequest.IsValid,
// model/authorize.go AuthorizeRequest.IsValid).
const (
	IDLength                 = 26   // model.NewId: 26 lowercase base32 characters
	MaxAppNameBytes          = 64   // model.oauth.is_valid.name
	MaxAppDescriptionRunes   = 512  // model.oauth.is_valid.description (counted in runes)
	MaxAppIconURLLength      = 512  // model.oauth.is_valid.icon_url
	MaxAppHomepageLength     = 256  // model.oauth.is_valid.homepage
	MaxCallbackURLsRendered  = 1024 // model.oauth.is_valid.callback: len(fmt.Sprintf("%s", urls))
	MaxMattermostAppIDLength = 32   // model.oauth.is_valid.mattermost_app_id
	MaxClientSecretLength    = 128  // model.oauth.is_valid.client_secret
	MaxClientNameBytes       = 64   // model.dcr.is_valid.client_name
	MaxClientURILength       = 256  // model.dcr.is_valid.client_uri_length
	MaxRedirectURILength     = 256  // model.authorize.is_valid.redirect_uri
	MaxStateLength           = 1024 // model.authorize.is_valid.state
	MaxScopeLength           = 128  // model.authorize.is_valid.scope
	MaxResourceLength        = 512  // model.authorize.is_valid.resource (RFC 8707)
	MinCodeChallengeLength   = 43   // RFC 7636 §4.2
	MaxCodeChallengeLength   = 128  // RFC 7636 §4.2
)

// Token endpoint authentication methods Mattermost supports
// (model/oauth_dcr.go; client_secret_basic is refused).
const (
	AuthMethodClientSecretPost = "client_secret_post"
	AuthMethodNone             = "none"
)

// PKCEMethodS256 is the only code_challenge_method Mattermost accepts
// (model/authorize.go; "plain" is refused).
const PKCEMethodS256 = "S256"

// ValidationError reports the first field of a request that the server would
// refuse. ServerErrorID names the error id the real server answers with for
// the same input, so callers can match client-side and server-side failures.
type ValidationError struct {
	Field         string // JSON name of the offending field
	Reason        string // human-readable rule that was broken
	ServerErrorID string // the AppError id (or DCR error code) the server would send
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason)
}

func invalid(field, serverID, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...), ServerErrorID: serverID}
}

// IsValidID reports whether id has the form the server accepts for app_id,
// user_id and client_id: exactly 26 bytes, every rune a letter or a number
// (model.IsValidId). Ids the server issues are 26 lowercase base32 characters.
func IsValidID(id string) bool {
	if len(id) != IDLength {
		return false
	}
	for _, r := range id {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return false
		}
	}
	return true
}

// IsValidHTTPURL mirrors model.IsValidHTTPURL: the string starts with
// http:// or https://, parses with url.ParseRequestURI and has a host.
func IsValidHTTPURL(raw string) bool {
	if !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
		return false
	}
	u, err := url.ParseRequestURI(raw)
	if err != nil {
		return false
	}
	return u.Host != ""
}

// renderedLen is len(fmt.Sprintf("%s", urls)) without the allocation: the
// server limits callback URLs by the length of that rendering, brackets and
// separating spaces included.
func renderedLen(urls []string) int {
	n := 2 // "[" and "]"
	for i, u := range urls {
		if i > 0 {
			n++
		}
		n += len(u)
	}
	return n
}

// validateAppFields applies OAuthApp.IsValid's rules to the fields a caller
// controls, in the server's order, so the first error is the one it reports.
func validateAppFields(name, description, iconURL string, callbackURLs []string, homepage string) error {
	const nameID = "model.oauth.is_valid.name.app_error"
	switch {
	case name == "":
		return invalid("name", nameID, "must not be empty")
	case len(name) > MaxAppNameBytes:
		return invalid("name", nameID, "is %d bytes; at most %d", len(name), MaxAppNameBytes)
	}
	if err := validateCallbackURLs(callbackURLs); err != nil {
		return err
	}
	const homeID = "model.oauth.is_valid.homepage.app_error"
	switch {
	case homepage == "":
		return invalid("homepage", homeID, "must not be empty")
	case len(homepage) > MaxAppHomepageLength:
		return invalid("homepage", homeID, "is %d characters; at most %d", len(homepage), MaxAppHomepageLength)
	case !IsValidHTTPURL(homepage):
		return invalid("homepage", homeID, "%q is not an absolute http(s) URL", homepage)
	}
	if n := utf8.RuneCountInString(description); n > MaxAppDescriptionRunes {
		return invalid("description", "model.oauth.is_valid.description.app_error", "is %d characters; at most %d", n, MaxAppDescriptionRunes)
	}
	if iconURL != "" {
		const iconID = "model.oauth.is_valid.icon_url.app_error"
		if len(iconURL) > MaxAppIconURLLength {
			return invalid("icon_url", iconID, "is %d characters; at most %d", len(iconURL), MaxAppIconURLLength)
		}
		if !IsValidHTTPURL(iconURL) {
			return invalid("icon_url", iconID, "%q is not an absolute http(s) URL", iconURL)
		}
	}
	return nil
}

func validateCallbackURLs(urls []string) error {
	const id = "model.oauth.is_valid.callback.app_error"
	if len(urls) == 0 {
		return invalid("callback_urls", id, "at least one callback URL is required")
	}
	if n := renderedLen(urls); n > MaxCallbackURLsRendered {
		return invalid("callback_urls", id, "render to %d characters; at most %d", n, MaxCallbackURLsRendered)
	}
	for _, u := range urls {
		if !IsValidHTTPURL(u) {
			return invalid("callback_urls", id, "%q is not an absolute http(s) URL", u)
		}
	}
	return nil
}

// Paging of the list endpoints (server/channels/web/params.go): page
// defaults to 0, per_page to 60 and is clamped to 200; non-numeric or
// negative values fall back to the defaults.
const (
	DefaultPerPage = 60
	MaxPerPage     = 200
)
