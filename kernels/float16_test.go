package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

func sameFloat32Bits(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }

// TestFloat16Decode checks every float16 value: Float32 against the
// definition, and each set's slice conversion against Float32 bit for bit
// (NaNs included: sign and payload kept, made quiet).
func TestFloat16Decode(t *testing.T) {
	all := make([]Float16, 1<<16)
	for i := range all {
		all[i] = Float16(i)
	}
	for _, h := range all {
		got, want := h.Float32(), refHalf(h)
		if math.IsNaN(want) {
			wantBits := uint32(h&0x8000)<<16 | 0x7fc00000 | uint32(h&0x3ff)<<13
			if math.Float32bits(got) != wantBits {
				t.Fatalf("Float16(%#04x).Float32() = %#08x, want NaN %#08x", uint16(h), math.Float32bits(got), wantBits)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want) {
			t.Fatalf("Float16(%#04x).Float32() = %v, want %v", uint16(h), got, want)
		}
	}
	for _, s := range testSets() {
		for _, off := range []int{0, 1, 3} {
			dst := make([]float32, len(all)-off)
			s.decodeF16(dst, all[off:])
			for i, h := range all[off:] {
				if !sameFloat32Bits(dst[i], h.Float32()) {
					t.Fatalf("%s decodeF16(%#04x) = %#08x, want %#08x", s.name, uint16(h), math.Float32bits(dst[i]), math.Float32bits(h.Float32()))
				}
			}
		}
	}
}

// float32Samples returns float32s around every float16 rounding boundary:
// for each sign, exponent and top ten fraction bits, the lower thirteen bits
// just below, at and just above the halfway point and at the ends, plus the
// special values; about 3.7 million values.
func float32Samples() []float32 {
	lows := []uint32{0, 1, 0x0fff, 0x1000, 0x1001, 0x1fff, 0x0800, 0x1800}
	out := make([]float32, 0, (1<<19)*len(lows)+len(edgeFloat32s))
	for top := range uint32(1 << 19) {
		for _, low := range lows {
			out = append(out, math.Float32frombits(top<<13|low))
		}
	}
	return append(out, edgeFloat32s...)
}

// TestFloat16Encode checks ToFloat16 against the nearest-value search of
// refToHalf, and each set's slice conversion against ToFloat16 bit for bit.
func TestFloat16Encode(t *testing.T) {
	samples := float32Samples()
	for _, f := range samples {
		got := ToFloat16(f)
		if math.IsNaN(float64(f)) {
			b := math.Float32bits(f)
			want := Float16(b>>16)&0x8000 | 0x7e00 | Float16(b>>13)&0x3ff
			if got != want {
				t.Fatalf("ToFloat16(NaN %#08x) = %#04x, want %#04x", b, uint16(got), uint16(want))
			}
			continue
		}
		if want := refToHalf(f); got != want {
			t.Fatalf("ToFloat16(%v = %#08x) = %#04x, want %#04x", f, math.Float32bits(f), uint16(got), uint16(want))
		}
	}
	for _, s := range testSets() {
		for _, off := range []int{0, 1, 3} {
			dst := make([]Float16, len(samples)-off)
			s.encodeF16(dst, samples[off:])
			for i, f := range samples[off:] {
				if want := ToFloat16(f); dst[i] != want {
					t.Fatalf("%s encodeF16(%#08x) = %#04x, want %#04x", s.name, math.Float32bits(f), uint16(dst[i]), uint16(want))
				}
			}
		}
	}
}

func TestToFloat16Checked(t *testing.T) {
	inf := float32(math.Inf(1))
	tests := []struct {
		f    float32
		want Float16
		ok   bool
	}{
		{0, 0, true},
		{1, 0x3c00, true},
		{-2, 0xc000, true},
		{65504, 0x7bff, true},
		{65519.996, 0x7bff, true}, // rounds down to the largest float16
		{65520, 0x7c00, false},    // the tie rounds to even, which is Inf
		{-1e6, 0xfc00, false},
		{math.MaxFloat32, 0x7c00, false},
		{inf, 0x7c00, true},
		{-inf, 0xfc00, true},
		{0x1p-24, 0x0001, true}, // smallest subnormal
		{0x1p-25, 0x0000, true}, // the tie rounds to even, zero
		{0x1.8p-25, 0x0001, true},
		{0x1p-14, 0x0400, true}, // smallest normal
		{0.1, 0x2e66, true},
		{1.0009765625, 0x3c01, true},
		{1.00048828125, 0x3c00, true}, // tie between 0x3c00 and 0x3c01: even
		{1.00146484375, 0x3c02, true}, // tie between 0x3c01 and 0x3c02: even
	}
	for _, tt := range tests {
		got, ok := ToFloat16Checked(tt.f)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ToFloat16Checked(%v) = %#04x, %v; want %#04x, %v", tt.f, uint16(got), ok, uint16(tt.want), tt.ok)
		}
	}
}

