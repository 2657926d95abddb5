package spec

import (
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// responsePlan is one declared response (a status of an operation, or its
// default) prepared by NewValidator for the one-pass check: its headers and
// its application/json schema compiled (fastjson.go). A response whose
// headers or JSON schema the one-pass check does not implement has no plan
// and always goes through kin-openapi.
type responsePlan struct {
	headers []headerCheck
	// content is the response's media types, looked up with
	// openapi3.Content.Get as openapi3filter.ValidateResponse does; json is
	// the entry for application/json (nil if none).
	content openapi3.Content
	json    *openapi3.MediaType
	// jsonTypes are the usual Content-Type values for which content.Get
	// gives json, computed once so that they skip the lookup.
	jsonTypes []string
	// node is json's schema compiled; nil when json has no schema (any body
	// passes, as in kin-openapi).
	node *schemaNode
}

// headerCheck is a declared header of type string, style simple, that
// openapi3filter reads as the first value of the header when the header is
// present with a value (headerParamDecoder.DecodePrimitive).
type headerCheck struct {
	canonical string
	required  bool
	node      *schemaNode
}

// operationResponses maps each status from 100 to 599 to the plan of the
// response openapi3filter.ValidateResponse picks for it: Responses.Status
// (the exact code, then "2XX"-style ranges) and then "default". nil means
// no plan: an undeclared status or an unsupported response, both left to
// kin-openapi.
type operationResponses struct {
	byStatus [500]*responsePlan
}

// newResponsePlans prepares every operation's responses. It returns nil for
// an OpenAPI 3.1 document (VisitJSON then follows JSON Schema 2020-12,
// which fastjson.go does not implement).
func newResponsePlans(doc *openapi3.T) map[*openapi3.Operation]*operationResponses {
	if doc.IsOpenAPI31OrLater() {
		return nil
	}
	c := newSchemaCompiler()
	plans := map[*openapi3.ResponseRef]*responsePlan{}
	out := make(map[*openapi3.Operation]*operationResponses)
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Responses.Len() == 0 {
				continue // kin-openapi accepts everything; leave it to it
			}
			ops := &operationResponses{}
			for status := 100; status < 600; status++ {
				ref := op.Responses.Status(status)
				if ref == nil {
					ref = op.Responses.Default()
				}
				if ref == nil {
					continue
				}
				plan, ok := plans[ref]
				if !ok {
					plan = newResponsePlan(c, ref)
					plans[ref] = plan
				}
				ops.byStatus[status-100] = plan
			}
			out[op] = ops
		}
	}
	return out
}

// newResponsePlan returns nil when the one-pass check cannot decide ref.
func newResponsePlan(c *schemaCompiler, ref *openapi3.ResponseRef) *responsePlan {
	resp := ref.Value
	if resp == nil {
		return nil
	}
	plan := &responsePlan{content: resp.Content}
	for name, h := range resp.Headers {
		// openapi3filter skips exactly this key (validate_response.go).
		if name == "Content-Type" {
			continue
		}
		if h == nil || h.Value == nil || h.Value.Content != nil || (h.Value.Style != "" && h.Value.Style != openapi3.SerializationSimple) {
			return nil
		}
		s := h.Value.Schema
		if s == nil || s.Value == nil || !s.Value.Type.Is(openapi3.TypeString) {
			return nil
		}
		node, err := c.compile(s.Value)
		if err != nil || node.hasEnum {
			return nil
		}
		plan.headers = append(plan.headers, headerCheck{canonical: http.CanonicalHeaderKey(name), required: h.Value.Required, node: node})
	}
	if len(resp.Content) == 0 {
		return plan
	}
	mt := resp.Content["application/json"]
	if mt == nil {
		return plan // every body goes to kin-openapi
	}
	if len(mt.Encoding) != 0 {
		return nil
	}
	plan.json = mt
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/json;charset=utf-8", "application/json; charset=UTF-8"} {
		if resp.Content.Get(ct) == mt && isJSONMediaType(ct) {
			plan.jsonTypes = append(plan.jsonTypes, ct)
		}
	}
	if mt.Schema == nil {
		return plan
	}
	if mt.Schema.Value == nil || (mt.Schema.Value.Type.Is(openapi3.TypeString) && mt.Schema.Value.Format == "binary") {
		return nil
	}
	node, err := c.compile(mt.Schema.Value)
	if err != nil {
		return nil
	}
	plan.node = node
	return plan
}

// acceptsResponse reports whether the one-pass check accepts the response;
// false means "ask kin-openapi", not "invalid". It implies
// openapi3filter.ValidateResponse accepts the response too: the same status
// lookup, the same Content-Type lookup (openapi3.Content.Get), the same
// header rules, and a body check at least as strict as decodeBody plus
// VisitJSON (fastjson.go).
func (v *Validator) acceptsResponse(rt *route, method string, status int, header http.Header, body []byte) bool {
	// openapi3filter.ValidateResponse checks none of these.
	if method == http.MethodHead {
		return true
	}
	switch status {
	case http.StatusNotModified, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusMovedPermanently:
		return true
	}
	ops := v.respPlans[rt.route.Operation]
	if ops == nil || status < 100 || status >= 600 {
		return false
	}
	plan := ops.byStatus[status-100]
	if plan == nil {
		return false
	}
	for _, h := range plan.headers {
		values, ok := header[h.canonical]
		switch {
		case !ok:
			if h.required {
				return false
			}
			continue
		case len(values) == 0:
			return false
		}
		s := values[0]
		// A header value is a string; checkString wants valid UTF-8 (as a
		// decoded JSON string always is).
		if !utf8.ValidString(s) || !h.node.checkString([]byte(s), false) {
			return false
		}
	}
	if len(plan.content) == 0 {
		return true
	}
	ct := header.Get("Content-Type")
	// The media type must resolve to the application/json entry, and
	// openapi3filter must pick its JSON decoder for the header.
	if plan.json == nil || (!slices.Contains(plan.jsonTypes, ct) && (plan.content.Get(ct) != plan.json || !isJSONMediaType(ct))) {
		return false
	}
	if plan.node == nil {
		return true
	}
	return checkJSON(plan.node, body)
}
