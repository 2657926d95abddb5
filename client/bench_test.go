package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmoauth/mmoauth/models"
)

// The client's overhead over a bare net/http + encoding/json call of the same
// endpoint (docs/ARCHITECTURE.md "Quality bars"; issue 6 targets: ≤ 1.15× the bare
// call's time and ≤ bare + 20 allocations, with the default retry policy on
// and no retry happening).
//
//	go test -run='^$' -bench='Call|Overhead' -benchmem ./client/
//
// BenchmarkCall/<op>/{client,bare} give ns/op, B/op and allocs/op of each
// side (for benchstat); BenchmarkOverhead/<op> runs both alternately in one
// loop, so that load from other processes hits both alike, and reports the
// time ratio (x-bare) and the extra allocations (extra-allocs/op).

// listSize is the page the list benchmarks decode: Mattermost's default
// per_page.
const listSize = models.DefaultPerPage

// cannedHeaders are the headers a Mattermost API answer carries, so that the
// client's header parsing is part of what is measured.
func cannedHeaders(h http.Header) {
	h.Set("Content-Type", "application/json")
	h.Set("X-Request-Id", "wq1b9zquf7fbdmnzm8qsk7z3ma")
	h.Set("X-Version-Id", "11.9.0.mock.mock.false")
}

// listJSON is a page of listSize apps, as the server encodes it.
func listJSON() []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range listSize {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strings.ReplaceAll(appJSON, "\n", ""))
	}
	b.WriteString("]\n")
	return b.Bytes()
}

// benchServer answers the three benchmarked calls with canned bodies; any
// other request is a 404, which fails the benchmark.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	one := []byte(strings.ReplaceAll(appJSON, "\n", "") + "\n")
	list := listJSON()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		cannedHeaders(w.Header())
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v4/oauth/apps/"+appID:
			_, _ = w.Write(one)
		case r.Method == http.MethodGet && r.URL.Path == "/api/v4/oauth/apps":
			_, _ = w.Write(list)
		case r.Method == http.MethodPost && r.URL.Path == "/api/v4/oauth/apps":
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(one)
		default:
			http.NotFound(w, r)
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

// benchOp is one call through the client and the same call done by hand.
type benchOp struct {
	name   string
	client func(ctx context.Context, c *Client) error
	bare   func(ctx context.Context, hc *http.Client, base string) error
}

var benchOps = []benchOp{
	{
		name: "GetOAuthApp",
		client: func(ctx context.Context, c *Client) error {
			_, _, err := c.GetOAuthApp(ctx, appID)
			return err
		},
		bare: func(ctx context.Context, hc *http.Client, base string) error {
			var app models.OAuthApp
			return bareCall(ctx, hc, http.MethodGet, base+"/api/v4/oauth/apps/"+appID, nil, http.StatusOK, &app)
		},
	},
	{
		name: fmt.Sprintf("GetOAuthApps%d", listSize),
		client: func(ctx context.Context, c *Client) error {
			apps, _, err := c.GetOAuthApps(ctx, 0, listSize)
			if err == nil && len(apps) != listSize {
				err = fmt.Errorf("got %d apps", len(apps))
			}
			return err
		},
		bare: func(ctx context.Context, hc *http.Client, base string) error {
			var apps []*models.OAuthApp
			err := bareCall(ctx, hc, http.MethodGet, fmt.Sprintf("%s/api/v4/oauth/apps?page=0&per_page=%d", base, listSize), nil, http.StatusOK, &apps)
			if err == nil && len(apps) != listSize {
				err = fmt.Errorf("got %d apps", len(apps))
			}
			return err
		},
	},
	{
		name: "CreateOAuthApp",
		client: func(ctx context.Context, c *Client) error {
			_, _, err := c.CreateOAuthApp(ctx, validCreate())
			return err
		},
		bare: func(ctx context.Context, hc *http.Client, base string) error {
			var app models.OAuthApp
			return bareCall(ctx, hc, http.MethodPost, base+"/api/v4/oauth/apps", validCreate(), http.StatusCreated, &app)
		},
	},
}