func TestEncodeFloat16Overflow(t *testing.T) {
	tests := []struct {
		src  []float32
		want int
	}{
		{nil, -1},
		{[]float32{1, 2, 3}, -1},
		{[]float32{1, float32(math.Inf(-1)), 65504, float32(math.NaN())}, -1},
		{[]float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 70000, 1e30}, 9},
		{[]float32{-65520, 1}, 0},
	}
	for _, tt := range tests {
		dst := make([]Float16, len(tt.src))
		if got := EncodeFloat16(dst, tt.src); got != tt.want {
			t.Errorf("EncodeFloat16(%v) = %d, want %d", tt.src, got, tt.want)
		}
		back := make([]float32, len(dst))
		DecodeFloat16(back, dst)
		for i := range back {
			if want := ToFloat16(tt.src[i]).Float32(); !sameFloat32Bits(back[i], want) {
				t.Errorf("round trip of %v = %v, want %v", tt.src[i], back[i], want)
			}
		}
	}
}

// checkFloat16 compares every float16 kernel of s on a and b with the
// reference loops on the widened values, and its batch forms with its
// single forms.
func checkFloat16(t testing.TB, s *set, a, b []Float16) {
	t.Helper()
	n := len(a)
	fa, fb := f16sToF32s(a), f16sToF32s(b)
	l2, absDot, l1, normA, normB := absSums(fa, fb)
	what := func(f string) string { return fmt.Sprintf("%s %s n=%d", s.name, f, n) }

	checkSum(t, what("l2SquaredF16"), n, l2, s.l2SquaredF16(a, b), refL2Squared(fa, fb))
	checkSum(t, what("dotF16"), n, absDot, s.dotF16(a, b), refDot(fa, fb))
	checkSum(t, what("l1F16"), n, l1, s.l1F16(a, b), refL1(fa, fb))
	dot, na, nb := s.cosineF16(a, b)
	rdot, rna, rnb := refCosine(fa, fb)
	checkSum(t, what("cosineF16 dot"), n, absDot, dot, rdot)
	checkSum(t, what("cosineF16 normA"), n, normA, na, rna)
	checkSum(t, what("cosineF16 normB"), n, normB, nb, rnb)
	var exactDot float64
	for i := range fa {
		exactDot += float64(fa[i]) * float64(fb[i])
	}
	checkCosine(t, what("cosineF16 distance"), n, exactDot, absDot, normA, normB,
		cosineDistance(dot, na, nb), cosineDistance(rdot, rna, rnb))

	vecs := append(append(append([]Float16{}, a...), b...), b...)
	checkBatchFloat16(t, s, b, vecs)
}

