package spec

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy/pathpattern"
)

// routePatternExtension names the path-parameter extension that carries the
// regular expression Mattermost's gorilla/mux router puts on the variable
// (api4/api.go: {app_id:[A-Za-z0-9]+}, {user_id:[A-Za-z0-9]+}). A value that
// does not match never reaches the handler: the server answers 404.
const routePatternExtension = "x-mattermost-route-pattern"

// route is one operation of the document, ready for matching.
type route struct {
	route    routers.Route
	patterns map[string]func(string) bool // path parameter -> router pattern's MatchString
	params   openapi3.Parameters          // effective parameters, path item's first
	// paramChecks are params prepared for the fast check (params.go),
	// index for index; nil entries go to kin-openapi.
	paramChecks []*paramCheck
}

// router is kin-openapi's "legacy" path-pattern trie keyed by "METHOD /path".
// The method is part of the key, so the literal POST
// /api/v4/oauth/apps/register wins over /api/v4/oauth/apps/{app_id} (constant
// segments are tried before variables) while GET on the same path falls
// through to {app_id}, exactly as Mattermost's router does (the registration
// route is registered for POST only). legacy.NewRouter is not used directly:
// it re-validates the shared document (not safe concurrently) and matches the
// server URL against the full request URL, which fails for client-side
// requests with an absolute URL.
type router struct {
	root *pathpattern.Node
	// literal holds the routes whose path has no variable, by method and
	// path: the trie tries constant segments first, so an exact match on a
	// literal path is always its answer, found here without building the
	// "METHOD /path" key or walking the trie.
	literal map[string]map[string]*route
	methods []string                       // every method the document uses, for 405 detection
	byOp    map[*openapi3.Operation]*route // for callers that pass a *routers.Route back
}

func newRouter(doc *openapi3.T) (*router, error) {
	rt := &router{root: &pathpattern.Node{}, literal: map[string]map[string]*route{}, byOp: make(map[*openapi3.Operation]*route)}
	var server *openapi3.Server
	if len(doc.Servers) > 0 {
		server = doc.Servers[0]
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			r := &route{
				route: routers.Route{
					Spec:      doc,
					Server:    server,
					Path:      path,
					PathItem:  item,
					Method:    method,
					Operation: op,
				},
				params: effectiveParameters(item, op),
			}
			for _, p := range r.params {
				if p.Value.In != openapi3.ParameterInPath {
					continue
				}
				raw, ok := p.Value.Extensions[routePatternExtension].(string)
				if !ok {
					continue
				}
				re, err := regexp.Compile(raw)
				if err != nil {
					return nil, fmt.Errorf("spec: %s %s: parameter %s: %w", method, path, p.Value.Name, err)
				}
				if r.patterns == nil {
					r.patterns = make(map[string]func(string) bool)
				}
				r.patterns[p.Value.Name] = re.MatchString
				if m, ok := fastRoutePatterns[raw]; ok {
					r.patterns[p.Value.Name] = m
				}
			}
			if err := rt.root.Add(method+" "+path, r, nil); err != nil {
				return nil, fmt.Errorf("spec: route %s %s: %w", method, path, err)
			}
			rt.byOp[op] = r
			if !strings.Contains(path, "{") {
				if rt.literal[method] == nil {
					rt.literal[method] = map[string]*route{}
				}
				rt.literal[method][path] = r
			}
			if !slices.Contains(rt.methods, method) {
				rt.methods = append(rt.methods, method)
			}
		}
	}
	slices.Sort(rt.methods)
	return rt, nil
}

// fastRoutePatterns replace regexp matching for the route patterns
// openapi.yaml uses: each is regexp.MustCompile(pattern).MatchString
// (TestFastPatternsMatchRegexp), without the regexp machinery that took a
// fifth of the time of validating a small response.
var fastRoutePatterns = map[string]func(string) bool{
	"^[A-Za-z0-9]+$": func(s string) bool {
		for i := 0; i < len(s); i++ {
			if b := s[i]; (b < 'a' || b > 'z') && (b < 'A' || b > 'Z') && (b < '0' || b > '9') {
				return false
			}
		}
		return s != ""
	},
}

// effectiveParameters merges path-item and operation parameters; an
// operation parameter overrides the path item's one with the same name and
// location (OpenAPI 3.0.3 §4.7.9.1).
func effectiveParameters(item *openapi3.PathItem, op *openapi3.Operation) openapi3.Parameters {
	params := make(openapi3.Parameters, 0, len(item.Parameters)+len(op.Parameters))
	for _, p := range item.Parameters {
		if op.Parameters.GetByInAndName(p.Value.In, p.Value.Name) == nil {
			params = append(params, p)
		}
	}
	return append(params, op.Parameters...)
}

// match finds the route of method+path and its (unescaped) path parameters.
func (rt *router) match(method, path string) (*route, map[string]string, bool) {
	if r, ok := rt.literal[method][path]; ok {
		return r, map[string]string{}, true
	}
	node, values := rt.root.Match(method + " " + path)
	if node == nil {
		return nil, nil, false
	}
	r, ok := node.Value.(*route)
	if !ok {
		return nil, nil, false
	}
	params := make(map[string]string, len(values))
	for i, raw := range values {
		name := strings.TrimSuffix(node.VariableNames[i], "*")
		value, err := url.PathUnescape(raw)
		if err != nil {
			return nil, nil, false
		}
		if m := r.patterns[name]; m != nil && !m(value) {
			return nil, nil, false
		}
		params[name] = value
	}
	return r, params, true
}

// find resolves a request path. The error wraps routers.ErrPathNotFound or
// routers.ErrMethodNotAllowed.
func (rt *router) find(method, path string) (*route, map[string]string, error) {
	// The trie ignores trailing slashes; Mattermost's router does not.
	if path == "" || (len(path) > 1 && strings.HasSuffix(path, "/")) {
		return nil, nil, fmt.Errorf("spec: %s %s: %w", method, path, routers.ErrPathNotFound)
	}
	if r, params, ok := rt.match(method, path); ok {
		return r, params, nil
	}
	for _, other := range rt.methods {
		if other == method {
			continue
		}
		if _, _, ok := rt.match(other, path); ok {
			return nil, nil, fmt.Errorf("spec: %s %s: %w", method, path, routers.ErrMethodNotAllowed)
		}
	}
	return nil, nil, fmt.Errorf("spec: %s %s: %w", method, path, routers.ErrPathNotFound)
}

// requestPath returns the escaped path of r relative to basePath, or false
// when r is outside it. Only the path is used: host and scheme do not matter
// (the document's server is relative) and the query may hold secrets
// (access_token), so it never appears in errors.
func requestPath(r *http.Request, basePath string) (string, bool) {
	if r == nil || r.URL == nil {
		return "", false
	}
	path := r.URL.EscapedPath()
	if basePath == "" {
		return path, true
	}
	rest, ok := strings.CutPrefix(path, basePath)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	return rest, true
}
