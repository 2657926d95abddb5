package proxy

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/mmoauth/mmoauth/internal/har"
	"github.com/mmoauth/mmoauth/internal/redact"
)

// harExchange is x redacted for the HAR log. Each exchange gets its own
// scrubber: the secrets it learns (a bearer token, a code in a Location
// header, a secret in a JSON body) are scrubbed from the rest of the same
// exchange, and a proxy that runs for days remembers none of them.
func (p *Proxy) harExchange(x *exchange) *har.Exchange {
	s := redact.New()
	in := x.in
	for _, v := range in.Header.Values("Authorization") {
		if _, tok, ok := strings.Cut(v, " "); ok {
			s.Add(strings.TrimSpace(tok))
		}
	}
	for _, c := range in.Cookies() {
		s.Add(c.Value)
	}
	out := &har.Exchange{
		Started: x.start,
		Method:  in.Method,
		Proto:   in.Proto,
		Status:  x.status,
		Wait:    x.wait,
		Total:   x.total,
	}
	// The response first: its secrets (a new client secret, an access
	// token) are then known when the request is redacted.
	if x.status != 0 {
		out.ResponseHeader = s.Header(x.header)
		if x.body != nil {
			out.ResponseBodySize = x.body.size()
			out.ResponseBody, out.ResponseBodyNote = p.harBody(s, x.header.Get("Content-Type"), x.header.Get("Content-Encoding"), x.body)
		}
	} else {
		out.ResponseHeader = http.Header{}
	}
	if x.err != nil {
		out.Error = s.Scrub(oneLine(x.err.Error()))
	}
	out.RequestHeader = s.Header(in.Header)
	if x.reqBody != nil {
		out.RequestBodySize = x.reqBody.size()
		out.RequestBody, out.RequestBodyNote = p.harBody(s, in.Header.Get("Content-Type"), in.Header.Get("Content-Encoding"), x.reqBody)
	}
	u := *p.target
	u.Path = strings.TrimSuffix(u.Path, "/") + in.URL.Path
	u.RawPath = ""
	out.URL = u.String()
	if in.URL.RawQuery != "" {
		out.URL += s.URL("?" + in.URL.RawQuery)
	}
	return out
}

// harBody is the redacted text of a captured body, or "" with a note saying
// why it is not recorded: redaction needs the whole body (a JSON document
// cut in the middle could hide a secret from the key-based rules).
func (p *Proxy) harBody(s *redact.Scrubber, contentType, encoding string, c *capture) (text, note string) {
	data, complete, truncated := c.result()
	switch {
	case truncated:
		return "", fmt.Sprintf("not recorded: larger than %d bytes", p.max)
	case !complete:
		return "", "not recorded: not read to its end"
	case encoding != "" && !strings.EqualFold(encoding, "identity"):
		if !strings.EqualFold(encoding, "gzip") {
			return "", "not recorded: Content-Encoding " + encoding
		}
		plain, err := gunzip(data, p.max)
		if err != nil {
			return "", "not recorded: " + err.Error()
		}
		data = plain
	}
	if !utf8.Valid(data) {
		return "", "not recorded: binary"
	}
	return s.Body(contentType, data, 0), ""
}
