package conformance

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"slices"

	"github.com/mmoauth/mmoauth/models"
)

// Helpers that look at what a request left behind rather than at its
// answer: a server can answer a refusal after it has already acted, or
// answer a success with values it did not store.

// uniqueName is a create name (or client_name) no other request of any run
// uses, so that the admin's list can tell whether a refused request created
// an app anyway.
func uniqueName(purpose string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	suffix := fmt.Sprintf(" %x", b)
	name := appRequest(purpose, "").Name
	if len(name)+len(suffix) > models.MaxAppNameBytes {
		name = name[:models.MaxAppNameBytes-len(suffix)]
	}
	return name + suffix
}

// expectNothingNamed checks, as the system admin (who lists every app,
// registered clients included: the permission checks of server/channels/api4/oauth.go), that no app is called name
// after a request that was refused. An app found is a failure; it is deleted
// at once, since the run's tracker only knows apps whose creation was
// answered with 201 (recorder.track). Without the admin identity the state
// cannot be seen, which is noted.
func (t *T) expectNothingNamed(ctx context.Context, name, step string) {
	if !t.Has(Admin) {
		t.Logf("%s: without the admin identity, whether the refused request still created an app was not checked", step)
		return
	}
	admin := t.Client(Admin)
	for a, err := range admin.OAuthApps(ctx, models.MaxPerPage) {
		if err != nil {
			t.Errorf("%s: the admin lists apps to see whether one was created anyway: %v", step, err)
			return
		}
		if a.Name != name {
			continue
		}
		t.Errorf("%s: the request was refused, yet app %s was created", step, a.ID)
		if o := call(admin.DeleteOAuthApp(ctx, a.ID)); o.Err != nil {
			t.Logf("deleting app %s, which the refused request created: %s", a.ID, o.describe())
		}
	}
}

// plausibleMillis reports whether v reads as a time in milliseconds since
// the epoch (model.GetMillis): from September 2001 (1e12 ms) to the year
// 5138 (1e14 ms). A time in seconds (about 1.7e9 today) or microseconds
// fails it, whatever the server's clock says.
func plausibleMillis(v int64) bool { return v >= 1e12 && v < 1e14 }

// checkTimestamps checks create_at and update_at of an answered app.
func checkTimestamps(t *T, what string, a *models.OAuthApp) {
	if !plausibleMillis(a.CreateAt) || !plausibleMillis(a.UpdateAt) {
		t.Errorf("%s: create_at %d / update_at %d are not times in milliseconds (server/public/model/oauth.go OAuthApp)", what, a.CreateAt, a.UpdateAt)
	}
}

// sameApp lists the fields in which two answers for one app differ (the
// secret compared without revealing it).
func sameApp(a, b *models.OAuthApp) []string {
	var diff []string
	add := func(field string, equal bool) {
		if !equal {
			diff = append(diff, field)
		}
	}
	add("id", a.ID == b.ID)
	add("creator_id", a.CreatorID == b.CreatorID)
	add("create_at", a.CreateAt == b.CreateAt)
	add("update_at", a.UpdateAt == b.UpdateAt)
	add("client_secret", sameSecret(a.ClientSecret, b.ClientSecret))
	add("name", a.Name == b.Name)
	add("description", a.Description == b.Description)
	add("icon_url", a.IconURL == b.IconURL)
	add("callback_urls", slices.Equal(a.CallbackURLs, b.CallbackURLs))
	add("homepage", a.Homepage == b.Homepage)
	add("is_trusted", a.IsTrusted == b.IsTrusted)
	add("mattermost_app_id", a.MattermostAppID == b.MattermostAppID)
	add("is_dynamically_registered", a.IsDynamicallyRegistered == b.IsDynamicallyRegistered)
	return diff
}

// refreshForm is the RFC 6749 §6 refresh request of a confidential client.
func refreshForm(app *models.OAuthApp, refresh string) url.Values {
	return url.Values{
		"grant_type":    {models.GrantTypeRefreshToken},
		"client_id":     {app.ID},
		"client_secret": {app.ClientSecret.Reveal()},
		"refresh_token": {refresh},
	}
}
