package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// The setup checks own the rules setup relies on: how the server answers an
// anonymous /users/me, an identity's /users/me, and the probes that read its
// settings. Setup runs the same probes; when one of its answers breaks a
// rule, the owning check fails with that exchange as evidence and the checks
// that needed what setup could not learn are blocked by it (Runner). Run as
// checks, they probe again, so that a target whose settings were declared is
// held to the same rules.

// Ids of the setup checks, which setup's findings name as their owners.
const (
	chkAnonymousMe = "setup/users-me/anonymous-unauthorized"
	chkIdentities  = "setup/users-me/identity-resolved"
	chkProvider    = "setup/provider/state-consistent"
	chkDCR         = "setup/dcr/state-consistent"
	chkScope       = "setup/managers/scope-consistent"
)

func setupChecks() []Check {
	return []Check{
		{
			ID: chkAnonymousMe, Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "GET /api/v4/users/me without a session answers 401 " + idSessionExpired + " in an AppError body",
			Source: "server/channels/web/handlers.go ServeHTTP (RequireSession); seen on Mattermost 9.10 and 11.6",
			Needs:  Needs{AnyProvider: true},
			Run: func(ctx context.Context, t *T) {
				r, _, err := t.env.probe(ctx, Anonymous, http.MethodGet, usersMePath, nil)
				if err != nil {
					t.Fatalf("GET %s: no answer: %s", usersMePath, transportMessage(err))
				}
				for _, p := range anonymousMeProblems(r, nil) {
					t.Errorf("%s", p.msg)
				}
			},
		},
		{
			ID: chkIdentities, Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "GET /api/v4/users/me with an identity's token answers 200 with that user: a 26-character id, a username and roles, the same on every call",
			Source: "server/channels/api4/user.go getUser (users/me); seen on Mattermost 9.10 and 11.6",
			Needs:  Needs{AnyProvider: true},
			Run: func(ctx context.Context, t *T) {
				checked := 0
				for _, role := range Roles() {
					if !t.Has(role) {
						continue
					}
					checked++
					r, _, err := t.env.probe(ctx, role, http.MethodGet, usersMePath, nil)
					if err != nil {
						t.Errorf("GET %s as %s: no answer: %s", usersMePath, role, transportMessage(err))
						continue
					}
					u, probs := identityProblems(role, r, nil)
					for _, p := range probs {
						t.Errorf("%s", p.msg)
					}
					if prev := t.env.users[role]; u != nil && prev != nil && u.ID != prev.ID {
						t.Errorf("the %s token was user %s at setup and is user %s now", role, prev.ID, u.ID)
					}
				}
				if checked == 0 {
					t.Skipf("no identity given")
				}
			},
		},
		{
			ID: chkProvider, Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "The OAuth provider setting reads the same on every route: the metadata (200 on, 501 off, 404 before 11.2) and the app list (200 on, 501 " + idProviderOff + " off) agree, and agree with what the run was told",
			Source: "server/channels/web/oauth.go authorizationServerMetadata; server/channels/app/oauth.go GetOAuthApps; seen on Mattermost 11.6 (on and off), 9.10 (list only)",
			Needs:  Needs{AnyProvider: true},
			Run: func(ctx context.Context, t *T) {
				ev := t.env.probeProvider(ctx)
				for _, p := range ev.problems {
					t.Errorf("%s", p.msg)
				}
				if want := GateOf(t.Settings().Provider); ev.state != Either && ev.state != want {
					t.Errorf("the server's answers say the OAuth provider is %s, but the run treats it as %s (declared with --provider?)", ev.state, want)
				}
			},
		},
		{
			ID: chkDCR, Category: CategoryRFC7591, Kind: KindCompat,
			Rule:   "A registration without a redirect URI is refused with 400 in an RFC 7591 body (invalid_client_metadata while registration is on, unsupported_operation while off), and the metadata lists registration_endpoint exactly when it is on",
			Source: "RFC 7591 §3.2.2; server/channels/api4/oauth.go registerOAuthClient; server/channels/web/oauth.go authorizationServerMetadata; seen on Mattermost 11.6 (on and off), 9.10 (no endpoint)",
			Needs:  Needs{},
			Run: func(ctx context.Context, t *T) {
				meta, _, err := t.env.probeMetadata(ctx)
				if err != nil {
					t.Fatalf("GET %s: no answer: %s", metadataPath, transportMessage(err))
				}
				ev := t.env.probeDCR(ctx, answer{r: meta})
				for _, p := range ev.problems {
					t.Errorf("%s", p.msg)
				}
				if want := t.Settings().DCR; ev.state != Either && want != Either && ev.state != want {
					t.Errorf("the server's answers say dynamic client registration is %s, but the run treats it as %s (declared with --dcr?)", ev.state, want)
				}
			},
		},
		{
			ID: chkScope, Category: CategoryPermission, Kind: KindCompat,
			Rule:   "A manage_oauth user can create an app, and a second manage_oauth user can either both read and list it (system-wide) or neither (creator-scoped), never one without the other",
			Source: "server/channels/api4/oauth.go getOAuthApp, getOAuthApps (manage_system_wide_oauth decides both); seen on Mattermost 11.6",
			Needs:  Needs{Roles: []Role{Manager, Manager2}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				_, probs := t.env.probeScope(ctx)
				for _, p := range probs {
					t.Errorf("%s", p.msg)
				}
			},
		},
	}
}

// usersMePath is the current user (server/channels/api4/user.go).
const usersMePath = "/api/v4/users/me"

// anonymousMeProblems judges the answer to GET /users/me without a session.
func anonymousMeProblems(r *rawResponse, ex *Exchange) []problem {
	if r.Status == http.StatusUnauthorized && r.errorID() == idSessionExpired && r.shapeFits(idSessionExpired) {
		return nil
	}
	got := describeStatus(r.Status, r.errorID())
	if _, ok := r.appError(); r.Status == http.StatusUnauthorized && !ok {
		got += " without an AppError body"
	}
	return []problem{{fmt.Sprintf("GET %s without a session got %s, want 401 %s", usersMePath, got, idSessionExpired), ex}}
}

// identityProblems judges the answer to GET /users/me with role's token and
// returns the user when it is usable.
func identityProblems(role Role, r *rawResponse, ex *Exchange) (*models.User, []problem) {
	if r.Status != http.StatusOK {
		return nil, []problem{{fmt.Sprintf("GET %s as %s got %s, want 200 with the user", usersMePath, role, describeStatus(r.Status, r.errorID())), ex}}
	}
	var u models.User
	if err := json.Unmarshal(r.Body, &u); err != nil {
		return nil, []problem{{fmt.Sprintf("GET %s as %s: the 200 body is not a user: %s", usersMePath, role, oneLine(err.Error())), ex}}
	}
	var missing []string
	if !models.IsValidID(u.ID) {
		missing = append(missing, fmt.Sprintf("an id of 26 lower-case letters and digits (got %q)", u.ID))
	}
	if strings.TrimSpace(u.Username) == "" {
		missing = append(missing, "a username")
	}
	if strings.TrimSpace(u.Roles) == "" {
		missing = append(missing, "roles")
	}
	if len(missing) > 0 {
		return nil, []problem{{fmt.Sprintf("GET %s as %s: the user has no %s", usersMePath, role, strings.Join(missing, ", no ")), ex}}
	}
	return &u, nil
}
