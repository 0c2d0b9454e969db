package types

import (
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/vecgres/vecgres/kernels"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// The float16 conversions are checked against package kernels (whose
// conversions are themselves checked against F16C bit for bit): every
// binary16 value widened, and every float32 bit pattern rounded.

func TestHalfToFloat32Exhaustive(t *testing.T) {
	for h := range 1 << 16 {
		got := math.Float32bits(HalfToFloat32(uint16(h)))
		want := math.Float32bits(kernels.Float16(h).Float32())
		if got != want {
			t.Fatalf("HalfToFloat32(%#04x) = %#08x, kernels say %#08x", h, got, want)
		}
	}
}

var exhaustiveHalf = flag.Bool("exhaustive-half", false, "round all 2^32 float32 bit patterns in TestHalfFromFloat32Exhaustive (about two CPU-minutes)")

// TestHalfFromFloat32Exhaustive rounds every 251st float32 bit pattern (a
// prime stride, so every exponent and many fraction tails are reached),
// or all of them with -exhaustive-half.
func TestHalfFromFloat32Exhaustive(t *testing.T) {
	step := uint64(251)
	if *exhaustiveHalf {
		step = 1
	}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := uint64(w) * step; b < 1<<32; b += uint64(workers) * step {
				f := math.Float32frombits(uint32(b))
				got, want := halfFromFloat32(f), uint16(kernels.ToFloat16(f))
				if got != want {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("halfFromFloat32(%#08x) = %#04x, kernels say %#04x", b, got, want))
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHalfFromFloat32Edges(t *testing.T) {
	for _, tt := range []struct {
		in   float32
		want uint16
		err  string
	}{
		{0, 0x0000, ""},
		{float32(math.Copysign(0, -1)), 0x8000, ""},
		{1, 0x3c00, ""},
		{65504, 0x7bff, ""},
		{65519.996, 0x7bff, ""},
		{65520, 0, `"65520" is out of range for type halfvec`},
		{-70000, 0, `"-70000" is out of range for type halfvec`},
		{3.4028235e38, 0, `"3.4028235e+38" is out of range for type halfvec`},
		{float32(math.Inf(1)), 0x7c00, ""},
		{float32(math.Inf(-1)), 0xfc00, ""},
		{5.9604645e-08, 0x0001, ""}, // the smallest subnormal
		{2.9802322e-08, 0x0000, ""}, // half of it: a tie, to even (zero)
		{2.9802326e-08, 0x0001, ""}, // just above the tie
		{8.940697e-08, 0x0002, ""},  // 1.5 units: a tie, to even (2)
		{6.1035156e-05, 0x0400, ""}, // the smallest normal
		{6.1005354e-05, 0x0400, ""}, // the largest subnormal rounds up into it
		{1.00048828125, 0x3c00, ""}, // tie between 1 and 1+2^-10: to even
		{1.00146484375, 0x3c02, ""}, // tie between 1+2^-10 and 1+2^-9: to even
		{0.1, 0x2e66, ""},
	} {
		got, err := HalfFromFloat32(tt.in)
		if tt.err != "" {
			checkErr(t, "HalfFromFloat32", err, pgerr.NumericValueOutOfRange, tt.err)
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("HalfFromFloat32(%g) = %#04x, %v; want %#04x", tt.in, got, err, tt.want)
		}
	}
}

func TestHalfvecText(t *testing.T) {
	syntax := func(s string) string { return `invalid input syntax for type halfvec: "` + s + `"` }
	runTextCases(t, []textCase{
		{THalfvec, "[1,2.5,-3]", "[1,2.5,-3]", ""},
		{THalfvec, " [ 1 , 2 ] ", "[1,2]", ""},
		{THalfvec, "[0.1,65504,1e-5,1e-8,6e-8,-0,0x1p-3]", "[0.099975586,65504,1.001358e-05,0,5.9604645e-08,-0,0.125]", ""},
		{THalfvec, "[65519,-65519,1.00048828125,1.00146484375]", "[65504,-65504,1,1.0019531]", ""},
		{THalfvec, "[0.00006103515625,0.000060975551605224609375,0.000000059604644775390625]", "[6.1035156e-05,6.097555e-05,5.9604645e-08]", ""},
		{THalfvec, "[1e-50]", "[0]", ""},
		{HalfvecOf(2), "[1,2]", "[1,2]", ""},
		{HalfvecOf(3), "[1,2]", "expected 3 dimensions, not 2", pgerr.DataException},
		{THalfvec, "[70000]", `"70000" is out of range for type halfvec`, pgerr.NumericValueOutOfRange},
		{THalfvec, "[1, 65520 ]", `"65520" is out of range for type halfvec`, pgerr.NumericValueOutOfRange},
		{THalfvec, "[-1e39]", `"-1e39" is out of range for type halfvec`, pgerr.NumericValueOutOfRange},
		{THalfvec, "[NaN]", "NaN not allowed in halfvec", pgerr.DataException},
		{THalfvec, "[inf]", "infinite value not allowed in halfvec", pgerr.DataException},
		{THalfvec, "[]", "halfvec must have at least 1 dimension", pgerr.DataException},
		{THalfvec, "[ ]", "halfvec must have at least 1 dimension", pgerr.DataException},
		{THalfvec, "", syntax(""), pgerr.InvalidTextRepresentation},
		{THalfvec, "1,2", syntax("1,2"), pgerr.InvalidTextRepresentation},
		{THalfvec, "[1,2", syntax("[1,2"), pgerr.InvalidTextRepresentation},
		{THalfvec, "[1,]", syntax("[1,]"), pgerr.InvalidTextRepresentation},
		{THalfvec, "[1 2]", syntax("[1 2]"), pgerr.InvalidTextRepresentation},
		{THalfvec, "[1,2] x", syntax("[1,2] x"), pgerr.InvalidTextRepresentation},
		{THalfvec, "[" + strings.Repeat("1,", 16000) + "1]", "halfvec cannot have more than 16000 dimensions", pgerr.ProgramLimitExceeded},
	})
	for _, tt := range []struct{ in, detail string }{
		{"1,2", `Vector contents must start with "[".`},
		{"[1,2]x", "Junk after closing right brace."},
		{"[1,2", ""},
	} {
		_, err := ParseText(THalfvec, tt.in)
		if pe, ok := err.(*pgerr.Error); !ok || pe.Detail != tt.detail {
			t.Errorf("%q: error %v, want detail %q", tt.in, err, tt.detail)
		}
	}
	d, err := ParseText(THalfvec, "["+strings.Repeat("1,", 15999)+"1]")
	if err != nil || len(d.(Halfvec)) != 16000 {
		t.Errorf("16000 dimensions: %v", err)
	}
}

func TestHalfvecBinary(t *testing.T) {
	v := Halfvec{0x3c00, 0xc000, 0x0001}
	b, err := AppendBinary(nil, THalfvec, v)
	if err != nil {
		t.Fatal(err)
	}
	if want := "00030000" + "3c00c0000001"; hexOf(b) != want {
		t.Errorf("halfvec_send = %s, want %s", hexOf(b), want)
	}
	back, err := ParseBinary(THalfvec, b)
	if err != nil || !Equal(THalfvec, back, v) {
		t.Errorf("round trip: %v, %v", back, err)
	}
	for _, tt := range []struct {
		hex, msg string
		code     pgerr.Code
		typ      T
	}{
		{"0001", "insufficient data left in message", pgerr.ProtocolViolation, THalfvec},
		{"000000000000", "halfvec must have at least 1 dimension", pgerr.DataException, THalfvec},
		{"3e810000", "halfvec cannot have more than 16000 dimensions", pgerr.ProgramLimitExceeded, THalfvec},
		{"000100013c00", "expected unused to be 0, not 1", pgerr.DataException, THalfvec},
		{"00010000", "insufficient data left in message", pgerr.ProtocolViolation, THalfvec},
		{"000100007e00", "NaN not allowed in halfvec", pgerr.DataException, THalfvec},
		{"00010000fc00", "infinite value not allowed in halfvec", pgerr.DataException, THalfvec},
		{"000100003c0000", "incorrect binary data format", pgerr.InvalidBinaryRepresentation, THalfvec},
		{"000100003c00", "expected 2 dimensions, not 1", pgerr.DataException, HalfvecOf(2)},
	} {
		_, err := ParseBinary(tt.typ, unhex(t, tt.hex))
		checkErr(t, "halfvec_recv "+tt.hex, err, tt.code, tt.msg)
	}
}

func TestHalfvecCompareHash(t *testing.T) {
	parse := func(s string) Datum {
		d, err := ParseText(THalfvec, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	ordered := []string{"[-2]", "[-1,5]", "[-0]", "[0,0]", "[0,1]", "[1]", "[1,-1]", "[1,0]", "[1,0,0]", "[65504]"}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if a == "[-0]" && b == "[0,0]" || a == "[0,0]" && b == "[-0]" {
				continue
			}
			if got := Compare(THalfvec, parse(a), parse(b)); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
	if !Equal(THalfvec, parse("[-0,1]"), parse("[0,1]")) || hashOf(THalfvec, parse("[-0,1]")) != hashOf(THalfvec, parse("[0,1]")) {
		t.Error("[-0,1] and [0,1] must be equal and hash alike")
	}
	if hashOf(THalfvec, parse("[1,2]")) == hashOf(THalfvec, parse("[2,1]")) {
		t.Error("[1,2] and [2,1] hash alike")
	}
}

func TestHalfvecCasts(t *testing.T) {
	for _, tt := range []struct {
		from    T
		in      string
		to      T
		want    string
		code    pgerr.Code
		context CastContext
	}{
		{TVector, "[1,2.5]", THalfvec, "[1,2.5]", "", CastImplicit},
		{TVector, "[0.1]", THalfvec, "[0.099975586]", "", CastImplicit},
		{TVector, "[70000]", THalfvec, `"70000" is out of range for type halfvec`, pgerr.NumericValueOutOfRange, CastImplicit},
		{TVector, "[1,2]", HalfvecOf(3), "expected 3 dimensions, not 2", pgerr.DataException, CastImplicit},
		{THalfvec, "[1,2.5]", TVector, "[1,2.5]", "", CastAssignment},
		{THalfvec, "[1,2]", VectorOf(3), "expected 3 dimensions, not 2", pgerr.DataException, CastAssignment},
		{THalfvec, "[1.1]", Of(Float4ArrayOID), "{1.0996094}", "", CastAssignment},
		{THalfvec, "[1,0,-0,2]", TSparsevec, "{1:1,4:2}/4", "", CastImplicit},
		{TSparsevec, "{1:1.5,3:-2}/3", THalfvec, "[1.5,0,-2]", "", CastAssignment},
		{TSparsevec, "{1:70000}/3", THalfvec, `"70000" is out of range for type halfvec`, pgerr.NumericValueOutOfRange, CastAssignment},
		{TSparsevec, "{1:1}/16001", THalfvec, "halfvec cannot have more than 16000 dimensions", pgerr.ProgramLimitExceeded, CastAssignment},
		{Of(Int4ArrayOID), "{1,2}", THalfvec, "[1,2]", "", CastAssignment},
		{Of(Int4ArrayOID), "{70000}", THalfvec, `"70000" is out of range for type halfvec`, pgerr.NumericValueOutOfRange, CastAssignment},
		{Of(Int4ArrayOID), "{1,NULL}", THalfvec, "array must not contain nulls", pgerr.NullValueNotAllowed, CastAssignment},
		{Of(Int4ArrayOID), "{}", THalfvec, "halfvec must have at least 1 dimension", pgerr.DataException, CastAssignment},
		{Of(Float8ArrayOID), "{1e300}", THalfvec, "infinite value not allowed in halfvec", pgerr.DataException, CastAssignment},
		{Of(Float8ArrayOID), "{NaN}", THalfvec, "NaN not allowed in halfvec", pgerr.DataException, CastAssignment},
		{Of(Float4ArrayOID), "{0.5,2}", HalfvecOf(2), "[0.5,2]", "", CastAssignment},
		{Of(NumericArrayOID), "{1.5,70000}", THalfvec, `"70000" is out of range for type halfvec`, pgerr.NumericValueOutOfRange, CastAssignment},
		{THalfvec, "[1,2]", TText, "[1,2]", "", CastAssignment},
	} {
		name := tt.from.String() + " " + tt.in + " -> " + tt.to.String()
		if c, ok := CastContextOf(tt.from.OID, tt.to.OID); !ok || c != tt.context {
			t.Errorf("%s: context %v %v, want %v", name, c, ok, tt.context)
		}
		d, err := ParseText(tt.from, tt.in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v, err := Cast(d, tt.from, tt.to, false)
		if tt.code != "" {
			checkErr(t, name, err, tt.code, tt.want)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := FormatText(tt.to, v, nil); got != tt.want {
			t.Errorf("%s = %s, want %s", name, got, tt.want)
		}
	}
	if _, ok := CastContextOf(TextArrayOID, HalfvecOID); ok {
		t.Error("text[] casts to halfvec")
	}
}

func TestHalfvecTypmod(t *testing.T) {
	for _, tt := range []struct {
		mods []int64
		want string
		code pgerr.Code
	}{
		{[]int64{3}, "halfvec(3)", ""},
		{[]int64{16000}, "halfvec(16000)", ""},
		{[]int64{16001}, "dimensions for type halfvec cannot exceed 16000", pgerr.InvalidParameterValue},
		{[]int64{0}, "dimensions for type halfvec must be at least 1", pgerr.InvalidParameterValue},
		{[]int64{1, 2}, "invalid type modifier", pgerr.InvalidParameterValue},
	} {
		got, err := WithTypmod(HalfvecOID, tt.mods)
		if tt.code != "" {
			checkErr(t, "halfvec typmod", err, tt.code, tt.want)
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("WithTypmod(halfvec, %v) = %s, %v", tt.mods, got, err)
		}
	}
}
