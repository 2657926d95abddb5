// Package proxy is a validating reverse proxy for Mattermost's OAuth 2.0 API:
// it forwards every request to a target server unchanged and checks each
// request and each response against the project's OpenAPI document (package
// spec), reporting every way the traffic leaves the contract. Point an
// application at it, in front of a real server, to see whether the
// application or the server breaks the API.
//
// Bodies stream through: the proxy never holds more than Options.MaxBodyBytes
// of a body, and a body larger than that is forwarded whole but not
// validated, which the proxy says (a Notice). Validation runs after the
// response has been passed on, off the request's path, so it adds little
// latency. Violations and notices never quote a body value, a token or a
// query: they name the operation, the status, the JSON pointer or parameter,
// and the rule. The optional HAR log is redacted like every report of the
// project (no token, client secret, authorization code or PKCE verifier).
//
// The package imports spec, never the mock server or the conformance suite.
package proxy

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/mmoauth/mmoauth/internal/har"
	"github.com/mmoauth/mmoauth/spec"
)

// DefaultMaxBodyBytes is how much of each body is validated by default.
// Every body of the API is far smaller; a larger one is forwarded but not
// validated.
const DefaultMaxBodyBytes = 1 << 20

// Options configure a Proxy. The zero value validates with the defaults and
// reports nothing: set OnViolation at least.
type Options struct {
	// MaxBodyBytes caps how much of a request or response body is kept for
	// validation and the HAR log; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// OnViolation is called for each violation, one call at a time.
	OnViolation func(Violation)
	// OnNotice is called for what is not a violation but worth saying: a
	// body too large to validate, a request outside the document, the
	// target failing. One call at a time, serialised with OnViolation.
	OnNotice func(Notice)
	// OnExchange is called once per exchange after it has been validated
	// (for request logs); serialised with the others.
	OnExchange func(ExchangeSummary)
	// HAR, when set, receives every exchange as a HAR 1.2 log, redacted;
	// Close writes the end of the log.
	HAR io.Writer
	// Transport sends the requests to the target; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Creator names the program in the HAR log ("mmoauth", its version).
	CreatorName, CreatorVersion string
}

// Violation is one way a request or a response breaks the OpenAPI document.
type Violation struct {
	Time time.Time `json:"time"`
	// Direction is "request" (the client broke the contract) or
	// "response" (the server did).
	Direction string `json:"direction"`
	Method    string `json:"method"`
	// Path is the request path, without the query (it may carry a code).
	Path      string `json:"path"`
	Operation string `json:"operation"`
	// Status is the status the target answered with (0 if none arrived).
	Status int `json:"status"`
	// Part is what broke: "path", "query", "body", "status", "header" or
	// "content-type".
	Part string `json:"part"`
	// Where is the JSON pointer of the offending body value, or the name of
	// the parameter; "" when the part as a whole is wrong.
	Where string `json:"where,omitempty"`
	// Expected says what the document requires; it never quotes a value.
	Expected string `json:"expected"`
}

// String is the one-line form the CLI prints.
func (v Violation) String() string {
	what := v.Part
	if v.Where != "" {
		what += " " + v.Where
	}
	return fmt.Sprintf("%s %s %s (%s) -> %d: %s: %s", v.Direction, v.Method, v.Path, v.Operation, v.Status, what, v.Expected)
}

// Notice kinds.
const (
	// NoticeTooLarge: a body over MaxBodyBytes was forwarded, not validated.
	NoticeTooLarge = "too-large"
	// NoticeIncomplete: a body was not read to its end (the client or the
	// server stopped), so it was not validated.
	NoticeIncomplete = "incomplete"
	// NoticeNoOperation: the request is outside the document (another part
	// of Mattermost's API, the web app): forwarded, not validated.
	NoticeNoOperation = "no-operation"
	// NoticeTargetError: the target could not be reached or broke the
	// connection; the client got a 502.
	NoticeTargetError = "target-error"
)

