package builtins

import (
	"math"
	"unsafe"

	"github.com/vecgres/vecgres/kernels"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// pgvector's halfvec: distances, functions, arithmetic, comparisons and
// aggregates, with halfvec_*'s messages. Elements are widened to float32
// for all arithmetic and rounded back to binary16 (nearest, ties to
// even) as pgvector's portable build does.

func half(d types.Datum) types.Halfvec { return d.(types.Halfvec) }

// asFloat16 views a halfvec's elements as kernels.Float16 without
// copying. Both element types are uint16 underneath, so the memory is the
// same; the view is only read (the kernels never write their inputs).
// A copy costs more than the distance itself (BenchmarkHalfvecView).
func asFloat16(v types.Halfvec) []kernels.Float16 {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*kernels.Float16)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}

// checkHalfDims fails as pgvector does when two halfvecs differ in length.
func checkHalfDims(a, b types.Halfvec) error {
	if len(a) != len(b) {
		return pgerr.New(pgerr.DataException, "different halfvec dimensions %d and %d", len(a), len(b))
	}
	return nil
}

func errHalfvecDims(dim int) error {
	if dim < 1 {
		return pgerr.New(pgerr.DataException, "halfvec must have at least 1 dimension")
	}
	if dim > types.VectorMaxDim {
		return pgerr.New(pgerr.ProgramLimitExceeded, "halfvec cannot have more than %d dimensions", types.VectorMaxDim)
	}
	return nil
}

// HalfvecDistance computes the distance d between two halfvecs of equal
// length, as pgvector's halfvec operators do: float32 sums, float64
// result.
func HalfvecDistance(d VectorDistance, a, b types.Halfvec) float64 {
	x, y := asFloat16(a), asFloat16(b)
	switch d {
	case DistanceL2:
		return kernels.L2F16(x, y)
	case DistanceNegativeDot:
		return -float64(kernels.DotF16(x, y))
	case DistanceCosine:
		return kernels.CosineDistanceF16(x, y)
	case DistanceL1:
		return float64(kernels.L1F16(x, y))
	}
	panic("builtins: unknown halfvec distance")
}

func halfBinary(ret types.T, f func(a, b types.Halfvec) (types.Datum, error)) Overload {
	return Overload{Args: sig(types.HalfvecOID, types.HalfvecOID), Ret: ret,
		Impl: func(_ planner.Env, args []types.Datum) (types.Datum, error) { return f(half(args[0]), half(args[1])) }}
}

// halfDistance checks the dimensions and computes f.
func halfDistance(f func(a, b types.Halfvec) float64) Overload {
	return halfBinary(types.TFloat8, func(a, b types.Halfvec) (types.Datum, error) {
		if err := checkHalfDims(a, b); err != nil {
			return nil, err
		}
		return f(a, b), nil
	})
}

// halfElementwise is halfvec_add, halfvec_sub and halfvec_mul: f on the
// widened elements, the result rounded to binary16; an infinite result is
// an overflow and, with checkUnderflow, a zero from non-zero inputs an
// underflow.
func halfElementwise(f func(x, y float32) float32, checkUnderflow bool) func(a, b types.Halfvec) (types.Datum, error) {
	return func(a, b types.Halfvec) (types.Datum, error) {
		if err := checkHalfDims(a, b); err != nil {
			return nil, err
		}
		out := make(types.Halfvec, len(a))
		for i := range a {
			out[i] = toHalf(f(types.HalfToFloat32(a[i]), types.HalfToFloat32(b[i])))
		}
		for i, h := range out {
			if h&0x7fff == 0x7c00 {
				return nil, errFloatOverflow()
			}
			if checkUnderflow && h&0x7fff == 0 && a[i]&0x7fff != 0 && b[i]&0x7fff != 0 {
				return nil, errFloatUnderflow()
			}
		}
		return out, nil
	}
}

var (
	halfAdd = halfElementwise(func(x, y float32) float32 { return x + y }, false)
	halfSub = halfElementwise(func(x, y float32) float32 { return x - y }, false)
	halfMul = halfElementwise(func(x, y float32) float32 { return x * y }, true)
)

// halfConcat is halfvec_concat.
func halfConcat(a, b types.Halfvec) (types.Datum, error) {
	if err := errHalfvecDims(len(a) + len(b)); err != nil {
		return nil, err
	}
	out := make(types.Halfvec, 0, len(a)+len(b))
	return append(append(out, a...), b...), nil
}

// halfNorm is halfvec_l2_norm: the Euclidean norm summed in float64.
func halfNorm(a types.Halfvec) float64 {
	var s float64
	for _, h := range a {
		x := float64(types.HalfToFloat32(h))
		s += x * x
	}
	return math.Sqrt(s)
}

// halfNormalize is halfvec_l2_normalize: each element divided by the norm
// in float64, then rounded to float32 and to binary16; a zero vector
// stays zero.
func halfNormalize(a types.Halfvec) (types.Datum, error) {
	out := make(types.Halfvec, len(a))
	norm := halfNorm(a)
	if norm > 0 {
		for i, h := range a {
			out[i] = toHalf(float32(float64(types.HalfToFloat32(h)) / norm))
			if out[i]&0x7fff == 0x7c00 {
				return nil, errFloatOverflow()
			}
		}
	}
	return out, nil
}

// halfSubvector is halfvec_subvector.
func halfSubvector(a types.Halfvec, start, count int64) (types.Datum, error) {
	end := start + count
	if count <= 0 || end <= 1 || start > int64(len(a)) {
		return nil, errHalfvecDims(0)
	}
	start = max(start, 1)
	end = min(end, int64(len(a))+1)
	out := make(types.Halfvec, end-start)
	copy(out, a[start-1:end-1])
	return out, nil
}

