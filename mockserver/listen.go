package mockserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// Running is a mock server serving on a real listener (Listen): what mmoauth
// mock, the conformance command's embedded mocks and the examples run, for
// programs that are not tests (tests use NewTestServer).
type Running struct {
	// URL is the server root, "http://" and the listener's address, e.g.
	// http://127.0.0.1:41234. It is also the SiteURL unless the settings name
	// one.
	URL string
	// Server is the handler, for settings, faults and identities.
	Server *Server

	hs       *http.Server
	done     chan struct{}
	serveErr error // set before done is closed
}

// WithServerLimits sets the limits Listen serves with (default
// DefaultServerLimits). New ignores it, a Server being only a handler, and
// so does NewTestServer, which always uses DefaultServerLimits.
func WithServerLimits(l ServerLimits) Option {
	return func(o *options) { o.limits = &l }
}

// WithMiddleware wraps the handler Listen serves (New and NewTestServer
// ignore it): mmoauth mock -v logs each request through it.
func WithMiddleware(wrap func(http.Handler) http.Handler) Option {
	return func(o *options) { o.middleware = wrap }
}

// Listen builds a server with opts (see New) and serves it on addr
// ("127.0.0.1:0" picks a free port) until Close or Shutdown. An empty
// SiteURL becomes the listener's URL, port included, since the issuer must be
// the URL clients use (RFC 8414 §2): that is why the port is chosen before
// the settings are complete. New's errors are returned as they are (so
// errors.Is(err, ErrStateFile) works); a listen failure says "listen on ADDR".
//
// ctx bounds the listen and the opening of the store only. Requests run with a context that keeps ctx's
// values but not its cancellation, so that Shutdown can let them finish
// after ctx is done.
func Listen(ctx context.Context, addr string, opts ...Option) (*Running, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	limits := DefaultServerLimits()
	if o.limits != nil {
		limits = *o.limits
	}
	srv, err := newServer(ctx, opts...)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		_ = srv.Close()
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	r := &Running{URL: "http://" + ln.Addr().String(), Server: srv, done: make(chan struct{})}
	srv.setSiteURLIfEmpty(r.URL)
	var h http.Handler = srv
	if o.middleware != nil {
		h = o.middleware(h)
	}
	r.hs = NewHTTPServer(h, limits)
	base := context.WithoutCancel(ctx)
	r.hs.BaseContext = func(net.Listener) context.Context { return base }
	go func() {
		err := r.hs.Serve(ln)
		if !errors.Is(err, http.ErrServerClosed) {
			r.serveErr = fmt.Errorf("serve: %w", err)
		}
		close(r.done)
	}()
	return r, nil
}

// Done is closed when the server has stopped serving: after Close or
// Shutdown, or when the listener failed (Err says so).
func (r *Running) Done() <-chan struct{} { return r.done }

// Err is why the server stopped serving on its own, nil after Close or
// Shutdown; it is meaningful once Done is closed.
func (r *Running) Err() error {
	select {
	case <-r.done:
		return r.serveErr
	default:
		return nil
	}
}

// Close stops the server at once: the listener and every connection are
// closed, requests in flight are cut off; then the store is closed.
func (r *Running) Close() error {
	err := r.hs.Close()
	<-r.done
	return errors.Join(err, r.Server.Close())
}

// Shutdown stops accepting connections and waits for the requests in flight
// until they finish or ctx is done; then it cuts off the rest (Close) and
// returns ctx's error. The store is closed last.
func (r *Running) Shutdown(ctx context.Context) error {
	if err := r.hs.Shutdown(ctx); err != nil {
		_ = r.hs.Close()
		<-r.done
		_ = r.Server.Close()
		return err
	}
	<-r.done
	return r.Server.Close()
}
