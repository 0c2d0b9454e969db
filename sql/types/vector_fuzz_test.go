package types

import (
	"errors"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Fuzz targets for the text parsers of pgvector's halfvec and sparsevec
// and PostgreSQL's bit strings (FuzzVector, in fuzz_test.go, covers
// vector). Besides fuzzRoundTrip's checks (no panic, only PostgreSQL
// errors, parse -> print -> parse is stable, binary round trip), each
// checks what else must hold of the value: halfvec agrees with vector's
// parser rounded to binary16, a sparsevec keeps its invariants and
// survives a trip through vector, a bit string's pad bits are zero and
// its text is its digits. Seeds are in testdata/fuzz/<target>; crashers
// found are kept there.

// isPGError fails t unless err is a *pgerr.Error with a code and message.
func isPGError(t *testing.T, what string, err error) {
	t.Helper()
	var pe *pgerr.Error
	if !errors.As(err, &pe) || pe.Code == "" || pe.Message == "" {
		t.Fatalf("%s: error %#v is not a PostgreSQL error", what, err)
	}
}

func FuzzHalfvec(f *testing.F) {
	for _, s := range []string{"[1,2,3]", " [ 1e-7 , -0 ] ", "[0x1p-3]", "[65504]", "[65520]", "[-65519.99]",
		"[5.9604645e-08]", "[2.9802322e-08]", "[1e39]", "[1e-50]", "[nan]", "[inf]", "[1,]", "[1]x", "[]", "[1.00048828125]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzRoundTrip(t, THalfvec, s)
		h, herr := ParseText(THalfvec, s)
		v, verr := ParseText(TVector, s)
		if herr != nil {
			isPGError(t, "halfvec "+s, herr)
		}
		if herr == nil && verr == nil {
			// Both parse: halfvec's elements are vector's rounded.
			hv, vv := h.(Halfvec), v.(Vector)
			if len(hv) != len(vv) {
				t.Fatalf("%q: halfvec has %d elements, vector %d", s, len(hv), len(vv))
			}
			for i := range hv {
				if want := halfFromFloat32(vv[i]); hv[i] != want {
					t.Fatalf("%q element %d: halfvec %#04x, vector %g rounds to %#04x", s, i, hv[i], vv[i], want)
				}
			}
		}
		if verr == nil {
			// What vector reads and binary16 can hold, halfvec reads too.
			want, err := HalfvecFromFloat32s(v.(Vector))
			if err == nil {
				if herr != nil {
					t.Fatalf("%q: vector %v converts to halfvec, but halfvec input fails: %v", s, v, herr)
				}
				if !Equal(THalfvec, h, want) {
					t.Fatalf("%q: halfvec input %v, vector cast %v", s, h, want)
				}
			}
		}
		if herr == nil {
			n := len(h.(Halfvec))
			if _, err := ParseText(HalfvecOf(n), s); err != nil {
				t.Fatalf("%q: halfvec(%d) rejects it: %v", s, n, err)
			}
			if _, err := ParseText(HalfvecOf(n+1), s); pgerr.CodeOf(err) != pgerr.DataException {
				t.Fatalf("%q: halfvec(%d) gives %v, want a dimension error", s, n+1, err)
			}
			for _, e := range h.(Halfvec) {
				if err := CheckHalfvecElement(e); err != nil {
					t.Fatalf("%q: parsed element %#04x: %v", s, e, err)
				}
			}
		}
	})
}

func FuzzSparsevec(f *testing.F) {
	for _, s := range []string{"{1:1.5,3:2}/5", " { 3 : 2 , 1:1.5 } / 5 ", "{}/3", "{1:0,2:-0,3:1}/3", "{+1:1}/+3",
		"{1:1,1:2}/3", "{0:1}/3", "{4:1}/3", "{99999999999999999999:1}/3", "{1:1}/0", "{1:1}/1000000001",
		"{1:nan}/2", "{1:1e39}/2", "{1:1e-50}/2", "{1:1}", "{1:1}/3x", "{1:1,}/3", "{,}/3", "{1:1}/16001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzRoundTrip(t, TSparsevec, s)
		d, err := ParseText(TSparsevec, s)
		if err != nil {
			isPGError(t, "sparsevec "+s, err)
			return
		}
		v := d.(Sparsevec)
		if err := CheckSparsevec(v); err != nil {
			t.Fatalf("%q: parsed %s breaks an invariant: %v", s, FormatText(TSparsevec, v, nil), err)
		}
		if v.Dim > VectorMaxDim {
			return
		}
		dense, err := Cast(v, TSparsevec, TVector, true)
		if err != nil {
			t.Fatalf("%q: to vector: %v", s, err)
		}
		back, err := Cast(dense, TVector, TSparsevec, true)
		if err != nil || !Equal(TSparsevec, v, back) || Compare(TSparsevec, v, back) != 0 {
			t.Fatalf("%q: through vector %v comes back as %v (%v)", s, dense, back, err)
		}
	})
}

