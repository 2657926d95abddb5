package spec

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJSONBodyFastPathMatchesKin checks that validateJSON's single pass
// accepts and rejects exactly what openapi3filter.ValidateRequestBody does
// (the Validator with no prepared JSON bodies), with the same error, for
// ValidateRequest and ValidateRequestBytes alike.
func TestJSONBodyFastPathMatchesKin(t *testing.T) {
	fast, err := NewValidator()
	require.NoError(t, err)
	require.NotEmpty(t, fast.jsonBodies, "the JSON bodies are prepared")
	kin, err := NewValidator()
	require.NoError(t, err)
	kin.jsonBodies = nil // every body through openapi3filter

	targets := []struct{ method, target string }{
		{http.MethodPost, "/api/v4/oauth/apps"},
		{http.MethodPut, "/api/v4/oauth/apps/abcdefghijklmnopqrstuvwxyz"},
		{http.MethodPost, "/api/v4/oauth/apps/register"},
		{http.MethodPost, "/oauth/authorize"},
		{http.MethodPost, "/oauth/deauthorize"},
		{http.MethodPost, "/oauth/access_token"},
	}
	contentTypes := []string{"", "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded"}
	bodies := []string{
		``, ` `, `null`, `{}`, `[]`, `1`, `"s"`, `{bad`, `{} trailing`, `{}{}`, `{"name":"a"} `,
		`{"name":"a","description":"d","callback_urls":["https://x/cb"],"homepage":"https://x","is_public":true}`,
		`{"name":1}`, `{"name":null}`, `{"callback_urls":["a",2]}`, `{"callback_urls":"a"}`, `{"is_trusted":"yes"}`,
		`{"is_trusted":1e400}`, `{"name":1e400}`, `{"x":1e400}`, `{"x":-0.0}`, `{"x":1.0}`, `{"x":12345678901234567890}`,
		`{"name":"a","name":2}`, `{"name":2,"name":"a"}`, `{"name":"\u00e9\ud800"}`, "{\"name\":\"\xff\"}",
		`{"redirect_uris":"https://x/cb"}`, `{"redirect_uris":["https://x/cb"],"grant_types":5}`, `{"client_name":[1]}`,
		`{"client_id":"x","response_type":"code","redirect_uri":"https://x/cb","state":1}`, `{"client_id":1}`,
		`{"id":"abcdefghijklmnopqrstuvwxyz","mattermost_app_id":1}`, `{"a":{"b":[{"c":[]}]}}`,
	}
	for _, tg := range targets {
		for _, ct := range contentTypes {
			for _, body := range bodies {
				t.Run(tg.method+" "+tg.target+" "+ct+" "+body, func(t *testing.T) {
					want := validateWith(t, kin, tg.method, tg.target, ct, body, false)
					assert.Equal(t, want, validateWith(t, fast, tg.method, tg.target, ct, body, false), "ValidateRequest")
					assert.Equal(t, want, validateWith(t, fast, tg.method, tg.target, ct, body, true), "ValidateRequestBytes")
				})
			}
		}
	}
}

// outcome is what a caller of ValidateRequest can see.
type outcome struct {
	Part, Name, Reason string
	Valid              bool
	BodyAfter          string
}

func validateWith(t *testing.T, v *Validator, method, target, ct, body string, bytesAPI bool) outcome {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	route, params, err := v.FindRoute(r)
	require.NoError(t, err)
	if bytesAPI {
		err = v.ValidateRequestBytes(context.Background(), r, route, params, []byte(body))
	} else {
		err = v.ValidateRequest(context.Background(), r, route, params)
	}
	var out outcome
	rest := new(strings.Builder)
	_, copyErr := io.Copy(rest, r.Body)
	require.NoError(t, copyErr)
	out.BodyAfter = rest.String()
	if err == nil {
		out.Valid = true
		return out
	}
	var re *RequestError
	require.ErrorAs(t, err, &re)
	out.Part, out.Name, out.Reason = re.Part, re.Name, re.Reason
	return out
}
