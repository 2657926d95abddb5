package mockserver

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/mmoauth/mmoauth/models"
)

// This file keeps the store in a state file (WithStateFile, mmoauth mock
// --state), so that a mock left running for days survives a restart and a
// crash. The rule is the one of a database's commit: an answer that
// acknowledges a change is sent only after the change is on disk. A process
// killed at any moment (kill -9) therefore loses no acknowledged change; a
// change whose answer was never sent may or may not survive.

// WithStateFile keeps the server's state (apps, approvals, pending codes,
// access and refresh tokens) in path. An existing file is loaded by New; a
// missing one is created. After every request that may change the state, the
// whole state is written to a temporary file in the same directory, synced,
// and renamed over path (then the directory is synced), before the answer is
// sent; concurrent requests share one write (group commit). A write that
// fails turns the answer into a 500, since the change is not saved.
//
// Settings, users, faults and the registration rate limiter are not part of
// the state: they come from the options each time. The file holds the
// mock's secrets in clear and is created with mode 0600.
func WithStateFile(path string) Option {
	return func(o *options) { o.statePath = path }
}

// ErrStateFile is matched (errors.Is) by New's error when the state file
// cannot be read, parsed or written.
var ErrStateFile = errors.New("state file")

// stateVersion is the format of the state file; a file with another
// version is refused rather than misread.
const stateVersion = 1

// stateSnapshot is the state file's content.
type stateSnapshot struct {
	Version        int          `json:"version"`
	Seq            uint64       `json:"seq"`
	Apps           []stateApp   `json:"apps"`
	Authorizations []stateAuth  `json:"authorizations"`
	Codes          []authData   `json:"codes"`
	Access         []accessData `json:"access"`
}

// stateApp is an app and its position in the list order.
type stateApp struct {
	Seq uint64          `json:"seq"`
	App models.OAuthApp `json:"app"`
}

// stateAuth is a user's approval of an app and its position.
type stateAuth struct {
	UserID string `json:"user_id"`
	AppID  string `json:"app_id"`
	Seq    uint64 `json:"seq"`
}

// readOnlyOps are the operations that never change the state, so their
// requests need no commit. Every other operation commits, even when it
// failed: finding out whether it changed anything would cost as much.
var readOnlyOps = map[string]bool{
	"GetOAuthApps": true, "GetOAuthApp": true, "GetOAuthAppInfo": true,
	"GetAuthorizedOAuthAppsForUser": true, "GetAuthorizationServerMetadata": true, "GetMe": true,
}

// persister writes the state file. Requests that changed the state call
// commit once their change is made; one write covers every change made
// before it started (group commit).
type persister struct {
	path string
	// finished counts the requests whose changes are complete; a request's
	// ticket is the count right after its own.
	finished atomic.Uint64

	mu      sync.Mutex
	covered uint64 // every ticket up to this one is on disk
	last    []byte // the content on disk, to skip writes that change nothing
}

// commit returns once the changes of the calling request are on disk.
func (p *persister) commit(st *store) error {
	ticket := p.finished.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.covered >= ticket {
		return nil // a write that started after our change already saved it
	}
	// Every request with a ticket up to mark has finished its change, so
	// the snapshot taken next contains all of them.
	mark := p.finished.Load()
	data, err := st.snapshotJSON()
	if err != nil {
		return err
	}
	if !bytes.Equal(data, p.last) {
		if err := writeFileAtomic(p.path, data); err != nil {
			return err
		}
		p.last = data
	}
	p.covered = mark
	return nil
}

// openState loads path into st (when it exists) and writes it back, so
// that a bad path or a read-only directory is reported at start rather than
// on the first change.
func openState(path string, st *store) (*persister, error) {
	removeStaleTemps(path)
	data, err := os.ReadFile(path) //nolint:gosec // G304: the user names the state file
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrStateFile, err)
	default:
		var snap stateSnapshot
		if err := json.Unmarshal(data, &snap); err != nil {
			return nil, fmt.Errorf("%w %s: %w", ErrStateFile, path, err)
		}
		if err := st.restore(&snap); err != nil {
			return nil, fmt.Errorf("%w %s: %w", ErrStateFile, path, err)
		}
	}
	p := &persister{path: path}
	if err := p.commit(st); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStateFile, err)
	}
	return p, nil
}

