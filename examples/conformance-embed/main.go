// Command conformance-embed runs the conformance suite from Go code, as a
// CI job or a test would, and prints its JUnit XML report.
//
// With no arguments it tests embedded mock servers, one per configuration
// the checks need (dynamic client registration on and off, the OAuth
// provider off, a redirect-URI allowlist), with the four seeded identities:
//
//	go run ./examples/conformance-embed
//
// Against a real server, -token is the system administrator's token; checks
// that need the other identities are skipped with the reason (the mmoauth
// conformance command takes all four):
//
//	MMOAUTH_TOKEN=... go run ./examples/conformance-embed -url https://chat.example.com > junit.xml
//
// The output is a summary line, then the XML document. The report, like
// every report of the suite, holds no token or secret.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/examples/internal/exampleenv"
	"github.com/mmoauth/mmoauth/mockserver"
)

func main() { exampleenv.Main(run) }

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	var only string
	env, err := exampleenv.Setup(ctx, "conformance-embed", args, stdout, func(fs *flag.FlagSet) {
		fs.StringVar(&only, "only", "", "run only the checks whose id matches this glob, e.g. 'rfc8414/**'")
	})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.Close()) }()

	var targets []conformance.Target
	if env.Embedded {
		var closeAll func() error
		targets, closeAll, err = mockTargets(ctx, env)
		defer func() { err = errors.Join(err, closeAll()) }()
		if err != nil {
			return err
		}
	} else {
		// What the suite cannot detect it is told; here nothing is declared,
		// so the provider and registration settings are detected.
		targets = []conformance.Target{{
			URL:    env.URL,
			Tokens: map[conformance.Role]string{conformance.Admin: env.AdminToken},
		}}
	}

	opts := conformance.Options{}
	if only != "" {
		opts.Only = []string{only}
	}
	report, err := conformance.Run(ctx, opts, targets...)
	if err != nil {
		return err // the run could not start: a *conformance.SetupError says why
	}
	s := report.Summary
	fmt.Fprintf(stdout, "checks: %d passed, %d failed, %d warned, %d skipped\n", s.Passed, s.Failed, s.Warned, s.Skipped)
	if err := report.WriteJUnit(stdout); err != nil {
		return err
	}
	if !report.OK() {
		return fmt.Errorf("conformance failed: %v", report.IDs(conformance.StatusFail))
	}
	return nil
}

// allowlist is the DCRRedirectURIAllowlist of the allowlist target. Its host
// has no wildcard, so the suite can build a redirect URI it refuses.
var allowlist = []string{"https://bot.example.com/oauth/**"}

// mockTargets returns mocks in the configurations the checks need, env's
// own (registration on) among them, each as a conformance target with the
// seeded identities. The runner gives each check the first target that meets
// its needs, so the order matters: a stock configuration first, the allowlist
// (which refuses most redirect URIs) after the plain registration target.
func mockTargets(ctx context.Context, env *exampleenv.Env) ([]conformance.Target, func() error, error) {
	var closers []func() error
	closeAll := func() error {
		var errs []error
		for _, c := range closers {
			errs = append(errs, c())
		}
		return errors.Join(errs...)
	}
	on, off := conformance.On, conformance.Off
	start := func(name string, edit func(*mockserver.Config), declared conformance.Declared) (conformance.Target, error) {
		cfg := mockserver.DefaultConfig()
		edit(&cfg)
		mock, err := exampleenv.StartMock(ctx, cfg)
		if err != nil {
			return conformance.Target{}, err
		}
		closers = append(closers, mock.Close)
		return target(name, mock, declared), nil
	}

	stock, err := start("stock", func(*mockserver.Config) {}, conformance.Declared{Provider: on, DCR: off})
	if err != nil {
		return nil, closeAll, err
	}
	withAllowlist, err := start("dcr-allowlist", func(c *mockserver.Config) {
		c.EnableDynamicClientRegistration = true
		c.DCRRedirectURIAllowlist = allowlist
	}, conformance.Declared{Provider: on, DCR: on, Allowlist: allowlist})
	if err != nil {
		return nil, closeAll, err
	}
	// Registration stays on with the provider off, so that only the provider
	// switch can explain a refused registration (server/channels/api4/oauth.go registerOAuthClient, step 2).
	providerOff, err := start("provider-off", func(c *mockserver.Config) {
		c.EnableOAuthServiceProvider = false
		c.EnableDynamicClientRegistration = true
	}, conformance.Declared{Provider: off, DCR: on})
	if err != nil {
		return nil, closeAll, err
	}
	dcr := target("dcr", env, conformance.Declared{Provider: on, DCR: on})
	return []conformance.Target{stock, dcr, withAllowlist, providerOff}, closeAll, nil
}

// target is a mock as a conformance target: its four seeded identities play
// the columns of the permission matrix (the permission checks of server/channels/api4/oauth.go).
func target(name string, env *exampleenv.Env, declared conformance.Declared) conformance.Target {
	ids := env.Mock.Identities()
	return conformance.Target{
		Name: name,
		URL:  env.URL,
		Tokens: map[conformance.Role]string{
			conformance.Admin:     ids.SystemAdmin.Token,
			conformance.Manager:   ids.OAuthManager.Token,
			conformance.Manager2:  ids.OAuthManager2.Token,
			conformance.PlainUser: ids.PlainUser.Token,
		},
		Declared: declared,
	}
}
