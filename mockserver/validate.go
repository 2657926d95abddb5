package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mmoauth/mmoauth/models"
)

// validateApp applies OAuthApp.IsValid (server/public/model/oauth.go), which
// the store runs on save and update, in its order. The fields a caller
// controls go through models' request validators, which implement the same
// rules; the server-set fields are checked here.
func validateApp(a models.OAuthApp) *apiError {
	bad := func(id string) *apiError { return newError(http.StatusBadRequest, id, "app_id="+a.ID) }
	switch {
	case !models.IsValidID(a.ID):
		return newError(http.StatusBadRequest, "model.oauth.is_valid.app_id.app_error", "")
	case a.CreateAt == 0:
		return bad("model.oauth.is_valid.create_at.app_error")
	case a.UpdateAt == 0:
		return bad("model.oauth.is_valid.update_at.app_error")
	case !models.IsValidID(a.CreatorID) && !a.IsDynamicallyRegistered:
		return bad("model.oauth.is_valid.creator_id.app_error")
	case len(a.ClientSecret) > models.MaxClientSecretLength:
		return bad("model.oauth.is_valid.client_secret.app_error")
	}
	req := models.CreateOAuthAppRequest{
		Name: a.Name, Description: a.Description, IconURL: a.IconURL,
		CallbackURLs: a.CallbackURLs, Homepage: a.Homepage,
	}
	if a.Homepage == "" && a.IsDynamicallyRegistered {
		// A registered client may have no homepage (IsValid skips the
		// check); models' validator always requires one, so stand in a
		// valid placeholder for this check only.
		req.Homepage = "https://homepage.invalid"
	}
	if err := req.Validate(); err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			return bad(ve.ServerErrorID)
		}
		return bad("model.oauth.is_valid.app_error")
	}
	if len(a.MattermostAppID) > models.MaxMattermostAppIDLength {
		return bad("model.oauth.is_valid.mattermost_app_id.app_error")
	}
	return nil
}

// resourceError is model.ValidateResourceParameter (RFC 8707 §2): at most
// 512 bytes, parseable, absolute, no fragment. Its ids are finer than the
// single one models reports.
func resourceError(resource, clientID string) *apiError {
	if resource == "" {
		return nil
	}
	bad := func(id string) *apiError { return newError(http.StatusBadRequest, id, "client_id="+clientID) }
	if len(resource) > models.MaxResourceLength {
		return bad("model.authorize.is_valid.resource.length.app_error")
	}
	u, err := url.Parse(resource)
	switch {
	case err != nil:
		return bad("model.authorize.is_valid.resource.invalid_uri.app_error")
	case !u.IsAbs():
		return bad("model.authorize.is_valid.resource.not_absolute.app_error")
	case u.Fragment != "":
		return bad("model.authorize.is_valid.resource.has_fragment.app_error")
	}
	return nil
}

// validateAuthorizeRequest is AuthorizeRequest.IsValid, through models'
// validator (same rules, same order), with the finer resource ids.
// checkChallenge false skips the code_challenge rules (the
// pkce-challenge-unchecked deviation).
func validateAuthorizeRequest(ar *models.AuthorizeRequest, checkChallenge bool) *apiError {
	err := ar.Validate()
	if err == nil {
		return nil
	}
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return newError(http.StatusBadRequest, "model.authorize.is_valid.app_error", "")
	}
	if !checkChallenge && (ve.Field == "code_challenge" || ve.Field == "code_challenge_method") {
		return resourceError(ar.Resource, ar.ClientID) // the one rule after the challenge's
	}
	if ve.Field == "resource" {
		if e := resourceError(ar.Resource, ar.ClientID); e != nil {
			return e
		}
	}
	detail := ""
	if ve.Field != "client_id" && ve.Field != "response_type" {
		detail = "client_id=" + ar.ClientID
	}
	return newError(http.StatusBadRequest, ve.ServerErrorID, detail)
}

// dcrRequest is model.ClientRegistrationRequest as the server decodes it:
// pointers tell an absent field from an empty one, which matters (an empty
// client_name fails the app's name check, an empty method is unsupported).
type dcrRequest struct {
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod *string  `json:"token_endpoint_auth_method"`
	ClientName              *string  `json:"client_name"`
	ClientURI               *string  `json:"client_uri"`
}

// isValid is ClientRegistrationRequest.IsValid (v11.9) in its order:
// redirect URIs present and http(s), client_name length, client_uri format
// then length, auth method. It returns the AppError id; the handler sends its
// message as error_description.
func (r *dcrRequest) isValid(checkRedirects bool) *apiError {
	bad := func(id, detail string) *apiError { return newError(http.StatusBadRequest, id, detail) }
	if len(r.RedirectURIs) == 0 {
		return bad("model.dcr.is_valid.redirect_uris.app_error", "")
	}
	if checkRedirects {
		for _, u := range r.RedirectURIs {
			if !models.IsValidHTTPURL(u) {
				return bad("model.dcr.is_valid.redirect_uri_format.app_error", "")
			}
		}
	}
	if r.ClientName != nil && len(*r.ClientName) > models.MaxClientNameBytes {
		return bad("model.dcr.is_valid.client_name.app_error", "")
	}
	if r.ClientURI != nil {
		if !models.IsValidHTTPURL(*r.ClientURI) {
			return bad("model.dcr.is_valid.client_uri_format.app_error", "")
		}
		if len(*r.ClientURI) > models.MaxClientURILength {
			return bad("model.dcr.is_valid.client_uri_length.app_error", "")
		}
	}
	if m := r.TokenEndpointAuthMethod; m != nil && *m != models.AuthMethodClientSecretPost && *m != models.AuthMethodNone {
		return bad("model.dcr.is_valid.unsupported_auth_method.app_error", fmt.Sprintf("method=%q", *m))
	}
	return nil
}