// sphericalDistance is pgvector's *_spherical_distance from an inner
// product of unit vectors: acos of it, clamped to [-1, 1], over pi.
func sphericalDistance(dot float64) float64 {
	dot = max(min(dot, 1), -1)
	return math.Acos(dot) / math.Pi
}

func addHalfvec(r *Registry) {
	for op, d := range distanceOperators {
		r.addBinary(op, halfDistance(func(a, b types.Halfvec) float64 { return HalfvecDistance(d, a, b) }))
	}
	dist := func(d VectorDistance) Overload {
		return halfDistance(func(a, b types.Halfvec) float64 { return HalfvecDistance(d, a, b) })
	}
	r.addFunc("l2_distance", dist(DistanceL2))
	r.addFunc("cosine_distance", dist(DistanceCosine))
	r.addFunc("l1_distance", dist(DistanceL1))
	r.addFunc("halfvec_negative_inner_product", dist(DistanceNegativeDot))
	r.addFunc("inner_product", halfDistance(func(a, b types.Halfvec) float64 {
		return float64(kernels.DotF16(asFloat16(a), asFloat16(b)))
	}))
	r.addFunc("halfvec_l2_squared_distance", halfDistance(func(a, b types.Halfvec) float64 {
		return float64(kernels.L2SquaredF16(asFloat16(a), asFloat16(b)))
	}))
	r.addFunc("halfvec_spherical_distance", halfDistance(func(a, b types.Halfvec) float64 {
		return sphericalDistance(float64(kernels.DotF16(asFloat16(a), asFloat16(b))))
	}))
	r.addFunc("vector_dims", Overload{Args: sig(types.HalfvecOID), Ret: types.TInt4,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return int64(len(half(a[0]))), nil }})
	r.addFunc("l2_norm", Overload{Args: sig(types.HalfvecOID), Ret: types.TFloat8,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return halfNorm(half(a[0])), nil }})
	r.addFunc("l2_normalize", Overload{Args: sig(types.HalfvecOID), Ret: types.THalfvec,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return halfNormalize(half(a[0])) }})
	r.addFunc("subvector", Overload{Args: sig(types.HalfvecOID, types.Int4OID, types.Int4OID), Ret: types.THalfvec,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return halfSubvector(half(a[0]), a[1].(int64), a[2].(int64))
		}})
	for _, f := range []struct {
		op, name string
		impl     func(a, b types.Halfvec) (types.Datum, error)
	}{
		{"+", "halfvec_add", halfAdd},
		{"-", "halfvec_sub", halfSub},
		{"*", "halfvec_mul", halfMul},
		{"||", "halfvec_concat", halfConcat},
	} {
		r.addBinary(f.op, halfBinary(types.THalfvec, f.impl))
		r.addFunc(f.name, halfBinary(types.THalfvec, f.impl))
	}
	addTypeComparisons(r, types.HalfvecOID, "halfvec")

	r.addAgg("avg", AggOverload{Args: sig(types.HalfvecOID), Ret: types.THalfvec, New: fixed(func() planner.Accumulator {
		var sums []float64
		var n int64
		return &accFunc{
			add: func(a []types.Datum) error {
				v := half(a[0])
				if sums == nil {
					sums = make([]float64, len(v))
					for i, h := range v {
						sums[i] = float64(types.HalfToFloat32(h))
					}
					n++
					return nil
				}
				if len(sums) != len(v) {
					return pgerr.New(pgerr.DataException, "expected %d dimensions, not %d", len(sums), len(v))
				}
				for i, h := range v {
					s := sums[i] + float64(types.HalfToFloat32(h))
					if math.IsInf(s, 0) {
						return errFloatOverflow()
					}
					sums[i] = s
				}
				n++
				return nil
			},
			result: func() (types.Datum, error) {
				if n == 0 {
					return nil, nil
				}
				if err := errHalfvecDims(len(sums)); err != nil {
					return nil, err
				}
				out := make(types.Halfvec, len(sums))
				for i, s := range sums {
					h, err := types.HalfFromFloat32(float32(s / float64(n)))
					if err != nil {
						return nil, err
					}
					if err := types.CheckHalfvecElement(h); err != nil {
						return nil, err
					}
					out[i] = h
				}
				return out, nil
			},
		}
	})})
	r.addAgg("sum", AggOverload{Args: sig(types.HalfvecOID), Ret: types.THalfvec, New: fixed(func() planner.Accumulator {
		var acc types.Datum
		return &accFunc{
			add: func(a []types.Datum) error {
				if acc == nil {
					acc = a[0]
					return nil
				}
				v, err := halfAdd(half(acc), half(a[0]))
				if err != nil {
					return err
				}
				acc = v
				return nil
			},
			result: func() (types.Datum, error) { return acc, nil },
		}
	})})
}

// addTypeComparisons registers the six comparison operators of a type
// with its own btree order (types.Compare) and its cmp support function,
// name_cmp, which returns -1, 0 or 1.
func addTypeComparisons(r *Registry, oid types.OID, name string) {
	t := types.Of(oid)
	for _, op := range comparisonOps {
		test := op.test
		r.addBinary(op.name, Overload{Args: sig(oid, oid), Ret: types.TBool,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				return test(types.Compare(t, a[0], a[1])), nil
			}})
	}
	r.addFunc(name+"_cmp", Overload{Args: sig(oid, oid), Ret: types.TInt4,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return int64(types.Compare(t, a[0], a[1])), nil
		}})
}

// toHalf rounds f to binary16 bits, nearest with ties to even, infinite
// past the largest finite value.
func toHalf(f float32) uint16 { return uint16(kernels.ToFloat16(f)) }
