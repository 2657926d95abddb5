package readmecheck

import (
	"context"
	"io"

	"github.com/mmoauth/mmoauth/conformance"
)

// readme:conformance

// CheckServer runs the conformance suite against a server and writes the
// JUnit report. Roles without a token have their checks skipped, not failed.
func CheckServer(ctx context.Context, serverURL string, tokens map[conformance.Role]string, junit io.Writer) (ok bool, err error) {
	report, err := conformance.Run(ctx, conformance.Options{ReadOnly: true}, conformance.Target{
		URL:    serverURL,
		Tokens: tokens, // conformance.Admin, Manager, Manager2, PlainUser
	})
	if err != nil {
		return false, err // *conformance.SetupError: unreachable, not Mattermost, token refused
	}
	if err := report.WriteJUnit(junit); err != nil {
		return false, err
	}
	return report.OK(), nil
}

// readme:end
