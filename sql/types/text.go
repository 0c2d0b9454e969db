package types

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// FormatOptions are the session settings that change text output.
type FormatOptions struct {
	// ExtraFloatDigits is PostgreSQL's extra_float_digits; 1, the server
	// default, prints the shortest text that reads back exactly.
	ExtraFloatDigits int
	// Location is the session's TimeZone: timestamptz values are shown in
	// it, and read in it when their text has no zone (ParseTextWith,
	// CastWith). nil means UTC.
	Location *time.Location
	// Now is the time that 'now', 'today', 'tomorrow' and 'yesterday'
	// refer to, the transaction start in PostgreSQL; the zero value means
	// time.Now().
	Now time.Time
	// Namer names catalog objects for the reg* types (regclass prints a
	// relation's name); nil reads and prints them as numbers.
	Namer Namer
}

// DefaultFormat is the output setting of a new session.
var DefaultFormat = FormatOptions{ExtraFloatDigits: 1}

// ParseText is the input function of type t: it converts the text form s
// to a Datum, as a literal cast 's'::t does in PostgreSQL. The modifier of
// t is applied with explicit-cast semantics: 'abcd'::varchar(2) is 'ab',
// a numeric is rounded to its scale, a vector's dimensions are checked.
// Callers that need assignment semantics (INSERT or COPY into a
// varchar(2) column, where 'abcd' is an error) parse with the unmodified
// type and call CoerceTypmod with explicit=false. timestamptz text without
// a zone is read in UTC; ParseTextWith takes the session's TimeZone.
// Errors carry PostgreSQL's SQLSTATE and message.
func ParseText(t T, s string) (Datum, error) {
	d, err := parseBase(t, s)
	if err != nil {
		return nil, err
	}
	if t.Mod < 0 {
		return d, nil
	}
	return CoerceTypmod(d, t, true)
}

// parseBase parses s as type t without applying t's modifier, except where
// the input function itself uses it (vector dimensions).
func parseBase(t T, s string) (Datum, error) {
	switch t.OID {
	case BoolOID:
		return parseBool(s)
	case Int2OID, Int4OID, Int8OID:
		return parseInt(s, t.OID)
	case OidOID, RegprocOID, RegclassOID, RegtypeOID, RegprocedureOID, RegoperOID, RegoperatorOID,
		RegnamespaceOID, RegroleOID, RegcollationOID, XidOID, CidOID:
		return parseOid(s)
	case Int2VectorOID, OidVectorOID:
		return parseVectorOf(t, s)
	case PgNodeTreeOID, AclitemOID:
		return parseString(s)
	case Float4OID:
		return parseFloat(s, 32)
	case Float8OID:
		return parseFloat(s, 64)
	case NumericOID:
		return parseNumeric(s)
	case TextOID, VarcharOID, BpcharOID, UnknownOID:
		return parseString(s)
	case NameOID:
		return truncateName(s), nil
	case CharOID:
		return parseChar(s), nil
	case ByteaOID:
		return parseBytea(s)
	case DateOID:
		return parseDate(s)
	case TimestampOID:
		return parseTimestamp(s)
	case TimestampTZOID:
		return parseTimestampTZ(s)
	case JSONOID:
		return parseJSON(s)
	case JSONBOID:
		return parseJSONB(s)
	case VectorOID:
		return parseVector(s)
	case HalfvecOID:
		return parseHalfvec(s)
	case SparsevecOID:
		return parseSparsevec(s)
	case BitOID, VarbitOID:
		return parseBits(s)
	case IntervalOID:
		return parseIntervalDatum(s, t.Mod)
	}
	if elem, ok := ElemOf(t.OID); ok {
		return parseArray(T{OID: elem, Mod: t.Mod}, s)
	}
	return nil, errNoIO(t)
}

func errNoIO(t T) error {
	return pgerr.New(pgerr.FeatureNotSupported, "type %s is not supported", t)
}

