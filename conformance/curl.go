package conformance

import (
	"net/http"
	"slices"
	"strings"
)

// TokenEnv is the environment variable that holds the role's token for the
// CLI (MMOAUTH_ADMIN_TOKEN, ...); "" for Anonymous.
func (r Role) TokenEnv() string {
	switch r {
	case Admin:
		return "MMOAUTH_ADMIN_TOKEN"
	case Manager:
		return "MMOAUTH_MANAGER_TOKEN"
	case Manager2:
		return "MMOAUTH_MANAGER2_TOKEN"
	case PlainUser:
		return "MMOAUTH_USER_TOKEN"
	}
	return ""
}

// curlHeaders are the request headers a replay needs; the others (User-Agent,
// Accept-Encoding, ...) are the client's own.
var curlHeaders = []string{"Content-Type", "Prefer", "X-Requested-With", "Origin"}

// Curl is a shell command that sends the exchange's request again to the
// target at baseURL: the token as the identity's variable
// ($MMOAUTH_ADMIN_TOKEN, never its value), the redacted body as sent. A
// secret the redaction removed from the body shows as [REDACTED] and must
// be filled in.
func (e *Exchange) Curl(baseURL string) string {
	parts := []string{"curl", "-sS", "-i"}
	if e.Method != http.MethodGet {
		parts = append(parts, "-X", e.Method)
	}
	parts = append(parts, shellQuote(strings.TrimRight(baseURL, "/")+e.URL))
	if env := e.As.TokenEnv(); env != "" {
		parts = append(parts, "-H", `"Authorization: Bearer $`+env+`"`)
	} else if e.As != Anonymous && e.RequestHeader.Get("Authorization") != "" {
		parts = append(parts, "-H", `"Authorization: Bearer $MMOAUTH_TOKEN"`)
	}
	names := make([]string, 0, len(e.RequestHeader))
	for k := range e.RequestHeader {
		if slices.Contains(curlHeaders, http.CanonicalHeaderKey(k)) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range e.RequestHeader[k] {
			parts = append(parts, "-H", shellQuote(k+": "+v))
		}
	}
	if e.RequestBody != "" {
		parts = append(parts, "--data-raw", shellQuote(e.RequestBody))
	}
	return strings.Join(parts, " ")
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// targetURL is the base URL of the target a result ran on ("" if unknown).
func (r *Report) targetURL(res Result) string {
	if t := r.targetOf(res); t != nil {
		return t.URL
	}
	return ""
}

// targetOf is the target a result ran on: the only one, or the one it
// names.
func (r *Report) targetOf(res Result) *TargetInfo {
	for i, t := range r.Targets {
		if len(r.Targets) == 1 || t.Name == res.Target {
			return &r.Targets[i]
		}
	}
	return nil
}
