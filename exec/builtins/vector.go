package builtins

import (
	"math"

	"github.com/vecgres/vecgres/kernels"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

func vec(d types.Datum) types.Vector { return d.(types.Vector) }

// checkDims fails as pgvector does when two vectors differ in length.
func checkDims(a, b types.Vector) error {
	if len(a) != len(b) {
		return pgerr.New(pgerr.DataException, "different vector dimensions %d and %d", len(a), len(b))
	}
	return nil
}

// VectorDistance names the distance a vector operator computes.
type VectorDistance uint8

// The distances of pgvector's operators.
const (
	DistanceL2          VectorDistance = iota + 1 // <->
	DistanceNegativeDot                           // <#>
	DistanceCosine                                // <=>
	DistanceL1                                    // <+>
)

// DistanceOperators maps pgvector's distance operators to their distance.
var distanceOperators = map[string]VectorDistance{
	"<->": DistanceL2, "<#>": DistanceNegativeDot, "<=>": DistanceCosine, "<+>": DistanceL1,
}

// DistanceOfOperator returns the distance an operator computes on vectors.
func DistanceOfOperator(op string) (VectorDistance, bool) {
	d, ok := distanceOperators[op]
	return d, ok
}

// Distance computes the distance d between two vectors of equal length,
// with pgvector's arithmetic: float32 accumulation, float64 result.
func Distance(d VectorDistance, a, b []float32) float64 {
	switch d {
	case DistanceL2:
		return math.Sqrt(float64(kernels.L2Squared(a, b)))
	case DistanceNegativeDot:
		return -float64(kernels.Dot(a, b))
	case DistanceCosine:
		return cosineDistance(a, b)
	case DistanceL1:
		return float64(kernels.L1(a, b))
	}
	panic("builtins: unknown vector distance")
}

// cosineDistance is 1 - cos(a, b), with the similarity clamped to [-1, 1]
// and NaN when either vector is all zeros, as pgvector computes it.
func cosineDistance(a, b []float32) float64 {
	dot := float64(kernels.Dot(a, b))
	na := float64(kernels.Dot(a, a))
	nb := float64(kernels.Dot(b, b))
	sim := dot / math.Sqrt(na*nb)
	if sim > 1 {
		sim = 1
	} else if sim < -1 {
		sim = -1
	}
	return 1 - sim
}

func vecDistance(d VectorDistance) planner.FuncImpl {
	return func(_ planner.Env, args []types.Datum) (types.Datum, error) {
		a, b := vec(args[0]), vec(args[1])
		if err := checkDims(a, b); err != nil {
			return nil, err
		}
		return Distance(d, a, b), nil
	}
}

func vecBinary(ret types.T, f planner.FuncImpl) Overload {
	return Overload{Args: sig(types.VectorOID, types.VectorOID), Ret: ret, Impl: f}
}

// elementwise applies f to matching elements and checks each result as
// pgvector does: infinity is an overflow; with checkUnderflow a zero from
// two non-zero inputs is an underflow.
func elementwise(f func(x, y float32) float32, checkUnderflow bool) planner.FuncImpl {
	return func(_ planner.Env, args []types.Datum) (types.Datum, error) {
		a, b := vec(args[0]), vec(args[1])
		if err := checkDims(a, b); err != nil {
			return nil, err
		}
		out := make(types.Vector, len(a))
		for i := range a {
			out[i] = f(a[i], b[i])
		}
		for i, v := range out {
			if math.IsInf(float64(v), 0) {
				return nil, errFloatOverflow()
			}
			if checkUnderflow && v == 0 && a[i] != 0 && b[i] != 0 {
				return nil, errFloatUnderflow()
			}
		}
		return out, nil
	}
}

func addVector(r *Registry) {
	for op, d := range distanceOperators {
		r.addBinary(op, vecBinary(types.TFloat8, vecDistance(d)))
	}
	r.addFunc("l2_distance", vecBinary(types.TFloat8, vecDistance(DistanceL2)))
	r.addFunc("cosine_distance", vecBinary(types.TFloat8, vecDistance(DistanceCosine)))
	r.addFunc("l1_distance", vecBinary(types.TFloat8, vecDistance(DistanceL1)))
	r.addFunc("vector_negative_inner_product", vecBinary(types.TFloat8, vecDistance(DistanceNegativeDot)))
	r.addFunc("inner_product", vecBinary(types.TFloat8, func(_ planner.Env, args []types.Datum) (types.Datum, error) {
		a, b := vec(args[0]), vec(args[1])
		if err := checkDims(a, b); err != nil {
			return nil, err
		}
		return float64(kernels.Dot(a, b)), nil
	}))
	r.addFunc("vector_l2_squared_distance", vecBinary(types.TFloat8, func(_ planner.Env, args []types.Datum) (types.Datum, error) {
		a, b := vec(args[0]), vec(args[1])
		if err := checkDims(a, b); err != nil {
			return nil, err
		}
		return float64(kernels.L2Squared(a, b)), nil
	}))
	r.addFunc("vector_dims", Overload{Args: sig(types.VectorOID), Ret: types.TInt4,
		Impl: func(_ planner.Env, args []types.Datum) (types.Datum, error) { return int64(len(vec(args[0]))), nil }})
	r.addFunc("vector_norm", Overload{Args: sig(types.VectorOID), Ret: types.TFloat8,
		Impl: func(_ planner.Env, args []types.Datum) (types.Datum, error) { return vectorNorm(vec(args[0])), nil }})
	r.addFunc("l2_normalize", Overload{Args: sig(types.VectorOID), Ret: types.TVector,
		Impl: func(_ planner.Env, args []types.Datum) (types.Datum, error) {
			a := vec(args[0])
			out := make(types.Vector, len(a))
			norm := vectorNorm(a)
			if norm > 0 {
				for i, x := range a {
					out[i] = float32(float64(x) / norm)
					if math.IsInf(float64(out[i]), 0) {
						return nil, errFloatOverflow()
					}
				}
			}
			return out, nil
		}})
	r.addFunc("subvector", Overload{Args: sig(types.VectorOID, types.Int4OID, types.Int4OID), Ret: types.TVector,
		Impl: func(_ planner.Env, args []types.Datum) (types.Datum, error) {
			return subvector(vec(args[0]), args[1].(int64), args[2].(int64))
		}})
	r.addBinary("+", vecBinary(types.TVector, elementwise(func(x, y float32) float32 { return x + y }, false)))
	r.addBinary("-", vecBinary(types.TVector, elementwise(func(x, y float32) float32 { return x - y }, false)))
	r.addBinary("*", vecBinary(types.TVector, elementwise(func(x, y float32) float32 { return x * y }, true)))
	r.addBinary("||", vecBinary(types.TVector, func(_ planner.Env, args []types.Datum) (types.Datum, error) {
		a, b := vec(args[0]), vec(args[1])
		if len(a)+len(b) > types.VectorMaxDim {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded, "vector cannot have more than %d dimensions", types.VectorMaxDim)
		}
		out := make(types.Vector, 0, len(a)+len(b))
		return append(append(out, a...), b...), nil
	}))
}

// vectorNorm is the Euclidean norm accumulated in float64, as pgvector's
// vector_norm does.
func vectorNorm(a types.Vector) float64 {
	var s float64
	for _, x := range a {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

// subvector returns count elements starting at the 1-based start, clipped
// to the vector as pgvector does.
func subvector(a types.Vector, start, count int64) (types.Datum, error) {
	end := start + count
	if count <= 0 || end <= 1 || start > int64(len(a)) {
		return nil, pgerr.New(pgerr.DataException, "vector must have at least 1 dimension")
	}
	if start < 1 {
		start = 1
	}
	if end > int64(len(a))+1 {
		end = int64(len(a)) + 1
	}
	out := make(types.Vector, end-start)
	copy(out, a[start-1:end-1])
	return out, nil
}
