package planner

import (
	"errors"
	"slices"
	"testing"

	"github.com/vecgres/vecgres/sql/types"
)

// Expression builders for tests. Every call makes new objects, so that
// Equal is tested on structure, not on identity.

func col(idx int, t types.T, name string) *ColRef { return &ColRef{Idx: idx, T: t, Name: name} }

func lit(t types.T, text string) *Const {
	if text == "NULL" {
		return &Const{T: t}
	}
	d, err := types.ParseText(t, text)
	if err != nil {
		panic(err)
	}
	return &Const{Value: d, T: t}
}

func i4(text string) *Const { return lit(types.TInt4, text) }

func op(name string, t types.T, args ...Expr) *Func {
	return &Func{Op: name, Args: args, T: t, Strict: true, Volatility: Immutable}
}

func call(name string, t types.T, vol Volatility, args ...Expr) *Func {
	return &Func{Name: name, Args: args, T: t, Strict: true, Volatility: vol}
}

// exprKinds returns one expression of every kind, built fresh, with
// sub-expressions where the kind has them.
func exprKinds() map[string]Expr {
	a := col(0, types.TInt4, "a")
	return map[string]Expr{
		"const":    i4("1"),
		"param":    &Param{Index: 0, T: types.TInt4},
		"colref":   a,
		"func":     op("+", types.TInt4, col(0, types.TInt4, "a"), i4("1")),
		"cast":     &Cast{Arg: col(0, types.TInt4, "a"), To: types.TInt8},
		"boolop":   &BoolOp{Op: And, Args: []Expr{lit(types.TBool, "true"), col(1, types.TBool, "b")}},
		"isnull":   &IsNull{Arg: col(0, types.TInt4, "a")},
		"case":     &Case{Whens: []When{{Cond: col(1, types.TBool, "b"), Result: i4("1")}}, Else: i4("2"), T: types.TInt4},
		"coalesce": &Coalesce{Args: []Expr{col(0, types.TInt4, "a"), i4("0")}, T: types.TInt4},
		"inlist":   &InList{Arg: col(0, types.TInt4, "a"), List: []Expr{i4("1"), i4("2")}},
		"array":    &ArrayExpr{Elems: []Expr{i4("1"), col(0, types.TInt4, "a")}, T: types.Of(types.Int4ArrayOID)},
		"outerref": &OuterRef{Depth: 1, Idx: 2, T: types.TInt4, Name: "o.x"},
		"subquery": &Subquery{Kind: AnySubquery, Tests: []Expr{col(0, types.TInt4, "a")}, Op: "=", T: types.TBool},
	}
}

