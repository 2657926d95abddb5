package conformance_test

import (
	"net"
	"net/http/httptest"
	"testing"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// BenchmarkCatalogue is the wall time of the whole catalogue against the
// embedded mock (a stock configuration, as mmoauth mock serves it), mock
// start-up included: what a CI job pays per run. Target (issue 6): ≤ 3 s on
// a 2-core machine (make bench, docs/BENCHMARKS.md).
//
//	go test -run='^$' -bench=Catalogue -benchtime=3x ./conformance/
func BenchmarkCatalogue(b *testing.B) {
	checks := len(conformance.Catalogue())
	for b.Loop() {
		target, stop := benchMock(b)
		report, err := conformance.Run(b.Context(), conformance.Options{}, target)
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if !report.OK() || len(report.Results) != checks {
			b.Fatalf("%d results of %d checks, %+v", len(report.Results), checks, report.Summary)
		}
	}
	b.ReportMetric(float64(checks), "checks")
}

// benchMock serves a stock mock on a loopback port whose URL is its SiteURL,
// and returns it as a target with the default identities' tokens.
func benchMock(b *testing.B) (target conformance.Target, stop func()) {
	b.Helper()
	var lc net.ListenConfig
	l, err := lc.Listen(b.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	cfg := mockserver.DefaultConfig()
	cfg.SiteURL = "http://" + l.Addr().String()
	s, err := mockserver.New(mockserver.WithConfig(cfg))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(s)
	_ = srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	id := s.Identities()
	return conformance.Target{URL: cfg.SiteURL, Tokens: map[conformance.Role]string{
		conformance.Admin:     id.SystemAdmin.Token,
		conformance.Manager:   id.OAuthManager.Token,
		conformance.Manager2:  id.OAuthManager2.Token,
		conformance.PlainUser: id.PlainUser.Token,
	}}, srv.Close
}
