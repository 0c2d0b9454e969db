package types

import (
	"math"
	"testing"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// textCase is an input and the output it must give, or the error.
type textCase struct {
	t    T
	in   string
	want string // output text, or the message when code is set
	code pgerr.Code
}

func runTextCases(t *testing.T, cases []textCase) {
	t.Helper()
	for _, c := range cases {
		d, err := ParseText(c.t, c.in)
		if c.code != "" {
			checkErr(t, c.t.String()+" "+c.in, err, c.code, c.want)
			continue
		}
		if err != nil {
			t.Errorf("ParseText(%s, %q): %v", c.t, c.in, err)
			continue
		}
		if got := FormatText(c.t, d, nil); got != c.want {
			t.Errorf("ParseText(%s, %q) prints %q, want %q", c.t, c.in, got, c.want)
		}
	}
}

// PostgreSQL 16 integer input: non-decimal prefixes and underscores.
func TestParseIntPG16(t *testing.T) {
	runTextCases(t, []textCase{
		{TInt4, "0x1F", "31", ""},
		{TInt4, "0X1f", "31", ""},
		{TInt4, "0o17", "15", ""},
		{TInt4, "0b101", "5", ""},
		{TInt4, "-0x80000000", "-2147483648", ""},
		{TInt4, "0x80000000", `value "0x80000000" is out of range for type integer`, pgerr.NumericValueOutOfRange},
		{TInt4, "1_000_000", "1000000", ""},
		{TInt4, " -1_0 ", "-10", ""},
		{TInt4, "0x_1F", "31", ""},
		{TInt4, "_1", `invalid input syntax for type integer: "_1"`, pgerr.InvalidTextRepresentation},
		{TInt4, "1_", `invalid input syntax for type integer: "1_"`, pgerr.InvalidTextRepresentation},
		{TInt4, "1__0", `invalid input syntax for type integer: "1__0"`, pgerr.InvalidTextRepresentation},
		{TInt4, "0x", `invalid input syntax for type integer: "0x"`, pgerr.InvalidTextRepresentation},
		{TInt4, "0b2", `invalid input syntax for type integer: "0b2"`, pgerr.InvalidTextRepresentation},
		{TInt4, "0o8", `invalid input syntax for type integer: "0o8"`, pgerr.InvalidTextRepresentation},
		{TInt4, "0x1G", `invalid input syntax for type integer: "0x1G"`, pgerr.InvalidTextRepresentation},
		{TInt4, "99999999999x", `value "99999999999x" is out of range for type integer`, pgerr.NumericValueOutOfRange},
		{TInt2, "0x7FFF", "32767", ""},
		{TInt2, "-0x8000", "-32768", ""},
		{TInt2, "0x8000", `value "0x8000" is out of range for type smallint`, pgerr.NumericValueOutOfRange},
		{TInt8, "0x7FFFFFFFFFFFFFFF", "9223372036854775807", ""},
		{TInt8, "-0x8000000000000000", "-9223372036854775808", ""},
		{TInt8, "9_223_372_036_854_775_807", "9223372036854775807", ""},
		{TInt8, "\t\n 12 \f\v\r", "12", ""},
		{TInt4, "1.5", `invalid input syntax for type integer: "1.5"`, pgerr.InvalidTextRepresentation},
		{TInt4, "99999999999", `value "99999999999" is out of range for type integer`, pgerr.NumericValueOutOfRange},
		{TOid, "4294967295", "4294967295", ""},
		{TOid, "-1", "4294967295", ""},
	})
}

// PostgreSQL 16 numeric input: non-decimal integers and underscores.
func TestParseNumericPG16(t *testing.T) {
	runTextCases(t, []textCase{
		{TNumeric, "0x1F", "31", ""},
		{TNumeric, "-0b101", "-5", ""},
		{TNumeric, "0o777", "511", ""},
		{TNumeric, "0xFFFFFFFFFFFFFFFFFFFF", "1208925819614629174706175", ""},
		{TNumeric, "1_000.000_5", "1000.0005", ""},
		{TNumeric, "1e1_0", "10000000000", ""},
		{TNumeric, "0x1.5", `invalid input syntax for type numeric: "0x1.5"`, pgerr.InvalidTextRepresentation},
		{TNumeric, "1__0", `invalid input syntax for type numeric: "1__0"`, pgerr.InvalidTextRepresentation},
		{TNumeric, "_1", `invalid input syntax for type numeric: "_1"`, pgerr.InvalidTextRepresentation},
		{TNumeric, "1_.5", `invalid input syntax for type numeric: "1_.5"`, pgerr.InvalidTextRepresentation},
		{TNumeric, "-0x0", "0", ""},
		{TNumeric, "0e100000", "0", ""},
		{TNumeric, "1e-2000000000", "value overflows numeric format", pgerr.NumericValueOutOfRange},
		{TNumeric, "1e2000000000", "value overflows numeric format", pgerr.NumericValueOutOfRange},
		{TNumeric, "1e99999999999", "value overflows numeric format", pgerr.NumericValueOutOfRange},
	})
}

func TestParseTextExamples(t *testing.T) {
	runTextCases(t, []textCase{
		{TFloat8, "1e15", "1e+15", ""},
		{TFloat8, "123456789012345", "123456789012345", ""},
		{TFloat8, "0.0001", "0.0001", ""},
		{TFloat8, "0.00001", "1e-05", ""},
		{TFloat8, "1.5e-07", "1.5e-07", ""},
		{TFloat8, "-0", "-0", ""},
		{TFloat8, "1e100", "1e+100", ""},
		{TFloat4, "1234567", "1.234567e+06", ""},
		{TFloat4, "100000", "100000", ""},
		{TNumeric, "1.50", "1.50", ""},
		{TNumeric, " 12 ", "12", ""},
		{TNumeric, "1e3", "1000", ""},
		{TBool, "  TrUe ", "t", ""},
		{TBool, "o", "invalid input syntax for type boolean: \"o\"", pgerr.InvalidTextRepresentation},
		{VarcharOf(2), "abc", "ab", ""},
		{TText, "a\x00b", `invalid byte sequence for encoding "UTF8": 0x00`, pgerr.CharacterNotInRepertoire},
		{TText, "a\xffb", `invalid byte sequence for encoding "UTF8": 0xff`, pgerr.CharacterNotInRepertoire},
		{TBytea, `\x0102`, `\x0102`, ""},
		{TBytea, `a\\b\101`, `\x615c6241`, ""},
		{TJSONB, `{"b": 1, "a": [1, 2, {"c": null}], "a": 1.0}`, `{"a": 1.0, "b": 1}`, ""},
		{TJSONB, `{"aa":1,"b":2,"a":3}`, `{"a": 3, "b": 2, "aa": 1}`, ""},
		{TJSONB, `[1e2, 1.0, -0]`, `[100, 1.0, 0]`, ""},
		{TJSON, ` {"b":1,"a":2} `, ` {"b":1,"a":2} `, ""},
		{Of(TextArrayOID), `{a,"b c",NULL,"NULL",""}`, `{a,"b c",NULL,"NULL",""}`, ""},
		{Of(Int4ArrayOID), `{{1,2},{3,4}}`, "multidimensional arrays are not supported", pgerr.FeatureNotSupported},
		{Of(Int4ArrayOID), `[1:2][1:2]={{1,2},{3,4}}`, "multidimensional arrays are not supported", pgerr.FeatureNotSupported},
		{Of(Int4ArrayOID), `[0:1]={1,2}`, `{1,2}`, ""},
		{TTimestampTZ, "2024-01-02 03:04:05.123456+00", "2024-01-02 03:04:05.123456+00", ""},
		{TDate, "2024-01-02", "2024-01-02", ""},
		{Of(HalfvecOID), "[1]", "[1]", ""},
	})
}

func TestFloatOutputSettings(t *testing.T) {
	tests := []struct {
		t    T
		v    float64
		efd  int
		want string
	}{
		{TFloat8, 0.1, 1, "0.1"},
		{TFloat8, 0.1, 0, "0.1"},
		{TFloat8, 0.1, 3, "0.1"},
		{TFloat8, 0.30000000000000004, 0, "0.3"},
		{TFloat8, 0.30000000000000004, 1, "0.30000000000000004"},
		{TFloat8, math.Pi, -3, "3.14159265359"},
		{TFloat8, math.Pi, -15, "3"},
		{TFloat8, 1e15, 0, "1e+15"},
		{TFloat8, 123456789012345, 0, "123456789012345"},
		{TFloat8, 1234567890123456, 0, "1.23456789012346e+15"},
		{TFloat8, 0.0001, 0, "0.0001"},
		{TFloat8, 0.00001, 0, "1e-05"},
		{TFloat8, math.NaN(), 0, "NaN"},
		{TFloat8, math.Inf(-1), 1, "-Infinity"},
		{TFloat8, math.Copysign(0, -1), 0, "-0"},
		{TFloat4, float64(float32(0.1)), 0, "0.1"},
		{TFloat4, float64(float32(0.1)), 1, "0.1"},
		{TFloat4, float64(float32(1.1)), 0, "1.1"},
		{TFloat4, 1234567, 0, "1.23457e+06"},
		{TFloat4, 123456, 0, "123456"},
		{TFloat4, float64(float32(math.Pi)), -3, "3.14"},
	}
	for _, tt := range tests {
		got := FormatText(tt.t, tt.v, &FormatOptions{ExtraFloatDigits: tt.efd})
		if got != tt.want {
			t.Errorf("%s %v with extra_float_digits %d = %q, want %q", tt.t, tt.v, tt.efd, got, tt.want)
		}
	}
}

func TestTimestamptzOutputLocation(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 500000000, time.UTC)
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		loc  *time.Location
		want string
	}{
		{nil, "2024-01-02 03:04:05.5+00"},
		{kolkata, "2024-01-02 08:34:05.5+05:30"},
		{time.FixedZone("", -(3*3600 + 30*60 + 15)), "2024-01-01 23:33:50.5-03:30:15"},
	}
	for _, tt := range tests {
		if got := FormatText(TTimestampTZ, ts, &FormatOptions{Location: tt.loc}); got != tt.want {
			t.Errorf("in %v: %q, want %q", tt.loc, got, tt.want)
		}
	}
}

