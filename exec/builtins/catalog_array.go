package builtins

import (
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Array functions. vecgres's arrays are one-dimensional (see types.Array);
// the functions take any array (AnyOID) and check at run time that they
// got one.

func arrayArg(name string, d types.Datum) (*types.Array, error) {
	a, ok := d.(*types.Array)
	if !ok {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "function %s requires an array argument", name)
	}
	return a, nil
}

// arrayLower is an array's lower bound (1 unless its text said otherwise).
func arrayLower(a *types.Array) int64 {
	if a.LowerBound == 0 {
		return 1
	}
	return int64(a.LowerBound)
}

// arrayOfArg returns a RetFn giving argument i's type when it is an array,
// and the array type of argument i's type otherwise.
func arrayOfArg(i int) func([]types.T) types.T {
	return func(args []types.T) types.T {
		t := args[i].OID
		if types.IsArray(t) {
			return types.Of(t)
		}
		if arr, ok := types.ArrayOf(t); ok {
			return types.Of(arr)
		}
		return types.Of(types.AnyArrayOID)
	}
}

func addArrayFuncs(r *Registry) {
	addArrayComparisons(r)
	toString := func(env planner.Env, a []types.Datum) (types.Datum, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		arr, err := arrayArg("array_to_string", a[0])
		if err != nil {
			return nil, err
		}
		var null *string
		if len(a) == 3 && a[2] != nil {
			s := str(a[2])
			null = &s
		}
		var parts []string
		for _, e := range arr.Elems {
			switch {
			case e != nil:
				parts = append(parts, types.FormatText(arr.Elem, e, env.Format()))
			case null != nil:
				parts = append(parts, *null)
			}
		}
		return strings.Join(parts, str(a[1])), nil
	}
	r.addFunc("array_to_string", Overload{Args: sig(AnyOID, types.TextOID), Ret: types.TText, Volatility: planner.Stable, Impl: toString})
	r.addFunc("array_to_string", Overload{Args: sig(AnyOID, types.TextOID, types.TextOID), Ret: types.TText, NonStrict: true,
		Volatility: planner.Stable, Impl: toString})

	// Dimension functions: only dimension 1 exists; an empty array has
	// no dimensions.
	dim := func(name string, f func(a *types.Array) types.Datum) Overload {
		return Overload{Args: sig(AnyOID, types.Int4OID), Ret: types.TInt4,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				arr, err := arrayArg(name, a[0])
				if err != nil || a[1].(int64) != 1 || len(arr.Elems) == 0 {
					return nil, err
				}
				return f(arr), nil
			}}
	}
	r.addFunc("array_length", dim("array_length", func(a *types.Array) types.Datum { return int64(len(a.Elems)) }))
	r.addFunc("array_lower", dim("array_lower", func(a *types.Array) types.Datum { return arrayLower(a) }))
	r.addFunc("array_upper", dim("array_upper", func(a *types.Array) types.Datum {
		return arrayLower(a) + int64(len(a.Elems)) - 1
	}))
	// int2vector and oidvector start at 0.
	for _, t := range []types.OID{types.Int2VectorOID, types.OidVectorOID} {
		r.addFunc("array_lower", Overload{Args: sig(t, types.Int4OID), Ret: types.TInt4,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				if a[1].(int64) != 1 || len(a[0].(*types.Array).Elems) == 0 {
					return nil, nil
				}
				return int64(0), nil
			}})
		r.addFunc("array_upper", Overload{Args: sig(t, types.Int4OID), Ret: types.TInt4,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				n := len(a[0].(*types.Array).Elems)
				if a[1].(int64) != 1 || n == 0 {
					return nil, nil
				}
				return int64(n - 1), nil
			}})
	}
	r.addFunc("array_ndims", Overload{Args: sig(AnyOID), Ret: types.TInt4,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			arr, err := arrayArg("array_ndims", a[0])
			if err != nil || len(arr.Elems) == 0 {
				return nil, err
			}
			return int64(1), nil
		}})
	r.addFunc("array_dims", Overload{Args: sig(AnyOID), Ret: types.TText,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			arr, err := arrayArg("array_dims", a[0])
			if err != nil || len(arr.Elems) == 0 {
				return nil, err
			}
			lb := arrayLower(arr)
			return "[" + strconv.FormatInt(lb, 10) + ":" + strconv.FormatInt(lb+int64(len(arr.Elems))-1, 10) + "]", nil
		}})
	r.addFunc("cardinality", Overload{Args: sig(AnyOID), Ret: types.TInt4,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			arr, err := arrayArg("cardinality", a[0])
			if err != nil {
				return nil, err
			}
			return int64(len(arr.Elems)), nil
		}})
	r.addFunc("array_position", Overload{Args: sig(AnyOID, AnyOID), Ret: types.TInt4, NonStrict: true,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			if a[0] == nil {
				return nil, nil
			}
			arr, err := arrayArg("array_position", a[0])
			if err != nil {
				return nil, err
			}
			for i, e := range arr.Elems {
				if (e == nil && a[1] == nil) || (e != nil && a[1] != nil && types.Equal(arr.Elem, e, a[1])) {
					return arrayLower(arr) + int64(i), nil
				}
			}
			return nil, nil
		}})
	r.addFunc("array_append", Overload{Args: sig(AnyOID, AnyOID), RetFn: arrayOfArg(0), NonStrict: true,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			if a[0] == nil {
				return nil, nil
			}
			arr, err := arrayArg("array_append", a[0])
			if err != nil {
				return nil, err
			}
			elems := append(append([]types.Datum{}, arr.Elems...), a[1])
			return &types.Array{Elem: arr.Elem, Elems: elems, LowerBound: arr.LowerBound}, nil
		}})
	r.addFunc("array_prepend", Overload{Args: sig(AnyOID, AnyOID), RetFn: arrayOfArg(1), NonStrict: true,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			if a[1] == nil {
				return nil, nil
			}
			arr, err := arrayArg("array_prepend", a[1])
			if err != nil {
				return nil, err
			}
			return &types.Array{Elem: arr.Elem, Elems: append([]types.Datum{a[0]}, arr.Elems...), LowerBound: 1}, nil
		}})
	r.addFunc("array_cat", Overload{Args: sig(AnyOID, AnyOID), RetFn: arrayOfArg(0), NonStrict: true,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			if a[0] == nil || a[1] == nil {
				if a[0] == nil {
					return a[1], nil
				}
				return a[0], nil
			}
			x, err := arrayArg("array_cat", a[0])
			if err != nil {
				return nil, err
			}
			y, err := arrayArg("array_cat", a[1])
			if err != nil {
				return nil, err
			}
			return &types.Array{Elem: x.Elem, Elems: append(append([]types.Datum{}, x.Elems...), y.Elems...), LowerBound: x.LowerBound}, nil
		}})
	r.addFunc("array_remove", Overload{Args: sig(AnyOID, AnyOID), RetFn: arrayOfArg(0), NonStrict: true,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			if a[0] == nil {
				return nil, nil
			}
			arr, err := arrayArg("array_remove", a[0])
			if err != nil {
				return nil, err
			}
			out := &types.Array{Elem: arr.Elem, Elems: []types.Datum{}, LowerBound: 1}
			for _, e := range arr.Elems {
				if (e == nil && a[1] == nil) || (e != nil && a[1] != nil && types.Equal(arr.Elem, e, a[1])) {
					continue
				}
				out.Elems = append(out.Elems, e)
			}
			return out, nil
		}})
	toArray := func(_ planner.Env, a []types.Datum) (types.Datum, error) {
		if a[0] == nil {
			return nil, nil
		}
		s := str(a[0])
		out := &types.Array{Elem: types.TText, Elems: []types.Datum{}, LowerBound: 1}
		if s == "" {
			return out, nil
		}
		var parts []string
		switch {
		case a[1] == nil:
			for _, r := range s {
				parts = append(parts, string(r))
			}
		case str(a[1]) == "":
			parts = []string{s}
		default:
			parts = strings.Split(s, str(a[1]))
		}
		for _, p := range parts {
			if len(a) == 3 && a[2] != nil && p == str(a[2]) {
				out.Elems = append(out.Elems, nil)
				continue
			}
			out.Elems = append(out.Elems, p)
		}
		return out, nil
	}
	r.addFunc("string_to_array", Overload{Args: sig(types.TextOID, types.TextOID), Ret: types.Of(types.TextArrayOID), NonStrict: true, Impl: toArray})
	r.addFunc("string_to_array", Overload{Args: sig(types.TextOID, types.TextOID, types.TextOID), Ret: types.Of(types.TextArrayOID), NonStrict: true, Impl: toArray})
}

