package spec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLiteralRoutesMatchTrie: the literal-path map answers exactly what the
// trie answers for every literal path of the document, under every method
// (including the ones the path does not declare, which must still miss).
func TestLiteralRoutesMatchTrie(t *testing.T) {
	v, err := NewValidator()
	require.NoError(t, err)
	rt := v.router
	paths := map[string]bool{}
	for _, byPath := range rt.literal {
		for path := range byPath {
			paths[path] = true
		}
	}
	require.NotEmpty(t, paths)
	for path := range paths {
		for _, method := range rt.methods {
			fast, fastOK := rt.literal[method][path]
			node, values := rt.root.Match(method + " " + path)
			if !fastOK {
				// A miss falls through to the trie, which may still match
				// a variable route (GET …/apps/register is GetOAuthApp).
				continue
			}
			require.NotNil(t, node, "%s %s", method, path)
			assert.Same(t, node.Value.(*route), fast, "%s %s", method, path)
			assert.Empty(t, values, "%s %s", method, path)
		}
	}
}
