// Package differ sends the same sequence of requests to two Mattermost
// servers (a real one and the mock, say) and reports every answer that
// differs in what a client can rely on: the status, the media type, the
// error id, the body's keys, and the values that are not random (ids,
// secrets, tokens and timestamps are compared by shape only). It is the
// measure of the mock's fidelity: `mmoauth diff`.
package differ

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Roles are the identities a plan acts as; "" is anonymous, and
// invalidRole sends a well-formed token no server issued.
var Roles = []string{"", "admin", "manager", "manager2", "user", invalidRole}

const (
	invalidRole  = "invalid"
	invalidToken = "notavalidtokennotavalidtok" //nolint:gosec // G101: a token no server issued, on purpose
)

// Server is one side of the comparison.
type Server struct {
	URL string
	// Tokens maps a role (admin, manager, manager2, user) to its token.
	Tokens map[string]string
}

// Request is one step of a plan. Path and Body may hold {app}, the id of an
// app the manager created on that server for the run, and {user}, the plain
// user's id there.
type Request struct {
	Name        string `json:"name"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	As          string `json:"as,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Body        string `json:"body,omitempty"`
}

// Answer is the part of a response the comparison looks at.
type Answer struct {
	Status    int    `json:"status"`
	MediaType string `json:"media_type,omitempty"`
	ErrorID   string `json:"error_id,omitempty"`
	// Shape is the body with random values replaced by their kind
	// ("<id>", "<secret>", "<time>"), as canonical JSON; "" for a body that
	// is not JSON.
	Shape string `json:"shape,omitempty"`
	Err   string `json:"error,omitempty"`
}

// Difference is one request whose answers differ.
type Difference struct {
	Request Request `json:"request"`
	Field   string  `json:"field"`
	A       string  `json:"a"`
	B       string  `json:"b"`
	// Explained is the allowlist's reason, when the difference is an
	// intended one.
	Explained string `json:"explained,omitempty"`
}

// Allowed is an intended difference: a request name (path.Match-style
// glob with *), a field, and why.
type Allowed struct {
	Request string `json:"request"`
	Field   string `json:"field"`
	Reason  string `json:"reason"`
}

// Result is a run of a plan against two servers.
type Result struct {
	Requests    int          `json:"requests"`
	Differences []Difference `json:"differences"`
}

// Unexplained counts the differences no allowlist entry explains.
func (r *Result) Unexplained() int {
	n := 0
	for _, d := range r.Differences {
		if d.Explained == "" {
			n++
		}
	}
	return n
}

// Run sends plan to a and b, request by request, and compares the answers.
// It creates one app on each server for {app} and deletes it at the end.
func Run(ctx context.Context, a, b Server, plan []Request, allow []Allowed) (*Result, error) {
	sa, err := newSide(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("server a: %w", err)
	}
	defer sa.close(ctx)
	sb, err := newSide(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("server b: %w", err)
	}
	defer sb.close(ctx)
	res := &Result{}
	for _, req := range plan {
		ansA, ansB := sa.send(ctx, req), sb.send(ctx, req)
		res.Requests++
		for _, d := range compare(req, ansA, ansB) {
			d.Explained = explain(allow, d)
			res.Differences = append(res.Differences, d)
		}
	}
	return res, nil
}

func explain(allow []Allowed, d Difference) string {
	for _, a := range allow {
		if a.Field == d.Field && globMatch(a.Request, d.Request.Name) {
			return a.Reason
		}
	}
	return ""
}

func globMatch(glob, name string) bool {
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(glob), `\*`, ".*") + "$"
	ok, _ := regexp.MatchString(re, name)
	return ok
}

// compare lists how two answers to req differ.
func compare(req Request, a, b Answer) []Difference {
	var out []Difference
	add := func(field, x, y string) {
		if x != y {
			out = append(out, Difference{Request: req, Field: field, A: x, B: y})
		}
	}
	add("transport", a.Err, b.Err)
	add("status", fmt.Sprint(a.Status), fmt.Sprint(b.Status))
	add("media type", a.MediaType, b.MediaType)
	add("error id", a.ErrorID, b.ErrorID)
	if a.Status == b.Status && a.ErrorID == b.ErrorID {
		add("body", a.Shape, b.Shape)
	}
	return out
}

// side is one server with the app made for the run.
type side struct {
	srv     Server
	version string // X-Version-Id of its first answer
	hc      *http.Client
	vars    map[string]string
	appID   string
}

func newSide(ctx context.Context, s Server) (*side, error) {
	sd := &side{srv: s, hc: &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, vars: map[string]string{"{site}": strings.TrimRight(s.URL, "/")}}
	var me struct{ ID string }
	if err := sd.json(ctx, "user", http.MethodGet, "/api/v4/users/me", "", &me); err != nil {
		return nil, err
	}
	if _, h, _, err := sd.do(ctx, Request{Method: http.MethodGet, Path: "/api/v4/system/ping"}); err == nil {
		sd.version = h.Get("X-Version-Id")
	}
	sd.vars["{user}"] = me.ID
	var app struct{ ID string }
	body := `{"name":"mmoauth-diff app","description":"[mmoauth-conformance] differential run","homepage":"https://diff.mmoauth.invalid","callback_urls":["https://diff.mmoauth.invalid/callback"]}`
	if err := sd.json(ctx, "manager", http.MethodPost, "/api/v4/oauth/apps", body, &app); err != nil {
		return nil, err
	}
	sd.appID, sd.vars["{app}"] = app.ID, app.ID
	return sd, nil
}

// close deletes the run's app, also after ctx was cancelled.
func (s *side) close(ctx context.Context) {
	if s.appID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	_ = s.json(ctx, "admin", http.MethodDelete, "/api/v4/oauth/apps/"+s.appID, "", nil)
}

