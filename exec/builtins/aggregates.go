package builtins

import (
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// accFunc adapts two closures to planner.Accumulator.
type accFunc struct {
	add    func(args []types.Datum) error
	result func() (types.Datum, error)
}

func (a *accFunc) Add(_ planner.Env, args []types.Datum) error { return a.add(args) }
func (a *accFunc) Result(planner.Env) (types.Datum, error)     { return a.result() }

func fixed(f func() planner.Accumulator) func([]types.T) func() planner.Accumulator {
	return func([]types.T) func() planner.Accumulator { return f }
}

func addAggregates(r *Registry) {
	count := func() planner.Accumulator {
		var n int64
		return &accFunc{
			add:    func([]types.Datum) error { n++; return nil },
			result: func() (types.Datum, error) { return n, nil },
		}
	}
	r.addAgg("count", AggOverload{Ret: types.TInt8, New: fixed(count)}) // count(*)
	r.addAgg("count", AggOverload{Args: sig(AnyOID), Ret: types.TInt8, New: fixed(count)})

	// sum and avg of integers accumulate exactly.
	for _, oid := range []types.OID{types.Int2OID, types.Int4OID, types.Int8OID} {
		sumType := types.TInt8
		if oid == types.Int8OID {
			sumType = types.TNumeric
		}
		r.addAgg("sum", AggOverload{Args: sig(oid), Ret: sumType, New: fixed(func() planner.Accumulator {
			s := newIntSum()
			return &accFunc{add: s.add, result: func() (types.Datum, error) {
				if s.n == 0 {
					return nil, nil
				}
				if sumType.OID == types.Int8OID {
					return s.int64()
				}
				return s.decimal(), nil
			}}
		})})
		r.addAgg("avg", AggOverload{Args: sig(oid), Ret: types.TNumeric, New: fixed(func() planner.Accumulator {
			s := newIntSum()
			return &accFunc{add: s.add, result: func() (types.Datum, error) {
				if s.n == 0 {
					return nil, nil
				}
				return avgDecimal(s.decimal(), s.n)
			}}
		})})
	}
	for _, oid := range []types.OID{types.Float4OID, types.Float8OID} {
		single := oid == types.Float4OID
		r.addAgg("sum", AggOverload{Args: sig(oid), Ret: types.Of(oid), New: fixed(func() planner.Accumulator {
			var s float64
			var n int64
			return &accFunc{
				add: func(a []types.Datum) error {
					v := f8(a[0])
					sum, err := floatResult(s+v, single, math.IsInf(s, 0) || math.IsInf(v, 0), true)
					if err != nil {
						return err
					}
					s, n = sum.(float64), n+1
					return nil
				},
				result: func() (types.Datum, error) {
					if n == 0 {
						return nil, nil
					}
					return s, nil
				},
			}
		})})
		r.addAgg("avg", AggOverload{Args: sig(oid), Ret: types.TFloat8, New: fixed(func() planner.Accumulator {
			var st floatAccum
			return &accFunc{
				add: func(a []types.Datum) error { return st.add(f8(a[0])) },
				result: func() (types.Datum, error) {
					if st.n == 0 {
						return nil, nil
					}
					return st.sx / st.n, nil
				},
			}
		})})
	}
	numericSum := func(avg bool) func() planner.Accumulator {
		return func() planner.Accumulator {
			s := apd.New(0, 0)
			var n int64
			return &accFunc{
				add: func(a []types.Datum) error {
					v, err := types.NumericAdd(s, dec(a[0]))
					if err != nil {
						return err
					}
					s, n = v, n+1
					return nil
				},
				result: func() (types.Datum, error) {
					if n == 0 {
						return nil, nil
					}
					if avg {
						return avgDecimal(s, n)
					}
					return s, nil
				},
			}
		}
	}
	r.addAgg("sum", AggOverload{Args: sig(types.NumericOID), Ret: types.TNumeric, New: fixed(numericSum(false))})
	r.addAgg("avg", AggOverload{Args: sig(types.NumericOID), Ret: types.TNumeric, New: fixed(numericSum(true))})

	for _, oid := range comparableTypes {
		if oid == types.VectorOID {
			continue // pgvector defines no min or max for vector
		}
		for _, name := range []string{"min", "max"} {
			sign := 1
			if name == "min" {
				sign = -1
			}
			t := types.Of(oid)
			r.addAgg(name, AggOverload{Args: sig(oid), Ret: t, New: fixed(func() planner.Accumulator {
				var best types.Datum
				return &accFunc{
					add: func(a []types.Datum) error {
						// As PostgreSQL's int4larger, float8smaller, ...:
						// of two equal values the later one wins (visible
						// for 1.0 and 1.00, 0 and -0).
						if best == nil || sign*types.Compare(t, a[0], best) >= 0 {
							best = a[0]
						}
						return nil
					},
					result: func() (types.Datum, error) { return best, nil },
				}
			})})
		}
	}
	boolAgg := func(and bool) func() planner.Accumulator {
		return func() planner.Accumulator {
			var seen bool
			acc := and
			return &accFunc{
				add: func(a []types.Datum) error {
					seen = true
					if and {
						acc = acc && a[0].(bool)
					} else {
						acc = acc || a[0].(bool)
					}
					return nil
				},
				result: func() (types.Datum, error) {
					if !seen {
						return nil, nil
					}
					return acc, nil
				},
			}
		}
	}
	r.addAgg("bool_and", AggOverload{Args: sig(types.BoolOID), Ret: types.TBool, New: fixed(boolAgg(true))})
	r.addAgg("every", AggOverload{Args: sig(types.BoolOID), Ret: types.TBool, New: fixed(boolAgg(true))})
	r.addAgg("bool_or", AggOverload{Args: sig(types.BoolOID), Ret: types.TBool, New: fixed(boolAgg(false))})

	r.addAgg("string_agg", AggOverload{Args: sig(types.TextOID, types.TextOID), Ret: types.TText, NonStrict: true,
		New: fixed(func() planner.Accumulator {
			var b strings.Builder
			var seen bool
			return &accFunc{
				add: func(a []types.Datum) error {
					if a[0] == nil {
						return nil
					}
					if seen && a[1] != nil {
						b.WriteString(str(a[1]))
					}
					seen = true
					b.WriteString(str(a[0]))
					return nil
				},
				result: func() (types.Datum, error) {
					if !seen {
						return nil, nil
					}
					return b.String(), nil
				},
			}
		})})
	// array_agg of arrays is array_agg(anyarray) in PostgreSQL: the same
	// array type, one dimension more. vecgres's arrays have one dimension,
	// so it has the right type but fails when it gets a row.
	r.addAgg("array_agg", AggOverload{Args: sig(AnyOID), NonStrict: true,
		RetFn: func(args []types.T) types.T {
			if types.IsArray(args[0].OID) {
				return types.Of(args[0].OID)
			}
			arr, _ := types.ArrayOf(args[0].OID)
			return types.Of(arr)
		},
		New: func(args []types.T) func() planner.Accumulator {
			elem := types.Of(args[0].OID)
			ofArrays := types.IsArray(elem.OID)
			return func() planner.Accumulator {
				var elems []types.Datum
				return &accFunc{
					add: func(a []types.Datum) error {
						if ofArrays {
							return pgerr.New(pgerr.FeatureNotSupported, "array_agg of arrays is not supported by vecgres yet")
						}
						elems = append(elems, a[0])
						return nil
					},
					result: func() (types.Datum, error) {
						if elems == nil {
							return nil, nil
						}
						return &types.Array{Elem: elem, Elems: elems, LowerBound: 1}, nil
					},
				}
			}
		}})

	r.addAgg("avg", AggOverload{Args: sig(types.VectorOID), Ret: types.TVector, New: fixed(func() planner.Accumulator {
		var sums []float64
		var n int64
		return &accFunc{
			add: func(a []types.Datum) error {
				v := vec(a[0])
				if sums == nil {
					sums = make([]float64, len(v))
				} else if len(sums) != len(v) {
					return pgerr.New(pgerr.DataException, "expected %d dimensions, not %d", len(sums), len(v))
				}
				for i, x := range v {
					sums[i] += float64(x)
				}
				n++
				return nil
			},
			result: func() (types.Datum, error) {
				if n == 0 {
					return nil, nil
				}
				out := make(types.Vector, len(sums))
				for i, s := range sums {
					out[i] = float32(s / float64(n))
					if math.IsInf(float64(out[i]), 0) {
						return nil, errFloatOverflow()
					}
				}
				return out, nil
			},
		}
	})})
	addVec := elementwise(func(x, y float32) float32 { return x + y }, false)
	r.addAgg("sum", AggOverload{Args: sig(types.VectorOID), Ret: types.TVector, New: fixed(func() planner.Accumulator {
		var acc types.Datum
		return &accFunc{
			add: func(a []types.Datum) error {
				if acc == nil {
					acc = a[0]
					return nil
				}
				v, err := addVec(nil, []types.Datum{acc, a[0]})
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

// floatAccum is PostgreSQL's float8_accum state for avg (and the variance
// aggregates): the count, the sum and, by the Youngs-Cramer algorithm, the
// sum of squared differences from the mean. Sxx is kept although avg does
// not return it, because PostgreSQL reports its overflow: avg of 1e200 and
// -1e200 is an error there, not 0.
type floatAccum struct {
	n, sx, sxx float64
}

func (st *floatAccum) add(v float64) error {
	n := st.n + 1
	sx := st.sx + v
	sxx := st.sxx
	if st.n > 0 {
		tmp := v*n - sx
		sxx += tmp * tmp / (n * st.n)
		if math.IsInf(sx, 0) || math.IsInf(sxx, 0) {
			if !math.IsInf(st.sx, 0) && !math.IsInf(v, 0) {
				return errFloatOverflow()
			}
			sxx = math.NaN()
		}
	} else if math.IsNaN(v) || math.IsInf(v, 0) {
		sxx = math.NaN()
	}
	st.n, st.sx, st.sxx = n, sx, sxx
	return nil
}

// intSum adds integers exactly: in an int64 while it fits, in a decimal
// beyond.
type intSum struct {
	small int64
	big   *apd.Decimal
	n     int64
}

func newIntSum() *intSum { return &intSum{} }

func (s *intSum) add(a []types.Datum) error {
	v := a[0].(int64)
	s.n++
	sum := s.small + v
	if (sum > s.small) == (v > 0) || v == 0 {
		s.small = sum
		return nil
	}
	// Overflow: move the int64 part into the decimal.
	if s.big == nil {
		s.big = apd.New(0, 0)
	}
	var err error
	s.big, err = types.NumericAdd(s.big, apd.New(s.small, 0))
	if err != nil {
		return err
	}
	s.small = v
	return nil
}

func (s *intSum) decimal() *apd.Decimal {
	d := apd.New(s.small, 0)
	if s.big != nil {
		d, _ = types.NumericAdd(s.big, d)
	}
	return d
}

func (s *intSum) int64() (types.Datum, error) {
	if s.big != nil {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "bigint out of range")
	}
	return s.small, nil
}

// avgDecimal divides sum by n with numeric division's scale rules, as
// PostgreSQL's avg does.
func avgDecimal(sum *apd.Decimal, n int64) (types.Datum, error) {
	v, err := types.NumericDiv(sum, apd.New(n, 0))
	if err != nil {
		return nil, err
	}
	return v, nil
}
