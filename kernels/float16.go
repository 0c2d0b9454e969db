package kernels

import "math"

// Float16 is an IEEE 754 binary16 value (1 sign bit, 5 exponent bits, 10
// fraction bits), the element type of pgvector's halfvec, held as its bits.
type Float16 uint16

// Float32 returns h as a float32, which holds every Float16 exactly. A NaN
// keeps its sign and payload and comes out quiet, as F16C's VCVTPH2PS does.
func (h Float16) Float32() float32 {
	sign := uint32(h&0x8000) << 16
	// Exponent and fraction moved to float32's places: as a float32 this is
	// h's magnitude times 2⁻¹¹², subnormals included, and the multiply by
	// 2¹¹² below is exact.
	bits := uint32(h&0x7fff) << 13
	switch {
	case bits > 0x7c00<<13:
		return math.Float32frombits(sign | 0x7fc00000 | bits) // NaN
	case bits == 0x7c00<<13:
		return math.Float32frombits(sign | 0x7f800000) // Inf
	}
	return math.Float32frombits(sign | math.Float32bits(math.Float32frombits(bits)*0x1p112))
}

// ToFloat16 rounds f to the nearest Float16, ties to even, as F16C's
// VCVTPS2PH does. Finite values too large for float16 (from 65520 up) become
// ±Inf; ToFloat16Checked reports that. A NaN stays NaN, quiet, with the top
// of its payload.
func ToFloat16(f float32) Float16 {
	b := math.Float32bits(f)
	sign := Float16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	frac := b & 0x7fffff
	if exp == 0xff {
		if frac == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | Float16(frac>>13)
	}
	e := exp - 127 + 15 // the binary16 biased exponent
	switch {
	case e >= 0x1f:
		return sign | 0x7c00
	case e <= 0:
		// Subnormal in binary16, or zero: the 24-bit significand shifted
		// right by 14-e puts its units at 2⁻²⁴.
		if e < -10 {
			return sign // below half the smallest subnormal
		}
		m := frac | 0x800000
		shift := uint32(14 - e)
		h := m >> shift
		rest := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rest > half || rest == half && h&1 == 1 {
			h++ // may carry into the smallest normal, which is right
		}
		return sign | Float16(h)
	}
	h := uint32(e)<<10 | frac>>13
	rest := frac & 0x1fff
	if rest > 0x1000 || rest == 0x1000 && h&1 == 1 {
		h++ // may carry into the exponent, up to Inf, which is right
	}
	return sign | Float16(h)
}

// ToFloat16Checked is ToFloat16 that also reports whether f fit: ok is
// false when f is finite but rounds to ±Inf, where pgvector raises
// "value out of range for type halfvec".
func ToFloat16Checked(f float32) (h Float16, ok bool) {
	h = ToFloat16(f)
	return h, !h.isInf() || math.IsInf(float64(f), 0)
}

func (h Float16) isInf() bool { return h&0x7fff == 0x7c00 }

// EncodeFloat16 sets dst[i] = ToFloat16(src[i]) and returns the index of
// the first finite element that overflowed to ±Inf, or -1 if none did.
// It panics if len(dst) != len(src).
func EncodeFloat16(dst []Float16, src []float32) int {
	if len(dst) != len(src) {
		panic(lengthError{len(dst), len(src)})
	}
	active.encodeF16(dst, src)
	for i, h := range dst {
		if h.isInf() && !math.IsInf(float64(src[i]), 0) {
			return i
		}
	}
	return -1
}

// DecodeFloat16 sets dst[i] = src[i].Float32().
// It panics if len(dst) != len(src).
func DecodeFloat16(dst []float32, src []Float16) {
	if len(dst) != len(src) {
		panic(lengthError{len(dst), len(src)})
	}
	active.decodeF16(dst, src)
}

// L2SquaredF16 is L2Squared for halfvec: the elements are widened to
// float32 exactly and the sum is taken in float32, as pgvector does.
// It panics if len(a) != len(b).
func L2SquaredF16(a, b []Float16) float32 {
	if len(a) != len(b) {
		panic(lengthError{len(a), len(b)})
	}
	return active.l2SquaredF16(a, b)
}

// L2F16 is L2 for halfvec: the float64 square root of L2SquaredF16.
// It panics if len(a) != len(b).
func L2F16(a, b []Float16) float64 {
	return math.Sqrt(float64(L2SquaredF16(a, b)))
}

// DotF16 is Dot for halfvec.
// It panics if len(a) != len(b).
func DotF16(a, b []Float16) float32 {
	if len(a) != len(b) {
		panic(lengthError{len(a), len(b)})
	}
	return active.dotF16(a, b)
}

// L1F16 is L1 for halfvec.
// It panics if len(a) != len(b).
func L1F16(a, b []Float16) float32 {
	if len(a) != len(b) {
		panic(lengthError{len(a), len(b)})
	}
	return active.l1F16(a, b)
}

