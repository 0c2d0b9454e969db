package builtins

import (
	"math"
	"math/rand/v2"

	"github.com/cockroachdb/apd/v3"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

func f8(d types.Datum) float64 { return d.(float64) }

func float8Func(f func(x float64) (float64, error)) Overload {
	return Overload{Args: sig(types.Float8OID), Ret: types.TFloat8,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return wrapF8(f(f8(a[0]))) }}
}

func wrapF8(v float64, err error) (types.Datum, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

func numericFunc(f func(x *apd.Decimal) (*apd.Decimal, error)) Overload {
	return Overload{Args: sig(types.NumericOID), Ret: types.TNumeric,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			v, err := f(dec(a[0]))
			if err != nil {
				return nil, err
			}
			return v, nil
		}}
}

func pure(f func(float64) float64) func(float64) (float64, error) {
	return func(x float64) (float64, error) { return f(x), nil }
}

func addMath(r *Registry) {
	for _, name := range []string{"ceil", "ceiling"} {
		r.addFunc(name, float8Func(pure(math.Ceil)))
		r.addFunc(name, numericFunc(func(x *apd.Decimal) (*apd.Decimal, error) {
			return types.NumericRound(numericCeil(x), 0)
		}))
	}
	r.addFunc("floor", float8Func(pure(math.Floor)))
	r.addFunc("floor", numericFunc(func(x *apd.Decimal) (*apd.Decimal, error) {
		return types.NumericRound(numericFloor(x), 0)
	}))
	r.addFunc("round", float8Func(pure(math.RoundToEven)))
	r.addFunc("round", numericFunc(func(x *apd.Decimal) (*apd.Decimal, error) { return types.NumericRound(x, 0) }))
	r.addFunc("round", Overload{Args: sig(types.NumericOID, types.Int4OID), Ret: types.TNumeric,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return wrapDec(types.NumericRound(dec(a[0]), int32(a[1].(int64))))
		}})
	r.addFunc("trunc", float8Func(pure(math.Trunc)))
	r.addFunc("trunc", numericFunc(func(x *apd.Decimal) (*apd.Decimal, error) { return types.NumericTrunc(x, 0) }))
	r.addFunc("trunc", Overload{Args: sig(types.NumericOID, types.Int4OID), Ret: types.TNumeric,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return wrapDec(types.NumericTrunc(dec(a[0]), int32(a[1].(int64))))
		}})
	r.addFunc("sqrt", float8Func(func(x float64) (float64, error) {
		if x < 0 {
			return 0, pgerr.New(pgerr.InvalidArgumentForPowerFunction, "cannot take square root of a negative number")
		}
		return math.Sqrt(x), nil
	}))
	r.addFunc("sqrt", numericFunc(types.NumericSqrt))
	r.addFunc("exp", float8Func(func(x float64) (float64, error) {
		// As PostgreSQL's dexp: exp(-Inf) is 0, but a finite argument
		// whose result is too small for a (subnormal) float8 underflows.
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return math.Exp(x), nil
		}
		v := math.Exp(x)
		if math.IsInf(v, 0) {
			return 0, errFloatOverflow()
		}
		if v == 0 {
			return 0, errFloatUnderflow()
		}
		return v, nil
	}))
	logOf := func(f func(float64) float64) func(float64) (float64, error) {
		return func(x float64) (float64, error) {
			if x == 0 {
				return 0, pgerr.New(pgerr.InvalidArgumentForLogarithm, "cannot take logarithm of zero")
			}
			if x < 0 {
				return 0, pgerr.New(pgerr.InvalidArgumentForLogarithm, "cannot take logarithm of a negative number")
			}
			return f(x), nil
		}
	}
	r.addFunc("ln", float8Func(logOf(math.Log)))
	r.addFunc("log", float8Func(logOf(math.Log10)))
	r.addFunc("log10", float8Func(logOf(math.Log10)))
	r.addFunc("sign", float8Func(func(x float64) (float64, error) {
		// -0 and NaN give 0, as in PostgreSQL.
		switch {
		case x > 0:
			return 1, nil
		case x < 0:
			return -1, nil
		}
		return 0, nil
	}))
	power := Overload{Args: sig(types.Float8OID, types.Float8OID), Ret: types.TFloat8,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return wrapF8(pow(f8(a[0]), f8(a[1]))) }}
	r.addFunc("power", power)
	r.addFunc("pow", power)
	r.addBinary("^", power)
	r.addFunc("pi", Overload{Ret: types.TFloat8,
		Impl: func(_ planner.Env, _ []types.Datum) (types.Datum, error) { return math.Pi, nil }})
	r.addFunc("random", Overload{Ret: types.TFloat8, Volatility: planner.Volatile,
		Impl: func(_ planner.Env, _ []types.Datum) (types.Datum, error) { return rand.Float64(), nil }})
	// PostgreSQL divides by, and multiplies with, RADIANS_PER_DEGREE, and
	// checks the results as float8 / and * do.
	const radiansPerDegree = 0.0174532925199432957692
	r.addFunc("degrees", float8Func(func(x float64) (float64, error) {
		return checkFloat8(x/radiansPerDegree, math.IsInf(x, 0), x == 0)
	}))
	r.addFunc("radians", float8Func(func(x float64) (float64, error) {
		return checkFloat8(x*radiansPerDegree, math.IsInf(x, 0), x == 0)
	}))
	// sin, cos and tan of an infinity are errors, not NaN.
	for name, f := range map[string]func(float64) float64{"sin": math.Sin, "cos": math.Cos, "tan": math.Tan} {
		r.addFunc(name, float8Func(func(x float64) (float64, error) {
			if math.IsInf(x, 0) {
				return 0, pgerr.New(pgerr.NumericValueOutOfRange, "input is out of range")
			}
			return f(x), nil
		}))
	}
	for name, f := range map[string]func(float64) float64{"atan": math.Atan, "cbrt": math.Cbrt} {
		r.addFunc(name, float8Func(pure(f)))
	}
}