// json sends a request that must succeed and decodes its answer.
func (s *side) json(ctx context.Context, as, method, path, body string, out any) error {
	status, _, raw, err := s.do(ctx, Request{Method: method, Path: path, As: as, Body: body, ContentType: "application/json"})
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("%s %s as %s: %d", method, path, as, status)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// do sends one request and returns the answer, its body read.
func (s *side) do(ctx context.Context, r Request) (int, http.Header, []byte, error) {
	path, body := r.Path, r.Body
	for k, v := range s.vars {
		path, body = strings.ReplaceAll(path, k, v), strings.ReplaceAll(body, k, v)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, strings.TrimRight(s.srv.URL, "/")+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if r.ContentType != "" && r.Body != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	switch tok := s.srv.Tokens[r.As]; {
	case r.As == invalidRole:
		req.Header.Set("Authorization", "Bearer "+invalidToken)
	case r.As != "" && tok != "":
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.hc.Do(req) //nolint:gosec // G704: the user names both servers on purpose
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, raw, err
}

// send runs one plan step and reduces the answer to what is compared.
func (s *side) send(ctx context.Context, r Request) Answer {
	status, header, raw, err := s.do(ctx, r)
	if err != nil {
		return Answer{Err: "no answer"}
	}
	a := Answer{Status: status}
	if mt, _, err := mime.ParseMediaType(header.Get("Content-Type")); err == nil {
		a.MediaType = mt
	}
	var body any
	if json.Unmarshal(raw, &body) == nil {
		if m, ok := body.(map[string]any); ok {
			for _, k := range []string{"id", "error"} {
				if v, ok := m[k].(string); ok && (k == "error" || strings.Contains(v, ".")) {
					a.ErrorID = v
				}
			}
		}
		shape, _ := json.Marshal(normalize("", body, s.vars))
		a.Shape = string(shape)
	}
	return a
}

var (
	idPattern  = regexp.MustCompile(`^[a-z0-9]{26}$`)
	secretKeys = []string{"client_secret", "access_token", "refresh_token", "code", "token"}
	// volatileKeys are values of the server's own data, not of its rules:
	// request ids, and the seeded identities' names.
	volatileKeys = []string{"request_id", "username", "email", "first_name", "last_name", "nickname", "locale", "position", "roles",
		"last_password_update", "last_picture_update", "auth_service", "timezone", "notify_props", "props"}
	timestampKeys     = []string{"create_at", "update_at", "delete_at", "last_activity_at", "expires_in", "client_id_issued_at"}
	urlWithIDRegex    = regexp.MustCompile(`[a-z0-9]{26}`)
	urlExpiresInRegex = regexp.MustCompile(`([#&?]expires_in=)[0-9]+`)
)

// normalize replaces the values two faithful servers choose at random by
// their kind, so that the rest can be compared as they are.
func normalize(key string, v any, vars map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out[k] = normalize(k, x[k], vars)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = normalize(key, x[i], vars)
		}
		return out
	case string:
		for k, kind := range map[string]string{"{site}": "<site>", "{app}": "<the app>", "{user}": "<the user>"} {
			if v := vars[k]; v != "" {
				x = strings.ReplaceAll(x, v, kind)
			}
		}
		switch {
		case slices.Contains(volatileKeys, key):
			return "<volatile>"
		case slices.Contains(secretKeys, key) && x != "":
			return "<secret>"
		case x == vars["{app}"]:
			return "<the app>"
		case x == vars["{user}"]:
			return "<the user>"
		case idPattern.MatchString(x):
			return "<id>"
		}
		if strings.Contains(x, "://") {
			// An implicit grant's fragment carries expires_in, which the
			// real server computes from its clock (2591999 or 2592000).
			x = urlExpiresInRegex.ReplaceAllString(x, "${1}<time>")
			return urlWithIDRegex.ReplaceAllString(x, "<id>")
		}
		return x
	case float64:
		if slices.Contains(timestampKeys, key) || slices.Contains(volatileKeys, key) {
			return "<time>"
		}
		return x
	}
	return v
}

// Encode writes a result as indented JSON.
func (r *Result) Encode(w io.Writer) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Transcript is one server's answers to a plan, reduced as the comparison
// sees them (secrets, ids and timestamps by shape), so that it holds no
// token or secret and can be kept in testdata and replayed offline.
type Transcript struct {
	// Server is the release the recorded server announced (X-Version-Id).
	Server  string  `json:"server"`
	Entries []Entry `json:"entries"`
}

// Entry is one request of a transcript and the answer it got.
type Entry struct {
	Request Request `json:"request"`
	Answer  Answer  `json:"answer"`
}

// Record sends plan to s and keeps its answers.
func Record(ctx context.Context, s Server, plan []Request) (*Transcript, error) {
	sd, err := newSide(ctx, s)
	if err != nil {
		return nil, err
	}
	defer sd.close(ctx)
	t := &Transcript{Server: sd.version}
	for _, req := range plan {
		t.Entries = append(t.Entries, Entry{Request: req, Answer: sd.send(ctx, req)})
	}
	return t, nil
}

// Replay sends a transcript's requests to s and compares s's answers (as
// b) with the recorded ones (as a).
func Replay(ctx context.Context, s Server, t *Transcript, allow []Allowed) (*Result, error) {
	sd, err := newSide(ctx, s)
	if err != nil {
		return nil, err
	}
	defer sd.close(ctx)
	res := &Result{}
	for _, e := range t.Entries {
		got := sd.send(ctx, e.Request)
		res.Requests++
		for _, d := range compare(e.Request, e.Answer, got) {
			d.Explained = explain(allow, d)
			res.Differences = append(res.Differences, d)
		}
	}
	return res, nil
}
