// Package pgtest starts a throw-away PostgreSQL server for a test: initdb
// in a temporary directory under /tmp, a free loopback port, stopped and
// removed when the test ends. A test calls Start and gets a DSN; without
// PostgreSQL binaries on the machine (Debian's postgresql package puts them
// in /usr/lib/postgresql/N/bin) the test is skipped with the reason.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to create databases
)

// Server is a running throw-away PostgreSQL.
type Server struct {
	// Port is the loopback port it listens on.
	Port int
	// Log is the server's log file, for failure messages.
	Log string
	n   atomic.Int64
}

// user is the superuser initdb creates; connections from 127.0.0.1 are
// trusted, so it needs no password.
const superuser = "mmoauth"

// ErrUnavailable is matched by Launch's error when the machine has no
// PostgreSQL to start: the tests that need one skip.
var ErrUnavailable = errors.New("no PostgreSQL for this test")

// Start starts a PostgreSQL for t and stops it (pg_ctl stop -m immediate)
// when t ends. It skips t when the binaries are missing, and fails it when
// they are present but the server does not start.
func Start(t testing.TB) *Server {
	t.Helper()
	return Lazy(t)(t)
}

// Launch is Start returning its error instead of ending t, so that a
// subtest can start a server that lives as long as its parent t (whose
// Cleanup stops it).
func Launch(t testing.TB) (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, fmt.Errorf("%w: %w (install Debian's postgresql package; .ci/run does)", ErrUnavailable, err)
	}
	as, err := runAs()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	// Under /tmp, mode 0755: run as root, the server's OS user must reach
	// it, and t.TempDir may sit under a directory it cannot enter.
	dir, err := os.MkdirTemp("/tmp", "mmoauth-pg-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil { //nolint:gosec // G302: the server's OS user must enter it
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if err := as.own(dir); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	data := filepath.Join(dir, "data")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := as.command(ctx, dir, filepath.Join(bin, "initdb"), "-D", data, "-U", superuser, "-A", "trust",
		"--no-locale", "-E", "UTF8", "-N").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %w: %s", err, out)
	}
	s := &Server{Log: filepath.Join(dir, "postgres.log")}
	var lastErr error
	for range 3 { // a port picked free may be taken before the server binds it
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("pgtest: %w", err)
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s -c max_connections=200", port, dir)
		out, err := as.command(ctx, dir, filepath.Join(bin, "pg_ctl"), "-D", data, "-l", s.Log, "-w", "-t", "60", "-o", opts, "start").CombinedOutput()
		if err == nil {
			s.Port = port
			lastErr = nil
			break
		}
		log, _ := os.ReadFile(s.Log)
		lastErr = fmt.Errorf("pgtest: pg_ctl start: %w: %s %s", err, out, lastLines(string(log), 5))
	}
	if lastErr != nil {
		return nil, lastErr
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = as.command(ctx, dir, filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").Run()
	})
	return s, nil
}

// DSN is the URL of database db on the server.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", superuser, s.Port, db)
}

// NewDatabase creates an empty database and returns its URL, so that each
// test (or subtest) starts from nothing.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := "t" + strconv.FormatInt(s.n.Add(1), 10)
	db, err := sql.Open("pgx", s.DSN("postgres"))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	return s.DSN(name)
}

// findBin finds the directory holding initdb, pg_ctl and postgres: on the
// PATH, else the newest /usr/lib/postgresql/N/bin.
func findBin() (string, error) {
	complete := func(d string) bool {
		for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
			if _, err := os.Stat(filepath.Join(d, b)); err != nil {
				return false
			}
		}
		return true
	}
	if p, err := exec.LookPath("initdb"); err == nil && complete(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if complete(d) {
			return d, nil
		}
	}
	return "", errors.New("initdb, pg_ctl and postgres are neither on the PATH nor in /usr/lib/postgresql/*/bin")
}

// version is N of /usr/lib/postgresql/N/bin.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func freePort() (int, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Lazy returns a function that starts one server for parent the first
// time it is called, from parent or any of its subtests, and returns it on
// every call; the server stops when parent ends. The caller t is skipped
// when the machine has no PostgreSQL and fails when it does not start, so
// that subtests of other stores run either way.
func Lazy(parent testing.TB) func(t testing.TB) *Server {
	var (
		once sync.Once
		s    *Server
		err  error
	)
	return func(t testing.TB) *Server {
		t.Helper()
		once.Do(func() { s, err = Launch(parent) })
		switch {
		case errors.Is(err, ErrUnavailable):
			t.Skip(err)
		case err != nil:
			t.Fatal(err)
		}
		return s
	}
}
