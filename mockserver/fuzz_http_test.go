package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmoauth/mmoauth/models"
)

// fuzzOps are the document's operations as FuzzOperations addresses them:
// {id} is replaced by the fuzzed path id (or a real app's id when it is
// empty), {user} by the fuzzed id or "me".
var fuzzOps = []struct{ method, path, ctype string }{
	{http.MethodPost, "/api/v4/oauth/apps", "application/json"},
	{http.MethodGet, "/api/v4/oauth/apps", ""},
	{http.MethodGet, "/api/v4/oauth/apps/{id}", ""},
	{http.MethodPut, "/api/v4/oauth/apps/{id}", "application/json"},
	{http.MethodDelete, "/api/v4/oauth/apps/{id}", ""},
	{http.MethodPost, "/api/v4/oauth/apps/{id}/regen_secret", ""},
	{http.MethodGet, "/api/v4/oauth/apps/{id}/info", ""},
	{http.MethodPost, "/api/v4/oauth/apps/register", "application/json"},
	{http.MethodGet, "/.well-known/oauth-authorization-server", ""},
	{http.MethodGet, "/api/v4/users/{user}/oauth/apps/authorized", ""},
	{http.MethodPost, "/oauth/authorize", "application/json"},
	{http.MethodGet, "/oauth/authorize", ""},
	{http.MethodPost, "/oauth/access_token", "application/x-www-form-urlencoded"},
	{http.MethodPost, "/oauth/deauthorize", "application/json"},
	{http.MethodGet, "/api/v4/users/me", ""},
}

