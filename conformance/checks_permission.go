package conformance

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// The permission matrix (the permission checks of server/channels/api4/oauth.go). Cells whose rule is "allowed" and
// that other checks already exercise with stronger assertions are not
// repeated here: the creator column is covered by apps/crud/round-trip,
// secrets/get-app/returned-to-creator, secrets/regen-secret/rotates and
// schema/status-ok/value; the system admin's create by
// trusted/create/admin-honoured; the registration and metadata rows by the
// rfc7591 and rfc8414 checks, which run anonymously.

const srcMatrix = "the permission checks of server/channels/api4/oauth.go (api4/oauth.go, api4/oauth_test.go)"

// sessionOp is one endpoint that needs a session, with a request that is
// well formed in every other respect, so that only the missing session can
// explain a refusal.
type sessionOp struct {
	name   string // id segment
	method string
	path   func(id string) string
	body   func(id string) string
}

var sessionOps = []sessionOp{
	{"create-app", http.MethodPost, func(string) string { return appsPath },
		func(string) string { return createBody(appRequest("anonymous", "")) }},
	{"list-apps", http.MethodGet, func(string) string { return appsPath }, nil},
	{"get-app", http.MethodGet, appPath, nil},
	{"update-app", http.MethodPut, appPath, func(id string) string {
		return fmt.Sprintf(`{"id":%q,"name":"x","callback_urls":[%q],"homepage":%q}`, id, testCallback, testHomepage)
	}},
	{"delete-app", http.MethodDelete, appPath, nil},
	{"regen-secret", http.MethodPost, func(id string) string { return appPath(id) + "/regen_secret" }, nil},
	{"app-info", http.MethodGet, func(id string) string { return appPath(id) + "/info" }, nil},
	{"authorized-apps", http.MethodGet, func(id string) string { return "/api/v4/users/" + id + "/oauth/apps/authorized" }, nil},
	{"authorize", http.MethodPost, func(string) string { return "/oauth/authorize" }, func(id string) string {
		return fmt.Sprintf(`{"response_type":"code","client_id":%q,"redirect_uri":%q,"scope":"user","state":"s"}`, id, testCallback)
	}},
	{"deauthorize", http.MethodPost, func(string) string { return "/oauth/deauthorize" }, func(id string) string {
		return fmt.Sprintf(`{"client_id":%q}`, id)
	}},
}

func appPath(id string) string { return appsPath + "/" + id }

func createBody(r *models.CreateOAuthAppRequest) string {
	return fmt.Sprintf(`{"name":%q,"description":%q,"callback_urls":[%q],"homepage":%q}`,
		r.Name, r.Description, r.CallbackURLs[0], r.Homepage)
}

