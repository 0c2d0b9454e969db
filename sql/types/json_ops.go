package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// The json and jsonb operators and conversions: field and element access
// (-> and ->>), jsonb containment and key tests, and to_json. jsonb values
// are parsed from their normalised text; json values are read as written,
// and what -> returns of them is the verbatim text of the sub-value, as in
// PostgreSQL.

// JSONField is j -> key: the value of the object member key; ok is false
// (NULL) when j is not an object or has no such member. Of duplicate json
// keys the last wins, as json_object_field finds it.
func JSONField(j JSON, jsonb bool, key string) (JSON, bool) {
	if jsonb {
		v := mustParseJSONB(j)
		if v.kind != jsonObject {
			return "", false
		}
		for i, k := range v.keys {
			if k == key {
				return JSON(appendJSONValue(nil, &v.elem[i])), true
			}
		}
		return "", false
	}
	s := string(j)
	i := skipJSONSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return "", false
	}
	var found JSON
	ok := false
	forEachJSONMember(s, i, func(k string, start, end int) {
		if k == key {
			found, ok = JSON(s[start:end]), true
		}
	})
	return found, ok
}

// JSONElement is j -> i: the array element i (from 0; negative counts
// from the end); ok is false when j is not an array or i is outside it.
func JSONElement(j JSON, jsonb bool, i int64) (JSON, bool) {
	if jsonb {
		v := mustParseJSONB(j)
		if v.kind != jsonArray {
			return "", false
		}
		if i < 0 {
			i += int64(len(v.elem))
		}
		if i < 0 || i >= int64(len(v.elem)) {
			return "", false
		}
		return JSON(appendJSONValue(nil, &v.elem[i])), true
	}
	s := string(j)
	start := skipJSONSpace(s, 0)
	if start >= len(s) || s[start] != '[' {
		return "", false
	}
	var spans [][2]int
	forEachJSONElement(s, start, func(a, b int) { spans = append(spans, [2]int{a, b}) })
	if i < 0 {
		i += int64(len(spans))
	}
	if i < 0 || i >= int64(len(spans)) {
		return "", false
	}
	return JSON(s[spans[i][0]:spans[i][1]]), true
}

// JSONAsText is the conversion ->> applies to a value: a string's
// contents, NULL (ok false) for null, the text of anything else.
func JSONAsText(j JSON) (string, bool) {
	s := strings.TrimSpace(string(j))
	switch {
	case s == "null":
		return "", false
	case strings.HasPrefix(s, `"`):
		p := &jsonParser{s: s, jsonb: true} // jsonb decodes \u escapes
		v, err := p.stringToken()
		if err != nil {
			return s, true
		}
		return v, true
	}
	return s, true
}

// JSONTypeof is json_typeof: object, array, string, number, boolean or
// null.
func JSONTypeof(j JSON) string {
	s := strings.TrimSpace(string(j))
	if s == "" {
		return "null"
	}
	switch s[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// JSONArrayLength is json_array_length; ok is false when j is not an
// array.
func JSONArrayLength(j JSON) (int, bool) {
	s := string(j)
	start := skipJSONSpace(s, 0)
	if start >= len(s) || s[start] != '[' {
		return 0, false
	}
	n := 0
	forEachJSONElement(s, start, func(int, int) { n++ })
	return n, true
}

// JSONBHasKey is jsonb ? key: an object member, or a string element of an
// array (or the string itself), called key.
func JSONBHasKey(j JSON, key string) bool {
	v := mustParseJSONB(j)
	switch v.kind {
	case jsonObject:
		for _, k := range v.keys {
			if k == key {
				return true
			}
		}
	case jsonArray:
		for i := range v.elem {
			if v.elem[i].kind == jsonString && v.elem[i].str == key {
				return true
			}
		}
	case jsonString:
		return v.str == key
	}
	return false
}

// JSONBContains is a @> b, JsonbDeepContains: every member of an object
// in b is in a with a contained value, every element of an array in b is
// contained in some element of a, scalars are equal; a top-level array
// contains a scalar that is one of its elements.
func JSONBContains(a, b JSON) bool {
	va, vb := mustParseJSONB(a), mustParseJSONB(b)
	if va.kind == jsonArray && isJSONScalar(vb.kind) {
		for i := range va.elem {
			if jsonScalarEqual(&va.elem[i], &vb) {
				return true
			}
		}
		return false
	}
	return jsonContains(&va, &vb)
}

func isJSONScalar(k jsonKind) bool { return k != jsonArray && k != jsonObject }

func jsonScalarEqual(a, b *jsonValue) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case jsonString:
		return a.str == b.str
	case jsonNumber:
		if a.num != nil && b.num != nil {
			return a.num.Cmp(b.num) == 0
		}
		return a.str == b.str
	case jsonBool:
		return a.b == b.b
	}
	return true
}

