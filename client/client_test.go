package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

func TestNewValidatesBaseURL(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "mm.test", "/api", "ftp://mm.test", "http://", "http://mm.test/?x=1", "http://mm.test/#f", "http://mm.test/#", "http://mm.test/?", "http://user:pa55word@mm.test", "http://mm.test\x7f"} {
		c, err := New(raw)
		assert.Nil(t, c, raw)
		require.Error(t, err, raw)
		assert.NotContains(t, err.Error(), "pa55word", "never echoes a password")
	}
	for raw, want := range map[string]string{
		"http://mm.test":        "http://mm.test",
		"http://mm.test/":       "http://mm.test",
		"https://mm.test/chat/": "https://mm.test/chat",
		"http://127.0.0.1:8065": "http://127.0.0.1:8065",
	} {
		c, err := New(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, c.BaseURL())
	}
}

func TestNewOptions(t *testing.T) {
	t.Parallel()
	_, err := New(testBase, WithToken("a"), WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "b"})))
	require.Error(t, err, "two credentials are a mistake")

	c, err := New(testBase, nil, WithHTTPClient(nil))
	require.NoError(t, err, "nil options are ignored; a nil *http.Client means the default one")
	require.NotNil(t, c.hc)
	assert.NotNil(t, c.hc.CheckRedirect)
	assert.Equal(t, DefaultUserAgent, c.userAgent)
	assert.Equal(t, DefaultRetryPolicy(), c.policy)
	assert.Nil(t, c.logger)
	assert.NotSame(t, http.DefaultTransport, c.hc.Transport, "own connection pool")

	hc := &http.Client{}
	c, err = New(testBase, WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Same(t, hc, c.hc)
	assert.Nil(t, hc.CheckRedirect, "a given client is not modified")
}

func TestWithTokenCopiesAndShares(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{{status: 200, body: `{"id":"` + userID + `"}`}})
	other := f.c.WithToken("other-token-value-1234567")
	anon := f.c.WithToken("")
	for _, c := range []*Client{f.c, other, anon} {
		_, _, err := c.GetMe(t.Context())
		require.NoError(t, err)
		assert.Same(t, f.c.hc, c.hc, "one transport")
	}
	reqs := f.s.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "Bearer "+testToken, reqs[0].Header.Get("Authorization"), "the original is unchanged")
	assert.Equal(t, "Bearer other-token-value-1234567", reqs[1].Header.Get("Authorization"))
	assert.Empty(t, reqs[2].Header.Values("Authorization"))
}

func TestTokenSourceErrorStopsBeforeIO(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.c.WithToken("")
	c.ts = failingSource{}
	_, _, err := c.GetMe(t.Context())
	require.ErrorIs(t, err, errNoToken)
	assert.Empty(t, f.s.requests())

	c.ts = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "from-source", TokenType: "bearer"})
	_, _, err = c.GetMe(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "Bearer from-source", f.s.requests()[0].Header.Get("Authorization"))
}

var errNoToken = errors.New("no token")

type failingSource struct{}

func (failingSource) Token() (*oauth2.Token, error) { return nil, errNoToken }

func TestClientNeverPrintsItsToken(t *testing.T) {
	t.Parallel()
	c, err := New(testBase, WithToken(testToken))
	require.NoError(t, err)
	ts, err := New(testBase, WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})))
	require.NoError(t, err)
	var logged syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logged, nil))
	for _, v := range []any{c, *c, ts, *ts, []*Client{c}, struct{ C Client }{*c}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			assertNoSecret(t, verb, fmt.Sprintf(verb, v), testToken)
		}
		logger.Info("client", "c", v)
	}
	assertNoSecret(t, "slog", logged.String(), testToken)
	assert.Equal(t, "client.Client{base: http://mm.test, auth: bearer token}", c.String())
	assert.Equal(t, "client.Client{base: http://mm.test, auth: token source}", fmt.Sprint(ts))
}
