package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// jsonBody is an operation's application/json request body, prepared once
// by NewValidator so that validating a JSON body costs one decode and one
// schema walk, with nothing else built per request.
type jsonBody struct {
	media *openapi3.MediaType
	// reason is the RequestError reason openapi3filter.ValidateRequestBody
	// gives a schema failure ("doesn't match schema" and the schema's $ref
	// or title), so both paths report the same error.
	reason string
}

// newJSONBodies prepares every operation whose request body declares
// application/json with a schema that openapi3filter would decode as plain
// JSON (not binary, no encoding entries).
func newJSONBodies(doc *openapi3.T) map[*openapi3.Operation]*jsonBody {
	out := make(map[*openapi3.Operation]*jsonBody)
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || len(mt.Encoding) != 0 ||
				(mt.Schema.Value.Type.Is("string") && mt.Schema.Value.Format == "binary") {
				continue
			}
			id := strings.TrimSpace(mt.Schema.Ref)
			if id == "" {
				id = strings.TrimSpace(mt.Schema.Value.Title)
			}
			reason := "doesn't match schema"
			if id != "" {
				reason += " " + id
			}
			out[op] = &jsonBody{media: mt, reason: reason}
		}
	}
	return out
}

// bodySchemaOptions are the options openapi3filter.ValidateRequestBody
// passes to VisitJSON for reqOpts (validate_request.go): VisitAsRequest, no
// DefaultsSet (SkipSettingDefaults), no MultiErrors, then
// SchemaValidationOptions, and the 2020-12 dialect for OpenAPI 3.1.
func bodySchemaOptions(doc *openapi3.T, reqOpts *openapi3filter.Options) []openapi3.SchemaValidationOption {
	opts := []openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}
	if reqOpts.MultiError {
		opts = append(opts, openapi3.MultiErrors())
	}
	opts = append(opts, reqOpts.SchemaValidationOptions...)
	if doc.IsOpenAPI31OrLater() {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	return opts
}

// isJSONMediaType reports whether openapi3filter would pick its JSON body
// decoder for this Content-Type (decodeBody: parameters dropped, case
// folded).
func isJSONMediaType(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// validateJSON validates a JSON body in one pass: json.Unmarshal into any,
// then the operation's schema. ok is false when the body is empty or
// json.Unmarshal refuses it (broken JSON, trailing data after the first
// value, a number beyond float64): the caller then lets
// openapi3filter.ValidateRequestBody decide, so that such bodies get
// exactly its answer (it decodes only the first value, with UseNumber).
// Otherwise the value is what openapi3filter's decoder produces, except
// that numbers are float64 instead of json.Number, which the schema walk
// converts with the same strconv.ParseFloat (openapi3
// schema_3point0_validator.go), so accept and reject are the same.
func (v *Validator) validateJSON(input *openapi3filter.RequestValidationInput, body *openapi3.RequestBody, jb *jsonBody, data []byte) (ok bool, err error) {
	if len(data) == 0 {
		return false, nil
	}
	var value any
	if json.Unmarshal(data, &value) != nil {
		return false, nil
	}
	if err := jb.media.Schema.Value.VisitJSON(value, v.bodyOpts...); err != nil {
		return true, &openapi3filter.RequestError{Input: input, RequestBody: body, Reason: jb.reason, Err: err}
	}
	return true, nil
}

// ValidateRequestBytes is ValidateRequest for a caller that has already
// read r's body into body (the mock buffers every body): r.Body is neither
// read nor replaced, and the results are those of ValidateRequest with r's
// body holding body.
func (v *Validator) ValidateRequestBytes(ctx context.Context, r *http.Request, route *routers.Route, pathParams map[string]string, body []byte) error {
	return v.validateRequest(ctx, r, route, pathParams, body, true)
}

// readBody reads r's body and puts it back exactly as
// openapi3filter.ValidateRequestBody does (GetBody when r has one, else the
// bytes read), so ValidateRequest leaves r as it always has.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == http.NoBody || r.Body == nil {
		return nil, nil
	}
	orig := r.Body
	defer func() { _ = orig.Close() }()
	data, err := io.ReadAll(orig)
	if err != nil {
		return nil, err
	}
	r.Body = nil
	if r.GetBody != nil {
		if r.Body, err = r.GetBody(); err != nil {
			r.Body = nil
		}
	}
	if r.Body == nil {
		r.ContentLength = int64(len(data))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		r.Body, _ = r.GetBody()
	}
	return data, nil
}
