package archcheck

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/mmoauth/mmoauth"

// deps lists the packages pkg depends on, transitively, excluding its tests.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	require.NoError(t, err, "go list -deps %s", pkg)
	return strings.Fields(string(out))
}

// TestImportLayering checks docs/ARCHITECTURE.md "Import layering": imports only flow downward.
func TestImportLayering(t *testing.T) {
	tests := []struct {
		pkg       string
		forbidden []string // path prefixes the package must not depend on
		// nonStdAllowed lists the only non-standard-library prefixes allowed;
		// nil means no such restriction.
		nonStdAllowed []string
	}{
		{
			pkg:           module + "/models",
			nonStdAllowed: []string{module + "/models"},
		},
		{
			pkg: module + "/client",
			forbidden: []string{
				module + "/spec", module + "/mockserver", module + "/conformance",
				"github.com/getkin/kin-openapi",
			},
			nonStdAllowed: []string{
				module + "/client", module + "/models",
				"github.com/hashicorp/go-retryablehttp", "github.com/hashicorp/go-cleanhttp",
				"golang.org/x/oauth2",
			},
		},
		{
			pkg:       module + "/spec",
			forbidden: []string{module + "/client", module + "/mockserver", module + "/conformance"},
		},
		{
			pkg:       module + "/mockserver",
			forbidden: []string{module + "/client", module + "/conformance"},
		},
		{
			// The proxy validates live traffic with spec alone: it must stay
			// usable in front of any server, never pulling in the mock or
			// the suite.
			pkg: module + "/proxy",
			forbidden: []string{
				module + "/client", module + "/mockserver", module + "/conformance", module + "/cmd", module + "/examples",
			},
		},
		{
			pkg:       module + "/conformance",
			forbidden: []string{module + "/mockserver", module + "/cmd", module + "/examples"},
		},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.pkg, module+"/"), func(t *testing.T) {
			for _, dep := range deps(t, tt.pkg) {
				for _, f := range tt.forbidden {
					require.False(t, strings.HasPrefix(dep, f), "%s depends on %s", tt.pkg, dep)
				}
				if tt.nonStdAllowed == nil || isStd(dep) {
					continue
				}
				allowed := false
				for _, a := range tt.nonStdAllowed {
					allowed = allowed || strings.HasPrefix(dep, a)
				}
				require.True(t, allowed, "%s depends on %s, outside its allowed set", tt.pkg, dep)
			}
		})
	}
}

// isStd reports whether an import path belongs to the standard library:
// its first element has no dot (vendored golang.org/x packages of the
// standard library appear as "vendor/golang.org/x/...").
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
