package builtins

import (
	"math"

	"github.com/cockroachdb/apd/v3"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// intKind describes one integer width: its range and its overflow error.
type intKind struct {
	oid      types.OID
	min, max int64
	errText  string
}

var intKinds = []intKind{
	{types.Int2OID, math.MinInt16, math.MaxInt16, "smallint out of range"},
	{types.Int4OID, math.MinInt32, math.MaxInt32, "integer out of range"},
	{types.Int8OID, math.MinInt64, math.MaxInt64, "bigint out of range"},
}

func (k intKind) check(v int64) (types.Datum, error) {
	if v < k.min || v > k.max {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "%s", k.errText)
	}
	return v, nil
}

func (k intKind) overflow() error { return pgerr.New(pgerr.NumericValueOutOfRange, "%s", k.errText) }

func errDivisionByZero() error { return pgerr.New(pgerr.DivisionByZero, "division by zero") }

func errFloatOverflow() error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: overflow")
}

func errFloatUnderflow() error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: underflow")
}

func addArithmetic(r *Registry) {
	for _, k := range intKinds {
		addIntOps(r, k)
	}
	addFloatOps(r, types.Float4OID, true)
	addFloatOps(r, types.Float8OID, false)
	addMixedFloatOps(r)
	addNumericOps(r)
}

func binInt(k intKind, f func(a, b int64) (types.Datum, error)) Overload {
	return Overload{Args: sig(k.oid, k.oid), Ret: types.Of(k.oid),
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return f(a[0].(int64), a[1].(int64))
		}}
}

func addIntOps(r *Registry, k intKind) {
	r.addBinary("+", binInt(k, func(a, b int64) (types.Datum, error) {
		s := a + b
		if (s > a) != (b > 0) && b != 0 { // int64 wrap-around
			return nil, k.overflow()
		}
		return k.check(s)
	}))
	r.addBinary("-", binInt(k, func(a, b int64) (types.Datum, error) {
		s := a - b
		if (s < a) != (b > 0) && b != 0 {
			return nil, k.overflow()
		}
		return k.check(s)
	}))
	r.addBinary("*", binInt(k, func(a, b int64) (types.Datum, error) {
		if a == 0 || b == 0 {
			return int64(0), nil
		}
		p := a * b
		if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
			return nil, k.overflow()
		}
		return k.check(p)
	}))
	r.addBinary("/", binInt(k, func(a, b int64) (types.Datum, error) {
		if b == 0 {
			return nil, errDivisionByZero()
		}
		if b == -1 {
			if a == k.min {
				return nil, k.overflow()
			}
			return -a, nil
		}
		return a / b, nil
	}))
	modulo := binInt(k, func(a, b int64) (types.Datum, error) {
		if b == 0 {
			return nil, errDivisionByZero()
		}
		if b == -1 {
			return int64(0), nil
		}
		return a % b, nil
	})
	r.addBinary("%", modulo)
	r.addFunc("mod", modulo)
	r.addPrefix("-", Overload{Args: sig(k.oid), Ret: types.Of(k.oid),
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			v := a[0].(int64)
			if v == k.min {
				return nil, k.overflow()
			}
			return -v, nil
		}})
	r.addPrefix("+", Overload{Args: sig(k.oid), Ret: types.Of(k.oid),
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return a[0], nil }})
	r.addFunc("abs", Overload{Args: sig(k.oid), Ret: types.Of(k.oid),
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			v := a[0].(int64)
			if v < 0 {
				if v == k.min {
					return nil, k.overflow()
				}
				return -v, nil
			}
			return v, nil
		}})
	// Bitwise operators.
	for name, f := range map[string]func(a, b int64) int64{
		"&": func(a, b int64) int64 { return a & b },
		"|": func(a, b int64) int64 { return a | b },
		"#": func(a, b int64) int64 { return a ^ b },
	} {
		f := f
		r.addBinary(name, binInt(k, func(a, b int64) (types.Datum, error) { return f(a, b), nil }))
	}
}

