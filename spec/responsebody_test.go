package spec

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// respOutcome is what a caller of ValidateResponse can see.
type respOutcome struct {
	Valid                              bool
	Operation, Status, Pointer, Reason string
	StatusCode                         int
	Err                                string
}

func validateResponseWith(t testing.TB, v *Validator, method, target string, status int, header http.Header, body []byte) respOutcome {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	err := v.ValidateResponse(context.Background(), r, status, header, body)
	if err == nil {
		return respOutcome{Valid: true}
	}
	var re *ResponseError
	require.ErrorAs(t, err, &re)
	out := respOutcome{Operation: re.Operation, Status: re.Status, StatusCode: re.StatusCode, Pointer: re.Pointer, Reason: re.Reason}
	if re.Err != nil {
		out.Err = re.Err.Error()
	}
	return out
}

// respCase is one response to compare.
type respCase struct {
	method, target string
	status         int
	header         http.Header
	body           string
}

// sampleValue builds a value the schema accepts (the document's patterns
// have known samples).
func sampleValue(s *openapi3.Schema) any {
	switch {
	case len(s.Enum) > 0:
		return s.Enum[0]
	case len(s.AnyOf) > 0:
		return sampleValue(s.AnyOf[0].Value)
	}
	switch {
	case s.Type.Is(openapi3.TypeString):
		switch s.Pattern {
		case "^[a-z0-9]{26}$":
			return "abcdefghijklmnopqrstuvwxyz"
		case "^([a-z0-9]{26})?$":
			return "zyxwvutsrqponmlkjihgfedcba"
		case "^(https?://.+)?$":
			return "https://example.com/x"
		case "no-store":
			return "no-store"
		}
		return strings.Repeat("s", max(int(s.MinLength), 1))
	case s.Type.Is(openapi3.TypeInteger):
		switch {
		case s.Min != nil:
			return int64(*s.Min) + 1
		case s.Format == "int32":
			return 3600
		}
		return 1700000000000
	case s.Type.Is(openapi3.TypeNumber):
		return 1.5
	case s.Type.Is(openapi3.TypeBoolean):
		return true
	case s.Type.Is(openapi3.TypeArray):
		out := []any{}
		for range max(int(s.MinItems), 2) {
			out = append(out, sampleValue(s.Items.Value))
		}
		return out
	case s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0:
		out := map[string]any{}
		for name, p := range s.Properties {
			out[name] = sampleValue(p.Value)
		}
		return out
	}
	return "x"
}

// mutations returns copies of v with one value changed, removed or added,
// at every position, as JSON texts.
func mutations(v any) []string {
	var out []string
	replacements := []any{nil, true, float64(7), 1.5, -1, "x", "", strings.Repeat("long", 80), "ABC", []any{}, []any{"x"}, map[string]any{}, "OK", "ok", "http://a", "https://", "javascript:x",
		strings.Repeat("é", 64), strings.Repeat("é", 65), strings.Repeat("😀", 32), strings.Repeat("😀", 33), strings.Repeat("a", 128), strings.Repeat("a", 129), "https://é"}
	var walk func(path []any)
	walk = func(path []any) {
		node := getPath(v, path)
		for _, r := range replacements {
			out = append(out, marshal(setPath(v, path, r)))
		}
		switch n := node.(type) {
		case map[string]any:
			keys := slices.Sorted(mapsKeys(n))
			for _, k := range keys {
				out = append(out, marshal(setPath(v, path, without(n, k))))
				walk(append(slices.Clone(path), k))
			}
			out = append(out, marshal(setPath(v, path, withKey(n, "zz_extra", 1))))
		case []any:
			for i := range n {
				walk(append(slices.Clone(path), i))
			}
			out = append(out, marshal(setPath(v, path, n[:0])))
		}
	}
	walk(nil)
	return out
}