// FuzzOperations drives every operation through the whole HTTP stack (a
// real loopback server, net/http's parsing, the pipeline, the handler) with
// fuzzed path ids, query strings, bodies, Content-Type, one extra header
// and identity: no answer may be a 5xx, and every answer must match the
// document (the server validates each one itself).
func FuzzOperations(f *testing.F) {
	seeds := []struct {
		op                 uint8
		id, query, body    string
		ctype, hname, hval string
		who                uint8
	}{
		{0, "", "", `{"name":"x","callback_urls":["https://x.example.com/cb"],"homepage":"https://x.example.com"}`, "", "", "", 3},
		{1, "", "page=-1&per_page=99999999999999999999", "", "", "", "", 2},
		{2, "", "", "", "", "", "", 2},
		{3, "", "", `{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaa","name":"n"}`, "text/plain", "", "", 3},
		{4, "../../users/me", "", "", "", "", "", 3},
		{5, "junk", "", "", "", "Prefer", "code=503", 2},
		{6, "%00", "", "", "", "", "", 1},
		{7, "", "", `{"redirect_uris":["https://x.example.com/cb"],"token_endpoint_auth_method":"none"}`, "", "", "", 0},
		{8, "", "", "", "", "Accept", "*/*", 0},
		{9, "me", "page=1&per_page=0", "", "", "", "", 1},
		{10, "", "", `{"response_type":"code","client_id":"aaaaaaaaaaaaaaaaaaaaaaaaaa","redirect_uri":"https://x.example.com/cb","code_challenge":"x","code_challenge_method":"plain"}`, "", "", "", 1},
		{11, "", "response_type=code&client_id=aaaaaaaaaaaaaaaaaaaaaaaaaa&redirect_uri=https%3A%2F%2Fx.example.com%2Fcb", "", "", "Cookie", "MMAUTHTOKEN=x", 0},
		{12, "", "", "grant_type=authorization_code&code=x&client_id=aaaaaaaaaaaaaaaaaaaaaaaaaa&code_verifier=" + strings.Repeat("v", 43), "", "", "", 0},
		{13, "", "", `{"client_id":"aaaaaaaaaaaaaaaaaaaaaaaaaa"}`, "", "", "", 4},
		{14, "", "access_token=x", "", "", "Authorization", "Token x", 4},
	}
	for _, s := range seeds {
		f.Add(s.op, s.id, s.query, []byte(s.body), s.ctype, s.hname, s.hval, s.who)
	}

	var mu sync.Mutex
	var drift []error
	cfg := DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	cfg.DCRRedirectURIAllowlist = []string{"https://*.example.com/**"}
	ts := NewTestServer(f, WithConfig(cfg), WithResponseValidation(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		drift = append(drift, err)
	}))
	app := createApp(f, ts, ts.Identities.OAuthManager.Token, newApp("fuzzed"))
	tokens := []string{"", ts.Identities.PlainUser.Token, ts.Identities.OAuthManager.Token, ts.Identities.SystemAdmin.Token, "bogustokenxxxxxxxxxxxxxxxx"}
	hc := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	f.Fuzz(func(t *testing.T, op uint8, id, query string, body []byte, ctype, hname, hval string, who uint8) {
		o := fuzzOps[int(op)%len(fuzzOps)]
		if id == "" {
			id = app.ID
		}
		path := strings.NewReplacer("{id}", url.PathEscape(id), "{user}", url.PathEscape(id)).Replace(o.path)
		if strings.Contains(o.path, "{user}") && id == app.ID {
			path = strings.Replace(o.path, "{user}", "me", 1)
		}
		target := ts.URL + path
		if query != "" {
			target += "?" + query
		}
		if _, err := url.ParseRequestURI(target); err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := http.NewRequestWithContext(ctx, o.method, target, bytes.NewReader(body))
		if err != nil {
			return
		}
		if ctype == "" {
			ctype = o.ctype
		}
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		if tok := tokens[int(who)%len(tokens)]; tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		if hname != "" {
			r.Header.Set(hname, hval)
		}
		resp, err := hc.Do(r)
		if err != nil {
			// net/http refused to send it (a bad header name or value): not
			// something the server ever sees.
			if strings.Contains(err.Error(), "invalid header") || strings.Contains(err.Error(), "invalid method") {
				return
			}
			t.Fatalf("%s %s: %v", o.method, path, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s %s: reading the answer: %v", o.method, path, err)
		}
		// "Prefer: code=5xx" asks for an injected 5xx; only the document
		// check applies to it.
		if resp.StatusCode >= 500 && !strings.EqualFold(hname, "Prefer") {
			t.Fatalf("%s %s: %d %s", o.method, path, resp.StatusCode, got)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(drift) > 0 {
			err := drift[0]
			drift = nil
			t.Fatalf("%s %s: %v", o.method, path, err)
		}
	})
}

// FuzzAllowlist: the redirect-URI allowlist matcher never panics, an empty
// list allows everything and a list of blanks nothing, a match always has
// the pattern's scheme, and a pattern without wildcards matches only a URI
// with exactly its host, escaped path and query.
func FuzzAllowlist(f *testing.F) {
	for _, c := range [][2]string{
		{"https://app.example.com/cb", "https://*.example.com/**"},
		{"https://app.example.com/cb", "https://app.example.com/cb"},
		{"https://app.example.com/cb?x=1", "https://app.example.com/cb"},
		{"https://app.example.com/cb?x=1", "https://app.example.com/cb?*"},
		{"http://localhost:8080/cb", "http://localhost:*/cb"},
		{"https://evil.example/https://app.example.com/cb", "https://app.example.com/**"},
		{"https://app.example.com.evil.example/cb", "https://app.example.com*/cb"},
		{"https://app.example.com@evil.example/cb", "https://*@evil.example/**"},
		{"https://app.example.com/%2e%2e/cb", "https://app.example.com/*/cb"},
		{"HTTPS://APP.EXAMPLE.COM/CB", "https://app.example.com/cb"},
		{"https://app.example.com/cb", " https://app.example.com/cb "},
		{"https://app.example.com/cb", "https://***"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, uri, pattern string) {
		if len(uri) > 512 || len(pattern) > 128 {
			return
		}
		if !redirectURIAllowed(uri, nil) {
			t.Fatal("an empty allowlist must allow everything")
		}
		if redirectURIAllowed(uri, []string{"", "  "}) {
			t.Fatal("a list of blanks must allow nothing")
		}
		p := strings.TrimSpace(pattern)
		matched := redirectURIAllowed(uri, []string{pattern})
		if p == "" {
			if matched {
				t.Fatal("a blank pattern matched")
			}
			return
		}
		if matched != redirectURIMatches(uri, p) {
			t.Fatalf("list and single match disagree on %q / %q", uri, p)
		}
		if !matched {
			return
		}
		u, err := url.ParseRequestURI(uri)
		if err != nil {
			t.Fatalf("matched an unparseable URI %q: %v", uri, err)
		}
		parts, ok := splitPattern(p)
		if !ok || u.Scheme != parts.scheme {
			t.Fatalf("%q matched %q with another scheme", uri, p)
		}
		if !strings.Contains(p, "*") && (u.Host != parts.host || u.EscapedPath() != parts.path || u.RawQuery != parts.query) {
			t.Fatalf("literal pattern %q matched a different URI %q", p, uri)
		}
	})
}

// TestFuzzOpsCoverEveryOperation: FuzzOperations reaches every operation
// of the document, so none escapes the fuzzing.
func TestFuzzOpsCoverEveryOperation(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, o := range fuzzOps {
		path := strings.NewReplacer("{id}", "aaaaaaaaaaaaaaaaaaaaaaaaaa", "{user}", "me").Replace(o.path)
		r := httptest.NewRequest(o.method, "http://127.0.0.1"+path, nil)
		seen[s.validator.OperationID(r)] = true
	}
	for id := range operations {
		if !seen[id] {
			t.Errorf("operation %s is not fuzzed", id)
		}
	}
	if len(fuzzOps) != len(operations) {
		t.Errorf("%d fuzzed operations, %d operations", len(fuzzOps), len(operations))
	}
}

// FuzzPKCEExchange runs the PKCE check of the token endpoint end to end: a
// public client authorizes with the S256 challenge of one verifier and
// redeems the code with another; the exchange succeeds exactly when both
// are the same well-formed verifier (RFC 7636 §4.6), and a failed check
// never answers 5xx.
func FuzzPKCEExchange(f *testing.F) {
	v := strings.Repeat("v", 43)
	f.Add(v, v)
	f.Add(v, v+"w")
	f.Add(v[:42], v[:42])
	f.Add(strings.Repeat("~", 128), strings.Repeat("~", 128))
	f.Add(strings.Repeat("a", 129), strings.Repeat("a", 129))
	f.Add(v+"\x00", v+"\x00")
	f.Add(v, "")
	ts := NewTestServer(f)
	body := newApp("public")
	body.IsPublic = true
	app := createApp(f, ts, ts.Identities.OAuthManager.Token, body)
	user := ts.Identities.PlainUser.Token
	serve := func(r *http.Request) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		ts.Server.ServeHTTP(w, r)
		return w
	}
	f.Fuzz(func(t *testing.T, authVerifier, tokenVerifier string) {
		ar := fmt.Sprintf(`{"response_type":"code","client_id":%q,"redirect_uri":%q,"state":"s","code_challenge":%q,"code_challenge_method":"S256"}`,
			app.ID, app.CallbackURLs[0], models.S256Challenge(authVerifier))
		r := httptest.NewRequest(http.MethodPost, ts.URL+"/oauth/authorize", strings.NewReader(ar))
		r.Header.Set("Authorization", "Bearer "+user)
		w := serve(r)
		if w.Code != http.StatusOK {
			t.Fatalf("authorize: %d %s", w.Code, w.Body)
		}
		var ans models.AuthorizeResponse
		if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil {
			t.Fatal(err)
		}
		code, err := ans.Code()
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {app.ID}, "code": {code.Reveal()},
			"redirect_uri": {app.CallbackURLs[0]}, "code_verifier": {tokenVerifier}}
		r = httptest.NewRequest(http.MethodPost, ts.URL+"/oauth/access_token", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w = serve(r)
		want := authVerifier == tokenVerifier && models.IsValidCodeVerifier(tokenVerifier)
		if got := w.Code == http.StatusOK; got != want {
			t.Fatalf("verifiers %q / %q: %d %s", authVerifier, tokenVerifier, w.Code, w.Body)
		}
		if w.Code >= 500 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
}
