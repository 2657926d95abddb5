package mockserver

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"

	"github.com/mmoauth/mmoauth/models"
)

// This file reads the JSON state files of earlier versions, which held
// the whole state in one document; WithStateFile converts them to the
// embedded database on first start (sqlite.go migrateJSONState).

// stateVersion is the format of the JSON state file; a file with another
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
