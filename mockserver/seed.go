package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Seed is the content of a seed file (mmoauth mock --seed FILE):
//
//	{
//	  "users": [
//	    {"id": "…26 chars…", "username": "alice", "email": "alice@example.com",
//	     "roles": "system_user", "permissions": ["manage_oauth"], "token": "…"}
//	  ],
//	  "config": {
//	    "site_url": "http://127.0.0.1:8065",
//	    "enable_oauth_service_provider": true,
//	    "enable_dynamic_client_registration": true,
//	    "dcr_redirect_uri_allowlist": ["https://*.example.com/**"],
//	    "enable_dcr_rate_limit": false,
//	    "enable_developer": false
//	  }
//	}
//
// Users, when present, replace the default identities; a missing id or token
// is generated. Config keys that are absent keep their defaults.
type Seed struct {
	Users  []User      `json:"users,omitempty"`
	Config *SeedConfig `json:"config,omitempty"`
}

// SeedConfig is the "config" object of a seed file; nil fields keep the
// current value.
type SeedConfig struct {
	SiteURL                         *string  `json:"site_url,omitempty"`
	EnableOAuthServiceProvider      *bool    `json:"enable_oauth_service_provider,omitempty"`
	EnableDynamicClientRegistration *bool    `json:"enable_dynamic_client_registration,omitempty"`
	DCRRedirectURIAllowlist         []string `json:"dcr_redirect_uri_allowlist,omitempty"`
	EnableDCRRateLimit              *bool    `json:"enable_dcr_rate_limit,omitempty"`
	EnableDeveloper                 *bool    `json:"enable_developer,omitempty"`
}

// Apply overlays the fields the seed sets on c; a nil SeedConfig changes
// nothing.
func (s *SeedConfig) Apply(c *Config) {
	if s == nil {
		return
	}
	if s.SiteURL != nil {
		c.SiteURL = *s.SiteURL
	}
	if s.EnableOAuthServiceProvider != nil {
		c.EnableOAuthServiceProvider = *s.EnableOAuthServiceProvider
	}
	if s.EnableDynamicClientRegistration != nil {
		c.EnableDynamicClientRegistration = *s.EnableDynamicClientRegistration
	}
	if s.DCRRedirectURIAllowlist != nil {
		c.DCRRedirectURIAllowlist = append([]string(nil), s.DCRRedirectURIAllowlist...)
	}
	if s.EnableDCRRateLimit != nil {
		c.EnableDCRRateLimit = *s.EnableDCRRateLimit
	}
	if s.EnableDeveloper != nil {
		c.EnableDeveloper = *s.EnableDeveloper
	}
}

// maxSeedBytes bounds a seed file; seeds are small hand-written documents.
const maxSeedBytes = 4 << 20

// LoadSeed decodes a seed file. Unknown keys are refused so that a typo does
// not silently leave a setting at its default; the users are checked as New
// checks them (valid, unique ids, usernames and tokens).
func LoadSeed(r io.Reader) (Seed, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxSeedBytes))
	dec.DisallowUnknownFields()
	var s Seed
	if err := dec.Decode(&s); err != nil {
		return Seed{}, fmt.Errorf("seed: %w", err)
	}
	if dec.More() {
		return Seed{}, errors.New("seed: trailing data after the JSON object")
	}
	if len(s.Users) > 0 {
		users, err := checkUsers(s.Users)
		if err != nil {
			return Seed{}, fmt.Errorf("seed: %w", err)
		}
		s.Users = users
	}
	return s, nil
}
