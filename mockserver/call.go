package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/routers"
	"github.com/mmoauth/mmoauth/models"
)

// call is one request on its way through the pipeline: what the handlers of
// the real server find in their *Context (session, params, config) plus the
// mock's own bookkeeping.
type call struct {
	s         *Server
	w         http.ResponseWriter
	r         *http.Request
	requestID string
	now       time.Time
	cfg       Config // the settings when the request started
	rules     *rules // the rules of cfg's release and the server's deviations

	route  *routers.Route
	op     string            // operationId
	params map[string]string // path parameters

	// st is the request's view of the state (nil until the pipeline has
	// routed the request; endState closes it).
	st stateTx

	sess *session // nil without a (valid) session
	acct *account // the session's user; nil when anonymous

	// bodyErr is the request-body validation failure, kept until the
	// handler reaches the point where the real server decodes the body, so
	// the order of checks stays the server's (401 and 403 may come first).
	bodyErr error
	body    []byte

	// unchecked marks answers that belong to no operation of the document.
	unchecked bool
	// mangled holds the answer back while a fault that breaks it after the
	// handler (drop-after, truncate, garbage) is active; see finishFaults.
	mangled *mangler
}

func (s *Server) newCall(w http.ResponseWriter, r *http.Request) *call {
	cfg, rules := s.snapshot()
	return &call{s: s, w: w, r: r, requestID: newID(), now: s.now(), cfg: cfg, rules: rules}
}

// endState ends the request's view of the state, committing what it
// changed; the error says the change was not saved.
func (c *call) endState() error {
	if c.st == nil {
		return nil
	}
	st := c.st
	c.st = nil
	return st.done()
}

// userID is the session's user id, "" when anonymous.
func (c *call) userID() string {
	if c.acct == nil {
		return ""
	}
	return c.acct.ID
}

func (c *call) can(permission string) bool { return c.acct.can(permission) }

// contentTypeJSON is what the API handlers send (rule jsonContentType).
func (c *call) contentTypeJSON() string { return c.rules.jsonContentType() }

// writeJSON encodes v as the body. Like the server's json.NewEncoder, it ends
// with a newline.
func (c *call) writeJSON(status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer putJSONBuffer(buf)
	// json.Encoder writes the bytes json.Marshal would, plus the newline;
	// nothing reaches c.w unless encoding succeeded.
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		c.writeError(newError(http.StatusInternalServerError, "api.marshal_error", ""))
		return
	}
	c.writeBody(status, buf.Bytes())
}

// writeBody sends an encoded JSON body.
func (c *call) writeBody(status int, body []byte) {
	c.w.Header().Set("Content-Type", c.contentTypeJSON())
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

// jsonBuffers recycles writeJSON's buffers: encoding each answer into a new
// slice and then copying it to add the newline made up most of the bytes a
// list of 60 apps allocated (docs/BENCHMARKS.md). Buffers that grew past
// maxPooledJSON (a page of 200 apps is ~100 KB) are left to the GC.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledJSON = 256 << 10

func putJSONBuffer(buf *bytes.Buffer) {
	if buf.Cap() > maxPooledJSON {
		return
	}
	buf.Reset()
	jsonBuffers.Put(buf)
}

// writeError writes an AppError body (model.AppError.ToJSON: request_id and
// status_code included). detailed_error stays empty unless EnableDeveloper
// is on, as web/handlers.go wipes it for every handler's error.
func (c *call) writeError(e *apiError) {
	body := models.AppError{
		ID:         e.ID,
		Message:    e.message(),
		RequestID:  c.requestID,
		StatusCode: c.rules.appErrorStatusCode(e.Status),
	}
	if c.cfg.EnableDeveloper {
		body.DetailedError = e.Detail
	}
	c.writeJSON(e.Status, body)
}

// writeDCRError writes the body the registration endpoint uses for every
// failure (rule dcrErrorBody).
func (c *call) writeDCRError(status int, code, description string) {
	c.writeJSON(status, c.rules.dcrErrorBody(status, code, description, c.requestID))
}

// writeStatusOK writes {"status":"OK"} (ReturnStatusOK).
func (c *call) writeStatusOK() {
	c.writeJSON(http.StatusOK, models.StatusOK{Status: c.rules.statusOK()})
}

// writeApp encodes an app with the fields an answer has (rule
// appFieldsDropped).
func (c *call) writeApp(status int, app models.OAuthApp) {
	c.writeJSON(status, c.appJSON(app))
}

func (c *call) writeApps(apps []models.OAuthApp) {
	if len(c.rules.appFieldsDropped()) == 0 {
		// The bytes writeJSON would write for apps (an empty list is [],
		// never null), from the server's cache of app encodings.
		buf := jsonBuffers.Get().(*bytes.Buffer)
		defer putJSONBuffer(buf)
		if err := c.s.encodings.appendList(buf, apps); err != nil {
			c.writeError(newError(http.StatusInternalServerError, "api.marshal_error", ""))
			return
		}
		c.writeBody(http.StatusOK, buf.Bytes())
		return
	}
	out := make([]any, len(apps))
	for i, a := range apps {
		out[i] = c.appJSON(a)
	}
	c.writeJSON(http.StatusOK, out)
}

func (c *call) appJSON(app models.OAuthApp) any {
	if drop := c.rules.appFieldsDropped(); len(drop) > 0 {
		return dropFields(app, drop)
	}
	return app
}

// millis is the server clock as the server stamps times (rule timestamp).
func (c *call) millis() int64 { return c.rules.timestamp(c.now) }
