package kernels

import "math"

// Sparse is a sparse vector, pgvector's sparsevec: Values[i] is the element
// at the zero-based position Indices[i]; every other element is zero. The
// indices must be strictly increasing, as sparsevec keeps them; the result
// for unsorted indices is unspecified. The sparse functions do not check the
// vectors' dimensions (sparsevec stores them apart): that is the caller's.
//
// The sparse functions merge the two index lists and add each term in index
// order in float32, unfused, as pgvector's merge loops do (a compiler cannot
// reorder those), so SparseL2Squared, SparseDot and SparseL1 give pgvector's
// sums bit for bit on x86-64. The cosine's two norms are plain loops that
// pgvector's build (-fassociative-math) vectorises, so they may differ from
// its in the last bits. The functions are plain Go in every kernel set:
// merging is branchy and short, not SIMD work.
type Sparse struct {
	Indices []int32
	Values  []float32
}

func (s Sparse) check() {
	if len(s.Indices) != len(s.Values) {
		panic(lengthError{len(s.Indices), len(s.Values)})
	}
}

// SparseL2Squared returns the squared Euclidean distance between a and b,
// summed in float32 in index order.
// It panics if a or b has different numbers of indices and values.
func SparseL2Squared(a, b Sparse) float32 {
	a.check()
	b.check()
	var s float32
	i, j := 0, 0
	for i < len(a.Indices) && j < len(b.Indices) {
		switch ai, bj := a.Indices[i], b.Indices[j]; {
		case ai == bj:
			d := a.Values[i] - b.Values[j]
			s += float32(d * d)
			i++
			j++
		case ai < bj:
			s += float32(a.Values[i] * a.Values[i])
			i++
		default:
			s += float32(b.Values[j] * b.Values[j])
			j++
		}
	}
	for ; i < len(a.Values); i++ {
		s += float32(a.Values[i] * a.Values[i])
	}
	for ; j < len(b.Values); j++ {
		s += float32(b.Values[j] * b.Values[j])
	}
	return s
}

// SparseL2 returns the Euclidean distance between a and b, pgvector's `<->`:
// the float64 square root of SparseL2Squared.
// It panics if a or b has different numbers of indices and values.
func SparseL2(a, b Sparse) float64 {
	return math.Sqrt(float64(SparseL2Squared(a, b)))
}

// SparseDot returns the inner product of a and b, summed in float32 in index
// order. pgvector's `<#>` is its negation, which the caller takes.
// It panics if a or b has different numbers of indices and values.
func SparseDot(a, b Sparse) float32 {
	a.check()
	b.check()
	return sparseDot(a, b)
}

func sparseDot(a, b Sparse) float32 {
	var s float32
	i, j := 0, 0
	for i < len(a.Indices) && j < len(b.Indices) {
		switch ai, bj := a.Indices[i], b.Indices[j]; {
		case ai == bj:
			s += float32(a.Values[i] * b.Values[j])
			i++
			j++
		case ai < bj:
			i++
		default:
			j++
		}
	}
	return s
}

// SparseL1 returns the taxicab distance between a and b, pgvector's `<+>`,
// summed in float32 in index order.
// It panics if a or b has different numbers of indices and values.
func SparseL1(a, b Sparse) float32 {
	a.check()
	b.check()
	var s float32
	i, j := 0, 0
	for i < len(a.Indices) && j < len(b.Indices) {
		switch ai, bj := a.Indices[i], b.Indices[j]; {
		case ai == bj:
			s += abs32(a.Values[i] - b.Values[j])
			i++
			j++
		case ai < bj:
			s += abs32(a.Values[i])
			i++
		default:
			s += abs32(b.Values[j])
			j++
		}
	}
	for ; i < len(a.Values); i++ {
		s += abs32(a.Values[i])
	}
	for ; j < len(b.Values); j++ {
		s += abs32(b.Values[j])
	}
	return s
}

// SparseCosineDistance returns pgvector's `<=>` for sparsevec, computed as
// CosineDistance is: float32 sums, float64 finish, similarity clamped to
// [-1, 1], NaN when a or b has no non-zero value.
// It panics if a or b has different numbers of indices and values.
func SparseCosineDistance(a, b Sparse) float64 {
	a.check()
	b.check()
	return cosineDistance(sparseDot(a, b), sumSquares(a.Values), sumSquares(b.Values))
}

func sumSquares(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += float32(v * v)
	}
	return s
}
