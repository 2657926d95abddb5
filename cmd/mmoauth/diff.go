package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/internal/differ"
	"github.com/mmoauth/mmoauth/mockserver"
)

func init() {
	register(command{
		name:    "diff",
		summary: "send the same requests to two servers and report where their answers differ (the mock's fidelity)",
		run:     runDiff,
	})
}

const diffAbout = `
Sends the same sequence of over 300 requests to server A and server B —
every operation as every identity (anonymous, admin, manager, manager2,
user, an invalid token), valid, unknown and malformed ids, bodies past the
limits, bad JSON, wrong methods, unknown routes, the token endpoint's error
answers — and reports each request whose answers differ in status, media
type, error id, or body (ids, secrets and timestamps compared by shape).
Nothing is created but one app on each server, deleted at the end.

Without --b, B is the embedded mock (registration on). --allow FILE is a
JSON list of intended differences: [{"request": "glob", "field": "status",
"reason": "..."}]. Exit status: 0 no unexplained difference, 1 some, 2 a
usage error.`

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return finish(stderr, "diff", diff(ctx, args, stdout))
}

func diff(ctx context.Context, args []string, stdout io.Writer) error {
	p := newFlagParser("diff", "mmoauth diff --a URL --a-tokens FILE [--b URL --b-tokens FILE] [flags]", diffAbout, stdout)
	var aURL, aTokens, bURL, bTokens, allowFile, format, record string
	p.fs.StringVar(&aURL, "a", "", "server A's root `URL`")
	p.fs.StringVar(&aTokens, "a-tokens", "", "server A's token `file` (admin=, manager=, manager2=, user=)")
	p.fs.StringVar(&bURL, "b", "", "server B's root `URL` (default: the embedded mock)")
	p.fs.StringVar(&bTokens, "b-tokens", "", "server B's token `file`")
	p.fs.StringVar(&allowFile, "allow", "", "a JSON `file` of intended differences")
	p.fs.StringVar(&format, "o", outputText, "output `format`: text or json")
	p.fs.StringVar(&record, "record", "", "only record server A's answers to the plan into `file` (a transcript, with no token or secret, to replay offline)")
	positional, err := p.parse(args)
	if err != nil {
		return err
	}
	if err := wantArgs(positional, 0, 0, ""); err != nil {
		return err
	}
	if format != outputText && format != outputJSON {
		return usagef("-o: unknown output format %q (want %s or %s)", format, outputText, outputJSON)
	}
	a, err := diffServer("--a", aURL, aTokens)
	if err != nil {
		return err
	}
	if record != "" {
		if bURL != "" || bTokens != "" {
			return usagef("--record: records server A only; leave out --b")
		}
		t, err := differ.Record(ctx, a, differ.Plan())
		if err != nil {
			return err
		}
		f, err := os.Create(record) //nolint:gosec // G304: the user names the file
		if err != nil {
			return usagef("--record: %v", err)
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		if err := enc.Encode(t); err != nil {
			_ = f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "recorded %d answers of %s (%s) into %s\n", len(t.Entries), a.URL, t.Server, record)
		return nil
	}
	var allow []differ.Allowed
	if allowFile != "" {
		b, err := os.ReadFile(allowFile) //nolint:gosec // G304: the user names the file
		if err != nil {
			return usagef("--allow: %v", err)
		}
		if err := json.Unmarshal(b, &allow); err != nil {
			return usagef("--allow: %s: %v", allowFile, err)
		}
	}
	var b differ.Server
	if bURL == "" {
		if bTokens != "" {
			return usagef("--b-tokens: only with --b")
		}
		cfg := mockserver.DefaultConfig()
		cfg.EnableDynamicClientRegistration = true
		mock, err := mockserver.Listen(ctx, "127.0.0.1:0", mockserver.WithConfig(cfg))
		if err != nil {
			return err
		}
		defer mock.Close()
		id := mock.Server.Identities()
		b = differ.Server{URL: mock.URL, Tokens: map[string]string{"admin": id.SystemAdmin.Token, "manager": id.OAuthManager.Token,
			"manager2": id.OAuthManager2.Token, "user": id.PlainUser.Token}}
	} else if b, err = diffServer("--b", bURL, bTokens); err != nil {
		return err
	}
	res, err := differ.Run(ctx, a, b, differ.Plan(), allow)
	if err != nil {
		return err
	}
	if format == outputJSON {
		if err := res.Encode(stdout); err != nil {
			return err
		}
	} else {
		for _, d := range res.Differences {
			mark := "DIFF"
			if d.Explained != "" {
				mark = "ok  "
			}
			fmt.Fprintf(stdout, "%s %s: %s\n       a: %s\n       b: %s\n", mark, d.Request.Name, d.Field, d.A, d.B)
			if d.Explained != "" {
				fmt.Fprintf(stdout, "       allowed: %s\n", d.Explained)
			}
		}
		fmt.Fprintf(stdout, "%d requests, %d differences, %d unexplained\n", res.Requests, len(res.Differences), res.Unexplained())
	}
	if n := res.Unexplained(); n > 0 {
		return fmt.Errorf("%d unexplained differences between %s and %s", n, a.URL, b.URL)
	}
	return nil
}

// diffServer reads one side's flags.
func diffServer(flagName, url, tokenFile string) (differ.Server, error) {
	if url == "" {
		return differ.Server{}, usagef("%s: missing server URL", flagName)
	}
	if err := checkServerURL(url); err != nil {
		return differ.Server{}, usagef("%s: %v", flagName, err)
	}
	if tokenFile == "" {
		return differ.Server{}, usagef("%s-tokens: missing token file for %s", flagName, url)
	}
	f, err := os.Open(tokenFile) //nolint:gosec // G304: the user names the file
	if err != nil {
		return differ.Server{}, usagef("%s-tokens: %v", flagName, err)
	}
	defer f.Close()
	roles, err := conformance.ParseTokenFile(f)
	if err != nil {
		return differ.Server{}, usagef("%s-tokens: %s %v", flagName, tokenFile, err)
	}
	tokens := map[string]string{}
	for r, t := range roles {
		tokens[string(r)] = t
	}
	return differ.Server{URL: url, Tokens: tokens}, nil
}
