package client

import (
	"fmt"
	"io"
	"log/slog"
)

// String describes the client without its credentials: the base URL and the
// kind of authentication.
func (c Client) String() string {
	return fmt.Sprintf("client.Client{base: %s, auth: %s}", c.base.Redacted(), c.authKind())
}

// Format implements fmt.Formatter so that no verb (%v, %+v, %#v, %s, ...)
// walks into the struct: fmt prints unexported fields by reflection, which
// would bypass models.Secret's own redaction.
func (c Client) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, c.String())
}

// LogValue implements slog.LogValuer without credentials.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base", c.base.Redacted()), slog.String("auth", c.authKind()))
}

func (c Client) authKind() string {
	switch {
	case c.ts != nil:
		return "token source"
	case c.token != "":
		return "bearer token"
	}
	return "anonymous"
}
