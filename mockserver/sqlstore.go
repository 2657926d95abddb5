package mockserver

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mmoauth/mmoauth/models"
)

// This file is the store on a SQL database, shared by the embedded SQLite
// file (sqlite.go) and Postgres (postgres.go). Each table holds a value as
// JSON in a data column, beside the columns the queries select and order
// by; secrets are found by the hex SHA-256 of the secret (keyOf) and then
// compared in constant time, as in memory.

// schemaVersion is the version of the tables below. A database that holds
// a newer one was written by a newer mmoauth and is refused rather than
// misread.
const schemaVersion = 1

// schemaTables are the tables of schemaVersion, created when missing.
var schemaTables = []string{
	`CREATE TABLE IF NOT EXISTS mmoauth_apps (
		id TEXT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, creator_id TEXT NOT NULL, data TEXT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS mmoauth_apps_creator ON mmoauth_apps (creator_id, seq)`,
	`CREATE TABLE IF NOT EXISTS mmoauth_authorizations (
		user_id TEXT NOT NULL, app_id TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (user_id, app_id))`,
	`CREATE INDEX IF NOT EXISTS mmoauth_authorizations_user ON mmoauth_authorizations (user_id, seq)`,
	`CREATE INDEX IF NOT EXISTS mmoauth_authorizations_app ON mmoauth_authorizations (app_id)`,
	`CREATE TABLE IF NOT EXISTS mmoauth_codes (
		code_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL, data TEXT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS mmoauth_codes_client ON mmoauth_codes (client_id, user_id)`,
	`CREATE TABLE IF NOT EXISTS mmoauth_access (
		token_hash TEXT PRIMARY KEY, refresh_hash TEXT, client_id TEXT NOT NULL, user_id TEXT NOT NULL,
		expires_at BIGINT NOT NULL, data TEXT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS mmoauth_access_refresh ON mmoauth_access (refresh_hash)`,
	`CREATE INDEX IF NOT EXISTS mmoauth_access_client ON mmoauth_access (client_id, user_id, expires_at)`,
	`CREATE TABLE IF NOT EXISTS mmoauth_sessions (token_hash TEXT PRIMARY KEY, data TEXT NOT NULL)`,
}

// sqlDialect is what differs between the two databases.
type sqlDialect struct {
	// dollar: placeholders are $1, $2… instead of ?.
	dollar bool
	// forUpdate locks the rows a writing request reads (Postgres); SQLite
	// has one writer at a time, so it needs none.
	forUpdate string
	// seqSetup creates the counter of list positions; nextSeq draws from it.
	seqSetup []string
	nextSeq  string
	// schemaLock serialises schema set-up between processes starting at
	// once ("" when the database does it by itself).
	schemaLock string
}

// sqlStore keeps the state in a SQL database.
type sqlStore struct {
	db *sql.DB
	d  sqlDialect
	// where names the database in errors: the file, or the URL without
	// its password.
	where string
	// group, when set (SQLite), runs every writing request on one
	// connection, one at a time, and lets them share commits.
	group *groupCommit
	// queries caches each query rewritten for the dialect.
	queries sync.Map
	// release runs after the database is closed (the file lock).
	release func() error
}

// q returns query with the dialect's placeholders.
func (s *sqlStore) q(query string) string {
	if !s.d.dollar {
		return query
	}
	if v, ok := s.queries.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	s.queries.Store(query, b.String())
	return b.String()
}

