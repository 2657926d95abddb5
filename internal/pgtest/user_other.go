//go:build !unix

package pgtest

import (
	"context"
	"errors"
	"os/exec"
)

type osUser struct{}

func runAs() (osUser, error) {
	return osUser{}, errors.New("throw-away PostgreSQL servers are started on unix systems only")
}

func (osUser) own(string) error { return nil }

func (osUser) command(ctx context.Context, dir, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	return cmd
}
