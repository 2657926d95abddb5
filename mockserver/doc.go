// Package mockserver is a spec-driven, stateful, offline emulation of
// Mattermost's OAuth 2.0 service provider: OAuth apps, dynamic client
// registration (RFC 7591), authorization server metadata (RFC 8414) and the
// authorize/token flow with PKCE (RFC 7636), with the real server's
// permission rules, order of checks, error ids and quirks
// (docs/RULES.md; mattermost/mattermost server/channels/api4/oauth.go,
// web/oauth.go, app/oauth.go, model/oauth*.go).
//
// # Using it
//
// In tests:
//
//	ts := mockserver.NewTestServer(t)            // 127.0.0.1, closed by t.Cleanup
//	c, _ := client.New(ts.URL, client.WithToken(ts.Identities.OAuthManager.Token))
//
// From the shell: mmoauth mock (see its --help). In Go, New returns an
// http.Handler to mount anywhere, and Listen serves one on a real port
// outside tests (with SiteURL = its URL), as mmoauth mock does.
//
// # Pipeline
//
// Every request goes through: a 1 MiB body limit (413; NewHTTPServer and
// NewTestServer add header, read and write limits, DefaultServerLimits) → routing by the
// project's OpenAPI document (package spec; 404 and 405 as AppErrors) →
// fault rules → "Prefer: code=NNN" → authentication for the operations that
// need a session (401 api.context.session_expired.app_error before any other
// check, as the real server) → request validation against the document (a bad
// path parameter is 400 invalid_url_param; a bad query parameter falls back
// to its default, as web/params.go does; a bad body is reported where the real
// handler decodes it, so permission checks that come first still come first)
// → the operation's handler. A panic becomes a 500 AppError. With
// WithResponseValidation (on by default in NewTestServer) every response is
// buffered and checked against the document before it is sent.
//
// # Identities
//
// Without a seed the server has four users, whose ids and tokens are fixed:
//
//	role            username         id                          token
//	system admin    sysadmin         sysadminuseridxxxxxxxxxxxx  sysadmintokenxxxxxxxxxxxxx
//	oauth manager   oauth.manager    oauthmanageruseridxxxxxxxx  oauthmanagertokenxxxxxxxxx
//	oauth manager 2 oauth.manager.b  oauthmanagerbuseridxxxxxxx  oauthmanagerbtokenxxxxxxxx
//	plain user      basic.user       basicuseridxxxxxxxxxxxxxxx  basicusertokenxxxxxxxxxxxx
//
// Roles map to permissions as on a stock server: system_admin holds
// manage_oauth, manage_system_wide_oauth, manage_system and edit_other_users;
// system_user holds none of them. The two OAuth managers are system users
// granted manage_oauth, as the upstream tests do (the permission checks of server/channels/api4/oauth.go). Tokens are
// accepted as "Authorization: Bearer <t>" or "Token <t>" (any case), as the
// MMAUTHTOKEN cookie, and, for OAuth access tokens only, as ?access_token=.
// Access tokens issued by the token endpoint authenticate like session
// tokens. A seed file (LoadSeed, WithSeed) replaces the users and may set
// the settings; see Seed for its format.
//
// # Faults
//
// Fault rules (WithFaults, Server.Faults, mmoauth mock --fault) inject
// latency (which ends when the client goes away), a 429/500/502/503 with an
// optional Retry-After, or a dropped connection (hijacked and closed before
// any byte is written), for one operation or all, for the next N requests
// or at a random rate drawn from a seeded generator (WithRandSeed). Three
// more break the answer after the operation has run, as a network or a
// proxy would: drop-after (the connection closes before the answer),
// truncate (half the body, then EOF) and garbage (an HTML page instead of
// the body); these answers are exempt from response validation. Any
// request may carry "Prefer: code=NNN", as with Stoplight Prism, to get that
// error status with a body the document allows for it (AppError; the RFC
// 7591 body on the registration endpoint; plain-text "limit exceeded" for
// 429; the HTML error page on GET /oauth/authorize). Successes and statuses
// the operation does not declare are ignored.
//
// # Deviations
//
// WithDeviations makes the server break one rule on purpose (see
// Deviation), so that each conformance check can be shown to fail. A
// faithful server has none.
//
// # Fidelity notes
//
// Where the real server has surprising behaviour the mock keeps it: the
// token endpoint does not compare the code's (or refresh token's) client
// with client_id; a failed PKCE check does not consume the code; the token
// response's scope is empty; error answers carry an empty detailed_error
// unless Config.EnableDeveloper is on (web/handlers.go); redirect URIs with a fragment pass
// registration (IsValidHTTPURL accepts them). Lists are served in creation
// order (the real SQL has no ORDER BY).
//
// State is in memory by default and safe for concurrent use; WithStateFile
// keeps it in an embedded SQLite file (one process per file) and WithStore
// in Postgres (shared by several processes). With either, each request that
// changes the state is one transaction, committed before the answer is
// sent, and Close releases the store.
package mockserver
