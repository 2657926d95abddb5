package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// embeddedConfig is one configuration of the embedded mock. Together they
// reach every gated check: registration off and on, an allowlist, the
// provider off (with registration on, so only the provider switch explains a
// refused registration: reference §3 step 2).
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
	servers []*http.Server
	targets []conformance.Target
}

// startEmbeddedMocks starts one mock per configuration on 127.0.0.1, each
// with SiteURL = its own URL and the default identities, declared to the
// suite with their real settings.
func startEmbeddedMocks(ctx context.Context, devs []mockserver.Deviation) (*embeddedMocks, error) {
	m := &embeddedMocks{}
	for _, ec := range embeddedConfigs {
		var lc net.ListenConfig
		l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			m.close()
			return nil, fmt.Errorf("starting the embedded mock: %w", err)
		}
		cfg := mockserver.DefaultConfig()
		ec.edit(&cfg)
		cfg.SiteURL = "http://" + l.Addr().String()
		srv, err := mockserver.New(mockserver.WithConfig(cfg), mockserver.WithDeviations(devs...))
		if err != nil {
			_ = l.Close()
			m.close()
			return nil, err
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				_ = hs.Close()
			}
		}()
		m.servers = append(m.servers, hs)
		id := srv.Identities()
		m.targets = append(m.targets, conformance.Target{
			Name: ec.name,
			URL:  cfg.SiteURL,
			Tokens: map[conformance.Role]string{
				conformance.Admin:     id.SystemAdmin.Token,
				conformance.Manager:   id.OAuthManager.Token,
				conformance.Manager2:  id.OAuthManager2.Token,
				conformance.PlainUser: id.PlainUser.Token,
			},
			Declared: conformance.Declared{
				Provider:  gateOf(cfg.EnableOAuthServiceProvider),
				DCR:       gateOf(cfg.EnableDynamicClientRegistration),
				Allowlist: cfg.DCRRedirectURIAllowlist,
			},
		})
	}
	return m, nil
}

func gateOf(on bool) conformance.Gate {
	if on {
		return conformance.On
	}
	return conformance.Off
}

func (m *embeddedMocks) close() {
	for _, s := range m.servers {
		_ = s.Close()
	}
}