func jsonContains(a, b *jsonValue) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case jsonObject:
		for i, k := range b.keys {
			found := false
			for j, ak := range a.keys {
				if ak == k {
					found = true
					if !jsonContains(&a.elem[j], &b.elem[i]) {
						return false
					}
				}
			}
			if !found {
				return false
			}
		}
		return true
	case jsonArray:
		for i := range b.elem {
			be := &b.elem[i]
			found := false
			for j := range a.elem {
				ae := &a.elem[j]
				if isJSONScalar(be.kind) {
					found = jsonScalarEqual(ae, be)
				} else {
					found = ae.kind == be.kind && jsonContains(ae, be)
				}
				if found {
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return jsonScalarEqual(a, b)
}

// JSONB normalises json text as jsonb_in does.
func JSONB(s string) (JSON, error) {
	d, err := parseJSONB(s)
	if err != nil {
		return "", err
	}
	return d.(JSON), nil
}

// AppendJSONString writes s as a JSON string (escape_json).
func AppendJSONString(buf []byte, s string) []byte { return appendJSONString(buf, s) }

// AppendToJSON writes to_json(d) for a non-NULL d of type t, as
// datum_to_json does: numbers as numbers (non-finite ones quoted), booleans,
// json and jsonb as they are, arrays as JSON arrays, dates and timestamps
// in ISO 8601 with a T, and everything else as the JSON string of its
// text.
func AppendToJSON(buf []byte, t T, d Datum, f *FormatOptions) []byte {
	switch v := d.(type) {
	case bool:
		if v {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case int64:
		if t.OID == Int2OID || t.OID == Int4OID || t.OID == Int8OID || t.OID == OidOID {
			return AppendText(buf, t, d, f)
		}
	case float64:
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			return AppendText(buf, t, d, f)
		}
	case *apd.Decimal:
		if v.Form == apd.Finite {
			return AppendText(buf, t, d, f)
		}
	case JSON:
		return append(buf, v...)
	case *Array:
		if t.OID != Int2VectorOID && t.OID != OidVectorOID {
			buf = append(buf, '[')
			for i, e := range v.Elems {
				if i > 0 {
					buf = append(buf, ',')
				}
				if e == nil {
					buf = append(buf, "null"...)
					continue
				}
				buf = AppendToJSON(buf, v.Elem, e, f)
			}
			return append(buf, ']')
		}
	case time.Time:
		return appendJSONTime(buf, t.OID, v, f)
	}
	return appendJSONString(buf, string(AppendText(nil, t, d, f)))
}

// appendJSONTime writes a date or timestamp as JsonEncodeDateTime does:
// "2020-01-02", "2020-01-02T03:04:05", "2020-01-02T03:04:05+00:00".
func appendJSONTime(buf []byte, oid OID, t time.Time, f *FormatOptions) []byte {
	if IsInfinity(t) || IsNegInfinity(t) {
		return appendJSONString(buf, string(appendTime(nil, oid, t, f)))
	}
	if oid == TimestampTZOID {
		t = t.In(sessionLocation(f))
	}
	text := string(appendTime(nil, DateOID, t, f))
	if oid != DateOID {
		clock := strings.TrimPrefix(string(appendClock(nil, t)), " ")
		text += "T" + clock
	}
	if oid == TimestampTZOID {
		_, off := t.Zone()
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		text += string(sign) + pad2(off/3600) + ":" + pad2(off/60%60)
		if off%60 != 0 {
			text += ":" + pad2(off%60)
		}
	}
	return append(append(append(buf, '"'), text...), '"')
}

func pad2(v int) string {
	if v < 10 {
		return "0" + strconv.Itoa(v)
	}
	return strconv.Itoa(v)
}

// A scanner over valid json text, for the verbatim sub-values -> returns.

func skipJSONSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// jsonValueEnd returns the end of the value starting at s[i].
func jsonValueEnd(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		return jsonStringEnd(s, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				j = jsonStringEnd(s, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(s)
	}
	j := i
	for j < len(s) && !strings.ContainsRune(",}] \t\n\r", rune(s[j])) {
		j++
	}
	return j
}

// jsonStringEnd returns the end of the string literal starting at s[i].
func jsonStringEnd(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(s)
}

// forEachJSONMember calls fn with each member's decoded key and the span
// of its value, for the object starting at s[i].
func forEachJSONMember(s string, i int, fn func(key string, start, end int)) {
	i++
	for {
		i = skipJSONSpace(s, i)
		if i >= len(s) || s[i] == '}' {
			return
		}
		kend := jsonStringEnd(s, i)
		p := &jsonParser{s: s[i:kend], jsonb: true}
		key, _ := p.stringToken()
		i = skipJSONSpace(s, kend)
		i = skipJSONSpace(s, i+1) // the colon
		end := jsonValueEnd(s, i)
		fn(key, i, end)
		i = skipJSONSpace(s, end)
		if i < len(s) && s[i] == ',' {
			i++
		}
	}
}

// forEachJSONElement calls fn with the span of each element of the array
// starting at s[i].
func forEachJSONElement(s string, i int, fn func(start, end int)) {
	i++
	for {
		i = skipJSONSpace(s, i)
		if i >= len(s) || s[i] == ']' {
			return
		}
		end := jsonValueEnd(s, i)
		fn(i, end)
		i = skipJSONSpace(s, end)
		if i < len(s) && s[i] == ',' {
			i++
		}
	}
}
