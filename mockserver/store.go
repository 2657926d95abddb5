package mockserver

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/mmoauth/mmoauth/models"
)

// store is the mock's state: apps, authorizations, codes, access data and
// sessions. One RWMutex guards all of it, so multi-step operations (delete an
// app and everything issued for it) are atomic. Values go in and out by copy:
// no caller ever holds a pointer into the store.
type store struct {
	mu  sync.RWMutex
	seq uint64

	apps      map[string]*appRecord
	all       orderedIndex
	byCreator map[string]*orderedIndex

	// authorized is the Preferences table's authorized_oauth_app category:
	// user id → the apps they approved, in approval order.
	authorized map[string]*orderedIndex
	// authSeq finds a user's authorization of an app: user id + app id → seq.
	authSeq map[[2]string]uint64

	codes    map[secretKey]*authData
	access   map[secretKey]*accessData // by access token
	refresh  map[secretKey]*accessData // by refresh token
	sessions map[secretKey]*session
}

type appRecord struct {
	seq uint64
	app models.OAuthApp
}

// authData is a pending authorization code (model.AuthData).
type authData struct {
	Code                string
	ClientID            string
	UserID              string
	RedirectURI         string
	State               string
	Scope               string
	CodeChallenge       string
	CodeChallengeMethod string
	Resource            string
	CreateAt            time.Time
}

// expired is model.AuthData.IsExpired: strictly later than CreateAt + 600 s.
func (a *authData) expired(now time.Time) bool {
	return now.After(a.CreateAt.Add(authCodeLifetime))
}

// accessData is an issued access token and its refresh token (model.AccessData).
type accessData struct {
	ClientID     string
	UserID       string
	Token        string
	RefreshToken string
	RedirectURI  string
	ExpiresAt    time.Time
	Scope        string
	Audience     string
}

// session is what a bearer token authenticates as. Seeded personal tokens
// never expire; tokens from the OAuth flow are OAuth sessions that expire
// with their access data.
type session struct {
	Token     string
	UserID    string
	IsOAuth   bool
	AppID     string
	ExpiresAt time.Time // zero: never
}

func newStore() *store {
	return &store{
		apps:       map[string]*appRecord{},
		byCreator:  map[string]*orderedIndex{},
		authorized: map[string]*orderedIndex{},
		authSeq:    map[[2]string]uint64{},
		codes:      map[secretKey]*authData{},
		access:     map[secretKey]*accessData{},
		refresh:    map[secretKey]*accessData{},
		sessions:   map[secretKey]*session{},
	}
}

// begin returns the store itself: each operation takes the lock on its own,
// and there is nothing to commit.
func (s *store) begin(context.Context, bool) stateTx { return memTx{s} }

func (s *store) durable() bool { return false }

func (s *store) close() error { return nil }

// memTx is a request's view of the memory store.
type memTx struct{ *store }

func (memTx) done() error { return nil }

func cloneApp(a models.OAuthApp) models.OAuthApp {
	a.CallbackURLs = slices.Clone(a.CallbackURLs)
	return a
}

func (s *store) nextSeq() uint64 {
	s.seq++
	return s.seq
}

// --- apps ---

// insertApp saves a new app; the caller has set its id and validated it.
func (s *store) insertApp(a models.OAuthApp) {
	rec := &appRecord{app: cloneApp(a)} // allocated before taking the lock every request waits for
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.seq = s.nextSeq()
	s.apps[a.ID] = rec
	s.all.add(rec.seq, a.ID)
	idx := s.byCreator[a.CreatorID]
	if idx == nil {
		idx = &orderedIndex{}
		s.byCreator[a.CreatorID] = idx
	}
	idx.add(rec.seq, a.ID)
}

func (s *store) getApp(id string) (models.OAuthApp, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec, ok := s.apps[id]
	if !ok {
		return models.OAuthApp{}, false
	}
	return cloneApp(rec.app), true
}

