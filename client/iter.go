package client

import (
	"context"
	"fmt"
	"iter"

	"github.com/mmoauth/mmoauth/models"
)

// OAuthApps iterates over every app GetOAuthApps returns, perPage at a time
// (perPage ≤ 0 means 60; above 200 means 200, the server's cap, so a short
// page reliably marks the end). It stops after the first short page, or after
// yielding the first error (as (nil, err)); it checks ctx before each page.
// The server does not order the list (no ORDER BY, server/channels/web/params.go), so each
// app is yielded at most once (by id), and apps created or deleted while
// iterating may be missed.
func (c *Client) OAuthApps(ctx context.Context, perPage int) iter.Seq2[*models.OAuthApp, error] {
	return paginate(ctx, perPage, func(ctx context.Context, page, per int) ([]*models.OAuthApp, error) {
		apps, _, err := c.GetOAuthApps(ctx, page, per)
		return apps, err
	})
}

// AuthorizedOAuthAppsForUser iterates over GetAuthorizedOAuthAppsForUser
// like OAuthApps.
func (c *Client) AuthorizedOAuthAppsForUser(ctx context.Context, userID string, perPage int) iter.Seq2[*models.OAuthApp, error] {
	return paginate(ctx, perPage, func(ctx context.Context, page, per int) ([]*models.OAuthApp, error) {
		apps, _, err := c.GetAuthorizedOAuthAppsForUser(ctx, userID, page, per)
		return apps, err
	})
}

type pageFetcher func(ctx context.Context, page, perPage int) ([]*models.OAuthApp, error)

func paginate(ctx context.Context, perPage int, fetch pageFetcher) iter.Seq2[*models.OAuthApp, error] {
	switch {
	case perPage <= 0:
		perPage = models.DefaultPerPage
	case perPage > models.MaxPerPage:
		perPage = models.MaxPerPage
	}
	return func(yield func(*models.OAuthApp, error) bool) {
		seen := make(map[string]struct{})
		for page := 0; ; page++ {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			apps, err := fetch(ctx, page, perPage)
			if err != nil {
				yield(nil, err)
				return
			}
			fresh := 0
			for _, a := range apps {
				if _, dup := seen[a.ID]; dup {
					continue // the list is unordered: an app can move to a later page
				}
				seen[a.ID] = struct{}{}
				fresh++
				if !yield(a, nil) {
					return
				}
			}
			if len(apps) < perPage {
				return
			}
			if fresh == 0 {
				// A full page of known apps: a server that ignores "page" would
				// serve the first page forever.
				yield(nil, fmt.Errorf("mmoauth: page %d holds only apps already seen: the server seems to ignore the page parameter", page))
				return
			}
		}
	}
}
