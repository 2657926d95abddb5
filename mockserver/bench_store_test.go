package mockserver

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmoauth/mmoauth/internal/loadgen"
	"github.com/mmoauth/mmoauth/internal/pgtest"
	"github.com/mmoauth/mmoauth/models"
)

// storeScaleSizes are the numbers of apps already in the store.
var storeScaleSizes = []int{0, 10_000, 100_000}

// Each round measures creates for storeWindow, then gets for storeWindow.
const storeWindow = 500 * time.Millisecond

// BenchmarkStoreScale measures create and get throughput (req/s, p50 µs)
// of the mock as mmoauth mock serves it (requests validated), over 8
// keep-alive loopback clients, with each store (memory, the embedded
// SQLite file, Postgres) already holding 0, 10,000 or 100,000 apps. The
// three sizes of a store take turns in each round, so that load from other
// processes on a shared machine spreads over all of them alike; b.N is the
// number of rounds (-benchtime=2x: two). Metrics are named OP-N-req/s and
// OP-N-p50-µs (OP create or get, N the number of apps). Postgres is a
// throw-away server of internal/pgtest with its defaults (fsync on),
// skipped without the binaries.
//
//	go test -run='^$' -bench=StoreScale -benchtime=2x ./mockserver/
func BenchmarkStoreScale(b *testing.B) {
	// One server for every run of the benchmark (the testing package
	// runs its body more than once).
	pg := pgtest.Lazy(b)
	stores := []struct {
		name string
		opt  func(b *testing.B) Option
	}{
		{"memory", func(*testing.B) Option { return func(*options) {} }},
		{"sqlite", func(b *testing.B) Option { return WithStateFile(filepath.Join(b.TempDir(), "state.db")) }},
		{"postgres", func(b *testing.B) Option {
			return WithStore(pg(b).NewDatabase(b))
		}},
	}
	for _, st := range stores {
		b.Run("store="+st.name, func(b *testing.B) {
			type target struct {
				n    int
				addr string
				ops  map[string]loadgen.Request
			}
			var targets []target
			for _, n := range storeScaleSizes {
				s, err := New(st.opt(b))
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = s.Close() })
				app := preloadStore(b, s, max(n, 1))
				hs := httptest.NewServer(s)
				b.Cleanup(hs.Close)
				s.setSiteURLIfEmpty(hs.URL)
				tg := target{n: n, addr: strings.TrimPrefix(hs.URL, "http://"), ops: map[string]loadgen.Request{}}
				for _, op := range loadgen.Ops(app.ID, s.Identities().SystemAdmin.Token) {
					tg.ops[op.Name] = op.Request
				}
				targets = append(targets, tg)
			}
			ops := []struct{ op, metric string }{{"CreateOAuthApp", "create"}, {"GetOAuthApp", "get"}}
			runs := map[string][]loadgen.Result{}
			for range b.N {
				for _, tg := range targets {
					for _, op := range ops {
						res, err := loadgen.Run(b.Context(), loadgen.Options{Addr: tg.addr, Concurrency: 8,
							Warmup: throughputWarmup, Duration: storeWindow}, tg.ops[op.op])
						if err != nil {
							b.Fatal(err)
						}
						key := fmt.Sprintf("%s-%d", op.metric, tg.n)
						runs[key] = append(runs[key], res)
					}
				}
			}
			for key, rs := range runs {
				res := loadgen.Merge(rs...)
				if res.Errors > 0 {
					b.Fatalf("%s: %d errors, first: %s", key, res.Errors, res.FirstError)
				}
				b.ReportMetric(res.Throughput, key+"-req/s")
				b.ReportMetric(float64(res.P50.Nanoseconds())/1e3, key+"-p50-µs")
			}
		})
	}
}

// preloadStore inserts n apps of the system admin straight into the
// server's store, 10,000 per transaction (the fast path: 100,000 creates
// through HTTP would take longer than the measurement), then lets the
// database settle as a long-running one would have: the SQLite log is
// folded into the file, Postgres has vacuumed and analysed the table and
// written a checkpoint. It returns the last app.
func preloadStore(b *testing.B, s *Server, n int) models.OAuthApp {
	b.Helper()
	var last models.OAuthApp
	creator := s.Identities().SystemAdmin.ID
	for done := 0; done < n; {
		tx := s.store.begin(b.Context(), true)
		for range min(10_000, n-done) {
			last = models.OAuthApp{ID: newID(), CreatorID: creator, Name: fmt.Sprint("app", done),
				ClientSecret: models.Secret(newID()), CallbackURLs: []string{"https://b.example.com/cb"},
				Homepage: "https://b.example.com", CreateAt: 1, UpdateAt: 1}
			tx.insertApp(last)
			done++
		}
		if err := tx.done(); err != nil {
			b.Fatal(err)
		}
	}
	if st, ok := s.store.(*sqlStore); ok {
		settle := []string{"VACUUM ANALYZE mmoauth_apps", "CHECKPOINT"}
		if st.group != nil {
			settle = []string{"PRAGMA wal_checkpoint(TRUNCATE)"}
		}
		for _, stmt := range settle {
			if _, err := st.db.ExecContext(b.Context(), stmt); err != nil {
				b.Fatal(err)
			}
		}
	}
	return last
}
