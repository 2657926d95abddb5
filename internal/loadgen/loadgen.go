// Package loadgen is the small HTTP/1.1 load generator of the benchmarks
// (make bench, docs/BENCHMARKS.md): N workers, each on its own keep-alive
// TCP connection, send one pre-encoded request back to back (closed loop,
// like wrk) and record the latency of every answer.
//
// It is deliberately thin, so that on a small machine the server under test,
// not the generator, gets most of the CPU: the request is encoded once, and
// each answer is parsed with http.ReadResponse and its body discarded. The
// same generator drives every target (the mock server, a bare net/http
// handler, Stoplight Prism), so their figures compare like for like.
package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Request is the request every worker sends.
type Request struct {
	Method string
	Path   string // with the query, e.g. /api/v4/oauth/apps?page=0&per_page=60
	Header http.Header
	Body   []byte
	// Status is the status every answer must have (0: any 2xx); other
	// answers count as errors.
	Status int
}

// Options says where to send the load, how hard and for how long.
type Options struct {
	// Addr is the server's host:port (loopback).
	Addr string
	// Concurrency is the number of workers, each with its own connection.
	Concurrency int
	// Warmup runs before measuring (connections opened, caches warm); its
	// requests are not counted.
	Warmup time.Duration
	// Duration is the measured window. Zero means Count requests per worker.
	Duration time.Duration
	// Count is the number of measured requests per worker when Duration is 0.
	Count int
}

// Result is what one run measured.
type Result struct {
	Requests   int           // answers in the measured window
	Errors     int           // transport errors and unexpected statuses (in the window)
	FirstError string        // the first error seen, for the report
	Elapsed    time.Duration // the measured window
	Throughput float64       // Requests per second
	P50, P99   time.Duration
	Max        time.Duration
	// Latencies are the measured answers' latencies, sorted, so that
	// several runs can be merged (Merge).
	Latencies []time.Duration
}

// Merge combines runs of the same load (e.g. rounds interleaved with other
// targets): counts and windows add up, percentiles are those of all the
// latencies together.
func Merge(runs ...Result) Result {
	var m Result
	for _, r := range runs {
		m.Requests += r.Requests
		m.Errors += r.Errors
		m.Elapsed += r.Elapsed
		if m.FirstError == "" {
			m.FirstError = r.FirstError
		}
		m.Latencies = append(m.Latencies, r.Latencies...)
	}
	slices.Sort(m.Latencies)
	m.summarise()
	return m
}

// summarise fills Throughput and the percentiles from the other fields.
func (r *Result) summarise() {
	r.Throughput = 0
	if r.Elapsed > 0 {
		r.Throughput = float64(r.Requests) / r.Elapsed.Seconds()
	}
	r.P50, r.P99, r.Max = Percentile(r.Latencies, 50), Percentile(r.Latencies, 99), 0
	if len(r.Latencies) > 0 {
		r.Max = r.Latencies[len(r.Latencies)-1]
	}
}

// String is one line for logs.
func (r Result) String() string {
	return fmt.Sprintf("%d req in %v: %.0f req/s, p50 %v, p99 %v, max %v, %d errors",
		r.Requests, r.Elapsed.Round(time.Millisecond), r.Throughput, r.P50, r.P99, r.Max, r.Errors)
}

