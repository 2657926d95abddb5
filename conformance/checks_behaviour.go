package conformance

import (
	"context"
	"net/http"
	"slices"

	"github.com/mmoauth/mmoauth/models"
)

func behaviourChecks() []Check {
	return []Check{
		{
			ID: "apps/crud/round-trip", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "create → get → update → list → delete → get answers 201, 200, 200 (changes kept), 200 (listed), 200, 404",
			Source: "server/channels/api4/oauth.go (app endpoints), docs/RULES.md",
			// The list is walked page by page, which apps other checks
			// delete meanwhile would shift (no ORDER BY): it must stand still.
			Needs: Needs{Roles: []Role{Manager}, Creates: true, Exclusive: true},
			Run:   runCRUDRoundTrip,
		},
		{
			ID: "apps/create/server-set-fields", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "Create echoes the given fields (callback_urls in order) and sets id, creator_id (the caller), create_at and update_at (ms), a client_secret; GET then returns the same app",
			Source: "server/channels/api4/oauth.go (POST /oauth/apps steps 4–5), server/public/model/oauth.go OAuthApp",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run:    runServerSetFields,
		},
		{
			ID: "apps/update/server-set-fields", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "Update stores every field sent (homepage, icon_url, callback_urls in order, mattermost_app_id), keeps id, creator_id, create_at and client_secret, and sets a new update_at",
			Source: "server/channels/api4/oauth.go (PUT /oauth/apps/{id}), server/public/model/oauth.go OAuthApp (mattermost_app_id taken on update; update_at set by PreUpdate)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run:    runUpdateFields,
		},
		{
			ID: "apps/delete/revokes-grants", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "Deleting an app ends the sessions of its access tokens, refuses its refresh tokens, and /info answers 404",
			Source: "server/channels/api4/oauth.go (DELETE, GET …/info 404); oauth_store.go deleteApp → deleteOAuthAppSessions; app.DeleteOAuthApp invalidates the caches",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run:    runDeleteRevokesGrants,
		},
		{
			ID: "secrets/create/public-client-no-secret", Category: CategoryBehaviour, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "An app created with is_public has an empty client_secret, in the 201 and afterwards",
			Source:   "server/channels/api4/oauth.go (POST /oauth/apps step 5), server/public/model/oauth.go OAuthApp (public is derived from an empty secret)",
			Needs:    Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "public", publicApp)
				if app.ClientSecret.IsSet() {
					t.Errorf("the 201 of a public app carries a client_secret")
				}
				got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator reads the public app")
				if got.ClientSecret.IsSet() {
					t.Errorf("GET of a public app returns a client_secret")
				}
			},
		},
		{
			ID: "secrets/get-app/returned-to-creator", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "GET one app returns its client_secret to the creator (not sanitized)",
			Source: "server/channels/api4/oauth.go (GET /oauth/apps/{id}), docs/RULES.md (TestGetOAuthApp)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "secret get", nil)
				got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator reads the app")
				if !got.ClientSecret.IsSet() || !sameSecret(got.ClientSecret, app.ClientSecret) {
					t.Errorf("GET does not return the client_secret issued at create")
				}
			},
		},
		{
			ID: "secrets/list-apps/returned", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "The app list returns each app's client_secret (not sanitized)",
			Source: "server/channels/api4/oauth.go (GET /oauth/apps), docs/RULES.md",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true, Exclusive: true}, // walks the list's pages
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "secret list", nil)
				found, _, err := findApp(ctx, t.Client(Manager), app.ID)
				switch {
				case err != nil:
					t.Fatalf("creator lists apps: %v", err)
				case found == nil:
					t.Fatalf("the creator's list lacks the app it created")
				case !sameSecret(found.ClientSecret, app.ClientSecret):
					t.Errorf("the list does not return the app's client_secret")
				}
			},
		},
		{
			ID: "secrets/app-info/blanked", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "GET /oauth/apps/{id}/info always blanks client_secret, whoever asks",
			Source: "server/channels/api4/oauth.go (Sanitize), the permission checks of server/channels/api4/oauth.go, docs/RULES.md (TestGetOAuthAppInfo)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "secret info", nil)
				for _, role := range []Role{Manager, PlainUser, Admin} {
					if !t.Has(role) {
						continue
					}
					got := call(t.Client(role).GetOAuthAppInfo(ctx, app.ID)).must(t, string(role)+" reads the app's info")
					if got.ClientSecret.IsSet() {
						t.Errorf("/info returns a client_secret to %s", role)
					}
				}
			},
		},
		{
			ID: "secrets/authorized-apps/blanked", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "The authorized-apps list blanks client_secret",
			Source: "server/channels/api4/oauth.go (GET /users/{id}/oauth/apps/authorized: sanitized)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "secret authorized", nil)
				who := t.authorizer()
				t.authorize(ctx, who, app, nil)
				got, ok := t.listedAuthorized(ctx, who, app.ID)
				if !ok {
					t.Fatalf("the authorized app is not in %s's authorized-apps list", who)
				}
				if got.ClientSecret.IsSet() {
					t.Errorf("the authorized-apps list returns the client_secret")
				}
			},
		},
		{
			ID: "secrets/regen-secret/rotates", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "regen_secret returns a new secret, GET returns it, and the token endpoint refuses the old one",
			Source: "server/channels/api4/oauth.go (regen_secret), server/channels/app/oauth.go (Token: wrong secret → 401)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run:    runRegenRotates,
		},
		{
			ID: "secrets/regen-secret/public-client-refused", Category: CategoryBehaviour, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "regen_secret on a public client answers 400 " + idPublicRegen + " and the app keeps no secret",
			Source:   "Mattermost's release history (models/release.go) (PR #34435), server/channels/api4/oauth.go (regen_secret), docs/RULES.md",
			Needs:    Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "public regen", publicApp)
				o := call(t.Client(Manager).RegenerateOAuthAppSecret(ctx, app.ID))
				o.expect(t, "creator regenerates a public client's secret", http.StatusBadRequest, idPublicRegen)
				got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator re-reads the public app")
				if got.ClientSecret.IsSet() {
					t.Errorf("after the refused regeneration the public app has a client_secret: it is no longer public")
				}
			},
		},
		{
			ID: "trusted/create/forced-false-for-manager", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "A caller without manage_system creating an app with is_trusted=true gets is_trusted=false, in the 201 and as stored",
			Source: "server/channels/api4/oauth.go (POST /oauth/apps step 3), docs/RULES.md (TestCreateOAuthApp)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true, ManagerNotAdmin: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "trusted create", func(r *models.CreateOAuthAppRequest) { r.IsTrusted = true })
				if app.IsTrusted {
					t.Errorf("the manager's app was created with is_trusted=true")
				}
				if got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator re-reads the app"); got.IsTrusted {
					t.Errorf("the 201 says is_trusted=false, but the stored app is trusted")
				}
			},
		},
		{
			ID: "trusted/update/kept-for-manager", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "A caller without manage_system cannot change is_trusted on update: the stored value is kept (answer and GET)",
			Source: "server/channels/api4/oauth.go (PUT /oauth/apps/{id}), docs/RULES.md",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true, ManagerNotAdmin: true},
			Run:    runTrustedKeptForManager,
		},
		{
			ID: "trusted/create/admin-honoured", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "The system admin (manage_system) may create a trusted app",
			Source: "the permission checks of server/channels/api4/oauth.go (POST /oauth/apps, SA column)",
			Needs:  Needs{Roles: []Role{Admin}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Admin, "admin trusted", func(r *models.CreateOAuthAppRequest) { r.IsTrusted = true })
				if !app.IsTrusted {
					t.Errorf("the admin's app was created with is_trusted=false")
				}
			},
		},
		{
			ID: "trusted/update/admin-honoured", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "The system admin (manage_system) may change is_trusted on update",
			Source: "server/channels/api4/oauth.go (PUT /oauth/apps/{id})",
			Needs:  Needs{Roles: []Role{Admin}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Admin, "admin trusted update", nil)
				req := app.UpdateRequest()
				req.IsTrusted = !app.IsTrusted
				got := call(t.Client(Admin).UpdateOAuthApp(ctx, req)).must(t, "admin flips is_trusted")
				if got.IsTrusted == app.IsTrusted {
					t.Errorf("the admin's update did not change is_trusted")
				}
			},
		},
		{
			ID: "authorized/authorize/listed", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "After a user authorizes an app, it appears in the user's authorized-apps list",
			Source: "server/channels/web/params.go (authorized apps: Preferences join), server/channels/app/oauth.go (Authorize)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "authorized list", nil)
				who := t.authorizer()
				if _, ok := t.listedAuthorized(ctx, who, app.ID); ok {
					t.Fatalf("a new app is already in %s's authorized-apps list", who)
				}
				t.authorize(ctx, who, app, nil)
				if _, ok := t.listedAuthorized(ctx, who, app.ID); !ok {
					t.Errorf("the app %s authorized is not in its authorized-apps list", who)
				}
			},
		},
		{
			ID: "authorized/deauthorize/revokes", Category: CategoryBehaviour, Kind: KindCompat,
			Rule:   "Deauthorize answers {\"status\":\"OK\"}, removes the app from the authorized list and revokes its tokens, the refresh token too",
			Source: "server/channels/api4/oauth.go (POST /oauth/deauthorize), server/public/model/client4.go (DeauthorizeOAuthApp)",
			Needs:  Needs{Roles: []Role{Manager}, Creates: true},
			Run:    runDeauthorizeRevokes,
		},
	}
}

