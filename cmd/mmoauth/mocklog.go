package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmoauth/mmoauth/mockserver"
)

// requestLog is mock -v: one line per request on w, with the method, the
// path (never the query, which may carry a code), the status, the latency
// and who sent it, by username: never the token.
type requestLog struct {
	w   io.Writer
	mu  sync.Mutex
	srv atomic.Pointer[mockserver.Server] // set once Listen returns
}

func (l *requestLog) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			status := statusOf(sw)
			l.mu.Lock()
			fmt.Fprintf(l.w, "mmoauth mock: %s %s %s %s as %s\n", r.Method, r.URL.Path, status,
				time.Since(start).Round(10*time.Microsecond), l.identity(r))
			l.mu.Unlock()
		}()
		next.ServeHTTP(sw, r)
	})
}

// identity names the caller: the seeded user whose token the request
// carries, "anonymous" without one, "unknown token" otherwise.
func (l *requestLog) identity(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "anonymous"
	}
	_, tok, _ := strings.Cut(auth, " ")
	if srv := l.srv.Load(); srv != nil {
		for _, u := range srv.Users() {
			if u.Token != "" && u.Token == strings.TrimSpace(tok) {
				return u.Username
			}
		}
	}
	return "unknown token"
}

func statusOf(sw *statusWriter) string {
	switch {
	case sw.hijacked:
		return "dropped"
	case sw.status == 0:
		return "200"
	default:
		return fmt.Sprint(sw.status)
	}
}

// statusWriter records the status; Hijack and Flush pass through (the
// mock's drop and truncate faults need them).
type statusWriter struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	s.hijacked = true
	return hj.Hijack()
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
