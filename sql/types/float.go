package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// isSpace reports whether c is white space for C's isspace in the C locale,
// which PostgreSQL's input functions use.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimSpace(s string) string {
	start, end := 0, len(s)
	for start < end && isSpace(s[start]) {
		start++
	}
	for end > start && isSpace(s[end-1]) {
		end--
	}
	return s[start:end]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// scanFloat returns the length of the longest prefix of s that C's strtod
// accepts (0 if none): an optional sign and then a decimal number with an
// optional exponent, a hexadecimal number with an optional binary
// exponent, "inf", "infinity" or "nan" (any case, "nan" optionally
// followed by a parenthesised tag).
func scanFloat(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	rest := s[i:]
	if n := scanSpecialFloat(rest); n > 0 {
		return i + n
	}
	if len(rest) >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		if n := scanMantissa(rest[2:], true); n > 0 {
			return i + 2 + n + scanExponent(rest[2+n:], 'p', 'P')
		}
	}
	n := scanMantissa(rest, false)
	if n == 0 {
		return 0
	}
	return i + n + scanExponent(rest[n:], 'e', 'E')
}

func scanSpecialFloat(s string) int {
	if len(s) == 0 || !isSpecialFloatStart(s[0]) {
		return 0 // the usual case, without a lower-case copy
	}
	lower := strings.ToLower(s[:min(len(s), 8)])
	switch {
	case strings.HasPrefix(lower, "infinity"):
		return 8
	case strings.HasPrefix(lower, "inf"):
		return 3
	case strings.HasPrefix(lower, "nan"):
		if len(s) > 3 && s[3] == '(' {
			for j := 4; j < len(s); j++ {
				c := s[j]
				if c == ')' {
					return j + 1
				}
				if !(isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c == '_') {
					break
				}
			}
		}
		return 3
	}
	return 0
}

// scanMantissa scans decimal (or, with hex, hexadecimal) digits with at
// most one '.', requiring at least one digit, and returns the length
// scanned (0 if no digit).
func scanMantissa(s string, hex bool) int {
	digit := func(c byte) bool { return isDigit(c) || hex && isHexDigit(c) }
	i, digits := 0, 0
	for i < len(s) && digit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && digit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0
	}
	return i
}

// scanExponent scans an exponent marker, optional sign and decimal digits;
// it returns 0 unless the exponent is complete.
func scanExponent(s string, lower, upper byte) int {
	if len(s) < 2 || (s[0] != lower && s[0] != upper) {
		return 0
	}
	i := 1
	if s[i] == '+' || s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == start {
		return 0
	}
	return i
}

// strtod converts the strtod-accepted number s (as found by scanFloat) to
// a float of the given bit size, rounding correctly as glibc does. It
// reports a range error as C's ERANGE: overflow to infinity, or underflow
// of a non-zero number to zero. Denormal results are not range errors
// here, as PostgreSQL accepts them.
func strtod(s string, bits int) (v float64, rangeErr bool) {
	body := s
	for len(body) > 0 && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	neg := strings.HasPrefix(s, "-")
	if len(body) > 0 && isSpecialFloatStart(body[0]) {
		lower := strings.ToLower(body)
		switch {
		case strings.HasPrefix(lower, "inf"):
			return signed(math.Inf(1), neg), false
		case strings.HasPrefix(lower, "nan"):
			return math.NaN(), false
		}
	}
	if len(body) > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') && !strings.ContainsAny(body, "pP") {
		// Go requires a binary exponent in hexadecimal floats.
		body += "p0"
	}
	f, err := strconv.ParseFloat(body, bits)
	if err != nil {
		// Only range errors are possible after scanFloat.
		return signed(f, neg), true
	}
	if f == 0 && hasNonZeroDigit(body) {
		return signed(0, neg), true
	}
	return signed(f, neg), false
}

