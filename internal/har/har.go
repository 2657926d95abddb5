// Package har writes HTTP Archive (HAR) 1.2 files
// (http://www.softwareishard.com/blog/har-12-spec/), the exchange log that
// browsers' developer tools, proxies and replay tools open. The conformance
// runner (--har) and the validating proxy (mmoauth proxy --har) both write
// through it.
//
// The package never redacts: callers hand it exchanges that are redacted
// already (internal/redact), so that one set of rules decides what a file
// may contain.
package har

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Version is the HAR version this package writes.
const Version = "1.2"

// Log is the root object's "log" member.
type Log struct {
	Version string   `json:"version"`
	Creator Creator  `json:"creator"`
	Entries []*Entry `json:"entries"`
	Comment string   `json:"comment,omitempty"`
}

// Creator names the program that wrote the file.
type Creator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Entry is one exchange. Check (the custom field "_check") names the
// conformance check that made the request, when there is one; Comment says
// the same for tools that show only standard fields.
type Entry struct {
	StartedDateTime string   `json:"startedDateTime"`
	Time            float64  `json:"time"`
	Request         Request  `json:"request"`
	Response        Response `json:"response"`
	Cache           struct{} `json:"cache"`
	Timings         Timings  `json:"timings"`
	Comment         string   `json:"comment,omitempty"`
	Check           string   `json:"_check,omitempty"`
	// Error is the transport error when no response arrived (the response
	// then has status 0, as browsers record a failed request).
	Error string `json:"_error,omitempty"`
}

// Request is an entry's request.
type Request struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []Cookie    `json:"cookies"`
	Headers     []NameValue `json:"headers"`
	QueryString []NameValue `json:"queryString"`
	PostData    *PostData   `json:"postData,omitempty"`
	HeadersSize int64       `json:"headersSize"`
	BodySize    int64       `json:"bodySize"`
}

// Response is an entry's response.
type Response struct {
	Status      int         `json:"status"`
	StatusText  string      `json:"statusText"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []Cookie    `json:"cookies"`
	Headers     []NameValue `json:"headers"`
	Content     Content     `json:"content"`
	RedirectURL string      `json:"redirectURL"`
	HeadersSize int64       `json:"headersSize"`
	BodySize    int64       `json:"bodySize"`
}

// Cookie is a request or response cookie. The files this package writes
// carry none: cookie headers are redacted whole.
type Cookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// NameValue is a header or query parameter.
type NameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PostData is a request body.
type PostData struct {
	MimeType string      `json:"mimeType"`
	Params   []NameValue `json:"params"`
	Text     string      `json:"text"`
	Comment  string      `json:"comment,omitempty"`
}

// Content is a response body.
type Content struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// Timings are the phases of an exchange in milliseconds; -1 for a phase not
// measured. send, wait and receive are required by the format.
type Timings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl"`
}

// Exchange is what a caller knows about one request and its response, all
// redacted already. NewEntry turns it into a HAR entry.
type Exchange struct {
	Started time.Time
	// URL is absolute (scheme, host, path, redacted query).
	URL    string
	Method string
	// Proto is "HTTP/1.1" when empty.
	Proto         string
	RequestHeader http.Header
	RequestBody   string
	// RequestBodySize is the size sent, -1 when unknown.
	RequestBodySize int64
	// RequestBodyNote is said in postData's comment, e.g. that the body was
	// cut to a size cap.
	RequestBodyNote string

	Status           int
	ResponseHeader   http.Header
	ResponseBody     string
	ResponseBodySize int64
	ResponseBodyNote string
	// Wait is the time to the response's first byte; Total the whole
	// exchange.
	Wait, Total time.Duration
	// Error is the transport error when no response arrived.
	Error string
	// Check labels the entry (the conformance check id).
	Check string
}

