package models

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret is a string that must never be printed or logged: a client secret,
// an access or refresh token, an authorization code, a PKCE verifier.
//
// It encodes to JSON as the plain string, so wire formats are unchanged, but
// every fmt verb (%v, %+v, %#v, %s, %q, %x, ...) and log/slog render it as
// "[REDACTED]" (or "" when empty, so "is it set?" stays answerable).
// Call Reveal to use the value on purpose.
type Secret string

const redacted = "[REDACTED]"

// Reveal returns the secret itself. Every call site is a deliberate disclosure.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) masked() string {
	if s == "" {
		return ""
	}
	return redacted
}

// String implements fmt.Stringer with redaction.
func (s Secret) String() string { return s.masked() }

// GoString implements fmt.GoStringer with redaction.
func (s Secret) GoString() string { return fmt.Sprintf("models.Secret(%q)", s.masked()) }

// Format implements fmt.Formatter so that no verb, including %x and %q,
// can reveal the value.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, s.GoString())
		return
	}
	_, _ = io.WriteString(f, s.masked())
}

// LogValue implements slog.LogValuer with redaction.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.masked()) }