// AppendText appends the output function's text of d, of type t, to buf.
// f nil means DefaultFormat. d must not be nil (NULL).
func AppendText(buf []byte, t T, d Datum, f *FormatOptions) []byte {
	if f == nil {
		f = &DefaultFormat
	}
	switch v := d.(type) {
	case bool:
		if v {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case int64:
		if IsRegType(t.OID) {
			return appendReg(buf, t, v, f)
		}
		if isUint32Type(t.OID) {
			return strconv.AppendUint(buf, uint64(uint32(v)), 10)
		}
		return strconv.AppendInt(buf, v, 10)
	case float64:
		bits := 64
		if t.OID == Float4OID {
			bits = 32
		}
		return appendFloat(buf, v, bits, f.ExtraFloatDigits)
	case *apd.Decimal:
		return appendNumeric(buf, v)
	case string:
		if t.OID == CharOID {
			return appendChar(buf, v)
		}
		return append(buf, v...)
	case []byte:
		return appendBytea(buf, v)
	case time.Time:
		return appendTime(buf, t.OID, v, f)
	case JSON:
		return append(buf, v...)
	case Vector:
		return appendVector(buf, v)
	case Halfvec:
		return appendHalfvec(buf, v)
	case Sparsevec:
		return appendSparsevec(buf, v)
	case Bits:
		return appendBits(buf, v)
	case Interval:
		return AppendInterval(buf, v)
	case *Array:
		if t.OID == Int2VectorOID || t.OID == OidVectorOID {
			return appendVectorOf(buf, v)
		}
		return appendArray(buf, v, f)
	}
	return buf
}

// FormatText is AppendText into a new string.
func FormatText(t T, d Datum, f *FormatOptions) string {
	return string(AppendText(nil, t, d, f))
}

func parseBool(s string) (Datum, error) {
	v := strings.ToLower(trimSpace(s))
	match := func(word string, minLen int) bool {
		return len(v) >= minLen && strings.HasPrefix(word, v)
	}
	switch {
	case match("true", 1), match("yes", 1), match("on", 2), v == "1":
		return true, nil
	case match("false", 1), match("no", 1), match("off", 2), v == "0":
		return false, nil
	}
	return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type boolean: \"%s\"", s)
}

// parseInt is int2in/int4in/int8in as of PostgreSQL 16: optional white
// space around an optionally signed decimal, 0x, 0o or 0b integer whose
// digits may be separated by single underscores.
func parseInt(s string, oid OID) (Datum, error) {
	name := intTypeName(oid)
	v, status := scanInt(s, intLimit(oid))
	switch status {
	case intOutOfRange:
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, name)
	case intInvalid:
		return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", name, s)
	}
	return v, nil
}

// intLimit is the largest magnitude of a positive value of the type.
func intLimit(oid OID) uint64 {
	switch oid {
	case Int2OID:
		return math.MaxInt16
	case Int4OID:
		return math.MaxInt32
	}
	return math.MaxInt64
}

type intStatus uint8

const (
	intOK intStatus = iota
	intInvalid
	intOutOfRange
)

// scanInt parses s as PostgreSQL 16's pg_strtoint does; the value must lie
// in [-maxPos-1, maxPos].
func scanInt(s string, maxPos uint64) (int64, intStatus) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	limit := maxPos
	if neg {
		limit++
	}
	base, digitOK := uint64(10), isDigit
	if i+1 < len(s) && s[i] == '0' {
		switch s[i+1] {
		case 'x', 'X':
			base, digitOK = 16, isHexDigit
		case 'o', 'O':
			base, digitOK = 8, func(c byte) bool { return '0' <= c && c <= '7' }
		case 'b', 'B':
			base, digitOK = 2, func(c byte) bool { return c == '0' || c == '1' }
		}
		if base != 10 {
			i += 2
		}
	}
	first := i
	var mag uint64
	for i < len(s) {
		c := s[i]
		if digitOK(c) {
			d := uint64(hexValue(c))
			if mag > (limit-d)/base {
				return 0, intOutOfRange
			}
			mag = mag*base + d
			i++
			continue
		}
		if c != '_' {
			break
		}
		if base == 10 && i == first {
			return 0, intInvalid
		}
		i++
		if i >= len(s) || !digitOK(s[i]) {
			return 0, intInvalid
		}
	}
	if i == first {
		return 0, intInvalid
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, intInvalid
	}
	if neg {
		return -int64(mag-1) - 1, intOK
	}
	return int64(mag), intOK
}