func runCRUDRoundTrip(ctx context.Context, t *T) {
	c := t.Client(Manager)
	app := t.createApp(ctx, Manager, "round trip", nil)
	got := call(c.GetOAuthApp(ctx, app.ID))
	if !got.expect(t, "get after create", http.StatusOK, "") {
		return
	}
	if got.Value.Name != app.Name || !slices.Equal(got.Value.CallbackURLs, app.CallbackURLs) {
		t.Errorf("get after create returns other fields than create did")
	}
	req := app.UpdateRequest()
	req.Name = app.Name + " (updated)"
	req.Description = "updated by the round trip"
	req.CallbackURLs = []string{testCallback, testCallback + "/second"}
	upd := call(c.UpdateOAuthApp(ctx, req))
	if upd.expect(t, "update", http.StatusOK, "") && (upd.Value.Name != req.Name || upd.Value.ID != app.ID) {
		t.Errorf("the update's answer does not carry the new name and the same id")
	}
	reread := call(c.GetOAuthApp(ctx, app.ID)).must(t, "get after update")
	if reread.Name != req.Name || reread.Description != req.Description || !slices.Equal(reread.CallbackURLs, req.CallbackURLs) {
		t.Errorf("get after update does not return the updated fields")
	}
	if reread.CreateAt != app.CreateAt {
		t.Errorf("update changed create_at")
	}
	if found, _, err := findApp(ctx, c, app.ID); err != nil || found == nil {
		t.Errorf("the creator's list lacks the app (err %v)", err)
	}
	if call(c.DeleteOAuthApp(ctx, app.ID)).expect(t, "delete", http.StatusOK, "") {
		call(c.GetOAuthApp(ctx, app.ID)).expect(t, "get after delete", http.StatusNotFound, idAppNotFound)
	}
}