func permissionChecks() []Check {
	var cs []Check
	for _, op := range sessionOps {
		cs = append(cs, anonymousCheck(op))
	}
	cs = append(cs,
		Check{
			ID: "permissions/create-app/plain-user-forbidden", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "A user without manage_oauth gets 403 api.context.permissions.app_error on create, and no app is created",
			Source: srcMatrix,
			Needs:  Needs{Roles: []Role{PlainUser}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				req := t.env.newAppRequest("plain user create")
				req.Name = uniqueName("plain user create")
				o := call(t.Client(PlainUser).CreateOAuthApp(ctx, req))
				o.expect(t, "user creates an app", http.StatusForbidden, idPermissions)
				t.expectNothingNamed(ctx, req.Name, "user creates an app")
			},
		},
		Check{
			ID: "permissions/create-app/bad-json-before-permission", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "Create decodes the body before the permission check: a user without manage_oauth sending bad JSON gets 400 invalid_body_param, not 403",
			Source: "server/channels/api4/oauth.go (POST /oauth/apps order), the permission checks of server/channels/api4/oauth.go",
			Needs:  Needs{Roles: []Role{PlainUser}},
			Run: func(ctx context.Context, t *T) {
				r := t.rawJSON(ctx, PlainUser, http.MethodPost, appsPath, `{"name": "unterminated`)
				r.expect(t, "user sends malformed JSON to create", http.StatusBadRequest, idInvalidBodyParam)
			},
		},
		Check{
			ID: "permissions/list-apps/plain-user-admin-only", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "A user without manage_oauth listing apps gets 403 with id api.command.admin_only.app_error (not the usual permissions id)",
			Source: "server/channels/api4/oauth.go (GET /oauth/apps), docs/RULES.md",
			Needs:  Needs{Roles: []Role{PlainUser}},
			Run: func(ctx context.Context, t *T) {
				o := call(t.Client(PlainUser).GetOAuthApps(ctx, 0, 10))
				o.expect(t, "user lists apps", http.StatusForbidden, idAdminOnly)
			},
		},
		Check{
			ID: "permissions/list-apps/manager-sees-own-only", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "A manage_oauth user without manage_system_wide_oauth lists only the apps it created",
			Source: srcMatrix,
			Needs:  Needs{Roles: []Role{Manager, Manager2}, Creates: true, CreatorScoped: true, Exclusive: true}, // walks the list's pages
			Run:    runManagerSeesOwnOnly,
		},
		Check{
			ID: "permissions/list-apps/admin-sees-all", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "The system admin (manage_system_wide_oauth) lists every app, whoever created it",
			Source: srcMatrix,
			Needs:  Needs{Roles: []Role{Admin, Manager}, Creates: true, Exclusive: true}, // walks the list's pages
			Run:    runAdminSeesAll,
		},
	)
	for _, op := range appOps {
		cs = append(cs, plainUserAppCheck(op), nonCreatorCheck(op), adminAllowedCheck(op))
	}
	cs = append(cs,
		Check{
			ID: "permissions/app-info/any-user-allowed", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "Any logged-in user, even without manage_oauth, gets 200 from GET /oauth/apps/{id}/info",
			Source: "the permission checks of server/channels/api4/oauth.go, docs/RULES.md",
			Needs:  Needs{Roles: []Role{Manager, PlainUser}, Creates: true},
			Run: func(ctx context.Context, t *T) {
				app := t.createApp(ctx, Manager, "info", nil)
				o := call(t.Client(PlainUser).GetOAuthAppInfo(ctx, app.ID))
				if o.expect(t, "user reads the app's info", http.StatusOK, "") && o.Value.Name != app.Name {
					t.Errorf("info names the app %q, want %q", o.Value.Name, app.Name)
				}
			},
		},
		Check{
			ID: "permissions/authorized-apps/self-allowed", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "Every logged-in user may list its own authorized apps, as \"me\" or by its id",
			Source: "server/channels/api4/oauth.go (RequireUserId, SessionHasPermissionToUser), the permission checks of server/channels/api4/oauth.go",
			Needs:  Needs{Roles: []Role{PlainUser}},
			Run: func(ctx context.Context, t *T) {
				for _, role := range Roles() {
					if !t.Has(role) {
						continue
					}
					for _, who := range []string{"me", t.UserID(role)} {
						o := call(t.Client(role).GetAuthorizedOAuthAppsForUser(ctx, who, 0, 10))
						o.expect(t, fmt.Sprintf("%s lists the authorized apps of %s", role, selfLabel(who)), http.StatusOK, "")
					}
				}
			},
		},
		Check{
			ID: "permissions/authorized-apps/other-user-forbidden", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "A user without edit_other_users gets 403 listing another user's authorized apps",
			Source: "server/channels/api4/oauth.go (SessionHasPermissionToUser), the permission checks of server/channels/api4/oauth.go",
			Needs:  Needs{Roles: []Role{PlainUser}},
			Run: func(ctx context.Context, t *T) {
				other := firstOf(t, Manager, Manager2, Admin)
				o := call(t.Client(PlainUser).GetAuthorizedOAuthAppsForUser(ctx, t.UserID(other), 0, 10))
				o.expect(t, "user lists the authorized apps of "+string(other), http.StatusForbidden, idPermissions)
			},
		},
		Check{
			ID: "permissions/authorized-apps/admin-reads-others", Category: CategoryPermission, Kind: KindCompat,
			Rule:   "The system admin (edit_other_users) may list another user's authorized apps",
			Source: srcMatrix,
			Needs:  Needs{Roles: []Role{Admin, PlainUser}},
			Run: func(ctx context.Context, t *T) {
				o := call(t.Client(Admin).GetAuthorizedOAuthAppsForUser(ctx, t.UserID(PlainUser), 0, 10))
				o.expect(t, "admin lists the user's authorized apps", http.StatusOK, "")
			},
		},
		Check{
			ID: "permissions/registered-app/admin-only", Category: CategoryPermission, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "A dynamically registered app has no creator: a manage_oauth user gets 403 on it, the system admin 200",
			Source:   "server/channels/api4/oauth.go registerOAuthClient (last paragraph), the permission checks of server/channels/api4/oauth.go",
			Needs:    Needs{Roles: []Role{Admin, Manager}, DCR: On, Creates: true, CreatorScoped: true},
			Run: func(ctx context.Context, t *T) {
				reg := t.registerClient(ctx, t.newRegistration(""))
				call(t.Client(Manager).GetOAuthApp(ctx, reg.ClientID)).expect(t, "manager reads a registered app", http.StatusForbidden, idPermissions)
				o := call(t.Client(Admin).GetOAuthApp(ctx, reg.ClientID))
				if !o.expect(t, "admin reads a registered app", http.StatusOK, "") {
					return
				}
				if o.Value.CreatorID != "" || !o.Value.IsDynamicallyRegistered {
					t.Errorf("registered app has creator_id %q and is_dynamically_registered %v, want \"\" and true",
						o.Value.CreatorID, o.Value.IsDynamicallyRegistered)
				}
			},
		},
	)
	return cs
}

