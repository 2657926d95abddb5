// Package hartest checks HAR files in tests: against a JSON Schema of HAR 1.2
// written from the specification (every member it does not call optional is
// required, custom members start with "_"), then against the rules a schema
// cannot say (an entry's time is the sum of its timings, dates parse).
package hartest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mmoauth/mmoauth/internal/har"
)

//go:embed testdata/har-1.2.schema.json
var schemaJSON []byte

// Parse validates data as a HAR 1.2 file and decodes it.
func Parse(data []byte) (*har.Log, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("har-1.2.schema.json", schemaDoc); err != nil {
		return nil, err
	}
	sch, err := c.Compile("har-1.2.schema.json")
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(doc); err != nil {
		return nil, fmt.Errorf("not HAR 1.2: %w", err)
	}
	var root struct {
		Log har.Log `json:"log"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	for i, e := range root.Log.Entries {
		if _, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err != nil {
			return nil, fmt.Errorf("entry %d: startedDateTime: %w", i, err)
		}
		sum := 0.0
		for _, v := range []float64{e.Timings.Blocked, e.Timings.DNS, e.Timings.Connect, e.Timings.Send, e.Timings.Wait, e.Timings.Receive} {
			if v > 0 {
				sum += v
			}
		}
		// HAR 1.2 "entries": time is the sum of the timings (ssl is part
		// of connect), to the microsecond the writer keeps.
		if math.Abs(sum-e.Time) > 0.002 {
			return nil, fmt.Errorf("entry %d: time %v is not the sum of its timings %v", i, e.Time, sum)
		}
	}
	return &root.Log, nil
}
