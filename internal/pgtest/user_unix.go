//go:build unix

package pgtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// osUser is who runs the server: PostgreSQL refuses to run as root, so as
// root it is the "postgres" OS user the Debian package creates.
type osUser struct {
	cred *syscall.Credential // nil: the current user
}

func runAs() (osUser, error) {
	if os.Geteuid() != 0 {
		return osUser{}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return osUser{}, errors.New("running as root, and there is no \"postgres\" OS user to run PostgreSQL as")
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return osUser{}, errors.New("the \"postgres\" OS user has no numeric uid/gid")
	}
	return osUser{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
}

// own gives dir (new and empty: the server's tools fill it) to the
// server's OS user.
func (u osUser) own(dir string) error {
	if u.cred == nil {
		return nil
	}
	return os.Chown(dir, int(u.cred.Uid), int(u.cred.Gid))
}

func (u osUser) command(ctx context.Context, dir, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...) //nolint:gosec // G204: PostgreSQL's own tools
	cmd.Dir = dir
	if u.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: u.cred}
		cmd.Env = append(os.Environ(), "HOME="+dir)
	}
	return cmd
}
