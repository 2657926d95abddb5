package mockserver

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the Postgres store's driver (database/sql "pgx")
)

// postgresDialect: $n placeholders, a sequence for list positions, and row
// locks (SELECT … FOR UPDATE) on what a writing request reads, since
// several processes write at once: a request that changes an app holds the
// app's row until it commits, so a concurrent change waits and then reads
// the committed result instead of overwriting it.
var postgresDialect = sqlDialect{
	dollar:     true,
	forUpdate:  " FOR UPDATE",
	seqSetup:   []string{`CREATE SEQUENCE IF NOT EXISTS mmoauth_seq`},
	nextSeq:    `SELECT nextval('mmoauth_seq')`,
	schemaLock: `SELECT pg_advisory_xact_lock(7245019130)`, // any constant all mmoauth processes share
}

// pgConnectTimeout bounds the first connection, so that a database that
// is down stops the mock at start with a reason.
const pgConnectTimeout = 15 * time.Second

func openPostgresStore(ctx context.Context, dsn string) (stateStore, error) {
	where := redactDSN(dsn)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrStore, where, err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, pgConnectTimeout)
	defer cancel()
	s := &sqlStore{db: db, d: postgresDialect, where: where}
	if err := db.PingContext(pctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("%w %s: %w", ErrStore, where, err)
	}
	if err := s.setUp(pctx, ErrStore); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// redactDSN names the database in messages without its password.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "postgres"
	}
	return u.Redacted()
}
