package types

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// jsonKind orders JSON value kinds as PostgreSQL's JsonbValue types do
// (jbvNull < jbvString < jbvNumeric < jbvBool < jbvArray < jbvObject),
// which is the order jsonb values of different kinds sort in.
type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonString
	jsonNumber
	jsonBool
	jsonArray
	jsonObject
)

// jsonValue is a parsed JSON document.
type jsonValue struct {
	kind jsonKind
	str  string // string value; number text for json
	num  *apd.Decimal
	b    bool
	elem []jsonValue // array elements, or object values
	keys []string    // object keys, parallel to elem
}

// maxJSONDepth bounds nesting, standing in for PostgreSQL's stack depth
// check.
const maxJSONDepth = 6400

// jsonParser is a recursive-descent parser following PostgreSQL's json
// lexer and its error messages.
type jsonParser struct {
	s     string
	pos   int
	jsonb bool // build numbers as numeric and reject \u0000
	depth int
}

func errJSON(detail string, args ...any) error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type json").WithDetail(detail, args...)
}

// parseJSON is json_in: s is validated and kept verbatim.
func parseJSON(s string) (Datum, error) {
	if err := checkText(s); err != nil {
		return nil, err
	}
	p := &jsonParser{s: s}
	if _, err := p.document(); err != nil {
		return nil, err
	}
	return JSON(s), nil
}

// parseJSONB is jsonb_in: s is parsed and stored in normalised form (see
// JSON).
func parseJSONB(s string) (Datum, error) {
	v, err := parseJSONValue(s, true)
	if err != nil {
		return nil, err
	}
	return JSON(appendJSONB(nil, v)), nil
}

func parseJSONValue(s string, jsonb bool) (jsonValue, error) {
	if err := checkText(s); err != nil {
		return jsonValue{}, err
	}
	p := &jsonParser{s: s, jsonb: jsonb}
	return p.document()
}

func (p *jsonParser) document() (jsonValue, error) {
	v, err := p.value("Expected JSON value")
	if err != nil {
		return v, err
	}
	p.skipSpace()
	if p.pos < len(p.s) {
		tok, err := p.token()
		if err != nil {
			return v, err
		}
		return v, errJSON("Expected end of input, but found \"%s\".", tok)
	}
	return v, nil
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func isJSONAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c == '_' || c >= 0x80
}

// token scans the next token without interpreting it, for error messages;
// malformed tokens are reported as PostgreSQL's lexer reports them.
func (p *jsonParser) token() (string, error) {
	start := p.pos
	c := p.s[p.pos]
	switch {
	case strings.IndexByte("{}[],:", c) >= 0:
		p.pos++
	case c == '"':
		if _, err := p.stringToken(); err != nil {
			return "", err
		}
	case c == '-' || isDigit(c):
		if _, err := p.numberToken(); err != nil {
			return "", err
		}
	default:
		if _, err := p.wordToken(); err != nil {
			return "", err
		}
	}
	return p.s[start:p.pos], nil
}

// value parses one JSON value; expected is the DETAIL prefix used when
// something else is found.
func (p *jsonParser) value(expected string) (jsonValue, error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return jsonValue{}, errJSON("The input string ended unexpectedly.")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.stringToken()
		return jsonValue{kind: jsonString, str: s}, err
	case c == '-' || isDigit(c):
		return p.number()
	case c == '}' || c == ']' || c == ',' || c == ':':
		p.pos++
		return jsonValue{}, errJSON("%s, but found \"%c\".", expected, c)
	}
	return p.wordToken()
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxJSONDepth {
		return pgerr.New(pgerr.StatementTooComplex, "stack depth limit exceeded")
	}
	return nil
}

func (p *jsonParser) object() (jsonValue, error) {
	if err := p.enter(); err != nil {
		return jsonValue{}, err
	}
	defer func() { p.depth-- }()
	p.pos++
	v := jsonValue{kind: jsonObject}
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	expected := "Expected string or \"}\""
	for {
		key, err := p.key(expected)
		if err != nil {
			return v, err
		}
		if err := p.punct(':', "Expected \":\""); err != nil {
			return v, err
		}
		val, err := p.value("Expected JSON value")
		if err != nil {
			return v, err
		}
		v.keys = append(v.keys, key)
		v.elem = append(v.elem, val)
		done, err := p.separator('}', "Expected \",\" or \"}\"")
		if err != nil || done {
			return v, err
		}
		expected = "Expected string"
	}
}

