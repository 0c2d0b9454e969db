package types

import (
	"testing"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func TestCastContextOf(t *testing.T) {
	tests := []struct {
		from, to OID
		want     CastContext
		ok       bool
	}{
		{Int4OID, Int8OID, CastImplicit, true},
		{Int8OID, Int4OID, CastAssignment, true},
		{Int2OID, NumericOID, CastImplicit, true},
		{Float8OID, Int4OID, CastAssignment, true},
		{Float4OID, Float8OID, CastImplicit, true},
		{Float8OID, Float4OID, CastAssignment, true},
		{NumericOID, Float8OID, CastImplicit, true},
		{Float8OID, NumericOID, CastAssignment, true},
		{BoolOID, Int4OID, CastExplicit, true},
		{Int4OID, BoolOID, CastExplicit, true},
		{Int4OID, TextOID, CastAssignment, true},
		{VectorOID, TextOID, CastAssignment, true},
		{TimestampTZOID, VarcharOID, CastAssignment, true},
		{TextOID, Int4OID, CastExplicit, true},
		{TextOID, VectorOID, CastExplicit, true},
		{VarcharOID, TextOID, CastImplicit, true},
		{TextOID, VarcharOID, CastImplicit, true},
		{BpcharOID, TextOID, CastImplicit, true},
		{NameOID, TextOID, CastImplicit, true},
		{JSONOID, JSONBOID, CastAssignment, true},
		{JSONBOID, JSONOID, CastAssignment, true},
		{JSONBOID, Int4OID, CastExplicit, true},
		{DateOID, TimestampTZOID, CastImplicit, true},
		{TimestampTZOID, DateOID, CastAssignment, true},
		{VectorOID, VectorOID, CastImplicit, true},
		{VectorOID, Float4ArrayOID, CastImplicit, true},
		{Int4ArrayOID, VectorOID, CastAssignment, true},
		{Float4ArrayOID, VectorOID, CastAssignment, true},
		{Float8ArrayOID, VectorOID, CastAssignment, true},
		{NumericArrayOID, VectorOID, CastAssignment, true},
		{UnknownOID, VectorOID, CastImplicit, true},
		{Int4ArrayOID, Int8ArrayOID, CastImplicit, true},
		{Int8ArrayOID, Int4ArrayOID, CastAssignment, true},
		{Int4ArrayOID, TextArrayOID, CastAssignment, true},
		{Int4ArrayOID, TextOID, CastAssignment, true},
		{BoolOID, Float8OID, 0, false},
		{DateOID, Int8OID, 0, false},
		{ByteaOID, Int4OID, 0, false},
		{VectorOID, Int4ArrayOID, 0, false},
		{TextArrayOID, VectorOID, 0, false},
		{Int4OID, VoidOID, 0, false},
		{Int4OID, 99999, 0, false},
	}
	for _, tt := range tests {
		got, ok := CastContextOf(tt.from, tt.to)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("CastContextOf(%s, %s) = %s, %v; want %s, %v", Of(tt.from), Of(tt.to), got, ok, tt.want, tt.ok)
		}
	}
}

func TestCastStrings(t *testing.T) {
	tests := []struct {
		d        Datum
		from, to T
		explicit bool
		want     string
		code     pgerr.Code
	}{
		{"abcdef", TText, VarcharOf(3), true, "abc", ""},
		{"abcdef", TText, VarcharOf(3), false, "value too long for type character varying(3)", pgerr.StringDataRightTruncation},
		{"abc   ", TText, VarcharOf(3), false, "abc", ""},
		{"héllo", TText, VarcharOf(2), true, "hé", ""},
		{"ab", TText, T{BpcharOID, 7}, false, "ab ", ""},
		{"abcd", TText, T{BpcharOID, 7}, false, "value too long for type character(3)", pgerr.StringDataRightTruncation},
		{"ab ", T{BpcharOID, 7}, TText, false, "ab", ""},
		{true, TBool, TText, false, "true", ""},
		{int64(-5), TInt4, VarcharOf(1), true, "-", ""},
		{"12", T{BpcharOID, 9}, TInt4, true, "12", ""},
	}
	for _, tt := range tests {
		got, err := Cast(tt.d, tt.from, tt.to, tt.explicit)
		if tt.code != "" {
			checkErr(t, tt.from.String()+" -> "+tt.to.String(), err, tt.code, tt.want)
			continue
		}
		if err != nil || FormatText(tt.to, got, nil) != tt.want {
			t.Errorf("Cast(%v, %s, %s, %v) = %v, %v; want %q", tt.d, tt.from, tt.to, tt.explicit, got, err, tt.want)
		}
	}
}

