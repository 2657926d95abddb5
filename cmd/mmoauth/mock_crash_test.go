package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/internal/pgtest"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// These tests run the real mmoauth binary as a long-running process: built
// with `go build` into the test's temporary directory, started with
// --state, then killed (SIGKILL) or stopped (SIGTERM) while requests are in
// flight. They synchronise on the process's output and on the HTTP
// exchanges themselves, never on sleeps.

// buildBinary compiles cmd/mmoauth into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	require.NoError(t, err, "the go tool is needed to build the binary under test")
	bin := filepath.Join(t.TempDir(), "mmoauth")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, "github.com/mmoauth/mmoauth/cmd/mmoauth").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// mockProcess is a running "mmoauth mock".
type mockProcess struct {
	cmd   *exec.Cmd
	url   string
	lines chan string // stdout after the first line
	exit  chan error  // the result of Wait
}

// startMockProcess starts the binary on 127.0.0.1:0 and returns once it
// printed the address it serves: its listener is then open, so requests
// made from here on wait in the accept queue at worst.
func startMockProcess(t *testing.T, bin string, args ...string) *mockProcess {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	cmd := exec.CommandContext(ctx, bin, append([]string{"mock", "--addr", "127.0.0.1:0"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &mockProcess{cmd: cmd, lines: make(chan string, 1024), exit: make(chan error, 1)}
	done := make(chan struct{})
	sc := bufio.NewScanner(out)
	require.True(t, sc.Scan(), "no output; stderr: %s", stderr.String())
	url, ok := strings.CutPrefix(sc.Text(), "mmoauth mock: serving ")
	require.True(t, ok, "first line %q; stderr: %s", sc.Text(), stderr.String())
	p.url = url
	go func() {
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default: // nobody is listening: drop
			}
		}
		close(p.lines)
		p.exit <- cmd.Wait()
		cancel()
		close(done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // an error means it has already exited
		<-done
	})
	return p
}

// waitLine waits for a line of stdout that starts with prefix.
func (p *mockProcess) waitLine(t *testing.T, prefix string) {
	t.Helper()
	for line := range p.lines {
		if strings.HasPrefix(line, prefix) {
			return
		}
	}
	t.Fatalf("the process ended without printing %q", prefix)
}

// appRecord is what the clients know about one app: its last acknowledged
// state, and the operation in flight when the server died, if any (whose
// outcome is unknown: it may or may not have been saved).
type appRecord struct {
	ackName    string
	ackSecret  models.Secret
	ackDeleted bool
	tokens     []string // acknowledged access tokens issued for it

	pending     string // "", "update", "regen", "delete"
	pendingName string
}

// crashLedger is every worker's records.
type crashLedger struct {
	mu             sync.Mutex
	apps           map[string]*appRecord
	pendingCreates map[string]bool // names of creates whose answer never came
	acked          atomic.Int64
}

// crashWorker creates, renames, regenerates, deletes and registers apps,
// and gets access tokens for them, one operation at a time, until the
// server is gone.
type crashWorker struct {
	n    int
	c    *client.Client
	anon *client.Client
	user *client.Client
	l    *crashLedger
	apps []string
	i    int // the next step; it goes on across rounds
}

func (w *crashWorker) run(ctx context.Context, killAt int64, kill func()) {
	for {
		i := w.i
		w.i++
		if err := w.step(ctx, i); err != nil {
			return // the server is gone
		}
		if w.l.acked.Add(1) == killAt {
			kill()
		}
	}
}

func (w *crashWorker) step(ctx context.Context, i int) error {
	l := w.l
	if len(w.apps) == 0 || i%6 == 0 {
		name := fmt.Sprintf("w%d-%d", w.n, i)
		l.mu.Lock()
		l.pendingCreates[name] = true
		l.mu.Unlock()
		app, _, err := w.c.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{Name: name, CallbackURLs: []string{"https://crash.example.com/cb"}, Homepage: "https://crash.example.com"})
		if err != nil {
			return err
		}
		l.mu.Lock()
		delete(l.pendingCreates, name)
		l.apps[app.ID] = &appRecord{ackName: app.Name, ackSecret: app.ClientSecret}
		l.mu.Unlock()
		w.apps = append(w.apps, app.ID)
		return nil
	}
	if i%6 == 5 {
		name := fmt.Sprintf("dcr-w%d-%d", w.n, i)
		l.mu.Lock()
		l.pendingCreates[name] = true
		l.mu.Unlock()
		reg, _, err := w.anon.RegisterOAuthClient(ctx, &models.ClientRegistrationRequest{RedirectURIs: []string{"https://crash.example.com/cb"}, ClientName: name})
		if err != nil {
			return err
		}
		l.mu.Lock()
		delete(l.pendingCreates, name)
		l.apps[reg.ClientID] = &appRecord{ackName: reg.ClientName, ackSecret: reg.ClientSecret}
		l.mu.Unlock()
		return nil // registered clients are not the worker's to change
	}
	id := w.apps[i%len(w.apps)]
	l.mu.Lock()
	rec := l.apps[id]
	l.mu.Unlock()
	set := func(f func()) {
		l.mu.Lock()
		defer l.mu.Unlock()
		f()
	}
	switch i % 6 {
	case 1, 2:
		name := fmt.Sprintf("w%d-%d-renamed", w.n, i)
		set(func() { rec.pending, rec.pendingName = "update", name })
		req := &models.UpdateOAuthAppRequest{ID: id, Name: name, CallbackURLs: []string{"https://crash.example.com/cb"}, Homepage: "https://crash.example.com"}
		if _, _, err := w.c.UpdateOAuthApp(ctx, req); err != nil {
			return err
		}
		set(func() { rec.ackName, rec.pending = name, "" })
	case 3:
		set(func() { rec.pending = "regen" })
		app, _, err := w.c.RegenerateOAuthAppSecret(ctx, id)
		if err != nil {
			return err
		}
		set(func() { rec.ackSecret, rec.pending = app.ClientSecret, "" })
	case 4:
		if len(w.apps) > 3 {
			set(func() { rec.pending = "delete" })
			if _, _, err := w.c.DeleteOAuthApp(ctx, id); err != nil {
				return err
			}
			set(func() { rec.ackDeleted, rec.pending = true, "" })
			w.apps = append(w.apps[:i%len(w.apps)], w.apps[i%len(w.apps)+1:]...)
			return nil
		}
		ans, _, err := w.user.AuthorizeOAuthApp(ctx, &models.AuthorizeRequest{ResponseType: "code", ClientID: id, RedirectURI: "https://crash.example.com/cb", State: "s"})
		if err != nil {
			return err
		}
		code, err := ans.Code()
		if err != nil {
			return err
		}
		tok, err := exchangeCode(ctx, w.c.BaseURL(), id, rec.ackSecret.Reveal(), code.Reveal())
		if err != nil {
			return err
		}
		set(func() { rec.tokens = append(rec.tokens, tok) })
	}
	return nil
}