func runServerSetFields(ctx context.Context, t *T) {
	req := t.env.newAppRequest("server fields")
	req.IconURL = testHomepage + "/icon.png"
	// Two callbacks, not in sorted order: the list is stored as sent.
	req.CallbackURLs = []string{testCallback + "/z", testCallback}
	app := t.createApp(ctx, Manager, "server fields", func(r *models.CreateOAuthAppRequest) {
		r.IconURL, r.CallbackURLs = req.IconURL, req.CallbackURLs
	})
	if !models.IsValidID(app.ID) {
		t.Errorf("id %q is not a 26-character Mattermost id", app.ID)
	}
	if app.CreatorID != t.UserID(Manager) {
		t.Errorf("creator_id is %q, want the caller %q", app.CreatorID, t.UserID(Manager))
	}
	if app.CreateAt <= 0 || app.UpdateAt < app.CreateAt {
		t.Errorf("create_at %d / update_at %d are not set by the server", app.CreateAt, app.UpdateAt)
	}
	checkTimestamps(t, "the 201", app)
	if !app.ClientSecret.IsSet() {
		t.Errorf("a confidential app was created without a client_secret")
	}
	if app.IsTrusted {
		t.Errorf("an app created with is_trusted=false is trusted")
	}
	if app.IsDynamicallyRegistered {
		t.Errorf("an app created through POST /oauth/apps is marked is_dynamically_registered")
	}
	if app.Name != req.Name || app.Description != req.Description || app.Homepage != req.Homepage ||
		app.IconURL != req.IconURL || !slices.Equal(app.CallbackURLs, req.CallbackURLs) {
		t.Errorf("the 201 does not echo name, description, homepage, icon_url and callback_urls (in order) as sent")
	}
	got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator reads the new app")
	if diff := sameApp(got, app); len(diff) > 0 {
		t.Errorf("GET after create differs from the 201 in %v: the server did not store what it answered", diff)
	}
}