func hexValue(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// parseOid is oidin: C's strtoul in base 10 with surrounding white space;
// values in [-2147483648, -1] are accepted and wrap around as in C.
func parseOid(s string) (Datum, error) {
	invalid := pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type oid: \"%s\"", s)
	i := skipSpace(s, 0)
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var mag uint64
	overflow := false
	for i < len(s) && isDigit(s[i]) {
		d := uint64(s[i] - '0')
		if mag > (math.MaxUint64-d)/10 {
			overflow = true
		}
		mag = mag*10 + d
		i++
	}
	if i == start || skipSpace(s, i) != len(s) {
		return nil, invalid
	}
	limit := uint64(math.MaxUint32)
	if neg {
		limit = 1 << 31
	}
	if overflow || mag > limit {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value \"%s\" is out of range for type oid", s)
	}
	if neg {
		return int64(uint32(-int64(mag))), nil
	}
	return int64(mag), nil
}

// parseString accepts any valid UTF-8 without NUL bytes (the server
// encoding is UTF8).
func parseString(s string) (Datum, error) {
	if err := checkText(s); err != nil {
		return nil, err
	}
	return s, nil
}

func checkText(s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return pgerr.New(pgerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x00")
	}
	if !utf8.ValidString(s) {
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 {
				return pgerr.New(pgerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x%02x", s[i])
			}
			i += n
		}
	}
	return nil
}

// NameDataLen is PostgreSQL's NAMEDATALEN: names hold at most
// NameDataLen-1 bytes.
const NameDataLen = 64

// truncateName cuts s to NameDataLen-1 bytes at a character boundary, as
// namein does.
func truncateName(s string) string {
	if len(s) < NameDataLen {
		return s
	}
	n := NameDataLen - 1
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// parseChar is charin: the first byte of s, or the byte written as \ooo.
func parseChar(s string) string {
	if len(s) == 4 && s[0] == '\\' && isOctal(s[1]) && isOctal(s[2]) && isOctal(s[3]) {
		b := (s[1]-'0')<<6 | (s[2]-'0')<<3 | (s[3] - '0')
		if b == 0 {
			return ""
		}
		return string([]byte{b})
	}
	if s == "" {
		return ""
	}
	return s[:1]
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }

// appendChar is charout: a high-bit byte prints as \ooo.
func appendChar(buf []byte, s string) []byte {
	if s == "" {
		return buf
	}
	c := s[0]
	if c < 0x80 {
		return append(buf, c)
	}
	return append(buf, '\\', '0'+c>>6, '0'+(c>>3)&7, '0'+c&7)
}

// parseNumeric is numeric_in as of PostgreSQL 16.
func parseNumeric(s string) (*apd.Decimal, error) {
	d, ok := scanNumeric(trimSpace(s))
	if !ok {
		return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type numeric: \"%s\"", s)
	}
	if d.Form != apd.Finite {
		return d, nil
	}
	return normalize(d)
}

