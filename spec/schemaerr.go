package spec

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// jsonPointer renders the RFC 6901 pointer of the value a SchemaError is
// about ("" for the document root).
func jsonPointer(se *openapi3.SchemaError) string {
	parts := se.JSONPointer()
	if len(parts) == 0 {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		// RFC 6901 §3: "~" and "/" inside a token are escaped.
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
	}
	return b.String()
}

// schemaReason is the broken rule without the value (values may be secrets).
func schemaReason(se *openapi3.SchemaError) string {
	switch {
	case se.Reason != "":
		return se.Reason
	case se.Origin != nil:
		return se.Origin.Error()
	default:
		return `doesn't match schema "` + se.SchemaField + `"`
	}
}