// runUpdateFields changes every field an update may change and checks the
// answer and what GET returns afterwards. update_at must move once the
// server's clock has: a second app, created between the first one and the
// update, shows the server's time between the two (its create_at); a fast
// server can do all three within one millisecond, and then an unchanged
// update_at proves nothing.
func runUpdateFields(ctx context.Context, t *T) {
	c := t.Client(Manager)
	app := t.createApp(ctx, Manager, "update fields", nil)
	marker := t.createApp(ctx, Manager, "update clock marker", nil)
	req := app.UpdateRequest()
	req.Name = app.Name + " (updated)"
	req.Description = "changed by the update check"
	req.Homepage = testHomepage + "/updated"
	req.IconURL = testHomepage + "/updated.png"
	req.CallbackURLs = []string{testCallback + "/z", testCallback + "/a"}
	req.MattermostAppID = "mmoauth-conformance"
	upd := call(c.UpdateOAuthApp(ctx, req)).must(t, "creator updates every field")
	checkUpdated(t, "the update's answer", upd, app, req, marker.CreateAt)
	got := call(c.GetOAuthApp(ctx, app.ID)).must(t, "creator re-reads the app")
	checkUpdated(t, "GET after the update", got, app, req, marker.CreateAt)
	if diff := sameApp(got, upd); len(diff) > 0 {
		t.Errorf("GET after the update differs from the update's answer in %v", diff)
	}
}

// checkUpdated compares an app after an update with the app before it and
// the update sent. clockMoved is a server time at or after the app's
// update_at and before the update.
func checkUpdated(t *T, what string, got, before *models.OAuthApp, req *models.UpdateOAuthAppRequest, clockMoved int64) {
	if got.ID != before.ID || got.CreatorID != before.CreatorID || got.CreateAt != before.CreateAt {
		t.Errorf("%s: id, creator_id or create_at changed (%q, %q, %d; were %q, %q, %d)", what,
			got.ID, got.CreatorID, got.CreateAt, before.ID, before.CreatorID, before.CreateAt)
	}
	if !got.ClientSecret.IsSet() || !sameSecret(got.ClientSecret, before.ClientSecret) {
		t.Errorf("%s: the client_secret changed; an update keeps it (only regen_secret changes it)", what)
	}
	if got.IsTrusted != before.IsTrusted || got.IsDynamicallyRegistered {
		t.Errorf("%s: is_trusted %v / is_dynamically_registered %v, want %v / false", what, got.IsTrusted, got.IsDynamicallyRegistered, before.IsTrusted)
	}
	var wrong []string
	for _, f := range []struct {
		name string
		ok   bool
	}{
		{"name", got.Name == req.Name},
		{"description", got.Description == req.Description},
		{"homepage", got.Homepage == req.Homepage},
		{"icon_url", got.IconURL == req.IconURL},
		{"callback_urls", slices.Equal(got.CallbackURLs, req.CallbackURLs)},
		{"mattermost_app_id", got.MattermostAppID == req.MattermostAppID},
	} {
		if !f.ok {
			wrong = append(wrong, f.name)
		}
	}
	if len(wrong) > 0 {
		t.Errorf("%s: %v are not what the update sent", what, wrong)
	}
	checkTimestamps(t, what, got)
	if clockMoved > before.UpdateAt && got.UpdateAt == before.UpdateAt {
		t.Errorf("%s: update_at is still %d although the server's clock had reached %d before the update", what, got.UpdateAt, clockMoved)
	}
}

func runDeleteRevokesGrants(ctx context.Context, t *T) {
	app := t.createApp(ctx, Manager, "delete revokes", nil)
	who := t.authorizer()
	tok := t.grant(ctx, who, app)
	oauthClient := t.Client(Anonymous).WithToken(tok.AccessToken.Reveal())
	call(oauthClient.GetMe(ctx)).must(t, "the access token authenticates before the delete")
	call(t.Client(Manager).DeleteOAuthApp(ctx, app.ID)).must(t, "creator deletes the app")
	call(oauthClient.GetMe(ctx)).expect(t, "the access token after the app was deleted", http.StatusUnauthorized, "")
	if r := t.tokenRequest(ctx, refreshForm(app, tok.RefreshToken.Reveal())); r.Status == http.StatusOK {
		t.Errorf("the refresh token of a deleted app still gets tokens")
	}
	call(t.Client(who).GetOAuthAppInfo(ctx, app.ID)).expect(t, "/info of the deleted app", http.StatusNotFound, idAppNotFound)
	if _, ok := t.listedAuthorized(ctx, who, app.ID); ok {
		t.Errorf("the deleted app is still in %s's authorized-apps list", who)
	}
}

