package differ

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

// TestReplayRecordedRealServer replays the answers recorded from real
// Mattermost servers (testdata/mattermost-X.Y.json, recorded with `mmoauth
// diff --record`) against the mock emulating that release, offline: every
// difference must be one the release's allowlist explains
// (testdata/allow-X.Y.json, each entry with its reason; none is an empty
// list). Re-record against a newer release as the README says.
func TestReplayRecordedRealServer(t *testing.T) {
	for _, release := range []models.Release{{Major: 9, Minor: 10}, {Major: 11, Minor: 6}} {
		t.Run(release.String(), func(t *testing.T) { replayRelease(t, release) })
	}
}

func replayRelease(t *testing.T, release models.Release) {
	var tr Transcript
	read(t, "testdata/mattermost-"+release.String()+".json", &tr)
	var allow []Allowed
	if _, err := os.Stat("testdata/allow-" + release.String() + ".json"); err == nil {
		read(t, "testdata/allow-"+release.String()+".json", &allow)
	}
	require.GreaterOrEqual(t, len(tr.Entries), 300)
	require.True(t, strings.HasPrefix(tr.Server, release.String()+"."), "recorded from %s", tr.Server)

	res, err := Replay(context.Background(), mockRelease(t, release), &tr, allow)
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