// bareCall is what a careful hand-written call does: encode the body, set the
// same headers as the client, check the status, decode, drain the body so
// the connection is reused.
func bareCall(ctx context.Context, hc *http.Client, method, url string, in any, want int, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != want {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// benchClients returns a client with the default retry policy and a bare
// *http.Client configured like the client's default one (own pooled
// transport, 30 s timeout, no redirects), each with its own connections.
func benchClients(b *testing.B, url string) (*Client, *http.Client) {
	b.Helper()
	c, err := New(url, WithToken(testToken))
	if err != nil {
		b.Fatal(err)
	}
	return c, defaultHTTPClient()
}

// BenchmarkCall measures each side on its own.
func BenchmarkCall(b *testing.B) {
	srv := benchServer(b)
	for _, op := range benchOps {
		b.Run(op.name+"/client", func(b *testing.B) {
			c, _ := benchClients(b, srv.URL)
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if err := op.client(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(op.name+"/bare", func(b *testing.B) {
			_, hc := benchClients(b, srv.URL)
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if err := op.bare(ctx, hc, srv.URL); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOverhead alternates the client call and the bare call in one
// loop and reports the median time of each (client-ns/op, bare-ns/op), the
// client's as a multiple of the bare call's (x-bare), and the allocations
// and bytes per call of each side (extra-allocs/op is the difference). Allocations are counted with
// memPerCall for each side alone (the in-process server's own allocations
// are the same for both and cancel out).
func BenchmarkOverhead(b *testing.B) {
	srv := benchServer(b)
	for _, op := range benchOps {
		b.Run(op.name, func(b *testing.B) {
			c, hc := benchClients(b, srv.URL)
			ctx := b.Context()
			must := func(err error) {
				if err != nil {
					b.Fatal(err)
				}
			}
			clientAllocs, clientBytes := memPerCall(200, func() { must(op.client(ctx, c)) })
			bareAllocs, bareBytes := memPerCall(200, func() { must(op.bare(ctx, hc, srv.URL)) })

			var inClient, inBare []time.Duration
			timed := func(f func() error) time.Duration {
				t0 := time.Now()
				must(f())
				return time.Since(t0)
			}
			callClient := func() error { return op.client(ctx, c) }
			callBare := func() error { return op.bare(ctx, hc, srv.URL) }
			for b.Loop() {
				// Alternate which side goes first, so neither always
				// finds the caches the other left behind.
				if len(inClient)%2 == 0 {
					inClient = append(inClient, timed(callClient))
					inBare = append(inBare, timed(callBare))
				} else {
					inBare = append(inBare, timed(callBare))
					inClient = append(inClient, timed(callClient))
				}
			}
			// Medians: a burst of load from another process on a shared
			// machine moves a mean, not a median.
			client, bare := median(inClient), median(inBare)
			b.ReportMetric(float64(client.Nanoseconds()), "client-ns/op")
			b.ReportMetric(float64(bare.Nanoseconds()), "bare-ns/op")
			b.ReportMetric(float64(client)/float64(bare), "x-bare")
			b.ReportMetric(clientAllocs, "client-allocs/op")
			b.ReportMetric(bareAllocs, "bare-allocs/op")
			b.ReportMetric(clientAllocs-bareAllocs, "extra-allocs/op")
			b.ReportMetric(clientBytes, "client-B/op")
			b.ReportMetric(bareBytes, "bare-B/op")
		})
	}
}

// median of durations (sorted in place).
func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// memPerCall is testing.AllocsPerRun that also counts bytes: the average
// allocations and bytes of n calls of f after a warm-up call. Like
// AllocsPerRun it counts the whole process, the in-process server included,
// which is the same for both sides.
func memPerCall(n int, f func()) (allocs, bytes float64) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / float64(n), float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}
