package main

import (
	"testing"

	"github.com/mmoauth/mmoauth/examples/internal/exampletest"
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

// TestExample covers the embedded run, a run against a server, a token
// without manage_oauth and the shared flags.
func TestExample(t *testing.T) {
	exampletest.AdminCases(t, run, want, "403")
}
