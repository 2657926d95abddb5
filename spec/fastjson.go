package spec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// schemaNode is an OpenAPI 3.0 schema compiled for checkJSON, which
// validates a JSON document straight from its bytes: no value tree is built,
// nothing is sorted, and a valid document costs no allocation.
//
// It is a one-sided test. checkJSON accepting a document implies that
// kin-openapi's openapi3filter decoder plus Schema.VisitJSON (the path
// ValidateResponse otherwise takes) accept it too; when checkJSON refuses,
// the caller asks kin-openapi, whose verdict and error are then the answer.
// So every rule of VisitJSON is applied here at least as strictly, and
// anything checkJSON is unsure of (escaped object keys, numbers that are not
// plain integers where an integer is wanted, invalid UTF-8, duplicate keys)
// counts as a refusal. compileSchema refuses schemas that use a keyword it
// does not implement, and those operations keep the kin-openapi path.
type schemaNode struct {
	// types is the set of JSON kinds "type" permits (all without "type").
	types    kindSet
	nullable bool

	hasEnum bool
	enum    []string // string enum values (compileSchema refuses others)

	minLength int64
	maxLength int64             // -1: none
	pattern   func([]byte) bool // nil: no pattern

	intFormat int // 0, 32 or 64
	min, max  *float64

	minItems int64
	maxItems int64 // -1: none
	items    *schemaNode

	// fields numbers the declared properties and the required names, so
	// that presence is a bit per field; props[i] is nil for a required
	// name without a property schema.
	fields   map[string]int
	names    []string // by index: required names first, in their order
	tokens   [][]byte // by index: `"name":`, nil for a name JSON would escape
	props    []*schemaNode
	required uint64

	denyExtra bool
	extra     *schemaNode // additionalProperties schema
}

type kindSet uint8

const (
	kindBoolean kindSet = 1 << iota
	kindInteger
	kindNumber
	kindString
	kindArray
	kindObject
	kindAll = kindBoolean | kindInteger | kindNumber | kindString | kindArray | kindObject
)

var kindNames = map[string]kindSet{
	openapi3.TypeBoolean: kindBoolean,
	openapi3.TypeInteger: kindInteger,
	openapi3.TypeNumber:  kindNumber,
	openapi3.TypeString:  kindString,
	openapi3.TypeArray:   kindArray,
	openapi3.TypeObject:  kindObject,
}

// errUnsupportedSchema says a schema uses something checkJSON does not
// implement; its operation keeps the kin-openapi path.
var errUnsupportedSchema = errors.New("spec: schema not supported by the one-pass validator")

// maxFields bounds the properties plus required names of one object
// schema (presence is a uint64 bit set).
const maxFields = 64

// schemaCompiler compiles each schema once; compiling marks the ones in
// progress, so a recursive schema is refused (VisitJSON's cycle handling is
// not reproduced).
type schemaCompiler struct {
	done       map[*openapi3.Schema]*schemaNode
	inProgress map[*openapi3.Schema]bool
}

func newSchemaCompiler() *schemaCompiler {
	return &schemaCompiler{done: map[*openapi3.Schema]*schemaNode{}, inProgress: map[*openapi3.Schema]bool{}}
}