func runRegenRotates(ctx context.Context, t *T) {
	app := t.createApp(ctx, Manager, "regen", nil)
	who := t.authorizer()
	regen := call(t.Client(Manager).RegenerateOAuthAppSecret(ctx, app.ID)).must(t, "creator regenerates the secret")
	if !regen.ClientSecret.IsSet() || sameSecret(regen.ClientSecret, app.ClientSecret) {
		t.Fatalf("regen_secret did not return a new client_secret")
	}
	got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator re-reads the app")
	if !sameSecret(got.ClientSecret, regen.ClientSecret) {
		t.Errorf("GET after regen_secret does not return the new secret")
	}
	old := t.tokenRequest(ctx, codeForm(app, t.authorize(ctx, who, app, nil), app.ClientSecret.Reveal(), ""))
	if old.Status == http.StatusOK {
		t.Errorf("the token endpoint accepted the old client secret after regen_secret")
	} else if old.Status != http.StatusUnauthorized && old.Status != http.StatusForbidden {
		// 401 model.oauth.validate_grant.credentials, 403 in older versions (server/channels/app/oauth.go).
		t.Errorf("the old secret got %d at the token endpoint, want 401 (403 before v11)", old.Status)
	}
	t.exchange(ctx, codeForm(app, t.authorize(ctx, who, app, nil), regen.ClientSecret.Reveal(), ""))
}

func runTrustedKeptForManager(ctx context.Context, t *T) {
	app := t.createApp(ctx, Manager, "trusted update", nil)
	req := app.UpdateRequest()
	req.IsTrusted = true
	upd := call(t.Client(Manager).UpdateOAuthApp(ctx, req)).must(t, "manager sets is_trusted=true")
	if upd.IsTrusted {
		t.Errorf("the manager's update set is_trusted=true")
	}
	if got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator re-reads the app"); got.IsTrusted {
		t.Errorf("the manager's update answered is_trusted=false, but the stored app is trusted")
	}
	if !t.Has(Admin) {
		t.Logf("without the admin identity, only the false→true direction was checked")
		return
	}
	// The admin makes the app trusted; the manager's update must keep it so.
	req.IsTrusted = true
	call(t.Client(Admin).UpdateOAuthApp(ctx, req)).must(t, "admin sets is_trusted=true")
	req.IsTrusted = false
	req.Description = "manager update keeps is_trusted"
	upd = call(t.Client(Manager).UpdateOAuthApp(ctx, req)).must(t, "manager sends is_trusted=false")
	if !upd.IsTrusted {
		t.Errorf("the manager's update cleared is_trusted that the admin had set")
	}
	if got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator re-reads the app"); !got.IsTrusted {
		t.Errorf("the manager's update answered is_trusted=true, but the stored app is no longer trusted")
	}
}

func runDeauthorizeRevokes(ctx context.Context, t *T) {
	app := t.createApp(ctx, Manager, "deauthorize", nil)
	who := t.authorizer()
	tok := t.grant(ctx, who, app)
	oauthClient := t.Client(Anonymous).WithToken(tok.AccessToken.Reveal())
	if me := call(oauthClient.GetMe(ctx)); me.expect(t, "the access token authenticates before deauthorize", http.StatusOK, "") &&
		me.Value.ID != t.UserID(who) {
		t.Errorf("the access token authenticates another user than the one who authorized")
	}
	if _, ok := t.listedAuthorized(ctx, who, app.ID); !ok {
		t.Errorf("the authorized app is not listed before deauthorize")
	}
	st := call(t.Client(who).DeauthorizeOAuthApp(ctx, app.ID))
	if st.expect(t, "deauthorize", http.StatusOK, "") && st.Value.Status != models.StatusOKValue {
		t.Errorf(`deauthorize answered status %q, want "OK"`, st.Value.Status)
	}
	if _, ok := t.listedAuthorized(ctx, who, app.ID); ok {
		t.Errorf("the app is still in the authorized-apps list after deauthorize")
	}
	call(oauthClient.GetMe(ctx)).expect(t, "the access token after deauthorize", http.StatusUnauthorized, "")
	if r := t.tokenRequest(ctx, refreshForm(app, tok.RefreshToken.Reveal())); r.Status == http.StatusOK {
		t.Errorf("the refresh token still gets new tokens after deauthorize")
	}
}
