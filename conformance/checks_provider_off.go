package conformance

import (
	"context"
	"mime"
	"net/http"

	"github.com/mmoauth/mmoauth/models"
)

// With EnableOAuthServiceProvider off, the session endpoints answer 501 once
// the checks before the app layer pass, the metadata 501, and registration
// 400 unsupported_operation (the permission checks of server/channels/api4/oauth.go). The embedded mock's
// provider-off configuration keeps registration on, so that only the
// provider switch can explain a refused registration (server/channels/api4/oauth.go registerOAuthClient, step 2).

func providerOffChecks() []Check {
	return []Check{
		{
			ID: "provider-off/session-endpoints/not-implemented", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "With the OAuth provider disabled, every app endpoint and the authorized-apps list answer 501 once the session and ids pass",
			Source: "server/channels/api4/oauth.go (app.GetOAuthApp 501), the permission checks of server/channels/api4/oauth.go (provider off), docs/RULES.md",
			Needs:  Needs{Roles: []Role{Admin}, ProviderOff: true, Creates: true},
			Run: func(ctx context.Context, t *T) {
				id := unknownID()
				r := t.rawJSON(ctx, Admin, http.MethodPost, appsPath, createBody(t.env.newAppRequest("provider off")))
				r.expect(t, "create", http.StatusNotImplemented, idRegisterTurnedOff)
				t.raw(ctx, Admin, http.MethodGet, appsPath, "", nil).expect(t, "list", http.StatusNotImplemented, idProviderOff)
				for _, rt := range idRoutes {
					rt.send(ctx, t, Admin, id).expect(t, rt.method+" "+rt.path("{id}"), http.StatusNotImplemented, idProviderOff)
				}
				t.raw(ctx, Admin, http.MethodGet, "/api/v4/users/me/oauth/apps/authorized", "", nil).
					expect(t, "authorized-apps list", http.StatusNotImplemented, "")
			},
		},
		{
			ID: "provider-off/metadata/not-implemented", Category: CategoryRFC8414, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "With the OAuth provider disabled, the metadata endpoint answers 501 with the web handler's HTML error page, not the metadata",
			Source:   "server/channels/web/oauth.go getAuthorizationServerMetadata (c.Err rendered by web/handlers.go ServeHTTP); seen on Mattermost 11.6; server/channels/app/oauth.go GetAuthorizationServerMetadata (gates), docs/RULES.md",
			Needs:    Needs{ProviderOff: true},
			Run: func(ctx context.Context, t *T) {
				r := t.raw(ctx, Anonymous, http.MethodGet, metadataPath, "", nil)
				if r.expect(t, "metadata", http.StatusNotImplemented, "") {
					if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/html" {
						t.Errorf("the 501 is %q, want the text/html error page of a web handler", r.Header.Get("Content-Type"))
					}
				}
			},
		},
		{
			ID: "provider-off/register/unsupported-operation", Category: CategoryRFC7591, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "With the OAuth provider disabled, registration answers 400 unsupported_operation (not 501)",
			Source:   "server/channels/api4/oauth.go registerOAuthClient (step 2), docs/RULES.md",
			Needs:    Needs{Roles: []Role{Admin}, ProviderOff: true, Creates: true},
			Run: func(ctx context.Context, t *T) {
				r := t.rawJSON(ctx, Anonymous, http.MethodPost, registerPath, registrationJSON(t.newRegistration("")))
				r.expect(t, "register", http.StatusBadRequest, models.DCRErrorUnsupportedOperation)
			},
		},
	}
}