func selfLabel(who string) string {
	if who == "me" {
		return `"me"`
	}
	return "itself by id"
}

// firstOf returns the first role the target has, or skips the check.
func firstOf(t *T, roles ...Role) Role {
	for _, r := range roles {
		if t.Has(r) {
			return r
		}
	}
	t.Skipf("needs one of the identities %v", roles)
	return ""
}

func anonymousCheck(op sessionOp) Check {
	return Check{
		ID:       "permissions/" + op.name + "/anonymous-unauthorized",
		RuleID:   ruleAnonymousUnauthorized,
		Category: CategoryPermission, Kind: KindCompat,
		Rule:   fmt.Sprintf("%s %s without a session gets 401 %s before any id or body is looked at", op.method, op.path("{id}"), idSessionExpired),
		Source: "server/channels/api4/oauth.go (common errors), the permission checks of server/channels/api4/oauth.go, docs/RULES.md",
		Run: func(ctx context.Context, t *T) {
			id := unknownID()
			body := ""
			if op.body != nil {
				body = op.body(id)
			}
			ct := ""
			var b []byte
			if body != "" {
				ct, b = contentJSON, []byte(body)
			}
			r := t.raw(ctx, Anonymous, op.method, op.path(id), ct, b)
			r.expect(t, "request without a session", http.StatusUnauthorized, idSessionExpired)
		},
	}
}

// appOp is an operation on one app that needs manage_oauth plus being the
// creator or system-wide (server/channels/api4/oauth.go rows GET/PUT/DELETE/regen).
type appOp struct {
	name string
	// do performs the operation on app as role.
	do func(ctx context.Context, t *T, role Role, app *models.OAuthApp) outcome[any]
	// unchanged checks, as the creator, that a refused operation had no effect.
	unchanged func(ctx context.Context, t *T, app *models.OAuthApp)
	// allowed checks the effect of a successful operation by the admin.
	allowed func(ctx context.Context, t *T, app *models.OAuthApp, o outcome[any])
}

func anyOutcome[V any](o outcome[V]) outcome[any] {
	return outcome[any]{Value: o.Value, Resp: o.Resp, Err: o.Err}
}

