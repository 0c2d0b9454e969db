package hnsw

import (
	"math"
	"unsafe"

	"github.com/vecgres/vecgres/kernels"
)

// The graph orders by a float32 distance that kernels compute, smaller
// nearer: for Vector squared L2, the negative inner product (also for
// Cosine, whose vectors are normalised) or L1; the same for Halfvec
// (float16 widened to float32) and Sparsevec, except that Halfvec's Cosine
// is minus the similarity dot/(|a|·|b|) of the halves as given; the
// number of differing bits for Hamming, and 1 - |a∧b|/|a∨b| for Jaccard.
// A query is put in stored form by Searcher.prepare.

// dist returns the distance the graph orders by between two float32
// vectors in stored form.
func (g *Graph) dist(a, b []float32) float32 { return distBy(g.metric, a, b) }

// distBy is dist for metric m.
func distBy(m Metric, a, b []float32) float32 {
	switch m {
	case L2:
		return kernels.L2Squared(a, b)
	case L1:
		return kernels.L1(a, b)
	default:
		return -kernels.Dot(a, b)
	}
}

// queryDist returns the exact distance by metric m between s's query and
// node n.
func (g *Graph) queryDist(s *Searcher, m Metric, n uint32) float32 {
	switch g.kind {
	case Vector:
		return distBy(m, s.q, g.vec(n))
	case Halfvec:
		return halfDist(m, s.qh, g.half(n), s.qnorm, g.halfNorm(n))
	case Sparsevec:
		return sparseDist(m, s.qsparse(), g.sparseOf(n))
	}
	return bitDist(m, s.qbits, g.bitsOf(n))
}

// distFrom returns the distance by metric m between nodes a and b; av is
// a's vector in a Vector graph (nil otherwise), fetched once by callers
// that measure from a to many nodes.
func (g *Graph) distFrom(m Metric, av []float32, a, b uint32) float32 {
	if av != nil {
		return distBy(m, av, g.vec(b))
	}
	switch g.kind {
	case Halfvec:
		return halfDist(m, g.half(a), g.half(b), g.halfNorm(a), g.halfNorm(b))
	case Sparsevec:
		return sparseDist(m, g.sparseOf(a), g.sparseOf(b))
	}
	return bitDist(m, g.bitsOf(a), g.bitsOf(b))
}

// vecOrNil returns node n's vector in a Vector graph, nil otherwise: the
// av of distFrom.
func (g *Graph) vecOrNil(n uint32) []float32 {
	if g.kind != Vector {
		return nil
	}
	return g.vec(n)
}

// halfNorm returns the norm of node n's halves, kept for Halfvec Cosine.
func (g *Graph) halfNorm(n uint32) float32 { return g.hdrFloat(g.rec(n), recSq) }

// halfDist is the distance by m between two halfvecs whose norms (used for
// Cosine only) are an and bn.
func halfDist(m Metric, a, b []kernels.Float16, an, bn float32) float32 {
	switch m {
	case L2:
		return kernels.L2SquaredF16(a, b)
	case L1:
		return kernels.L1F16(a, b)
	case InnerProduct:
		return -kernels.DotF16(a, b)
	}
	if an == 0 || bn == 0 {
		return 0 // a zero query: every distance is NaN, none nearer
	}
	return float32(-float64(kernels.DotF16(a, b)) / (float64(an) * float64(bn)))
}

// sparseDist is the distance by m between two sparse vectors, normalised
// for Cosine.
func sparseDist(m Metric, a, b kernels.Sparse) float32 {
	switch m {
	case L2:
		return kernels.SparseL2Squared(a, b)
	case L1:
		return kernels.SparseL1(a, b)
	}
	return -kernels.SparseDot(a, b)
}

// bitDist is the distance by m between two bit strings.
func bitDist(m Metric, a, b []byte) float32 {
	if m == Jaccard {
		return float32(kernels.JaccardDistance(a, b))
	}
	return float32(kernels.HammingDistance(a, b))
}

// operatorDistance returns the value of the operator class's SQL operator
// for a result it, whose distance is the exact ordering distance: `<->`
// is the float64 square root of the squared L2 sum, `<#>` the negated
// float32 dot product, `<+>` the float32 sum, `<~>` the count of
// differing bits, `<%>` kernels' float64 Jaccard distance, and `<=>` for
// Halfvec kernels' cosine distance of the halves. These are the values
// pgvector computes from the same values. For Vector and Sparsevec Cosine
// it is one minus the similarity (clamped to [-1, 1]) of the normalised
// vectors: the value pgvector's index orders by, which can differ from
// `<=>` computed on the unnormalised vectors in the last bits. A zero
// query of a Cosine graph gives NaN, as `<=>`.
func (g *Graph) operatorDistance(s *Searcher, it item) float64 {
	d := it.dist()
	switch g.metric {
	case L2:
		return math.Sqrt(float64(d))
	case Cosine:
		if s.qzero {
			return math.NaN() // as `<=>` with a zero vector
		}
		if g.kind == Halfvec {
			return kernels.CosineDistanceF16(s.qh, g.half(it.node()))
		}
		sim := -float64(d)
		return 1 - min(max(sim, -1), 1)
	case Jaccard:
		return kernels.JaccardDistance(s.qbits, g.bitsOf(it.node()))
	default:
		return float64(d)
	}
}

// normalize scales v to unit L2 norm in place, computing the norm in
// float64 as pgvector's l2_normalize does. A zero vector stays zero, and
// normalize reports false.
func normalize(v []float32) bool { return normalizeNorm(v) != 0 }

// normalizeNorm is normalize that returns the norm (0 for a zero vector).
func normalizeNorm(v []float32) float64 {
	var s float64
	for _, f := range v {
		s += float64(f) * float64(f)
	}
	if s == 0 {
		return 0
	}
	norm := math.Sqrt(s)
	for i, f := range v {
		v[i] = float32(float64(f) / norm)
	}
	return norm
}

// normalizeSparse scales a sparse vector's values to unit L2 norm in
// place, as pgvector's sparsevec_l2_normalize does: the norm in float64,
// and elements that become zero dropped (idx and vals keep their first k
// places). It returns k and whether the vector was non-zero; a zero
// vector is left as it is.
func normalizeSparse(idx []int32, vals []float32) (k int, ok bool) {
	var s float64
	for _, f := range vals {
		s += float64(f) * float64(f)
	}
	if s == 0 {
		return len(vals), false
	}
	norm := math.Sqrt(s)
	for i, f := range vals {
		if x := float32(float64(f) / norm); x != 0 {
			idx[k], vals[k] = idx[i], x
			k++
		}
	}
	return k, true
}

// widen appends the halves h as float32s to dst.
func widen(dst []float32, h []kernels.Float16) []float32 {
	n := len(dst)
	dst = append(dst, make([]float32, len(h))...)
	kernels.DecodeFloat16(dst[n:], h)
	return dst
}

// asFloat16, asInt32 and asFloat32 view a slice as another element type
// of the same size.
func asFloat16(v []uint16) []kernels.Float16 {
	return unsafe.Slice((*kernels.Float16)(unsafe.SliceData(v)), len(v))
}

func asInt32(v []uint32) []int32 {
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}

func asFloat32(v []uint32) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}
