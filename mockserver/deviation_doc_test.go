package mockserver

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeviationDescriptions: every deviation has a description, and it is
// the first sentence of the deviation's comment in deviation.go.
func TestDeviationDescriptions(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "deviation.go", nil, parser.ParseComments)
	require.NoError(t, err)
	sentence := regexp.MustCompile(`^.*?\.(\s|$)`)
	comments := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || vs.Doc == nil || len(vs.Names) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Dev") {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok {
			return true
		}
		text := strings.Join(strings.Fields(vs.Doc.Text()), " ")
		text = strings.TrimPrefix(text, vs.Names[0].Name+": ")
		comments[strings.Trim(lit.Value, `"`)] = strings.TrimSpace(sentence.FindString(text))
		return true
	})
	require.Len(t, comments, len(allDeviations))
	for _, d := range AllDeviations() {
		assert.NotEmpty(t, d.Description(), "%s has no description", d)
	}
	for name, want := range comments {
		assert.Equal(t, want, Deviation(name).Description(), "%s: the description is not the comment's first sentence", name)
	}
	assert.Len(t, deviationDescriptions, len(allDeviations))
}
