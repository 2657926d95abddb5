package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
)

// decodeJSON decodes the body into v as the real handlers do
// (json.NewDecoder(r.Body).Decode: unknown fields ignored, null accepted,
// anything after the first value ignored). A body that failed the
// document's validation is reported as a decoding error at this point, so
// that the error surfaces where the real server's decoding would fail.
func (c *call) decodeJSON(v any) error {
	if c.bodyErr != nil {
		return c.bodyErr
	}
	// A body that is exactly one JSON value (the usual case) decodes the
	// same with json.Unmarshal, without a Decoder and its buffer. Unmarshal
	// checks the syntax before it writes to v, so on a syntax error
	// (trailing data after the first value, or a broken body) v is
	// untouched and the Decoder gives the real server's answer.
	err := json.Unmarshal(c.body, v)
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		return err
	}
	return json.NewDecoder(bytes.NewReader(c.body)).Decode(v)
}