// replaceApp overwrites an existing app; false when it is gone.
func (s *store) replaceApp(a models.OAuthApp) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.apps[a.ID]
	if !ok {
		return false
	}
	rec.app = cloneApp(a)
	return true
}

// deleteApp removes an app and, as the SQL store does, everything issued for
// it: its codes, its access data and their sessions, and the users'
// authorizations (oauth_store.go deleteApp / deleteOAuthAppSessions).
func (s *store) deleteApp(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.apps[id]
	if !ok {
		return false
	}
	delete(s.apps, id)
	s.all.remove(rec.seq)
	if idx := s.byCreator[rec.app.CreatorID]; idx != nil {
		idx.remove(rec.seq)
		if idx.len() == 0 {
			delete(s.byCreator, rec.app.CreatorID)
		}
	}
	for k, c := range s.codes {
		if c.ClientID == id {
			delete(s.codes, k)
		}
	}
	for _, ad := range s.accessFor(func(ad *accessData) bool { return ad.ClientID == id }) {
		s.dropAccess(ad)
	}
	for key, seq := range s.authSeq {
		if key[1] == id {
			s.dropAuthorization(key, seq)
		}
	}
	return true
}

// pageApps returns a page of all apps (system-wide list) or of one creator's.
func (s *store) pageApps(creator *string, page, perPage int) []models.OAuthApp {
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx := &s.all
	if creator != nil {
		idx = s.byCreator[*creator]
	}
	return s.appsOf(idx.page(page, perPage))
}

// appsOf copies out the apps of entries (the caller holds the lock). The
// callback URL lists are copied into a shared backing array (sized for one
// URL per app; a reallocation leaves earlier copies where they are), each
// copy capped at its own length so that an append cannot reach its
// neighbour: about one allocation per page instead of one per app
// (docs/BENCHMARKS.md).
func (s *store) appsOf(entries []entry) []models.OAuthApp {
	out := make([]models.OAuthApp, 0, len(entries))
	urls := make([]string, 0, len(entries))
	for _, e := range entries {
		rec, ok := s.apps[e.id]
		if !ok {
			continue
		}
		a := rec.app
		if a.CallbackURLs != nil { // nil stays nil (null on the wire), empty stays empty
			start := len(urls)
			urls = append(urls, a.CallbackURLs...)
			a.CallbackURLs = urls[start:len(urls):len(urls)]
		}
		out = append(out, a)
	}
	return out
}

// appCount is the number of apps, for tests and benchmarks.
func (s *store) appCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.apps)
}

// --- authorizations (Preferences, category authorized_oauth_app) ---

// authorize records that user approved app; approving again keeps the
// original position, as a preference upsert does.
func (s *store) authorize(userID, appID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := [2]string{userID, appID}
	if _, ok := s.authSeq[key]; ok {
		return
	}
	seq := s.nextSeq()
	s.authSeq[key] = seq
	idx := s.authorized[userID]
	if idx == nil {
		idx = &orderedIndex{}
		s.authorized[userID] = idx
	}
	idx.add(seq, appID)
}

func (s *store) isAuthorized(userID, appID string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.authSeq[[2]string{userID, appID}]
	return ok
}

// pageAuthorized is the join of the user's authorizations with the apps
// (oauth_store.go GetAuthorizedApps).
func (s *store) pageAuthorized(userID string, page, perPage int) []models.OAuthApp {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.appsOf(s.authorized[userID].page(page, perPage))
}

func (s *store) dropAuthorization(key [2]string, seq uint64) {
	delete(s.authSeq, key)
	if idx := s.authorized[key[0]]; idx != nil {
		idx.remove(seq)
		if idx.len() == 0 {
			delete(s.authorized, key[0])
		}
	}
}

