package conformance

import (
	"net/http"

	"github.com/mmoauth/mmoauth/internal/redact"
)

// scrubber is the run's redact.Scrubber: every secret seen during the run is
// remembered and removed from any text that goes into a report. The methods
// below keep the names the runner and the checks use.
type scrubber struct{ s *redact.Scrubber }

func newScrubber() *scrubber { return &scrubber{s: redact.New()} }

// add remembers secret values (ignoring short ones).
func (s *scrubber) add(values ...string) { s.s.Add(values...) }

// scrub replaces every remembered secret in text.
func (s *scrubber) scrub(text string) string { return s.s.Scrub(text) }

// redactHeader returns a redacted copy of h (redact.Scrubber.Header).
func (s *scrubber) redactHeader(h http.Header) http.Header { return s.s.Header(h) }

// redactURL removes secret query and fragment parameters from a URL.
func (s *scrubber) redactURL(raw string) string { return s.s.URL(raw) }

// redactBody returns a redacted, size-capped copy of a recorded body
// (redact.Scrubber.Body).
func (s *scrubber) redactBody(contentType string, body []byte, limit int) string {
	return s.s.Body(contentType, body, limit)
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string { return redact.TruncateUTF8(s, n) }