func TestEqual(t *testing.T) {
	// Each kind equals a separately built copy of itself, except a
	// subquery, which is only equal to itself.
	a, b := exprKinds(), exprKinds()
	for name := range a {
		want := name != "subquery"
		if got := Equal(a[name], b[name]); got != want {
			t.Errorf("%s: Equal(copy) = %v, want %v", name, got, want)
		}
		if !Equal(a[name], a[name]) {
			t.Errorf("%s: not equal to itself", name)
		}
		for other := range b {
			if other != name && Equal(a[name], b[other]) {
				t.Errorf("%s equals %s", name, other)
			}
		}
	}

	x := func() *ColRef { return col(0, types.TInt4, "x") }
	y := func() *ColRef { return col(1, types.TInt4, "y") }
	num := func(s string) *Const { return lit(types.TNumeric, s) }
	when := func(c, r Expr) When { return When{Cond: c, Result: r} }
	for _, tc := range []struct {
		name string
		a, b Expr
		want bool
	}{
		// Constants compare by value and type, as PostgreSQL's equal() on
		// Const nodes compares the datums' bytes: 1.5 is not 1.50.
		{"int4 consts", i4("7"), i4("7"), true},
		{"int4 vs int8 const", i4("7"), lit(types.TInt8, "7"), false},
		{"different ints", i4("7"), i4("8"), false},
		{"numeric consts", num("1.5"), num("1.5"), true},
		{"numeric scale", num("1.5"), num("1.50"), false},
		{"numeric value", num("1.5"), num("2.5"), false},
		{"vector consts", lit(types.TVector, "[1,2]"), lit(types.TVector, "[1,2]"), true},
		{"vector values", lit(types.TVector, "[1,2]"), lit(types.TVector, "[1,3]"), false},
		{"float NaN", lit(types.TFloat8, "NaN"), lit(types.TFloat8, "NaN"), true},
		{"float zero signs", lit(types.TFloat8, "0"), lit(types.TFloat8, "-0"), false},
		{"text", lit(types.TText, "a"), lit(types.TText, "a"), true},
		{"text vs varchar", lit(types.TText, "a"), lit(types.VarcharOf(3), "a"), false},
		{"NULLs of a type", lit(types.TInt4, "NULL"), lit(types.TInt4, "NULL"), true},
		{"NULLs of two types", lit(types.TInt4, "NULL"), lit(types.TText, "NULL"), false},
		{"NULL vs value", lit(types.TInt4, "NULL"), i4("0"), false},
		{"int array", lit(types.Of(types.Int4ArrayOID), "{1,2}"), lit(types.Of(types.Int4ArrayOID), "{1,2}"), true},

		{"params", &Param{Index: 1, T: types.TText}, &Param{Index: 1, T: types.TText}, true},
		{"param index", &Param{Index: 1, T: types.TText}, &Param{Index: 2, T: types.TText}, false},
		{"param type", &Param{Index: 1, T: types.TText}, &Param{Index: 1, T: types.TInt4}, false},
		// A column is its position: the name is only for messages.
		{"colref by index", col(3, types.TInt4, "a"), col(3, types.TInt4, "t.a"), true},
		{"colref index", col(3, types.TInt4, "a"), col(4, types.TInt4, "a"), false},

		{"x + 1.5", op("+", types.TNumeric, x(), num("1.5")), op("+", types.TNumeric, x(), num("1.5")), true},
		{"x <-> vector", op("<->", types.TFloat8, x(), lit(types.TVector, "[0,0]")),
			op("<->", types.TFloat8, x(), lit(types.TVector, "[0,0]")), true},
		{"operator", op("+", types.TInt4, x(), y()), op("-", types.TInt4, x(), y()), false},
		{"argument order", op("+", types.TInt4, x(), y()), op("+", types.TInt4, y(), x()), false},
		{"argument count", call("f", types.TInt4, Immutable, x()), call("f", types.TInt4, Immutable, x(), y()), false},
		{"function name", call("lower", types.TText, Immutable, x()), call("upper", types.TText, Immutable, x()), false},
		{"operator vs function", op("+", types.TInt4, x(), y()), call("+", types.TInt4, Immutable, x(), y()), false},
		{"result type", op("+", types.TInt4, x(), y()), op("+", types.TInt8, x(), y()), false},
		{"stable functions", call("now", types.TTimestampTZ, Stable), call("now", types.TTimestampTZ, Stable), true},
		// Two calls of a volatile function compute different things.
		{"volatile functions", call("random", types.TFloat8, Volatile), call("random", types.TFloat8, Volatile), false},

		{"cast", &Cast{Arg: x(), To: types.TText}, &Cast{Arg: x(), To: types.TText}, true},
		{"cast target", &Cast{Arg: x(), To: types.TText}, &Cast{Arg: x(), To: types.TInt8}, false},
		{"cast explicit", &Cast{Arg: x(), To: types.TText, Explicit: true}, &Cast{Arg: x(), To: types.TText}, false},
		{"cast arg", &Cast{Arg: x(), To: types.TText}, &Cast{Arg: y(), To: types.TText}, false},
		{"and vs or", &BoolOp{Op: And, Args: []Expr{x(), y()}}, &BoolOp{Op: Or, Args: []Expr{x(), y()}}, false},
		{"and args", &BoolOp{Op: And, Args: []Expr{x(), y()}}, &BoolOp{Op: And, Args: []Expr{x()}}, false},
		{"is null vs is not null", &IsNull{Arg: x()}, &IsNull{Arg: x(), Negate: true}, false},
		{"coalesce args", &Coalesce{Args: []Expr{x(), y()}}, &Coalesce{Args: []Expr{y(), x()}}, false},
		{"case else", &Case{Whens: []When{when(x(), y())}, Else: i4("1")}, &Case{Whens: []When{when(x(), y())}}, false},
		{"case no else", &Case{Whens: []When{when(x(), y())}}, &Case{Whens: []When{when(x(), y())}}, true},
		{"case result", &Case{Whens: []When{when(x(), y())}}, &Case{Whens: []When{when(x(), x())}}, false},
		{"case whens", &Case{Whens: []When{when(x(), y())}}, &Case{Whens: []When{when(x(), y()), when(y(), x())}}, false},
		{"in vs not in", &InList{Arg: x(), List: []Expr{i4("1")}}, &InList{Arg: x(), List: []Expr{i4("1")}, Negate: true}, false},
		{"in list", &InList{Arg: x(), List: []Expr{i4("1")}}, &InList{Arg: x(), List: []Expr{i4("2")}}, false},
		{"array type", &ArrayExpr{Elems: []Expr{x()}, T: types.Of(types.Int4ArrayOID)},
			&ArrayExpr{Elems: []Expr{x()}, T: types.Of(types.Int8ArrayOID)}, false},
		{"outer depth", &OuterRef{Depth: 1, Idx: 0}, &OuterRef{Depth: 2, Idx: 0}, false},
		{"outer vs column", &OuterRef{Depth: 1, Idx: 0}, col(0, types.TInt4, ""), false},
		{"nil", i4("1"), nil, false},
	} {
		if got := Equal(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: Equal = %v, want %v", tc.name, got, tc.want)
		}
		if tc.b != nil {
			if got := Equal(tc.b, tc.a); got != tc.want {
				t.Errorf("%s: Equal reversed = %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}

func TestChildren(t *testing.T) {
	k := exprKinds()
	for name, want := range map[string]func(e Expr) []Expr{
		"const":    func(Expr) []Expr { return nil },
		"param":    func(Expr) []Expr { return nil },
		"colref":   func(Expr) []Expr { return nil },
		"outerref": func(Expr) []Expr { return nil },
		"func":     func(e Expr) []Expr { return e.(*Func).Args },
		"cast":     func(e Expr) []Expr { return []Expr{e.(*Cast).Arg} },
		"boolop":   func(e Expr) []Expr { return e.(*BoolOp).Args },
		"isnull":   func(e Expr) []Expr { return []Expr{e.(*IsNull).Arg} },
		"case": func(e Expr) []Expr {
			c := e.(*Case)
			return []Expr{c.Whens[0].Cond, c.Whens[0].Result, c.Else}
		},
		"coalesce": func(e Expr) []Expr { return e.(*Coalesce).Args },
		"inlist":   func(e Expr) []Expr { l := e.(*InList); return append([]Expr{l.Arg}, l.List...) },
		"array":    func(e Expr) []Expr { return e.(*ArrayExpr).Elems },
		"subquery": func(e Expr) []Expr { return e.(*Subquery).Tests },
	} {
		e := k[name]
		if got, w := Children(e), want(e); !samePointers(got, w) {
			t.Errorf("Children(%s) = %v, want %v", name, got, w)
		}
	}
	if got := Children(&Case{Whens: []When{{Cond: i4("1"), Result: i4("2")}}}); len(got) != 2 {
		t.Errorf("Children of a CASE without ELSE: %d, want 2", len(got))
	}
	if got := Children(&Subquery{Kind: ExistsSubquery}); len(got) != 0 {
		t.Errorf("Children of EXISTS: %v", got)
	}
}

func samePointers(a, b []Expr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWalk(t *testing.T) {
	a, b := col(0, types.TInt4, "a"), col(1, types.TInt4, "b")
	one, two := i4("1"), i4("2")
	sum := op("+", types.TInt4, a, one)
	cmp := op(">", types.TBool, sum, b)
	isn := &IsNull{Arg: two}
	root := &BoolOp{Op: Or, Args: []Expr{cmp, isn}}

	var seen []Expr
	Walk(root, func(e Expr) bool { seen = append(seen, e); return true })
	if want := []Expr{root, cmp, sum, a, one, b, isn, two}; !samePointers(seen, want) {
		t.Errorf("Walk order: got %v, want %v", seen, want)
	}

	// Returning false stops the descent below that node only.
	seen = nil
	Walk(root, func(e Expr) bool { seen = append(seen, e); return e != cmp })
	if want := []Expr{root, cmp, isn, two}; !samePointers(seen, want) {
		t.Errorf("Walk with pruning: got %v, want %v", seen, want)
	}

	Walk(nil, func(Expr) bool { t.Error("fn called for nil"); return true })
}

func TestMapChildren(t *testing.T) {
	identity := func(e Expr) (Expr, error) { return e, nil }
	for name, e := range exprKinds() {
		// Nothing changed: the same expression comes back.
		got, err := MapChildren(e, identity)
		if err != nil || got != e {
			t.Errorf("%s: MapChildren(identity) = %p, %v; want the expression itself %p", name, got, err, e)
		}

		// Every child replaced: a copy with the new children, and the
		// original untouched.
		before := Children(e)
		before = slices.Clone(before)
		replaced := map[Expr]Expr{}
		got, err = MapChildren(e, func(c Expr) (Expr, error) {
			r := &Const{Value: int64(len(replaced)), T: c.Type()}
			replaced[c] = r
			return r, nil
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !samePointers(Children(e), before) {
			t.Errorf("%s: MapChildren changed the original", name)
		}
		if len(before) == 0 {
			if got != e {
				t.Errorf("%s: leaf was copied", name)
			}
			continue
		}
		if got == e {
			t.Errorf("%s: changed expression not copied", name)
		}
		if reflectKind(got) != reflectKind(e) {
			t.Errorf("%s: became %T", name, got)
		}
		after := Children(got)
		if len(after) != len(before) {
			t.Fatalf("%s: %d children after, %d before", name, len(after), len(before))
		}
		for i := range before {
			if after[i] != replaced[before[i]] {
				t.Errorf("%s: child %d not replaced", name, i)
			}
		}

		// Errors come back.
		boom := errors.New("boom")
		if _, err := MapChildren(e, func(Expr) (Expr, error) { return nil, boom }); err != boom {
			t.Errorf("%s: error %v, want boom", name, err)
		}
	}

	// Only the changed child of an IN list is new; the others are shared.
	l := exprKinds()["inlist"].(*InList)
	got, _ := MapChildren(l, func(c Expr) (Expr, error) {
		if c == l.List[1] {
			return i4("9"), nil
		}
		return c, nil
	})
	gl := got.(*InList)
	if gl == l || gl.Arg != l.Arg || gl.List[0] != l.List[0] || gl.List[1] == l.List[1] {
		t.Errorf("IN list with one changed item: %+v", gl)
	}
	// Only the tested value changed.
	got, _ = MapChildren(l, func(c Expr) (Expr, error) {
		if c == l.Arg {
			return i4("9"), nil
		}
		return c, nil
	})
	if gl := got.(*InList); gl == l || gl.Arg == l.Arg || gl.List[0] != l.List[0] {
		t.Errorf("IN list with a changed value: %+v", gl)
	}
}

func reflectKind(e Expr) string {
	switch e.(type) {
	case *Func:
		return "func"
	case *Cast:
		return "cast"
	case *BoolOp:
		return "boolop"
	case *IsNull:
		return "isnull"
	case *Case:
		return "case"
	case *Coalesce:
		return "coalesce"
	case *InList:
		return "inlist"
	case *ArrayExpr:
		return "array"
	case *Subquery:
		return "subquery"
	}
	return "leaf"
}

func TestIsConstant(t *testing.T) {
	a := func() Expr { return col(0, types.TInt4, "a") }
	for _, tc := range []struct {
		name string
		e    Expr
		want bool
	}{
		{"const", i4("1"), true},
		{"null", lit(types.TInt4, "NULL"), true},
		{"immutable call of consts", op("+", types.TInt4, i4("1"), i4("2")), true},
		{"nested", &Case{Whens: []When{{Cond: lit(types.TBool, "true"), Result: &Cast{Arg: i4("1"), To: types.TText}}}, T: types.TText}, true},
		{"array of consts", &ArrayExpr{Elems: []Expr{i4("1")}, T: types.Of(types.Int4ArrayOID)}, true},
		{"column", a(), false},
		{"param", &Param{Index: 0, T: types.TInt4}, false},
		{"outer reference", &OuterRef{Depth: 1, T: types.TInt4}, false},
		{"subquery", &Subquery{Kind: ExistsSubquery, T: types.TBool}, false},
		{"column deep inside", &Coalesce{Args: []Expr{i4("1"), op("-", types.TInt4, a())}}, false},
		{"column in a CASE result", &Case{Whens: []When{{Cond: lit(types.TBool, "true"), Result: a()}}}, false},
		{"column in an IN list", &InList{Arg: i4("1"), List: []Expr{i4("2"), a()}}, false},
		{"stable function", call("now", types.TTimestampTZ, Stable), false},
		{"volatile function", call("random", types.TFloat8, Volatile), false},
		{"volatile inside immutable", op("*", types.TFloat8, call("random", types.TFloat8, Volatile), lit(types.TFloat8, "2")), false},
	} {
		if got := IsConstant(tc.e); got != tc.want {
			t.Errorf("%s: IsConstant = %v, want %v", tc.name, got, tc.want)
		}
	}
}
