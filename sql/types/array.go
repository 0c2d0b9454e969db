package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Arrays are one-dimensional. Their text form is array_in/array_out's:
// optional "[lb:ub]=" bounds, then '{' elements separated by ',' '}';
// elements are quoted with '"' when needed and may use backslash escapes;
// an unquoted NULL (any case) is the null element. Multi-dimensional
// input fails with 0A000.

func errMalformedArray(s, detail string, args ...any) error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "malformed array literal: \"%s\"", s).WithDetail(detail, args...)
}

// arrayElem is one element as written: its text and whether it was the
// unquoted word NULL.
type arrayElem struct {
	text string
	null bool
}

// parseArray is array_in for arrays of elem.
func parseArray(elem T, s string) (Datum, error) {
	return parseArrayWith(elem, s, &DefaultFormat)
}

// parseArrayWith is parseArray with session settings for the elements.
func parseArrayWith(elem T, s string, opts *FormatOptions) (Datum, error) {
	lower, upper, hasBounds, rest, err := parseArrayBounds(s)
	if err != nil {
		return nil, err
	}
	items, err := scanArrayElems(s, rest)
	if err != nil {
		return nil, err
	}
	if hasBounds && int64(upper)-int64(lower)+1 != int64(len(items)) {
		return nil, errMalformedArray(s, "Specified array dimensions do not match array contents.")
	}
	a := &Array{Elem: elem, Elems: make([]Datum, len(items)), LowerBound: 1}
	if hasBounds {
		a.LowerBound = lower
	}
	for i, it := range items {
		if it.null {
			continue
		}
		v, err := ParseTextWith(elem, it.text, opts)
		if err != nil {
			return nil, err
		}
		a.Elems[i] = v
	}
	return a, nil
}

// parseArrayBounds reads an optional "[lb:ub]=" or "[ub]=" prefix, as
// array_in does, and returns the text from the opening brace on.
func parseArrayBounds(s string) (lower, upper int32, ok bool, rest string, err error) {
	p := skipSpace(s, 0)
	ndim := 0
	for p < len(s) && s[p] == '[' {
		if ndim++; ndim > 1 {
			return 0, 0, false, "", errMultiDim()
		}
		lb, q, found := scanStrtol(s, p+1)
		if !found {
			return 0, 0, false, "", errMalformedArray(s, "\"[\" must introduce explicitly-specified array dimensions.")
		}
		ub := lb
		if q < len(s) && s[q] == ':' {
			if ub, q, found = scanStrtol(s, q+1); !found {
				return 0, 0, false, "", errMalformedArray(s, "Missing array dimension value.")
			}
		} else {
			lb = 1
		}
		if q >= len(s) || s[q] != ']' {
			return 0, 0, false, "", errMalformedArray(s, "Missing \"]\" after array dimensions.")
		}
		if ub < lb {
			return 0, 0, false, "", pgerr.New(pgerr.ArraySubscriptError, "upper bound cannot be less than lower bound")
		}
		if lb < math.MinInt32 || ub > math.MaxInt32 {
			return 0, 0, false, "", pgerr.New(pgerr.ProgramLimitExceeded, "array upper bound is too large")
		}
		lower, upper = int32(lb), int32(ub)
		p = skipSpace(s, q+1)
	}
	if ndim == 0 {
		if p >= len(s) || s[p] != '{' {
			return 0, 0, false, "", errMalformedArray(s, "Array value must start with \"{\" or dimension information.")
		}
		return 0, 0, false, s[p:], nil
	}
	if p >= len(s) || s[p] != '=' {
		return 0, 0, false, "", errMalformedArray(s, "Missing \"=\" after array dimensions.")
	}
	p = skipSpace(s, p+1)
	if p >= len(s) || s[p] != '{' {
		return 0, 0, false, "", errMalformedArray(s, "Array contents must start with \"{\".")
	}
	return lower, upper, true, s[p:], nil
}

// scanStrtol reads a run of digits and signs at s[i:] and converts it as
// C's atoi does, as array_in reads dimensions; found is false when the
// run is empty.
func scanStrtol(s string, i int) (v int64, end int, found bool) {
	j := i
	for j < len(s) && (isDigit(s[j]) || s[j] == '+' || s[j] == '-') {
		j++
	}
	if j == i {
		return 0, i, false
	}
	run := s[i:j]
	neg := false
	if run[0] == '+' || run[0] == '-' {
		neg = run[0] == '-'
		run = run[1:]
	}
	for k := 0; k < len(run) && isDigit(run[k]); k++ {
		if v < math.MaxInt64/10 {
			v = v*10 + int64(run[k]-'0')
		}
	}
	if neg {
		v = -v
	}
	return v, j, true
}