// snapshotJSON encodes the whole state, in a stable order, under the read lock.
func (s *store) snapshotJSON() ([]byte, error) {
	s.mu.RLock()
	snap := stateSnapshot{Version: stateVersion, Seq: s.seq}
	for _, rec := range s.apps {
		snap.Apps = append(snap.Apps, stateApp{Seq: rec.seq, App: cloneApp(rec.app)})
	}
	for key, seq := range s.authSeq {
		snap.Authorizations = append(snap.Authorizations, stateAuth{UserID: key[0], AppID: key[1], Seq: seq})
	}
	for _, c := range s.codes {
		snap.Codes = append(snap.Codes, *c)
	}
	for _, ad := range s.access {
		snap.Access = append(snap.Access, *ad)
	}
	s.mu.RUnlock()
	slices.SortFunc(snap.Apps, func(a, b stateApp) int { return cmp.Compare(a.Seq, b.Seq) })
	slices.SortFunc(snap.Authorizations, func(a, b stateAuth) int { return cmp.Compare(a.Seq, b.Seq) })
	slices.SortFunc(snap.Codes, func(a, b authData) int { return cmp.Compare(a.Code, b.Code) })
	slices.SortFunc(snap.Access, func(a, b accessData) int { return cmp.Compare(a.Token, b.Token) })
	return json.Marshal(snap) //nolint:gosec // G117: the state file must hold the secrets; it is mode 0600
}

// restore fills an empty store from a snapshot, rebuilding the indexes in
// the saved order.
func (s *store) restore(snap *stateSnapshot) error {
	if snap.Version != stateVersion {
		return fmt.Errorf("version %d, want %d", snap.Version, stateVersion)
	}
	slices.SortFunc(snap.Apps, func(a, b stateApp) int { return cmp.Compare(a.Seq, b.Seq) })
	slices.SortFunc(snap.Authorizations, func(a, b stateAuth) int { return cmp.Compare(a.Seq, b.Seq) })
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq = snap.Seq
	for _, sa := range snap.Apps {
		a := sa.App
		if _, dup := s.apps[a.ID]; dup || !models.IsValidID(a.ID) {
			return fmt.Errorf("app %q is malformed or listed twice", a.ID)
		}
		rec := &appRecord{seq: sa.Seq, app: cloneApp(a)}
		s.apps[a.ID] = rec
		s.all.add(rec.seq, a.ID)
		idx := s.byCreator[a.CreatorID]
		if idx == nil {
			idx = &orderedIndex{}
			s.byCreator[a.CreatorID] = idx
		}
		idx.add(rec.seq, a.ID)
		s.seq = max(s.seq, sa.Seq)
	}
	for _, au := range snap.Authorizations {
		key := [2]string{au.UserID, au.AppID}
		s.authSeq[key] = au.Seq
		idx := s.authorized[au.UserID]
		if idx == nil {
			idx = &orderedIndex{}
			s.authorized[au.UserID] = idx
		}
		idx.add(au.Seq, au.AppID)
		s.seq = max(s.seq, au.Seq)
	}
	for _, c := range snap.Codes {
		s.codes[keyOf(c.Code)] = &c
	}
	for _, ad := range snap.Access {
		s.putAccess(&ad)
	}
	return nil
}

// writeFileAtomic replaces path with data so that a crash at any moment
// leaves either the old or the new content: write a temporary file in the
// same directory, sync it, rename it over path, sync the directory (the
// rename itself must reach the disk).
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, tempPrefix(base)+"*") // mode 0600
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

// tempPrefix names the temporary files of path's writes, so that those a
// crash left behind can be found and removed.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// removeStaleTemps deletes temporary files a killed process left behind;
// they never hold a state that was acknowledged but not renamed into place.
func removeStaleTemps(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	matches, _ := filepath.Glob(filepath.Join(dir, tempPrefix(base)+"*"))
	for _, m := range matches {
		_ = os.Remove(m)
	}
}

// failCommit answers a request whose change could not be saved: 500, with
// the body this operation uses for errors.
func (c *call) failCommit(err error) {
	e := newError(http.StatusInternalServerError, "app.mock.save_state.app_error", err.Error())
	switch c.op {
	case "RegisterOAuthClient":
		c.writeDCRError(e.Status, models.DCRErrorInvalidClientMetadata, e.message())
	case "AuthorizeOAuthAppPage":
		c.renderWebError(e)
	default:
		c.writeError(e)
	}
}