func TestParseTextWithSession(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip(err)
	}
	now := time.Date(2024, 3, 4, 22, 0, 0, 123456789, time.UTC) // 03:30 on the 5th in Kolkata
	opts := &FormatOptions{Location: kolkata, Now: now}
	tests := []struct {
		t       T
		in, out string
	}{
		{TTimestampTZ, "2024-01-02 03:04:05", "2024-01-02 03:04:05+05:30"},
		{TTimestampTZ, "now", "2024-03-05 03:30:00.123456+05:30"},
		{TTimestamp, "now", "2024-03-05 03:30:00.123456"},
		{TDate, "now", "2024-03-05"},
		{TDate, "today", "2024-03-05"},
		{TDate, "tomorrow", "2024-03-06"},
		{TDate, "yesterday", "2024-03-04"},
		{TTimestampTZ, "today", "2024-03-05 00:00:00+05:30"},
		{TTimestampTZ, "tomorrow 10:00", "2024-03-06 10:00:00+05:30"},
		{TTimestamp, "yesterday", "2024-03-04 00:00:00"},
		{Of(TimestampTZArrayOID), `{"2024-01-02 03:04:05"}`, `{"2024-01-02 03:04:05+05:30"}`},
	}
	for _, tt := range tests {
		d, err := ParseTextWith(tt.t, tt.in, opts)
		if err != nil {
			t.Errorf("%s %q: %v", tt.t, tt.in, err)
			continue
		}
		if got := FormatText(tt.t, d, opts); got != tt.out {
			t.Errorf("%s %q = %q, want %q", tt.t, tt.in, got, tt.out)
		}
	}
}

