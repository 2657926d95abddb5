package conformance_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// TestSetupNeverTurnsABrokenRuleIntoASkip: a target whose settings are
// detected, not declared, and whose answers to setup's probes break a rule.
// The owning check fails with the setup exchange as evidence, whatever
// setup could not learn blocks the checks that need it (never a skip), and
// the run fails.
func TestSetupNeverTurnsABrokenRuleIntoASkip(t *testing.T) {
	t.Parallel()
	detect := &conformance.Declared{}
	tests := []struct {
		name  string
		setup mockSetup
		owner string
		// blockedBy: checks (globs) that must be blocked by owner; nil when
		// the other evidence lets setup learn the setting anyway.
		blocked []string
		// ran: checks that must still have run (not skipped, not blocked).
		ran []string
	}{
		{"identity without roles", mockSetup{devs: []mockserver.Deviation{mockserver.DevMeWithoutRoles}, declared: detect},
			"setup/users-me/identity-resolved", []string{"permissions/get-app/admin-allowed", "permissions/create-app/plain-user-forbidden"},
			[]string{"rfc8414/metadata/served"}},
		{"anonymous /users/me answered", mockSetup{devs: []mockserver.Deviation{mockserver.DevAnonymousAllowed}, declared: detect},
			"setup/users-me/anonymous-unauthorized", nil, []string{"permissions/get-app/admin-allowed"}},
		{"registration error in the wrong body, metadata says on", mockSetup{devs: []mockserver.Deviation{mockserver.DevDCRAppErrorBody}, edit: dcrOn, declared: detect},
			"setup/dcr/state-consistent", nil, []string{"rfc7591/register/no-session-required", "rfc7591/errors/rfc7591-body"}},
		{"registration and metadata disagree", mockSetup{devs: []mockserver.Deviation{mockserver.DevRegistrationEndpointAlways}, declared: detect},
			"setup/dcr/state-consistent", []string{"rfc7591/disabled/refused", "rfc7591/register/no-session-required", "rfc8414/metadata/no-registration-endpoint-when-dcr-off"},
			[]string{"rfc8414/metadata/served"}},
		{"metadata served while the app API says the provider is off", mockSetup{devs: []mockserver.Deviation{mockserver.DevMetadataIgnoresProviderOff}, edit: providerOff, declared: detect},
			"setup/provider/state-consistent", []string{"permissions/get-app/admin-allowed", "rfc8414/metadata/served", "provider-off/metadata/not-implemented"}, nil},
		{"half system-wide managers", mockSetup{devs: []mockserver.Deviation{mockserver.DevNonCreatorCanAccess}, declared: detect},
			"setup/managers/scope-consistent", nil, []string{"permissions/get-app/non-creator-forbidden"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := run(t, conformance.Options{Skip: []string{bulkCheck}}, startMock(t, tc.setup))
			owner, ok := rep.Result(tc.owner)
			require.True(t, ok)
			require.Equal(t, conformance.StatusFail, owner.Status, "%s: %s", tc.owner, owner.Reason)
			require.NotEmpty(t, owner.Failures)
			assert.True(t, strings.HasPrefix(owner.Failures[0].Message, "during setup: "), owner.Failures[0].Message)
			assert.NotNil(t, owner.Failures[0].Exchange, "the setup exchange is the evidence")
			for _, id := range tc.blocked {
				res, ok := rep.Result(id)
				require.True(t, ok, id)
				assert.Equal(t, conformance.StatusBlocked, res.Status, "%s: %s %s", id, res.Status, res.Reason)
				assert.Equal(t, tc.owner, res.BlockedBy, id)
				assert.Contains(t, res.Reason, "blocked by "+tc.owner)
			}
			for _, id := range tc.ran {
				res, ok := rep.Result(id)
				require.True(t, ok, id)
				assert.NotContains(t, []conformance.Status{conformance.StatusSkip, conformance.StatusBlocked}, res.Status, "%s: %s", id, res.Reason)
			}
			if len(tc.blocked) > 0 {
				assert.Positive(t, rep.Summary.Blocked)
			}
			for _, r := range rep.Results {
				if r.Status == conformance.StatusSkip {
					assert.NotContains(t, r.Reason, "unknown", "%s skipped for an unknown setting: %s", r.ID, r.Reason)
				}
			}
			assert.False(t, rep.OK())
			assert.Equal(t, 1, rep.ExitCode())
		})
	}
}

// TestFaithfulMockDetected: the same probes on a faithful mock whose
// settings are detected find nothing and block nothing, in every state.
func TestFaithfulMockDetected(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]func(*mockserver.Config){"dcr off": nil, "dcr on": dcrOn, "provider off": providerOff} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep := run(t, conformance.Options{Only: []string{"setup/**", "rfc8414/**", "rfc7591/**"}},
				startMock(t, mockSetup{edit: edit, declared: &conformance.Declared{}, validate: true}))
			assert.Zero(t, rep.Summary.Failed, "%v", rep.IDs(conformance.StatusFail))
			assert.Zero(t, rep.Summary.Blocked, "%v", rep.IDs(conformance.StatusBlocked))
			assert.Positive(t, rep.Summary.Ran)
		})
	}
}