// checkFloat8 is PostgreSQL's check_float8_val: an infinite result is an
// overflow unless infOK, a zero one an underflow unless zeroOK.
func checkFloat8(v float64, infOK, zeroOK bool) (float64, error) {
	if math.IsInf(v, 0) && !infOK {
		return 0, errFloatOverflow()
	}
	if v == 0 && !zeroOK {
		return 0, errFloatUnderflow()
	}
	return v, nil
}

// pow is PostgreSQL's dpow: NaN ^ 0 and 1 ^ NaN are 1 and other NaN
// arguments give NaN before any domain check; 0 ^ negative and negative ^
// non-integer are errors; a finite result that overflows or underflows is
// an error. Go's math.Pow already follows POSIX for infinite arguments.
func pow(x, y float64) (float64, error) {
	switch {
	case math.IsNaN(x):
		if math.IsNaN(y) || y != 0 {
			return math.NaN(), nil
		}
		return 1, nil
	case math.IsNaN(y):
		if x != 1 {
			return math.NaN(), nil
		}
		return 1, nil
	case x == 0 && y < 0:
		return 0, pgerr.New(pgerr.InvalidArgumentForPowerFunction, "zero raised to a negative power is undefined")
	case x < 0 && math.Floor(y) != y:
		return 0, pgerr.New(pgerr.InvalidArgumentForPowerFunction, "a negative number raised to a non-integer power yields a complex result")
	}
	v := math.Pow(x, y)
	if math.IsInf(x, 0) || math.IsInf(y, 0) {
		return v, nil
	}
	return checkFloat8(v, false, x == 0)
}

func numericCeil(x *apd.Decimal) *apd.Decimal {
	if x.Form != apd.Finite {
		return x // NaN and the infinities are their own ceiling
	}
	var out apd.Decimal
	if _, err := apd.BaseContext.Ceil(&out, x); err != nil {
		return x
	}
	return &out
}

func numericFloor(x *apd.Decimal) *apd.Decimal {
	if x.Form != apd.Finite {
		return x
	}
	var out apd.Decimal
	if _, err := apd.BaseContext.Floor(&out, x); err != nil {
		return x
	}
	return &out
}

func wrapDec(v *apd.Decimal, err error) (types.Datum, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}