func (p *jsonParser) key(expected string) (string, error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return "", errJSON("The input string ended unexpectedly.")
	}
	if p.s[p.pos] == '"' {
		return p.stringToken()
	}
	tok, err := p.token()
	if err != nil {
		return "", err
	}
	return "", errJSON("%s, but found \"%s\".", expected, tok)
}

// punct consumes the punctuation c or fails with expected.
func (p *jsonParser) punct(c byte, expected string) error {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return errJSON("The input string ended unexpectedly.")
	}
	if p.s[p.pos] == c {
		p.pos++
		return nil
	}
	tok, err := p.token()
	if err != nil {
		return err
	}
	return errJSON("%s, but found \"%s\".", expected, tok)
}

// separator consumes ',' (done=false) or the closing bracket (done=true).
func (p *jsonParser) separator(closing byte, expected string) (bool, error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return false, errJSON("The input string ended unexpectedly.")
	}
	switch p.s[p.pos] {
	case ',':
		p.pos++
		return false, nil
	case closing:
		p.pos++
		return true, nil
	}
	tok, err := p.token()
	if err != nil {
		return false, err
	}
	return false, errJSON("%s, but found \"%s\".", expected, tok)
}

func (p *jsonParser) array() (jsonValue, error) {
	if err := p.enter(); err != nil {
		return jsonValue{}, err
	}
	defer func() { p.depth-- }()
	p.pos++
	v := jsonValue{kind: jsonArray}
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		e, err := p.value("Expected JSON value")
		if err != nil {
			return v, err
		}
		v.elem = append(v.elem, e)
		done, err := p.separator(']', "Expected \",\" or \"]\"")
		if err != nil || done {
			return v, err
		}
	}
}

