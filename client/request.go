package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hashicorp/go-retryablehttp"
)

// request describes one API call for send.
type request struct {
	method    string
	path      string     // escaped path below the base URL (see escapePath)
	query     url.Values // nil for none
	body      any        // JSON-encoded when non-nil; validated by the caller
	anonymous bool       // never send Authorization (registration, metadata)
	target    *url.URL   // absolute URL that replaces base+path (Discover)
	name      string     // the app or client name a create sends, for OutcomeUnknownError
}

// send is the single request path of every endpoint: it encodes the body,
// sets the headers, runs the attempts under the retry policy and decodes a
// 2xx body (capped at MaxResponseBytes) into out. Any answer yields a
// *Response; non-2xx answers yield an *Error, undecodable 2xx bodies a
// *DecodeError. For a non-idempotent method whose request may have reached
// the server, a lost answer is an *OutcomeUnknownError around the cause.
func (c *Client) send(ctx context.Context, rq request, out any) (*Response, error) {
	if ctx == nil {
		return nil, errors.New("mmoauth: nil context")
	}
	u := rq.target
	if u == nil {
		u = resolve(c.base, rq.path, rq.query)
	}
	path := u.EscapedPath()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("mmoauth: %s %s: %w", rq.method, path, err) // nothing sent
	}

	var body any // untyped nil: no body, no chunked encoding on GET
	if rq.body != nil {
		payload, err := encodeJSON(rq.body)
		if err != nil {
			return nil, fmt.Errorf("mmoauth: %s %s: encoding request: %w", rq.method, path, err)
		}
		body = payload // []byte: retryablehttp re-reads it per attempt without copying
	}
	var auth, secret string
	if !rq.anonymous {
		var err error
		if auth, secret, err = c.authorization(); err != nil {
			return nil, fmt.Errorf("mmoauth: %s %s: %w", rq.method, path, err)
		}
	} else {
		// Not sent, but still this client's credential: an error body that
		// holds it anyway is redacted all the same.
		secret = c.token.Reveal()
	}

	st := newCall(c, rq.method, path, secret)
	defer st.release()
	req, err := retryablehttp.NewRequestWithContext(st.context(ctx), rq.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("mmoauth: %s %s: %w", rq.method, path, stripURLError(err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}

	resp, err := st.retryClient().Do(req)
	if resp != nil {
		defer func() { _ = resp.Body.Close() }()
	}
	switch {
	case err != nil && resp != nil:
		// checkRetry refused a wait past the deadline: report it with the answer.
		r, apiErr := st.finish(resp, nil)
		var stop *retryStopped
		if errors.As(err, &stop) {
			stop.Last = apiErr
			return r, stop
		}
		return r, errors.Join(err, apiErr)
	case err != nil:
		var stop *retryStopped
		if errors.As(err, &stop) {
			return nil, stop
		}
		return nil, st.outcomeUnknown(rq, st.transportError(ctx, err))
	}
	r, err := st.finish(resp, out)
	return r, st.outcomeUnknown(rq, err)
}

// finish reads the answer of the last attempt: a *Response always, plus an
// *Error for non-2xx or a *DecodeError for a 2xx body that is not out's JSON.
func (st *call) finish(resp *http.Response, out any) (*Response, error) {
	r := newResponse(resp, st.attempt, st.c.clock.now())
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	limit := int64(MaxErrorBodyBytes)
	if ok {
		limit = MaxResponseBytes
	}
	body, tooLarge, readErr := readCapped(resp.Body, limit, resp.ContentLength)
	if !ok {
		// A body cut short by a read error still tells what went wrong.
		return r, newError(st.method, st.path, r, redactCapped(body, st.secret))
	}
	decErr := func(err error) error {
		return &DecodeError{
			StatusCode:  resp.StatusCode,
			Method:      st.method,
			Path:        st.path,
			ContentType: resp.Header.Get("Content-Type"),
			Excerpt:     excerpt(body, st.secret),
			Err:         err,
		}
	}
	if readErr != nil {
		// A 2xx whose body was cut off (a dropped connection, a proxy):
		// the server acted, so the caller needs the status as much as the cause.
		return r, decErr(fmt.Errorf("reading the body: %w", stripURLError(readErr)))
	}
	if tooLarge {
		return r, decErr(fmt.Errorf("%w (%d bytes)", ErrResponseTooLarge, MaxResponseBytes))
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return r, decErr(err)
		}
	}
	return r, nil
}

// transportError reports a call that got no answer. A context that ended
// after a retried attempt also reports that attempt's outcome.
func (st *call) transportError(ctx context.Context, err error) error {
	ctxErr := ctx.Err()
	if ctxErr != nil && st.last != nil {
		return &retryStopped{Method: st.method, Path: st.path, Cause: ctxErr, Last: st.last}
	}
	msg := fmt.Sprintf("mmoauth: %s %s", st.method, st.path)
	if st.attempt > 1 {
		msg += " (" + strconv.Itoa(st.attempt) + " attempts)"
	}
	if ctxErr != nil && !errors.Is(err, ctxErr) {
		// A transport that ignores the context still reports why the call ended.
		return fmt.Errorf("%s: %w: %w", msg, ctxErr, stripURLError(err))
	}
	return fmt.Errorf("%s: %w", msg, stripURLError(err))
}

// authorization returns the Authorization header value and the credential
// in it (for redaction).
func (c *Client) authorization() (header, secret string, err error) {
	if c.ts != nil {
		tok, err := c.ts.Token()
		if err != nil {
			return "", "", fmt.Errorf("getting a token: %w", err)
		}
		if tok.AccessToken == "" {
			return "", "", nil
		}
		return tok.Type() + " " + tok.AccessToken, tok.AccessToken, nil
	}
	if c.token == "" {
		return "", "", nil
	}
	return "Bearer " + c.token.Reveal(), c.token.Reveal(), nil
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // URLs with & stay readable on the wire
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// readCapped reads at most limit bytes; tooLarge reports that more followed.
// sizeHint is the announced length (http.Response.ContentLength, -1 when
// unknown). When it is known, one buffer of that size plus a byte (to see
// EOF) is allocated instead of growing one as io.ReadAll must; the hint is
// only trusted below limit, and a body longer than announced is still read
// whole.
func readCapped(r io.Reader, limit, sizeHint int64) (body []byte, tooLarge bool, err error) {
	if sizeHint >= 0 && sizeHint < limit {
		body, err = readSized(r, limit, sizeHint)
	} else {
		body, err = io.ReadAll(io.LimitReader(r, limit+1))
	}
	if int64(len(body)) > limit {
		return body[:limit], true, err
	}
	return body, false, err
}

// readSized reads up to limit+1 bytes of a body announced as size bytes.
func readSized(r io.Reader, limit, size int64) ([]byte, error) {
	body := make([]byte, 0, size+1)
	for len(body) < cap(body) {
		n, err := r.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if errors.Is(err, io.EOF) {
			return body, nil
		}
		if err != nil {
			return body, err
		}
	}
	// Longer than announced: the rest as io.ReadAll reads it.
	rest, err := io.ReadAll(io.LimitReader(r, limit+1-int64(len(body))))
	return append(body, rest...), err
}

// excerpt is the redacted start of a body for a *DecodeError.
func excerpt(body []byte, secret string) string {
	head := body[:min(len(body), 4*maxExcerptBytes)]
	return truncate(string(redact(head, secret)), maxExcerptBytes)
}
