package builtins

import (
	"math"

	"github.com/vecgres/vecgres/kernels"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// pgvector's sparsevec: distances, norms and comparisons. sparsevec has
// no arithmetic, no vector_dims and no aggregates in pgvector.

func sparse(d types.Datum) types.Sparsevec { return d.(types.Sparsevec) }

// asSparse is a sparsevec as the kernels take it (no copy).
func asSparse(v types.Sparsevec) kernels.Sparse {
	return kernels.Sparse{Indices: v.Indices, Values: v.Values}
}

// checkSparseDims fails as pgvector does when two sparsevecs differ in
// dimensions.
func checkSparseDims(a, b types.Sparsevec) error {
	if a.Dim != b.Dim {
		return pgerr.New(pgerr.DataException, "different sparsevec dimensions %d and %d", a.Dim, b.Dim)
	}
	return nil
}

// SparsevecDistance computes the distance d between two sparsevecs of
// equal dimensions, as pgvector's sparsevec operators do.
func SparsevecDistance(d VectorDistance, a, b types.Sparsevec) float64 {
	x, y := asSparse(a), asSparse(b)
	switch d {
	case DistanceL2:
		return kernels.SparseL2(x, y)
	case DistanceNegativeDot:
		return -float64(kernels.SparseDot(x, y))
	case DistanceCosine:
		return kernels.SparseCosineDistance(x, y)
	case DistanceL1:
		return float64(kernels.SparseL1(x, y))
	}
	panic("builtins: unknown sparsevec distance")
}

// sparseDistance checks the dimensions and computes f.
func sparseDistance(f func(a, b types.Sparsevec) float64) Overload {
	return Overload{Args: sig(types.SparsevecOID, types.SparsevecOID), Ret: types.TFloat8,
		Impl: func(_ planner.Env, args []types.Datum) (types.Datum, error) {
			a, b := sparse(args[0]), sparse(args[1])
			if err := checkSparseDims(a, b); err != nil {
				return nil, err
			}
			return f(a, b), nil
		}}
}

// sparseNorm is sparsevec_l2_norm: the Euclidean norm summed in float64.
func sparseNorm(a types.Sparsevec) float64 {
	var s float64
	for _, x := range a.Values {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

// sparseNormalize is sparsevec_l2_normalize: each value divided by the
// norm in float64 and rounded to float32; values that become zero are
// dropped, an infinite one is an overflow, a zero vector stays zero.
func sparseNormalize(a types.Sparsevec) (types.Datum, error) {
	norm := sparseNorm(a)
	if norm <= 0 {
		return types.Sparsevec{Dim: a.Dim, Indices: append([]int32{}, a.Indices...), Values: make([]float32, len(a.Values))}, nil
	}
	out := types.Sparsevec{Dim: a.Dim, Indices: make([]int32, 0, len(a.Indices)), Values: make([]float32, 0, len(a.Values))}
	for k, x := range a.Values {
		v := float32(float64(x) / norm)
		if math.IsInf(float64(v), 0) {
			return nil, errFloatOverflow()
		}
		if v == 0 {
			continue
		}
		out.Indices = append(out.Indices, a.Indices[k])
		out.Values = append(out.Values, v)
	}
	return out, nil
}

func addSparsevec(r *Registry) {
	dist := func(d VectorDistance) Overload {
		return sparseDistance(func(a, b types.Sparsevec) float64 { return SparsevecDistance(d, a, b) })
	}
	for op, d := range distanceOperators {
		r.addBinary(op, dist(d))
	}
	r.addFunc("l2_distance", dist(DistanceL2))
	r.addFunc("cosine_distance", dist(DistanceCosine))
	r.addFunc("l1_distance", dist(DistanceL1))
	r.addFunc("sparsevec_negative_inner_product", dist(DistanceNegativeDot))
	r.addFunc("inner_product", sparseDistance(func(a, b types.Sparsevec) float64 {
		return float64(kernels.SparseDot(asSparse(a), asSparse(b)))
	}))
	r.addFunc("sparsevec_l2_squared_distance", sparseDistance(func(a, b types.Sparsevec) float64 {
		return float64(kernels.SparseL2Squared(asSparse(a), asSparse(b)))
	}))
	r.addFunc("l2_norm", Overload{Args: sig(types.SparsevecOID), Ret: types.TFloat8,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return sparseNorm(sparse(a[0])), nil }})
	r.addFunc("l2_normalize", Overload{Args: sig(types.SparsevecOID), Ret: types.TSparsevec,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return sparseNormalize(sparse(a[0])) }})
	addTypeComparisons(r, types.SparsevecOID, "sparsevec")
}