// wordToken scans true, false, null or an invalid token.
func (p *jsonParser) wordToken() (jsonValue, error) {
	start := p.pos
	for p.pos < len(p.s) && isJSONAlnum(p.s[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		p.pos++
		return jsonValue{}, errJSON("Token \"%s\" is invalid.", p.s[start:p.pos])
	}
	switch p.s[start:p.pos] {
	case "true":
		return jsonValue{kind: jsonBool, b: true}, nil
	case "false":
		return jsonValue{kind: jsonBool}, nil
	case "null":
		return jsonValue{kind: jsonNull}, nil
	}
	return jsonValue{}, errJSON("Token \"%s\" is invalid.", p.s[start:p.pos])
}

func (p *jsonParser) number() (jsonValue, error) {
	text, err := p.numberToken()
	if err != nil {
		return jsonValue{}, err
	}
	v := jsonValue{kind: jsonNumber, str: text}
	if p.jsonb {
		n, err := parseNumeric(text)
		if err != nil {
			return v, err
		}
		v.num = n
	}
	return v, nil
}

// numberToken scans -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; if
// letters or digits follow, the whole run is an invalid token.
func (p *jsonParser) numberToken() (string, error) {
	s, start := p.s, p.pos
	i := start
	ok := true
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && isDigit(s[i]):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		ok = false
	}
	if ok && i < len(s) && s[i] == '.' {
		i++
		ok = i < len(s) && isDigit(s[i])
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if ok && i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		ok = i < len(s) && isDigit(s[i])
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if !ok || (i < len(s) && isJSONAlnum(s[i])) {
		for i < len(s) && isJSONAlnum(s[i]) {
			i++
		}
		p.pos = i
		return "", errJSON("Token \"%s\" is invalid.", s[start:i])
	}
	p.pos = i
	return s[start:i], nil
}

// stringToken scans a string literal and returns its decoded value.
func (p *jsonParser) stringToken() (string, error) {
	s, start := p.s, p.pos
	i := start + 1
	var out []byte
	highSurrogate := rune(-1)
	for {
		if i >= len(s) {
			p.pos = len(s)
			return "", errJSON("Token \"%s\" is invalid.", s[start:])
		}
		c := s[i]
		switch {
		case c == '"':
			if highSurrogate >= 0 {
				return "", errJSON("Unicode low surrogate must follow a high surrogate.")
			}
			p.pos = i + 1
			return string(out), nil
		case c < 0x20:
			return "", errJSON("Character with value 0x%02x must be escaped.", c)
		case c != '\\':
			if highSurrogate >= 0 {
				return "", errJSON("Unicode low surrogate must follow a high surrogate.")
			}
			out = append(out, c)
			i++
			continue
		}
		i++
		if i >= len(s) {
			p.pos = len(s)
			return "", errJSON("Token \"%s\" is invalid.", s[start:])
		}
		esc := s[i]
		if esc == 'u' {
			r, err := p.unicodeEscape(s, i+1, &highSurrogate)
			if err != nil {
				return "", err
			}
			if r >= 0 {
				out = utf8.AppendRune(out, r)
			}
			i += 5
			continue
		}
		if highSurrogate >= 0 {
			return "", errJSON("Unicode low surrogate must follow a high surrogate.")
		}
		switch esc {
		case '"', '\\', '/':
			out = append(out, esc)
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
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			return "", errJSON("Escape sequence \"\\%s\" is invalid.", s[i:i+n])
		}
		i++
	}
}

// unicodeEscape decodes the four hex digits at s[i:], pairing surrogates;
// it returns -1 while waiting for the low half of a pair, and when
// parsing json, whose value is not needed.
func (p *jsonParser) unicodeEscape(s string, i int, high *rune) (rune, error) {
	if i+4 > len(s) || !isHexDigit(s[i]) || !isHexDigit(s[i+1]) || !isHexDigit(s[i+2]) || !isHexDigit(s[i+3]) {
		return 0, errJSON("\"\\u\" must be followed by four hexadecimal digits.")
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		r = r<<4 | rune(hexValue(c))
	}
	if !p.jsonb {
		// json only validates; like PostgreSQL it does not pair
		// surrogates in text it keeps verbatim.
		return -1, nil
	}
	switch {
	case utf16.IsSurrogate(r) && r < 0xDC00:
		if *high >= 0 {
			return 0, errJSON("Unicode high surrogate must not follow a high surrogate.")
		}
		*high = r
		return -1, nil
	case utf16.IsSurrogate(r):
		if *high < 0 {
			return 0, errJSON("Unicode low surrogate must follow a high surrogate.")
		}
		r = utf16.DecodeRune(*high, r)
		*high = -1
		return r, nil
	}
	if *high >= 0 {
		return 0, errJSON("Unicode low surrogate must follow a high surrogate.")
	}
	if r == 0 && p.jsonb {
		return 0, pgerr.New(pgerr.UntranslatableCharacter, "unsupported Unicode escape sequence").
			WithDetail("\\u0000 cannot be converted to text.")
	}
	return r, nil
}

// normalizeJSONB sorts object keys by length and then bytewise, keeping
// the last of duplicate keys, as jsonb stores objects.
func normalizeJSONB(v *jsonValue) {
	for i := range v.elem {
		normalizeJSONB(&v.elem[i])
	}
	if v.kind != jsonObject || len(v.keys) == 0 {
		return
	}
	idx := make([]int, len(v.keys))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return compareJSONBKeys(v.keys[a], v.keys[b]) })
	keys := make([]string, 0, len(idx))
	elem := make([]jsonValue, 0, len(idx))
	for n, i := range idx {
		if n+1 < len(idx) && v.keys[idx[n+1]] == v.keys[i] {
			continue // a later duplicate wins
		}
		keys = append(keys, v.keys[i])
		elem = append(elem, v.elem[i])
	}
	v.keys, v.elem = keys, elem
}

// compareJSONBKeys is lengthCompareJsonbStringValue.
func compareJSONBKeys(a, b string) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// appendJSONB writes v as jsonb_out does: ", " and ": " separators,
// numbers as numeric_out prints them, strings escaped as escape_json.
func appendJSONB(buf []byte, v jsonValue) []byte {
	normalizeJSONB(&v)
	return appendJSONValue(buf, &v)
}

