package spec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Parts of a request a RequestError can name.
const (
	PartPath  = "path"
	PartQuery = "query"
	PartBody  = "body"
)

// RequestError says which part of a request does not match its operation.
type RequestError struct {
	// Part is "path", "query" or "body" (PartPath, PartQuery, PartBody).
	Part string
	// Name is the parameter name for "path" and "query"; for "body" it is
	// the JSON pointer of the first offending value ("" for the whole body:
	// missing, not JSON, or the wrong content type).
	Name string
	// Reason is a human-readable rule that was broken; it never quotes a
	// body value.
	Reason string
	// Err is the underlying kin-openapi error.
	Err error
}

// Error implements error.
func (e *RequestError) Error() string {
	switch {
	case e.Part == PartBody && e.Name == "":
		return fmt.Sprintf("spec: request body: %s", e.Reason)
	case e.Part == PartBody:
		return fmt.Sprintf("spec: request body %s: %s", e.Name, e.Reason)
	default:
		return fmt.Sprintf("spec: %s parameter %q: %s", e.Part, e.Name, e.Reason)
	}
}

// Unwrap returns the underlying kin-openapi error.
func (e *RequestError) Unwrap() error { return e.Err }

// ValidateRequest checks r's path parameters, query parameters and body
// against route (from FindRoute). Authentication is not checked: the real
// server answers 401 before it looks at ids or bodies, so the caller does it.
// The body stays readable afterwards. The error is a *RequestError.
//
// Like the real server, which json-decodes bodies whatever their
// Content-Type (api4 handlers) and reads the token form only from
// application/x-www-form-urlencoded bodies (Go's ParseForm), a body whose
// Content-Type the operation does not declare is validated as JSON when the
// operation takes JSON, and skipped otherwise.
func (v *Validator) ValidateRequest(ctx context.Context, r *http.Request, route *routers.Route, pathParams map[string]string) error {
	return v.validateRequest(ctx, r, route, pathParams, nil, false)
}

// validateRequest is ValidateRequest; with haveBody the body is body and r's
// own is left alone.
func (v *Validator) validateRequest(ctx context.Context, r *http.Request, route *routers.Route, pathParams map[string]string, body []byte, haveBody bool) error {
	if route == nil || route.Operation == nil {
		return &RequestError{Part: PartPath, Reason: "no operation", Err: routers.ErrPathNotFound}
	}
	rt := v.router.byOp[route.Operation]
	if rt == nil {
		return &RequestError{Part: PartPath, Reason: "operation is not in this document", Err: routers.ErrPathNotFound}
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pathParams,
		Route:      route,
		Options:    v.reqOpts,
	}
	for i, p := range rt.params {
		if pc := rt.paramChecks[i]; pc != nil && v.fastParams && pc.accepts(input.GetQueryParams(), pathParams) {
			continue
		}
		if err := openapi3filter.ValidateParameter(ctx, input, p.Value); err != nil {
			return parameterError(p.Value, err)
		}
	}
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	return v.validateBody(ctx, input, rb.Value, v.jsonBodies[route.Operation], body, haveBody)
}

// validateBody checks the body. JSON bodies take validateJSON's single pass
// when they can; everything else (forms, empty or undecodable bodies) goes
// through openapi3filter.ValidateRequestBody.
func (v *Validator) validateBody(ctx context.Context, input *openapi3filter.RequestValidationInput, body *openapi3.RequestBody, jb *jsonBody, data []byte, owned bool) error {
	r := input.Request
	haveBody := owned
	ct := r.Header.Get("Content-Type")
	mt := body.Content.Get(ct)
	fixHeader := false
	if mt == nil {
		if body.Content.Get("application/json") == nil {
			return nil // a form the server would not read from the body
		}
		// Validated as JSON, as if the header said so.
		fixHeader = true
	}
	if jb != nil && (fixHeader || (mt == jb.media && isJSONMediaType(ct))) {
		if !haveBody {
			var err error
			if data, err = readBody(r); err != nil {
				return bodyError(&openapi3filter.RequestError{Input: input, RequestBody: body, Reason: "reading failed", Err: err})
			}
			haveBody = true
		}
		if ok, err := v.validateJSON(input, body, jb, data); ok {
			return bodyError(err)
		}
	}
	if !fixHeader && !haveBody {
		return bodyError(openapi3filter.ValidateRequestBody(ctx, input, body))
	}
	// On a shallow copy: the header fixed, the body from data when it has
	// been read already.
	cp := *r
	if fixHeader {
		cp.Header = r.Header.Clone()
		cp.Header.Set("Content-Type", "application/json")
	}
	if haveBody {
		cp.Body, cp.GetBody, cp.ContentLength = io.NopCloser(bytes.NewReader(data)), nil, int64(len(data))
	}
	in := *input
	in.Request = &cp
	err := openapi3filter.ValidateRequestBody(ctx, &in, body)
	if !haveBody {
		// r's own body was read (by openapi3filter, on the copy).
		r.Body, r.GetBody, r.ContentLength = cp.Body, cp.GetBody, cp.ContentLength
	}
	return bodyError(err)
}

func parameterError(p *openapi3.Parameter, err error) error {
	reason := err.Error()
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		reason = requestReason(re)
	}
	return &RequestError{Part: p.In, Name: p.Name, Reason: reason, Err: err}
}

func bodyError(err error) error {
	if err == nil {
		return nil
	}
	out := &RequestError{Part: PartBody, Reason: err.Error(), Err: err}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		out.Name = jsonPointer(se)
		out.Reason = schemaReason(se)
		return out
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		out.Reason = requestReason(re)
	}
	return out
}

// requestReason is kin-openapi's reason without the "parameter ... has an
// error" prefix (the RequestError says which parameter).
func requestReason(re *openapi3filter.RequestError) string {
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		return schemaReason(se)
	}
	switch {
	case re.Err == nil:
		return re.Reason
	case re.Reason == "" || re.Reason == re.Err.Error():
		return re.Err.Error()
	default:
		return re.Reason + ": " + re.Err.Error()
	}
}
