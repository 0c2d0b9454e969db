package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// This file holds what the tests compare against: the straightforward loops
// (one float32 sum, in element order, as pgvector's C loops read), an
// independent float16 decoder, and the tolerance for comparing float sums.
//
// Tolerance. Two float32 sums of the same n terms, added in different orders
// and with or without fused multiply-adds, are each within γ(n)·Σ|tᵢ| of the
// exact sum, where γ(n) = n·ε/(1-n·ε) and ε = 2⁻²⁴ (Higham, Accuracy and
// Stability of Numerical Algorithms, §3.1 and §4.2; the product's rounding
// is included). So the tests allow
//
//	|got - want| ≤ 2·(n+2)·ε·Σ|tᵢ| + 2·(n+2)·2⁻¹⁴⁹
//
// where the second term covers rounding among subnormals, where relative
// bounds do not hold. Where Σ|tᵢ| is beyond 1e38 a sum may overflow in one
// order and not another, so only NaN-ness is compared (see checkSum).
// Cosine distances get the first-order propagation of those bounds through
// dot/sqrt(normA·normB) (see cosineTolerance). Integer counts (bits) and
// conversions are compared exactly.

const eps32 = 0x1p-24

// testSets returns every kernel set this CPU and build can run, so one
// `go test` checks all of them whatever VECGRES_KERNELS says.
func testSets() []*set { return supportedSets() }

func refL2Squared(a, b []float32) float32 {
	var s float32
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

func refDot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func refL1(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += float32(math.Abs(float64(a[i] - b[i])))
	}
	return s
}

func refCosine(a, b []float32) (dot, normA, normB float32) {
	for i := range a {
		dot += a[i] * b[i]
		normA += a[i] * a[i]
		normB += b[i] * b[i]
	}
	return dot, normA, normB
}

// The float16 references widen each element as they go, as pgvector's
// portable C loops do.

func refL2SquaredF16(a, b []Float16) float32 {
	var s float32
	for i := range a {
		d := a[i].Float32() - b[i].Float32()
		s += d * d
	}
	return s
}

func refDotF16(a, b []Float16) float32 {
	var s float32
	for i := range a {
		s += a[i].Float32() * b[i].Float32()
	}
	return s
}

func refL1F16(a, b []Float16) float32 {
	var s float32
	for i := range a {
		s += float32(math.Abs(float64(a[i].Float32() - b[i].Float32())))
	}
	return s
}

func refCosineF16(a, b []Float16) (dot, normA, normB float32) {
	for i := range a {
		x, y := a[i].Float32(), b[i].Float32()
		dot += x * y
		normA += x * x
		normB += y * y
	}
	return dot, normA, normB
}

// refHalf decodes a float16 by its definition, in float64.
func refHalf(h Float16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10)&0x1f, float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}