var appOps = []appOp{
	{
		name: "get-app",
		do: func(ctx context.Context, t *T, role Role, app *models.OAuthApp) outcome[any] {
			return anyOutcome(call(t.Client(role).GetOAuthApp(ctx, app.ID)))
		},
		allowed: func(_ context.Context, t *T, app *models.OAuthApp, o outcome[any]) {
			got, _ := o.Value.(*models.OAuthApp)
			if got == nil || !sameSecret(got.ClientSecret, app.ClientSecret) {
				t.Errorf("the admin's GET does not return the app's client_secret (GET one is not sanitized: server/channels/api4/oauth.go)")
			}
		},
	},
	{
		name: "update-app",
		do: func(ctx context.Context, t *T, role Role, app *models.OAuthApp) outcome[any] {
			req := app.UpdateRequest()
			req.Name = app.Name + " by " + string(role)
			return anyOutcome(call(t.Client(role).UpdateOAuthApp(ctx, req)))
		},
		unchanged: func(ctx context.Context, t *T, app *models.OAuthApp) {
			got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator re-reads the app")
			if got.Name != app.Name {
				t.Errorf("the refused update changed the app's name to %q", got.Name)
			}
		},
		allowed: func(ctx context.Context, t *T, app *models.OAuthApp, _ outcome[any]) {
			got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator re-reads the app")
			if want := app.Name + " by " + string(Admin); got.Name != want {
				t.Errorf("after the admin's update the name is %q, want %q", got.Name, want)
			}
		},
	},
	{
		name: "delete-app",
		do: func(ctx context.Context, t *T, role Role, app *models.OAuthApp) outcome[any] {
			return anyOutcome(call(t.Client(role).DeleteOAuthApp(ctx, app.ID)))
		},
		unchanged: func(ctx context.Context, t *T, app *models.OAuthApp) {
			call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).expect(t, "creator re-reads the app after a refused delete", http.StatusOK, "")
		},
		allowed: func(ctx context.Context, t *T, app *models.OAuthApp, o outcome[any]) {
			if st, _ := o.Value.(*models.StatusOK); st == nil || st.Status != models.StatusOKValue {
				t.Errorf(`the admin's DELETE answered without {"status":"OK"}`)
			}
			call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).expect(t, "creator reads the deleted app", http.StatusNotFound, idAppNotFound)
		},
	},
	{
		name: "regen-secret",
		do: func(ctx context.Context, t *T, role Role, app *models.OAuthApp) outcome[any] {
			return anyOutcome(call(t.Client(role).RegenerateOAuthAppSecret(ctx, app.ID)))
		},
		unchanged: func(ctx context.Context, t *T, app *models.OAuthApp) {
			got := call(t.Client(Manager).GetOAuthApp(ctx, app.ID)).must(t, "creator re-reads the app")
			if !sameSecret(got.ClientSecret, app.ClientSecret) {
				t.Errorf("the refused regeneration changed the client secret")
			}
		},
		allowed: func(_ context.Context, t *T, app *models.OAuthApp, o outcome[any]) {
			got, _ := o.Value.(*models.OAuthApp)
			if got == nil || !got.ClientSecret.IsSet() || sameSecret(got.ClientSecret, app.ClientSecret) {
				t.Errorf("the admin's regeneration did not return a new client_secret")
			}
		},
	},
}

func plainUserAppCheck(op appOp) Check {
	return Check{
		ID:       "permissions/" + op.name + "/plain-user-forbidden",
		RuleID:   rulePlainUserForbidden,
		Category: CategoryPermission, Kind: KindCompat,
		Rule:   "A user without manage_oauth gets 403 (detailed_error, when sent, names manage_oauth), and the app is unchanged",
		Source: srcMatrix,
		Needs:  Needs{Roles: []Role{Manager, PlainUser}, Creates: true},
		Run: refusedRun(op, PlainUser, "plain user "+op.name, "user "+op.name, func(t *T, o outcome[any]) {
			expectPermissionNamed(t, o.Err, "manage_oauth")
		}),
	}
}

func nonCreatorCheck(op appOp) Check {
	return Check{
		ID:       "permissions/" + op.name + "/non-creator-forbidden",
		RuleID:   ruleNonCreatorForbidden,
		Category: CategoryPermission, Kind: KindCompat,
		Rule:   "A manage_oauth user who did not create the app gets 403, and the app is unchanged",
		Source: srcMatrix,
		Needs:  Needs{Roles: []Role{Manager, Manager2}, Creates: true, CreatorScoped: true},
		Run:    refusedRun(op, Manager2, "non-creator "+op.name, "manager2 "+op.name+" on the manager's app", nil),
	}
}