// addArrayComparisons defines the comparison operators of every array
// type (array_eq, array_lt, ...: element by element, see types.Compare),
// of int2vector and oidvector, and the containment and overlap operators
// @>, <@ and &&.
func addArrayComparisons(r *Registry) {
	var arrays []types.OID
	for _, info := range types.All() {
		if info.Elem != 0 && info.Category == 'A' {
			arrays = append(arrays, info.OID)
		}
	}
	for _, oid := range arrays {
		t := types.Of(oid)
		for _, op := range comparisonOps {
			test := op.test
			r.addBinary(op.name, Overload{Args: sig(oid, oid), Ret: types.TBool,
				Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
					return test(types.Compare(t, a[0], a[1])), nil
				}})
		}
		elem := types.Of(types.OID(0))
		if e, ok := types.ElemOf(oid); ok {
			elem = types.Of(e)
		}
		r.addBinary("||", Overload{Args: sig(oid, oid), Ret: t,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				x, y := a[0].(*types.Array), a[1].(*types.Array)
				return &types.Array{Elem: x.Elem, Elems: append(append([]types.Datum{}, x.Elems...), y.Elems...), LowerBound: x.LowerBound}, nil
			}})
		r.addBinary("||", Overload{Args: sig(oid, elem.OID), Ret: t, NonStrict: true, Polymorphic: true,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				if a[0] == nil {
					return &types.Array{Elem: elem, Elems: []types.Datum{a[1]}, LowerBound: 1}, nil
				}
				x := a[0].(*types.Array)
				return &types.Array{Elem: x.Elem, Elems: append(append([]types.Datum{}, x.Elems...), a[1]), LowerBound: x.LowerBound}, nil
			}})
		r.addBinary("||", Overload{Args: sig(elem.OID, oid), Ret: t, NonStrict: true, Polymorphic: true,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				if a[1] == nil {
					return &types.Array{Elem: elem, Elems: []types.Datum{a[0]}, LowerBound: 1}, nil
				}
				y := a[1].(*types.Array)
				return &types.Array{Elem: y.Elem, Elems: append([]types.Datum{a[0]}, y.Elems...), LowerBound: 1}, nil
			}})
		r.addBinary("@>", Overload{Args: sig(oid, oid), Ret: types.TBool,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				return arrayContains(a[0].(*types.Array), a[1].(*types.Array)), nil
			}})
		r.addBinary("<@", Overload{Args: sig(oid, oid), Ret: types.TBool,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				return arrayContains(a[1].(*types.Array), a[0].(*types.Array)), nil
			}})
		r.addBinary("&&", Overload{Args: sig(oid, oid), Ret: types.TBool,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				x, y := a[0].(*types.Array), a[1].(*types.Array)
				for _, e := range y.Elems {
					if e != nil && arrayHas(x, e) {
						return true, nil
					}
				}
				return false, nil
			}})
	}
	for _, oid := range []types.OID{types.Int2VectorOID, types.OidVectorOID} {
		t := types.Of(oid)
		for _, op := range comparisonOps {
			test := op.test
			r.addBinary(op.name, Overload{Args: sig(oid, oid), Ret: types.TBool,
				Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
					return test(types.Compare(t, a[0], a[1])), nil
				}})
		}
	}
}

// arrayContains is array @> sub: every non-NULL element of sub is in a
// (a NULL element of sub is never contained).
func arrayContains(a, sub *types.Array) bool {
	for _, e := range sub.Elems {
		if e == nil || !arrayHas(a, e) {
			return false
		}
	}
	return true
}

func arrayHas(a *types.Array, v types.Datum) bool {
	for _, e := range a.Elems {
		if e != nil && types.Equal(a.Elem, e, v) {
			return true
		}
	}
	return false
}