// setUp creates the tables when missing and checks the schema version, in
// one transaction: a database with a newer schema is left as it was.
func (s *sqlStore) setUp(ctx context.Context, wrap error) (err error) {
	fail := func(err error) error { return fmt.Errorf("%w %s: %w", wrap, s.where, err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if s.d.schemaLock != "" {
		if _, err := tx.ExecContext(ctx, s.d.schemaLock); err != nil {
			return fail(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS mmoauth_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
		return fail(err)
	}
	var v string
	switch err := tx.QueryRowContext(ctx, s.q(`SELECT value FROM mmoauth_meta WHERE key = ?`), "schema_version").Scan(&v); {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO mmoauth_meta (key, value) VALUES (?, ?)`), "schema_version", strconv.Itoa(schemaVersion)); err != nil {
			return fail(err)
		}
	case err != nil:
		return fail(err)
	default:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fail(fmt.Errorf("unreadable schema version %q", v))
		}
		if n > schemaVersion {
			return fail(fmt.Errorf("schema version %d was written by a newer mmoauth (this one reads version %d); upgrade mmoauth", n, schemaVersion))
		}
	}
	for _, stmt := range append(append([]string(nil), schemaTables...), s.d.seqSetup...) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fail(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return nil
}

func (s *sqlStore) durable() bool { return true }

func (s *sqlStore) close() error {
	var err error
	if s.group != nil {
		// Statements first: SQLite closes a connection cleanly (folding
		// its log into the file) only once they are finalised.
		for _, st := range s.group.stmts {
			_ = st.Close()
		}
		if cerr := s.group.conn.Close(); !errors.Is(cerr, sql.ErrConnDone) { // done: closed already
			err = cerr
		}
	}
	err = errors.Join(err, s.db.Close())
	if s.release != nil {
		err = errors.Join(err, s.release())
	}
	return err
}

// txTimeout bounds one request's work on the database, so that a database
// that stops answering fails requests instead of holding them forever.
const txTimeout = 30 * time.Second

// queryer is what sqlTx runs its statements on: the transaction of a
// writing request, or the pool for a reading one.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *sqlStore) begin(ctx context.Context, write bool) stateTx {
	// The request's cancellation must not cut a commit in half; the
	// timeout bounds it instead.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), txTimeout)
	t := &sqlTx{s: s, ctx: ctx, cancel: cancel, q: s.db}
	if !write {
		return t
	}
	if s.group != nil {
		s.group.begin(t)
		return t
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.fail(err)
		return t
	}
	t.tx, t.q, t.forUpdate = tx, tx, s.d.forUpdate
	return t
}

// sqlTx is one request's view of a sqlStore. Its first error is kept and
// every later operation does nothing; done reports it.
type sqlTx struct {
	s         *sqlStore
	ctx       context.Context
	cancel    context.CancelFunc
	q         queryer
	tx        *sql.Tx // a writing request's transaction (Postgres)
	batch     *batch  // a writing request's shared commit (SQLite)
	forUpdate string
	err       error
}

func (t *sqlTx) fail(err error) {
	if t.err == nil {
		t.err = fmt.Errorf("%s: %w", t.s.where, err)
	}
}

func (t *sqlTx) done() error {
	defer t.cancel()
	if t.batch != nil {
		return t.s.group.done(t)
	}
	if t.tx == nil {
		return t.err
	}
	if t.err != nil {
		_ = t.tx.Rollback()
		return t.err
	}
	if err := t.tx.Commit(); err != nil {
		t.fail(err)
	}
	return t.err
}

// exec runs a statement and returns the number of rows it changed.
func (t *sqlTx) exec(query string, args ...any) int64 {
	if t.err != nil {
		return 0
	}
	res, err := t.q.ExecContext(t.ctx, t.s.q(query), args...)
	if err != nil {
		t.fail(err)
		return 0
	}
	n, err := res.RowsAffected()
	if err != nil {
		t.fail(err)
	}
	return n
}

// one reads the data column of the first row of query into v; false when
// there is none (or after an error).
func (t *sqlTx) one(v any, query string, args ...any) bool {
	if t.err != nil {
		return false
	}
	var data string
	err := t.q.QueryRowContext(t.ctx, t.s.q(query), args...).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return false
	}
	if err == nil {
		err = json.Unmarshal([]byte(data), v)
	}
	if err != nil {
		t.fail(err)
		return false
	}
	return true
}

// each calls f with the data column of every row of query.
func (t *sqlTx) each(f func(data []byte) error, query string, args ...any) {
	if t.err != nil {
		return
	}
	rows, err := t.q.QueryContext(t.ctx, t.s.q(query), args...)
	if err != nil {
		t.fail(err)
		return
	}
	defer rows.Close()
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			t.fail(err)
			return
		}
		if err := f(data); err != nil {
			t.fail(err)
			return
		}
	}
	if err := rows.Err(); err != nil {
		t.fail(err)
	}
}

func (t *sqlTx) nextSeq() int64 {
	if t.err != nil {
		return 0
	}
	var n int64
	if err := t.q.QueryRowContext(t.ctx, t.s.d.nextSeq).Scan(&n); err != nil {
		t.fail(err)
	}
	return n
}

func (t *sqlTx) encode(v any) string {
	b, err := json.Marshal(v) //nolint:gosec // G117: the store must hold the secrets, as the real server's tables do
	if err != nil {
		t.fail(err)
	}
	return string(b)
}

// hashOf is the lookup key of a secret.
func hashOf(secret string) string {
	k := keyOf(secret)
	return hex.EncodeToString(k[:])
}

// unixNanos orders access data by expiry; the zero time sorts first.
func unixNanos(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

// --- apps ---

func (t *sqlTx) insertApp(a models.OAuthApp) {
	t.insertAppAt(t.nextSeq(), a)
}

func (t *sqlTx) insertAppAt(seq int64, a models.OAuthApp) {
	data := t.encode(a)
	t.exec(`INSERT INTO mmoauth_apps (id, seq, creator_id, data) VALUES (?, ?, ?, ?)`, a.ID, seq, a.CreatorID, data)
}

func (t *sqlTx) getApp(id string) (models.OAuthApp, bool) {
	var a models.OAuthApp
	if !t.one(&a, `SELECT data FROM mmoauth_apps WHERE id = ?`+t.forUpdate, id) {
		return models.OAuthApp{}, false
	}
	return a, true
}

func (t *sqlTx) replaceApp(a models.OAuthApp) bool {
	data := t.encode(a)
	return t.exec(`UPDATE mmoauth_apps SET creator_id = ?, data = ? WHERE id = ?`, a.CreatorID, data, a.ID) == 1
}

// deleteApp removes the app and everything issued for it, as the memory
// store does.
func (t *sqlTx) deleteApp(id string) bool {
	if t.exec(`DELETE FROM mmoauth_apps WHERE id = ?`, id) == 0 {
		return false
	}
	t.exec(`DELETE FROM mmoauth_codes WHERE client_id = ?`, id)
	t.exec(`DELETE FROM mmoauth_sessions WHERE token_hash IN (SELECT token_hash FROM mmoauth_access WHERE client_id = ?)`, id)
	t.exec(`DELETE FROM mmoauth_access WHERE client_id = ?`, id)
	t.exec(`DELETE FROM mmoauth_authorizations WHERE app_id = ?`, id)
	return t.err == nil
}

// limits turns a page into LIMIT and OFFSET; false past any possible end.
func limits(page, perPage int) (limit, offset int64, ok bool) {
	if perPage <= 0 || page < 0 || int64(page) > math.MaxInt64/int64(perPage) {
		return 0, 0, false
	}
	return int64(perPage), int64(page) * int64(perPage), true
}

func (t *sqlTx) appList(query string, args ...any) []models.OAuthApp {
	out := []models.OAuthApp{}
	t.each(func(data []byte) error {
		var a models.OAuthApp
		if err := json.Unmarshal(data, &a); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	}, query, args...)
	return out
}

func (t *sqlTx) pageApps(creator *string, page, perPage int) []models.OAuthApp {
	limit, offset, ok := limits(page, perPage)
	if !ok {
		return []models.OAuthApp{}
	}
	if creator == nil {
		return t.appList(`SELECT data FROM mmoauth_apps ORDER BY seq LIMIT ? OFFSET ?`, limit, offset)
	}
	return t.appList(`SELECT data FROM mmoauth_apps WHERE creator_id = ? ORDER BY seq LIMIT ? OFFSET ?`, *creator, limit, offset)
}

func (t *sqlTx) appCount() int {
	if t.err != nil {
		return 0
	}
	var n int
	if err := t.q.QueryRowContext(t.ctx, `SELECT COUNT(*) FROM mmoauth_apps`).Scan(&n); err != nil {
		t.fail(err)
	}
	return n
}

// --- authorizations ---

func (t *sqlTx) authorize(userID, appID string) {
	if t.isAuthorized(userID, appID) {
		return // approving again keeps the original position
	}
	t.exec(`INSERT INTO mmoauth_authorizations (user_id, app_id, seq) VALUES (?, ?, ?) ON CONFLICT (user_id, app_id) DO NOTHING`,
		userID, appID, t.nextSeq())
}

func (t *sqlTx) isAuthorized(userID, appID string) bool {
	if t.err != nil {
		return false
	}
	var one int
	err := t.q.QueryRowContext(t.ctx, t.s.q(`SELECT 1 FROM mmoauth_authorizations WHERE user_id = ? AND app_id = ?`), userID, appID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false
	}
	if err != nil {
		t.fail(err)
		return false
	}
	return true
}

func (t *sqlTx) pageAuthorized(userID string, page, perPage int) []models.OAuthApp {
	limit, offset, ok := limits(page, perPage)
	if !ok {
		return []models.OAuthApp{}
	}
	return t.appList(`SELECT a.data FROM mmoauth_authorizations z JOIN mmoauth_apps a ON a.id = z.app_id
		WHERE z.user_id = ? ORDER BY z.seq LIMIT ? OFFSET ?`, userID, limit, offset)
}

func (t *sqlTx) deauthorize(userID, appID string) {
	t.exec(`DELETE FROM mmoauth_sessions WHERE token_hash IN (SELECT token_hash FROM mmoauth_access WHERE user_id = ? AND client_id = ?)`, userID, appID)
	t.exec(`DELETE FROM mmoauth_access WHERE user_id = ? AND client_id = ?`, userID, appID)
	t.exec(`DELETE FROM mmoauth_codes WHERE user_id = ? AND client_id = ?`, userID, appID)
	t.exec(`DELETE FROM mmoauth_authorizations WHERE user_id = ? AND app_id = ?`, userID, appID)
}

func (t *sqlTx) deauthorizeKeepingGrants(userID, appID string) {
	t.exec(`DELETE FROM mmoauth_sessions WHERE token_hash IN (SELECT token_hash FROM mmoauth_access WHERE user_id = ? AND client_id = ?)`, userID, appID)
	t.exec(`DELETE FROM mmoauth_authorizations WHERE user_id = ? AND app_id = ?`, userID, appID)
}

// --- codes ---

func (t *sqlTx) saveCode(ad authData) {
	data := t.encode(ad)
	t.exec(`INSERT INTO mmoauth_codes (code_hash, client_id, user_id, data) VALUES (?, ?, ?, ?)
		ON CONFLICT (code_hash) DO UPDATE SET client_id = excluded.client_id, user_id = excluded.user_id, data = excluded.data`,
		hashOf(ad.Code), ad.ClientID, ad.UserID, data)
}

func (t *sqlTx) getCode(code string) (authData, bool) {
	var ad authData
	if !t.one(&ad, `SELECT data FROM mmoauth_codes WHERE code_hash = ?`+t.forUpdate, hashOf(code)) || !secretEqual(ad.Code, code) {
		return authData{}, false
	}
	return ad, true
}

func (t *sqlTx) takeCode(code string) bool {
	return t.exec(`DELETE FROM mmoauth_codes WHERE code_hash = ?`, hashOf(code)) == 1
}

func (t *sqlTx) removeCode(code string) {
	t.exec(`DELETE FROM mmoauth_codes WHERE code_hash = ?`, hashOf(code))
}

// --- access data and sessions ---

func (t *sqlTx) saveAccess(ad accessData) {
	var refresh any // NULL without a refresh token
	if ad.RefreshToken != "" {
		refresh = hashOf(ad.RefreshToken)
	}
	data := t.encode(ad)
	t.exec(`INSERT INTO mmoauth_access (token_hash, refresh_hash, client_id, user_id, expires_at, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET refresh_hash = excluded.refresh_hash, client_id = excluded.client_id,
		user_id = excluded.user_id, expires_at = excluded.expires_at, data = excluded.data`,
		hashOf(ad.Token), refresh, ad.ClientID, ad.UserID, unixNanos(ad.ExpiresAt), data)
	t.addSession(session{Token: ad.Token, UserID: ad.UserID, IsOAuth: true, AppID: ad.ClientID, ExpiresAt: ad.ExpiresAt})
}

func (t *sqlTx) previousAccess(userID, clientID string) (accessData, bool) {
	var ad accessData
	if !t.one(&ad, `SELECT data FROM mmoauth_access WHERE user_id = ? AND client_id = ? ORDER BY expires_at DESC LIMIT 1`, userID, clientID) {
		return accessData{}, false
	}
	return ad, true
}

func (t *sqlTx) accessByRefresh(refresh string) (accessData, bool) {
	var ad accessData
	if !t.one(&ad, `SELECT data FROM mmoauth_access WHERE refresh_hash = ? LIMIT 1`, hashOf(refresh)) || !secretEqual(ad.RefreshToken, refresh) {
		return accessData{}, false
	}
	return ad, true
}

// rotateAccess replaces old with updated unless a concurrent refresh (in
// any process: the row is locked) rotated or revoked it first.
func (t *sqlTx) rotateAccess(old, updated accessData) bool {
	var cur accessData
	if !t.one(&cur, `SELECT data FROM mmoauth_access WHERE token_hash = ?`+t.forUpdate, hashOf(old.Token)) || cur.RefreshToken != old.RefreshToken {
		return false
	}
	t.exec(`DELETE FROM mmoauth_sessions WHERE token_hash = ?`, hashOf(cur.Token))
	t.exec(`DELETE FROM mmoauth_access WHERE token_hash = ?`, hashOf(cur.Token))
	t.saveAccess(updated)
	return t.err == nil
}

func (t *sqlTx) addSession(sess session) {
	data := t.encode(sess)
	t.exec(`INSERT INTO mmoauth_sessions (token_hash, data) VALUES (?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data`, hashOf(sess.Token), data)
}

func (t *sqlTx) sessionFor(token string) (session, bool) {
	var sess session
	if !t.one(&sess, `SELECT data FROM mmoauth_sessions WHERE token_hash = ?`, hashOf(token)) || !secretEqual(sess.Token, token) {
		return session{}, false
	}
	return sess, true
}

func (t *sqlTx) appSessions(appID string) []session {
	var out []session
	t.each(func(data []byte) error {
		var sess session
		if err := json.Unmarshal(data, &sess); err != nil {
			return err
		}
		out = append(out, sess)
		return nil
	}, `SELECT s.data FROM mmoauth_sessions s JOIN mmoauth_access a ON a.token_hash = s.token_hash WHERE a.client_id = ?`, appID)
	return out
}

// importSnapshot writes a JSON state file's content into an empty
// database, keeping the list positions it had.
func (t *sqlTx) importSnapshot(snap *stateSnapshot) {
	for _, sa := range snap.Apps {
		t.insertAppAt(int64(sa.Seq), sa.App) //nolint:gosec // G115: positions are small counters
	}
	for _, au := range snap.Authorizations {
		t.exec(`INSERT INTO mmoauth_authorizations (user_id, app_id, seq) VALUES (?, ?, ?)`, au.UserID, au.AppID, int64(au.Seq)) //nolint:gosec // G115: as above
	}
	for _, c := range snap.Codes {
		t.saveCode(c)
	}
	for _, ad := range snap.Access {
		t.saveAccess(ad)
	}
}

// groupCommit makes the writing requests of a SQLite store share commits.
// A commit costs an fsync of the log, which is most of a small write's
// time; one commit for every request that finished its work while the
// previous commit was syncing keeps "acknowledged means synced to disk"
// at a fraction of the cost. Each request runs, one at a time (the turn), in a
// savepoint of the open transaction: a request whose operation failed
// rolls back its own savepoint only. A request that released its
// savepoint waits for the commit of its batch; the first of a batch to
// finish becomes its leader and queues for the writer's turn again: the
// turn is a channel, whose waiters are served in order, so every request
// already waiting joins the batch before the leader commits it. If the commit fails,
// every request of the batch gets the error: none was acknowledged.
type groupCommit struct {
	conn  *sql.Conn            // the only connection that writes
	turn  chan struct{}        // holding the writer's turn: a send in, a receive out
	open  *batch               // the transaction requests join; nil: none open (turn holder only)
	stmts map[string]*sql.Stmt // statements prepared on conn (turn holder only)
}

// prepared returns query prepared on the writer's connection, once: the
// writer is the one bottleneck, and parsing a statement costs about as
// much as running it.
func (g *groupCommit) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := g.stmts[query]; ok {
		return st, nil
	}
	st, err := g.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	g.stmts[query] = st
	return st, nil
}

// writerConn is the queryer of a writing request on SQLite: the writer's
// connection, through its prepared statements.
type writerConn struct{ g *groupCommit }

func (w writerConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.g.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (w writerConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := w.g.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (w writerConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := w.g.prepared(ctx, query)
	if err != nil {
		return w.g.conn.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return st.QueryRowContext(ctx, args...)
}

func (g *groupCommit) lock()   { g.turn <- struct{}{} }
func (g *groupCommit) unlock() { <-g.turn }

// batch is one shared transaction.
type batch struct {
	done   chan struct{} // closed once committed or failed
	err    error         // set before done is closed
	leader bool          // a request has taken the commit (turn holder only)
}

func newGroupCommit(ctx context.Context, db *sql.DB) (*groupCommit, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &groupCommit{conn: conn, turn: make(chan struct{}, 1), stmts: map[string]*sql.Stmt{}}, nil
}

// begin takes the writer's turn for t and opens its savepoint (and the
// batch's transaction, for the first request of a batch).
func (g *groupCommit) begin(t *sqlTx) {
	g.lock()
	w := writerConn{g}
	t.q = w
	if g.open == nil {
		if _, err := w.ExecContext(t.ctx, "BEGIN IMMEDIATE"); err != nil {
			t.fail(err)
			t.batch = &batch{} // done gives the turn back
			return
		}
		g.open = &batch{done: make(chan struct{})}
	}
	t.batch = g.open
	if _, err := w.ExecContext(t.ctx, "SAVEPOINT request"); err != nil {
		t.fail(err)
	}
}

// done ends t's savepoint and gives the turn back; unless t failed, it
// returns once t's batch is committed, with the commit's error.
func (g *groupCommit) done(t *sqlTx) error {
	b := t.batch
	if b.done == nil { // the transaction never began
		g.unlock()
		return t.err
	}
	if t.err == nil {
		if _, err := t.q.ExecContext(t.ctx, "RELEASE request"); err != nil {
			t.fail(err)
		}
	}
	if t.err != nil {
		// Undo this request only; the batch goes on without it.
		_, _ = t.q.ExecContext(t.ctx, "ROLLBACK TO request")
		_, _ = t.q.ExecContext(t.ctx, "RELEASE request")
	}
	// Whoever finishes first leads, a failed request too: the others'
	// work in the batch must be committed all the same.
	lead := !b.leader
	b.leader = true
	g.unlock()
	if lead {
		g.lock()
		g.commit(t.ctx, b)
		g.unlock()
	}
	if t.err != nil {
		return t.err
	}
	<-b.done
	if b.err != nil {
		return fmt.Errorf("%s: %w", t.s.where, b.err)
	}
	return nil
}

// commit ends batch b (the caller holds the turn); the next request opens a new one.
func (g *groupCommit) commit(ctx context.Context, b *batch) {
	w := writerConn{g}
	if _, err := w.ExecContext(ctx, "COMMIT"); err != nil {
		b.err = err
		_, _ = w.ExecContext(ctx, "ROLLBACK")
	}
	g.open = nil
	close(b.done)
}
