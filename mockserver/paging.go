package mockserver

import (
	"strconv"

	"github.com/mmoauth/mmoauth/models"
)

// paging reads page and per_page as web/params.go does: page defaults to 0
// and falls back to it when non-numeric or negative; per_page (or the legacy
// pageSize when per_page does not parse) defaults to 60, falls back to it
// when non-numeric or negative, and is clamped to 200. 0 is a valid per_page.
// ok is false only under the strict-paging-params deviation, after it
// answered 400.
func (c *call) paging() (page, perPage int, ok bool) {
	q := c.r.URL.Query()
	if c.dev(DevStrictPagingParams) {
		for _, name := range []string{"page", "per_page"} {
			if v := q.Get(name); v != "" {
				if n, err := strconv.Atoi(v); err != nil || n < 0 {
					c.writeError(errInvalidURLParam(name))
					return 0, 0, false
				}
			}
		}
	}
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 0 || c.dev(DevPageIgnored) {
		page = 0
	}
	perPage, err = strconv.Atoi(q.Get("per_page"))
	if err != nil {
		perPage, err = strconv.Atoi(q.Get("pageSize"))
	}
	switch {
	case c.dev(DevIgnorePerPage), err != nil, perPage < 0:
		perPage = models.DefaultPerPage
	case perPage > models.MaxPerPage && !c.dev(DevNoPerPageCap):
		perPage = models.MaxPerPage
	}
	return page, perPage, true
}
