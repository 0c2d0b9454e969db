package kernels

import (
	"fmt"
	"math"
	"unsafe"
)

// L2Squared returns the squared Euclidean distance between a and b, summed
// in float32 as pgvector sums it (its vector_l2_squared_distance).
// It panics if len(a) != len(b).
func L2Squared(a, b []float32) float32 {
	if len(a) != len(b) {
		panic(lengthError{len(a), len(b)})
	}
	return active.l2Squared(a, b)
}

// L2 returns the Euclidean distance between a and b, pgvector's `<->`: the
// square root, in float64, of L2Squared.
// It panics if len(a) != len(b).
func L2(a, b []float32) float64 {
	return math.Sqrt(float64(L2Squared(a, b)))
}

// Dot returns the inner product of a and b, summed in float32 as pgvector
// sums it. pgvector's `<#>` is its negation, which the caller takes.
// It panics if len(a) != len(b).
func Dot(a, b []float32) float32 {
	if len(a) != len(b) {
		panic(lengthError{len(a), len(b)})
	}
	return active.dot(a, b)
}

// L1 returns the taxicab distance between a and b, pgvector's `<+>`:
// the float32 sum of |a[i]-b[i]|.
// It panics if len(a) != len(b).
func L1(a, b []float32) float32 {
	if len(a) != len(b) {
		panic(lengthError{len(a), len(b)})
	}
	return active.l1(a, b)
}

// CosineDistance returns pgvector's `<=>`: 1 - dot/sqrt(|a|²·|b|²), with the
// three sums taken in float32 and the rest in float64, the similarity
// clamped to [-1, 1]. It is NaN when a or b is all zeros (or has a NaN).
// It panics if len(a) != len(b).
func CosineDistance(a, b []float32) float64 {
	if len(a) != len(b) {
		panic(lengthError{len(a), len(b)})
	}
	dot, normA, normB := active.cosine(a, b)
	return cosineDistance(dot, normA, normB)
}

// L2SquaredBatch writes to dst[i] the L2Squared distance between q and the
// i-th vector of vecs, which holds len(dst) vectors of len(q) elements one
// after another. dst[i] is exactly what L2Squared returns for that vector.
// It panics unless len(vecs) == len(dst)*len(q).
func L2SquaredBatch(dst, q, vecs []float32) {
	checkBatch(len(dst), len(q), len(vecs))
	active.l2SquaredBatch(dst, q, vecs)
}

// L2Batch is L2SquaredBatch followed by L2's float64 square root; dst is
// float64 because that is the precision of pgvector's result.
// It panics unless len(vecs) == len(dst)*len(q).
func L2Batch(dst []float64, q, vecs []float32) {
	checkBatch(len(dst), len(q), len(vecs))
	sq := float32View(dst)
	active.l2SquaredBatch(sq, q, vecs)
	expandSqrt(dst, sq)
}

// DotBatch writes to dst[i] the Dot product of q and the i-th vector of
// vecs (laid out as for L2SquaredBatch).
// It panics unless len(vecs) == len(dst)*len(q).
func DotBatch(dst, q, vecs []float32) {
	checkBatch(len(dst), len(q), len(vecs))
	active.dotBatch(dst, q, vecs)
}

// L1Batch writes to dst[i] the L1 distance between q and the i-th vector of
// vecs (laid out as for L2SquaredBatch).
// It panics unless len(vecs) == len(dst)*len(q).
func L1Batch(dst, q, vecs []float32) {
	checkBatch(len(dst), len(q), len(vecs))
	active.l1Batch(dst, q, vecs)
}

// CosineDistanceBatch writes to dst[i] the CosineDistance between q and the
// i-th vector of vecs (laid out as for L2SquaredBatch); dst is float64 as
// CosineDistance's result is. dst[i] is exactly what CosineDistance returns.
// It panics unless len(vecs) == len(dst)*len(q).
func CosineDistanceBatch(dst []float64, q, vecs []float32) {
	checkBatch(len(dst), len(q), len(vecs))
	// The kernels sum |q|² the same way as their normB, so this equals the
	// normA that CosineDistance would get for every vector.
	_, _, normQ := active.cosine(q, q)
	active.cosineBatch(dst, q, vecs)
	finishCosineBatch(dst, normQ)
}

// cosineDistance finishes pgvector's cosine distance from its float32 sums.
func cosineDistance(dot, normA, normB float32) float64 {
	// sqrt(a*b) rather than sqrt(a)*sqrt(b), as pgvector.
	s := float64(dot) / math.Sqrt(float64(normA)*float64(normB))
	if s > 1 {
		s = 1
	} else if s < -1 {
		s = -1
	}
	return 1 - s
}