// floatResult checks a float operation's result as PostgreSQL's
// check_float4_val/check_float8_val do: an infinite result from finite
// inputs overflowed, a zero result from non-zero inputs underflowed.
func floatResult(v float64, single, infOK, zeroOK bool) (types.Datum, error) {
	if single {
		v = float64(float32(v))
	}
	if math.IsInf(v, 0) && !infOK {
		return nil, errFloatOverflow()
	}
	if v == 0 && !zeroOK {
		return nil, errFloatUnderflow()
	}
	return v, nil
}

func addFloatOps(r *Registry, oid types.OID, single bool) {
	t := types.Of(oid)
	bin := func(f func(a, b float64) (types.Datum, error)) Overload {
		return Overload{Args: sig(oid, oid), Ret: t,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				return f(a[0].(float64), a[1].(float64))
			}}
	}
	isInf := func(v float64) bool { return math.IsInf(v, 0) }
	r.addBinary("+", bin(func(a, b float64) (types.Datum, error) {
		return floatResult(a+b, single, isInf(a) || isInf(b), true)
	}))
	r.addBinary("-", bin(func(a, b float64) (types.Datum, error) {
		return floatResult(a-b, single, isInf(a) || isInf(b), true)
	}))
	r.addBinary("*", bin(func(a, b float64) (types.Datum, error) {
		return floatResult(a*b, single, isInf(a) || isInf(b), a == 0 || b == 0)
	}))
	r.addBinary("/", bin(func(a, b float64) (types.Datum, error) {
		if b == 0 && !math.IsNaN(a) {
			return nil, errDivisionByZero()
		}
		return floatResult(a/b, single, isInf(a), a == 0 || isInf(b))
	}))
	r.addPrefix("-", Overload{Args: sig(oid), Ret: t,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return -a[0].(float64), nil }})
	r.addPrefix("+", Overload{Args: sig(oid), Ret: t,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return a[0], nil }})
	r.addFunc("abs", Overload{Args: sig(oid), Ret: t,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return math.Abs(a[0].(float64)), nil }})
}

func dec(d types.Datum) *apd.Decimal { return d.(*apd.Decimal) }

func addNumericOps(r *Registry) {
	bin := func(f func(a, b *apd.Decimal) (*apd.Decimal, error)) Overload {
		return Overload{Args: sig(types.NumericOID, types.NumericOID), Ret: types.TNumeric,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				v, err := f(dec(a[0]), dec(a[1]))
				if err != nil {
					return nil, err
				}
				return v, nil
			}}
	}
	r.addBinary("+", bin(types.NumericAdd))
	r.addBinary("-", bin(types.NumericSub))
	r.addBinary("*", bin(types.NumericMul))
	r.addBinary("/", bin(types.NumericDiv))
	r.addBinary("%", bin(types.NumericMod))
	r.addFunc("mod", bin(types.NumericMod))
	r.addPrefix("-", Overload{Args: sig(types.NumericOID), Ret: types.TNumeric,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return types.NumericNeg(dec(a[0])), nil }})
	r.addPrefix("+", Overload{Args: sig(types.NumericOID), Ret: types.TNumeric,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return a[0], nil }})
	r.addFunc("abs", Overload{Args: sig(types.NumericOID), Ret: types.TNumeric,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return types.NumericAbs(dec(a[0])), nil }})
}

// addMixedFloatOps adds PostgreSQL's real-with-double operators (float48pl,
// float84lt, ...). They matter for resolution: real / integer picks
// real / double precision, so the result is double precision.
func addMixedFloatOps(r *Registry) {
	float8 := r.binary
	for _, pair := range [][2]types.OID{{types.Float4OID, types.Float8OID}, {types.Float8OID, types.Float4OID}} {
		for _, name := range []string{"+", "-", "*", "/", "=", "<>", "<", "<=", ">", ">="} {
			for _, o := range float8[name] {
				if len(o.Args) == 2 && o.Args[0] == types.Float8OID && o.Args[1] == types.Float8OID {
					mixed := o
					mixed.Args = sig(pair[0], pair[1])
					r.addBinary(name, mixed)
					break
				}
			}
		}
	}
}
