package conformance_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"testing"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// exampleTB is the little of testing.TB that mockserver.NewTestServer uses,
// because an Example has no *testing.T. In a test, pass t instead.
type exampleTB struct {
	testing.TB
	cleanups []func()
}

func (e *exampleTB) Helper()                        {}
func (e *exampleTB) Cleanup(f func())               { e.cleanups = append(e.cleanups, f) }
func (e *exampleTB) Errorf(format string, a ...any) { fmt.Printf("error: "+format+"\n", a...) }
func (e *exampleTB) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

func (e *exampleTB) close() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
}

// Run the whole catalogue against the mock server (a stock configuration:
// provider on, dynamic client registration off) and print the summary line
// of the JUnit report that CI would read.
func Example() {
	tb := &exampleTB{}
	defer tb.close()
	ts := mockserver.NewTestServer(tb)

	id := ts.Identities
	report, err := conformance.Run(context.Background(), conformance.Options{}, conformance.Target{
		URL: ts.URL,
		Tokens: map[conformance.Role]string{
			conformance.Admin:     id.SystemAdmin.Token,
			conformance.Manager:   id.OAuthManager.Token,
			conformance.Manager2:  id.OAuthManager2.Token,
			conformance.PlainUser: id.PlainUser.Token,
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	var junit bytes.Buffer
	if err := report.WriteJUnit(&junit); err != nil {
		fmt.Println(err)
		return
	}
	var summary struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
	}
	if err := xml.Unmarshal(junit.Bytes(), &summary); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("<testsuites tests=%d failures=%d skipped=%d>, exit code %d\n",
		summary.Tests, summary.Failures, summary.Skipped, report.ExitCode())
	// Output: <testsuites tests=126 failures=0 skipped=13>, exit code 0
}
