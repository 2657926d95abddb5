package models

import (
	"encoding/json"
	"fmt"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to every wire type: decoding may fail but
// must never panic, and whatever decodes must validate, format and re-encode
// without panicking.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaa","client_secret":"x","callback_urls":["https://a/cb"]}`,
		`{"redirect_uris":["https://a/cb"],"token_endpoint_auth_method":"none"}`,
		`{"issuer":"https://a","response_types_supported":["code"]}`,
		`{"redirect":"https://a/cb?code=x&state=y"}`,
		`{"access_token":"t","expires_in":3600}`,
		`{"id":"api.context.session_expired.app_error","status_code":401}`,
		`[]`, `null`, `{"callback_urls":null}`, `{"expires_in":1e99}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		targets := []any{
			&OAuthApp{}, &CreateOAuthAppRequest{}, &UpdateOAuthAppRequest{}, &ClientRegistrationRequest{},
			&ClientRegistrationResponse{}, &AuthorizationServerMetadata{}, &AppError{}, &DCRError{},
			&AuthorizeRequest{}, &AuthorizeResponse{}, &AccessResponse{}, &User{}, &StatusOK{},
			&DeauthorizeRequest{}, &OAuthError{},
		}
		for _, v := range targets {
			if json.Unmarshal(data, v) != nil {
				continue
			}
			if val, ok := v.(interface{ Validate() error }); ok {
				_ = val.Validate()
			}
			if r, ok := v.(*AuthorizeResponse); ok {
				_, _ = r.Code()
			}
			_ = fmt.Sprintf("%v %+v %#v", v, v, v)
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("%T decoded but does not re-encode: %v", v, err)
			}
		}
	})
}