// TestTextRoundTrip checks parse -> format -> parse gives an equal value
// and the same text, for every type.
func TestTextRoundTrip(t *testing.T) {
	inputs := []struct {
		t  T
		in string
	}{
		{TBool, "t"}, {TInt2, "-32768"}, {TInt4, "7"}, {TInt8, "-9223372036854775808"},
		{TOid, "4294967295"}, {TFloat4, "3.4028235e38"}, {TFloat4, "1e-45"}, {TFloat8, "5e-324"},
		{TFloat8, "-1.7976931348623157e308"}, {TFloat8, "NaN"}, {TNumeric, "-0.000100"},
		{TNumeric, "Infinity"}, {TText, "héllo wörld"}, {TName, "pg_class"}, {Of(CharOID), "\\377"},
		{TBytea, `\x00ff`}, {TDate, "0044-03-15 BC"}, {TTimestamp, "2024-02-29 23:59:59.999999"},
		{TTimestampTZ, "-infinity"}, {TJSON, `[1, "a"]`}, {TJSONB, `{"a": [true, null, "\u00e9\n"]}`},
		{TVector, "[1.5,-2,3e-07]"}, {Of(TextArrayOID), `{"{","\\",NULL," "}`},
		{Of(Float8ArrayOID), "{NaN,-Infinity,1e-300}"}, {Of(VectorArrayOID), `{"[1,2]","[3]"}`},
		{Of(JSONBArrayOID), `{"{\"a\": 1}",null}`}, {Of(Int4ArrayOID), "[5:6]={1,2}"},
	}
	for _, c := range inputs {
		d, err := ParseText(c.t, c.in)
		if err != nil {
			t.Errorf("ParseText(%s, %q): %v", c.t, c.in, err)
			continue
		}
		text := FormatText(c.t, d, nil)
		back, err := ParseText(c.t, text)
		if err != nil {
			t.Errorf("%s: reparsing %q: %v", c.t, text, err)
			continue
		}
		if !Equal(c.t, d, back) || FormatText(c.t, back, nil) != text {
			t.Errorf("%s %q: round trip %q -> %q", c.t, c.in, text, FormatText(c.t, back, nil))
		}
	}
}
