package mockserver

import (
	"bytes"
	"encoding/json"
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
	return json.NewDecoder(bytes.NewReader(c.body)).Decode(v)
}