// Encode returns the bytes of rq as sent to host, with Content-Length set
// and keep-alive on (HTTP/1.1).
func Encode(ctx context.Context, rq Request, host string) ([]byte, error) {
	var body io.Reader
	if rq.Body != nil {
		body = bytes.NewReader(rq.Body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.Method, "http://"+host+rq.Path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range rq.Header {
		req.Header[k] = v
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "mmoauth-loadgen")
	}
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Run sends the load and reports it. The context cancels the run; an error
// is returned only when no connection could be opened or ctx ended early.
func Run(ctx context.Context, opts Options, rq Request) (Result, error) {
	if opts.Concurrency <= 0 || (opts.Duration <= 0 && opts.Count <= 0) {
		return Result{}, errors.New("loadgen: need a concurrency and a duration or a count")
	}
	wire, err := Encode(ctx, rq, opts.Addr)
	if err != nil {
		return Result{}, fmt.Errorf("loadgen: %w", err)
	}
	// Probe once, so that an unreachable target is an error, not a run of
	// failures.
	probe, err := newConn(ctx, opts.Addr)
	if err != nil {
		return Result{}, fmt.Errorf("loadgen: %w", err)
	}
	_ = probe.close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	measureFrom := start.Add(opts.Warmup)
	var measureTo time.Time
	if opts.Duration > 0 {
		measureTo = measureFrom.Add(opts.Duration)
	}

	workers := make([]*worker, opts.Concurrency)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{addr: opts.Addr, wire: wire, want: rq.Status}
		if opts.Duration <= 0 {
			w.lat = make([]time.Duration, 0, opts.Count)
		}
		workers[i] = w
		wg.Go(func() { w.run(ctx, measureFrom, measureTo, opts.Count) })
	}
	wg.Wait()
	end := time.Now()
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("loadgen: %w", err)
	}

	var res Result
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.lat...)
		res.Errors += w.errors
		if res.FirstError == "" && w.firstErr != nil {
			res.FirstError = w.firstErr.Error()
		}
	}
	res.Requests = len(all)
	res.Elapsed = opts.Duration
	if opts.Duration <= 0 {
		res.Elapsed = end.Sub(measureFrom)
	}
	slices.Sort(all)
	res.Latencies = all
	res.summarise()
	return res, nil
}

// Percentile returns the p-th percentile (nearest rank) of sorted latencies.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// worker is one closed-loop client on one connection.
type worker struct {
	addr     string
	wire     []byte
	want     int
	lat      []time.Duration
	errors   int
	firstErr error
}

// run sends requests until measureTo (or count measured requests); only
// requests that start at or after measureFrom are measured.
func (w *worker) run(ctx context.Context, measureFrom, measureTo time.Time, count int) {
	var c *conn
	defer func() {
		if c != nil {
			_ = c.close()
		}
	}()
	for ctx.Err() == nil {
		t0 := time.Now()
		if !measureTo.IsZero() && !t0.Before(measureTo) {
			return
		}
		if measureTo.IsZero() && len(w.lat)+w.errors >= count {
			return
		}
		measured := !t0.Before(measureFrom)
		if c == nil {
			var err error
			if c, err = newConn(ctx, w.addr); err != nil {
				w.fail(measured, err)
				continue
			}
		}
		keep, err := c.do(w.wire, w.want)
		if err != nil {
			w.fail(measured, err)
		} else if measured {
			w.lat = append(w.lat, time.Since(t0))
		}
		if !keep {
			_ = c.close()
			c = nil
		}
	}
}

func (w *worker) fail(measured bool, err error) {
	if !measured {
		return
	}
	w.errors++
	if w.firstErr == nil {
		w.firstErr = err
	}
}

// conn is a keep-alive HTTP/1.1 connection.
type conn struct {
	nc net.Conn
	br *bufio.Reader
}

func newConn(ctx context.Context, addr string) (*conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &conn{nc: nc, br: bufio.NewReaderSize(nc, 32<<10)}, nil
}

func (c *conn) close() error { return c.nc.Close() }

// do sends one request and reads its answer; keep reports whether the
// connection can carry the next one.
func (c *conn) do(wire []byte, want int) (keep bool, err error) {
	if _, err := c.nc.Write(wire); err != nil {
		return false, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return false, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return false, err
	}
	keep = !resp.Close
	switch {
	case want != 0 && resp.StatusCode != want:
		return keep, fmt.Errorf("status %d, want %d", resp.StatusCode, want)
	case want == 0 && (resp.StatusCode < 200 || resp.StatusCode > 299):
		return keep, fmt.Errorf("status %d", resp.StatusCode)
	}
	return keep, nil
}
