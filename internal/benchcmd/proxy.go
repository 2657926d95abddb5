package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/mmoauth/mmoauth/internal/loadgen"
	"github.com/mmoauth/mmoauth/proxy"
)

// maxProxyFactor is issue 12's bound: the validating proxy's latency at most
// 1.3× a bare httputil.ReverseProxy's for the same traffic.
const maxProxyFactor = 1.3

// proxyClients is the concurrency of the proxy comparison: one client, the
// traffic of an application under test, so that the figure is the latency
// the proxy adds to each exchange rather than its CPU cost at saturation
// (validation runs after the answer is passed on; on two cores shared with
// the mock and the load generator, saturation measures the CPU instead).
const proxyClients = 1

// proxyRows sends the same load to one mock through three proxies in turns:
// a bare httputil.ReverseProxy, mmoauth's validating proxy (every request
// and response validated) and Prism's proxy mode (which validates too), and
// compares the median latencies.
func (r *runner) proxyRows(ctx context.Context) ([]row, error) {
	mockAddr, appID, token, stopMock, err := startMock(ctx)
	if err != nil {
		return nil, err
	}
	defer stopMock()
	target, err := url.Parse("http://" + mockAddr)
	if err != nil {
		return nil, err
	}
	bareAddr, stopBare, err := serveLoopback(ctx, proxy.NewReverseProxy(target, proxyTransport()))
	if err != nil {
		return nil, err
	}
	defer stopBare()
	var violations atomic.Int64
	vp, err := proxy.New(target, proxy.Options{
		Transport:   proxyTransport(),
		OnViolation: func(proxy.Violation) { violations.Add(1) },
	})
	if err != nil {
		return nil, err
	}
	validAddr, stopValid, err := serveLoopback(ctx, vp)
	if err != nil {
		return nil, err
	}
	defer stopValid()

	targets := []struct {
		name, addr string
	}{{"bare", bareAddr}, {"mmoauth", validAddr}}
	dir, skipPrism, err := r.installPrism(ctx)
	if err != nil {
		return nil, err
	}
	if skipPrism == "" {
		prismAddr, stopPrism, err := startPrism(ctx, dir, "proxy", target.String())
		if err != nil {
			return nil, err
		}
		defer stopPrism()
		targets = append(targets, struct{ name, addr string }{"prism", prismAddr})
	}

	rounds, window := 3, 500*time.Millisecond
	if r.quick {
		rounds, window = 1, 300*time.Millisecond
	}
	var rows []row
	for _, op := range loadgen.Ops(appID, token) {
		runs := map[string][]loadgen.Result{}
		for range rounds {
			for _, t := range targets {
				res, err := loadgen.Run(ctx, loadgen.Options{Addr: t.addr, Concurrency: proxyClients,
					Warmup: 100 * time.Millisecond, Duration: window}, op.Request)
				if err != nil {
					return rows, err
				}
				runs[t.name] = append(runs[t.name], res)
			}
		}
		bare, valid := loadgen.Merge(runs["bare"]...), loadgen.Merge(runs["mmoauth"]...)
		rw := row{Area: "proxy", Measure: fmt.Sprintf("%s, %d client: mmoauth proxy (validation on) vs bare httputil.ReverseProxy", op.Name, proxyClients),
			Result:   fmt.Sprintf("p50 %s, p99 %s%s", fmtDur(valid.P50), fmtDur(valid.P99), errorNote(valid)),
			Baseline: fmt.Sprintf("bare p50 %s, p99 %s%s", fmtDur(bare.P50), fmtDur(bare.P99), errorNote(bare)),
			Target:   fmt.Sprintf("≤ %.1f×", maxProxyFactor)}
		if valid.Errors > 0 || bare.Errors > 0 || bare.P50 == 0 {
			rw.Status = statusFailed
		} else {
			f := float64(valid.P50) / float64(bare.P50)
			rw.Ratio, rw.Status = fmt.Sprintf("%.2f×", f), verdict(f <= maxProxyFactor)
		}
		rows = append(rows, rw)

		pr := row{Area: "proxy", Measure: fmt.Sprintf("%s, %d client: mmoauth proxy vs Prism 5.16 proxy mode, both validating", op.Name, proxyClients),
			Result: fmt.Sprintf("mmoauth p50 %s", fmtDur(valid.P50)), Target: "faster"}
		if skipPrism != "" {
			pr.Baseline, pr.Status = "skipped: "+skipPrism, statusSkipped
		} else {
			p := loadgen.Merge(runs["prism"]...)
			pr.Baseline = fmt.Sprintf("Prism p50 %s, p99 %s%s", fmtDur(p.P50), fmtDur(p.P99), errorNote(p))
			if valid.P50 > 0 && p.P50 > 0 {
				f := float64(p.P50) / float64(valid.P50)
				pr.Ratio, pr.Status = fmt.Sprintf("%.1f× faster", f), verdict(f >= 1)
			} else {
				pr.Status = statusFailed
			}
		}
		rows = append(rows, pr)
	}
	vp.Wait()
	if n := violations.Load(); n > 0 {
		// The mock keeps the contract: a violation here is a bug in the
		// proxy or the mock, and the timings would not be comparable.
		return rows, fmt.Errorf("the validating proxy reported %d violations on the mock's traffic", n)
	}
	return rows, nil
}

// proxyTransport is the transport both Go proxies use: enough idle
// connections for the clients, so neither pays for new connections.
func proxyTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return t
}

// serveLoopback serves h on a free loopback port.
func serveLoopback(ctx context.Context, h http.Handler) (string, func(), error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(l) }()
	return l.Addr().String(), func() { _ = hs.Close() }, nil
}