// Notice is something worth saying that is not a violation.
type Notice struct {
	Time      time.Time `json:"time"`
	Kind      string    `json:"kind"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Operation string    `json:"operation,omitempty"`
	Status    int       `json:"status,omitempty"`
	Message   string    `json:"message"`
}

// String is the one-line form the CLI prints.
func (n Notice) String() string {
	op := ""
	if n.Operation != "" {
		op = " (" + n.Operation + ")"
	}
	return fmt.Sprintf("%s %s%s: %s", n.Method, n.Path, op, n.Message)
}

// ExchangeSummary is one exchange as a request log shows it.
type ExchangeSummary struct {
	Time       time.Time     `json:"time"`
	Method     string        `json:"method"`
	Path       string        `json:"path"`
	Operation  string        `json:"operation,omitempty"`
	Status     int           `json:"status"`
	Duration   time.Duration `json:"duration_ns"`
	Violations int           `json:"violations"`
}

// Stats counts what the proxy has seen so far.
type Stats struct {
	Exchanges          int64 `json:"exchanges"`
	RequestViolations  int64 `json:"request_violations"`
	ResponseViolations int64 `json:"response_violations"`
	NotValidated       int64 `json:"not_validated"`
	NoOperation        int64 `json:"no_operation"`
	TargetErrors       int64 `json:"target_errors"`
}

// Violations is the total of both directions.
func (s Stats) Violations() int64 { return s.RequestViolations + s.ResponseViolations }

// Proxy is an http.Handler that forwards to the target and validates. It is
// safe for concurrent use.
type Proxy struct {
	target  *url.URL
	rp      *httputil.ReverseProxy
	v       *spec.Validator
	max     int64
	opts    Options
	harLog  *har.Writer
	pending sync.WaitGroup
	cbMu    sync.Mutex // serialises the callbacks

	// checks feeds the validation worker (see enqueue); working, under
	// workMu, says whether one runs; closed ends it.
	checks    chan *exchange
	workMu    sync.Mutex
	working   bool
	closed    chan struct{}
	closeOnce sync.Once

	exchanges, reqViolations, respViolations atomic.Int64
	notValidated, noOperation, targetErrors  atomic.Int64
}

// TargetError says the target is not a usable URL or not an HTTP server.
type TargetError struct {
	URL string
	Err error
}

// Error implements error.
func (e *TargetError) Error() string { return fmt.Sprintf("target %s: %v", e.URL, e.Err) }

// Unwrap returns the cause.
func (e *TargetError) Unwrap() error { return e.Err }

// ParseTarget checks a target URL: absolute http(s), a host, no query,
// fragment or user information.
func ParseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, &TargetError{URL: raw, Err: errors.New("not a URL")}
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, &TargetError{URL: raw, Err: errors.New("not an http(s) URL")}
	case u.Host == "":
		return nil, &TargetError{URL: raw, Err: errors.New("no host")}
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, &TargetError{URL: raw, Err: errors.New("must not have a query, a fragment or user information")}
	}
	return u, nil
}

// New returns a Proxy in front of target.
func New(target *url.URL, opts Options) (*Proxy, error) {
	if _, err := ParseTarget(target.String()); err != nil {
		return nil, err
	}
	v, err := spec.NewValidator()
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, v: v, max: opts.MaxBodyBytes, opts: opts,
		checks: make(chan *exchange, checkQueueLen), closed: make(chan struct{})}
	if p.max <= 0 {
		p.max = DefaultMaxBodyBytes
	}
	if opts.HAR != nil {
		name, version := opts.CreatorName, opts.CreatorVersion
		if name == "" {
			name = "mmoauth proxy"
		}
		if version == "" {
			version = "devel"
		}
		if p.harLog, err = har.NewWriter(opts.HAR, har.Creator{Name: name, Version: version}); err != nil {
			return nil, err
		}
	}
	transport := opts.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// An application under test keeps several connections busy; the
		// default of two idle ones would reconnect for the rest.
		t.MaxIdleConnsPerHost = 64
		transport = t
	}
	p.rp = newReverseProxy(target, transport)
	// The bare ReverseProxy allocates (and clears) a 32 kB copy buffer per
	// response; the validating one reuses them.
	p.rp.BufferPool = &copyBuffers{}
	p.rp.ModifyResponse = p.modifyResponse
	p.rp.ErrorHandler = p.errorHandler
	// Failures are reported as notices; the standard logger would print
	// them a second time.
	p.rp.ErrorLog = log.New(io.Discard, "", 0)
	return p, nil
}

// forwardedHeaders are the proxy headers a client sent; Rewrite drops them
// and the proxy puts them back, so that the request reaches the target as
// it was sent.
var forwardedHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"}

// NewReverseProxy is the bare reverse proxy the validating one is built on:
// the same forwarding, without validation. Benchmarks compare the two.
func NewReverseProxy(target *url.URL, transport http.RoundTripper) *httputil.ReverseProxy {
	return newReverseProxy(target, transport)
}

func newReverseProxy(target *url.URL, transport http.RoundTripper) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			for _, h := range forwardedHeaders {
				if v, ok := pr.In.Header[h]; ok {
					pr.Out.Header[h] = v
				}
			}
		},
		Transport: transport,
	}
}

// copyBuffers is an httputil.BufferPool of the ReverseProxy's default
// 32 kB copy buffers.
type copyBuffers struct{ pool sync.Pool }

// Get implements httputil.BufferPool.
func (b *copyBuffers) Get() []byte {
	if buf, ok := b.pool.Get().(*[]byte); ok {
		return *buf
	}
	return make([]byte, 32<<10)
}

// Put implements httputil.BufferPool.
func (b *copyBuffers) Put(buf []byte) { b.pool.Put(&buf) }

// routersRoute is the route type spec's validator hands back.
type routersRoute = routers.Route

// exchange is what the proxy keeps about one request while it runs.
type exchange struct {
	// ctx is the request's context without its cancellation: validation
	// runs after the client has its answer.
	ctx     context.Context
	start   time.Time
	in      *http.Request
	reqBody *capture
	status  int
	header  http.Header
	wait    time.Duration
	total   time.Duration
	body    *capture
	err     error
	done    sync.Once
}

type exchangeKey struct{}

// release recycles the captured bodies once check is done with them.
func (x *exchange) release() {
	if x.reqBody != nil {
		x.reqBody.release()
	}
	if x.body != nil {
		x.body.release()
	}
}

// ServeHTTP implements http.Handler.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{ctx: context.WithoutCancel(r.Context()), start: time.Now(), in: r}
	out := r.WithContext(context.WithValue(r.Context(), exchangeKey{}, x))
	if r.Body != nil && r.Body != http.NoBody {
		x.reqBody = &capture{rc: r.Body, max: p.max}
		out.Body = x.reqBody
	}
	p.exchanges.Add(1)
	p.rp.ServeHTTP(w, out)
	// No response reached the body stage (an error, or a response without
	// a body the transport closed early): finish now.
	p.finish(x)
}

func (p *Proxy) modifyResponse(resp *http.Response) error {
	x, _ := resp.Request.Context().Value(exchangeKey{}).(*exchange)
	if x == nil {
		return nil
	}
	x.status, x.header, x.wait = resp.StatusCode, resp.Header, time.Since(x.start)
	x.body = &capture{rc: resp.Body, max: p.max, onClose: func() { p.finish(x) }}
	resp.Body = x.body
	return nil
}

func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	x, _ := r.Context().Value(exchangeKey{}).(*exchange)
	if x != nil {
		x.err = err
	}
	if r.Context().Err() == nil {
		w.WriteHeader(http.StatusBadGateway)
	}
}

// finish hands the exchange to validation once, off the request's path.
func (p *Proxy) finish(x *exchange) {
	x.done.Do(func() {
		x.total = time.Since(x.start)
		p.pending.Add(1)
		p.enqueue(x)
	})
}

// checkQueueLen is how many finished exchanges wait for the validation
// worker before the next ones get a goroutine each.
const checkQueueLen = 64

// workerIdle is how long the validation worker waits for work before it
// ends (the next exchange starts another).
const workerIdle = time.Second

// enqueue gives x to the validation worker, starting it if none runs. One
// long-lived worker costs less per exchange than a goroutine per exchange:
// its stack has already grown to what the checks need (a new goroutine
// grows and copies its stack on the way down a page of apps), which
// measured about a sixth of a list's validation in the proxy. When the
// queue is full (more traffic than one worker keeps up with), the exchange
// gets its own goroutine, so that the client never waits for validation
// and validation still uses every core.
func (p *Proxy) enqueue(x *exchange) {
	select {
	case p.checks <- x:
	default:
		go p.checkDone(x)
		return
	}
	// The worker decides to stop under the same lock, after looking at the
	// queue: either it sees x, or this sees it gone and starts another.
	p.workMu.Lock()
	if !p.working {
		p.working = true
		go p.work()
	}
	p.workMu.Unlock()
}

// work validates queued exchanges until none has come for workerIdle or
// the proxy is closed.
func (p *Proxy) work() {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		select {
		case x := <-p.checks:
			p.checkDone(x)
			idle.Reset(workerIdle)
			continue
		case <-idle.C:
		case <-p.closed:
		}
		// Stop, unless an exchange came in between: its sender saw this
		// worker running and started none.
		p.workMu.Lock()
		if len(p.checks) == 0 {
			p.working = false
			p.workMu.Unlock()
			return
		}
		p.workMu.Unlock()
		idle.Reset(workerIdle)
	}
}

func (p *Proxy) checkDone(x *exchange) {
	defer p.pending.Done()
	p.check(x)
}

// Wait blocks until every exchange finished so far has been validated and
// reported.
func (p *Proxy) Wait() { p.pending.Wait() }

// Close waits for pending validations and ends the HAR log. It does not stop
// a server the Proxy is mounted on: shut that down first.
func (p *Proxy) Close() error {
	p.pending.Wait()
	p.closeOnce.Do(func() { close(p.closed) })
	if p.harLog != nil {
		return p.harLog.Close()
	}
	return nil
}

// Stats returns the counts so far.
func (p *Proxy) Stats() Stats {
	return Stats{
		Exchanges:          p.exchanges.Load(),
		RequestViolations:  p.reqViolations.Load(),
		ResponseViolations: p.respViolations.Load(),
		NotValidated:       p.notValidated.Load(),
		NoOperation:        p.noOperation.Load(),
		TargetErrors:       p.targetErrors.Load(),
	}
}

// check validates one finished exchange and reports what it found.
func (p *Proxy) check(x *exchange) {
	defer x.release()
	in := x.in
	path := in.URL.Path
	var violations []Violation
	var notices []Notice
	notice := func(kind, op string, status int, format string, args ...any) {
		notices = append(notices, Notice{Time: time.Now(), Kind: kind, Method: in.Method, Path: path, Operation: op, Status: status, Message: fmt.Sprintf(format, args...)})
	}
	// A shallow copy without the body: the validator reads the captured
	// bytes, and nothing writes to the headers any more.
	req := in.WithContext(x.ctx)
	req.Body = http.NoBody

	op := ""
	switch route, params, err := p.v.FindRoute(req); {
	case x.err != nil && x.status == 0:
		p.targetErrors.Add(1)
		notice(NoticeTargetError, "", http.StatusBadGateway, "target %s: %s (answered 502)", p.target.Redacted(), oneLine(x.err.Error()))
	case err != nil:
		p.noOperation.Add(1)
		notice(NoticeNoOperation, "", x.status, "not in the OpenAPI document: forwarded, not validated")
	default:
		op = route.Operation.OperationID
		violations = append(violations, p.checkRequest(req, route, params, x, op, notice)...)
		violations = append(violations, p.checkResponse(req, route, x, op, notice)...)
	}
	if x.err != nil && x.status != 0 {
		p.targetErrors.Add(1)
		notice(NoticeTargetError, op, x.status, "the answer was cut off: %s", oneLine(x.err.Error()))
	}
	if p.harLog != nil {
		// A failed write is the file's problem (a full disk); the traffic
		// goes on and Close returns the error.
		_ = p.harLog.Add(har.NewEntry(p.harExchange(x)))
	}
	p.cbMu.Lock()
	defer p.cbMu.Unlock()
	for _, v := range violations {
		if p.opts.OnViolation != nil {
			p.opts.OnViolation(v)
		}
	}
	for _, n := range notices {
		if p.opts.OnNotice != nil {
			p.opts.OnNotice(n)
		}
	}
	if p.opts.OnExchange != nil {
		status := x.status
		if status == 0 && x.err != nil {
			status = http.StatusBadGateway
		}
		p.opts.OnExchange(ExchangeSummary{Time: x.start, Method: in.Method, Path: path, Operation: op, Status: status, Duration: x.total, Violations: len(violations)})
	}
}

func (p *Proxy) checkRequest(req *http.Request, route *routersRoute, params map[string]string, x *exchange, op string, notice func(kind, op string, status int, format string, args ...any)) []Violation {
	var body []byte
	if x.reqBody != nil {
		var ok bool
		if body, ok = p.whole(x.reqBody, "request body not sent to its end", x, op, notice); !ok {
			return nil
		}
	}
	err := p.v.ValidateRequestBytes(x.ctx, req, route, params, body)
	var re *spec.RequestError
	if !errors.As(err, &re) {
		return nil
	}
	p.reqViolations.Add(1)
	expected := re.Reason
	// kin-openapi quotes a parameter's value; a query may carry a code or
	// a token, so the value never reaches a message.
	var value string
	switch re.Part {
	case spec.PartQuery:
		value = req.URL.Query().Get(re.Name)
	case spec.PartPath:
		value = params[re.Name]
	}
	if value != "" {
		expected = strings.ReplaceAll(expected, "value "+value+": ", "")
		expected = strings.ReplaceAll(expected, value, "[value]")
	}
	return []Violation{{
		Time: time.Now(), Direction: "request", Method: req.Method, Path: req.URL.Path, Operation: op,
		Status: x.status, Part: re.Part, Where: re.Name, Expected: expected,
	}}
}

func (p *Proxy) checkResponse(req *http.Request, route *routersRoute, x *exchange, op string, notice func(kind, op string, status int, format string, args ...any)) []Violation {
	if x.status == 0 || x.body == nil {
		return nil
	}
	data, ok := p.whole(x.body, "response body not read to its end (the client went away)", x, op, notice)
	if !ok {
		return nil
	}
	if strings.EqualFold(x.header.Get("Content-Encoding"), "gzip") {
		plain, err := gunzip(data, p.max)
		if err != nil {
			p.notValidated.Add(1)
			notice(NoticeTooLarge, op, x.status, "gzip response body: %v: not validated", err)
			return nil
		}
		data = plain
	}
	err := p.v.ValidateResponse(x.ctx, req, x.status, x.header, data)
	var re *spec.ResponseError
	if !errors.As(err, &re) {
		return nil
	}
	p.respViolations.Add(1)
	v := Violation{
		Time: time.Now(), Direction: "response", Method: req.Method, Path: req.URL.Path, Operation: op,
		Status: x.status, Part: "body", Where: re.Pointer, Expected: re.Reason,
	}
	switch {
	case re.Pointer != "":
	case strings.Contains(re.Reason, "status is not supported"):
		v.Part, v.Expected = "status", fmt.Sprintf("status %d is not declared; the document allows %s", x.status, declaredStatuses(route))
	case strings.Contains(strings.ToLower(re.Reason), "content-type") || strings.Contains(re.Reason, "response body"):
		v.Part = "content-type"
		v.Expected = fmt.Sprintf("Content-Type %q is not declared for %d; the document allows %s", x.header.Get("Content-Type"), x.status, declaredMediaTypes(route, x.status))
	case strings.Contains(strings.ToLower(re.Reason), "header"):
		v.Part = "header"
	}
	return []Violation{v}
}

// whole returns a captured body when it can be validated: read to its end
// and within the cap. Otherwise it counts and says why (incomplete names the
// side that stopped).
func (p *Proxy) whole(c *capture, incomplete string, x *exchange, op string, notice func(kind, op string, status int, format string, args ...any)) ([]byte, bool) {
	data, complete, truncated := c.result()
	switch {
	case truncated:
		p.notValidated.Add(1)
		side := "request"
		if c == x.body {
			side = "response"
		}
		notice(NoticeTooLarge, op, x.status, "%s body larger than %d bytes: forwarded, not validated", side, p.max)
		return nil, false
	case !complete:
		p.notValidated.Add(1)
		notice(NoticeIncomplete, op, x.status, "%s: not validated", incomplete)
		return nil, false
	}
	return data, true
}

// declaredStatuses lists the statuses an operation declares, e.g.
// "200, 400, 401, 403, 404".
func declaredStatuses(route *routersRoute) string {
	var codes []string
	if route.Operation.Responses != nil {
		for code := range route.Operation.Responses.Map() {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	return strings.Join(codes, ", ")
}

// declaredMediaTypes lists the media types an operation declares for a
// status (or its "default").
func declaredMediaTypes(route *routersRoute, status int) string {
	if route.Operation.Responses == nil {
		return "none"
	}
	resp := route.Operation.Responses.Status(status)
	if resp == nil {
		resp = route.Operation.Responses.Default()
	}
	if resp == nil || resp.Value == nil || len(resp.Value.Content) == 0 {
		return "no body"
	}
	types := make([]string, 0, len(resp.Value.Content))
	for mt := range resp.Value.Content {
		types = append(types, mt)
	}
	sort.Strings(types)
	return strings.Join(types, ", ")
}

func gunzip(data []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("larger than %d bytes once decompressed", limit)
	}
	return out, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
