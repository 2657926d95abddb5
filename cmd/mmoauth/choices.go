package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/spec"
)

// choice is one valid value of a flag with its one-line description.
type choice struct{ name, about string }

// choiceList renders choices as indented, aligned lines.
func choiceList(choices []choice) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, c := range choices {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.about)
	}
	_ = tw.Flush()
	return b.String()
}

// deviationError is the usage error of an unknown deviation: one line
// naming the flag, then every deviation with the rule it breaks.
func deviationError(flagName, name string) error {
	var choices []choice
	for _, d := range mockserver.AllDeviations() {
		choices = append(choices, choice{string(d), d.Description()})
	}
	return &usageError{
		msg:    fmt.Sprintf("%s: unknown deviation %q; the %d deviations are:", flagName, name, len(choices)),
		detail: choiceList(choices),
	}
}

// faultKeys are the keys of a --fault rule (mockserver.ParseFault).
var faultKeys = []choice{
	{"route=OPERATION_ID", "only this operation (default: every one), e.g. GetOAuthApp"},
	{"status=N", "answer 429, 500, 502 or 503 (with a body the API allows)"},
	{"retry-after=S", "Retry-After seconds (or a duration like 1500ms)"},
	{"latency=D", "delay the answer by D (e.g. 250ms)"},
	{"drop", "close the connection without answering"},
	{"drop-after", "run the operation, then close the connection unanswered"},
	{"truncate", "send half the answer's body, then close the connection"},
	{"garbage", "replace the answer's body with an HTML page"},
	{"count=N", "only the next N matching requests"},
	{"rate=P", "each matching request with probability P (see --rand-seed)"},
}

// faultHelp is the fault part of mock --help.
func faultHelp() string {
	return choiceList(faultKeys) +
		"e.g. --fault 'route=GetOAuthApp,status=503,retry-after=1,count=3'.\n" +
		`Any request may also carry "Prefer: code=NNN" to get that error status.`
}

// faultError is the usage error of a bad --fault: the parser's one line,
// then the keys, and the operation ids when the route was wrong.
func faultError(err error) error {
	detail := "the keys of a fault rule:\n" + choiceList(faultKeys)
	if strings.Contains(err.Error(), "route") {
		detail += "the operations (route=):\n" + choiceList(operationChoices())
	}
	return &usageError{msg: "--fault: " + err.Error(), detail: detail}
}

// operationChoices lists the document's operations with their summaries.
func operationChoices() []choice {
	doc, err := spec.Load()
	if err != nil {
		return nil
	}
	var out []choice
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID != "" {
				out = append(out, choice{op.OperationID, method + " " + path})
			}
		}
	}
	slices.SortFunc(out, func(a, b choice) int { return strings.Compare(a.name, b.name) })
	return out
}
