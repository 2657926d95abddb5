package conformance

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseTokenFile reads KEY=TOKEN lines as a shell would read them from a
// sourced file: KEY is a role (admin, manager, manager2, user) or its
// Role.TokenEnv variable; "export " before it, single or double quotes around the
// token and a trailing " # comment" are allowed; blank lines and # comments
// are ignored. Anything else is an error naming the line ("line 3: ..."),
// which never quotes a token.
func ParseTokenFile(r io.Reader) (map[Role]string, error) {
	out := map[Role]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, err := parseTokenLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		role, known := roleForKey(key)
		if !known {
			return nil, fmt.Errorf("line %d: unknown key %q; want admin=, manager=, manager2= or user= (or MMOAUTH_ADMIN_TOKEN=, ...)", n, key)
		}
		out[role] = val
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	return out, nil
}

// parseTokenLine splits one non-blank, non-comment line into its key and
// unquoted value.
func parseTokenLine(line string) (key, val string, err error) {
	if rest, ok := strings.CutPrefix(line, "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
		line = strings.TrimSpace(rest)
	}
	key, val, ok := strings.Cut(line, "=")
	if !ok || key == "" || strings.ContainsAny(key, " \t") {
		return "", "", errors.New("want KEY=TOKEN (e.g. admin=... or export MMOAUTH_ADMIN_TOKEN=...)")
	}
	switch {
	case val == "":
		return "", "", fmt.Errorf("%s has no token", key)
	case val[0] == '"' || val[0] == '\'':
		quote := val[0]
		end := strings.IndexByte(val[1:], quote)
		if end < 0 {
			return "", "", fmt.Errorf("%s: unterminated %c quote", key, quote)
		}
		rest := strings.TrimSpace(val[end+2:])
		if rest != "" && !strings.HasPrefix(rest, "#") {
			return "", "", fmt.Errorf("%s: unexpected text after the closing quote", key)
		}
		val = val[1 : end+1]
		if quote == '"' && strings.ContainsAny(val, "$`\\") {
			return "", "", fmt.Errorf("%s: a shell would expand $, ` or \\ in double quotes; use single quotes", key)
		}
	default:
		if i := strings.Index(val, " #"); i >= 0 {
			val = val[:i]
		}
		val = strings.TrimSpace(val)
		if strings.ContainsAny(val, " \t\"'") {
			return "", "", fmt.Errorf("%s: a token with spaces or quotes must be quoted", key)
		}
	}
	if strings.TrimSpace(val) == "" {
		return "", "", fmt.Errorf("%s has no token", key)
	}
	return key, val, nil
}

func roleForKey(key string) (Role, bool) {
	for _, role := range Roles() {
		if strings.EqualFold(key, string(role)) || key == role.TokenEnv() {
			return role, true
		}
	}
	return "", false
}
