package exampletest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/examples/internal/exampleenv"
)

// Fail runs an example that must fail and returns its error.
func Fail(t *testing.T, run RunFunc, args ...string) error {
	t.Helper()
	t.Setenv(exampleenv.EnvToken, "")
	var out bytes.Buffer
	err := run(context.Background(), args, &out)
	require.Error(t, err, "output:\n%s", out.String())
	// Error messages may carry request ids, which look like secrets; the
	// output must not.
	AssertNoSecretLike(t, out.String())
	return err
}

// UsageCases checks the shared flags: each case fails with a usage error
// naming the flag, before any server is contacted.
func UsageCases(t *testing.T, run RunFunc) {
	t.Helper()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"token without url", []string{"-token", "x"}, "-token"},
		{"url without token", []string{"-url", "http://127.0.0.1:1"}, "-token"},
		{"unknown flag", []string{"-nope"}, "-nope"},
		{"argument", []string{"extra"}, `unexpected argument "extra"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Fail(t, run, tc.args...)
			var ue *exampleenv.UsageError
			require.True(t, errors.As(err, &ue), "want a usage error, got %v", err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	t.Run("help", func(t *testing.T) {
		assert.ErrorIs(t, Fail(t, run, "-h"), flag.ErrHelp)
	})
}
