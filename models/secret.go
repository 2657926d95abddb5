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
//
// The types holding a Secret implement fmt.Formatter and slog.LogValuer too.
// One gap remains: slog's JSONHandler marshals a slice ([]*OAuthApp) with
// encoding/json, which must keep the secret for the wire; log the elements,
// or their IDs, rather than a whole slice.
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

// formatRedacted prints shadow — a method-less copy of a value whose secret
// fields were already replaced by their masked form — with the caller's verb
// and flags. The copy matters: fmt skips Formatter methods on nested fields
// when it reports a bad verb (%d on a struct), so the raw values must not be
// there at all.
func formatRedacted(f fmt.State, verb rune, shadow any) {
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), shadow)
}

// mask returns the masked form of s as a Secret, for shadow copies.
func mask(s Secret) Secret { return Secret(s.masked()) }
