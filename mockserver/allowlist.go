package mockserver

import (
	"net/url"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// This file implements ServiceSettings.DCRRedirectURIAllowlist matching as
// Mattermost v11.9 does it (model/oauth_dcr.go RedirectURIMatchesAllowlist,
// PR #37170; server/channels/api4/oauth.go registerOAuthClient): the scheme must be equal, and host, escaped path
// and query are globbed separately, where "*" matches any bytes except "/"
// and "**" matches any bytes. Matching is byte-wise, so "*" can match part of
// a multi-byte character, exactly as the real matcher.

// redirectURIAllowed reports whether uri matches at least one pattern. An
// empty list allows everything; blank entries are skipped, so a list of
// blanks allows nothing.
func redirectURIAllowed(uri string, allowlist []string) bool {
	if len(allowlist) == 0 {
		return true
	}
	for _, p := range allowlist {
		p = strings.TrimSpace(p)
		if p != "" && redirectURIMatches(uri, p) {
			return true
		}
	}
	return false
}

// validAllowlistPattern mirrors IsValidDCRRedirectURIPattern: http:// (at
// least 8 bytes) or https:// (at least 9), no control characters, no "***",
// and a valid http(s) URL once each wildcard is replaced by "1" (so that a
// wildcard port such as localhost:* still parses).
func validAllowlistPattern(p string) bool {
	switch {
	case strings.HasPrefix(p, "https://"):
		if len(p) < len("https://x") {
			return false
		}
	case strings.HasPrefix(p, "http://"):
		if len(p) < len("http://x") {
			return false
		}
	default:
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	if strings.Contains(p, "***") {
		return false
	}
	return models.IsValidHTTPURL(strings.ReplaceAll(p, "*", "1"))
}

// uriPattern is a pattern split into the components matched separately.
type uriPattern struct {
	scheme, host, path, query string
}

// splitPattern cuts a pattern at "://", then the host at the first "/" or
// "?", then the path at "?". It works on the raw text because wildcards are
// not valid URL syntax everywhere (a "*" port, for one).
func splitPattern(p string) (uriPattern, bool) {
	scheme, rest, ok := strings.Cut(p, "://")
	if !ok {
		return uriPattern{}, false
	}
	hostEnd := strings.IndexAny(rest, "/?")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	out := uriPattern{scheme: scheme, host: rest[:hostEnd]}
	if out.host == "" {
		return uriPattern{}, false
	}
	switch remainder := rest[hostEnd:]; {
	case strings.HasPrefix(remainder, "/"):
		out.path, out.query, _ = strings.Cut(remainder, "?")
	case strings.HasPrefix(remainder, "?"):
		out.query = remainder[1:]
	}
	return out, true
}

// redirectURIMatches is RedirectURIMatchesGlob: uri must parse as an absolute
// request URI with a host, the pattern must be valid, and each component must
// match. A pattern without a query only matches URIs without one.
func redirectURIMatches(uri, pattern string) bool {
	u, err := url.ParseRequestURI(uri)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return false
	}
	if !validAllowlistPattern(pattern) {
		return false
	}
	p, ok := splitPattern(pattern)
	if !ok || u.Scheme != p.scheme {
		return false
	}
	if !globMatch(u.Host, p.host) || !globMatch(u.EscapedPath(), p.path) {
		return false
	}
	if p.query == "" {
		return u.RawQuery == ""
	}
	return u.RawQuery != "" && globMatch(u.RawQuery, p.query)
}

// globMatch matches s against a pattern of literal bytes, "*" (any run of
// bytes other than "/") and "**" (any run of bytes). It is a dynamic
// programme over suffixes, O(len(s)·len(pattern)) with no backtracking, and
// accepts exactly what the real recursive matcher accepts.
func globMatch(s, pattern string) bool {
	const (
		literal    = iota
		star       // "*"
		doubleStar // "**"
	)
	type token struct {
		kind int
		lit  byte
	}
	toks := make([]token, 0, len(pattern))
	for i := 0; i < len(pattern); i++ {
		switch {
		case pattern[i] == '*' && i+1 < len(pattern) && pattern[i+1] == '*':
			toks = append(toks, token{kind: doubleStar})
			i++
		case pattern[i] == '*':
			toks = append(toks, token{kind: star})
		default:
			toks = append(toks, token{kind: literal, lit: pattern[i]})
		}
	}
	n := len(s)
	// next[i] holds match(s[i:], toks[j+1:]); cur[i] is computed for toks[j:].
	next := make([]bool, n+1)
	cur := make([]bool, n+1)
	next[n] = true // the empty pattern matches only the empty suffix
	for j := len(toks) - 1; j >= 0; j-- {
		t := toks[j]
		for i := n; i >= 0; i-- {
			switch t.kind {
			case literal:
				cur[i] = i < n && s[i] == t.lit && next[i+1]
			case star:
				cur[i] = next[i] || (i < n && s[i] != '/' && cur[i+1])
			default:
				cur[i] = next[i] || (i < n && cur[i+1])
			}
		}
		next, cur = cur, next
	}
	return next[0]
}
