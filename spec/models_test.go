package spec_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
	"github.com/mmoauth/mmoauth/spec"
)

// jsonField is one JSON field of a models type.
type jsonField struct {
	name      string
	omitempty bool
	kind      reflect.Kind
}

func jsonFields(t *testing.T, typ reflect.Type) map[string]jsonField {
	t.Helper()
	fields := make(map[string]jsonField)
	for f := range typ.Fields() {
		if !f.IsExported() {
			continue
		}
		tag, ok := f.Tag.Lookup("json")
		require.True(t, ok, "%s.%s has no json tag", typ.Name(), f.Name)
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		kind := f.Type.Kind()
		if kind == reflect.Pointer {
			kind = f.Type.Elem().Kind()
		}
		fields[name] = jsonField{name: name, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty"), kind: kind}
	}
	return fields
}

// schemaType is the OpenAPI type a Go kind encodes to.
func schemaType(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Slice:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	default:
		return "unknown:" + k.String()
	}
}

// TestSchemasMatchModels checks every component schema against the models
// type the client decodes it into: the same property names both ways, the
// same JSON types, and — for response types — `required` equal to the fields
// the server always sends (no omitempty). Request schemas must require
// nothing (the server's JSON decoding enforces no field; docs/ARCHITECTURE.md "Contracts").
func TestSchemasMatchModels(t *testing.T) {
	doc, err := spec.Load()
	require.NoError(t, err)

	tests := []struct {
		schema   string
		model    any
		response bool
	}{
		{"OAuthApp", models.OAuthApp{}, true},
		{"StatusOK", models.StatusOK{}, true},
		{"AppError", models.AppError{}, true},
		{"DCRError", models.DCRError{}, true},
		{"AuthorizationServerMetadata", models.AuthorizationServerMetadata{}, true},
		{"ClientRegistrationResponse", models.ClientRegistrationResponse{}, true},
		{"User", models.User{}, true},
		{"AuthorizeResponse", models.AuthorizeResponse{}, true},
		{"AccessResponse", models.AccessResponse{}, true},
		{"CreateOAuthAppRequest", models.CreateOAuthAppRequest{}, false},
		{"UpdateOAuthAppRequest", models.UpdateOAuthAppRequest{}, false},
		{"ClientRegistrationRequest", models.ClientRegistrationRequest{}, false},
		{"AuthorizeRequest", models.AuthorizeRequest{}, false},
		{"DeauthorizeRequest", models.DeauthorizeRequest{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.schema, func(t *testing.T) {
			ref := doc.Components.Schemas[tt.schema]
			require.NotNil(t, ref, "schema %s missing", tt.schema)
			s := ref.Value
			fields := jsonFields(t, reflect.TypeOf(tt.model))

			var props, fieldNames []string
			for name := range s.Properties {
				props = append(props, name)
			}
			for name := range fields {
				fieldNames = append(fieldNames, name)
			}
			assert.ElementsMatch(t, fieldNames, props, "schema properties vs %T json fields", tt.model)

			for name, f := range fields {
				p := s.Properties[name]
				if p == nil || p.Value.Type == nil {
					continue // reported above, or "any value" (ignored by the server)
				}
				assert.True(t, p.Value.Type.Is(schemaType(f.kind)), "%s.%s: schema type %v, Go kind %s", tt.schema, name, p.Value.Type, f.kind)
			}

			if !tt.response {
				assert.Empty(t, s.Required, "request schemas must not require fields the server's decoder does not enforce")
				return
			}
			var always []string
			for name, f := range fields {
				if !f.omitempty {
					always = append(always, name)
				}
			}
			assert.ElementsMatch(t, always, s.Required, "required vs non-omitempty fields of %T", tt.model)
		})
	}
}
