package mockserver

import (
	"bytes"
	"net/http"
	"strconv"
)

// mangleMode is what a fault does to an answer after it has been written:
// the failures of a network or a proxy between the server and the client,
// which the client sees after the server has acted.
type mangleMode int

const (
	mangleNone      mangleMode = iota
	mangleDropAfter            // Fault.DropAfter: no byte of the answer is sent
	mangleTruncate             // Fault.Truncate: half the body, then the connection closes
	mangleGarbage              // Fault.Garbage: the body is an HTML page
)

func (r *faultRule) mangle() mangleMode {
	switch {
	case r.DropAfter:
		return mangleDropAfter
	case r.Truncate:
		return mangleTruncate
	case r.Garbage:
		return mangleGarbage
	}
	return mangleNone
}

// garbageBody is what a misbehaving proxy answers instead of JSON.
const garbageBody = "<html><head><title>Bad Gateway</title></head><body><h1>Bad Gateway</h1>" +
	"<p>The proxy received an invalid response (injected by the mmoauth mock).</p></body></html>\n"

// mangler holds an answer back so that finishFaults can break it. It
// records what the handler writes; nothing reaches dst before the call ends.
type mangler struct {
	dst    http.ResponseWriter
	mode   mangleMode
	header http.Header
	status int
	body   bytes.Buffer
}

func newMangler(dst http.ResponseWriter, mode mangleMode) *mangler {
	return &mangler{dst: dst, mode: mode, header: http.Header{}}
}

func (m *mangler) Header() http.Header { return m.header }

func (m *mangler) WriteHeader(status int) {
	if m.status == 0 {
		m.status = status
	}
}

func (m *mangler) Write(b []byte) (int, error) {
	if m.status == 0 {
		m.status = http.StatusOK
	}
	return m.body.Write(b)
}

// finishFaults delivers the held-back answer of a mangling fault, broken as
// the fault says. It runs after the handler, so the operation's effects are
// kept whatever happens to its answer.
func (c *call) finishFaults() {
	m := c.mangled
	if m == nil {
		return
	}
	c.mangled = nil
	c.w = m.dst
	if m.mode == mangleDropAfter {
		c.drop()
		return
	}
	dst := m.dst.Header()
	for k, v := range m.header {
		dst[k] = v
	}
	status := m.status
	if status == 0 {
		status = http.StatusOK
	}
	body := m.body.Bytes()
	switch m.mode {
	case mangleTruncate:
		// The full length is announced and half the body sent: net/http
		// then closes the connection, and the client reads an unexpected EOF.
		dst.Set("Content-Length", strconv.Itoa(len(body)))
		body = body[:len(body)/2]
	case mangleGarbage:
		dst.Del("Content-Length")
		dst.Set("Content-Type", "text/html; charset=utf-8")
		body = []byte(garbageBody)
	}
	m.dst.WriteHeader(status)
	_, _ = m.dst.Write(body)
}
