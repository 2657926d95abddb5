package conformance_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// adminClient talks to the mock behind the suite's back, to see what the
// run left.
func adminClient(t *testing.T, tg conformance.Target) *client.Client {
	t.Helper()
	c, err := client.New(tg.URL, client.WithToken(tg.Tokens[conformance.Admin]), client.WithRetryPolicy(client.NoRetry()))
	require.NoError(t, err)
	return c
}

// appIDs lists every app on the mock.
func appIDs(t *testing.T, c *client.Client) []string {
	t.Helper()
	var ids []string
	for a, err := range c.OAuthApps(context.Background(), models.MaxPerPage) {
		require.NoError(t, err)
		ids = append(ids, a.ID)
	}
	return ids
}

func appRequest(name string) *models.CreateOAuthAppRequest {
	return &models.CreateOAuthAppRequest{Name: name, CallbackURLs: []string{"https://x.invalid/cb"}, Homepage: "https://x.invalid"}
}

// createThen is a check that creates an app as the manager and then does
// something else.
func createThen(id string, then func(ctx context.Context, t *conformance.T)) conformance.Check {
	return conformance.Check{
		ID: id, Category: conformance.CategoryBehaviour, Kind: conformance.KindCompat,
		Rule: "test check", Source: "runner_test.go §1",
		Needs: conformance.Needs{Roles: []conformance.Role{conformance.Manager}, Creates: true},
		Run: func(ctx context.Context, t *conformance.T) {
			if _, _, err := t.Client(conformance.Manager).CreateOAuthApp(ctx, appRequest("runner test")); err != nil {
				t.Fatalf("create: %v", err)
			}
			then(ctx, t)
		},
	}
}

// TestCleanup: whatever way a check ends, its apps are deleted; apps the
// run did not create are left alone.
func TestCleanup(t *testing.T) {
	tests := []struct {
		name   string
		then   func(ctx context.Context, t *conformance.T)
		status conformance.Status
		detail string
	}{
		{"pass", func(context.Context, *conformance.T) {}, conformance.StatusPass, ""},
		{"failure", func(_ context.Context, t *conformance.T) { t.Errorf("broken on purpose") }, conformance.StatusFail, "broken on purpose"},
		{"fatal", func(_ context.Context, t *conformance.T) { t.Fatalf("fatal on purpose") }, conformance.StatusFail, "fatal on purpose"},
		{"panic", func(context.Context, *conformance.T) { panic("boom") }, conformance.StatusFail, "panic: boom"},
		{"skip", func(_ context.Context, t *conformance.T) { t.Skipf("skipped on purpose") }, conformance.StatusSkip, "skipped on purpose"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := startMock(t, mockSetup{})
			admin := adminClient(t, tg)
			theirs, _, err := admin.CreateOAuthApp(context.Background(), appRequest("not the suite's"))
			require.NoError(t, err)

			after := conformance.Check{
				ID: "test/runner/after", Category: conformance.CategoryBehaviour, Kind: conformance.KindCompat,
				Rule: "runs after the broken one", Source: "runner_test.go §1",
				Run: func(context.Context, *conformance.T) {},
			}
			rep := run(t, conformance.Options{Concurrency: 1, Checks: []conformance.Check{createThen("test/runner/check", tc.then), after}}, tg)
			res, _ := rep.Result("test/runner/check")
			assert.Equal(t, tc.status, res.Status)
			if tc.detail != "" {
				assert.Contains(t, failureSummary(res)+res.Reason, tc.detail)
			}
			next, _ := rep.Result("test/runner/after")
			assert.Equal(t, conformance.StatusPass, next.Status, "the run goes on after the check")

			assert.Equal(t, []string{theirs.ID}, appIDs(t, admin), "only the app the run did not create is left")
			// No selected check needs the managers' scope, so setup
			// created no probe app: the check's app is the only one.
			assert.Equal(t, 1, rep.Targets[0].AppsCreated)
			assert.Empty(t, rep.Targets[0].Leftovers)
		})
	}
}

