package mockserver

// Store operations that only deviations use: each leaves behind a piece of
// state the faithful operation removes, so the suite can prove that its
// checks look at what a write left behind, not only at the answer.

// appSessions copies the sessions of the access tokens issued to appID (the
// delete-keeps-sessions deviation puts them back after the delete).
func (s *store) appSessions(appID string) []session {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []session
	for _, ad := range s.access {
		if ad.ClientID != appID {
			continue
		}
		if sess, ok := s.sessions[keyOf(ad.Token)]; ok {
			out = append(out, *sess)
		}
	}
	return out
}

// deauthorizeKeepingGrants is deauthorize as the
// deauthorize-keeps-refresh-token deviation does it: the user's sessions for
// the app end and the approval is forgotten, but the access data (and so the
// refresh tokens) stay.
func (s *store) deauthorizeKeepingGrants(userID, appID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ad := range s.accessFor(func(ad *accessData) bool { return ad.UserID == userID && ad.ClientID == appID }) {
		delete(s.sessions, keyOf(ad.Token))
	}
	key := [2]string{userID, appID}
	if seq, ok := s.authSeq[key]; ok {
		s.dropAuthorization(key, seq)
	}
}