// deauthorize is app.DeauthorizeOAuthAppForUser: revoke the user's tokens for
// the app, drop its pending codes and forget the approval.
func (s *store) deauthorize(userID, appID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ad := range s.accessFor(func(ad *accessData) bool { return ad.UserID == userID && ad.ClientID == appID }) {
		s.dropAccess(ad)
	}
	for k, c := range s.codes {
		if c.UserID == userID && c.ClientID == appID {
			delete(s.codes, k)
		}
	}
	key := [2]string{userID, appID}
	if seq, ok := s.authSeq[key]; ok {
		s.dropAuthorization(key, seq)
	}
}

// --- authorization codes ---

func (s *store) saveCode(ad authData) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[keyOf(ad.Code)] = &ad
}

// getCode finds a code; the stored value is compared in constant time after
// the hashed lookup.
func (s *store) getCode(code string) (authData, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ad, ok := s.codes[keyOf(code)]
	if !ok || !secretEqual(ad.Code, code) {
		return authData{}, false
	}
	return *ad, true
}

// takeCode removes a code and reports whether it was still there, so that
// of two concurrent exchanges of one code only one wins.
func (s *store) takeCode(code string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := keyOf(code)
	if _, ok := s.codes[k]; !ok {
		return false
	}
	delete(s.codes, k)
	return true
}

func (s *store) removeCode(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.codes, keyOf(code))
}

// --- access data and sessions ---

// accessFor lists access data matching keep; the caller holds the lock.
func (s *store) accessFor(keep func(*accessData) bool) []*accessData {
	var out []*accessData
	for _, ad := range s.access {
		if keep(ad) {
			out = append(out, ad)
		}
	}
	return out
}

// dropAccess removes access data and the session of its token; the caller
// holds the lock.
func (s *store) dropAccess(ad *accessData) {
	delete(s.access, keyOf(ad.Token))
	if ad.RefreshToken != "" {
		delete(s.refresh, keyOf(ad.RefreshToken))
	}
	delete(s.sessions, keyOf(ad.Token))
}

// saveAccess stores new access data and the OAuth session its token opens.
func (s *store) saveAccess(ad accessData) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putAccess(&ad)
}

func (s *store) putAccess(ad *accessData) {
	s.access[keyOf(ad.Token)] = ad
	if ad.RefreshToken != "" {
		s.refresh[keyOf(ad.RefreshToken)] = ad
	}
	s.sessions[keyOf(ad.Token)] = &session{
		Token: ad.Token, UserID: ad.UserID, IsOAuth: true, AppID: ad.ClientID, ExpiresAt: ad.ExpiresAt,
	}
}

// previousAccess is GetPreviousAccessData: the user's latest access data for
// the client, if any.
func (s *store) previousAccess(userID, clientID string) (accessData, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var best *accessData
	for _, ad := range s.access {
		if ad.UserID == userID && ad.ClientID == clientID && (best == nil || ad.ExpiresAt.After(best.ExpiresAt)) {
			best = ad
		}
	}
	if best == nil {
		return accessData{}, false
	}
	return *best, true
}

// accessByRefresh is GetAccessDataByRefreshToken.
func (s *store) accessByRefresh(refresh string) (accessData, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ad, ok := s.refresh[keyOf(refresh)]
	if !ok || !secretEqual(ad.RefreshToken, refresh) {
		return accessData{}, false
	}
	return *ad, true
}

// rotateAccess is newSessionUpdateToken: the old token's session is removed
// and the access data gets the new token and refresh token. false when the
// old access data is gone (revoked meanwhile).
func (s *store) rotateAccess(old accessData, updated accessData) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.access[keyOf(old.Token)]
	if !ok || cur.RefreshToken != old.RefreshToken {
		return false
	}
	s.dropAccess(cur)
	s.putAccess(&updated)
	return true
}

func (s *store) addSession(sess session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[keyOf(sess.Token)] = &sess
}

// sessionFor finds the session of a bearer token (constant-time confirm).
func (s *store) sessionFor(token string) (session, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sess, ok := s.sessions[keyOf(token)]
	if !ok || !secretEqual(sess.Token, token) {
		return session{}, false
	}
	return *sess, true
}