// exchangeCode redeems a code at the token endpoint and returns the access token.
func exchangeCode(ctx context.Context, base, clientID, secret, code string) (string, error) {
	form := "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fcrash.example.com%2Fcb&client_id=" + clientID + "&client_secret=" + secret + "&code=" + code
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/oauth/access_token", strings.NewReader(form))
	if err != nil {
		return "", err
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("token: %d", resp.StatusCode)
	}
	var ar models.AccessResponse
	if err := json.Unmarshal(b, &ar); err != nil {
		return "", err
	}
	return ar.AccessToken.Reveal(), nil
}

// crashStores are the durable stores the kill -9 test runs on, each as the
// flags of a fresh state.
func crashStores(t *testing.T) []struct {
	name string
	args func(t *testing.T) []string
} {
	return []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"sqlite", func(t *testing.T) []string { return []string{"--state", filepath.Join(t.TempDir(), "state.db")} }},
		{"postgres", func(t *testing.T) []string { return []string{"--store", pgtest.Start(t).NewDatabase(t)} }},
	}
}

// TestMockSurvivesKill9: with a durable store (--state, --store), a mock
// killed with SIGKILL in the middle of a load of creates, updates,
// regenerations, deletions, registrations and token grants loses none of
// the changes it acknowledged: after a restart on the same state every
// acknowledged app is there with its last acknowledged name and secret,
// every acknowledged deletion holds, every acknowledged access token still
// authenticates, and nothing exists that no client asked for. An operation
// whose answer never came may or may not have been saved: after each
// check the ledger takes what the server shows for those, and the load
// goes on against the restarted process, for several rounds.
func TestMockSurvivesKill9(t *testing.T) {
	bin := buildBinary(t)
	for _, store := range crashStores(t) {
		t.Run(store.name, func(t *testing.T) {
			args := append(store.args(t), "--enable-dcr")
			users := mockserver.DefaultUsers()
			token := func(username string) string {
				for _, u := range users {
					if u.Username == username {
						return u.Token
					}
				}
				t.Fatalf("no seeded user %s", username)
				return ""
			}
			l := &crashLedger{apps: map[string]*appRecord{}, pendingCreates: map[string]bool{}}
			const workers, perRound, rounds = 8, 150, 3 // a few hundred acknowledged operations per kill -9
			ws := make([]*crashWorker, workers)
			for n := range ws {
				ws[n] = &crashWorker{n: n, l: l}
			}
			p := startMockProcess(t, bin, args...)
			tokens := 0
			for round := range rounds {
				base, err := client.New(p.url, client.WithRetryPolicy(client.NoRetry()),
					client.WithHTTPClient(&http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}))
				require.NoError(t, err)
				killAt := l.acked.Load() + perRound
				var killOnce sync.Once
				killed := make(chan struct{})
				kill := func() {
					killOnce.Do(func() {
						require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
						close(killed)
					})
				}
				var wg sync.WaitGroup
				for _, w := range ws {
					w.c, w.anon, w.user = base.WithToken(token("sysadmin")), base.WithToken(""), base.WithToken(token("basic.user"))
					wg.Go(func() { w.run(t.Context(), killAt, kill) })
				}
				wg.Wait()
				select {
				case <-killed:
				default:
					t.Fatalf("round %d: the load ended before the kill", round)
				}
				exitErr := <-p.exit
				var ee *exec.ExitError
				require.ErrorAs(t, exitErr, &ee)
				assert.Equal(t, syscall.SIGKILL, ee.Sys().(syscall.WaitStatus).Signal(), "killed, not exited")

				p = startMockProcess(t, bin, args...)
				sa, err := client.New(p.url, client.WithToken(token("sysadmin")))
				require.NoError(t, err)
				checked := checkAfterCrash(t, sa, l)
				t.Logf("round %d: %d acknowledged operations, %d apps, %d tokens checked after the restart", round, l.acked.Load(), len(l.apps), checked)
				tokens += checked
				for _, w := range ws {
					w.apps = slices.DeleteFunc(w.apps, func(id string) bool { return l.apps[id].ackDeleted })
				}
			}

			assert.Positive(t, tokens, "access tokens were among the acknowledged changes")

			// The restarted server goes on saving.
			sa, err := client.New(p.url, client.WithToken(token("sysadmin")))
			require.NoError(t, err)
			app, _, err := sa.CreateOAuthApp(t.Context(), &models.CreateOAuthAppRequest{Name: "after", CallbackURLs: []string{"https://a.example.com/cb"}, Homepage: "https://a.example.com"})
			require.NoError(t, err)
			_, _, err = sa.GetOAuthApp(t.Context(), app.ID)
			require.NoError(t, err)
		})
	}
}