// TestCleanupOnCancel: Ctrl-C while a check runs still deletes its app, with
// a fresh context, and the report says the run was interrupted.
func TestCleanupOnCancel(t *testing.T) {
	tg := startMock(t, mockSetup{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	blocked := createThen("test/runner/blocked", func(ctx context.Context, _ *conformance.T) {
		cancel() // the user presses Ctrl-C while the check is running
		<-ctx.Done()
	})
	rep, err := conformance.Run(ctx, conformance.Options{Checks: []conformance.Check{blocked}}, tg)
	require.NoError(t, err)
	assert.Equal(t, "cancelled", rep.Interrupted)
	assert.False(t, rep.OK())
	assert.Empty(t, appIDs(t, adminClient(t, tg)))
	res, _ := rep.Result("test/runner/blocked")
	assert.Equal(t, conformance.StatusSkip, res.Status, "an interrupted check is not a server failure")
}

// TestMaxTime: a run that hits its time limit stops, cleans up, and skips
// what it did not run.
func TestMaxTime(t *testing.T) {
	tg := startMock(t, mockSetup{})
	slow := createThen("test/runner/slow", func(ctx context.Context, _ *conformance.T) { <-ctx.Done() })
	never := conformance.Check{ID: "test/runner/never", Category: conformance.CategoryBehaviour, Kind: conformance.KindCompat,
		Rule: "never runs", Source: "runner_test.go §1", Run: func(context.Context, *conformance.T) {}}
	rep := run(t, conformance.Options{Concurrency: 1, MaxTime: 300 * time.Millisecond, Checks: []conformance.Check{slow, never}}, tg)
	assert.Contains(t, rep.Interrupted, "time limit")
	res, _ := rep.Result("test/runner/never")
	assert.Equal(t, conformance.StatusSkip, res.Status)
	assert.Contains(t, res.Reason, "time limit")
	assert.Empty(t, appIDs(t, adminClient(t, tg)))
}

// TestLeftoverReported: a registered client needs the admin to be deleted;
// without that identity it is reported as left behind and the run fails.
func TestLeftoverReported(t *testing.T) {
	tg := startMock(t, mockSetup{edit: dcrOn})
	adminToken := tg.Tokens[conformance.Admin]
	delete(tg.Tokens, conformance.Admin)
	reg := conformance.Check{
		ID: "test/runner/register", Category: conformance.CategoryRFC7591, Kind: conformance.KindCompat,
		Rule: "registers without the admin", Source: "runner_test.go §1",
		Run: func(ctx context.Context, t *conformance.T) {
			req := &models.ClientRegistrationRequest{RedirectURIs: []string{"https://x.invalid/cb"}}
			if _, _, err := t.Client(conformance.Anonymous).RegisterOAuthClient(ctx, req); err != nil {
				t.Fatalf("register: %v", err)
			}
		},
	}
	rep := run(t, conformance.Options{Checks: []conformance.Check{reg}}, tg)
	require.Len(t, rep.Targets[0].Leftovers, 1)
	assert.Contains(t, rep.Targets[0].Leftovers[0], "test/runner/register")
	assert.Equal(t, 1, rep.ExitCode())
	var out bytes.Buffer
	require.NoError(t, rep.WriteText(&out))
	assert.Contains(t, out.String(), "LEFTOVER")

	tg.Tokens[conformance.Admin] = adminToken
	assert.Len(t, appIDs(t, adminClient(t, tg)), 1, "the leftover is real")
}

// TestReadOnly: --read-only runs only checks that create nothing, and the
// server ends with no app at all.
func TestReadOnly(t *testing.T) {
	tg := startMock(t, mockSetup{})
	rep := run(t, conformance.Options{ReadOnly: true}, tg)
	assert.Zero(t, rep.Targets[0].AppsCreated)
	assert.Empty(t, appIDs(t, adminClient(t, tg)))
	assert.Zero(t, rep.Summary.Failed, "%v", rep.IDs(conformance.StatusFail))
	ran := rep.IDs(conformance.StatusPass, conformance.StatusWarn)
	assert.Contains(t, ran, "permissions/get-app/anonymous-unauthorized")
	assert.Contains(t, ran, "input/app-id/malformed-400")
	for _, id := range ran {
		c, _ := conformance.Lookup(id)
		assert.False(t, c.Needs.Creates, "%s creates apps but ran in read-only mode", id)
	}
	res, _ := rep.Result("apps/crud/round-trip")
	assert.Equal(t, conformance.StatusSkip, res.Status)
	assert.Contains(t, res.Reason, "read-only")
}

// TestMissingIdentities: checks of an identity without a token are skipped
// with the reason, not failed.
func TestMissingIdentities(t *testing.T) {
	tg := startMock(t, mockSetup{})
	delete(tg.Tokens, conformance.Manager2)
	delete(tg.Tokens, conformance.PlainUser)
	rep := run(t, conformance.Options{}, tg)
	assert.Zero(t, rep.Summary.Failed, "%v", rep.IDs(conformance.StatusFail))
	res, _ := rep.Result("permissions/get-app/non-creator-forbidden")
	assert.Equal(t, conformance.StatusSkip, res.Status)
	assert.Equal(t, "no manager2 identity given", res.Reason)
	res, _ = rep.Result("permissions/create-app/plain-user-forbidden")
	assert.Equal(t, "no user identity given", res.Reason)
	// Flow checks fall back to manager2, then skip without either.
	res, _ = rep.Result("authorized/authorize/listed")
	assert.Equal(t, conformance.StatusSkip, res.Status)
}

// TestServerErrorsAreReported: a 500 from the server fails the check that
// got it, even when a retry then succeeded (a live server's 500 is news).
func TestServerErrorsAreReported(t *testing.T) {
	tg := startMock(t, mockSetup{faults: []mockserver.Fault{{Route: "GetOAuthAppInfo", Status: http.StatusInternalServerError, Count: 1}}})
	rep := run(t, conformance.Options{Only: []string{"secrets/app-info/blanked"}}, tg)
	res, _ := rep.Result("secrets/app-info/blanked")
	assert.Equal(t, conformance.StatusFail, res.Status)
	assert.Contains(t, failureSummary(res), "server error 500 on GET /api/v4/oauth/apps/")
}

// TestProgress: the progress line counts the checks as they finish and is
// erased at the end.
func TestProgress(t *testing.T) {
	tg := startMock(t, mockSetup{})
	var progress bytes.Buffer
	rep := run(t, conformance.Options{Progress: &progress, Only: []string{"rfc8414/**"}}, tg)
	ran := len(rep.IDs(conformance.StatusPass, conformance.StatusWarn, conformance.StatusFail))
	out := progress.String()
	assert.Contains(t, out, "rfc8414/metadata/served")
	assert.Contains(t, out, fmt.Sprintf("[%d/%d]", ran, ran))
	assert.True(t, strings.HasSuffix(out, "\r\033[K"), "the line is erased at the end")
}
