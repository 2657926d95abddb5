package client

import (
	"bytes"
	"regexp"
)

const redactedMark = "[REDACTED]"

// Secret-bearing JSON members and query parameters: client secrets, tokens,
// authorization codes (also inside an authorize "redirect" URL) and PKCE
// verifiers (the models.Secret fields, RFC 6749/7591/7636 names). A member
// or parameter cut off by the size cap (\z) is redacted too.
var (
	secretJSONMember = regexp.MustCompile(`"(client_secret|access_token|refresh_token|id_token|registration_access_token|code|code_verifier|redirect|token|password)"(\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?\z)`)
	secretQueryParam = regexp.MustCompile(`(\b(?:code|code_verifier|client_secret|access_token|refresh_token|token)=)[^&#\s"'<>]*`)
	bearerCredential = regexp.MustCompile(`(?i)\b(bearer|authorization:\s*token)(\s+)[A-Za-z0-9\-._~+/]{8,}=*`)
)

// minKnownSuffix is the shortest prefix of a known credential that is
// removed when the size cap cut the credential off at the end of a body.
const minKnownSuffix = 4

// redact removes credentials from a capped body before it is stored in an
// error: the token this client sent (should a server echo it), JSON members
// and query parameters that carry secrets, and "Bearer <credential>" pairs.
// It runs only on error bodies and decode-failure excerpts, never on the
// success path. body is not modified.
func redact(body []byte, known ...string) []byte {
	if len(body) == 0 {
		return body
	}
	out := bytes.Clone(body)
	for _, k := range known {
		if k == "" {
			continue
		}
		out = bytes.ReplaceAll(out, []byte(k), []byte(redactedMark))
		for i := len(k) - 1; i >= minKnownSuffix; i-- {
			if bytes.HasSuffix(out, []byte(k[:i])) {
				out = append(out[:len(out)-i], redactedMark...)
				break
			}
		}
	}
	out = secretJSONMember.ReplaceAll(out, []byte(`"$1"$2"`+redactedMark+`"`))
	out = secretQueryParam.ReplaceAll(out, []byte("${1}"+redactedMark))
	out = bearerCredential.ReplaceAll(out, []byte("${1}${2}"+redactedMark))
	return out
}

// redactCapped is redact for an error body, cut back to MaxErrorBodyBytes
// should a mark be longer than what it replaced.
func redactCapped(body []byte, known ...string) []byte {
	out := redact(body, known...)
	return out[:min(len(out), MaxErrorBodyBytes)]
}