// scanArrayElems splits "{...}" (rest) into elements; s is the whole
// input, for messages.
func scanArrayElems(s, rest string) ([]arrayElem, error) {
	i := skipSpace(rest, 1)
	if i < len(rest) && rest[i] == '}' {
		if skipSpace(rest, i+1) != len(rest) {
			return nil, errMalformedArray(s, "Junk after closing right brace.")
		}
		return nil, nil
	}
	var items []arrayElem
	for {
		i = skipSpace(rest, i)
		if i >= len(rest) {
			return nil, errMalformedArray(s, "Unexpected end of input.")
		}
		switch rest[i] {
		case '{':
			return nil, errMultiDim()
		case ',', '}':
			return nil, errMalformedArray(s, "Unexpected \"%c\" character.", rest[i])
		}
		item, n, err := scanArrayElem(s, rest[i:])
		if err != nil {
			return nil, err
		}
		items = append(items, item)
		i = skipSpace(rest, i+n)
		if i >= len(rest) {
			return nil, errMalformedArray(s, "Unexpected end of input.")
		}
		if rest[i] == '}' {
			break
		}
		if rest[i] != ',' {
			return nil, errMalformedArray(s, "Unexpected array element.")
		}
		i++
	}
	if skipSpace(rest, i+1) != len(rest) {
		return nil, errMalformedArray(s, "Junk after closing right brace.")
	}
	return items, nil
}

// scanArrayElem reads one element at the start of r, quoted or not, and
// returns it and the number of bytes consumed. Trailing white space of an
// unquoted element is dropped unless escaped; an escaped NULL is text.
func scanArrayElem(s, r string) (arrayElem, int, error) {
	if r[0] == '"' {
		return scanQuotedElem(s, r)
	}
	var b strings.Builder
	keep := 0 // length of b up to the last escaped or non-space byte
	escaped := false
	i := 0
	for i < len(r) {
		c := r[i]
		switch {
		case c == ',' || c == '}':
			text := b.String()[:keep]
			return arrayElem{text: text, null: !escaped && strings.EqualFold(text, "NULL")}, i, nil
		case c == '"' || c == '{':
			return arrayElem{}, 0, errMalformedArray(s, "Unexpected array element.")
		case c == '\\':
			if i+1 >= len(r) {
				return arrayElem{}, 0, errMalformedArray(s, "Unexpected end of input.")
			}
			b.WriteByte(r[i+1])
			keep = b.Len()
			escaped = true
			i += 2
			continue
		}
		b.WriteByte(c)
		if !isSpace(c) {
			keep = b.Len()
		}
		i++
	}
	return arrayElem{}, 0, errMalformedArray(s, "Unexpected end of input.")
}

func scanQuotedElem(s, r string) (arrayElem, int, error) {
	var b strings.Builder
	for i := 1; i < len(r); i++ {
		switch c := r[i]; c {
		case '"':
			return arrayElem{text: b.String()}, i + 1, nil
		case '\\':
			i++
			if i >= len(r) {
				return arrayElem{}, 0, errMalformedArray(s, "Unexpected end of input.")
			}
			b.WriteByte(r[i])
		default:
			b.WriteByte(c)
		}
	}
	return arrayElem{}, 0, errMalformedArray(s, "Unexpected end of input.")
}

// appendArray is array_out.
func appendArray(buf []byte, a *Array, f *FormatOptions) []byte {
	if lb := lowerBound(a); lb != 1 && len(a.Elems) > 0 {
		buf = append(buf, '[')
		buf = strconv.AppendInt(buf, int64(lb), 10)
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, int64(lb)+int64(len(a.Elems))-1, 10)
		buf = append(buf, ']', '=')
	}
	buf = append(buf, '{')
	var tmp []byte
	for i, e := range a.Elems {
		if i > 0 {
			buf = append(buf, ',')
		}
		if e == nil {
			buf = append(buf, "NULL"...)
			continue
		}
		tmp = AppendText(tmp[:0], a.Elem, e, f)
		buf = appendArrayElem(buf, tmp)
	}
	return append(buf, '}')
}

// appendArrayElem writes one element's text, quoted if it is empty, is
// NULL in any case, or contains a brace, comma, quote, backslash or white
// space.
func appendArrayElem(buf, text []byte) []byte {
	if !needsArrayQuote(text) {
		return append(buf, text...)
	}
	buf = append(buf, '"')
	for _, c := range text {
		if c == '"' || c == '\\' {
			buf = append(buf, '\\')
		}
		buf = append(buf, c)
	}
	return append(buf, '"')
}

func needsArrayQuote(text []byte) bool {
	if len(text) == 0 || strings.EqualFold(string(text), "NULL") {
		return true
	}
	for _, c := range text {
		switch c {
		case '{', '}', ',', '"', '\\':
			return true
		}
		if isSpace(c) {
			return true
		}
	}
	return false
}