// packSums packs a dot product and a squared norm into the bits of one
// float64 slot: the batch cosine kernels write their two sums per vector
// into the caller's dst this way, and finishCosineBatch turns them into
// distances in place, so the batch needs no scratch memory.
func packSums(dot, norm float32) uint64 {
	return uint64(math.Float32bits(dot)) | uint64(math.Float32bits(norm))<<32
}

// finishCosineBatch replaces the packed sums in dst by cosine distances.
func finishCosineBatch(dst []float64, normQ float32) {
	for i, p := range uint64View(dst) {
		dst[i] = cosineDistance(math.Float32frombits(uint32(p)), normQ, math.Float32frombits(uint32(p>>32)))
	}
}

// uint64View returns dst's memory as uint64s, so that packed sums are read
// and written as bits, never as float64 values.
func uint64View(dst []float64) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst))
}

// float32View returns the first half of dst's memory as len(dst) float32s,
// where L2Batch has the kernels write squared distances before expandSqrt
// widens them in place.
func float32View(dst []float64) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst))
}

// expandSqrt sets dst[i] = sqrt(sq[i]) where sq is float32View(dst). It goes
// from the last element down: dst[i] covers bytes 8i..8i+8, which hold only
// sq[2i] and sq[2i+1], both at or past sq[i] and so already read.
func expandSqrt(dst []float64, sq []float32) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = math.Sqrt(float64(sq[i]))
	}
}

// lengthError is the panic value for vectors of different lengths. It is a
// plain struct, formatted only if printed, so that the exported wrappers
// stay cheap enough for the compiler to inline.
type lengthError struct{ a, b int }

func (e lengthError) Error() string {
	return fmt.Sprintf("kernels: vectors of different lengths %d and %d", e.a, e.b)
}

// batchError is the panic value for a batch of the wrong size.
type batchError struct{ n, dim, vecs int }

func (e batchError) Error() string {
	return fmt.Sprintf("kernels: batch of %d vectors of %d elements needs %d elements, got %d", e.n, e.dim, e.n*e.dim, e.vecs)
}

func checkBatch(n, dim, vecs int) {
	if vecs != n*dim {
		panic(batchError{n, dim, vecs})
	}
}

// The pure-Go kernels below are the purego set. Four (or for cosine, two)
// independent sums let the CPU overlap the additions, as the assembly does
// with vector registers; tests check them against the plain one-sum loops.

func l2SquaredGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		d0, d1, d2, d3 := x[0]-y[0], x[1]-y[1], x[2]-y[2], x[3]-y[3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func l1Go(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		s0 += abs32(x[0] - y[0])
		s1 += abs32(x[1] - y[1])
		s2 += abs32(x[2] - y[2])
		s3 += abs32(x[3] - y[3])
	}
	for ; i < len(a); i++ {
		s0 += abs32(a[i] - b[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// cosineGo sums a's and b's squares in the same way, so that cosineGo(q, q)
// gives the normA of every cosineGo(q, v) (CosineDistanceBatch relies on it).
func cosineGo(a, b []float32) (dot, normA, normB float32) {
	b = b[:len(a)]
	var d0, d1, na0, na1, nb0, nb1 float32
	i := 0
	for ; i+2 <= len(a); i += 2 {
		x, y := a[i:i+2:i+2], b[i:i+2:i+2]
		d0 += x[0] * y[0]
		d1 += x[1] * y[1]
		na0 += x[0] * x[0]
		na1 += x[1] * x[1]
		nb0 += y[0] * y[0]
		nb1 += y[1] * y[1]
	}
	for ; i < len(a); i++ {
		d0 += a[i] * b[i]
		na0 += a[i] * a[i]
		nb0 += b[i] * b[i]
	}
	return d0 + d1, na0 + na1, nb0 + nb1
}

// batchGo applies one kernel to q and each vector of vecs.
func batchGo[T float32 | Float16](dst []float32, q, vecs []T, kernel func(a, b []T) float32) {
	d := len(q)
	for i := range dst {
		dst[i] = kernel(q, vecs[i*d:(i+1)*d:(i+1)*d])
	}
}

func cosineBatchGo(dst []float64, q, vecs []float32) {
	d := len(q)
	packed := uint64View(dst)
	for i := range packed {
		dot, _, norm := cosineGo(q, vecs[i*d:(i+1)*d:(i+1)*d])
		packed[i] = packSums(dot, norm)
	}
}

func abs32(x float32) float32 {
	return math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
}
