package spec

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Validator routes requests to the document's operations and validates
// requests and responses against them. Everything it needs (document, route
// trie, options) is built once by NewValidator; a Validator is safe for
// concurrent use.
type Validator struct {
	doc      *openapi3.T
	router   *router
	basePath string
	reqOpts  *openapi3filter.Options
	respOpts *openapi3filter.Options
	// jsonBodies and bodyOpts let JSON request bodies be validated with
	// one decode and no per-request setup (requestbody.go).
	jsonBodies map[*openapi3.Operation]*jsonBody
	bodyOpts   []openapi3.SchemaValidationOption
	// respPlans lets most responses be validated in one pass over the
	// body (responsebody.go); nil sends every response to kin-openapi.
	respPlans map[*openapi3.Operation]*operationResponses
	// fastParams lets parameters take paramCheck before kin-openapi
	// (params.go); tests turn it off to compare the two.
	fastParams bool
}

// Option configures a Validator.
type Option func(*Validator)

// WithBasePath makes the Validator route requests whose path starts with
// prefix, as for a server whose SiteURL has a path
// (https://host/mattermost): the prefix is removed before routing. Requests
// outside the prefix are not found.
func WithBasePath(prefix string) Option {
	return func(v *Validator) { v.basePath = strings.TrimSuffix(prefix, "/") }
}

// NewValidator loads the document (see Load) and builds the router.
func NewValidator(opts ...Option) (*Validator, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	rt, err := newRouter(doc)
	if err != nil {
		return nil, err
	}
	// No error message may carry a validated value: bodies hold client
	// secrets and tokens (contracts: never print a secret).
	schemaOpts := []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()}
	v := &Validator{
		doc:    doc,
		router: rt,
		reqOpts: &openapi3filter.Options{
			// The request must reach the handler untouched: no defaults
			// written into the query or the body.
			SkipSettingDefaults:     true,
			SchemaValidationOptions: schemaOpts,
		},
		respOpts: &openapi3filter.Options{
			// An undeclared status is drift.
			IncludeResponseStatus:   true,
			SkipSettingDefaults:     true,
			SchemaValidationOptions: schemaOpts,
		},
	}
	v.jsonBodies = newJSONBodies(doc)
	v.bodyOpts = bodySchemaOptions(doc, v.reqOpts)
	v.respPlans = newResponsePlans(doc)
	c := newSchemaCompiler()
	for _, r := range rt.byOp {
		r.paramChecks = newParamChecks(c, r.params)
	}
	v.fastParams = true
	for _, opt := range opts {
		opt(v)
	}
	return v, nil
}

// FindRoute returns the operation r resolves to and its path parameters.
// Only the URL path is used. Errors wrap routers.ErrPathNotFound (answer 404)
// or routers.ErrMethodNotAllowed (answer 405).
//
// Mattermost's routing is reproduced: POST /api/v4/oauth/apps/register is
// RegisterOAuthClient, but GET, PUT and DELETE on that path are the {app_id}
// operations with app_id "register"; an app_id or user_id outside
// [A-Za-z0-9]+ is not found (api4/api.go).
func (v *Validator) FindRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	rt, params, err := v.find(r)
	if err != nil {
		return nil, nil, err
	}
	route := rt.route // a copy: callers cannot alter the shared one
	return &route, params, nil
}

func (v *Validator) find(r *http.Request) (*route, map[string]string, error) {
	path, ok := requestPath(r, v.basePath)
	if !ok {
		method := ""
		if r != nil {
			method = r.Method
		}
		return nil, nil, fmt.Errorf("spec: %s outside %q: %w", method, v.basePath, routers.ErrPathNotFound)
	}
	return v.router.find(r.Method, path)
}

// OperationID returns the operationId r resolves to, or "" if none.
func (v *Validator) OperationID(r *http.Request) string {
	rt, _, err := v.find(r)
	if err != nil {
		return ""
	}
	return rt.route.Operation.OperationID
}

// Doc returns the document the Validator uses; callers must not mutate it.
func (v *Validator) Doc() *openapi3.T { return v.doc }
