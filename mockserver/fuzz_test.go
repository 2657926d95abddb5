package mockserver

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// FuzzHandlers sends arbitrary bodies and paths to every operation: nothing
// may panic into a 500, and every answer must match the document.
func FuzzHandlers(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{http.MethodPost, "/api/v4/oauth/apps", `{"name":"x","callback_urls":["https://x.example.com/cb"],"homepage":"https://x.example.com"}`},
		{http.MethodPut, "/api/v4/oauth/apps/sysadminuseridxxxxxxxxxxxx", `{"id":"sysadminuseridxxxxxxxxxxxx"}`},
		{http.MethodPost, "/api/v4/oauth/apps/register", `{"redirect_uris":["https://x.example.com/cb"],"client_name":null}`},
		{http.MethodPost, "/oauth/authorize", `{"response_type":"code","client_id":"sysadminuseridxxxxxxxxxxxx","redirect_uri":"https://x"}`},
		{http.MethodPost, "/oauth/deauthorize", `{"client_id":5}`},
		{http.MethodPost, "/oauth/access_token", `grant_type=authorization_code&code=x&client_id=sysadminuseridxxxxxxxxxxxx`},
		{http.MethodGet, "/oauth/authorize?response_type=code&client_id=junk&redirect_uri=https://x", ``},
		{http.MethodGet, "/api/v4/users/me/oauth/apps/authorized?page=-1&per_page=abc", ``},
		{http.MethodGet, "/api/v4/oauth/apps?per_page=99999999999999999999", ``},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.body)
	}
	var mu sync.Mutex
	var drift []error
	s, err := New(
		WithConfig(Config{SiteURL: "http://127.0.0.1", EnableOAuthServiceProvider: true, EnableDynamicClientRegistration: true}),
		WithResponseValidation(func(err error) {
			mu.Lock()
			defer mu.Unlock()
			drift = append(drift, err)
		}),
	)
	if err != nil {
		f.Fatal(err)
	}
	tok := s.Identities().SystemAdmin.Token
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") {
			return
		}
		switch method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
		default:
			return
		}
		r, err := http.NewRequestWithContext(t.Context(), method, "http://127.0.0.1"+path, bytes.NewReader([]byte(body)))
		if err != nil {
			return
		}
		r.Header.Set("Authorization", "Bearer "+tok)
		if strings.HasPrefix(path, "/oauth/access_token") {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("%s %s: 500 %s", method, path, w.Body)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(drift) > 0 {
			t.Fatalf("%s %s: %v", method, path, drift[0])
		}
	})
}

// naiveGlob is the real server's recursive matcher, written out plainly:
// the reference for FuzzGlob.
func naiveGlob(s, p string) bool {
	if p == "" {
		return s == ""
	}
	if strings.HasPrefix(p, "**") {
		rest := p[2:]
		for i := 0; i <= len(s); i++ {
			if naiveGlob(s[i:], rest) {
				return true
			}
		}
		return false
	}
	if p[0] == '*' {
		for i := 0; i <= len(s); i++ {
			if naiveGlob(s[i:], p[1:]) {
				return true
			}
			if i < len(s) && s[i] == '/' {
				return false
			}
		}
		return false
	}
	return s != "" && s[0] == p[0] && naiveGlob(s[1:], p[1:])
}

// FuzzGlob: the dynamic-programming matcher accepts exactly what the
// recursive one does.
func FuzzGlob(f *testing.F) {
	for _, c := range [][2]string{{"a/b", "*"}, {"a/b", "**"}, {"abc", "a*c"}, {"x/y/deep/z", "**/deep/**"}, {"", "*"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, s, p string) {
		if len(s) > 40 || len(p) > 16 || strings.Contains(p, "***") {
			return
		}
		if got, want := globMatch(s, p), naiveGlob(s, p); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, want %v", s, p, got, want)
		}
	})
}