func checkBatchFloat16(t testing.TB, s *set, q, vecs []Float16) {
	t.Helper()
	d := len(q)
	k := 0
	if d > 0 {
		k = len(vecs) / d
	}
	vecs = vecs[:k*d]
	dst := make([]float32, k)
	dst64 := make([]float64, k)
	vec := func(i int) []Float16 { return vecs[i*d : (i+1)*d] }
	same32 := func(f string, got, want float32, i int) {
		if !sameFloat32Bits(got, want) && !(got != got && want != want) {
			t.Fatalf("%s %s batch d=%d vector %d: got %v, single form gives %v", s.name, f, d, i, got, want)
		}
	}
	s.l2SquaredBatchF16(dst, q, vecs)
	for i := range dst {
		same32("l2SquaredF16", dst[i], s.l2SquaredF16(q, vec(i)), i)
	}
	s.dotBatchF16(dst, q, vecs)
	for i := range dst {
		same32("dotF16", dst[i], s.dotF16(q, vec(i)), i)
	}
	s.l1BatchF16(dst, q, vecs)
	for i := range dst {
		same32("l1F16", dst[i], s.l1F16(q, vec(i)), i)
	}
	s.cosineBatchF16(dst64, q, vecs)
	for i, p := range uint64View(dst64) {
		dot, na, nb := s.cosineF16(q, vec(i))
		same32("cosineF16 dot", math.Float32frombits(uint32(p)), dot, i)
		same32("cosineF16 normB", math.Float32frombits(uint32(p>>32)), nb, i)
		_, _, nq := s.cosineF16(q, q)
		same32("cosineF16 normQ", nq, na, i)
	}
}

func randFloat16s(off, n int, scale float32, rf func() float32) []Float16 {
	h := make([]Float16, off+n)
	for i := range h {
		h[i] = ToFloat16((2*rf() - 1) * scale)
	}
	return h[off:]
}

func TestFloat16Random(t *testing.T) {
	for _, s := range testSets() {
		t.Run(s.name, func(t *testing.T) {
			r := newRand(4)
			for _, n := range testLengths() {
				for _, off := range []int{0, 1, 3} {
					for _, scale := range []float32{1, 1e-4, 60000} {
						checkFloat16(t, s, randFloat16s(off, n, scale, r.Float32), randFloat16s(off+1, n, scale, r.Float32))
					}
				}
			}
		})
	}
}

// edgeFloat16s are zeros, subnormals, the largest finite values,
// infinities and NaNs.
var edgeFloat16s = []Float16{0, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xfe00}

func TestFloat16EdgeValues(t *testing.T) {
	for _, s := range testSets() {
		t.Run(s.name, func(t *testing.T) {
			r := newRand(5)
			for _, n := range []int{1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 300, 1000} {
				for _, p := range []float64{0.05, 0.5, 1} {
					for range 20 {
						a, b := make([]Float16, n), make([]Float16, n)
						for i := range n {
							a[i], b[i] = ToFloat16(2*r.Float32()-1), ToFloat16(2*r.Float32()-1)
							if r.Float64() < p {
								a[i] = edgeFloat16s[r.IntN(len(edgeFloat16s))]
							}
							if r.Float64() < p {
								b[i] = edgeFloat16s[r.IntN(len(edgeFloat16s))]
							}
						}
						checkFloat16(t, s, a, b)
					}
				}
			}
		})
	}
}

// TestFloat16API checks the exported float16 functions against the active
// set and the float64 finishing steps.
func TestFloat16API(t *testing.T) {
	r := newRand(6)
	for _, d := range []int{0, 1, 5, 96, 769} {
		q := randFloat16s(0, d, 1, r.Float32)
		const n = 5
		vecs := randFloat16s(1, n*d, 1, r.Float32)
		got32, got64 := make([]float32, n), make([]float64, n)
		for _, tt := range []struct {
			name   string
			batch  func(dst []float32, q, vecs []Float16)
			single func(a, b []Float16) float32
		}{{"L2SquaredBatchF16", L2SquaredBatchF16, L2SquaredF16}, {"DotBatchF16", DotBatchF16, DotF16}, {"L1BatchF16", L1BatchF16, L1F16}} {
			tt.batch(got32, q, vecs)
			for i := range n {
				if want := tt.single(q, vecs[i*d:(i+1)*d]); got32[i] != want {
					t.Errorf("%s d=%d [%d] = %v, want %v", tt.name, d, i, got32[i], want)
				}
			}
		}
		L2BatchF16(got64, q, vecs)
		for i := range n {
			v := vecs[i*d : (i+1)*d]
			if want := math.Sqrt(float64(active.l2SquaredF16(q, v))); got64[i] != want || L2F16(q, v) != want {
				t.Errorf("L2BatchF16 d=%d [%d] = %v, L2F16 = %v, want %v", d, i, got64[i], L2F16(q, v), want)
			}
		}
		CosineDistanceBatchF16(got64, q, vecs)
		for i := range n {
			want := CosineDistanceF16(q, vecs[i*d:(i+1)*d])
			if got64[i] != want && !(math.IsNaN(want) && math.IsNaN(got64[i])) {
				t.Errorf("CosineDistanceBatchF16 d=%d [%d] = %v, want %v", d, i, got64[i], want)
			}
		}
	}
}

