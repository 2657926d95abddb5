package conformance

import (
	"io"
	"time"

	"github.com/mmoauth/mmoauth/internal/har"
)

// maxLoggedBody caps each body in an exchange log: far above any body of
// the API, so that a logged exchange can be replayed, yet bounded.
const maxLoggedBody = 1 << 20

// ExchangeRecord is one exchange of a run as Options.OnExchange sees it:
// the report's Exchange (bodies capped for reports) plus the whole bodies,
// all redacted.
type ExchangeRecord struct {
	// Check is the id of the check that made the request; "" for setup
	// and cleanup.
	Check string
	// Target is the base URL of the target the request went to.
	Target  string
	Started time.Time
	// Exchange is the recorded exchange (Exchange.URL is relative to
	// Target).
	Exchange *Exchange
	// RequestBody and ResponseBody are the whole bodies, redacted (cut at
	// 1 MiB).
	RequestBody, ResponseBody string
}

// observer adapts Options.OnExchange to the recorder of one target; the
// run's scrubber redacts the whole bodies as it redacts the reports.
func observer(on func(ExchangeRecord), target string, scrub *scrubber) func(owner string, started time.Time, ex *Exchange, reqBody, respBody []byte, reqType, respType string) {
	if on == nil {
		return nil
	}
	return func(owner string, started time.Time, ex *Exchange, reqBody, respBody []byte, reqType, respType string) {
		// The response first, as the recorder does: the secrets it
		// carries are then known when the request is redacted.
		rec := ExchangeRecord{Check: owner, Target: target, Started: started, Exchange: ex}
		rec.ResponseBody = scrub.redactBody(respType, respBody, maxLoggedBody)
		rec.RequestBody = scrub.redactBody(reqType, reqBody, maxLoggedBody)
		on(rec)
	}
}

// HARWriter writes the exchanges of a run as a HAR 1.2 log (Options.OnExchange
// = w.Add), each entry labelled with the check that made it (the "_check"
// field and the comment), redacted like every report.
type HARWriter struct {
	w *har.Writer
}

// NewHARWriter starts a HAR log on w; version names the program's version
// in the log's creator.
func NewHARWriter(w io.Writer, version string) (*HARWriter, error) {
	hw, err := har.NewWriter(w, har.Creator{Name: "mmoauth conformance", Version: version})
	if err != nil {
		return nil, err
	}
	return &HARWriter{w: hw}, nil
}

// Add appends one exchange; it is safe for concurrent use. A write error is
// kept and returned by Close.
func (h *HARWriter) Add(rec ExchangeRecord) {
	ex := rec.Exchange
	x := &har.Exchange{
		Started:         rec.Started,
		URL:             rec.Target + ex.URL,
		Method:          ex.Method,
		RequestHeader:   ex.RequestHeader,
		RequestBody:     rec.RequestBody,
		RequestBodySize: int64(len(rec.RequestBody)),
		Status:          ex.Status,
		ResponseHeader:  ex.ResponseHeader,
		ResponseBody:    rec.ResponseBody,
		// The sizes are those of the redacted text the log holds.
		ResponseBodySize: int64(len(rec.ResponseBody)),
		Wait:             ex.Duration,
		Total:            ex.Duration,
		Error:            ex.Error,
		Check:            rec.Check,
	}
	if x.RequestHeader == nil {
		x.RequestHeader = map[string][]string{}
	}
	if x.ResponseHeader == nil {
		x.ResponseHeader = map[string][]string{}
	}
	_ = h.w.Add(har.NewEntry(x))
}

// Close ends the log and returns the first write error.
func (h *HARWriter) Close() error { return h.w.Close() }
