package spec

import (
	"net/url"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// paramCheck is a path or query parameter prepared for the one-sided fast
// check of validateRequest: a primitive schema compiled for fastjson.go, so
// that a valid value is accepted without openapi3filter.ValidateParameter
// (which decodes the query again, visits the schema through interfaces and
// took most of a list request's validation: 7–9 µs for page and per_page).
// As for responses, acceptance implies kin-openapi's acceptance; anything
// else, valid or not, goes to ValidateParameter, whose verdict and error
// are the answer.
type paramCheck struct {
	in, name string
	required bool
	node     *schemaNode // a single type: integer or string
}

// newParamChecks prepares params (a route's effective parameters); an entry
// is nil for a parameter left to kin-openapi: another location, a style or
// schema it decodes in its own way, allowEmptyValue, content.
func newParamChecks(c *schemaCompiler, params openapi3.Parameters) []*paramCheck {
	checks := make([]*paramCheck, len(params))
	for i, ref := range params {
		p := ref.Value
		if p == nil || p.Content != nil || p.Schema == nil || p.Schema.Value == nil || p.AllowEmptyValue {
			continue
		}
		sm, err := p.SerializationMethod()
		if err != nil {
			continue
		}
		switch {
		case p.In == openapi3.ParameterInQuery && sm.Style == openapi3.SerializationForm:
		case p.In == openapi3.ParameterInPath && sm.Style == openapi3.SerializationSimple:
		default:
			continue
		}
		s := p.Schema.Value
		// decodeValue looks at allOf, anyOf, oneOf and not before the type,
		// and a typeless schema with a pattern is read as a string: the
		// compiler refuses the combinators, and the type must be set.
		if s.Type == nil || (!s.Type.Is(openapi3.TypeInteger) && !s.Type.Is(openapi3.TypeString)) {
			continue
		}
		node, err := c.compile(s)
		if err != nil || node.nullable {
			continue
		}
		checks[i] = &paramCheck{in: p.In, name: p.Name, required: p.Required, node: node}
	}
	return checks
}

// accepts reports whether ValidateParameter would surely accept the
// parameter: for a query parameter, the value openapi3filter's
// urlValuesDecoder picks (the first non-empty one); for a path parameter,
// the router's value. query is the request's parsed query.
func (pc *paramCheck) accepts(query url.Values, pathParams map[string]string) bool {
	var raw string
	switch pc.in {
	case openapi3.ParameterInQuery:
		values := query[pc.name]
		if len(values) == 0 {
			return !pc.required // absent: nothing to check
		}
		raw = values[0]
		if raw == "" {
			for _, v := range values[1:] {
				if v != "" {
					raw = v
					break
				}
			}
		}
	default:
		var ok bool
		if raw, ok = pathParams[pc.name]; !ok || raw == "" {
			return false // not found: kin-openapi says how it fails
		}
	}
	if pc.node.types == kindInteger {
		// strconv.ParseInt(raw, 10, 64) is kin-openapi's reading; digits
		// with an optional minus, in JSON's grammar (no leading zero), are
		// read by both alike, and checkJSON then applies the schema.
		if raw == "" {
			return false // "empty value" unless allowEmptyValue
		}
		for i := 0; i < len(raw); i++ {
			if b := raw[i]; b != '-' && (b < '0' || b > '9') {
				return false
			}
		}
		return checkJSON(pc.node, []byte(raw))
	}
	if pc.node.anyString {
		return true
	}
	// ascii false: checkString counts the runes, right for any valid UTF-8.
	return utf8.ValidString(raw) && pc.node.checkString([]byte(raw), false)
}
