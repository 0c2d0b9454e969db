package types

import (
	"math"
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/vecgres/vecgres/sql/pgerr"
)

func numText(d *apd.Decimal) string { return string(appendNumeric(nil, d)) }

func TestNumericFromFloat(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0.1, "0.1"}, {1e20, "100000000000000000000"}, {123456789.123456789, "123456789.123457"},
		{1.5e-7, "0.00000015"}, {-0.0, "0"}, {math.NaN(), "NaN"}, {math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"}, {1.0 / 3, "0.333333333333333"}, {2.5, "2.5"},
	}
	for _, tt := range tests {
		d, err := NumericFromFloat64(tt.f)
		if err != nil || numText(d) != tt.want {
			t.Errorf("NumericFromFloat64(%v) = %v, %v; want %s", tt.f, d, err, tt.want)
		}
	}
	d, err := NumericFromFloat32(float32(0.1))
	if err != nil || numText(d) != "0.1" {
		t.Errorf("NumericFromFloat32(0.1) = %v, %v", d, err)
	}
	d, err = NumericFromFloat32(1234567)
	if err != nil || numText(d) != "1234570" {
		t.Errorf("NumericFromFloat32(1234567) = %v, %v", d, err)
	}
}

func TestNumericToInt(t *testing.T) {
	tests := []struct {
		in     string
		target OID
		want   int64
		code   pgerr.Code
		msg    string
	}{
		{"2.5", Int8OID, 3, "", ""},
		{"-2.5", Int8OID, -3, "", ""},
		{"2.4999", Int4OID, 2, "", ""},
		{"9223372036854775807", Int8OID, math.MaxInt64, "", ""},
		{"-9223372036854775808", Int8OID, math.MinInt64, "", ""},
		{"-9223372036854775808.5", Int8OID, 0, pgerr.NumericValueOutOfRange, "bigint out of range"},
		{"9223372036854775807.5", Int8OID, 0, pgerr.NumericValueOutOfRange, "bigint out of range"},
		{"2147483647.5", Int4OID, 0, pgerr.NumericValueOutOfRange, "integer out of range"},
		{"32767.5", Int2OID, 0, pgerr.NumericValueOutOfRange, "smallint out of range"},
		{"NaN", Int8OID, 0, pgerr.FeatureNotSupported, "cannot convert NaN to bigint"},
		{"Infinity", Int4OID, 0, pgerr.FeatureNotSupported, "cannot convert infinity to integer"},
		{"1e100", Int8OID, 0, pgerr.NumericValueOutOfRange, "bigint out of range"},
	}
	for _, tt := range tests {
		got, err := NumericToInt(mustNumeric(t, tt.in), tt.target)
		if tt.code != "" {
			checkErr(t, "NumericToInt("+tt.in+")", err, tt.code, tt.msg)
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NumericToInt(%s, %d) = %d, %v; want %d", tt.in, tt.target, got, err, tt.want)
		}
	}
	if v, err := NumericToInt64(mustNumeric(t, "-0.5")); err != nil || v != -1 {
		t.Errorf("NumericToInt64(-0.5) = %d, %v", v, err)
	}
}

