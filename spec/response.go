package spec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// ResponseError says how a response differs from what its operation
// declares.
type ResponseError struct {
	// Operation is the operationId, or "" when the request matches none.
	Operation string
	// Status is the status code as the document keys it, e.g. "200".
	Status string
	// StatusCode is the same status as a number.
	StatusCode int
	// Pointer is the JSON pointer of the first body value that fails the
	// schema ("" when the failure is not in the body).
	Pointer string
	// Reason is a human-readable rule that was broken; it never quotes a
	// body value.
	Reason string
	// Err is the underlying error (kin-openapi's, or a routing error that
	// wraps routers.ErrPathNotFound / routers.ErrMethodNotAllowed).
	Err error
}

// Error implements error.
func (e *ResponseError) Error() string {
	op := e.Operation
	if op == "" {
		op = "no operation"
	}
	if e.Pointer != "" {
		return fmt.Sprintf("spec: %s %s: response body %s: %s", op, e.Status, e.Pointer, e.Reason)
	}
	return fmt.Sprintf("spec: %s %s: %s", op, e.Status, e.Reason)
}

// Unwrap returns the underlying error.
func (e *ResponseError) Unwrap() error { return e.Err }

// ValidateResponse checks a response to r: the status must be declared for
// the operation r resolves to, the Content-Type must be one it declares
// (parameters such as "; charset=utf-8" are ignored), declared headers must
// match, and the body must match the schema. The error is a *ResponseError.
// 301, 304, 307 and 308 answers and HEAD requests are not checked
// (kin-openapi).
//
// A JSON response is first checked in one pass (responsebody.go); only a
// response that pass does not accept goes through kin-openapi's
// openapi3filter.ValidateResponse, which gives the verdict and the error.
func (v *Validator) ValidateResponse(ctx context.Context, r *http.Request, status int, header http.Header, body []byte) error {
	rt, params, err := v.find(r)
	if err != nil {
		code := strconv.Itoa(status)
		return &ResponseError{Status: code, StatusCode: status, Reason: "request matches no operation", Err: err}
	}
	if v.acceptsResponse(rt, r.Method, status, header, body) {
		return nil
	}
	return v.validateResponseKin(ctx, rt, params, r, status, header, body)
}

// validateResponseKin is ValidateResponse through
// openapi3filter.ValidateResponse.
func (v *Validator) validateResponseKin(ctx context.Context, rt *route, params map[string]string, r *http.Request, status int, header http.Header, body []byte) error {
	code := strconv.Itoa(status)
	route := rt.route
	if header == nil {
		header = http.Header{}
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: params,
			Route:      &route,
			Options:    v.respOpts,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: v.respOpts,
	}
	err := openapi3filter.ValidateResponse(ctx, input)
	if err == nil {
		return nil
	}
	out := &ResponseError{
		Operation:  route.Operation.OperationID,
		Status:     code,
		StatusCode: status,
		Reason:     err.Error(),
		Err:        err,
	}
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) {
		out.Reason = re.Reason
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		if out.Pointer = jsonPointer(se); out.Pointer == "" {
			out.Pointer = "/"
		}
		out.Reason = schemaReason(se)
	} else if re != nil && re.Err != nil {
		out.Reason += ": " + re.Err.Error()
	}
	return out
}
