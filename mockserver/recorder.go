package mockserver

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
)

// recorder buffers a response so that it can be validated against the
// OpenAPI document before it reaches the client (WithResponseValidation).
// Hijack is passed through for dropped-connection faults; a hijacked
// exchange has no response to validate.
type recorder struct {
	w        http.ResponseWriter
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
}

func newRecorder(w http.ResponseWriter) *recorder {
	return &recorder{w: w, header: http.Header{}}
}

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(b)
}

// Hijack hands the connection over; the buffered response is discarded.
func (rec *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := rec.w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("mockserver: the underlying ResponseWriter cannot be hijacked")
	}
	rec.hijacked = true
	return hj.Hijack()
}

// reset discards the buffered response, keeping only the request id and
// version headers every answer carries.
func (rec *recorder) reset() {
	h := http.Header{}
	for _, k := range []string{"X-Request-Id", "X-Version-Id"} {
		if v := rec.header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	rec.header, rec.status = h, 0
	rec.body.Reset()
}

// flush sends the buffered response to the real writer.
func (rec *recorder) flush() {
	if rec.hijacked {
		return
	}
	dst := rec.w.Header()
	for k, v := range rec.header {
		dst[k] = v
	}
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	rec.w.WriteHeader(status)
	_, _ = rec.w.Write(rec.body.Bytes())
}
