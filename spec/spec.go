// Package spec holds mmoauth's OpenAPI 3 document for Mattermost's OAuth 2.0
// service-provider API, embedded in the binary, with a loader and a
// request/response validator built on kin-openapi.
//
// The document (openapi.yaml) describes the REAL server
// (mattermost/mattermost api4/oauth.go, web/oauth.go, model/oauth*.go): where
// the published api/v4/source/oauth.yaml disagrees with it, the document
// follows the server and says so in a description. It is the single source of
// truth for the mock server's routes and for the conformance suite's schema
// checks.
package spec

import (
	"context"
	_ "embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var document []byte

// YAML returns the raw OpenAPI document. The slice is a copy, so callers may
// keep or change it.
func YAML() []byte {
	return append([]byte(nil), document...)
}

// load parses and validates the document once per process: parsing costs a
// few milliseconds and every Validator shares the result.
var load = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("spec: parse openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("spec: openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	return doc, nil
})

// Load returns the parsed and validated document. The result is cached and
// shared: callers must not mutate it.
func Load() (*openapi3.T, error) {
	return load()
}