// checkAfterCrash compares what the restarted server holds with what the
// clients were told, then settles the operations whose answer never came
// with what the server shows. It returns the number of tokens checked.
func checkAfterCrash(t *testing.T, sa *client.Client, l *crashLedger) int {
	t.Helper()
	ctx := t.Context()
	found := map[string]*models.OAuthApp{}
	for app, err := range sa.OAuthApps(ctx, 200) {
		require.NoError(t, err)
		require.Nil(t, found[app.ID], "listed twice")
		found[app.ID] = app
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	checkedTokens := 0
	for id, rec := range l.apps {
		if rec.ackDeleted {
			assert.Nil(t, found[id], "app %s: acknowledged delete lost", id)
			continue
		}
		app, ok := found[id]
		delete(found, id)
		switch rec.pending {
		case "delete":
			if !ok {
				rec.ackDeleted, rec.pending = true, "" // the delete was saved before the kill
				continue
			}
		default:
			if !assert.True(t, ok, "app %s (%s): acknowledged create lost", id, rec.ackName) {
				continue
			}
		}
		if rec.pending == "update" {
			assert.Contains(t, []string{rec.ackName, rec.pendingName}, app.Name, "app %s", id)
		} else {
			assert.Equal(t, rec.ackName, app.Name, "app %s: acknowledged name", id)
		}
		if rec.pending != "regen" {
			assert.Equal(t, rec.ackSecret.Reveal(), app.ClientSecret.Reveal(), "app %s: acknowledged secret", id)
		}
		if rec.pending == "" {
			for _, tok := range rec.tokens {
				_, _, err := sa.WithToken(tok).GetMe(ctx)
				assert.NoError(t, err, "app %s: acknowledged access token lost", id)
				checkedTokens++
			}
		}
		rec.ackName, rec.ackSecret, rec.pending = app.Name, app.ClientSecret, ""
	}
	for id, app := range found {
		if !assert.True(t, l.pendingCreates[app.Name], "app %s (%s) exists but no client was told of it or asked for it", id, app.Name) {
			continue
		}
		l.apps[id] = &appRecord{ackName: app.Name, ackSecret: app.ClientSecret} // a create saved before the kill
	}
	clear(l.pendingCreates)
	return checkedTokens
}

// TestMockStateFileInUse: a second mock on the state file of a running one
// exits 1 with one line that says the file is in use, and leaves the first
// one serving.
func TestMockStateFileInUse(t *testing.T) {
	bin := buildBinary(t)
	state := filepath.Join(t.TempDir(), "state.db")
	p := startMockProcess(t, bin, "--state", state)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "mock", "--addr", "127.0.0.1:0", "--state", state).CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "%s", out)
	assert.Equal(t, exitFailure, ee.ExitCode())
	line := strings.TrimSpace(string(out))
	assert.NotContains(t, line, "\n", "one line")
	assert.Contains(t, line, state)
	assert.Contains(t, line, "in use by another process")
	c, err := client.New(p.url)
	require.NoError(t, err)
	_, _, err = c.GetAuthorizationServerMetadata(t.Context())
	require.NoError(t, err, "the first process still serves")
}

