package spec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"math/bits"
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
	// anyString: every string is valid (a string type, no enum, length or
	// pattern), so strings skip checkString.
	anyString bool

	// anyInteger: every integer is valid (no enum, bounds or int32 range),
	// so a plain integer's value is not computed; anyPositive: every
	// integer from 1 up is (minimum at most 1, as for Mattermost's
	// timestamps, and the rest as for anyInteger).
	anyInteger, anyPositive bool

	intFormat int // 0, 32 or 64
	min, max  *float64

	minItems int64
	maxItems int64 // -1: none
	items    *schemaNode

	// fields numbers the declared properties and the required names, so
	// that presence is a bit per field; props[i] is nil for a required
	// name without a property schema.
	fields   map[string]int
	names    []string     // by index: required names first, in their order
	tokens   []fieldToken // by index
	props    []*schemaNode
	required uint64

	denyExtra bool
	extra     *schemaNode // additionalProperties schema
}

// fieldToken is a declared field as encoders write its key: `"name":`.
// Tokens of at most 24 bytes are compared as three masked words.
type fieldToken struct {
	text         []byte // nil for a name JSON would escape
	words, masks [3]uint64
}

func newFieldToken(text string) fieldToken {
	t := fieldToken{text: []byte(text)}
	if len(text) <= len(t.words)*8 {
		var padded [24]byte
		copy(padded[:], text)
		for w := range t.words {
			t.words[w] = binary.LittleEndian.Uint64(padded[w*8:])
			for b := range 8 {
				if w*8+b < len(text) {
					t.masks[w] |= 0xff << (8 * b)
				}
			}
		}
	}
	return t
}

