package differ

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReplayRecordedRealServer replays the answers recorded from a real
// Mattermost 11.6 (testdata/mattermost-11.6.json, recorded with
// `mmoauth diff --record`) against the mock, offline: every difference must
// be one the allowlist explains (testdata/allow-11.6.json, each with its
// reason). Re-record against a newer release as the README says.
func TestReplayRecordedRealServer(t *testing.T) {
	var tr Transcript
	read(t, "testdata/mattermost-11.6.json", &tr)
	var allow []Allowed
	read(t, "testdata/allow-11.6.json", &allow)
	require.GreaterOrEqual(t, len(tr.Entries), 300)
	require.Contains(t, tr.Server, "11.6.")

	res, err := Replay(context.Background(), mockSide(t), &tr, allow)
	require.NoError(t, err)
	assert.Equal(t, len(tr.Entries), res.Requests)
	for _, d := range res.Differences {
		if d.Explained == "" {
			t.Errorf("%s: %s: the real server answered %s, the mock %s", d.Request.Name, d.Field, d.A, d.B)
		}
	}
	// Every allowlist entry still explains something: a fixed difference
	// leaves the list.
	for _, a := range allow {
		used := false
		for _, d := range res.Differences {
			if d.Explained == a.Reason {
				used = true
			}
		}
		assert.True(t, used, "allowlist entry %q/%s explains no difference any more: remove it", a.Request, a.Field)
	}
}

func read(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}