// rawMutations are textual changes JSON values cannot express: escapes,
// number spellings, duplicate keys, broken syntax.
func rawMutations(body string) []string {
	out := []string{"", " ", "null", "{}", "[]", "[{}]", `"s"`, "1", body + " ", " \n" + body + "\t", body + "x", body + body, body[:len(body)/2],
		strings.Replace(body, ",", ",,", 1), strings.Replace(body, ":", "::", 1), strings.Replace(body, `"`, `'`, 2),
		strings.ReplaceAll(body, `":`, `" :`), strings.ReplaceAll(body, `":`, `": `), strings.ReplaceAll(body, `,"`, `, "`), strings.ReplaceAll(body, `{"`, `{ "`)}
	if strings.HasPrefix(body, `{"`) {
		k := body[1 : strings.Index(body[1:], `"`)+2]
		out = append(out, `{`+k+`:null,`+body[1:], `{`+k+`:1,`+body[1:], `{"\u0061":1,`+body[1:], `{"zz":1,"zz":2,`+body[1:])
	}
	str := regexp.MustCompile(`:"([^"\\]*)"`)
	for _, repl := range []string{`:"\u0041$1"`, `:"$1\u00e9"`, `:"$1\ud83d\ude00"`, `:"$1\ud800"`, `:"$1\n"`, ":\"$1\xff\"", `:"$1\/\\"`, `:"\u0068ttps://x"`, `:"$1\q"`} {
		out = append(out, replaceFirst(str, body, repl))
	}
	num := regexp.MustCompile(`:(-?\d+)([,}\]])`)
	for _, repl := range []string{":1.0$2", ":1e3$2", ":01$2", ":-0$2", ":12345678901234567890$2", ":1e400$2", ":-$2", ":1.$2", ":2147483648$2", ":-1$2", ":0$2"} {
		out = append(out, replaceFirst(num, body, repl))
	}
	return out
}

func replaceFirst(re *regexp.Regexp, s, repl string) string {
	loc := re.FindStringSubmatchIndex(s)
	if loc == nil {
		return s
	}
	return s[:loc[0]] + string(re.ExpandString(nil, repl, s, loc)) + s[loc[1]:]
}