// NewEntry builds the HAR entry of x.
func NewEntry(x *Exchange) *Entry {
	proto := x.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	e := &Entry{
		StartedDateTime: x.Started.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Time:            millis(x.Total),
		Request: Request{
			Method:      x.Method,
			URL:         x.URL,
			HTTPVersion: proto,
			Cookies:     []Cookie{},
			Headers:     headers(x.RequestHeader),
			QueryString: query(x.URL),
			HeadersSize: -1,
			BodySize:    x.RequestBodySize,
		},
		Response: Response{
			Status:      x.Status,
			StatusText:  http.StatusText(x.Status),
			HTTPVersion: proto,
			Cookies:     []Cookie{},
			Headers:     headers(x.ResponseHeader),
			Content: Content{
				Size:     max(x.ResponseBodySize, int64(len(x.ResponseBody))),
				MimeType: x.ResponseHeader.Get("Content-Type"),
				Text:     x.ResponseBody,
				Comment:  x.ResponseBodyNote,
			},
			RedirectURL: x.ResponseHeader.Get("Location"),
			HeadersSize: -1,
			BodySize:    x.ResponseBodySize,
		},
		Timings: Timings{
			Blocked: -1, DNS: -1, Connect: -1, SSL: -1,
			Send:    0,
			Wait:    millis(x.Wait),
			Receive: millis(max(x.Total-x.Wait, 0)),
		},
		Check: x.Check,
		Error: x.Error,
	}
	if x.Check != "" {
		e.Comment = "check " + x.Check
	}
	if x.Status == 0 {
		e.Response.BodySize = -1
	}
	if x.RequestBody != "" || x.RequestBodySize > 0 {
		ct := x.RequestHeader.Get("Content-Type")
		e.Request.PostData = &PostData{MimeType: ct, Params: formParams(ct, x.RequestBody), Text: x.RequestBody, Comment: x.RequestBodyNote}
	}
	return e
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// headers lists h sorted by name, so files compare across runs.
func headers(h http.Header) []NameValue {
	out := []NameValue{}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, NameValue{Name: k, Value: v})
		}
	}
	return out
}

func query(raw string) []NameValue {
	out := []NameValue{}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	for _, kv := range strings.Split(u.RawQuery, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		out = append(out, NameValue{Name: k, Value: v})
	}
	return out
}

// formParams lists the fields of a URL-encoded body, as HAR viewers show
// them.
func formParams(contentType, body string) []NameValue {
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt != "application/x-www-form-urlencoded" {
		return []NameValue{}
	}
	return query("?" + body)
}

// Writer streams a HAR file: the head when it is created, each entry as it
// is added, and the tail on Close, so that a long proxy session holds no
// entry in memory. It is safe for concurrent use.
type Writer struct {
	mu     sync.Mutex
	bw     *bufio.Writer
	n      int
	err    error
	closed bool
}

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("har: writer closed")

// NewWriter writes the head of a HAR log with the given creator to w.
func NewWriter(w io.Writer, creator Creator) (*Writer, error) {
	hw := &Writer{bw: bufio.NewWriter(w)}
	head, err := json.Marshal(struct {
		Version string  `json:"version"`
		Creator Creator `json:"creator"`
	}{Version, creator})
	if err != nil {
		return nil, err
	}
	// {"log":{"version":…,"creator":…,"entries":[
	_, _ = hw.bw.WriteString(`{"log":`)
	_, _ = hw.bw.Write(head[:len(head)-1])
	if _, err := hw.bw.WriteString(`,"entries":[` + "\n"); err != nil {
		return nil, err
	}
	return hw, nil
}

// Add appends one entry.
func (w *Writer) Add(e *Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.closed:
		return ErrClosed
	case w.err != nil:
		return w.err
	}
	if w.n > 0 {
		_, _ = w.bw.WriteString(",\n")
	}
	w.n++
	if _, err := w.bw.Write(b); err != nil {
		w.err = err
	}
	return w.err
}

// Len is the number of entries added.
func (w *Writer) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Close writes the tail of the log and flushes; it does not close the
// underlying writer. The first write error is returned.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	_, _ = w.bw.WriteString("\n]}}\n")
	w.err = w.bw.Flush()
	return w.err
}
