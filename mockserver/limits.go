package mockserver

import (
	"net/http"
	"time"
)

// ServerLimits bound what one client can hold of a running mock: a client
// that sends its headers or body slowly, or never reads the answer, is cut
// off instead of keeping a connection (and a goroutine) for ever, and a
// header flood is refused with 431 before any handler runs. Request bodies
// are capped at 1 MiB by the server itself (413).
type ServerLimits struct {
	// ReadHeaderTimeout bounds reading the request line and headers
	// (the slowloris defence).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading the whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the answer; it must exceed any injected latency.
	WriteTimeout time.Duration
	// IdleTimeout closes keep-alive connections left unused this long.
	IdleTimeout time.Duration
	// MaxHeaderBytes caps the request line and headers; more is answered
	// 431 Request Header Fields Too Large by net/http.
	MaxHeaderBytes int
}

// DefaultServerLimits are the limits of mmoauth mock and NewTestServer:
// generous for any real client, short enough that an idle or hostile one
// lets go.
func DefaultServerLimits() ServerLimits {
	return ServerLimits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// NewHTTPServer returns an *http.Server for h with the limits applied; the
// caller sets the address or serves a listener, and may change other fields
// (BaseContext, ErrorLog) before serving.
func NewHTTPServer(h http.Handler, l ServerLimits) *http.Server {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeaderTimeout}
	l.apply(hs)
	return hs
}

func (l ServerLimits) apply(hs *http.Server) {
	hs.ReadHeaderTimeout = l.ReadHeaderTimeout
	hs.ReadTimeout = l.ReadTimeout
	hs.WriteTimeout = l.WriteTimeout
	hs.IdleTimeout = l.IdleTimeout
	hs.MaxHeaderBytes = l.MaxHeaderBytes
}