// TestMockDrainsOnSIGTERM: SIGTERM stops the mock gracefully: a request
// already being served when the signal arrives is finished and answered
// (and its change saved), then the process exits 0. The test holds a create
// inside the handler with "Expect: 100-continue": the server's "100
// Continue" proves the handler is reading the body, the signal is sent, the
// "shutting down" line proves it was received, and only then is the body
// sent.
func TestMockDrainsOnSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	state := filepath.Join(t.TempDir(), "state.json")
	p := startMockProcess(t, bin, "--state", state)
	var manager string
	for _, u := range mockserver.DefaultUsers() {
		if u.Username == "oauth.manager" {
			manager = u.Token
		}
	}
	require.NotEmpty(t, manager)

	var d net.Dialer
	conn, err := d.DialContext(t.Context(), "tcp", strings.TrimPrefix(p.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	body := `{"name":"drained","callback_urls":["https://d.example.com/cb"],"homepage":"https://d.example.com"}`
	_, err = fmt.Fprintf(conn, "POST /api/v4/oauth/apps HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		strings.TrimPrefix(p.url, "http://"), manager, len(body))
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	resp100, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.NoError(t, resp100.Body.Close()) // a 1xx has no body
	require.Equal(t, http.StatusContinue, resp100.StatusCode, "the handler is running")

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	p.waitLine(t, "mmoauth mock: shutting down")

	_, err = io.WriteString(conn, body)
	require.NoError(t, err)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", raw)
	var app models.OAuthApp
	require.NoError(t, json.Unmarshal(raw, &app))
	_, err = br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the server closes the connection once the drained request is answered")

	require.NoError(t, <-p.exit, "a graceful stop exits 0")

	// The drained request's change was saved.
	p2 := startMockProcess(t, bin, "--state", state)
	c, err := client.New(p2.url, client.WithToken(manager))
	require.NoError(t, err)
	got, _, err := c.GetOAuthApp(t.Context(), app.ID)
	require.NoError(t, err)
	assert.Equal(t, "drained", got.Name)
}

// TestMockStateFileErrors: a state file the mock cannot use stops it at
// start with exit code 1 (not a usage error) and a one-line reason; the
// file is left as it was.
func TestMockStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	require.NoError(t, os.WriteFile(corrupt, []byte(`{"version":1,"apps":[`), 0o600))
	tests := []struct {
		name, path, want string
	}{
		{"corrupt", corrupt, "corrupt.json"},
		{"missing directory", filepath.Join(dir, "no", "such", "state.json"), "state file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr strings.Builder
			code := run(ctx, []string{"mock", "--addr", "127.0.0.1:0", "--state", tt.path}, &stdout, &stderr)
			assert.Equal(t, exitFailure, code, "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), tt.want)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr.String()), "\n")+1, "one line: %q", stderr.String())
		})
	}
	b, err := os.ReadFile(corrupt)
	require.NoError(t, err)
	assert.Equal(t, `{"version":1,"apps":[`, string(b))
}

// TestMockSharedPostgresStress: two mock processes on one Postgres store,
// with concurrent clients on both. Each shared app has a renamer on one
// process and a secret regenerator on the other, racing on the same row;
// creators spread their creates over both processes. Afterwards, through
// either process: every acknowledged create is there once, with a unique
// id; each shared app has the renamer's last acknowledged name and the
// regenerator's last acknowledged secret (a lost update would bring back
// an older one); and each acknowledged change was visible at once through
// the other process.
func TestMockSharedPostgresStress(t *testing.T) {
	bin := buildBinary(t)
	dsn := pgtest.Start(t).NewDatabase(t)
	pa := startMockProcess(t, bin, "--store", dsn)
	pb := startMockProcess(t, bin, "--store", dsn)
	var sysadmin string
	for _, u := range mockserver.DefaultUsers() {
		if u.Username == "sysadmin" {
			sysadmin = u.Token
		}
	}
	newClient := func(url string) *client.Client {
		c, err := client.New(url, client.WithToken(sysadmin), client.WithRetryPolicy(client.NoRetry()))
		require.NoError(t, err)
		return c
	}
	ca, cb := newClient(pa.url), newClient(pb.url)
	ctx := t.Context()
	create := func(c *client.Client, name string) (*models.OAuthApp, error) {
		app, _, err := c.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{Name: name, CallbackURLs: []string{"https://s.example.com/cb"}, Homepage: "https://s.example.com"})
		return app, err
	}

	const shared, steps, creators, creates = 4, 25, 4, 30
	type hot struct {
		id         string
		lastName   string
		lastSecret models.Secret
	}
	hots := make([]*hot, shared)
	for i := range hots {
		app, err := create(ca, fmt.Sprint("hot-", i))
		require.NoError(t, err)
		hots[i] = &hot{id: app.ID, lastName: app.Name, lastSecret: app.ClientSecret}
	}
	var mu sync.Mutex
	created := map[string]string{} // id → name, every acknowledged create
	var wg sync.WaitGroup
	errs := make(chan error, 2*shared+creators)
	for _, h := range hots {
		wg.Go(func() { // the renamer: writes on A, reads its write back on B
			for i := range steps {
				name := fmt.Sprintf("%s-renamed-%d", h.id, i)
				_, _, err := ca.UpdateOAuthApp(ctx, &models.UpdateOAuthAppRequest{ID: h.id, Name: name, CallbackURLs: []string{"https://s.example.com/cb"}, Homepage: "https://s.example.com"})
				if err != nil {
					errs <- fmt.Errorf("update: %w", err)
					return
				}
				h.lastName = name
				got, _, err := cb.GetOAuthApp(ctx, h.id)
				if err != nil {
					errs <- fmt.Errorf("get: %w", err)
					return
				}
				if got.Name != name {
					errs <- fmt.Errorf("app %s: B reads %q right after A acknowledged %q", h.id, got.Name, name)
				}
			}
		})
		wg.Go(func() { // the regenerator: on B
			for range steps {
				app, _, err := cb.RegenerateOAuthAppSecret(ctx, h.id)
				if err != nil {
					errs <- fmt.Errorf("regen: %w", err)
					return
				}
				if app.ClientSecret == h.lastSecret {
					errs <- fmt.Errorf("app %s: a regeneration returned the secret it replaced", h.id)
				}
				h.lastSecret = app.ClientSecret
			}
		})
	}
	for n := range creators {
		wg.Go(func() {
			for i := range creates {
				c := ca
				if i%2 == 1 {
					c = cb
				}
				app, err := create(c, fmt.Sprintf("c%d-%d", n, i))
				if err != nil {
					errs <- fmt.Errorf("create: %w", err)
					return
				}
				mu.Lock()
				created[app.ID] = app.Name
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.Len(t, created, creators*creates, "unique ids")

	for _, c := range []*client.Client{ca, cb} {
		listed := map[string]*models.OAuthApp{}
		for app, err := range c.OAuthApps(ctx, 200) {
			require.NoError(t, err)
			require.Nil(t, listed[app.ID], "listed twice")
			listed[app.ID] = app
		}
		assert.Len(t, listed, shared+creators*creates, "nothing more, nothing less")
		for id, name := range created {
			if assert.Contains(t, listed, id, "acknowledged create lost") {
				assert.Equal(t, name, listed[id].Name)
			}
		}
		for _, h := range hots {
			got := listed[h.id]
			require.NotNil(t, got)
			assert.Equal(t, h.lastName, got.Name, "app %s: the last acknowledged name", h.id)
			assert.Equal(t, h.lastSecret.Reveal(), got.ClientSecret.Reveal(), "app %s: the last acknowledged secret (no lost update)", h.id)
		}
	}
}