// compile returns the node for s or errUnsupportedSchema.
func (c *schemaCompiler) compile(s *openapi3.Schema) (*schemaNode, error) {
	if s == nil {
		return nil, errUnsupportedSchema
	}
	if n, ok := c.done[s]; ok {
		return n, nil
	}
	if c.inProgress[s] {
		return nil, errUnsupportedSchema
	}
	c.inProgress[s] = true
	defer delete(c.inProgress, s)
	if !onlySupportedKeywords(s) {
		return nil, errUnsupportedSchema
	}
	if s.MinLength > math.MaxInt64 || s.MinItems > math.MaxInt64 {
		return nil, errUnsupportedSchema
	}
	n := &schemaNode{types: kindAll, nullable: s.Nullable, minLength: int64(s.MinLength), maxLength: -1, minItems: int64(s.MinItems), maxItems: -1, min: s.Min, max: s.Max}
	if s.Type != nil {
		typs := s.Type.Slice()
		if len(typs) != 1 || kindNames[typs[0]] == 0 {
			return nil, errUnsupportedSchema
		}
		n.types = kindNames[typs[0]]
	}
	switch {
	case s.Format == "":
	case n.types == kindInteger && (s.Format == "int32" || s.Format == "int64"):
		// openapi3.SchemaIntegerFormats' range checks (schema_formats.go).
		n.intFormat = 32
		if s.Format == "int64" {
			n.intFormat = 64
		}
	default:
		return nil, errUnsupportedSchema
	}
	if s.Enum != nil {
		n.hasEnum = true
		for _, e := range s.Enum {
			str, ok := e.(string)
			if !ok {
				return nil, errUnsupportedSchema
			}
			n.enum = append(n.enum, str)
		}
	}
	if s.MaxLength != nil {
		if *s.MaxLength > math.MaxInt64 {
			return nil, errUnsupportedSchema
		}
		n.maxLength = int64(*s.MaxLength)
	}
	if s.Pattern != "" {
		// kin-openapi compiles intoGoRegexp(pattern), which rewrites \uXXXX;
		// without one the expression is the pattern itself.
		if strings.Contains(s.Pattern, `\u`) {
			return nil, errUnsupportedSchema
		}
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return nil, errUnsupportedSchema
		}
		n.pattern = re.Match
		if m, ok := fastPatterns[s.Pattern]; ok {
			n.pattern = m
		}
	}
	if s.MaxItems != nil {
		if *s.MaxItems > math.MaxInt64 {
			return nil, errUnsupportedSchema
		}
		n.maxItems = int64(*s.MaxItems)
	}
	if s.Items != nil {
		item, err := c.compile(s.Items.Value)
		if err != nil {
			return nil, err
		}
		n.items = item
	}
	if len(s.Properties)+len(s.Required) > 0 {
		// Required names first, in the document's order (Mattermost's
		// struct order), then the other properties sorted: object checks
		// try the field after the previous one before the map.
		n.fields = map[string]int{}
		for _, name := range s.Required {
			if _, ok := n.fields[name]; !ok {
				n.fields[name] = len(n.names)
				n.names = append(n.names, name)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if _, ok := n.fields[name]; !ok {
				n.fields[name] = len(n.names)
				n.names = append(n.names, name)
			}
		}
		if len(n.names) > maxFields {
			return nil, errUnsupportedSchema
		}
		n.props = make([]*schemaNode, len(n.names))
		n.tokens = make([][]byte, len(n.names))
		for i, name := range n.names {
			if !strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == '"' || r == '\\' || r >= utf8.RuneSelf }) {
				n.tokens[i] = []byte(`"` + name + `":`)
			}
		}
		for i, name := range n.names {
			ref, ok := s.Properties[name]
			if !ok {
				continue // required without a property schema
			}
			if ref == nil || ref.Value == nil || ref.Value.ReadOnly || ref.Value.WriteOnly {
				return nil, errUnsupportedSchema
			}
			p, err := c.compile(ref.Value)
			if err != nil {
				return nil, err
			}
			n.props[i] = p
		}
		for _, name := range s.Required {
			n.required |= 1 << uint(n.fields[name])
		}
	}
	if has := s.AdditionalProperties.Has; has != nil && !*has {
		n.denyExtra = true
	} else if ref := s.AdditionalProperties.Schema; ref != nil {
		extra, err := c.compile(ref.Value)
		if err != nil {
			return nil, err
		}
		n.extra = extra
	}
	c.done[s] = n
	return n, nil
}

// onlySupportedKeywords reports whether s sets nothing but the keywords
// compile implements or that do not affect validation (annotations). It
// clears those on a copy and asks reflect whether anything is left, so a
// keyword added to openapi3.Schema later is refused until it is looked at.
func onlySupportedKeywords(s *openapi3.Schema) bool {
	c := *s
	c.Extensions, c.Origin = nil, nil
	c.Title, c.Description, c.Default, c.Example, c.Examples, c.ExternalDocs = "", "", nil, nil, nil, nil
	c.Deprecated, c.XML, c.Comment, c.AllowEmptyValue = false, nil, "", false
	c.Type, c.Format, c.Enum, c.Nullable = nil, "", nil, false
	c.Min, c.Max = nil, nil
	c.MinLength, c.MaxLength, c.Pattern = 0, nil, ""
	c.MinItems, c.MaxItems, c.Items = 0, nil, nil
	c.Required, c.Properties, c.AdditionalProperties = nil, nil, openapi3.AdditionalProperties{}
	return reflect.ValueOf(c).IsZero()
}

// maxDepth is how deeply checkJSON follows nested values; deeper documents
// are left to kin-openapi (encoding/json's own limit is 10000).
const maxDepth = 512

// jsonChecker is the state of one checkJSON call.
type jsonChecker struct {
	data    []byte
	pos     int
	depth   int
	scratch []byte   // unescaped string
	ascii   bool     // the last string read is ASCII (its length is its rune count)
	extra   [][]byte // undeclared keys of the current objects, for duplicates
}

