package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

// createArgs are the flags of a valid apps create.
var createArgs = []string{
	"--name", "Deploy bot", "--description", "ships things",
	"--homepage", "https://bot.example.com",
	"--callback-url", "https://bot.example.com/callback",
	"--callback-url", "http://localhost:8080/callback",
}

func TestAppsLifecycle(t *testing.T) {
	cleanEnv(t)
	ts := mock(t)
	admin := ts.Identities.SystemAdmin.Token
	t.Setenv(envURL, ts.URL)
	t.Setenv(envToken, admin)

	// create, text: the secret is printed once, on stdout only.
	res := runCLI(t, append([]string{"apps", "create"}, createArgs...)...)
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	id := fieldValue(t, res.stdout, "id")
	secret := fieldValue(t, res.stdout, "client_secret")
	require.True(t, models.IsValidID(id))
	assert.Equal(t, "confidential", fieldValue(t, res.stdout, "type"))
	assert.Equal(t, "https://bot.example.com/callback, http://localhost:8080/callback", fieldValue(t, res.stdout, "callback_urls"))
	assert.Equal(t, 1, strings.Count(res.stdout, secret))
	assertNoSecrets(t, res.stderr, secret, admin)
	assert.Contains(t, res.stderr, "shown only this once")

	// create a public app, JSON: no secret at all.
	res = runCLI(t, append([]string{"apps", "create", "-o", "json", "--public"}, createArgs...)...)
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	var public appView
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &public))
	assert.True(t, public.IsPublic)
	assert.Empty(t, public.ClientSecret)
	assert.NotContains(t, res.stdout, "client_secret")

	// list, JSON: both apps, no secrets.
	res = runCLI(t, "apps", "list", "-o", "json", "--per-page", "1")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	var listed []appView
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &listed))
	ids := make([]string, 0, len(listed))
	for _, a := range listed {
		ids = append(ids, a.ID)
	}
	assert.ElementsMatch(t, []string{id, public.ID}, ids, "--per-page 1 still lists every page")
	assertNoSecrets(t, res.stdout, secret)

	// list, text: a table.
	res = runCLI(t, "apps", "list")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	assert.Regexp(t, `(?m)^ID\s+NAME\s+TYPE\s+TRUSTED\s+CALLBACK_URLS$`, res.stdout)
	assert.Regexp(t, `(?m)^`+id+`\s+Deploy bot\s+confidential\s+false\s+https://bot.example.com/callback`, res.stdout)
	assert.Regexp(t, `(?m)^`+public.ID+`\s+Deploy bot\s+public\s+`, res.stdout)
	assertNoSecrets(t, res.stdout, secret)

	// get: no secret unless asked.
	res = runCLI(t, "apps", "get", id)
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	assert.Equal(t, "Deploy bot", fieldValue(t, res.stdout, "name"))
	assert.Equal(t, "ships things", fieldValue(t, res.stdout, "description"))
	assertNoSecrets(t, res.stdout, secret)
	res = runCLI(t, "apps", "get", "--show-secret", id, "-o", "json")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	var got appView
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &got))
	assert.Equal(t, secret, got.ClientSecret)

	// delete, then get is a one-line 404.
	res = runCLI(t, "apps", "delete", id)
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	assert.Equal(t, "deleted "+id+"\n", res.stdout)
	res = runCLI(t, "apps", "delete", public.ID, "-o", "json")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	assert.JSONEq(t, `{"id":"`+public.ID+`","status":"OK"}`, res.stdout)
	res = runCLI(t, "apps", "get", id)
	assert.Equal(t, exitFailure, res.code)
	assertOneLine(t, res.stderr)
	assert.Contains(t, res.stderr, "mmoauth apps get: GET /api/v4/oauth/apps/"+id+": 404 Not Found: app.oauth.get_app.find.app_error")

	// An empty list says so.
	res = runCLI(t, "apps", "list")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	assert.Equal(t, "no OAuth apps\n", res.stdout)
	res = runCLI(t, "apps", "list", "-o", "json")
	require.Equal(t, exitOK, res.code)
	assert.JSONEq(t, `[]`, res.stdout)
}

func TestAppsTokenSources(t *testing.T) {
	tests := []struct {
		name     string
		args     func(tokenFile, token string) []string
		env      bool
		wantWarn bool
	}{
		{"MMOAUTH_TOKEN", func(_, _ string) []string { return nil }, true, false},
		{"--token-file", func(f, _ string) []string { return []string{"--token-file", f} }, false, false},
		{"--token-file wins over MMOAUTH_TOKEN", func(f, _ string) []string { return []string{"--token-file", f} }, true, false},
		{"--token warns", func(_, tok string) []string { return []string{"--token", tok} }, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			ts := mock(t)
			admin := ts.Identities.SystemAdmin.Token
			file := filepath.Join(t.TempDir(), "token")
			require.NoError(t, os.WriteFile(file, []byte(admin+"\n"), 0o600))
			if tc.env {
				// With --token-file the file's token must win: the variable
				// holds a user's token that gets 403 on the list.
				envTok := admin
				if len(tc.args("f", "")) > 0 {
					envTok = ts.Identities.PlainUser.Token
				}
				t.Setenv(envToken, envTok)
			}
			args := append([]string{"apps", "list", "--url", ts.URL}, tc.args(file, admin)...)
			res := runCLI(t, args...)
			require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
			assertNoSecrets(t, res.stderr, admin)
			if tc.wantWarn {
				assertOneLine(t, res.stderr)
				assert.Contains(t, res.stderr, "warning: --token shows the token in the process list")
			} else {
				assert.Empty(t, res.stderr)
			}
		})
	}
}

