package conformance

import (
	"errors"
	"fmt"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

// Error ids and codes the checks expect (server/channels/api4/oauth.go, server/channels/api4/oauth.go registerOAuthClient, server/channels/app/oauth.go).
const (
	idSessionExpired     = "api.context.session_expired.app_error"
	idInvalidURLParam    = "api.context.invalid_url_param.app_error"
	idInvalidBodyParam   = "api.context.invalid_body_param.app_error"
	idPermissions        = "api.context.permissions.app_error"
	idAdminOnly          = "api.command.admin_only.app_error"
	idAppNotFound        = "app.oauth.get_app.find.app_error"
	idPublicRegen        = "api.oauth.regenerate_secret.public_client.app_error"
	idPKCERequiredPublic = "api.oauth.allow_oauth.pkce_required_public.app_error"
	idRedirectCallback   = "api.oauth.allow_oauth.redirect_callback.app_error"
	idProviderOff        = "api.oauth.allow_oauth.turn_off.app_error"
	// idTokenInQuery: a session that is not OAuth sent its token in the
	// query string (server/channels/web/handlers.go ServeHTTP).
	idTokenInQuery      = "api.context.token_provided.app_error"
	idRegisterTurnedOff = "api.oauth.register_oauth_app.turn_off.app_error"
	// idCodeRedirectMismatch: the token endpoint's redirect_uri differs from
	// the code's (server/channels/app/oauth.go Code).
	idCodeRedirectMismatch = "api.oauth.get_access_token.redirect_uri.app_error"
	// idPublicClientSecret and idPublicClientRefresh are
	// OAuthApp.ValidateForGrantType's refusals of a public client
	// (server/public/model/oauth.go).
	idPublicClientSecret  = "model.oauth.validate_grant.public_client_secret.app_error" //nolint:gosec // G101: an error id, not a credential
	idPublicClientRefresh = "model.oauth.validate_grant.public_client_refresh_token.app_error"
	// The token endpoint's credential errors (server/channels/app/oauth.go
	// GetOAuthAccessTokenForCodeFlow, OAuthApp.ValidateForGrantType).
	idTokenCredentials = "api.oauth.get_access_token.credentials.app_error" //nolint:gosec // G101: an error id, not a credential
	idGrantCredentials = "model.oauth.validate_grant.credentials.app_error" //nolint:gosec // G101: an error id, not a credential
	idExpiredCode      = "api.oauth.get_access_token.expired_code.app_error"
	idMissingRefresh   = "api.oauth.get_access_token.missing_refresh_token.app_error"
	idRefreshToken     = "api.oauth.get_access_token.refresh_token.app_error" //nolint:gosec // G101: an error id, not a credential
)

// outcome is the result of one client call, kept for assertions.
type outcome[V any] struct {
	Value V
	Resp  *client.Response
	Err   error
}

// call captures a client method's three results: call(c.GetOAuthApp(ctx, id)).
func call[V any](v V, resp *client.Response, err error) outcome[V] {
	return outcome[V]{Value: v, Resp: resp, Err: err}
}

// Status is the HTTP status, 0 when no answer arrived.
func (o outcome[V]) Status() int {
	if o.Resp != nil {
		return o.Resp.StatusCode
	}
	var ce *client.Error
	if errors.As(o.Err, &ce) {
		return ce.StatusCode
	}
	return 0
}

// ErrorID is the AppError id or RFC 7591 / 6749 error code of a failed call.
func (o outcome[V]) ErrorID() string {
	var ce *client.Error
	if !errors.As(o.Err, &ce) {
		return ""
	}
	if ce.ID != "" {
		return ce.ID
	}
	return ce.OAuthError
}

// describe says what came back, in one line, without secrets.
func (o outcome[V]) describe() string {
	var ve *models.ValidationError
	var de *client.DecodeError
	switch {
	case errors.As(o.Err, &ve):
		return "refused by the client before sending: " + ve.Error()
	case errors.As(o.Err, &de):
		return fmt.Sprintf("%d with a body that is not the expected JSON (%s)", de.StatusCode, de.ContentType)
	case o.Status() == 0 && o.Err != nil:
		return "no answer: " + transportMessage(o.Err)
	}
	return describeStatus(o.Status(), o.ErrorID())
}

// must ends the check unless the call succeeded and its body decoded: a
// step the check builds on, not the rule under test.
func (o outcome[V]) must(t *T, step string) V {
	if o.Err != nil {
		t.Fatalf("%s: %s", step, o.describe())
	}
	return o.Value
}

// expect checks the status and, when id is not empty, the error id. It
// reports a failure and returns false on a mismatch. A 2xx whose body did
// not decode counts as a mismatch when a 2xx is wanted.
func (o outcome[V]) expect(t *T, step string, status int, id string) bool {
	var ve *models.ValidationError
	if errors.As(o.Err, &ve) {
		t.Fatalf("%s: the suite built a request the client refuses: %s", step, ve.Error())
	}
	if o.Status() == status && (id == "" || o.ErrorID() == id) {
		if status < 300 && o.Err != nil {
			t.Errorf("%s: %s", step, o.describe())
			return false
		}
		if ce := clientError(o.Err); id != "" && ce != nil && (isAppErrorID(id) && ce.ID != id || !isAppErrorID(id) && ce.ID != "") {
			t.Errorf("%s: %s came in the wrong body, want %s", step, id, shapeName(id))
			return false
		}
		return true
	}
	t.Errorf("%s: got %s, want %s", step, o.describe(), describeStatus(status, id))
	return false
}

// clientError returns the *client.Error in err's chain, or nil.
func clientError(err error) *client.Error {
	var ce *client.Error
	if errors.As(err, &ce) {
		return ce
	}
	return nil
}