func appendJSONValue(buf []byte, v *jsonValue) []byte {
	switch v.kind {
	case jsonNull:
		return append(buf, "null"...)
	case jsonBool:
		if v.b {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case jsonNumber:
		if v.num != nil {
			return appendNumeric(buf, v.num)
		}
		return append(buf, v.str...)
	case jsonString:
		return appendJSONString(buf, v.str)
	case jsonArray:
		buf = append(buf, '[')
		for i := range v.elem {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendJSONValue(buf, &v.elem[i])
		}
		return append(buf, ']')
	}
	buf = append(buf, '{')
	for i := range v.elem {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		buf = appendJSONString(buf, v.keys[i])
		buf = append(buf, ": "...)
		buf = appendJSONValue(buf, &v.elem[i])
	}
	return append(buf, '}')
}

// appendJSONString is PostgreSQL's escape_json.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\b':
			buf = append(buf, '\\', 'b')
		case '\f':
			buf = append(buf, '\\', 'f')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		case '"':
			buf = append(buf, '\\', '"')
		case '\\':
			buf = append(buf, '\\', '\\')
		default:
			if c < 0x20 {
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				buf = append(buf, c)
			}
		}
	}
	return append(buf, '"')
}

// mustParseJSONB parses stored jsonb text, which is valid by construction.
func mustParseJSONB(j JSON) jsonValue {
	v, err := parseJSONValue(string(j), true)
	if err != nil {
		return jsonValue{kind: jsonString, str: string(j)}
	}
	return v
}

// jsonbToken is one step of PostgreSQL's JsonbIterator.
type jsonbToken struct {
	kind  uint8 // tokBegin, tokEnd, tokKey, tokScalar
	value *jsonValue
	key   string
	raw   bool // a top-level scalar, seen as a one-element pseudo array
}

const (
	tokBegin uint8 = iota
	tokEnd
	tokKey
	tokScalar
)

// jsonbTokens flattens v into the token sequence the jsonb iterator
// yields: containers open with their size, object pairs yield key then
// value, a top-level scalar is wrapped in a raw-scalar pseudo array.
func jsonbTokens(v *jsonValue) []jsonbToken {
	if v.kind != jsonArray && v.kind != jsonObject {
		pseudo := &jsonValue{kind: jsonArray, elem: []jsonValue{*v}}
		return []jsonbToken{{kind: tokBegin, value: pseudo, raw: true}, {kind: tokScalar, value: v}, {kind: tokEnd}}
	}
	var out []jsonbToken
	var walk func(v *jsonValue)
	walk = func(v *jsonValue) {
		if v.kind != jsonArray && v.kind != jsonObject {
			out = append(out, jsonbToken{kind: tokScalar, value: v})
			return
		}
		out = append(out, jsonbToken{kind: tokBegin, value: v})
		for i := range v.elem {
			if v.kind == jsonObject {
				out = append(out, jsonbToken{kind: tokKey, key: v.keys[i]})
			}
			walk(&v.elem[i])
		}
		out = append(out, jsonbToken{kind: tokEnd})
	}
	walk(v)
	return out
}

func (t *jsonbToken) valueKind() jsonKind {
	if t.kind == tokKey {
		return jsonString
	}
	return t.value.kind
}

// compareJSONB is compareJsonbContainers: values of different kinds order
// null < string < number < boolean < array < object; arrays by element
// count, then elements; objects by pair count, then key and value pairs in
// stored order (keys by length, then bytes); strings bytewise (C
// collation); numbers by value. A top-level scalar sorts before an array
// of one element but after an empty array, as in PostgreSQL.
func compareJSONB(a, b JSON) int {
	if a == b {
		return 0
	}
	va, vb := mustParseJSONB(a), mustParseJSONB(b)
	ta, tb := jsonbTokens(&va), jsonbTokens(&vb)
	for i := 0; i < len(ta) && i < len(tb); i++ {
		x, y := &ta[i], &tb[i]
		if x.kind == tokEnd && y.kind == tokEnd {
			continue
		}
		if x.kind == tokEnd || y.kind == tokEnd {
			// Cannot happen for containers of equal sizes; keep an order.
			return cmp.Compare(y.kind, x.kind)
		}
		if c := compareJSONBTokens(x, y); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(ta), len(tb))
}

