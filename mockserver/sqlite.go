package mockserver

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofrs/flock"
	_ "modernc.org/sqlite" // the embedded store's driver: pure Go, so no cgo and go install works everywhere
)

// The embedded store is one SQLite file (modernc.org/sqlite, a translation
// of SQLite to Go). Its journal is a write-ahead log synced at every commit
// (journal_mode=WAL, synchronous=FULL): a commit costs one fsync of the
// log, not a rewrite of the state, concurrent writing requests share
// commits (groupCommit), and a process killed at any moment loses no
// committed transaction.

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// sqliteDialect: ? placeholders, one writer at a time (so no row locks), and
// list positions drawn from a one-row counter table.
var sqliteDialect = sqlDialect{
	seqSetup: []string{
		`CREATE TABLE IF NOT EXISTS mmoauth_counter (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL)`,
		`INSERT INTO mmoauth_counter (id, seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
	},
	nextSeq: `UPDATE mmoauth_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq`,
}

// lockSuffix names the file the OS lock is taken on, beside the database
// (as SQLite's own -wal and -shm files are). The lock is flock(2) on unix
// (LockFileEx on Windows): the kernel releases it when the process ends,
// however it ends, so a file left behind by a crash locks nothing. It is
// not taken on the database itself because on some systems (the BSDs,
// macOS) flock and SQLite's own fcntl locks on one file interfere.
const lockSuffix = "-lock"

// v1Suffix names the copy of a JSON state file kept when it is converted.
const v1Suffix = ".v1.json"

func openSQLiteStore(ctx context.Context, path string) (st stateStore, err error) {
	fail := func(err error) error { return fmt.Errorf("%w %s: %w", ErrStateFile, path, err) }
	if strings.ContainsRune(path, '?') {
		return nil, fail(errors.New("the name must not contain '?'"))
	}
	lock := flock.New(path+lockSuffix, flock.SetPermissions(0o600))
	locked, err := lock.TryLock()
	if err != nil {
		return nil, fail(err)
	}
	if !locked {
		return nil, fmt.Errorf("%w %s: %w (one process per state file; mock processes that share state use --store postgres://…)", ErrStateFile, path, ErrStateInUse)
	}
	defer func() {
		if err != nil {
			_ = lock.Close()
		}
	}()
	kind, err := sniffStateFile(path)
	if err != nil {
		return nil, fail(err)
	}
	if kind == stateJSON {
		if err := migrateJSONState(ctx, path); err != nil {
			return nil, fail(err)
		}
	}
	s, err := openSQLite(ctx, path)
	if err != nil {
		return nil, err
	}
	s.release = lock.Close
	return s, nil
}

// openSQLite opens (or creates) the database at path and sets up its tables.
func openSQLite(ctx context.Context, path string) (*sqlStore, error) {
	// The file is created here, before SQLite does, so that it gets mode
	// 0600: it holds secrets. SQLite gives its -wal and -shm files the
	// database's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) //nolint:gosec // G304: the user names the state file
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrStateFile, path, err)
	}
	_ = f.Close()
	dsn := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrStateFile, path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	s := &sqlStore{db: db, d: sqliteDialect, where: path}
	if err := s.setUp(ctx, ErrStateFile); err != nil {
		_ = db.Close()
		return nil, sqliteErr(err)
	}
	if s.group, err = newGroupCommit(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("%w %s: %w", ErrStateFile, path, err)
	}
	return s, nil
}

// sqliteErr keeps SQLite's message and drops the driver's error code in
// parentheses, which tells a user nothing more.
func sqliteErr(err error) error {
	msg := err.Error()
	if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") {
		return fmt.Errorf("%w", wrapMessage{err, msg[:i]})
	}
	return err
}

// wrapMessage is err with another message, still matching what err matches.
type wrapMessage struct {
	err error
	msg string
}

func (w wrapMessage) Error() string { return w.msg }
func (w wrapMessage) Unwrap() error { return w.err }

type stateKind int

const (
	stateNew    stateKind = iota // missing or empty: a new database
	stateSQLite                  // a SQLite database
	stateJSON                    // a JSON state file of mmoauth 1
)

// sniffStateFile tells what path holds from its first bytes.
func sniffStateFile(path string) (stateKind, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the user names the state file
	if errors.Is(err, fs.ErrNotExist) {
		return stateNew, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, err
	}
	head = head[:n]
	switch trimmed := bytes.TrimLeft(head, " \t\r\n"); {
	case n == 0:
		return stateNew, nil
	case bytes.HasPrefix(head, []byte(sqliteHeader)):
		return stateSQLite, nil
	case len(trimmed) > 0 && trimmed[0] == '{':
		return stateJSON, nil
	}
	return 0, errors.New("neither a state database nor a JSON state file")
}

// migrateJSONState converts a JSON state file in place: the database is
// built beside it, the JSON is kept as path+".v1.json", and the database is
// renamed over path. A crash at any step leaves path as it was (JSON, run
// again) or converted; a JSON file that cannot be read changes nothing.
func migrateJSONState(ctx context.Context, path string) error {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the user names the state file
	if err != nil {
		return err
	}
	var snap stateSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("JSON state file: %w", err)
	}
	if err := newStore().restore(&snap); err != nil { // the checks of a load into memory
		return fmt.Errorf("JSON state file: %w", err)
	}
	tmp := path + ".converting"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	s, err := openSQLite(ctx, tmp)
	if err != nil {
		return err
	}
	tx := s.begin(ctx, true).(*sqlTx)
	tx.importSnapshot(&snap)
	var top int64
	for _, sa := range snap.Apps {
		top = max(top, int64(sa.Seq)) //nolint:gosec // G115: positions are small counters
	}
	for _, au := range snap.Authorizations {
		top = max(top, int64(au.Seq)) //nolint:gosec // G115: as above
	}
	tx.exec(`UPDATE mmoauth_counter SET seq = ? WHERE id = 1`, max(top, int64(snap.Seq))) //nolint:gosec // G115: as above
	err = tx.done()
	if cerr := s.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("converting the JSON state file: %w", err)
	}
	// The converted database must be whole in its file: a log left beside
	// it would not follow it through the rename.
	if _, err := os.Stat(tmp + "-wal"); err == nil {
		return errors.New("converting the JSON state file: the new database did not close cleanly")
	}
	if err := writeFileAtomic(path+v1Suffix, data); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// writeFileAtomic replaces path with data so that a crash at any moment
// leaves either the old or the new content.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // G304: the state file's own directory
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
