package mockserver

// paging reads page and per_page as web/params.go does (rules
// pagingParamsError, pageParam, perPageParam). ok is false when the
// parameters were refused, after the 400 was written.
func (c *call) paging() (page, perPage int, ok bool) {
	q := c.r.URL.Query()
	if e := c.rules.pagingParamsError(q); e != nil {
		c.writeError(e)
		return 0, 0, false
	}
	return c.rules.pageParam(q), c.rules.perPageParam(q), true
}
