package types

import (
	"math"
	"testing"
)

func TestScanFloat(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"1", 1}, {"-1.5e3x", 6}, {"1e", 1}, {"1e+", 1}, {".5", 2}, {"5.", 2}, {".", 0}, {"-", 0},
		{"0x1p-2", 6}, {"0x1.8", 5}, {"0x", 1}, {"0xg", 1}, {"inf", 3}, {"-Infinity", 9},
		{"infinit", 3}, {"nan", 3}, {"NaN(abc)", 8}, {"nan(", 3}, {"e5", 0}, {"", 0},
	}
	for _, tt := range tests {
		if got := scanFloat(tt.in); got != tt.want {
			t.Errorf("scanFloat(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestStrtod(t *testing.T) {
	tests := []struct {
		in       string
		bits     int
		want     float64
		rangeErr bool
	}{
		{"1.5", 64, 1.5, false},
		{"0x10", 64, 16, false},
		{"0x1p-1", 64, 0.5, false},
		{"1e400", 64, math.Inf(1), true},
		{"-1e400", 64, math.Inf(-1), true},
		{"1e-400", 64, 0, true},
		{"0e-400", 64, 0, false},
		{"4.9e-324", 64, 5e-324, false},
		{"1e39", 32, math.Inf(1), true},
		{"1e-46", 32, 0, true},
		{"1e-45", 32, float64(float32(1e-45)), false},
		{"-inf", 32, math.Inf(-1), false},
	}
	for _, tt := range tests {
		got, rangeErr := strtod(tt.in, tt.bits)
		if bits := tt.bits; bits == 32 && !rangeErr {
			got = float64(float32(got))
		}
		if got != tt.want || rangeErr != tt.rangeErr {
			t.Errorf("strtod(%q, %d) = %v, %v; want %v, %v", tt.in, tt.bits, got, rangeErr, tt.want, tt.rangeErr)
		}
	}
}

func TestAppendCG(t *testing.T) {
	tests := []struct {
		f      float64
		digits int
		want   string
	}{
		{0.1, 15, "0.1"}, {100, 15, "100"}, {1e15, 15, "1e+15"}, {123456, 6, "123456"},
		{1234567, 6, "1.23457e+06"}, {0.0001, 15, "0.0001"}, {0.00001234, 3, "1.23e-05"},
		{1e100, 17, "1e+100"}, {math.Copysign(0, -1), 15, "-0"}, {9.9999999, 3, "10"}, {99999.5, 5, "1e+05"},
	}
	for _, tt := range tests {
		if got := formatCG(tt.f, tt.digits); got != tt.want {
			t.Errorf("%%.%dg of %v = %q, want %q", tt.digits, tt.f, got, tt.want)
		}
	}
}