// scanNumeric parses a trimmed numeric literal: NaN, [+-]Infinity/inf, a
// decimal number with optional fraction and exponent, digits separated by
// single underscores, or a 0x/0o/0b integer.
func scanNumeric(s string) (*apd.Decimal, bool) {
	lower := strings.ToLower(s)
	if lower == "nan" {
		return numericNaN, true
	}
	body, neg := s, false
	if body != "" && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "infinity", "inf":
		if neg {
			return numericNegInf, true
		}
		return numericPosInf, true
	}
	if len(body) > 2 && body[0] == '0' && strings.ContainsRune("xXoObB", rune(body[1])) {
		d, ok := scanNonDecimal(body)
		if ok {
			d.Negative = neg && !d.IsZero()
		}
		return d, ok
	}
	digits, scale, ok := scanDecimalDigits(body)
	if !ok {
		return nil, false
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		digits = "0"
		scale = max(scale, 0)
	}
	d := &apd.Decimal{Negative: neg}
	switch {
	case scale > NumericMaxDscale:
		// Too many digits after the point to store: normalize fails
		// with "value overflows numeric format", as PostgreSQL does.
		d.Coeff.SetInt64(1)
		d.Exponent = -(NumericMaxDscale + 1)
	case scale < 0 && -scale+int64(len(digits)) > NumericMaxWeightDigits+1:
		// Too large to store; fail the same way without first building
		// a huge coefficient.
		d.Coeff.SetInt64(1)
		d.Exponent = NumericMaxWeightDigits + 1
	default:
		// Parse the digits without their trailing zeros and put the
		// zeros back by multiplying, which is much faster for numbers
		// like 1e100000; the result has exponent -max(scale, 0).
		trimmed := strings.TrimRight(digits, "0")
		if trimmed == "" {
			trimmed = "0"
		}
		zeros := int64(len(digits) - len(trimmed))
		setDigits(&d.Coeff, trimmed)
		if k := zeros - scale + max(scale, 0); k > 0 {
			d.Coeff.Mul(&d.Coeff, pow10(k))
		}
		d.Exponent = int32(-max(scale, 0))
	}
	return d, true
}

// scanDecimalDigits returns the digits of a decimal literal without point
// or underscores, and its scale (digits after the point minus the
// exponent).
func scanDecimalDigits(s string) (string, int64, bool) {
	var digits []byte
	i, scale, seen := 0, int64(0), false
	afterPoint := false
	for i < len(s) {
		c := s[i]
		switch {
		case isDigit(c):
			digits = append(digits, c)
			seen = true
			if afterPoint {
				scale++
			}
			i++
		case c == '.' && !afterPoint:
			afterPoint = true
			i++
		case c == '_' && i > 0 && isDigit(s[i-1]) && i+1 < len(s) && isDigit(s[i+1]):
			i++
		default:
			goto exponent
		}
	}
exponent:
	if !seen {
		return "", 0, false
	}
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return "", 0, false
		}
		exp, ok := scanExponentValue(s[i+1:])
		if !ok {
			return "", 0, false
		}
		scale -= exp
	}
	return string(digits), scale, true
}

// scanExponentValue parses [+-]digits (with underscores between digits);
// values beyond what numeric could ever store fail.
func scanExponentValue(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' && i > 0 && isDigit(s[i-1]) && i+1 < len(s) && isDigit(s[i+1]) {
			continue
		}
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int64(c-'0')
		if v > math.MaxInt32/2 {
			v = math.MaxInt32 / 2
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

// scanNonDecimal parses 0x.., 0o.. or 0b.. integers with underscores.
func scanNonDecimal(s string) (*apd.Decimal, bool) {
	base := map[byte]int{'x': 16, 'o': 8, 'b': 2}[s[1]|0x20]
	digits := make([]byte, 0, len(s))
	body := s[2:]
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '_' {
			if i+1 >= len(body) || body[i+1] == '_' {
				return nil, false
			}
			continue
		}
		if !isHexDigit(c) || int(hexValue(c)) >= base {
			return nil, false
		}
		digits = append(digits, c)
	}
	if len(digits) == 0 {
		return nil, false
	}
	d := new(apd.Decimal)
	if _, ok := d.Coeff.SetString(string(digits), base); !ok {
		return nil, false
	}
	return d, true
}
