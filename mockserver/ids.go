package mockserver

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
)

// idEncoding is Mattermost's base32 alphabet (model.NewId in
// server/public/model/utils.go): ids, secrets, codes and tokens are 26
// lowercase characters drawn from it.
var idEncoding = base32.NewEncoding("ybndrfg8ejkmcpqxot1uwisza345h769").WithPadding(base32.NoPadding)

// newID returns a fresh 26-character id from 16 bytes of crypto/rand, exactly
// the form model.NewId produces (128 bits, base32, no padding).
func newID() string {
	var b [16]byte
	// crypto/rand.Read never returns an error on supported platforms (Go 1.24+
	// panics instead), so there is nothing to handle.
	_, _ = rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// newCode returns an authorization code: two ids back to back, 52 characters
// (app.GetOAuthCodeRedirect: model.NewId() + model.NewId()).
func newCode() string { return newID() + newID() }

// secretKey is the map key under which a token, refresh token or code is
// stored: its SHA-256, so that a lookup's timing depends on the hash rather
// than on how many leading bytes of a guess are right.
type secretKey [sha256.Size]byte

func keyOf(s string) secretKey { return sha256.Sum256([]byte(s)) }

// secretEqual compares two secrets in constant time (subtle.ConstantTimeCompare),
// as app.GetOAuthAccessTokenForCodeFlow and OAuthApp.validateConfidentialClientGrant do.
func secretEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
