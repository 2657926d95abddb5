//go:build live

package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/internal/livetarget"
)

// TestLivePermissionMatrix runs every client method as every identity
// against the live server (make test-live), as TestPermissionMatrixThrough-
// TheClient does against the mock, and deletes every app it made.
func TestLivePermissionMatrix(t *testing.T) {
	srv := livetarget.FromEnv(t)
	r := newRig(t, srv.URL, map[string]string{
		"U": srv.Tokens[conformance.PlainUser], "C": srv.Tokens[conformance.Manager],
		"N": srv.Tokens[conformance.Manager2], "SA": srv.Tokens[conformance.Admin],
	})
	t.Cleanup(func() {
		for _, id := range r.created {
			if _, _, err := r.as["SA"].DeleteOAuthApp(context.Background(), id); err != nil && !errors.Is(err, client.ErrNotFound) {
				t.Errorf("cleanup: deleting %s: %v", id, err)
			}
		}
	})
	var skip []string
	if !srv.Version.AtLeast(11, 2) {
		// Releases before 11.2 have no metadata and no registration.
		skip = append(skip, "RegisterOAuthClient", "GetAuthorizationServerMetadata")
	} else if meta, _, err := r.as["anon"].GetAuthorizationServerMetadata(context.Background()); err == nil && !meta.SupportsRegistration() {
		skip = append(skip, "RegisterOAuthClient")
	}
	runMatrix(t, r, skip...)
}
