// Package conformance checks a live Mattermost (or compatible) server's
// OAuth 2.0 service provider against the rules of the real server
// (docs/RULES.md: each rule with its Mattermost source and releases) and of RFC 8414, RFC 7591 and RFC 7636,
// and gives a verdict per rule.
//
// # Checks
//
// Catalogue returns the checks. Each has a stable id
// ("permissions/get-app/non-creator-forbidden"), a Category, a one-line Rule,
// the Source of that rule (a section of the reference or an RFC), a Kind, and
// Needs: the identities, settings and side effects it requires. A Kind of
// KindCompat is what the real server does; KindRFCStrict is an RFC rule the
// real server itself breaks (client_secret_expires_at, "none" in the
// metadata, RFC 6749 error bodies…): a warning by default, a failure with
// Options.Strict.
//
// # Running
//
// Run drives one or more Targets through the client package, plus raw HTTP
// for requests the client refuses to send (malformed ids, bad JSON, wrong
// types, token endpoint forms). Every exchange is recorded, redacted, and its
// response validated against the spec package's OpenAPI document; a response
// that breaks the document fails the check that made the call, with the
// exchange as evidence, and so does any 5xx except 501. Requests are bounded
// by Options.RequestTimeout, the run by Options.MaxTime; checks run
// Options.Concurrency at a time, each in its own goroutine, so a panic fails
// that check only.
//
// Identities are tokens for a system admin, two users with manage_oauth and
// a user without it (Target.Tokens); their users are read with GET
// /api/v4/users/me. Settings the suite cannot change are detected (the
// metadata endpoint; an invalid registration that creates nothing) or
// declared (Target.Declared). A check whose identity or setting is missing is
// skipped with the reason. On a stock server only system admins hold
// manage_oauth, and they see every app (the permission checks of server/channels/api4/oauth.go "Default roles"): when
// setup finds the two manage_oauth identities system-wide, the creator-only
// checks are skipped with that reason.
//
// # Safety on a live server
//
// Every app the run creates is registered for deletion by the transport the
// moment its 201 arrives, and deleted when its check ends — normally, on a
// failure, on a panic, or when the context is cancelled (Ctrl-C) — with a
// fresh, bounded context, by an identity that may delete it (a registered
// client has no creator: only the system admin can). A final sweep catches
// the rest; an app that cannot be deleted is reported and fails the run. Apps
// the run did not create are never changed or deleted. Options.ReadOnly runs
// only the checks that create nothing. No token, client secret,
// authorization code or PKCE verifier appears in any report: secret members
// are redacted by name, and every secret value seen is scrubbed from all
// text.
//
// # Reports
//
// A Report has one Result per check. WriteText prints a summary per category,
// then warnings, failures (request line, status, redacted body excerpt) and
// skips by reason; WriteJSON and WriteJUnit write files for tools and CI.
// Report.ExitCode is 0 when nothing failed, else 1.
//
// The creator column of the permission matrix is covered by the behaviour
// checks that act as the creator (apps/crud/round-trip,
// secrets/get-app/returned-to-creator, secrets/regen-secret/rotates,
// schema/status-ok/value); the other cells have a permissions/... check each.
//
// The package's tests prove that every check can fail: they run the suite
// against mocks that each break one rule and assert that the intended checks,
// and only a few related ones, fail.
package conformance
