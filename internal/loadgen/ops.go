package loadgen

import (
	"net/http"
	"strconv"
)

// Op is a named request of the benchmark load.
type Op struct {
	Name string
	Request
}

// CreateBody is the CreateOAuthApp body of the load: a valid app with one
// callback URL.
const CreateBody = `{"name":"bench","description":"load","callback_urls":["https://bench.example.com/cb"],"homepage":"https://bench.example.com"}`

// ListPerPage is the page size of the GetOAuthApps load: Mattermost's
// default per_page; the server under test should hold at least that many
// apps.
const ListPerPage = 60

// Ops are the four operations issue 6 measures, in the order of its table:
// one app (appID must exist), a page of ListPerPage apps, a creation, and
// the RFC 8414 metadata (no authentication). token authenticates the
// others as a user who may see every app (the mock's system admin).
func Ops(appID, token string) []Op {
	auth := http.Header{"Authorization": {"Bearer " + token}}
	return []Op{
		{"GetOAuthApp", Request{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + appID, Header: auth, Status: http.StatusOK}},
		{"GetOAuthApps", Request{Method: http.MethodGet, Path: "/api/v4/oauth/apps?page=0&per_page=" + strconv.Itoa(ListPerPage), Header: auth, Status: http.StatusOK}},
		{"CreateOAuthApp", Request{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: []byte(CreateBody),
			Header: http.Header{"Authorization": auth["Authorization"], "Content-Type": {"application/json"}}, Status: http.StatusCreated}},
		{"GetAuthorizationServerMetadata", Request{Method: http.MethodGet, Path: "/.well-known/oauth-authorization-server", Status: http.StatusOK}},
	}
}
