package conformance

import "slices"

// Catalogue returns every check, in report order: by category, then as each
// area lists them. The slice is new on every call; callers may filter it.
func Catalogue() []Check {
	all := slices.Concat(
		setupChecks(),
		schemaChecks(),
		behaviourChecks(),
		pagingChecks(),
		providerOffChecks(),
		permissionChecks(),
		inputChecks(),
		rfc8414Checks(),
		rfc7591Checks(),
		pkceChecks(),
		sessionChecks(),
		authorizeChecks(),
	)
	order := Categories()
	slices.SortStableFunc(all, func(a, b Check) int {
		return slices.Index(order, a.Category) - slices.Index(order, b.Category)
	})
	return all
}

// Lookup returns the catalogue's check with id.
func Lookup(id string) (Check, bool) {
	for _, c := range Catalogue() {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}