func hasNonZeroDigit(s string) bool {
	hex := strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X")
	if hex {
		s = s[2:]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		exponent := c == 'p' || c == 'P' || (!hex && (c == 'e' || c == 'E'))
		if exponent {
			return false
		}
		if c != '0' && c != '.' {
			return true
		}
	}
	return false
}

// isSpecialFloatStart reports whether c can begin "infinity", "inf" or
// "nan" (any case).
func isSpecialFloatStart(c byte) bool {
	return c == 'i' || c == 'I' || c == 'n' || c == 'N'
}

func signed(f float64, neg bool) float64 {
	if neg {
		return -f
	}
	return f
}

// parseFloat is float4in/float8in: s with surrounding white space, the
// strtod syntax, and the checks PostgreSQL adds.
func parseFloat(s string, bits int) (float64, error) {
	typeName := "double precision"
	if bits == 32 {
		typeName = "real"
	}
	start := 0
	for start < len(s) && isSpace(s[start]) {
		start++
	}
	num := s[start:]
	n := scanFloat(num)
	if n == 0 || trimSpace(num[n:]) != "" {
		return 0, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", typeName, s)
	}
	v, rangeErr := strtod(num[:n], bits)
	if rangeErr {
		return 0, pgerr.New(pgerr.NumericValueOutOfRange, "\"%s\" is out of range for type %s", num[:n], typeName)
	}
	if bits == 32 {
		v = float64(float32(v))
	}
	return v, nil
}

// appendFloat writes float4out/float8out's text for f with the given
// extra_float_digits. bits is 32 for real and 64 for double precision.
func appendFloat(buf []byte, f float64, bits int, extraDigits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	if extraDigits > 0 {
		return appendShortest(buf, f, bits)
	}
	digits := 15
	if bits == 32 {
		digits = 6
	}
	return appendCG(buf, f, max(digits+extraDigits, 1))
}

// appendShortest writes the shortest text that reads back as the same
// float, laid out as PostgreSQL's Ryu-based output: plain notation when
// the decimal exponent is in [-4, 15) for float8 or [-4, 6) for float4,
// otherwise d.ddde±XX.
func appendShortest(buf []byte, f float64, bits int) []byte {
	limit := 15
	if bits == 32 {
		limit = 6
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(buf, "-0"...)
		}
		return append(buf, '0')
	}
	sci := strconv.AppendFloat(nil, f, 'e', -1, bits)
	exp := decimalExponent(sci)
	if exp < -4 || exp >= limit {
		return append(buf, sci...)
	}
	return strconv.AppendFloat(buf, f, 'f', -1, bits)
}

// decimalExponent returns the exponent of a number printed by strconv in
// 'e' format.
func decimalExponent(sci []byte) int {
	i := strings.LastIndexByte(string(sci), 'e')
	e, _ := strconv.Atoi(string(sci[i+1:]))
	return e
}

// appendCG writes f as C's printf("%.*g", digits, f).
func appendCG(buf []byte, f float64, digits int) []byte {
	if f == 0 {
		if math.Signbit(f) {
			return append(buf, "-0"...)
		}
		return append(buf, '0')
	}
	sci := strconv.AppendFloat(nil, f, 'e', digits-1, 64)
	exp := decimalExponent(sci)
	if exp < -4 || exp >= digits {
		mant, tail, _ := strings.Cut(string(sci), "e")
		buf = append(buf, trimFractionZeros(mant)...)
		buf = append(buf, 'e')
		return append(buf, tail...)
	}
	fixed := strconv.AppendFloat(nil, f, 'f', max(digits-1-exp, 0), 64)
	return append(buf, trimFractionZeros(string(fixed))...)
}

// formatCG is appendCG as a string.
func formatCG(f float64, digits int) string {
	return string(appendCG(nil, f, digits))
}

// trimFractionZeros removes trailing zeros after a decimal point, and the
// point itself if nothing follows it.
func trimFractionZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
