package main

import (
	"context"
	"fmt"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// embeddedConfig is one configuration of the embedded mock. Together they
// reach every gated check: registration off and on, an allowlist, the
// provider off (with registration on, so only the provider switch explains a
// refused registration: server/channels/api4/oauth.go registerOAuthClient step 2).
type embeddedConfig struct {
	name string
	edit func(*mockserver.Config)
}

var embeddedConfigs = []embeddedConfig{
	{"provider on, DCR off", func(*mockserver.Config) {}},
	{"DCR on", func(c *mockserver.Config) { c.EnableDynamicClientRegistration = true }},
	{"DCR on with an allowlist", func(c *mockserver.Config) {
		c.EnableDynamicClientRegistration = true
		c.DCRRedirectURIAllowlist = []string{"https://allowed.mmoauth.invalid/callback/*"}
	}},
	{"provider off", func(c *mockserver.Config) {
		c.EnableOAuthServiceProvider = false
		c.EnableDynamicClientRegistration = true
	}},
}

// embeddedMocks are the running mock servers and the suite's targets.
type embeddedMocks struct {
	running []*mockserver.Running
	targets []conformance.Target
}

// startEmbeddedMocks starts one mock per configuration on 127.0.0.1, each
// with SiteURL = its own URL and the default identities, declared to the
// suite with their real settings.
func startEmbeddedMocks(ctx context.Context, devs []mockserver.Deviation) (*embeddedMocks, error) {
	m := &embeddedMocks{}
	for _, ec := range embeddedConfigs {
		cfg := mockserver.DefaultConfig()
		ec.edit(&cfg)
		// Developer mode, unlike a stock server, sends detailed_error: the
		// plain-user-forbidden checks then also see which permission a 403
		// names, so --mock-deviation oauth-gate-missing shows.
		cfg.EnableDeveloper = true
		mock, err := mockserver.Listen(ctx, "127.0.0.1:0", mockserver.WithConfig(cfg), mockserver.WithDeviations(devs...))
		if err != nil {
			m.close()
			return nil, fmt.Errorf("starting the embedded mock: %w", err)
		}
		m.running = append(m.running, mock)
		cfg = mock.Server.Config() // with the SiteURL
		id := mock.Server.Identities()
		m.targets = append(m.targets, conformance.Target{
			Name: ec.name,
			URL:  mock.URL,
			Tokens: map[conformance.Role]string{
				conformance.Admin:     id.SystemAdmin.Token,
				conformance.Manager:   id.OAuthManager.Token,
				conformance.Manager2:  id.OAuthManager2.Token,
				conformance.PlainUser: id.PlainUser.Token,
			},
			Declared: conformance.Declared{
				Provider:  conformance.GateOf(cfg.EnableOAuthServiceProvider),
				DCR:       conformance.GateOf(cfg.EnableDynamicClientRegistration),
				Allowlist: cfg.DCRRedirectURIAllowlist,
			},
		})
	}
	return m, nil
}

func (m *embeddedMocks) close() {
	for _, r := range m.running {
		_ = r.Close()
	}
}
