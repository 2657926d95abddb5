package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBareCommandPrintsUsageToStderr(t *testing.T) {
	res := runCLI(t)
	assert.Equal(t, exitUsage, res.code)
	assert.Empty(t, res.stdout)
	assert.Contains(t, res.stderr, "usage: mmoauth <command>")
	for _, name := range commandNames() {
		assert.Contains(t, res.stderr, "  "+name+" ")
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			res := runCLI(t, args...)
			require.Equal(t, exitOK, res.code, res.stderr)
			// A test binary's main module is this one, "(devel)" or a
			// pseudo-version; either way the line names it.
			assert.True(t, strings.HasPrefix(res.stdout, "mmoauth "+moduleVersion()), res.stdout)
			assert.Contains(t, res.stdout, "go1.")
		})
	}
	res := runCLI(t, "version", "extra")
	assert.Equal(t, exitUsage, res.code)
	assertOneLine(t, res.stderr)
}

// TestHelpCommand: "mmoauth help X [Y]" is "mmoauth X [Y] --help".
func TestHelpCommand(t *testing.T) {
	cases := [][]string{{"mock"}, {"proxy"}, {"conformance"}, {"apps"}, {"apps", "update"}, {"apps", "regen-secret"}, {"completion"}, {"version"}}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			viaHelp := runCLI(t, append([]string{"help"}, args...)...)
			viaFlag := runCLI(t, append(args, "--help")...)
			require.Equal(t, exitOK, viaHelp.code, viaHelp.stderr)
			assert.Equal(t, viaFlag.stdout, viaHelp.stdout)
			assert.Contains(t, viaHelp.stdout, "usage: mmoauth "+args[0])
		})
	}
	res := runCLI(t, "help")
	assert.Equal(t, exitOK, res.code)
	assert.Contains(t, res.stdout, "usage: mmoauth <command>")
	for _, bad := range [][]string{{"help", "nope"}, {"help", "apps", "nope"}, {"help", "mock", "x"}, {"help", "apps", "list", "x"}} {
		res := runCLI(t, bad...)
		assert.Equal(t, exitUsage, res.code, bad)
		assertOneLine(t, res.stderr)
	}
}

// everyFlag lists each command's (and subcommand's) flags as the usage
// text spells them, straight from the flag sets.
func everyFlag(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, s := range collectSpecs(context.Background()) {
		for _, f := range s.flags {
			out[s.name] = append(out[s.name], f.spelling())
		}
		for _, sub := range s.subs {
			for _, f := range sub.flags {
				out[s.name+" "+sub.name] = append(out[s.name+" "+sub.name], f.spelling())
			}
		}
	}
	return out
}

func TestCompletionScriptsListEverything(t *testing.T) {
	flags := everyFlag(t)
	// The tables are the commands' real flag sets: spot-check a few.
	assert.Contains(t, flags["proxy"], "--target")
	assert.Contains(t, flags["apps update"], "--callback-url")
	assert.Contains(t, flags["apps"], "--token-file")
	assert.Contains(t, flags["mock"], "--deviation")
	assert.Contains(t, flags["conformance"], "--junit")

	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			res := runCLI(t, "completion", shell)
			require.Equal(t, exitOK, res.code, res.stderr)
			script := res.stdout
			for _, name := range commandNames() {
				assert.Contains(t, script, name, "command %s", name)
			}
			for _, sub := range commands["apps"].subcommandNames() {
				assert.Contains(t, script, sub)
			}
			for cmd, fl := range flags {
				for _, f := range fl {
					spelled := f
					if shell == "fish" {
						// fish names flags without dashes: -l name, -s o.
						spelled = strings.TrimLeft(f, "-")
					}
					assert.Contains(t, script, spelled, "%s %s", cmd, f)
				}
			}
			if path, err := exec.LookPath(shell); err == nil {
				file := filepath.Join(t.TempDir(), "mmoauth."+shell)
				require.NoError(t, os.WriteFile(file, []byte(script), 0o600))
				out, err := exec.CommandContext(context.Background(), path, "-n", file).CombinedOutput() //nolint:gosec // G204: the shell under test
				assert.NoError(t, err, "%s -n: %s", shell, out)
			}
		})
	}
	res := runCLI(t, "completion", "tcsh")
	assert.Equal(t, exitUsage, res.code)
	assert.Contains(t, res.stderr, "bash, zsh or fish")
	res = runCLI(t, "completion")
	assert.Equal(t, exitUsage, res.code)
}

// TestBashCompletionCompletes runs the bash function as bash would.
func TestBashCompletionCompletes(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script := runCLI(t, "completion", "bash").stdout
	file := filepath.Join(t.TempDir(), "mmoauth.bash")
	require.NoError(t, os.WriteFile(file, []byte(script), 0o600))
	tests := []struct {
		line string // the words typed; the last is being completed
		want []string
		not  []string
	}{
		{"mmoauth pro", []string{"proxy"}, []string{"mock"}},
		{"mmoauth apps ", []string{"list", "update", "regen-secret"}, []string{"--url"}},
		{"mmoauth apps update --", []string{"--name", "--callback-url", "--token-file"}, []string{"--show-secret"}},
		{"mmoauth apps --url http://x get --", []string{"--show-secret"}, nil},
		{"mmoauth proxy --ta", []string{"--target"}, nil},
		{"mmoauth completion ", []string{"bash", "zsh", "fish"}, nil},
		{"mmoauth help ", []string{"apps", "proxy"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			words := strings.Fields(tt.line)
			if strings.HasSuffix(tt.line, " ") {
				words = append(words, "")
			}
			quoted := make([]string, len(words))
			for i, w := range words {
				quoted[i] = "'" + w + "'"
			}
			prog := "source " + file + "; COMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" +
				strconv.Itoa(len(words)-1) + "; _mmoauth; printf '%s\\n' \"${COMPREPLY[@]}\""
			out, err := exec.CommandContext(context.Background(), bash, "-c", prog).CombinedOutput() //nolint:gosec // G204: the script under test
			require.NoError(t, err, string(out))
			got := strings.Fields(string(out))
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			for _, w := range tt.not {
				assert.NotContains(t, got, w)
			}
		})
	}
}

// TestTokenFlagsWarn: every flag that takes a token on the command line
// says the same: it shows in the process list, and what to use instead.
func TestTokenFlagsWarn(t *testing.T) {
	cleanEnv(t)
	ts := mock(t)
	admin := ts.Identities.SystemAdmin.Token
	res := runCLI(t, "conformance", "--url", ts.URL, "--admin-token", admin, "--only", "rfc8414/**")
	assert.Contains(t, res.stderr, "mmoauth conformance: warning: --admin-token shows the token in the process list; use $MMOAUTH_ADMIN_TOKEN or --token-file")
	assertNoSecrets(t, res.stdout+res.stderr, admin)

	res = runCLI(t, "apps", "list", "--url", ts.URL, "--token", admin)
	assert.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stderr, "mmoauth apps list: warning: --token shows the token in the process list; use $MMOAUTH_TOKEN or --token-file")
}