// refToHalf rounds f to the nearest float16 by searching the ordered
// positive float16 values, ties to the even one, and overflows to Inf from
// 65520 (halfway between the largest float16, 65504, and 2¹⁶) up.
func refToHalf(f float32) Float16 {
	x := float64(f)
	var sign Float16
	if math.Signbit(x) {
		sign, x = 0x8000, -x
	}
	switch {
	case math.IsNaN(x):
		panic("refToHalf: NaN")
	case x >= 65520:
		return sign | 0x7c00
	}
	lo, hi := Float16(0), Float16(0x7bff) // largest h with refHalf(h) <= x
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if refHalf(mid) <= x {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0x7bff {
		return sign | lo
	}
	below, above := x-refHalf(lo), refHalf(lo+1)-x
	if above < below || above == below && lo&1 == 1 {
		lo++
	}
	return sign | lo
}

func f16sToF32s(h []Float16) []float32 {
	f := make([]float32, len(h))
	for i, v := range h {
		f[i] = float32(refHalf(v))
	}
	return f
}

func sumTolerance(n int, absSum float64) float64 {
	return 2*float64(n+2)*eps32*absSum + 2*float64(n+2)*0x1p-149
}

// absSums returns Σ|tᵢ| in float64 for the terms of L2Squared, Dot and L1
// and for a's and b's squared norms.
func absSums(a, b []float32) (l2, dot, l1, normA, normB float64) {
	for i := range a {
		d := float64(a[i] - b[i]) // the kernels round the difference too
		x, y := float64(a[i]), float64(b[i])
		l2 += d * d
		dot += math.Abs(x * y)
		l1 += math.Abs(d)
		normA += x * x
		normB += y * y
	}
	return
}

// checkSum compares a kernel's float32 sum of n terms with the reference's.
func checkSum(t testing.TB, what string, n int, absSum float64, got, want float32) {
	t.Helper()
	if math.IsNaN(float64(want)) || math.IsNaN(float64(got)) {
		if math.IsNaN(float64(want)) != math.IsNaN(float64(got)) && absSum <= 1e38 {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
		return
	}
	if absSum > 1e38 || math.IsInf(absSum, 0) {
		return
	}
	if d := math.Abs(float64(got) - float64(want)); d > sumTolerance(n, absSum) {
		t.Fatalf("%s: got %v, want %v (off by %g, tolerance %g)", what, got, want, d, sumTolerance(n, absSum))
	}
}

// cosineTolerance bounds the difference between two cosine distances whose
// float32 sums each carry sumTolerance, to first order.
func cosineTolerance(n int, dot, absDot, normA, normB float64) float64 {
	s := math.Abs(dot) / math.Sqrt(normA*normB)
	tolDot := sumTolerance(n, absDot)
	return 1.01*(tolDot/math.Sqrt(normA*normB)+s*(sumTolerance(n, normA)/normA+sumTolerance(n, normB)/normB)/2) + 1e-15
}

// checkCosine compares a cosine distance with the reference's for vectors
// of n elements with the given float64 sums.
func checkCosine(t testing.TB, what string, n int, dot, absDot, normA, normB float64, got, want float64) {
	t.Helper()
	if math.IsNaN(want) || math.IsNaN(got) {
		// A norm that is zero or subnormal in float32 may round to zero in
		// one order and not another.
		if math.IsNaN(want) != math.IsNaN(got) && normA > 1e-30 && normB > 1e-30 && normA < 1e38 && normB < 1e38 {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
		return
	}
	if normA < 1e-30 || normB < 1e-30 || normA > 1e38 || normB > 1e38 || absDot > 1e38 {
		return
	}
	tol := cosineTolerance(n, dot, absDot, normA, normB)
	if d := math.Abs(got - want); d > tol {
		t.Fatalf("%s: got %v, want %v (off by %g, tolerance %g)", what, got, want, d, tol)
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// randFloat32s returns n values in [-scale, scale) after off unused ones, so
// that the slice starts off elements into its backing array (unaligned).
func randFloat32s(r *rand.Rand, off, n int, scale float32) []float32 {
	s := make([]float32, off+n)
	for i := range s {
		s[i] = (2*r.Float32() - 1) * scale
	}
	return s[off:]
}

// edgeFloat32s are values that stress the kernels: zeros of both signs,
// subnormals, the extremes of the normal range, infinities and NaN.
var edgeFloat32s = []float32{
	0, float32(math.Copysign(0, -1)),
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 0x1p-140, 0x1.fffffcp-127,
	0x1p-126, 1, -1, 0.1, 65504, 65520, -65536,
	1e19, -1e19, 1e20, 3e38, -3e38, math.MaxFloat32, -math.MaxFloat32,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
}

// edgeVector returns n values, each an edge value with probability p and
// otherwise uniform in [-1, 1).
func edgeVector(r *rand.Rand, n int, p float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		if r.Float64() < p {
			v[i] = edgeFloat32s[r.IntN(len(edgeFloat32s))]
		} else {
			v[i] = 2*r.Float32() - 1
		}
	}
	return v
}

// testLengths are every length from 0 to 300 and some long ones.
func testLengths() []int {
	n := make([]int, 0, 305)
	for i := range 301 {
		n = append(n, i)
	}
	return append(n, 1000, 4096, 16000, 16001)
}