func compareJSONBTokens(x, y *jsonbToken) int {
	kx, ky := x.valueKind(), y.valueKind()
	if kx != ky {
		return cmp.Compare(kx, ky)
	}
	if x.kind == tokKey || y.kind == tokKey {
		return strings.Compare(tokenString(x), tokenString(y))
	}
	switch kx {
	case jsonArray:
		res := 0
		if x.raw != y.raw {
			res = 1
			if x.raw {
				res = -1
			}
		}
		if n, m := len(x.value.elem), len(y.value.elem); n != m {
			res = cmp.Compare(n, m)
		}
		return res
	case jsonObject:
		return cmp.Compare(len(x.value.elem), len(y.value.elem))
	}
	return compareJSONScalars(x.value, y.value)
}

func tokenString(t *jsonbToken) string {
	if t.kind == tokKey {
		return t.key
	}
	return t.value.str
}

func compareJSONScalars(a, b *jsonValue) int {
	switch a.kind {
	case jsonString:
		return strings.Compare(a.str, b.str)
	case jsonNumber:
		return NumericCmp(a.num, b.num)
	case jsonBool:
		return compareBool(a.b, b.b)
	}
	return 0
}

// hashJSONB hashes the token sequence with numbers in canonical form, so
// that 1.0 and 1 hash alike as they compare equal.
func hashJSONB(j JSON, h *maphash.Hash) {
	v := mustParseJSONB(j)
	hashJSONValue(&v, h)
}

func hashJSONValue(v *jsonValue, h *maphash.Hash) {
	h.WriteByte(byte(v.kind))
	switch v.kind {
	case jsonString:
		hashLenString(v.str, h)
	case jsonNumber:
		hashNumeric(v.num, h)
	case jsonBool:
		if v.b {
			h.WriteByte(1)
		} else {
			h.WriteByte(0)
		}
	case jsonArray, jsonObject:
		var buf [8]byte
		binary.LittleEndian.PutUint64(buf[:], uint64(len(v.elem)))
		h.Write(buf[:])
		for i := range v.elem {
			if v.kind == jsonObject {
				hashLenString(v.keys[i], h)
			}
			hashJSONValue(&v.elem[i], h)
		}
	}
}

func hashLenString(s string, h *maphash.Hash) {
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(len(s)))
	h.Write(buf[:])
	h.WriteString(s)
}

// jsonbTypeName is JsonbTypeName for scalars and containers.
func jsonbTypeName(k jsonKind) string {
	return [...]string{"null", "string", "numeric", "boolean", "array", "object"}[k]
}

// castJSON converts between json and jsonb and from jsonb to the scalar
// types (numbers and booleans), as jsonb_int4 and friends do.
func castJSON(v JSON, from, to T) (Datum, error) {
	switch {
	case from.OID == JSONOID && to.OID == JSONBOID:
		return parseJSONB(string(v))
	case from.OID == JSONBOID && to.OID == JSONOID:
		return v, nil
	case from.OID != JSONBOID:
		return nil, errCannotCast(from, to)
	}
	jv := mustParseJSONB(v)
	want := jsonNumber
	if to.OID == BoolOID {
		want = jsonBool
	}
	switch to.OID {
	case BoolOID, NumericOID, Int2OID, Int4OID, Int8OID, Float4OID, Float8OID:
	default:
		return nil, errCannotCast(from, to)
	}
	if jv.kind != want {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot cast jsonb %s to type %s", jsonbTypeName(jv.kind), to)
	}
	if want == jsonBool {
		return jv.b, nil
	}
	if to.OID == NumericOID {
		return jv.num, nil
	}
	return castNumeric(jv.num, TNumeric, to)
}

// recvJSONB is jsonb_recv: a version byte (1) and the text.
func recvJSONB(r *reader) (Datum, error) {
	b := r.take(len(r.b))
	if len(b) == 0 || b[0] != 1 {
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "unsupported jsonb version number %d", firstByte(b))
	}
	return parseJSONB(string(b[1:]))
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	return int(b[0])
}