// CosineDistanceF16 is CosineDistance for halfvec, with the same float32
// sums, float64 finish, clamp and NaN for a zero vector.
// It panics if len(a) != len(b).
func CosineDistanceF16(a, b []Float16) float64 {
	if len(a) != len(b) {
		panic(lengthError{len(a), len(b)})
	}
	dot, normA, normB := active.cosineF16(a, b)
	return cosineDistance(dot, normA, normB)
}

// L2SquaredBatchF16 is L2SquaredBatch for halfvec.
// It panics unless len(vecs) == len(dst)*len(q).
func L2SquaredBatchF16(dst []float32, q, vecs []Float16) {
	checkBatch(len(dst), len(q), len(vecs))
	active.l2SquaredBatchF16(dst, q, vecs)
}

// L2BatchF16 is L2Batch for halfvec.
// It panics unless len(vecs) == len(dst)*len(q).
func L2BatchF16(dst []float64, q, vecs []Float16) {
	checkBatch(len(dst), len(q), len(vecs))
	sq := float32View(dst)
	active.l2SquaredBatchF16(sq, q, vecs)
	expandSqrt(dst, sq)
}

// DotBatchF16 is DotBatch for halfvec.
// It panics unless len(vecs) == len(dst)*len(q).
func DotBatchF16(dst []float32, q, vecs []Float16) {
	checkBatch(len(dst), len(q), len(vecs))
	active.dotBatchF16(dst, q, vecs)
}

// L1BatchF16 is L1Batch for halfvec.
// It panics unless len(vecs) == len(dst)*len(q).
func L1BatchF16(dst []float32, q, vecs []Float16) {
	checkBatch(len(dst), len(q), len(vecs))
	active.l1BatchF16(dst, q, vecs)
}

// CosineDistanceBatchF16 is CosineDistanceBatch for halfvec.
// It panics unless len(vecs) == len(dst)*len(q).
func CosineDistanceBatchF16(dst []float64, q, vecs []Float16) {
	checkBatch(len(dst), len(q), len(vecs))
	_, _, normQ := active.cosineF16(q, q)
	active.cosineBatchF16(dst, q, vecs)
	finishCosineBatch(dst, normQ)
}

// The pure-Go float16 kernels, the purego set's: the float32 kernels' shape
// with the software conversion.

func l2SquaredF16Go(a, b []Float16) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		d0 := x[0].Float32() - y[0].Float32()
		d1 := x[1].Float32() - y[1].Float32()
		d2 := x[2].Float32() - y[2].Float32()
		d3 := x[3].Float32() - y[3].Float32()
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := a[i].Float32() - b[i].Float32()
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

func dotF16Go(a, b []Float16) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		s0 += x[0].Float32() * y[0].Float32()
		s1 += x[1].Float32() * y[1].Float32()
		s2 += x[2].Float32() * y[2].Float32()
		s3 += x[3].Float32() * y[3].Float32()
	}
	for ; i < len(a); i++ {
		s0 += a[i].Float32() * b[i].Float32()
	}
	return (s0 + s1) + (s2 + s3)
}

func l1F16Go(a, b []Float16) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		s0 += abs32(x[0].Float32() - y[0].Float32())
		s1 += abs32(x[1].Float32() - y[1].Float32())
		s2 += abs32(x[2].Float32() - y[2].Float32())
		s3 += abs32(x[3].Float32() - y[3].Float32())
	}
	for ; i < len(a); i++ {
		s0 += abs32(a[i].Float32() - b[i].Float32())
	}
	return (s0 + s1) + (s2 + s3)
}

// cosineF16Go sums a's and b's squares in the same way (see cosineGo).
func cosineF16Go(a, b []Float16) (dot, normA, normB float32) {
	b = b[:len(a)]
	var d0, d1, na0, na1, nb0, nb1 float32
	i := 0
	for ; i+2 <= len(a); i += 2 {
		x0, x1 := a[i].Float32(), a[i+1].Float32()
		y0, y1 := b[i].Float32(), b[i+1].Float32()
		d0 += x0 * y0
		d1 += x1 * y1
		na0 += x0 * x0
		na1 += x1 * x1
		nb0 += y0 * y0
		nb1 += y1 * y1
	}
	for ; i < len(a); i++ {
		x, y := a[i].Float32(), b[i].Float32()
		d0 += x * y
		na0 += x * x
		nb0 += y * y
	}
	return d0 + d1, na0 + na1, nb0 + nb1
}

func cosineBatchF16Go(dst []float64, q, vecs []Float16) {
	d := len(q)
	packed := uint64View(dst)
	for i := range packed {
		dot, _, norm := cosineF16Go(q, vecs[i*d:(i+1)*d:(i+1)*d])
		packed[i] = packSums(dot, norm)
	}
}

func encodeF16Go(dst []Float16, src []float32) {
	dst = dst[:len(src)]
	for i, f := range src {
		dst[i] = ToFloat16(f)
	}
}

func decodeF16Go(dst []float32, src []Float16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = h.Float32()
	}
}