// TestResponseFastPathMatchesKin checks that the one-pass response check
// (responsebody.go, fastjson.go) gives exactly the answers of kin-openapi's
// openapi3filter.ValidateResponse (the Validator without response plans):
// the same verdict and the same Operation, Status, Pointer, Reason and Err,
// for valid responses of every operation and status and for mutated ones.
// It also checks that the one pass decides the valid JSON answers itself.
func TestResponseFastPathMatchesKin(t *testing.T) {
	fast, err := NewValidator()
	require.NoError(t, err)
	require.NotEmpty(t, fast.respPlans)
	kin, err := NewValidator()
	require.NoError(t, err)
	kin.respPlans = nil

	jsonCT := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	var cases []respCase
	decided := map[string]bool{}
	for path, item := range fast.doc.Paths.Map() {
		target := strings.NewReplacer("{app_id}", "abcdefghijklmnopqrstuvwxyz", "{user_id}", "zyxwvutsrqponmlkjihgfedcba").Replace(path)
		for method, op := range item.Operations() {
			for code, ref := range op.Responses.Map() {
				status := 500
				if code != "default" && !strings.HasSuffix(code, "XX") {
					_, err := fmt.Sscan(code, &status)
					require.NoError(t, err)
				}
				header := http.Header{}
				for name, h := range ref.Value.Headers {
					header.Set(name, fmt.Sprint(sampleValue(h.Value.Schema.Value)))
				}
				base := respCase{method: method, target: target, status: status, header: header}
				add := func(h http.Header, body string) {
					c := base
					c.header = h
					c.body = body
					cases = append(cases, c)
				}
				with := func(k string, v ...string) http.Header {
					h := header.Clone()
					if v == nil {
						h.Del(k)
					} else {
						h[http.CanonicalHeaderKey(k)] = v
					}
					return h
				}
				add(header, "")
				for name := range ref.Value.Headers {
					add(with(name), "")
					add(with(name, "private"), "")
					add(with(name, "12"), "")
					add(with(name, "no-store, no-cache"), "")
					add(with(name, []string{}...), "")
				}
				for mt, media := range ref.Value.Content {
					ct := with("Content-Type", mt)
					if mt == "*/*" {
						ct = with("Content-Type", "application/octet-stream")
					}
					if media.Schema == nil {
						add(ct, "anything")
						continue
					}
					body := marshal(sampleValue(media.Schema.Value))
					add(ct, body)
					if mt != "application/json" {
						add(ct, "")
						continue
					}
					for _, c := range []string{"application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", "APPLICATION/JSON", " application/json ",
						"application/json;", "application/json; x", "application/vnd.api+json", "application/problem+json", "text/plain", "text/html", "", "application", "*/*"} {
						add(with("Content-Type", c), body)
					}
					add(with("Content-Type"), body)
					var tree any
					require.NoError(t, json.Unmarshal([]byte(body), &tree))
					for _, m := range mutations(tree) {
						add(mergeHeader(header, jsonCT), m)
					}
					for _, m := range rawMutations(body) {
						add(mergeHeader(header, jsonCT), m)
					}
					r := httptest.NewRequest(method, target, nil)
					rt, _, err := fast.find(r)
					require.NoError(t, err)
					key := op.OperationID + " " + code
					decided[key] = fast.acceptsResponse(rt, method, status, mergeHeader(header, jsonCT), []byte(body))
				}
			}
			for _, status := range []int{0, 99, 299, 304, 307, 418, 600, 999} {
				cases = append(cases, respCase{method: method, target: target, status: status, header: jsonCT, body: `{}`})
			}
			cases = append(cases, respCase{method: http.MethodHead, target: target, status: 200, header: jsonCT, body: `{`})
		}
	}
	cases = append(cases, respCase{method: "GET", target: "/nowhere", status: 200, header: jsonCT, body: `{}`})
	// Bodies in the server's field order, which the one pass expects
	// (json.Marshal of a map sorts the keys).
	app := benchApp
	for _, body := range []string{app, strings.Replace(app, `"create_at":1700000000000,`, "", 1), strings.Replace(app, `"id"`, `"id","id"`, 1),
		strings.Replace(app, `"name":"App",`, `"name":"App","name":1,`, 1), strings.Replace(app, `"id":`, `"i\u0064":`, 1), strings.Replace(app, `"is_trusted":false`, `"is_trusted":"no"`, 1)} {
		for _, m := range append(rawMutations(body), body) {
			cases = append(cases, respCase{method: "GET", target: "/api/v4/oauth/apps/abcdefghijklmnopqrstuvwxyz", status: 200, header: jsonCT, body: m},
				respCase{method: "GET", target: "/api/v4/oauth/apps", status: 200, header: jsonCT, body: "[" + body + "," + m + "]"})
		}
	}

	valid := 0
	for _, c := range cases {
		want := validateResponseWith(t, kin, c.method, c.target, c.status, c.header, []byte(c.body))
		got := validateResponseWith(t, fast, c.method, c.target, c.status, c.header, []byte(c.body))
		if !assert.Equal(t, want, got, "%s %s %d %v %q", c.method, c.target, c.status, c.header, c.body) {
			continue
		}
		if want.Valid {
			valid++
		}
	}
	t.Logf("%d responses compared, %d valid", len(cases), valid)
	assert.Greater(t, valid, 100, "the corpus holds valid responses")
	assert.Greater(t, len(cases)-valid, 1000, "and invalid ones")
	// The one pass decides the answers the proxy sees most.
	for _, key := range []string{"GetOAuthApps 200", "GetOAuthApp 200", "CreateOAuthApp 201", "GetAuthorizationServerMetadata 200", "GetOAuthAccessToken 200", "GetOAuthApp 404", "DeleteOAuthApp 200", "RegisterOAuthClient 201"} {
		assert.True(t, decided[key], "%s is accepted in one pass", key)
	}
}

// TestFastPatternsMatchRegexp checks every hand-written pattern matcher
// against the regular expression it replaces.
func TestFastPatternsMatchRegexp(t *testing.T) {
	inputs := []string{"", "a", "A", "0", "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxy", "abcdefghijklmnopqrstuvwxyz0", "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		"abcdefghijklmnopqrstuvwxy-", "abcdefghijklmnopqrstuvwxy\n", "0123456789abcdefghijklmnop", "é", "aé", "abc123", "abc 123", "abc\n",
		"http://", "https://", "http://x", "https://x", "http://x\n", "https://\n", "http:/x", "ftp://x", " https://x", "HTTPS://x", "https://é", "httpss://x",
		"no-store", "private, no-store", "no-stor", "NO-STORE", "no-store\n", "xno-storex"}
	for pattern, m := range fastPatterns {
		re := regexp.MustCompile(pattern)
		for _, in := range inputs {
			assert.Equal(t, re.MatchString(in), m([]byte(in)), "%s on %q", pattern, in)
		}
	}
	for pattern, m := range fastRoutePatterns {
		re := regexp.MustCompile(pattern)
		for _, in := range inputs {
			assert.Equal(t, re.MatchString(in), m(in), "%s on %q", pattern, in)
		}
	}
}