// checkJSON reports whether data is one JSON value, with nothing but
// whitespace around it, that n accepts (see schemaNode for what a false
// means).
func checkJSON(n *schemaNode, data []byte) bool {
	c := jsonChecker{data: data}
	c.skipSpace()
	if !c.value(n) {
		return false
	}
	c.skipSpace()
	return c.pos == len(c.data)
}

func (c *jsonChecker) skipSpace() {
	for c.pos < len(c.data) {
		switch c.data[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

// value checks the value at pos against n (nil: any value, syntax only).
func (c *jsonChecker) value(n *schemaNode) bool {
	if c.pos >= len(c.data) {
		return false
	}
	switch b := c.data[c.pos]; {
	case b == '{':
		return c.object(n)
	case b == '[':
		return c.array(n)
	case b == '"':
		s, ok := c.str()
		return ok && (n == nil || n.checkString(s, c.ascii))
	case b == 't':
		return c.literal("true") && (n == nil || n.checkOther(kindBoolean))
	case b == 'f':
		return c.literal("false") && (n == nil || n.checkOther(kindBoolean))
	case b == 'n':
		// VisitJSON: null is valid exactly when the schema is nullable.
		return c.literal("null") && (n == nil || n.nullable)
	case b == '-' || (b >= '0' && b <= '9'):
		return c.number(n)
	}
	return false
}

func (c *jsonChecker) literal(word string) bool {
	if !bytes.HasPrefix(c.data[c.pos:], []byte(word)) {
		return false
	}
	c.pos += len(word)
	return true
}

// checkOther applies the rules a boolean meets: its type (an enum of
// strings never contains it).
func (n *schemaNode) checkOther(k kindSet) bool {
	return !n.hasEnum && n.types&k != 0
}

// checkString is VisitJSON's string rules on a valid UTF-8 string.
func (n *schemaNode) checkString(s []byte, ascii bool) bool {
	if n.types&kindString == 0 {
		return false
	}
	if n.hasEnum && !n.inEnum(s) {
		return false
	}
	if n.minLength != 0 || n.maxLength >= 0 {
		// VisitJSON counts the runes of the decoded string (a surrogate
		// rune, which valid UTF-8 never holds, would count twice).
		l := int64(len(s))
		if !ascii {
			l = int64(utf8.RuneCount(s))
		}
		if l < n.minLength || (n.maxLength >= 0 && l > n.maxLength) {
			return false
		}
	}
	return n.pattern == nil || n.pattern(s)
}

// fastPatterns replace regexp matching for the patterns openapi.yaml uses
// (a quarter of the time of a list of apps went to them). Each is
// equivalent to regexp.MustCompile(pattern).Match on valid UTF-8
// (TestFastPatternsMatchRegexp); in Go's RE2 syntax "$" without the m flag
// matches at the end of the text only, and "." matches anything but "\n".
var fastPatterns = map[string]func([]byte) bool{
	"^[a-z0-9]{26}$":    isModelID,
	"^([a-z0-9]{26})?$": func(s []byte) bool { return len(s) == 0 || isModelID(s) },
	"^(https?://.+)?$": func(s []byte) bool {
		if len(s) == 0 {
			return true
		}
		rest, ok := bytes.CutPrefix(s, []byte("http://"))
		if !ok {
			rest, ok = bytes.CutPrefix(s, []byte("https://"))
		}
		return ok && len(rest) > 0 && bytes.IndexByte(rest, '\n') < 0
	},
	"no-store": func(s []byte) bool { return bytes.Contains(s, []byte("no-store")) },
}

// isModelID is ^[a-z0-9]{26}$ (model.IsValidId's shape).
func isModelID(s []byte) bool {
	if len(s) != 26 {
		return false
	}
	for _, b := range s {
		if (b < 'a' || b > 'z') && (b < '0' || b > '9') {
			return false
		}
	}
	return true
}

func (n *schemaNode) inEnum(s []byte) bool {
	for _, e := range n.enum {
		if string(s) == e {
			return true
		}
	}
	return false
}

// str reads a string at pos (on '"') and returns its decoded bytes, which
// alias data or c.scratch until the next call. Refused: control
// characters, bad escapes, lone surrogates and invalid UTF-8 (encoding/json
// would replace the last two with U+FFFD, which changes the value).
func (c *jsonChecker) str() ([]byte, bool) {
	c.pos++
	start := c.pos
	var high byte // the OR of the bytes: below 0x80 means ASCII, valid UTF-8
	// Eight bytes at a time while they are plain ASCII: no quote, no
	// backslash, no control character, no high bit (the tests of "Bit
	// Twiddling Hacks", exact for whether any byte matches). The byte loop
	// below takes over at the first word that has one.
	for c.pos+8 <= len(c.data) {
		w := binary.LittleEndian.Uint64(c.data[c.pos:])
		if (hasZeroByte(w^(lsbs*'"'))|hasZeroByte(w^(lsbs*'\\'))|((w-lsbs*0x20)&^w&msbs))|w&msbs != 0 {
			break
		}
		c.pos += 8
	}
	for c.pos < len(c.data) {
		b := c.data[c.pos]
		if plainStringByte[b] {
			high |= b
			c.pos++
			continue
		}
		switch b {
		case '"':
			s := c.data[start:c.pos]
			c.pos++
			c.ascii = high < utf8.RuneSelf
			return s, c.ascii || utf8.Valid(s)
		case '\\':
			return c.escapedStr(start)
		default: // a control character
			return nil, false
		}
	}
	return nil, false
}

const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// hasZeroByte is non-zero when a byte of w is zero.
func hasZeroByte(w uint64) uint64 { return (w - lsbs) &^ w & msbs }

// plainStringByte marks the bytes a JSON string holds as they are: not the
// quote, not the backslash, not a control character (RFC 8259 §7).
var plainStringByte = func() (t [256]bool) {
	for b := 0x20; b < 256; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// escapedStr finishes a string that holds an escape, unescaping it into
// c.scratch.
func (c *jsonChecker) escapedStr(start int) ([]byte, bool) {
	out := append(c.scratch[:0], c.data[start:c.pos]...)
	for c.pos < len(c.data) {
		b := c.data[c.pos]
		switch {
		case b == '"':
			c.pos++
			c.scratch = out
			c.ascii = false
			return out, utf8.Valid(out)
		case b < 0x20:
			return nil, false
		case b != '\\':
			out = append(out, b)
			c.pos++
			continue
		}
		if c.pos+1 >= len(c.data) {
			return nil, false
		}
		e := c.data[c.pos+1]
		c.pos += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := c.hex4()
			if !ok {
				return nil, false
			}
			if utf16.IsSurrogate(r) {
				if !bytes.HasPrefix(c.data[c.pos:], []byte(`\u`)) {
					return nil, false
				}
				c.pos += 2
				r2, ok := c.hex4()
				if !ok {
					return nil, false
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return nil, false
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, false
		}
	}
	return nil, false
}

func (c *jsonChecker) hex4() (rune, bool) {
	if c.pos+4 > len(c.data) {
		return 0, false
	}
	var r rune
	for _, h := range c.data[c.pos : c.pos+4] {
		switch {
		case h >= '0' && h <= '9':
			h -= '0'
		case h >= 'a' && h <= 'f':
			h = h - 'a' + 10
		case h >= 'A' && h <= 'F':
			h = h - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	c.pos += 4
	return r, true
}

// number reads a number (RFC 8259 §6 grammar) and applies n's rules to the
// float64 kin-openapi would compare: json.Number.Float64, that is
// strconv.ParseFloat of the literal.
func (c *jsonChecker) number(n *schemaNode) bool {
	start := c.pos
	if c.data[c.pos] == '-' {
		c.pos++
	}
	digits := c.digits()
	if digits == 0 || (digits > 1 && c.data[c.pos-digits] == '0') {
		return false
	}
	plain := true
	if c.pos < len(c.data) && c.data[c.pos] == '.' {
		c.pos++
		if c.digits() == 0 {
			return false
		}
		plain = false
	}
	if c.pos < len(c.data) && (c.data[c.pos] == 'e' || c.data[c.pos] == 'E') {
		c.pos++
		if c.pos < len(c.data) && (c.data[c.pos] == '+' || c.data[c.pos] == '-') {
			c.pos++
		}
		if c.digits() == 0 {
			return false
		}
		plain = false
	}
	if n == nil {
		return true
	}
	lit := c.data[start:c.pos]
	if n.hasEnum || n.types&(kindInteger|kindNumber) == 0 {
		return false
	}
	var f float64
	// A plain integer of at most 15 digits is exact as a float64 (below
	// 2^53), so it is its own value and surely an integer.
	if plain && digits <= 15 {
		var i int64
		for _, d := range lit[len(lit)-digits:] {
			i = i*10 + int64(d-'0')
		}
		if lit[0] == '-' {
			i = -i
		}
		f = float64(i)
	} else {
		if n.types&kindNumber == 0 {
			// An integer is wanted; leave 1.0 or 1e3 to kin-openapi.
			return false
		}
		var err error
		if f, err = strconv.ParseFloat(string(lit), 64); err != nil {
			return false
		}
	}
	if n.intFormat == 32 && (f < math.MinInt32 || f > math.MaxInt32) {
		return false
	}
	// int64: a plain integer below 2^53 is always in range.
	return (n.min == nil || *n.min <= f) && (n.max == nil || *n.max >= f)
}

// separator consumes what follows an item or a member: the closing byte
// (done) or a comma and the space after it; ok is false for anything else.
func (c *jsonChecker) separator(closing byte) (done, ok bool) {
	c.skipSpace()
	if c.pos >= len(c.data) {
		return false, false
	}
	switch c.data[c.pos] {
	case closing:
		c.pos++
		return true, true
	case ',':
		c.pos++
		c.skipSpace()
		return false, true
	}
	return false, false
}

func (c *jsonChecker) digits() int {
	start := c.pos
	for c.pos < len(c.data) && c.data[c.pos] >= '0' && c.data[c.pos] <= '9' {
		c.pos++
	}
	return c.pos - start
}

func (c *jsonChecker) array(n *schemaNode) bool {
	if n != nil && (n.hasEnum || n.types&kindArray == 0) {
		return false
	}
	if c.depth++; c.depth > maxDepth {
		return false
	}
	ok := c.arrayItems(n)
	c.depth--
	return ok
}

func (c *jsonChecker) arrayItems(n *schemaNode) bool {
	var item *schemaNode
	if n != nil {
		item = n.items
	}
	c.pos++ // '['
	c.skipSpace()
	count := int64(0)
	if c.pos < len(c.data) && c.data[c.pos] == ']' {
		c.pos++
	} else {
		for {
			if !c.value(item) {
				return false
			}
			count++
			if done, ok := c.separator(']'); !ok {
				return false
			} else if done {
				break
			}
		}
	}
	return n == nil || (count >= n.minItems && (n.maxItems < 0 || count <= n.maxItems))
}

func (c *jsonChecker) object(n *schemaNode) bool {
	if n != nil && (n.hasEnum || n.types&kindObject == 0) {
		return false
	}
	if c.depth++; c.depth > maxDepth {
		return false
	}
	extraBase := len(c.extra)
	ok := c.members(n, extraBase)
	c.extra = c.extra[:extraBase]
	c.depth--
	return ok
}

// members checks an object's members; the undeclared keys seen so far are
// c.extra[extraBase:].
func (c *jsonChecker) members(n *schemaNode, extraBase int) bool {
	c.pos++ // '{'
	var seen uint64
	next := 0 // the field expected next
	c.skipSpace()
	if c.pos < len(c.data) && c.data[c.pos] == '}' {
		c.pos++
		return n == nil || n.required == 0
	}
	for {
		if c.pos >= len(c.data) || c.data[c.pos] != '"' {
			return false
		}
		// Duplicate keys are refused: encoding/json keeps the last value
		// (jsonv2 rejects the document), so which one counts differs.
		var key []byte
		i, declared := -1, false
		if n != nil && next < len(n.tokens) && n.tokens[next] != nil && bytes.HasPrefix(c.data[c.pos:], n.tokens[next]) {
			// The expected field, written as encoders write it: `"name":`.
			key = c.data[c.pos+1 : c.pos+1+len(n.names[next])]
			c.pos += len(n.tokens[next])
			i, declared = next, true
		} else {
			keyStart := c.pos + 1
			var ok bool
			key, ok = c.str()
			// An escaped key would need decoding to be compared; none is
			// expected, so it goes to kin-openapi.
			if !ok || c.pos-1-keyStart != len(key) {
				return false
			}
			c.skipSpace()
			if c.pos >= len(c.data) || c.data[c.pos] != ':' {
				return false
			}
			c.pos++
			if n != nil {
				i, declared = n.fields[string(key)]
			}
		}
		c.skipSpace()
		var child *schemaNode
		switch {
		case declared:
			if seen&(1<<uint(i)) != 0 {
				return false
			}
			seen |= 1 << uint(i)
			next = i + 1
			if child = n.props[i]; child == nil {
				// Required without a property schema: VisitJSON checks it
				// as an additional property.
				if n.denyExtra {
					return false
				}
				child = n.extra
			}
		default:
			for _, k := range c.extra[extraBase:] {
				if bytes.Equal(k, key) {
					return false
				}
			}
			c.extra = append(c.extra, key)
			if n != nil {
				if n.denyExtra {
					return false
				}
				child = n.extra
			}
		}
		if !c.value(child) {
			return false
		}
		if done, ok := c.separator('}'); !ok {
			return false
		} else if done {
			break
		}
	}
	return n == nil || seen&n.required == n.required
}
