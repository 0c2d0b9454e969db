package types

import (
	"github.com/vecgres/vecgres/sql/pgerr"
)

const hexDigits = "0123456789abcdef"

// parseBytea is byteain: hex format (\x followed by pairs of hex digits,
// white space allowed between pairs) or escape format (backslash escapes
// \\ and \ooo).
func parseBytea(s string) (Datum, error) {
	if len(s) >= 2 && s[0] == '\\' && s[1] == 'x' {
		return parseByteaHex(s[2:])
	}
	return parseByteaEscape(s)
}

func parseByteaHex(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/2)
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
			i++
			continue
		}
		if !isHexDigit(c) {
			return nil, errInvalidHexDigit(s[i:])
		}
		if i+1 >= len(s) {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
		}
		if !isHexDigit(s[i+1]) {
			return nil, errInvalidHexDigit(s[i+1:])
		}
		out = append(out, hexValue(c)<<4|hexValue(s[i+1]))
		i += 2
	}
	return out, nil
}

// errInvalidHexDigit quotes the offending character (a whole UTF-8
// sequence), as PostgreSQL's pg_mblen-based message does.
func errInvalidHexDigit(rest string) error {
	n := 1
	for n < len(rest) && n < 4 && rest[n]&0xC0 == 0x80 {
		n++
	}
	return pgerr.New(pgerr.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", rest[:n])
}

func parseByteaEscape(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i += 2
		case i+3 < len(s) && '0' <= s[i+1] && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]):
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 4
		default:
			return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type bytea")
		}
	}
	return out, nil
}

// appendBytea is byteaout with bytea_output = hex.
func appendBytea(buf []byte, b []byte) []byte {
	buf = append(buf, '\\', 'x')
	for _, c := range b {
		buf = append(buf, hexDigits[c>>4], hexDigits[c&15])
	}
	return buf
}
