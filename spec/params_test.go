package spec

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParamFastPathMatchesKin compares validateRequest with and without
// the parameter fast path on every operation with parameters, for query
// values and path values of every shape that matters to either reading:
// the verdicts and the errors must be the same, and the fast path must
// accept the usual valid values itself.
func TestParamFastPathMatchesKin(t *testing.T) {
	v, err := NewValidator()
	require.NoError(t, err)
	kin, err := NewValidator()
	require.NoError(t, err)
	kin.fastParams = false

	values := []string{"", "0", "1", "60", "200", "-1", "-0", "007", "1e3", "1.0", "+1", " 1", "1 ", "x", "abc",
		"99999999999999999999", "9007199254740993", "2147483648", "-", "--1", "0x10", "1_000",
		"code", "token", "S256", "plain", "https://example.com/cb?x=1", "\xff", "é", strings.Repeat("a", 300), "\n"}
	fastAccepted := 0
	for _, rt := range v.router.byOp {
		var query, path []string
		for _, p := range rt.params {
			switch p.Value.In {
			case "query":
				query = append(query, p.Value.Name)
			case "path":
				path = append(path, p.Value.Name)
			}
		}
		if len(query)+len(path) == 0 {
			continue
		}
		var queries []string
		for _, name := range query {
			for _, val := range values {
				queries = append(queries, name+"="+url.QueryEscape(val))
				queries = append(queries, name+"=&"+name+"="+url.QueryEscape(val), name+"="+url.QueryEscape(val)+"&"+name+"=1")
			}
			queries = append(queries, name, name+"=&"+name+"=")
		}
		queries = append(queries, "", "page=1&per_page=60&other=x")
		pathSets := []map[string]string{{}}
		for _, name := range path {
			pathSets = nil
			for _, val := range []string{"abcdefghijklmnopqrstuvwxyz", "me", "register", "x", "", "\xff"} {
				pathSets = append(pathSets, map[string]string{name: val})
			}
		}
		for _, q := range queries {
			for _, pp := range pathSets {
				r := httptest.NewRequest(rt.route.Method, "/x?"+q, nil)
				route := rt.route
				fast := v.validateRequest(context.Background(), r, &route, pp, nil, true)
				slow := kin.validateRequest(context.Background(), r, &route, pp, nil, true)
				if slow == nil {
					assert.NoError(t, fast, "%s ?%s %v", route.Operation.OperationID, q, pp)
				} else if assert.Error(t, fast, "%s ?%s %v", route.Operation.OperationID, q, pp) {
					assert.Equal(t, slow.Error(), fast.Error(), "%s ?%s %v", route.Operation.OperationID, q, pp)
				}
				if slow == nil && fastOnly(rt, r, pp) {
					fastAccepted++
				}
			}
		}
	}
	assert.Greater(t, fastAccepted, 100, "the fast path accepts valid parameters itself")
	for _, target := range []string{"/api/v4/oauth/apps?page=0&per_page=60", "/oauth/authorize?response_type=code&client_id=abc&state=xyz&code_challenge=abc&code_challenge_method=S256"} {
		r := httptest.NewRequest("GET", target, nil)
		rt, params, err := v.find(r)
		require.NoError(t, err)
		assert.True(t, fastOnly(rt, r, params), "%s takes the fast path for every parameter", target)
	}
}

// fastOnly reports whether the fast path alone accepts every parameter of
// rt.
func fastOnly(rt *route, r *http.Request, pathParams map[string]string) bool {
	q := r.URL.Query()
	for _, pc := range rt.paramChecks {
		if pc == nil || !pc.accepts(q, pathParams) {
			return false
		}
	}
	return true
}