func TestNumericToFloat64(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"0.1", 0.1}, {"1.00000000000000000000000001", 1}, {"-2.5", -2.5},
		{"Infinity", math.Inf(1)}, {"-Infinity", math.Inf(-1)},
	}
	for _, tt := range tests {
		got, err := NumericToFloat64(mustNumeric(t, tt.in))
		if err != nil || got != tt.want {
			t.Errorf("NumericToFloat64(%s) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if got, err := NumericToFloat64(mustNumeric(t, "NaN")); err != nil || !math.IsNaN(got) {
		t.Errorf("NumericToFloat64(NaN) = %v, %v", got, err)
	}
	_, err := NumericToFloat64(mustNumeric(t, "1e400"))
	checkErr(t, "NumericToFloat64(1e400)", err, pgerr.NumericValueOutOfRange,
		`"1`+repeatZeros(400)+`" is out of range for type double precision`)
}

func repeatZeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func TestNumericCmp(t *testing.T) {
	order := []string{"-Infinity", "-1e100", "-1", "0", "0.5", "1", "1e100", "Infinity", "NaN"}
	for i, a := range order {
		for j, b := range order {
			want := cmpInt(i, j)
			if got := NumericCmp(mustNumeric(t, a), mustNumeric(t, b)); got != want {
				t.Errorf("NumericCmp(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
	if NumericCmp(mustNumeric(t, "1.0"), mustNumeric(t, "1.000")) != 0 {
		t.Error("1.0 != 1.000")
	}
}

func TestNumericScales(t *testing.T) {
	tests := []struct {
		name string
		got  func() (*apd.Decimal, error)
		want string
	}{
		{"1.50 + 1", func() (*apd.Decimal, error) { return NumericAdd(mustNumeric(t, "1.50"), NumericFromInt64(1)) }, "2.50"},
		{"2.0 * 3.00", func() (*apd.Decimal, error) { return NumericMul(mustNumeric(t, "2.0"), mustNumeric(t, "3.00")) }, "6.000"},
		{"avg(1, 2)", func() (*apd.Decimal, error) { return NumericAvgDiv(NumericFromInt64(3), 2) }, "1.5000000000000000"},
		{"1 / 3", func() (*apd.Decimal, error) { return NumericDiv(NumericFromInt64(1), NumericFromInt64(3)) }, "0.33333333333333333333"},
		{"round(2.5)", func() (*apd.Decimal, error) { return NumericRound(mustNumeric(t, "2.5"), 0) }, "3"},
		{"round(-2.5)", func() (*apd.Decimal, error) { return NumericRound(mustNumeric(t, "-2.5"), 0) }, "-3"},
		{"trunc(-2.57, 1)", func() (*apd.Decimal, error) { return NumericTrunc(mustNumeric(t, "-2.57"), 1) }, "-2.5"},
		{"sqrt(2)", func() (*apd.Decimal, error) { return NumericSqrt(NumericFromInt64(2)) }, "1.414213562373095"},
		{"-5.5 % 2", func() (*apd.Decimal, error) { return NumericMod(mustNumeric(t, "-5.5"), NumericFromInt64(2)) }, "-1.5"},
		{"-(0)", func() (*apd.Decimal, error) { return NumericNeg(NumericFromInt64(0)), nil }, "0"},
		{"abs(-1.50)", func() (*apd.Decimal, error) { return NumericAbs(mustNumeric(t, "-1.50")), nil }, "1.50"},
		{"min int64", func() (*apd.Decimal, error) { return NumericFromInt64(math.MinInt64), nil }, "-9223372036854775808"},
	}
	for _, tt := range tests {
		d, err := tt.got()
		if err != nil || numText(d) != tt.want {
			t.Errorf("%s = %v, %v; want %s", tt.name, d, err, tt.want)
		}
	}
	_, err := NumericDiv(NumericFromInt64(1), NumericFromInt64(0))
	checkErr(t, "1/0", err, pgerr.DivisionByZero, "division by zero")
	_, err = NumericMod(NumericFromInt64(1), NumericFromInt64(0))
	checkErr(t, "1%0", err, pgerr.DivisionByZero, "division by zero")
	_, err = NumericSqrt(NumericFromInt64(-1))
	checkErr(t, "sqrt(-1)", err, "2201F", "cannot take square root of a negative number")
	big := mustNumeric(t, "1e131071")
	_, err = NumericMul(big, NumericFromInt64(10))
	checkErr(t, "overflow", err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
}

// The arithmetic functions never modify their arguments.
func TestNumericImmutableArguments(t *testing.T) {
	a, b := mustNumeric(t, "-1.25"), mustNumeric(t, "0.3")
	ops := []func(){
		func() { _, _ = NumericAdd(a, b) }, func() { _, _ = NumericSub(a, b) },
		func() { _, _ = NumericMul(a, b) }, func() { _, _ = NumericDiv(a, b) },
		func() { _, _ = NumericMod(a, b) }, func() { NumericNeg(a) }, func() { NumericAbs(a) },
		func() { _, _ = NumericRound(a, 1) }, func() { _, _ = NumericTrunc(a, -1) },
		func() { _, _ = NumericSqrt(b) }, func() { _, _ = ApplyNumericTypmod(a, NumericOf(2, 1)) },
	}
	for _, op := range ops {
		op()
		if numText(a) != "-1.25" || numText(b) != "0.3" {
			t.Fatalf("arguments changed to %s, %s", numText(a), numText(b))
		}
	}
}

func TestApplyNumericTypmod(t *testing.T) {
	tests := []struct {
		in     string
		p, s   int
		want   string
		detail string
	}{
		{"123.456", 5, 2, "123.46", ""},
		{"-0.004", 5, 2, "0.00", ""},
		{"1234.5", 5, 2, "", "A field with precision 5, scale 2 must round to an absolute value less than 10^3."},
		{"0.5", 1, 1, "0.5", ""},
		{"1", 1, 1, "", "A field with precision 1, scale 1 must round to an absolute value less than 1."},
		{"Infinity", 5, 2, "", "A field with precision 5, scale 2 cannot hold an infinite value."},
		{"NaN", 5, 2, "NaN", ""},
	}
	for _, tt := range tests {
		d, err := ApplyNumericTypmod(mustNumeric(t, tt.in), NumericOf(tt.p, tt.s))
		if tt.detail != "" {
			checkErr(t, tt.in, err, pgerr.NumericValueOutOfRange, "numeric field overflow")
			if pe, ok := err.(*pgerr.Error); ok && pe.Detail != tt.detail {
				t.Errorf("%s: detail %q, want %q", tt.in, pe.Detail, tt.detail)
			}
			continue
		}
		if err != nil || numText(d) != tt.want {
			t.Errorf("numeric(%d,%d) of %s = %v, %v; want %s", tt.p, tt.s, tt.in, d, err, tt.want)
		}
	}
}
