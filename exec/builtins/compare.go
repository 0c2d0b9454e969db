package builtins

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// comparableTypes have the six comparison operators (btree opclasses in
// PostgreSQL). Types without their own operators (varchar, name) compare
// through an implicit cast to text, as in PostgreSQL.
var comparableTypes = []types.OID{
	types.BoolOID, types.Int2OID, types.Int4OID, types.Int8OID, types.OidOID,
	types.Float4OID, types.Float8OID, types.NumericOID, types.TextOID,
	types.BpcharOID, types.NameOID, types.ByteaOID, types.DateOID,
	types.TimestampOID, types.TimestampTZOID, types.JSONBOID, types.VectorOID,
	types.CharOID, types.IntervalOID,
}

// comparisonOps maps each operator to the test it applies to Compare's
// result.
var comparisonOps = []struct {
	name string
	test func(c int) bool
}{
	{"=", func(c int) bool { return c == 0 }},
	{"<>", func(c int) bool { return c != 0 }},
	{"<", func(c int) bool { return c < 0 }},
	{"<=", func(c int) bool { return c <= 0 }},
	{">", func(c int) bool { return c > 0 }},
	{">=", func(c int) bool { return c >= 0 }},
}

// ComparisonOperators are the operator names addComparisons defines.
func isComparison(op string) bool {
	for _, c := range comparisonOps {
		if c.name == op {
			return true
		}
	}
	return op == "!="
}

func addComparisons(r *Registry) {
	for _, oid := range comparableTypes {
		t := types.Of(oid)
		for _, op := range comparisonOps {
			test := op.test
			r.addBinary(op.name, Overload{
				Args: sig(oid, oid),
				Ret:  types.TBool,
				Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
					return test(types.Compare(t, a[0], a[1])), nil
				},
			})
		}
	}
	// Integer cross-type comparisons exist in PostgreSQL (int48eq, ...);
	// they give the same answers as comparing after widening, which the
	// binder's implicit casts do, so they need no entries here.
	r.addFunc("btint4cmp", Overload{Args: sig(types.Int4OID, types.Int4OID), Ret: types.TInt4,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return int64(types.Compare(types.TInt4, a[0], a[1])), nil
		}})
	r.addFunc("vector_cmp", Overload{Args: sig(types.VectorOID, types.VectorOID), Ret: types.TInt4,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return int64(types.Compare(types.TVector, a[0], a[1])), nil
		}})
}

// CompareFunc returns a function ordering two non-NULL values of type t.
func CompareFunc(t types.T) func(a, b types.Datum) int {
	t = types.Of(t.OID)
	return func(a, b types.Datum) int { return types.Compare(t, a, b) }
}

// EqualFunc returns a function telling whether two non-NULL values of type
// t are equal.
func EqualFunc(t types.T) func(a, b types.Datum) bool {
	t = types.Of(t.OID)
	return func(a, b types.Datum) bool { return types.Equal(t, a, b) }
}

// IsComparison reports whether op is one of the six comparison operators.
func IsComparison(op string) bool { return isComparison(op) }