// FuzzFloat16 compares every set's float16 kernels with the reference loops
// on vectors made of the fuzzer's bytes, two bytes an element.
func FuzzFloat16(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x00, 0x3c, 0x00, 0x40})
	f.Add([]byte{0x00, 0x3c, 0xff, 0x7b, 0x00, 0x7c, 0x01, 0x00, 0x00, 0x7e, 0x00, 0x80, 0x00, 0x3c, 0x00, 0x40,
		0x00, 0x3c, 0xff, 0x7b, 0x00, 0x7c, 0x01, 0x00, 0x00, 0x7e, 0x00, 0x80, 0x00, 0x3c, 0x00, 0x40, 0x12, 0x34})
	f.Add(make([]byte, 2*50))
	sets := testSets()
	f.Fuzz(func(t *testing.T, data []byte) {
		n := len(data) / 4
		a, b := make([]Float16, n), make([]Float16, n)
		for i := range n {
			a[i] = Float16(binary.LittleEndian.Uint16(data[2*i:]))
			b[i] = Float16(binary.LittleEndian.Uint16(data[2*(n+i):]))
		}
		for _, s := range sets {
			checkFloat16(t, s, a, b)
		}
	})
}

// FuzzFloat16Convert checks the conversions both ways on the fuzzer's bits:
// ToFloat16 against the nearest-value search, every set's slice conversions
// against the scalar ones, and that widening a float16 and rounding it back
// gives it again.
func FuzzFloat16Convert(f *testing.F) {
	for _, b := range []uint32{0, 0x3f800000, 0x477fe000, 0x477ff000, 0x33000000, 0x7fc00001, 0xff800000, 0x387fc000} {
		f.Add(b)
	}
	sets := testSets()
	f.Fuzz(func(t *testing.T, bits uint32) {
		x := math.Float32frombits(bits)
		h := ToFloat16(x)
		if !math.IsNaN(float64(x)) {
			if want := refToHalf(x); h != want {
				t.Fatalf("ToFloat16(%#08x) = %#04x, want %#04x", bits, uint16(h), uint16(want))
			}
		}
		half := Float16(bits)
		if back := ToFloat16(half.Float32()); back != half && !(half.Float32() != half.Float32() && back|0x200 == half|0x200) {
			t.Fatalf("ToFloat16(Float16(%#04x).Float32()) = %#04x", uint16(half), uint16(back))
		}
		src := make([]float32, 11)
		for i := range src {
			src[i] = x
		}
		for _, s := range sets {
			dst := make([]Float16, len(src))
			s.encodeF16(dst, src)
			for _, got := range dst {
				if got != h {
					t.Fatalf("%s encodeF16(%#08x) = %#04x, want %#04x", s.name, bits, uint16(got), uint16(h))
				}
			}
			hs := []Float16{half, half, half, half, half, half, half, half, half}
			fs := make([]float32, len(hs))
			s.decodeF16(fs, hs)
			for _, got := range fs {
				if !sameFloat32Bits(got, half.Float32()) {
					t.Fatalf("%s decodeF16(%#04x) = %#08x, want %#08x", s.name, uint16(half), math.Float32bits(got), math.Float32bits(half.Float32()))
				}
			}
		}
	})
}