func TestCastNumbers(t *testing.T) {
	tests := []struct {
		d        Datum
		from, to T
		want     string
		code     pgerr.Code
	}{
		{2.5, TFloat8, TInt4, "2", ""},
		{3.5, TFloat8, TInt4, "4", ""},
		{-2.5, TFloat8, TInt8, "-2", ""},
		{2147483647.5, TFloat8, TInt4, "integer out of range", pgerr.NumericValueOutOfRange},
		{1e39, TFloat8, TFloat4, "value out of range: overflow", pgerr.NumericValueOutOfRange},
		{1e-50, TFloat8, TFloat4, "value out of range: underflow", pgerr.NumericValueOutOfRange},
		{int64(40000), TInt4, TInt2, "smallint out of range", pgerr.NumericValueOutOfRange},
		{int64(16777217), TInt4, TFloat4, "1.6777216e+07", ""},
		{int64(3), TInt4, TBool, "t", ""},
		{int64(0), TInt8, TBool, "f", ""},
		{false, TBool, TInt4, "0", ""},
		{0.1, TFloat8, TNumeric, "0.1", ""},
		{1.005, TFloat8, NumericOf(5, 2), "1.01", ""},
		{int64(123456), TInt4, NumericOf(5, 2), "numeric field overflow", pgerr.NumericValueOutOfRange},
		{int64(-1), TInt4, TOid, "4294967295", ""},
		{int64(4294967295), TOid, TInt4, "-1", ""},
		{int64(-1), TInt8, TOid, "OID out of range", pgerr.NumericValueOutOfRange},
	}
	for _, tt := range tests {
		got, err := Cast(tt.d, tt.from, tt.to, true)
		if tt.code != "" {
			checkErr(t, tt.from.String()+" -> "+tt.to.String(), err, tt.code, tt.want)
			continue
		}
		if err != nil || FormatText(tt.to, got, nil) != tt.want {
			t.Errorf("Cast(%v, %s, %s) = %v, %v; want %s", tt.d, tt.from, tt.to, got, err, tt.want)
		}
	}
	_, err := Cast(true, TBool, TFloat8, true)
	checkErr(t, "bool -> float8", err, pgerr.CannotCoerce, "cannot cast type boolean to double precision")
}

func TestCastWithTimeZone(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip(err)
	}
	opts := &FormatOptions{Location: kolkata}
	ts := time.Date(2024, 1, 2, 20, 0, 0, 0, time.UTC) // 01:30 on the 3rd in Kolkata
	tests := []struct {
		d        Datum
		from, to T
		want     string
	}{
		{ts, TTimestampTZ, TTimestamp, "2024-01-03 01:30:00"},
		{ts, TTimestampTZ, TDate, "2024-01-03"},
		{ts, TTimestampTZ, TText, "2024-01-03 01:30:00+05:30"},
		{time.Date(2024, 1, 3, 1, 30, 0, 0, time.UTC), TTimestamp, TTimestampTZ, "2024-01-03 01:30:00+05:30"},
		{time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC), TDate, TTimestampTZ, "2024-01-03 00:00:00+05:30"},
		{"2024-01-03 01:30", TText, TTimestampTZ, "2024-01-03 01:30:00+05:30"},
		{InfinityTime, TTimestampTZ, TDate, "infinity"},
	}
	for _, tt := range tests {
		got, err := CastWith(tt.d, tt.from, tt.to, true, opts)
		if err != nil || FormatText(tt.to, got, opts) != tt.want {
			t.Errorf("CastWith(%v, %s, %s) = %v, %v; want %s", tt.d, tt.from, tt.to, got, err, tt.want)
		}
	}
	if got := FormatText(TText, mustCast(t, 0.1, TFloat8, TText, &FormatOptions{ExtraFloatDigits: 3}), nil); got != "0.1" {
		t.Errorf("0.1::float8::text with extra_float_digits 3 = %q", got)
	}
	if got := FormatText(TText, mustCast(t, 0.30000000000000004, TFloat8, TText, &FormatOptions{}), nil); got != "0.3" {
		t.Errorf("float8 to text with extra_float_digits 0 = %q", got)
	}
}

func mustCast(t *testing.T, d Datum, from, to T, opts *FormatOptions) Datum {
	t.Helper()
	v, err := CastWith(d, from, to, true, opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCoerceTypmod(t *testing.T) {
	if d, err := CoerceTypmod("abc", TVarchar, false); err != nil || d != "abc" {
		t.Errorf("no modifier: %v, %v", d, err)
	}
	_, err := CoerceTypmod(Vector{1, 2}, VectorOf(3), false)
	checkErr(t, "vector(3)", err, pgerr.DataException, "expected 3 dimensions, not 2")
	arr := &Array{Elem: TVarchar, Elems: []Datum{"abcd", nil}, LowerBound: 1}
	d, err := CoerceTypmod(arr, T{VarcharArrayOID, 6}, true)
	if err != nil || FormatText(Of(VarcharArrayOID), d, nil) != "{ab,NULL}" {
		t.Errorf("varchar(2)[] = %v, %v", d, err)
	}
	_, err = CoerceTypmod(arr, T{VarcharArrayOID, 6}, false)
	checkErr(t, "varchar(2)[] assignment", err, pgerr.StringDataRightTruncation, "value too long for type character varying(2)")
	ts := time.Date(2024, 1, 2, 3, 4, 5, 125000000, time.UTC)
	d, err = CoerceTypmod(ts, T{TimestampOID, 2}, true)
	if err != nil || FormatText(TTimestamp, d, nil) != "2024-01-02 03:04:05.13" {
		t.Errorf("timestamp(2) = %v, %v", d, err)
	}
	old := time.Date(1900, 1, 1, 0, 0, 0, 125000000, time.UTC)
	d, err = CoerceTypmod(old, T{TimestampOID, 2}, true)
	if err != nil || FormatText(TTimestamp, d, nil) != "1900-01-01 00:00:00.12" {
		t.Errorf("timestamp(2) before 2000 = %v, %v", d, err)
	}
}
