package mockserver

import (
	"context"
	"errors"

	"github.com/mmoauth/mmoauth/models"
)

// The mock keeps its state (apps, approvals, pending codes, access data and
// sessions) in one of three stores: in memory (the default), in an embedded
// SQLite file (WithStateFile) or in Postgres (WithStore). Handlers see only
// stateOps, through the view of their request (call.st), and never learn
// which store is behind it.

// stateOps are the operations handlers run on the state. None returns an
// error: a durable store records the first failure in the request's view and
// reports it when the view ends (stateTx.done), which turns the answer into
// a 500, so a failed write is never acknowledged.
type stateOps interface {
	insertApp(a models.OAuthApp)
	getApp(id string) (models.OAuthApp, bool)
	replaceApp(a models.OAuthApp) bool
	deleteApp(id string) bool
	pageApps(creator *string, page, perPage int) []models.OAuthApp
	appCount() int

	authorize(userID, appID string)
	isAuthorized(userID, appID string) bool
	pageAuthorized(userID string, page, perPage int) []models.OAuthApp
	deauthorize(userID, appID string)
	deauthorizeKeepingGrants(userID, appID string)

	saveCode(ad authData)
	getCode(code string) (authData, bool)
	takeCode(code string) bool
	removeCode(code string)

	saveAccess(ad accessData)
	previousAccess(userID, clientID string) (accessData, bool)
	accessByRefresh(refresh string) (accessData, bool)
	rotateAccess(old, updated accessData) bool

	addSession(sess session)
	sessionFor(token string) (session, bool)
	appSessions(appID string) []session
}

// stateTx is the view of the state one request works through. A durable
// store makes it a transaction when the request may write: its changes are
// visible to others, and durable, only once done has returned nil.
type stateTx interface {
	stateOps
	// done ends the view: it commits a writing transaction (or rolls it
	// back after a failed operation) and returns the first error of any
	// operation or of the commit.
	done() error
}

// stateStore is a place to keep the state.
type stateStore interface {
	// begin opens the view of one request; write says whether the request
	// may change the state. It never fails: a store that cannot start a
	// transaction returns a view whose done reports why.
	begin(ctx context.Context, write bool) stateTx
	// durable reports whether the state outlives the process, so that an
	// answer must wait for its change to be committed.
	durable() bool
	// close releases the store (connections, the file lock).
	close() error
}

// ErrStateFile is matched (errors.Is) by New's error when the state file
// cannot be locked, read, migrated or written, or holds a newer schema.
var ErrStateFile = errors.New("state file")

// ErrStore is matched (errors.Is) by New's error when the database named by
// WithStore cannot be reached, refuses the credentials or holds a newer
// schema.
var ErrStore = errors.New("state store")

// ErrStateInUse is matched (errors.Is) by New's error when another process
// holds the state file: one process per state file (share a Postgres store
// to run several).
var ErrStateInUse = errors.New("in use by another process")

// WithStateFile keeps the server's state (apps, approvals, pending codes,
// access and refresh tokens) in path, an embedded SQLite database. A missing
// file is created; a JSON state file of earlier versions is converted in
// place (the original is kept beside it as path+".v1.json"). Every request
// that may change the state runs in one transaction, committed (and synced
// to disk) before the answer is sent: a process killed at any moment loses
// no change a client was told about. The process holds an OS lock on the
// file for its whole life, so a second process on the same file refuses to
// start (ErrStateInUse); the lock ends with the process, however it ends.
//
// Settings, users, faults and the registration rate limiter are not part of
// the state: they come from the options each time. The file holds the
// mock's secrets in clear and is created with mode 0600.
func WithStateFile(path string) Option {
	return func(o *options) { o.statePath = path }
}

// WithStore keeps the server's state in the Postgres database named by url
// (postgres://user:password@host:port/db?sslmode=disable, or any form pgx
// accepts), so that several mock processes behind one load balancer share
// one state. The tables (prefixed mmoauth_) are created when missing. Each
// request that may change the state is one transaction; concurrent requests,
// in one process or several, never lose an update of an app: a request
// that changes an app locks it first, so two secret regenerations rotate
// the secret twice, one after the other.
func WithStore(url string) Option {
	return func(o *options) { o.storeURL = url }
}

// readOnlyOps are the operations that never change the state: their view
// is not a transaction, and they wait for no commit.
var readOnlyOps = map[string]bool{
	"GetOAuthApps": true, "GetOAuthApp": true, "GetOAuthAppInfo": true,
	"GetAuthorizedOAuthAppsForUser": true, "GetAuthorizationServerMetadata": true, "GetMe": true,
}

// openStore picks the store the options name.
func openStore(ctx context.Context, o *options) (stateStore, error) {
	switch {
	case o.statePath != "" && o.storeURL != "":
		return nil, errors.New("a state file and a store URL exclude each other")
	case o.statePath != "":
		return openSQLiteStore(ctx, o.statePath)
	case o.storeURL != "":
		return openPostgresStore(ctx, o.storeURL)
	}
	return newStore(), nil
}
