package readmecheck

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoRoot is where README.md, the Makefile and the examples are.
const repoRoot = "../.."

// fence is one fenced block of the README.
type fence struct {
	lang   string
	marker string // NAME of a "<!-- readme:NAME -->" line right before it
	body   string
	line   int
}

var markerRE = regexp.MustCompile(`^<!--\s*readme:([\w-]+)\s*-->$`)

// fences returns the README's fenced code blocks.
func fences(t *testing.T) []fence {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "README.md"))
	require.NoError(t, err)
	defer f.Close()
	var out []fence
	var cur *fence
	var body []string
	lastText := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &fence{lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n}
			if m := markerRE.FindStringSubmatch(strings.TrimSpace(lastText)); m != nil {
				cur.marker = m[1]
			}
			body = nil
		case cur != nil && strings.TrimSpace(line) == "```":
			cur.body = strings.Join(body, "\n")
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body = append(body, line)
		case strings.TrimSpace(line) != "":
			lastText = line
		}
	}
	require.NoError(t, sc.Err())
	require.Nil(t, cur, "unterminated code block")
	return out
}

var regionRE = regexp.MustCompile(`(?s)// readme:([\w-]+)\n(.*?)// readme:end\n`)

// regions returns the marked regions of this package's sources, trimmed of
// blank lines at either end.
func regions(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	out := map[string]string{}
	for _, name := range files {
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		for _, m := range regionRE.FindAllSubmatch(src, -1) {
			key := string(m[1])
			require.NotContains(t, out, key, "region %q defined twice", key)
			out[key] = strings.Trim(string(m[2]), "\n")
		}
	}
	return out
}

// TestREADMEGoMatchesCode: every ```go block of the README is a region of
// this package, verbatim, and every region is shown.
func TestREADMEGoMatchesCode(t *testing.T) {
	regs := regions(t)
	require.NotEmpty(t, regs)
	shown := map[string]bool{}
	for _, f := range fences(t) {
		if f.lang != "go" {
			continue
		}
		if !assert.NotEmpty(t, f.marker, "README.md:%d: a ```go block without a <!-- readme:NAME --> line before it", f.line) {
			continue
		}
		want, ok := regs[f.marker]
		if assert.True(t, ok, "README.md:%d: no region %q in internal/readmecheck", f.line, f.marker) {
			assert.Equal(t, want, f.body, "README.md:%d: the block differs from region %q: copy the code from internal/readmecheck", f.line, f.marker)
		}
		shown[f.marker] = true
	}
	for name := range regs {
		assert.True(t, shown[name], "region %q is not in README.md", name)
	}
}

// shellLines returns the commands of the README's ```sh blocks, with
// continuation lines joined, comments dropped and anything after a pipe or
// a redirection cut.
func shellLines(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, f := range fences(t) {
		if f.lang != "sh" {
			continue
		}
		joined := strings.ReplaceAll(f.body, "\\\n", " ")
		for _, line := range strings.Split(joined, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			for _, cut := range []string{" #", " | ", " > ", " 2> ", " &"} {
				if i := strings.Index(line, cut); i >= 0 {
					line = line[:i]
				}
			}
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

// words splits a command line like a shell does for the simple quoting the
// README uses ('...' and "..."), and drops leading VAR=value assignments.
func words(line string) []string {
	var out []string
	var cur strings.Builder
	quote, inWord := rune(0), false
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	for len(out) > 0 && regexp.MustCompile(`^[A-Z_]+=`).MatchString(out[0]) {
		out = out[1:]
	}
	return out
}

// TestREADMECommands: every command of the README's ```sh blocks names
// something that exists — a make target, an example, an mmoauth subcommand
// and flags it accepts (checked by running it with --help appended: flags
// are parsed left to right, so an unknown flag or a bad value before --help
// fails).
func TestREADMECommands(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	require.NoError(t, err)
	lines := shellLines(t)
	require.NotEmpty(t, lines)
	cli := buildCLI(t)
	for _, line := range lines {
		w := words(line)
		if len(w) == 0 {
			continue
		}
		t.Run(line, func(t *testing.T) {
			switch {
			case w[0] == "make":
				for _, target := range w[1:] {
					if strings.Contains(target, "=") {
						continue
					}
					assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(target)+`:`, string(makefile), "no make target %q", target)
				}
			case len(w) >= 3 && w[0] == "go" && w[1] == "run" && strings.HasPrefix(w[2], "./examples/"):
				assert.FileExists(t, filepath.Join(repoRoot, w[2], "main.go"))
			case w[0] == "mmoauth" || len(w) >= 3 && w[0] == "go" && w[1] == "run" && w[2] == "./cmd/mmoauth":
				args := w[1:]
				if w[0] == "go" {
					args = w[3:]
				}
				cmd := exec.Command(cli, append(args, "--help")...)
				out, err := cmd.CombinedOutput()
				assert.NoError(t, err, "%s", out)
			}
		})
	}
}

// buildCLI builds cmd/mmoauth into a temporary directory.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mmoauth")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/mmoauth")
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}
