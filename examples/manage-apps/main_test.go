package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mmoauth/mmoauth/examples/internal/exampletest"
	"github.com/mmoauth/mmoauth/mockserver"
)

var want = []string{
	"refused before sending: callback_urls (the server would answer model.oauth.is_valid.callback.app_error)",
	`created "mmoauth manage-apps example": confidential=true, client secret issued=true`,
	"listed the apps with the iterator: ours is there=true",
	`updated the description: "updated by examples/manage-apps"`,
	"regenerated the client secret: changed=true",
	"info shows the public fields only: secret blank=true",
	"deleted the app",
	"getting it again fails: 404 app.oauth.get_app.find.app_error",
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
	assert.ErrorContains(t, err, "403")
}

func TestUsage(t *testing.T) {
	exampletest.UsageCases(t, run)
}
