// Package models holds the wire types of Mattermost's OAuth 2.0
// service-provider API and the validation rules the server applies to them.
//
// JSON field names, and which fields are omitted when empty, are exactly
// those of the real server (server/public/model/oauth.go, oauth_dcr.go,
// oauth_metadata.go, authorize.go, access.go and utils.go in
// mattermost/mattermost), so a value decoded from a server and encoded again
// is byte-for-byte what the server would send.
//
// Validate methods on request types mirror the server's own IsValid checks,
// so a client can refuse bad input before it reaches the network. Types that
// hold secrets (client secrets, tokens, authorization codes, PKCE verifiers)
// redact them in fmt and log/slog output; the JSON encoding is untouched.
//
// The package depends on the standard library only.
package models
