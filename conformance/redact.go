package conformance

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// redacted replaces every secret in recorded text.
const redacted = "[REDACTED]"

// secretKeys are the JSON members, form fields and query parameters that
// carry a token, a client secret, an authorization code or a PKCE verifier
// (models: OAuthApp, ClientRegistrationResponse, AccessResponse,
// AuthorizeResponse; RFC 6749 §4.1.3; RFC 7636 §4.5).
var secretKeys = []string{
	"client_secret", "access_token", "refresh_token", "id_token", "code",
	"code_verifier", "registration_access_token", "token", "password",
}

// urlKeys are JSON members whose value is a URL that may carry a code or a
// token in its query or fragment (the authorize response's "redirect").
var urlKeys = []string{"redirect", "location"}

// sensitiveHeaders are request and response headers never recorded as sent.
var sensitiveHeaders = []string{"Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization", "X-Csrf-Token"}

// minSecretLen is the shortest value the scrubber remembers: every secret
// the server issues is at least 26 characters (model.NewId), so shorter
// values are ordinary words that must not be blanked everywhere.
const minSecretLen = 16

// scrubber remembers every secret value seen during a run and removes it
// from any text that goes into a report. It is the second line of defence
// behind key-based redaction: a secret echoed in an HTML error page or an
// error message is caught too.
type scrubber struct {
	mu      sync.RWMutex
	secrets map[string]struct{}
}

func newScrubber() *scrubber { return &scrubber{secrets: map[string]struct{}{}} }

// add remembers secret values (ignoring short ones).
func (s *scrubber) add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) >= minSecretLen {
			s.secrets[v] = struct{}{}
		}
	}
}

// scrub replaces every remembered secret in text.
func (s *scrubber) scrub(text string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for v := range s.secrets {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, redacted)
		}
	}
	return text
}

// redactHeader returns a copy of h with sensitive values replaced and a
// Location header's code or token removed.
func (s *scrubber) redactHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		for _, v := range vs {
			switch {
			case slices.Contains(sensitiveHeaders, ck):
				scheme, _, ok := strings.Cut(v, " ")
				if ok && ck == "Authorization" {
					v = scheme + " " + redacted
				} else {
					v = redacted
				}
			case ck == "Location":
				v = s.redactURL(v)
			default:
				v = s.scrub(v)
			}
			out[ck] = append(out[ck], v)
		}
	}
	return out
}

// redactURL removes secret query and fragment parameters from a URL.
func (s *scrubber) redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return s.scrub(raw)
	}
	s.rememberValues(u.Query())
	u.RawQuery = redactValues(u.Query()).Encode()
	if u.Fragment != "" {
		if frag, err := url.ParseQuery(u.Fragment); err == nil {
			s.rememberValues(frag)
			u.Fragment = redactValues(frag).Encode()
		}
	}
	return s.scrub(u.String())
}

// rememberValues adds the secret parameters of v to the scrubber.
func (s *scrubber) rememberValues(v url.Values) {
	for _, k := range secretKeys {
		s.add(v[k]...)
	}
}

func redactValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if slices.Contains(secretKeys, k) {
			vs = []string{redacted}
		}
		out[k] = vs
	}
	return out
}

// redactBody returns a redacted, size-capped copy of a recorded body. JSON
// bodies have secret members replaced (and remembered); form bodies have
// secret fields replaced; anything else is scrubbed of remembered secrets.
func (s *scrubber) redactBody(contentType string, body []byte, limit int) string {
	if len(body) == 0 {
		return ""
	}
	var text string
	mediaType, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	switch {
	case strings.TrimSpace(mediaType) == "application/x-www-form-urlencoded":
		if v, err := url.ParseQuery(string(body)); err == nil {
			s.rememberValues(v)
			text = redactValues(v).Encode()
		}
	case json.Valid(body):
		var doc any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&doc) == nil {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if enc.Encode(s.redactJSON(doc)) == nil {
				text = strings.TrimSuffix(buf.String(), "\n")
			}
		}
	}
	if text == "" {
		text = string(body)
	}
	text = s.scrub(text)
	if limit > 0 && len(text) > limit {
		text = truncateUTF8(text, limit) + "…"
	}
	return text
}

// redactJSON walks a decoded JSON document, replacing secret members and
// remembering their values.
func (s *scrubber) redactJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch str, isStr := val.(string); {
			case slices.Contains(secretKeys, k) && isStr:
				s.add(str)
				if str != "" {
					x[k] = redacted
				}
			case slices.Contains(urlKeys, k) && isStr:
				x[k] = s.redactURL(str)
			default:
				x[k] = s.redactJSON(val)
			}
		}
		return x
	case []any:
		for i := range x {
			x[i] = s.redactJSON(x[i])
		}
		return x
	default:
		return v
	}
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
