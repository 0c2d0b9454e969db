package types

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func TestParseBinaryErrors(t *testing.T) {
	tests := []struct {
		t    T
		hex  string
		code pgerr.Code
		msg  string
	}{
		{TInt4, "000001", pgerr.ProtocolViolation, "insufficient data left in message"},
		{TInt4, "0000000100", pgerr.InvalidBinaryRepresentation, "incorrect binary data format"},
		{TInt8, "", pgerr.ProtocolViolation, "insufficient data left in message"},
		{TBool, "", pgerr.ProtocolViolation, "insufficient data left in message"},
		{TNumeric, "0000000050000000", pgerr.InvalidBinaryRepresentation, `invalid sign in external "numeric" value`},
		{TNumeric, "0000000000004000", pgerr.InvalidBinaryRepresentation, `invalid scale in external "numeric" value`},
		{TNumeric, "0001000000000000" + "2710", pgerr.InvalidBinaryRepresentation, `invalid digit in external "numeric" value`},
		{TNumeric, "000100000000", pgerr.ProtocolViolation, "insufficient data left in message"},
		{TText, "ff", pgerr.CharacterNotInRepertoire, `invalid byte sequence for encoding "UTF8": 0xff`},
		{TName, strings.Repeat("61", 64), pgerr.NameTooLong, "identifier too long"},
		{TDate, "7fffff00", pgerr.DatetimeFieldOverflow, "date out of range"},
		{TDate, "ffda97a6", pgerr.DatetimeFieldOverflow, "date out of range"},
		{TTimestampTZ, "7fffffff00000000", pgerr.DatetimeFieldOverflow, "timestamp out of range"},
		{TTimestamp, "fd0f7cc1411f9fff", pgerr.DatetimeFieldOverflow, "timestamp out of range"},
		{Of(Int4ArrayOID), "00000001" + "00000002" + "00000017", pgerr.InvalidBinaryRepresentation, "invalid array flags"},
		{Of(Int4ArrayOID), "ffffffff" + "00000000" + "00000017", pgerr.InvalidBinaryRepresentation, "invalid number of dimensions: -1"},
		{Of(Int4ArrayOID), "00000007" + "00000000" + "00000017", pgerr.ProgramLimitExceeded, "number of array dimensions (7) exceeds the maximum allowed (6)"},
		{Of(Int4ArrayOID), "00000002" + "00000000" + "00000017", pgerr.FeatureNotSupported, "multidimensional arrays are not supported"},
		{Of(Int4ArrayOID), "00000001" + "00000000" + "00000014", pgerr.DatatypeMismatch, "binary data has array element type 20 (bigint) instead of expected 23 (integer)"},
		{Of(Int4ArrayOID), "00000001" + "00000000" + "00000017" + "00000001" + "00000001" + "00000005" + "0000000100", pgerr.InvalidBinaryRepresentation, "improper binary format in array element 1"},
		{Of(Int4ArrayOID), "00000001" + "00000000" + "00000017" + "00000001" + "00000001" + "fffffffe", pgerr.InvalidBinaryRepresentation, "insufficient data left in message"},
		{Of(Int4ArrayOID), "00000001" + "00000000" + "00000017" + "00000002" + "00000001" + "00000004" + "00000001", pgerr.ProtocolViolation, "insufficient data left in message"},
	}
	for _, tt := range tests {
		b, err := hex.DecodeString(tt.hex)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseBinary(tt.t, b)
		checkErr(t, tt.t.String()+" "+tt.hex, err, tt.code, tt.msg)
	}
}

func TestParseBinaryNumeric(t *testing.T) {
	tests := []struct {
		t    T
		hex  string
		want string
	}{
		// 0.1234 sent with dscale 2: digits the scale hides are truncated.
		{TNumeric, "0001ffff0000000204d2", "0.12"},
		{TNumeric, "0000000000000003", "0.000"},
		{TNumeric, "00000000c0000000", "NaN"},
		{TNumeric, "00000000f0000000", "-Infinity"},
		{TNumeric, "00020001400000000001" + "0002", "-10002"},
		{NumericOf(3, 1), "0001000000000002" + "0063", "99.0"},
	}
	for _, tt := range tests {
		b, _ := hex.DecodeString(tt.hex)
		d, err := ParseBinary(tt.t, b)
		if err != nil || FormatText(tt.t, d, nil) != tt.want {
			t.Errorf("numeric_recv %s = %v, %v; want %s", tt.hex, d, err, tt.want)
		}
	}
}

// An element type other than a built-in one is read as the expected type,
// as PostgreSQL does: drivers may not know vecgres's vector OID.
func TestParseBinaryVectorArrayForeignElemOID(t *testing.T) {
	b, _ := hex.DecodeString("00000001" + "00000000" + "00004e20" + "00000001" + "00000001" + "00000008" + "00010000" + "3f800000")
	d, err := ParseBinary(Of(VectorArrayOID), b)
	if err != nil || FormatText(Of(VectorArrayOID), d, nil) != `{[1]}` {
		t.Errorf("vector[] = %v, %v", d, err)
	}
}

func TestAppendBinaryArrayLowerBound(t *testing.T) {
	a := &Array{Elem: TInt2, Elems: []Datum{int64(1)}}
	b, err := AppendBinary(nil, Of(Int2ArrayOID), a)
	const want = "00000001" + "00000000" + "00000015" + "00000001" + "00000001" + "00000002" + "0001"
	if err != nil || hex.EncodeToString(b) != want {
		t.Errorf("array_send = %x, %v; want %s", b, err, want)
	}
}