func TestAppsServerErrors(t *testing.T) {
	cleanEnv(t)
	ts := mock(t)
	t.Setenv(envURL, ts.URL)
	tests := []struct {
		name  string
		token string
		args  []string
		want  string
	}{
		{"list without manage_oauth", ts.Identities.PlainUser.Token, []string{"apps", "list"},
			"GET /api/v4/oauth/apps: 403 Forbidden: api.command.admin_only.app_error"},
		{"create without manage_oauth", ts.Identities.PlainUser.Token, append([]string{"apps", "create"}, createArgs...),
			"POST /api/v4/oauth/apps: 403 Forbidden: api.context.permissions.app_error"},
		{"unknown token", "not-a-real-token", []string{"apps", "list"},
			"401 Unauthorized: api.context.session_expired.app_error"},
		{"unknown app", ts.Identities.SystemAdmin.Token, []string{"apps", "delete", strings.Repeat("a", 26)},
			"404 Not Found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envToken, tc.token)
			res := runCLI(t, tc.args...)
			assert.Equal(t, exitFailure, res.code)
			assert.Empty(t, res.stdout)
			assertOneLine(t, res.stderr)
			assert.Contains(t, res.stderr, tc.want)
			assertNoSecrets(t, res.stderr, tc.token)
		})
	}
}

func TestAppsBadFlags(t *testing.T) {
	trip := tripwire(t)
	okEnv := map[string]string{envURL: trip, envToken: "tok"}
	missingFile := filepath.Join(t.TempDir(), "absent")
	emptyFile := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(emptyFile, []byte("\n"), 0o600))
	validID := strings.Repeat("a", 26)
	runUsageCases(t, []usageCase{
		{"no subcommand", []string{"apps"}, okEnv, "missing subcommand"},
		{"unknown subcommand", []string{"apps", "rm"}, okEnv, `unknown subcommand "rm"`},
		{"missing token", []string{"apps", "list"}, map[string]string{envURL: trip}, "--token"},
		{"token and token file", []string{"apps", "list", "--token", "a", "--token-file", emptyFile}, okEnv, "--token"},
		{"token file missing", []string{"apps", "list", "--token-file", missingFile}, okEnv, "--token-file"},
		{"token file empty", []string{"apps", "list", "--token-file", emptyFile}, okEnv, "--token-file"},
		{"missing URL", []string{"apps", "list"}, map[string]string{envToken: "tok"}, "--url"},
		{"bad --url", []string{"apps", "list", "--url", "chat.example.com"}, okEnv, "--url"},
		{"bad MMOAUTH_URL", []string{"apps", "list"}, map[string]string{envURL: "http://h/#x", envToken: "tok"}, envURL},
		{"output", []string{"apps", "list", "-o", "csv"}, okEnv, "-o"},
		{"per-page zero", []string{"apps", "list", "--per-page", "0"}, okEnv, "--per-page"},
		{"per-page too big", []string{"apps", "list", "--per-page", "201"}, okEnv, "--per-page"},
		{"per-page not a number", []string{"apps", "list", "--per-page", "many"}, okEnv, "-per-page"},
		{"list takes no argument", []string{"apps", "list", "x"}, okEnv, `unexpected argument "x"`},
		{"get without id", []string{"apps", "get"}, okEnv, "APP_ID"},
		{"get with bad id", []string{"apps", "get", "junk"}, okEnv, "APP_ID"},
		{"get with two ids", []string{"apps", "get", validID, validID}, okEnv, "unexpected argument"},
		{"delete with bad id", []string{"apps", "delete", "../users/me"}, okEnv, "APP_ID"},
		{"create without name", []string{"apps", "create", "--homepage", "https://h", "--callback-url", "https://h/cb"}, okEnv, "--name"},
		{"create without callback", []string{"apps", "create", "--name", "n", "--homepage", "https://h"}, okEnv, "--callback-url"},
		{"create with bad callback", []string{"apps", "create", "--name", "n", "--homepage", "https://h", "--callback-url", "h/cb"}, okEnv, "--callback-url"},
		{"create without homepage", []string{"apps", "create", "--name", "n", "--callback-url", "https://h/cb"}, okEnv, "--homepage"},
		{"create with bad icon", []string{"apps", "create", "--name", "n", "--homepage", "https://h", "--callback-url", "https://h/cb", "--icon-url", "icon.png"}, okEnv, "--icon-url"},
		{"create with long description", []string{"apps", "create", "--description", strings.Repeat("d", 513), "--name", "n", "--homepage", "https://h", "--callback-url", "https://h/cb"}, okEnv, "--description"},
	})
}
