package hnsw

import (
	"bytes"
	"math"
	"slices"

	"github.com/vecgres/vecgres/kernels"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Value is a vector of any Kind in its natural form, as the column's
// datum holds it: what InsertValue, BuildValues, SearchValue and
// ScanValue take. Make one with VectorValue, HalfvecValue, SparsevecValue
// or BitValue; it refers to the caller's slices (the graph copies what it
// keeps) and is cheap to pass by value.
type Value struct {
	kind Kind
	dim  int       // elements, sparsevec dimensions, or bits
	f32  []float32 // Vector's elements; Sparsevec's values
	f16  []uint16  // Halfvec's elements
	idx  []int32   // Sparsevec's indices
	bits []byte    // Bit's bytes
}

// VectorValue is a vector: float32 elements.
func VectorValue(v []float32) Value { return Value{kind: Vector, dim: len(v), f32: v} }

// HalfvecValue is a halfvec: the IEEE 754 binary16 bits of its elements.
func HalfvecValue(v []uint16) Value { return Value{kind: Halfvec, dim: len(v), f16: v} }

// SparsevecValue is a sparsevec of dim dimensions whose element
// indices[i] (zero-based, strictly increasing) is values[i] and every
// other element zero.
func SparsevecValue(dim int, indices []int32, values []float32) Value {
	return Value{kind: Sparsevec, dim: dim, idx: indices, f32: values}
}

// BitValue is a bit string of nbits bits packed eight a byte, the first
// bit the high bit of data[0]: len(data) is (nbits+7)/8.
func BitValue(data []byte, nbits int) Value { return Value{kind: Bit, dim: nbits, bits: data} }

// Kind returns v's kind.
func (v Value) Kind() Kind { return v.kind }

// Dim returns v's dimensions: elements, sparsevec dimensions or bits.
func (v Value) Dim() int { return v.dim }

// halves returns a halfvec's elements as kernels' type.
func (v Value) halves() []kernels.Float16 { return asFloat16(v.f16) }

// sparse returns a sparsevec as kernels' type.
func (v Value) sparse() kernels.Sparse { return kernels.Sparse{Indices: v.idx, Values: v.f32} }

// bitBytes returns the number of bytes of a bit string of n bits.
func bitBytes(n int) int { return (n + 7) / 8 }

// checkKind returns the internal error for a value of the wrong kind.
func (g *Graph) checkKind(v Value) error {
	if v.kind != g.kind {
		return pgerr.New(pgerr.InternalError, "hnsw: a %s value for an index on %s", v.kind, g.kind)
	}
	return nil
}

// checkQuery returns the error pgvector's distance function raises for a
// query of the wrong dimensions: the query's first, as pgvector's index
// scan calls the function with the query as its first argument.
func (g *Graph) checkQuery(q Value) error {
	if err := g.checkKind(q); err != nil {
		return err
	}
	ok := q.dim == g.dim
	switch g.kind {
	case Vector:
		if !ok {
			return pgerr.New(pgerr.DataException, "different vector dimensions %d and %d", q.dim, g.dim)
		}
	case Halfvec:
		if !ok {
			return pgerr.New(pgerr.DataException, "different halfvec dimensions %d and %d", q.dim, g.dim)
		}
	case Sparsevec:
		if !ok {
			return pgerr.New(pgerr.DataException, "different sparsevec dimensions %d and %d", q.dim, g.dim)
		}
		if len(q.idx) != len(q.f32) {
			return pgerr.New(pgerr.InternalError, "hnsw: sparsevec with %d indices and %d values", len(q.idx), len(q.f32))
		}
	case Bit:
		if !ok {
			return pgerr.New(pgerr.DataException, "different bit lengths %d and %d", q.dim, g.dim)
		}
		if len(q.bits) != bitBytes(q.dim) {
			return pgerr.New(pgerr.InternalError, "hnsw: %d bytes for %d bits", len(q.bits), q.dim)
		}
	}
	return nil
}

// checkValue returns the error pgvector raises for a value the graph
// cannot index.
func (g *Graph) checkValue(v Value) error {
	if err := g.checkKind(v); err != nil {
		return err
	}
	switch g.kind {
	case Vector:
		return g.checkVector(v.f32)
	case Halfvec:
		return g.checkHalfvec(v.f16)
	case Sparsevec:
		return g.checkSparsevec(v)
	}
	if v.dim != g.dim {
		// What PostgreSQL's bit(n) input says of a string of another
		// length.
		return pgerr.New(pgerr.Code("22026"), "bit string length %d does not match type bit(%d)", v.dim, g.dim)
	}
	if len(v.bits) != bitBytes(v.dim) {
		return pgerr.New(pgerr.InternalError, "hnsw: %d bytes for %d bits", len(v.bits), v.dim)
	}
	return nil
}

func (g *Graph) checkHalfvec(v []uint16) error {
	if len(v) != g.dim {
		return pgerr.New(pgerr.DataException, "expected %d dimensions, not %d", g.dim, len(v))
	}
	zero := true
	for _, h := range v {
		if h&0x7c00 == 0x7c00 {
			if h&0x03ff != 0 {
				return pgerr.New(pgerr.DataException, "NaN not allowed in halfvec")
			}
			return pgerr.New(pgerr.DataException, "infinite value not allowed in halfvec")
		}
		zero = zero && h&0x7fff == 0
	}
	if zero && g.metric == Cosine {
		return errZeroCosine()
	}
	return nil
}

func (g *Graph) checkSparsevec(v Value) error {
	if v.dim != g.dim {
		return pgerr.New(pgerr.DataException, "expected %d dimensions, not %d", g.dim, v.dim)
	}
	if len(v.idx) != len(v.f32) {
		return pgerr.New(pgerr.InternalError, "hnsw: sparsevec with %d indices and %d values", len(v.idx), len(v.f32))
	}
	if len(v.idx) > MaxSparseNNZ {
		return pgerr.New(pgerr.ProgramLimitExceeded, "sparsevec cannot have more than %d non-zero elements for hnsw index", MaxSparseNNZ)
	}
	zero := true
	for i, x := range v.idx {
		if x < 0 || int(x) >= v.dim {
			return pgerr.New(pgerr.DataException, "sparsevec index out of bounds")
		}
		if i > 0 && x <= v.idx[i-1] {
			if x == v.idx[i-1] {
				return pgerr.New(pgerr.DataException, "sparsevec indices must not contain duplicates")
			}
			return pgerr.New(pgerr.DataException, "sparsevec indices must be in ascending order")
		}
		f := v.f32[i]
		if f != f {
			return pgerr.New(pgerr.DataException, "NaN not allowed in sparsevec")
		}
		if math.IsInf(float64(f), 0) {
			return pgerr.New(pgerr.DataException, "infinite value not allowed in sparsevec")
		}
		zero = zero && f == 0
	}
	if zero && g.metric == Cosine {
		return errZeroCosine()
	}
	return nil
}

// errZeroCosine returns the error for a zero vector in a Cosine graph;
// the caller skips them, as pgvector does not index them.
func errZeroCosine() error {
	return pgerr.New(pgerr.DataException, "hnsw: a zero vector cannot be indexed for cosine distance")
}

// IsZero reports whether every element of v is zero (a halfvec's -0
// too; a bit string has no zero vector in this sense and reports
// false): the values a Cosine graph cannot index, which the caller
// skips.
func (v Value) IsZero() bool {
	switch v.kind {
	case Vector:
		for _, f := range v.f32 {
			if f != 0 {
				return false
			}
		}
		return true
	case Halfvec:
		for _, h := range v.f16 {
			if h&0x7fff != 0 {
				return false
			}
		}
		return true
	case Sparsevec:
		for _, f := range v.f32 {
			if f != 0 {
				return false
			}
		}
		return true
	}
	return false
}

// Equal reports whether v and w are the same value: same kind and
// dimensions, and the same elements bit for bit (so an UPDATE that
// rewrites a row's value with itself leaves the index alone).
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind || v.dim != w.dim {
		return false
	}
	switch v.kind {
	case Vector:
		return slices.EqualFunc(v.f32, w.f32, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) })
	case Halfvec:
		return slices.Equal(v.f16, w.f16)
	case Sparsevec:
		return slices.Equal(v.idx, w.idx) &&
			slices.EqualFunc(v.f32, w.f32, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) })
	}
	return bytes.Equal(v.bits, w.bits)
}

// StoredBytes estimates the bytes a graph of kind keeps for one node's
// vector of dim dimensions (bits for Bit) with nnz non-zero elements
// (Sparsevec only): the elements in their stored form, their uint8 codes
// for the kinds searches walk quantised, a sparse vector's indices,
// values and slice header. Lists and per-node data come on top.
func StoredBytes(kind Kind, dim, nnz int) int {
	switch kind {
	case Vector:
		return 5 * dim // float32s and codes
	case Halfvec:
		return 3 * dim // float16s and codes
	case Bit:
		return bitBytes(dim)
	}
	return 8*nnz + 24
}

// StoredBytes is StoredBytes for v's kind, dimensions and elements.
func (v Value) StoredBytes() int { return StoredBytes(v.kind, v.dim, len(v.idx)) }
