package mockserver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

// rawCreate posts a create over a fresh connection and returns the answer
// as net/http delivers it: the response (its body unread) or the error.
func rawCreate(t *testing.T, ts *TestServer, name string) (*http.Response, error) {
	t.Helper()
	body, err := json.Marshal(newApp(name))
	require.NoError(t, err)
	r, err := http.NewRequestWithContext(context.Background(), http.MethodPost, ts.URL+"/api/v4/oauth/apps", strings.NewReader(string(body)))
	require.NoError(t, err)
	r.Header.Set("Authorization", "Bearer "+ts.Identities.OAuthManager.Token)
	r.Header.Set("Content-Type", "application/json")
	r.Close = true // a fresh connection: the transport cannot replay on a reused one
	return ts.Client().Do(r)
}

// appsNamed counts the stored apps with name.
func appsNamed(ts *TestServer, name string) int {
	n := 0
	for _, a := range ts.Server.mem().pageApps(nil, 0, 1<<20) {
		if a.Name == name {
			n++
		}
	}
	return n
}

// TestFaultsAfterTheHandler: drop-after, truncate and garbage let the
// operation run (the app exists afterwards) and break only its answer, the
// way a network or a proxy fails after the server acted; the next request
// is served normally (Count: 1).
func TestFaultsAfterTheHandler(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		// check gets the response (nil on error), whose body it closes.
		check func(t *testing.T, resp *http.Response, err error)
	}{
		{"drop-after: no byte of the answer", Fault{Route: "CreateOAuthApp", DropAfter: true, Count: 1}, func(t *testing.T, resp *http.Response, err error) {
			require.Error(t, err)
			assert.True(t, errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset"), err.Error())
		}},
		{"truncate: half the body, then EOF", Fault{Route: "CreateOAuthApp", Truncate: true, Count: 1}, func(t *testing.T, resp *http.Response, err error) {
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, http.StatusCreated, resp.StatusCode)
			assert.Positive(t, resp.ContentLength)
			b, err := io.ReadAll(resp.Body)
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
			assert.Less(t, int64(len(b)), resp.ContentLength)
			assert.Error(t, json.Unmarshal(b, &models.OAuthApp{}))
		}},
		{"garbage: an HTML page with the same status", Fault{Route: "CreateOAuthApp", Garbage: true, Count: 1}, func(t *testing.T, resp *http.Response, err error) {
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, http.StatusCreated, resp.StatusCode)
			assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, garbageBody, string(b))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTestServer(t, WithFaults(tt.fault))
			resp, err := rawCreate(t, ts, "faulted")
			if err == nil {
				defer resp.Body.Close()
			}
			tt.check(t, resp, err)
			assert.Equal(t, 1, appsNamed(ts, "faulted"), "the operation ran once and its effect is kept")
			createApp(t, ts, ts.Identities.OAuthManager.Token, newApp("after"))
			assert.Equal(t, 1, appsNamed(ts, "after"))
		})
	}
}

// TestFaultStatusMangled: with a status, truncate and garbage break the
// injected answer and the handler never runs.
func TestFaultStatusMangled(t *testing.T) {
	for _, f := range []Fault{
		{Route: "CreateOAuthApp", Status: 502, Garbage: true},
		{Route: "CreateOAuthApp", Status: 503, Truncate: true},
	} {
		ts := NewTestServer(t, WithFaults(f))
		resp, err := rawCreate(t, ts, "never")
		require.NoError(t, err)
		assert.Equal(t, f.Status, resp.StatusCode)
		b, readErr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if f.Garbage {
			require.NoError(t, readErr)
			assert.Equal(t, garbageBody, string(b))
		} else {
			require.ErrorIs(t, readErr, io.ErrUnexpectedEOF)
		}
		assert.Zero(t, appsNamed(ts, "never"))
	}
}

// TestParseFaultAfterModes covers the keys of the modes that act after the
// handler and their refusals.
func TestParseFaultAfterModes(t *testing.T) {
	tests := []struct {
		in      string
		want    Fault
		wantErr string
	}{
		{"route=CreateOAuthApp,drop-after", Fault{Route: "CreateOAuthApp", DropAfter: true}, ""},
		{"truncate,count=2", Fault{Truncate: true, Count: 2}, ""},
		{"status=502,garbage=true", Fault{Status: 502, Garbage: true}, ""},
		{"drop=false,latency=1ms", Fault{Latency: 1e6}, ""},
		{"drop-after,status=500", Fault{}, "cannot both"},
		{"truncate,garbage", Fault{}, "only be one"},
		{"drop,drop-after", Fault{}, "only be one"},
		{"garbage=maybe", Fault{}, "garbage"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFault(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