func FuzzBit(f *testing.F) {
	for _, s := range []string{"1010", "b1010", "B", "x1F", "X1f", "", "x", "1012", "x1g", "b10x", "0000000011",
		strings.Repeat("1", 65), "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzRoundTrip(t, TBit, s)
		fuzzRoundTrip(t, TVarbit, s)
		d, err := ParseText(TBit, s)
		if err != nil {
			isPGError(t, "bit "+s, err)
			return
		}
		b := d.(Bits)
		if len(b.Data) != int((int64(b.Len)+7)/8) {
			t.Fatalf("%q: %d bits in %d bytes", s, b.Len, len(b.Data))
		}
		if r := b.Len % 8; r != 0 && b.Data[len(b.Data)-1]&(0xff>>r) != 0 {
			t.Fatalf("%q: pad bits set in %08b", s, b.Data[len(b.Data)-1])
		}
		text := FormatText(TBit, b, nil)
		switch {
		case s != "" && (s[0] == 'x' || s[0] == 'X'):
			if len(text) != 4*(len(s)-1) {
				t.Fatalf("%q: %d hex digits print as %d bits", s, len(s)-1, len(text))
			}
		case s != "" && (s[0] == 'b' || s[0] == 'B'):
			if text != s[1:] {
				t.Fatalf("%q prints as %q", s, text)
			}
		default:
			if text != s {
				t.Fatalf("%q prints as %q", s, text)
			}
		}
		if b.OnesCount() != strings.Count(text, "1") {
			t.Fatalf("%q: bit_count %d, text %q", s, b.OnesCount(), text)
		}
		// An explicit cast to bit(n) pads or truncates to exactly n bits,
		// keeping the common prefix.
		for _, n := range []int{1, 7, 8, 9, 70} {
			c, err := Cast(b, TBit, BitOf(n), true)
			if err != nil {
				t.Fatalf("%q::bit(%d): %v", s, n, err)
			}
			got := FormatText(BitOf(n), c, nil)
			want := (text + strings.Repeat("0", n))[:n]
			if got != want {
				t.Fatalf("%q::bit(%d) = %q, want %q", s, n, got, want)
			}
		}
	})
}

// FuzzVectorFamilyBinary feeds arbitrary bytes to the recv functions of
// halfvec, sparsevec, bit and varbit: they must fail cleanly or give a
// value that round-trips.
func FuzzVectorFamilyBinary(f *testing.F) {
	f.Add(uint8(0), []byte{0, 2, 0, 0, 0x3c, 0x00, 0xc0, 0x00})
	f.Add(uint8(1), []byte{0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0x3f, 0x80, 0, 0})
	f.Add(uint8(2), []byte{0, 0, 0, 4, 0xa0})
	f.Add(uint8(3), []byte{0, 0, 0, 9, 0xff, 0xff})
	types := []T{THalfvec, TSparsevec, TBit, TVarbit, HalfvecOf(2), SparsevecOf(5)}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		typ := types[int(which)%len(types)]
		d, err := ParseBinary(typ, b)
		if err != nil {
			isPGError(t, "binary "+typ.String(), err)
			return
		}
		out, err := AppendBinary(nil, typ, d)
		if err != nil {
			t.Fatalf("AppendBinary(%s): %v", typ, err)
		}
		back, err := ParseBinary(typ, out)
		if err != nil || !Equal(typ, d, back) {
			t.Fatalf("%s %x: binary round trip via %x: %v", typ, b, out, err)
		}
		text := FormatText(typ, d, nil)
		fromText, err := ParseText(typ, text)
		if err != nil || !Equal(typ, d, fromText) {
			t.Fatalf("%s %x: prints %q, which parses to %v (%v)", typ, b, text, fromText, err)
		}
	})
}
