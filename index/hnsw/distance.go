package hnsw

import (
	"math"

	"github.com/vecgres/vecgres/kernels"
)

// dist returns the distance the graph orders by between two stored-form
// vectors (a query is put in stored form by Searcher.prepare):
// squared L2, the negative inner product (also for Cosine, whose vectors
// are normalised) or L1, summed in float32 by kernels.
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

// operatorDistance turns an ordering distance into the value of the
// operator class's SQL operator: `<->` is the float64 square root of the
// squared L2 sum, `<#>` the negated float32 dot product, `<=>` one minus
// the cosine similarity (clamped to [-1, 1]) of the normalised vectors,
// `<+>` the float32 sum. For L2, inner product and L1 this is the exact
// value pgvector computes from the same vectors; for cosine it is the
// value pgvector's index orders by, which can differ from `<=>` computed
// on the unnormalised vectors in the last bits (and NaN for a zero query,
// as `<=>`).
func (g *Graph) operatorDistance(s *Searcher, d float32) float64 {
	switch g.metric {
	case L2:
		return math.Sqrt(float64(d))
	case Cosine:
		if s.qzero {
			return math.NaN() // as `<=>` with a zero vector
		}
		sim := -float64(d)
		return 1 - min(max(sim, -1), 1)
	default:
		return float64(d)
	}
}

// normalize scales v to unit L2 norm in place, computing the norm in
// float64 as pgvector's l2_normalize does. A zero vector stays zero, and
// normalize reports false.
func normalize(v []float32) bool {
	var s float64
	for _, f := range v {
		s += float64(f) * float64(f)
	}
	if s == 0 {
		return false
	}
	norm := math.Sqrt(s)
	for i, f := range v {
		v[i] = float32(float64(f) / norm)
	}
	return true
}
