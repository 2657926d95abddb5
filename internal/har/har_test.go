package har_test

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/internal/har"
	"github.com/mmoauth/mmoauth/internal/har/hartest"
)

func TestWriterWritesValidHAR(t *testing.T) {
	started := time.Date(2026, 11, 26, 13, 19, 59, 123456789, time.UTC)
	tests := []struct {
		name    string
		entries []*har.Exchange
		check   func(t *testing.T, l *har.Log)
	}{
		{"no entries", nil, func(t *testing.T, l *har.Log) { assert.Empty(t, l.Entries) }},
		{"json exchange with a check", []*har.Exchange{{
			Started: started, Method: "POST", URL: "http://127.0.0.1:1/api/v4/oauth/apps?x=1&y=a%20b",
			RequestHeader: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer [REDACTED]"}},
			RequestBody:   `{"name":"x"}`, RequestBodySize: 12,
			Status: 201, ResponseHeader: http.Header{"Content-Type": {"application/json"}},
			ResponseBody: `{"id":"a"}`, ResponseBodySize: 10,
			Wait: 1500 * time.Microsecond, Total: 2 * time.Millisecond, Check: "schema/create-app/response",
		}}, func(t *testing.T, l *har.Log) {
			e := l.Entries[0]
			assert.Equal(t, "schema/create-app/response", e.Check)
			assert.Contains(t, e.Comment, "schema/create-app/response")
			assert.Equal(t, []har.NameValue{{Name: "x", Value: "1"}, {Name: "y", Value: "a b"}}, e.Request.QueryString)
			assert.Equal(t, "2026-11-26T13:19:59.123Z", e.StartedDateTime)
			assert.InDelta(t, 2.0, e.Time, 0.0001)
			assert.Equal(t, "Created", e.Response.StatusText)
			require.NotNil(t, e.Request.PostData)
			assert.Equal(t, "application/json", e.Request.PostData.MimeType)
		}},
		{"form body and a redirect", []*har.Exchange{{
			Started: started, Method: "POST", URL: "http://127.0.0.1:1/oauth/access_token",
			RequestHeader: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			RequestBody:   "grant_type=authorization_code&code=%5BREDACTED%5D", RequestBodySize: 60,
			Status: 302, ResponseHeader: http.Header{"Location": {"https://cb.invalid/?state=s"}},
		}}, func(t *testing.T, l *har.Log) {
			e := l.Entries[0]
			assert.Equal(t, []har.NameValue{{Name: "grant_type", Value: "authorization_code"}, {Name: "code", Value: "[REDACTED]"}}, e.Request.PostData.Params)
			assert.Equal(t, "https://cb.invalid/?state=s", e.Response.RedirectURL)
		}},
		{"transport error", []*har.Exchange{{
			Started: started, Method: "GET", URL: "http://127.0.0.1:1/", Error: "connection refused", Total: time.Millisecond,
		}}, func(t *testing.T, l *har.Log) {
			assert.Equal(t, 0, l.Entries[0].Response.Status)
			assert.Equal(t, "connection refused", l.Entries[0].Error)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := har.NewWriter(&buf, har.Creator{Name: "mmoauth", Version: "test"})
			require.NoError(t, err)
			for _, x := range tt.entries {
				require.NoError(t, w.Add(har.NewEntry(x)))
			}
			require.NoError(t, w.Close())
			l, err := hartest.Parse(buf.Bytes())
			require.NoError(t, err, buf.String())
			assert.Equal(t, "1.2", l.Version)
			assert.Equal(t, "mmoauth", l.Creator.Name)
			require.Len(t, l.Entries, len(tt.entries))
			tt.check(t, l)
			assert.ErrorIs(t, w.Add(har.NewEntry(&har.Exchange{Method: "GET", URL: "http://x/"})), har.ErrClosed)
		})
	}
}

func TestWriterConcurrentAdds(t *testing.T) {
	var buf bytes.Buffer
	w, err := har.NewWriter(&buf, har.Creator{Name: "mmoauth", Version: "test"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			assert.NoError(t, w.Add(har.NewEntry(&har.Exchange{Started: time.Now(), Method: "GET", URL: "http://127.0.0.1/x", Status: 200})))
		})
	}
	wg.Wait()
	require.NoError(t, w.Close())
	l, err := hartest.Parse(buf.Bytes())
	require.NoError(t, err)
	assert.Len(t, l.Entries, 20)
	assert.Equal(t, 20, w.Len())
}

// The checker itself must refuse what is not HAR 1.2, or the tests that
// rely on it prove nothing.
func TestParseRefusesBrokenHAR(t *testing.T) {
	valid := `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"startedDateTime":"2026-01-01T00:00:00Z","time":1,` +
		`"request":{"method":"GET","url":"http://h/","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"queryString":[],"headersSize":-1,"bodySize":0},` +
		`"response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"content":{"size":0,"mimeType":""},"redirectURL":"","headersSize":-1,"bodySize":0},` +
		`"cache":{},"timings":{"send":0,"wait":1,"receive":0}}]}}`
	_, err := hartest.Parse([]byte(valid))
	require.NoError(t, err)
	tests := []struct{ name, from, to string }{
		{"wrong version", `"version":"1.2"`, `"version":"1.1"`},
		{"no timings", `,"timings":{"send":0,"wait":1,"receive":0}`, ``},
		{"no cache", `"cache":{},`, ``},
		{"no queryString", `"queryString":[],`, ``},
		{"relative url", `"url":"http://h/"`, `"url":"/"`},
		{"no redirectURL", `"redirectURL":"",`, ``},
		{"time is not the sum", `"time":1,`, `"time":5,`},
		{"unknown member", `"cache":{}`, `"cache":{},"extra":1`},
		{"bad date", `2026-01-01T00:00:00Z`, `yesterday`},
		{"not JSON", `{"log"`, `{log`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			broken := strings.Replace(valid, tt.from, tt.to, 1)
			require.NotEqual(t, valid, broken)
			_, err := hartest.Parse([]byte(broken))
			assert.Error(t, err)
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterReportsWriteErrors(t *testing.T) {
	w, err := har.NewWriter(failingWriter{}, har.Creator{Name: "mmoauth", Version: "test"})
	require.NoError(t, err) // buffered: the head is not written yet
	big := strings.Repeat("x", 1<<16)
	err = w.Add(har.NewEntry(&har.Exchange{Method: "GET", URL: "http://h/", ResponseBody: big, Status: 200}))
	assert.ErrorContains(t, err, "disk full")
	assert.ErrorContains(t, w.Close(), "disk full")
}
