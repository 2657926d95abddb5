package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mmoauth/mmoauth/examples/internal/exampletest"
	"github.com/mmoauth/mmoauth/mockserver"
)

var want = []string{
	`an administrator created "mmoauth authorized-apps example"`,
	"the user approved it",
	"the user's authorized apps: ours listed=true, every secret blank=true",
	"the user deauthorized it (its tokens are revoked too)",
	"the user's authorized apps: ours listed=false, every secret blank=true",
	"deleted the app",
}

func TestEmbedded(t *testing.T) {
	exampletest.RunEmbedded(t, run, want)
}

func TestAgainstServer(t *testing.T) {
	ts := mockserver.NewTestServer(t)
	lines := exampletest.RunAgainst(t, run, ts, ts.Identities.SystemAdmin.Token)
	assert.Equal(t, want, lines)
	exampletest.AssertNoSecretLike(t, strings.Join(lines, "\n"))
}

func TestNeedsManageOAuth(t *testing.T) {
	ts := mockserver.NewTestServer(t)
	err := exampletest.Fail(t, run, "-url", ts.URL, "-token", ts.Identities.PlainUser.Token)
	assert.ErrorContains(t, err, "create (the token needs manage_oauth)")
}

func TestUsage(t *testing.T) {
	exampletest.UsageCases(t, run)
}
