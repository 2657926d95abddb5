package main

import (
	"testing"

	"github.com/mmoauth/mmoauth/examples/internal/exampletest"
)

var want = []string{
	`an administrator created "mmoauth authorized-apps example"`,
	"the user approved it",
	"the user's authorized apps: ours listed=true, every secret blank=true",
	"the user deauthorized it (its tokens are revoked too)",
	"the user's authorized apps: ours listed=false, every secret blank=true",
	"deleted the app",
}

// TestExample covers the embedded run, a run against a server, a token
// without manage_oauth and the shared flags.
func TestExample(t *testing.T) {
	exampletest.AdminCases(t, run, want, "create (the token needs manage_oauth)")
}
