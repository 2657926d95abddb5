// Package redact removes tokens, client secrets, authorization codes and PKCE
// verifiers from recorded HTTP traffic: headers, URLs and bodies, by name
// (JSON members, form fields, query parameters) and by value (every secret
// seen once is scrubbed from all later text). The conformance reports and
// the validating proxy's HAR files and messages share it, so both redact the
// same way.
package redact

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

// Redacted replaces every secret in recorded text.
const Redacted = "[REDACTED]"

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

// Scrubber remembers every secret value seen during a run and removes it
// from any text that goes into a report. It is the second line of defence
// behind key-based redaction: a secret echoed in an HTML error page or an
// error message is caught too.
type Scrubber struct {
	mu      sync.RWMutex
	secrets map[string]struct{}
}

// New returns a Scrubber that knows no secret yet.
func New() *Scrubber { return &Scrubber{secrets: map[string]struct{}{}} }

// Add remembers secret values (ignoring short ones).
func (s *Scrubber) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) >= minSecretLen {
			s.secrets[v] = struct{}{}
		}
	}
}

// Scrub replaces every remembered secret in text.
func (s *Scrubber) Scrub(text string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for v := range s.secrets {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, Redacted)
		}
	}
	return text
}

// Header returns a copy of h with sensitive values replaced and a
// Location header's code or token removed.
func (s *Scrubber) Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		for _, v := range vs {
			switch {
			case slices.Contains(sensitiveHeaders, ck):
				scheme, _, ok := strings.Cut(v, " ")
				if ok && ck == "Authorization" {
					v = scheme + " " + Redacted
				} else {
					v = Redacted
				}
			case ck == "Location":
				v = s.URL(v)
			default:
				v = s.Scrub(v)
			}
			out[ck] = append(out[ck], v)
		}
	}
	return out
}

// URL removes secret query and fragment parameters from a URL.
func (s *Scrubber) URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return s.Scrub(raw)
	}
	s.rememberValues(u.Query())
	u.RawQuery = redactValues(u.Query()).Encode()
	// The fragment is parsed as sent (EscapedFragment): its decoded form
	// splits wrongly at an escaped & or =, and a decoded value written back
	// into Fragment would be escaped a second time.
	if raw := u.EscapedFragment(); raw != "" {
		if frag, err := url.ParseQuery(raw); err == nil {
			s.rememberValues(frag)
			enc := redactValues(frag).Encode()
			if dec, err := url.PathUnescape(enc); err == nil {
				u.Fragment, u.RawFragment = dec, enc
			}
		}
	}
	return s.Scrub(u.String())
}

// rememberValues adds the secret parameters of v to the scrubber.
func (s *Scrubber) rememberValues(v url.Values) {
	for _, k := range secretKeys {
		s.Add(v[k]...)
	}
}

func redactValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if slices.Contains(secretKeys, k) {
			vs = []string{Redacted}
		}
		out[k] = vs
	}
	return out
}

// Body returns a redacted, size-capped copy of a recorded body. JSON
// bodies have secret members replaced (and remembered); form bodies have
// secret fields replaced; anything else is scrubbed of remembered secrets.
func (s *Scrubber) Body(contentType string, body []byte, limit int) string {
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
	text = s.Scrub(text)
	if limit > 0 && len(text) > limit {
		text = TruncateUTF8(text, limit) + "…"
	}
	return text
}

// redactJSON walks a decoded JSON document, replacing secret members and
// remembering their values.
func (s *Scrubber) redactJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch str, isStr := val.(string); {
			case slices.Contains(secretKeys, k) && isStr:
				s.Add(str)
				if str != "" {
					x[k] = Redacted
				}
			case slices.Contains(urlKeys, k) && isStr:
				x[k] = s.URL(str)
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

// TruncateUTF8 cuts s to at most n bytes without splitting a character.
func TruncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