// at reports whether data[pos:] starts with the token.
func (t *fieldToken) at(data []byte, pos int) bool {
	if t.masks[0] != 0 && pos+24 <= len(data) {
		d := data[pos : pos+24]
		return (binary.LittleEndian.Uint64(d)^t.words[0])&t.masks[0]|
			(binary.LittleEndian.Uint64(d[8:])^t.words[1])&t.masks[1]|
			(binary.LittleEndian.Uint64(d[16:])^t.words[2])&t.masks[2] == 0
	}
	return t.text != nil && bytes.HasPrefix(data[pos:], t.text)
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
	defer func() {
		n.anyString = n.types&kindString != 0 && !n.hasEnum && n.minLength == 0 && n.maxLength < 0 && n.pattern == nil
		n.anyPositive = n.types&(kindInteger|kindNumber) != 0 && !n.hasEnum && (n.min == nil || *n.min <= 1) && n.max == nil && n.intFormat != 32
		n.anyInteger = n.anyPositive && n.min == nil
	}()
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
		n.tokens = make([]fieldToken, len(n.names))
		for i, name := range n.names {
			if !strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == '"' || r == '\\' || r >= utf8.RuneSelf }) {
				n.tokens[i] = newFieldToken(`"` + name + `":`)
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

// jsonChecker is the state of one checkJSON call. The position in data is
// passed and returned by every method rather than kept here, so that it
// stays in a register: a field behind the pointer is stored and reloaded
// around every call, which cost more than the checks themselves.
type jsonChecker struct {
	data    []byte
	depth   int
	scratch []byte   // unescaped string
	extra   [][]byte // undeclared keys of the current objects, for duplicates
}

// checkJSON reports whether data is one JSON value, with nothing but
// whitespace around it, that n accepts (see schemaNode for what a false
// means).
func checkJSON(n *schemaNode, data []byte) bool {
	c := jsonChecker{data: data}
	pos, ok := c.value(n, skipSpace(data, 0))
	return ok && skipSpace(data, pos) == len(data)
}

// skipSpace returns the position of the first byte at or after pos that is
// not JSON whitespace.
func skipSpace(data []byte, pos int) int {
	// Encoders write compact JSON: the usual next byte is no space.
	if pos < len(data) && data[pos] > ' ' {
		return pos
	}
	return skipSpaceSlow(data, pos)
}

func skipSpaceSlow(data []byte, pos int) int {
	for pos < len(data) {
		switch data[pos] {
		case ' ', '\t', '\n', '\r':
			pos++
		default:
			return pos
		}
	}
	return pos
}

// value checks the value at pos against n (nil: any value, syntax only) and
// returns the position after it.
func (c *jsonChecker) value(n *schemaNode, pos int) (int, bool) {
	data := c.data
	if pos >= len(data) {
		return pos, false
	}
	switch b := data[pos]; {
	case b == '{':
		return c.object(n, pos)
	case b == '[':
		return c.array(n, pos)
	case b == '"':
		s, end, ascii, ok := c.str(pos)
		return end, ok && (n == nil || n.anyString || n.checkString(s, ascii))
	case b == 't':
		end, ok := literal(data, pos, "true")
		return end, ok && (n == nil || n.checkOther(kindBoolean))
	case b == 'f':
		end, ok := literal(data, pos, "false")
		return end, ok && (n == nil || n.checkOther(kindBoolean))
	case b == 'n':
		// VisitJSON: null is valid exactly when the schema is nullable.
		end, ok := literal(data, pos, "null")
		return end, ok && (n == nil || n.nullable)
	case b == '-' || (b >= '0' && b <= '9'):
		return c.number(n, pos)
	}
	return pos, false
}

func literal(data []byte, pos int, word string) (int, bool) {
	if !bytes.HasPrefix(data[pos:], []byte(word)) {
		return pos, false
	}
	return pos + len(word), true
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
	// Four overlapping words cover the 26 bytes.
	return modelIDWord(binary.LittleEndian.Uint64(s)) && modelIDWord(binary.LittleEndian.Uint64(s[8:])) &&
		modelIDWord(binary.LittleEndian.Uint64(s[16:])) && modelIDWord(binary.LittleEndian.Uint64(s[18:]))
}

// modelIDWord reports whether the eight bytes of w are all [a-z0-9].
func modelIDWord(w uint64) bool {
	low := w &^ msbs
	return (inRange(low, '0', '9')|inRange(low, 'a', 'z'))&^w == msbs
}

func (n *schemaNode) inEnum(s []byte) bool {
	for _, e := range n.enum {
		if string(s) == e {
			return true
		}
	}
	return false
}

// str reads the string at pos (on '"') and returns its decoded bytes, which
// alias data or c.scratch until the next call, the position after it, and
// whether it is ASCII (its length is then its rune count). Refused: control
// characters, bad escapes, lone surrogates and invalid UTF-8 (encoding/json
// would replace the last two with U+FFFD, which changes the value).
func (c *jsonChecker) str(pos int) (s []byte, end int, ascii, ok bool) {
	data := c.data
	pos++
	start := pos
	ascii = true
	for {
		// Eight bytes at a time up to the first that is not plain ASCII:
		// a quote, a backslash, a control character or a high bit (the
		// tests of "Bit Twiddling Hacks": a borrow can only mark bytes
		// above a real match, so the lowest marked byte is the first
		// match). The last bytes of the document go one at a time.
		if pos+8 <= len(data) {
			w := binary.LittleEndian.Uint64(data[pos:])
			// (x-lsbs)&^x marks the zero bytes of x, (w-0x20s)|w the
			// bytes below 0x20 or from 0x80.
			q, bs := w^(lsbs*'"'), w^(lsbs*'\\')
			m := ((q-lsbs)&^q | (bs-lsbs)&^bs | (w - lsbs*0x20) | w) & msbs
			if m == 0 {
				pos += 8
				continue
			}
			pos += bits.TrailingZeros64(m) >> 3
		} else if pos < len(data) && plainASCII[data[pos]] {
			pos++
			continue
		}
		if pos >= len(data) {
			return nil, pos, false, false
		}
		switch b := data[pos]; {
		case b == '"':
			s = data[start:pos]
			return s, pos + 1, ascii, ascii || utf8.Valid(s)
		case b == '\\':
			s, end, ok = c.escapedStr(start, pos)
			return s, end, false, ok
		case b < 0x20:
			return nil, pos, false, false
		default: // part of a multi-byte character, checked at the end
			ascii = false
			pos++
		}
	}
}

const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// plainASCII marks the bytes an ASCII JSON string holds as they are: not
// the quote, not the backslash, not a control character (RFC 8259 §7).
var plainASCII = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// escapedStr finishes a string that holds an escape at pos, unescaping it
// into c.scratch.
func (c *jsonChecker) escapedStr(start, pos int) ([]byte, int, bool) {
	data := c.data
	out := append(c.scratch[:0], data[start:pos]...)
	for pos < len(data) {
		b := data[pos]
		switch {
		case b == '"':
			c.scratch = out
			return out, pos + 1, utf8.Valid(out)
		case b < 0x20:
			return nil, pos, false
		case b != '\\':
			out = append(out, b)
			pos++
			continue
		}
		if pos+1 >= len(data) {
			return nil, pos, false
		}
		e := data[pos+1]
		pos += 2
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
			r, ok := hex4(data, pos)
			if !ok {
				return nil, pos, false
			}
			pos += 4
			if utf16.IsSurrogate(r) {
				if !bytes.HasPrefix(data[pos:], []byte(`\u`)) {
					return nil, pos, false
				}
				r2, ok := hex4(data, pos+2)
				if !ok {
					return nil, pos, false
				}
				pos += 6
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return nil, pos, false
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, pos, false
		}
	}
	return nil, pos, false
}

// hex4 decodes the four hex digits at pos.
func hex4(data []byte, pos int) (rune, bool) {
	if pos+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, h := range data[pos : pos+4] {
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
	return r, true
}

// number reads a number (RFC 8259 §6 grammar) and applies n's rules to the
// float64 kin-openapi would compare: json.Number.Float64, that is
// strconv.ParseFloat of the literal.
func (c *jsonChecker) number(n *schemaNode, pos int) (int, bool) {
	data := c.data
	start := pos
	if data[pos] == '-' {
		pos++
	}
	intStart := pos
	pos = digits(data, pos)
	intDigits := pos - intStart
	if intDigits == 0 || (intDigits > 1 && data[intStart] == '0') {
		return pos, false
	}
	plain := true
	if pos < len(data) && data[pos] == '.' {
		pos++
		from := pos
		if pos = digits(data, from); pos == from {
			return pos, false
		}
		plain = false
	}
	if pos < len(data) && (data[pos] == 'e' || data[pos] == 'E') {
		pos++
		if pos < len(data) && (data[pos] == '+' || data[pos] == '-') {
			pos++
		}
		from := pos
		if pos = digits(data, from); pos == from {
			return pos, false
		}
		plain = false
	}
	if n == nil {
		return pos, true
	}
	// A plain integer of at most 15 digits is exact as a float64 (below
	// 2^53), so it is its own value and surely an integer.
	exactInt := plain && intDigits <= 15
	if exactInt && (n.anyInteger || (n.anyPositive && start == intStart && data[intStart] != '0')) {
		return pos, true
	}
	if n.hasEnum || n.types&(kindInteger|kindNumber) == 0 {
		return pos, false
	}
	var f float64
	if exactInt {
		var i int64
		for _, d := range data[intStart:pos] {
			i = i*10 + int64(d-'0')
		}
		if data[start] == '-' {
			i = -i
		}
		f = float64(i)
	} else {
		if n.types&kindNumber == 0 {
			// An integer is wanted; leave 1.0 or 1e3 to kin-openapi.
			return pos, false
		}
		var err error
		if f, err = strconv.ParseFloat(string(data[start:pos]), 64); err != nil {
			return pos, false
		}
	}
	if n.intFormat == 32 && (f < math.MinInt32 || f > math.MaxInt32) {
		return pos, false
	}
	// int64: a plain integer below 2^53 is always in range.
	return pos, (n.min == nil || *n.min <= f) && (n.max == nil || *n.max >= f)
}

// separator consumes what follows an item or a member: the closing byte
// (done) or a comma and the space after it; ok is false for anything else.
func separator(data []byte, pos int, closing byte) (end int, done, ok bool) {
	pos = skipSpace(data, pos)
	if pos >= len(data) {
		return pos, false, false
	}
	switch data[pos] {
	case closing:
		return pos + 1, true, true
	case ',':
		return skipSpace(data, pos+1), false, true
	}
	return pos, false, false
}

// digits returns the position after the ASCII digits at pos.
func digits(data []byte, pos int) int {
	for pos+8 <= len(data) {
		if m := nonDigits(binary.LittleEndian.Uint64(data[pos:])); m != 0 {
			return pos + bits.TrailingZeros64(m)>>3
		}
		pos += 8
	}
	for pos < len(data) && data[pos]-'0' <= 9 {
		pos++
	}
	return pos
}

// nonDigits sets the high bit of each byte of w that is not an ASCII digit.
// Each byte's test is exact: the sums stay below 0x100, so no carry crosses
// into the next byte.
func nonDigits(w uint64) uint64 {
	low := w &^ msbs
	return (^inRange(low, '0', '9') | w) & msbs
}

// inRange sets the high bit of each byte of low (every byte below 0x80) that
// lies in [lo, hi].
func inRange(low uint64, lo, hi byte) uint64 {
	return (low + lsbs*uint64(0x80-lo)) &^ (low + lsbs*uint64(0x7f-hi)) & msbs
}

func (c *jsonChecker) array(n *schemaNode, pos int) (int, bool) {
	if n != nil && (n.hasEnum || n.types&kindArray == 0) {
		return pos, false
	}
	if c.depth++; c.depth > maxDepth {
		return pos, false
	}
	pos, ok := c.arrayItems(n, pos)
	c.depth--
	return pos, ok
}

func (c *jsonChecker) arrayItems(n *schemaNode, pos int) (int, bool) {
	var item *schemaNode
	if n != nil {
		item = n.items
	}
	data := c.data
	pos = skipSpace(data, pos+1) // after '['
	count := int64(0)
	if pos < len(data) && data[pos] == ']' {
		pos++
	} else {
		for {
			var ok, done bool
			if pos, ok = c.value(item, pos); !ok {
				return pos, false
			}
			count++
			if pos, done, ok = separator(data, pos, ']'); !ok {
				return pos, false
			} else if done {
				break
			}
		}
	}
	return pos, n == nil || (count >= n.minItems && (n.maxItems < 0 || count <= n.maxItems))
}

func (c *jsonChecker) object(n *schemaNode, pos int) (int, bool) {
	if n != nil && (n.hasEnum || n.types&kindObject == 0) {
		return pos, false
	}
	if c.depth++; c.depth > maxDepth {
		return pos, false
	}
	extraBase := len(c.extra)
	pos, ok := c.members(n, pos, extraBase)
	c.extra = c.extra[:extraBase]
	c.depth--
	return pos, ok
}

// members checks an object's members; the undeclared keys seen so far are
// c.extra[extraBase:].
func (c *jsonChecker) members(n *schemaNode, pos, extraBase int) (int, bool) {
	data := c.data
	var seen uint64
	next := 0                    // the field expected next
	pos = skipSpace(data, pos+1) // after '{'
	if pos < len(data) && data[pos] == '}' {
		return pos + 1, n == nil || n.required == 0
	}
	for {
		if pos >= len(data) || data[pos] != '"' {
			return pos, false
		}
		// Duplicate keys are refused: encoding/json keeps the last value
		// (jsonv2 rejects the document), so which one counts differs.
		var key []byte
		i, declared := -1, false
		if n != nil && next < len(n.tokens) && n.tokens[next].at(data, pos) {
			// The expected field, written as encoders write it: `"name":`.
			// Its key is not needed: only undeclared keys are kept.
			pos += len(n.tokens[next].text)
			i, declared = next, true
		} else {
			keyStart := pos + 1
			var ok bool
			key, pos, _, ok = c.str(pos)
			// An escaped key would need decoding to be compared; none is
			// expected, so it goes to kin-openapi.
			if !ok || pos-1-keyStart != len(key) {
				return pos, false
			}
			if pos = skipSpace(data, pos); pos >= len(data) || data[pos] != ':' {
				return pos, false
			}
			pos++
			if n != nil {
				i, declared = n.fields[string(key)]
			}
		}
		pos = skipSpace(data, pos)
		var child *schemaNode
		switch {
		case declared:
			if seen&(1<<uint(i)) != 0 {
				return pos, false
			}
			seen |= 1 << uint(i)
			next = i + 1
			if child = n.props[i]; child == nil {
				// Required without a property schema: VisitJSON checks it
				// as an additional property.
				if n.denyExtra {
					return pos, false
				}
				child = n.extra
			}
		default:
			for _, k := range c.extra[extraBase:] {
				if bytes.Equal(k, key) {
					return pos, false
				}
			}
			c.extra = append(c.extra, key)
			if n != nil {
				if n.denyExtra {
					return pos, false
				}
				child = n.extra
			}
		}
		var ok, done bool
		if pos < len(data) && data[pos] == '"' && child != nil {
			// Most members are strings: value's dispatch skipped.
			var s []byte
			var ascii bool
			s, pos, ascii, ok = c.str(pos)
			ok = ok && (child.anyString || child.checkString(s, ascii))
		} else {
			pos, ok = c.value(child, pos)
		}
		if !ok {
			return pos, false
		}
		if pos, done, ok = separator(data, pos, '}'); !ok {
			return pos, false
		} else if done {
			break
		}
	}
	return pos, n == nil || seen&n.required == n.required
}