// FuzzResponseFastPath compares the one pass with kin-openapi on arbitrary
// bodies for a list of apps, one app and an error.
func FuzzResponseFastPath(f *testing.F) {
	fast, err := NewValidator()
	require.NoError(f, err)
	kin, err := NewValidator()
	require.NoError(f, err)
	kin.respPlans = nil
	app := `{"id":"abcdefghijklmnopqrstuvwxyz","creator_id":"zyxwvutsrqponmlkjihgfedcba","create_at":1,"update_at":1,"client_secret":"s","name":"n","description":"","icon_url":"","callback_urls":["https://x/cb"],"homepage":"https://x","is_trusted":false,"mattermost_app_id":""}`
	for _, s := range []string{app, "[" + app + "]", `{"id":"x","message":"m","detailed_error":""}`, `[]`, `{"a":"\u00e9"}`} {
		f.Add(s, uint8(0))
	}
	targets := []struct {
		method, target string
		status         int
	}{{"GET", "/api/v4/oauth/apps", 200}, {"GET", "/api/v4/oauth/apps/abcdefghijklmnopqrstuvwxyz", 200}, {"GET", "/api/v4/oauth/apps", 403}}
	header := http.Header{"Content-Type": {"application/json"}}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		tg := targets[int(which)%len(targets)]
		want := validateResponseWith(t, kin, tg.method, tg.target, tg.status, header, []byte(body))
		got := validateResponseWith(t, fast, tg.method, tg.target, tg.status, header, []byte(body))
		if want != got {
			t.Fatalf("body %q: kin %+v, one pass %+v", body, want, got)
		}
	})
}

// BenchmarkValidateResponseOnePass and BenchmarkValidateResponseKin
// compare the one pass with kin-openapi on a list of 60 apps (GetOAuthApps'
// default page) and on one app.
func BenchmarkValidateResponseOnePass(b *testing.B) { benchmarkValidateResponse(b, false) }

// BenchmarkValidateResponseKin: see BenchmarkValidateResponseOnePass.
func BenchmarkValidateResponseKin(b *testing.B) { benchmarkValidateResponse(b, true) }

func benchmarkValidateResponse(b *testing.B, kinOnly bool) {
	v, err := NewValidator()
	require.NoError(b, err)
	if kinOnly {
		v.respPlans = nil
	}
	app := benchApp
	list := "[" + strings.TrimSuffix(strings.Repeat(app+",", 60), ",") + "]"
	header := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	for _, bc := range []struct{ name, target, body string }{
		{"GetOAuthApps60", "/api/v4/oauth/apps", list},
		{"GetOAuthApp", "/api/v4/oauth/apps/abcdefghijklmnopqrstuvwxyz", app},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", bc.target, nil)
			body := []byte(bc.body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := v.ValidateResponse(context.Background(), r, 200, header, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchApp is a GetOAuthApp answer in the server's field order
// (model.OAuthApp).
const benchApp = `{"id":"abcdefghijklmnopqrstuvwxyz","creator_id":"zyxwvutsrqponmlkjihgfedcba","create_at":1700000000000,"update_at":1700000000000,` +
	`"client_secret":"s3cr3tvalue0000000000000000","name":"App","description":"","icon_url":"","callback_urls":["https://example.com/cb"],` +
	`"homepage":"https://example.com","is_trusted":false,"mattermost_app_id":""}`

func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func mergeHeader(a, b http.Header) http.Header {
	out := a.Clone()
	for k, v := range b {
		out[k] = v
	}
	return out
}

func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func without(m map[string]any, k string) map[string]any {
	out := map[string]any{}
	for key, v := range m {
		if key != k {
			out[key] = v
		}
	}
	return out
}

func withKey(m map[string]any, k string, v any) map[string]any {
	out := without(m, k)
	out[k] = v
	return out
}

func getPath(v any, path []any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			v = v.(map[string]any)[p]
		case int:
			v = v.([]any)[p]
		}
	}
	return v
}

// setPath returns a copy of v with the value at path replaced.
func setPath(v any, path []any, value any) any {
	if len(path) == 0 {
		return value
	}
	switch p := path[0].(type) {
	case string:
		m := v.(map[string]any)
		return withKey(m, p, setPath(m[p], path[1:], value))
	default:
		a := slices.Clone(v.([]any))
		a[p.(int)] = setPath(a[p.(int)], path[1:], value)
		return a
	}
}
