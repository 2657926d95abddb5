package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppsUpdateAndRegenSecret(t *testing.T) {
	cleanEnv(t)
	ts := mock(t)
	admin := ts.Identities.SystemAdmin.Token
	t.Setenv(envURL, ts.URL)
	t.Setenv(envToken, admin)

	res := runCLI(t, append([]string{"apps", "create"}, createArgs...)...)
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	id := fieldValue(t, res.stdout, "id")
	secret := fieldValue(t, res.stdout, "client_secret")

	// update: the fields given change, the others are kept, no secret.
	res = runCLI(t, "apps", "update", id, "--name", "Renamed bot", "--callback-url", "https://bot.example.com/new", "-o", "json")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	var updated appView
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &updated))
	assert.Equal(t, "Renamed bot", updated.Name)
	assert.Equal(t, []string{"https://bot.example.com/new"}, updated.CallbackURLs)
	assert.Equal(t, "ships things", updated.Description, "kept")
	assert.Equal(t, "https://bot.example.com", updated.Homepage, "kept")
	assert.Empty(t, updated.ClientSecret)
	assertNoSecrets(t, res.stdout+res.stderr, secret, admin)

	// regen-secret: a new secret, printed once on stdout, reminded on stderr.
	res = runCLI(t, "apps", "regen-secret", id)
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	newSecret := fieldValue(t, res.stdout, "client_secret")
	assert.NotEqual(t, secret, newSecret)
	assert.Contains(t, res.stderr, "mmoauth apps regen-secret: the client secret above is shown only this once")
	assertNoSecrets(t, res.stderr, newSecret, admin)

	// A plain user may do neither: one line, exit 1.
	t.Setenv(envToken, ts.Identities.PlainUser.Token)
	for _, args := range [][]string{{"apps", "update", id, "--name", "x"}, {"apps", "regen-secret", id}} {
		res = runCLI(t, args...)
		assert.Equal(t, exitFailure, res.code)
		assertOneLine(t, res.stderr)
		assert.Contains(t, res.stderr, "403")
	}
}

func TestAppsUpdateBadFlags(t *testing.T) {
	srv := tripwire(t)
	id := "aaaaaaaaaaaaaaaaaaaaaaaaaa"
	env := map[string]string{envURL: srv, envToken: "tokentokentokentokentokent"}
	runUsageCases(t, []usageCase{
		{"update without a change", []string{"apps", "update", id}, env, "missing change"},
		{"update without an id", []string{"apps", "update", "--name", "x"}, env, "APP_ID"},
		{"update with a bad id", []string{"apps", "update", "junk", "--name", "x"}, env, "APP_ID"},
		{"update with a bad homepage", []string{"apps", "update", id, "--homepage", "not a url"}, env, "--homepage"},
		{"update with an empty name", []string{"apps", "update", id, "--name", ""}, env, "--name"},
		{"update with a bad callback", []string{"apps", "update", id, "--callback-url", "nope"}, env, "--callback-url"},
		{"regen-secret without an id", []string{"apps", "regen-secret"}, env, "APP_ID"},
		{"regen-secret with two ids", []string{"apps", "regen-secret", id, id}, env, "unexpected argument"},
	})
}
