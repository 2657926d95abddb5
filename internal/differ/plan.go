package differ

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Plan is the default sequence of requests: every operation as every
// identity, valid, unknown and malformed ids, bodies at and past the
// limits, bad JSON, missing and invalid tokens, wrong methods, unknown
// routes and the token endpoint's error answers. No request of the plan
// creates an app: every create and registration in it is refused by a
// faithful server (the run's own app is made and deleted by Run). Each
// identity's two implicit grants on the run's app leave access data, a
// session and an approval, which the app's deletion removes
// (sqlstore/oauth_store.go deleteApp); the failed second grant's session
// has no access data, so a real server keeps it until it expires, its
// token never handed out.
func Plan() []Request {
	var p []Request
	add := func(name, method, path, as, body string) {
		ct := ""
		if body != "" {
			ct = "application/json"
		}
		p = append(p, Request{Name: name, Method: method, Path: path, As: as, ContentType: ct, Body: body})
	}
	const unknown = "abcdefghijklmnopqrstuvwxyz"
	ids := map[string]string{"the app": "{app}", "unknown": unknown, "malformed": "not-an-id", "short": "abc123"}
	for _, as := range Roles {
		who := as
		if who == "" {
			who = "anonymous"
		}
		add("list apps as "+who, http.MethodGet, "/api/v4/oauth/apps?page=0&per_page=5", as, "")
		add("list apps, garbage paging, as "+who, http.MethodGet, "/api/v4/oauth/apps?page=x&per_page=-1", as, "")
		add("list apps, page past the end, as "+who, http.MethodGet, "/api/v4/oauth/apps?page=100000&per_page=200", as, "")
		add("list apps, per_page 0, as "+who, http.MethodGet, "/api/v4/oauth/apps?per_page=0", as, "")
		add("list apps, legacy pageSize, as "+who, http.MethodGet, "/api/v4/oauth/apps?pageSize=1", as, "")
		for _, idName := range sortedKeys(ids) {
			id := ids[idName]
			base := "/api/v4/oauth/apps/" + id
			add(fmt.Sprintf("get %s app as %s", idName, who), http.MethodGet, base, as, "")
			add(fmt.Sprintf("info of %s app as %s", idName, who), http.MethodGet, base+"/info", as, "")
			add(fmt.Sprintf("delete %s app with a wrong method as %s", idName, who), http.MethodPatch, base, as, "")
			add(fmt.Sprintf("regenerate the secret of %s app as %s", idName, who), http.MethodPost, base+"/regen_secret", as, "")
			if id != "{app}" {
				add(fmt.Sprintf("delete %s app as %s", idName, who), http.MethodDelete, base, as, "")
			}
			add(fmt.Sprintf("update %s app with a mismatched id as %s", idName, who), http.MethodPut, base, as,
				`{"id":"`+unknown+`","name":"x","homepage":"https://x.example.com","callback_urls":["https://x.example.com/cb"]}`)
			add(fmt.Sprintf("update %s app with bad JSON as %s", idName, who), http.MethodPut, base, as, `{"id":`)
		}
		creates := invalidCreates()
		for _, name := range sortedKeys(creates) {
			add("create "+name+" as "+who, http.MethodPost, "/api/v4/oauth/apps", as, creates[name])
		}
		add("authorized apps of me as "+who, http.MethodGet, "/api/v4/users/me/oauth/apps/authorized", as, "")
		add("authorized apps of the user as "+who, http.MethodGet, "/api/v4/users/{user}/oauth/apps/authorized", as, "")
		add("authorized apps of a malformed user as "+who, http.MethodGet, "/api/v4/users/bad/oauth/apps/authorized", as, "")
		add("users/me as "+who, http.MethodGet, "/api/v4/users/me", as, "")
		add("an unknown API route as "+who, http.MethodGet, "/api/v4/oauth/nowhere", as, "")
		add("deauthorize an unknown client as "+who, http.MethodPost, "/oauth/deauthorize", as, `{"client_id":"`+unknown+`"}`)
		add("deauthorize a malformed client as "+who, http.MethodPost, "/oauth/deauthorize", as, `{"client_id":"bad"}`)
		add("authorize an unknown client as "+who, http.MethodPost, "/oauth/authorize", as,
			`{"response_type":"code","client_id":"`+unknown+`","redirect_uri":"https://x.example.com/cb","state":"s"}`)
		add("authorize with a bad response_type as "+who, http.MethodPost, "/oauth/authorize", as,
			`{"response_type":"bogus","client_id":"{app}","redirect_uri":"https://diff.mmoauth.invalid/callback","state":"s"}`)
		add("authorize with an unregistered redirect_uri as "+who, http.MethodPost, "/oauth/authorize", as,
			`{"response_type":"code","client_id":"{app}","redirect_uri":"https://elsewhere.mmoauth.invalid/cb","state":"s"}`)
		// The second grant meets the first one's access data (one row per
		// client and user): error=server_error on the callback.
		for _, nth := range []string{"an implicit grant", "a second implicit grant"} {
			add(nth+" as "+who, http.MethodPost, "/oauth/authorize", as,
				`{"response_type":"token","client_id":"{app}","redirect_uri":"https://diff.mmoauth.invalid/callback","state":"s t"}`)
		}
	}
	regs := invalidRegistrations()
	for _, name := range sortedKeys(regs) {
		add("register "+name, http.MethodPost, "/api/v4/oauth/apps/register", "", regs[name])
	}
	add("metadata", http.MethodGet, "/.well-known/oauth-authorization-server", "", "")
	add("metadata below the well-known path", http.MethodGet, "/.well-known/oauth-authorization-server/api", "", "")
	forms := tokenForms()
	for _, name := range sortedKeys(forms) {
		p = append(p, Request{Name: "token endpoint: " + name, Method: http.MethodPost, Path: "/oauth/access_token",
			ContentType: "application/x-www-form-urlencoded", Body: forms[name]})
	}
	return p
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func invalidCreates() map[string]string {
	long := strings.Repeat("n", 65)
	return map[string]string{
		"with bad JSON":            `{"name":`,
		"without a name":           `{"homepage":"https://x.example.com","callback_urls":["https://x.example.com/cb"]}`,
		"with a 65-byte name":      `{"name":"` + long + `","homepage":"https://x.example.com","callback_urls":["https://x.example.com/cb"]}`,
		"without callback URLs":    `{"name":"x","homepage":"https://x.example.com"}`,
		"with a relative callback": `{"name":"x","homepage":"https://x.example.com","callback_urls":["/cb"]}`,
		"without a homepage":       `{"name":"x","callback_urls":["https://x.example.com/cb"]}`,
		"with a wrong type":        `{"name":1,"homepage":"https://x.example.com","callback_urls":["https://x.example.com/cb"]}`,
	}
}

//nolint:gosec // G101: refused registrations, no credential
func invalidRegistrations() map[string]string {
	return map[string]string{
		"with bad JSON":               `{"redirect_uris":`,
		"without redirect URIs":       `{}`,
		"with an empty list":          `{"redirect_uris":[]}`,
		"with a javascript: URI":      `{"redirect_uris":["javascript:alert(1)"]}`,
		"with a relative URI":         `{"redirect_uris":["/cb"]}`,
		"with client_secret_basic":    `{"redirect_uris":["https://x.example.com/cb"],"token_endpoint_auth_method":"client_secret_basic"}`,
		"with a 65-byte client_name":  `{"redirect_uris":["https://x.example.com/cb"],"client_name":"` + strings.Repeat("n", 65) + `"}`,
		"with redirect_uris a string": `{"redirect_uris":"https://x.example.com/cb"}`,
	}
}

//nolint:gosec // G101: malformed token requests, no credential
func tokenForms() map[string]string {
	return map[string]string{
		"empty form":                    ``,
		"unknown grant type":            `grant_type=password&client_id=abcdefghijklmnopqrstuvwxyz`,
		"code without client":           `grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fx.example.com%2Fcb`,
		"code for an unknown client":    `grant_type=authorization_code&code=abc&client_id=abcdefghijklmnopqrstuvwxyz&client_secret=s&redirect_uri=https%3A%2F%2Fx.example.com%2Fcb`,
		"refresh for an unknown client": `grant_type=refresh_token&refresh_token=abc&client_id=abcdefghijklmnopqrstuvwxyz&client_secret=s`,
		"code for the app, bad secret":  `grant_type=authorization_code&code=abcdefghijklmnopqrstuvwxyz&client_id={app}&client_secret=wrong&redirect_uri=https%3A%2F%2Fdiff.mmoauth.invalid%2Fcallback`,
	}
}