// refusedRun is the Run of the checks that role may not do op on an app the
// manager created: it creates the app (named name), expects 403
// api.context.permissions.app_error for op (described as what; server/channels/api4/oauth.go,
// the permission checks of server/channels/api4/oauth.go), hands that 403 to onRefused (may be nil) for a closer look, and
// checks that the app is unchanged.
func refusedRun(op appOp, role Role, name, what string, onRefused func(t *T, o outcome[any])) func(context.Context, *T) {
	return func(ctx context.Context, t *T) {
		app := t.createApp(ctx, Manager, name, nil)
		o := op.do(ctx, t, role, app)
		if o.expect(t, what, http.StatusForbidden, idPermissions) && onRefused != nil {
			onRefused(t, o)
		}
		if op.unchanged != nil {
			op.unchanged(ctx, t, app)
		}
	}
}

func adminAllowedCheck(op appOp) Check {
	return Check{
		ID:       "permissions/" + op.name + "/admin-allowed",
		RuleID:   ruleAdminAllowed,
		Category: CategoryPermission, Kind: KindCompat,
		Rule:   "The system admin (manage_system_wide_oauth) may do this on an app another user created",
		Source: srcMatrix,
		Needs:  Needs{Roles: []Role{Manager, Admin}, Creates: true},
		Run: func(ctx context.Context, t *T) {
			app := t.createApp(ctx, Manager, "admin "+op.name, nil)
			o := op.do(ctx, t, Admin, app)
			if o.expect(t, "admin "+op.name+" on the manager's app", http.StatusOK, "") {
				op.allowed(ctx, t, app, o)
			}
		},
	}
}

// expectPermissionNamed checks that a 403's detailed_error names the
// permission that was missing (server/channels/api4/oauth.go: "detailed_error names the
// permission"), which tells the manage_oauth gate from the creator rule.
// Servers wipe detailed_error unless ServiceSettings.EnableDeveloper is on
// (web/handlers.go), so an empty one is noted, not failed.
func expectPermissionNamed(t *T, err error, perm string) {
	ce := clientError(err)
	if ce == nil {
		return
	}
	if ce.DetailedError == "" {
		t.Logf("detailed_error is empty (EnableDeveloper off?): the 403 may come from the creator rule instead of the %s gate", perm)
		return
	}
	fields := strings.FieldsFunc(ce.DetailedError, func(r rune) bool { return r == ',' || r == ' ' || r == '=' })
	if !slices.Contains(fields, perm) {
		t.Errorf("the 403's detailed_error does not name %s: %q", perm, ce.DetailedError)
	}
}

func runManagerSeesOwnOnly(ctx context.Context, t *T) {
	mine := t.createApp(ctx, Manager2, "own list", nil)
	theirs := t.createApp(ctx, Manager, "other's list", nil)
	found, all, err := findApp(ctx, t.Client(Manager2), mine.ID)
	if err != nil {
		t.Fatalf("manager2 lists its apps: %v", err)
	}
	if found == nil {
		t.Errorf("manager2's list lacks the app manager2 created")
	}
	me := t.UserID(Manager2)
	for _, a := range all {
		if a.ID == theirs.ID {
			t.Errorf("manager2's list contains the app the manager created")
		}
		if a.CreatorID != me {
			t.Errorf("manager2's list contains app %s created by %q", a.ID, a.CreatorID)
			break
		}
	}
}

func runAdminSeesAll(ctx context.Context, t *T) {
	want := []*models.OAuthApp{t.createApp(ctx, Manager, "admin list", nil)}
	if t.Has(Manager2) {
		want = append(want, t.createApp(ctx, Manager2, "admin list", nil))
	}
	_, all, err := findApp(ctx, t.Client(Admin), "")
	if err != nil {
		t.Fatalf("admin lists apps: %v", err)
	}
	for _, w := range want {
		if !slices.ContainsFunc(all, func(a *models.OAuthApp) bool { return a.ID == w.ID }) {
			t.Errorf("the admin's list lacks the app created by %s", w.CreatorID)
		}
	}
}
