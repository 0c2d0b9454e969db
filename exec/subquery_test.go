package exec

import (
	"fmt"
	"testing"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// quantCase is one comparison of a left-hand side with a subquery's rows:
// x IN (rows) and friends, the values given as text ("NULL" for NULL).
type quantCase struct {
	test []string   // the left-hand side: one value, or a row form's
	rows [][]string // the subquery's rows
	want string     // "t", "f" or "NULL"
}

// quantSubquery builds the Subquery of kind and op comparing constants of
// testT with a Values plan of rowT columns, as the binder would.
func quantSubquery(t *testing.T, kind planner.SubqueryKind, op string, testT, rowT []types.T, c quantCase) *planner.Subquery {
	t.Helper()
	out := make([]planner.OutCol, len(rowT))
	for i, rt := range rowT {
		out[i] = planner.OutCol{Name: fmt.Sprintf("c%d", i), T: rt}
	}
	values := &planner.Values{Out: out}
	for _, r := range c.rows {
		exprs := make([]planner.Expr, len(r))
		for i, v := range r {
			exprs[i] = lit(rowT[i], v)
		}
		values.Rows = append(values.Rows, exprs)
	}
	sub := &planner.Subquery{Kind: kind, Plan: values, Op: op, T: types.TBool}
	for i, v := range c.test {
		test := lit(testT[i], v)
		f := binop(t, op, test, col(i, rowT[i]))
		sub.Tests = append(sub.Tests, test)
		sub.Cmps = append(sub.Cmps, f.Impl)
	}
	return sub
}

// quantModes evaluates a Subquery every way exec may: streamed per outer
// row (correlated), through the per-statement set (uncorrelated), and the
// set directly — hashed or compared row by row, in memory or with every
// row in a temporary file.
func quantModes(t *testing.T, sub *planner.Subquery) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, correlated := range []bool{true, false} {
		s := *sub
		s.Correlated = correlated
		plan := &planner.Project{Input: &planner.Values{Rows: [][]planner.Expr{{i4("0")}}, Out: []planner.OutCol{{Name: "z", T: types.TInt4}}},
			Exprs: []planner.Expr{&s}, Out: []planner.OutCol{{Name: "r", T: types.TBool}}}
		rows, err := run(t, plan, rt(nil))
		name := "uncorrelated"
		if correlated {
			name = "correlated"
		}
		if err != nil {
			got[name] = "error: " + err.Error()
			continue
		}
		got[name] = rows[0]
	}
	tests := make([]types.Datum, len(sub.Tests))
	for i, e := range sub.Tests {
		tests[i] = e.(*planner.Const).Value
	}
	var rows []Row
	for _, r := range sub.Plan.(*planner.Values).Rows {
		row := make(Row, len(r))
		for i, e := range r {
			row[i] = e.(*planner.Const).Value
		}
		rows = append(rows, row)
	}
	for _, mode := range []struct {
		name     string
		hashed   bool
		onDisk   bool
		hashable bool
	}{
		{"compared", false, false, false},
		{"compared on disk", false, true, false},
		{"hashed", true, false, true},
		{"hashed on disk", true, true, true},
	} {
		if mode.hashable && !hashableSubquery(sub) {
			continue
		}
		limits := memLimits{workMem: defaultWorkMem, hashMult: 1}
		if mode.onDisk {
			limits.workMem = 1
		}
		set := newSubquerySet(sub, testEnv{}, limits, mode.hashed)
		err := set.load(bg, &sliceOp{rows: rows})
		if err == nil && mode.onDisk && len(rows) > 0 && set.overflowRows != int64(len(rows)) {
			err = fmt.Errorf("%d of %d rows on disk", set.overflowRows, len(rows))
		}
		var v types.Datum
		if err == nil {
			v, err = set.eval(bg, tests)
		}
		set.close()
		if err != nil {
			got[mode.name] = "error: " + err.Error()
			continue
		}
		got[mode.name] = formatRow([]planner.OutCol{{T: types.TBool}}, Row{v})
	}
	return got
}

func row(vals ...string) []string { return vals }

// negate is NOT of a three-valued result.
func negate(v string) string {
	switch v {
	case "t":
		return "f"
	case "f":
		return "t"
	}
	return v
}

// TestQuantifiedSubqueryNulls is the NULL matrix of IN / NOT IN / = ANY /
// <> ALL over a subquery: a NULL or non-NULL left-hand side, a set with
// or without NULL, empty, value found or not. x NOT IN s is NOT (x IN s)
// and x <> ALL s is its equivalent: both are checked against the negation
// of the IN result.
func TestQuantifiedSubqueryNulls(t *testing.T) {
	int4 := []types.T{types.TInt4}
	for _, c := range []quantCase{
		{row("1"), nil, "f"},
		{row("NULL"), nil, "f"},
		{row("1"), [][]string{row("1"), row("2")}, "t"},
		{row("1"), [][]string{row("2"), row("3")}, "f"},
		{row("1"), [][]string{row("2"), row("NULL")}, "NULL"},
		{row("1"), [][]string{row("NULL"), row("1")}, "t"},
		{row("1"), [][]string{row("NULL")}, "NULL"},
		{row("NULL"), [][]string{row("1"), row("2")}, "NULL"},
		{row("NULL"), [][]string{row("NULL")}, "NULL"},
		{row("2"), [][]string{row("1"), row("2"), row("2")}, "t"},
	} {
		name := fmt.Sprintf("%v in %v", c.test, c.rows)
		t.Run(name, func(t *testing.T) {
			for _, q := range []struct {
				what string
				kind planner.SubqueryKind
				op   string
				want string
			}{
				{"IN / = ANY", planner.AnySubquery, "=", c.want},
				{"<> ALL (NOT IN)", planner.AllSubquery, "<>", negate(c.want)},
			} {
				sub := quantSubquery(t, q.kind, q.op, int4, int4, c)
				for mode, got := range quantModes(t, sub) {
					if got != q.want {
						t.Errorf("%s %s: got %s, want %s", q.what, mode, got, q.want)
					}
				}
			}
		})
	}
}

// TestQuantifiedSubqueryRows is the same matrix for row forms,
// (a, b) IN (SELECT c, d ...): a row compares as the AND of its columns'
// equalities (<> ALL: the OR of their inequalities), so a NULL leaves the
// result NULL only when no other column differs.
func TestQuantifiedSubqueryRows(t *testing.T) {
	int4x2 := []types.T{types.TInt4, types.TInt4}
	for _, c := range []quantCase{
		{row("1", "2"), nil, "f"},
		{row("NULL", "NULL"), nil, "f"},
		{row("1", "2"), [][]string{row("1", "2")}, "t"},
		{row("1", "2"), [][]string{row("1", "3")}, "f"},
		{row("1", "2"), [][]string{row("1", "NULL")}, "NULL"},
		{row("1", "2"), [][]string{row("2", "NULL")}, "f"},
		{row("1", "NULL"), [][]string{row("1", "2")}, "NULL"},
		{row("1", "NULL"), [][]string{row("2", "2")}, "f"},
		{row("1", "NULL"), [][]string{row("2", "2"), row("1", "3")}, "NULL"},
		{row("NULL", "NULL"), [][]string{row("1", "2")}, "NULL"},
		{row("1", "2"), [][]string{row("NULL", "NULL"), row("1", "2")}, "t"},
		{row("1", "2"), [][]string{row("3", "4"), row("NULL", "2")}, "NULL"},
		{row("1", "2"), [][]string{row("3", "4"), row("NULL", "5")}, "f"},
	} {
		t.Run(fmt.Sprintf("%v in %v", c.test, c.rows), func(t *testing.T) {
			for _, q := range []struct {
				what string
				kind planner.SubqueryKind
				op   string
				want string
			}{
				{"IN", planner.AnySubquery, "=", c.want},
				{"<> ALL", planner.AllSubquery, "<>", negate(c.want)},
			} {
				sub := quantSubquery(t, q.kind, q.op, int4x2, int4x2, c)
				for mode, got := range quantModes(t, sub) {
					if got != q.want {
						t.Errorf("%s %s: got %s, want %s", q.what, mode, got, q.want)
					}
				}
			}
		})
	}
}

// TestQuantifiedSubqueryNotHashed covers the quantifiers that compare row
// by row: a row form's = ALL and <> ANY, and an ordering operator.
func TestQuantifiedSubqueryNotHashed(t *testing.T) {
	int4 := []types.T{types.TInt4}
	int4x2 := []types.T{types.TInt4, types.TInt4}
	for _, tc := range []struct {
		kind  planner.SubqueryKind
		op    string
		types []types.T
		c     quantCase
	}{
		{planner.AllSubquery, "=", int4x2, quantCase{row("1", "2"), nil, "t"}},
		{planner.AllSubquery, "=", int4x2, quantCase{row("1", "2"), [][]string{row("1", "2"), row("1", "2")}, "t"}},
		{planner.AllSubquery, "=", int4x2, quantCase{row("1", "2"), [][]string{row("1", "2"), row("1", "NULL")}, "NULL"}},
		{planner.AllSubquery, "=", int4x2, quantCase{row("1", "2"), [][]string{row("1", "NULL"), row("2", "NULL")}, "f"}},
		{planner.AnySubquery, "<>", int4x2, quantCase{row("1", "2"), [][]string{row("1", "2")}, "f"}},
		{planner.AnySubquery, "<>", int4x2, quantCase{row("1", "2"), [][]string{row("1", "2"), row("1", "3")}, "t"}},
		{planner.AnySubquery, "<>", int4x2, quantCase{row("1", "2"), [][]string{row("1", "NULL")}, "NULL"}},
		{planner.AnySubquery, "<", int4, quantCase{row("2"), [][]string{row("1"), row("3")}, "t"}},
		{planner.AnySubquery, "<", int4, quantCase{row("2"), [][]string{row("1"), row("NULL")}, "NULL"}},
		{planner.AllSubquery, "<", int4, quantCase{row("2"), [][]string{row("3"), row("4")}, "t"}},
		{planner.AllSubquery, "<", int4, quantCase{row("2"), [][]string{row("3"), row("1"), row("NULL")}, "f"}},
		{planner.AllSubquery, "<", int4, quantCase{row("NULL"), nil, "t"}},
	} {
		kind := map[planner.SubqueryKind]string{planner.AnySubquery: "ANY", planner.AllSubquery: "ALL"}[tc.kind]
		t.Run(fmt.Sprintf("%v %s %s %v", tc.c.test, tc.op, kind, tc.c.rows), func(t *testing.T) {
			sub := quantSubquery(t, tc.kind, tc.op, tc.types, tc.types, tc.c)
			if hashableSubquery(sub) {
				t.Errorf("hashable")
			}
			for mode, got := range quantModes(t, sub) {
				if got != tc.c.want {
					t.Errorf("%s: got %s, want %s", mode, got, tc.c.want)
				}
			}
		})
	}
}

// TestQuantifiedSubqueryEquality checks that the hashed set finds what the
// types' equality says is equal: numerics of different scales, floats'
// zeros and NaN, real against double precision, text bytewise, vectors
// elementwise.
func TestQuantifiedSubqueryEquality(t *testing.T) {
	for _, tc := range []struct {
		testT, rowT types.T
		c           quantCase
	}{
		{types.TNumeric, types.TNumeric, quantCase{row("1.5"), [][]string{row("2"), row("1.50")}, "t"}},
		{types.TNumeric, types.TNumeric, quantCase{row("1.5"), [][]string{row("1.05")}, "f"}},
		{types.TFloat8, types.TFloat8, quantCase{row("0"), [][]string{row("-0")}, "t"}},
		{types.TFloat8, types.TFloat8, quantCase{row("NaN"), [][]string{row("NaN")}, "t"}},
		{types.TFloat4, types.TFloat8, quantCase{row("1.5"), [][]string{row("1.5")}, "t"}},
		{types.TText, types.TText, quantCase{row("a"), [][]string{row("A"), row("a ")}, "f"}},
		{types.TText, types.TText, quantCase{row("a"), [][]string{row("A"), row("a")}, "t"}},
		{types.TVector, types.TVector, quantCase{row("[1,2]"), [][]string{row("[1,2.0]")}, "t"}},
		{types.TVector, types.TVector, quantCase{row("[1,2]"), [][]string{row("[2,1]")}, "f"}},
	} {
		t.Run(fmt.Sprintf("%s %v in %s %v", tc.testT, tc.c.test, tc.rowT, tc.c.rows), func(t *testing.T) {
			sub := quantSubquery(t, planner.AnySubquery, "=", []types.T{tc.testT}, []types.T{tc.rowT}, tc.c)
			if !hashableSubquery(sub) {
				t.Errorf("not hashable")
			}
			got := quantModes(t, sub)
			if _, ok := got["hashed"]; !ok {
				t.Fatalf("no hashed mode: %v", got)
			}
			for mode, g := range got {
				if g != tc.c.want {
					t.Errorf("%s: got %s, want %s", mode, g, tc.c.want)
				}
			}
		})
	}
}

// TestUncorrelatedSubqueryRunsOnce counts the runs of uncorrelated
// subqueries of every kind over the rows of an outer query, and of one
// nested in a correlated subquery: each runs once per statement, while a
// correlated one runs once per outer row. The subquery's rows go through
// a function that counts its calls.
func TestUncorrelatedSubqueryRunsOnce(t *testing.T) {
	outer := &planner.Values{Out: []planner.OutCol{{Name: "x", T: types.TInt4}}}
	for i := range 50 {
		// Values the subquery does not hold, so that a correlated IN
		// reads all its rows.
		outer.Rows = append(outer.Rows, []planner.Expr{i4(fmt.Sprint(10 + i%7))})
	}
	innerRows := []string{"1", "3", "NULL"}
	inner := func(calls *int) *planner.Values {
		v := &planner.Values{Out: []planner.OutCol{{Name: "y", T: types.TInt4}}}
		count := func(_ planner.Env, args []types.Datum) (types.Datum, error) {
			*calls++
			return args[0], nil
		}
		for _, y := range innerRows {
			v.Rows = append(v.Rows, []planner.Expr{&planner.Func{Name: "counted", Args: []planner.Expr{i4(y)}, T: types.TInt4, Impl: count}})
		}
		return v
	}
	eq := binop(t, "=", col(0, types.TInt4), col(0, types.TInt4))
	for _, tc := range []struct {
		name string
		sub  func(plan planner.Node) *planner.Subquery
		// perRun is the rows a run reads.
		perRun int
	}{
		{"IN", func(p planner.Node) *planner.Subquery {
			return &planner.Subquery{Kind: planner.AnySubquery, Plan: p, Tests: []planner.Expr{col(0, types.TInt4)}, Cmps: []planner.FuncImpl{eq.Impl}, Op: "=", T: types.TBool}
		}, len(innerRows)},
		{"scalar", func(p planner.Node) *planner.Subquery {
			return &planner.Subquery{Kind: planner.ScalarSubquery, Plan: &planner.Limit{Input: p, Count: i8(1)}, T: types.TInt4}
		}, 1},
		{"EXISTS", func(p planner.Node) *planner.Subquery {
			return &planner.Subquery{Kind: planner.ExistsSubquery, Plan: p, T: types.TBool}
		}, 1},
		{"ARRAY", func(p planner.Node) *planner.Subquery {
			return &planner.Subquery{Kind: planner.ArraySubquery, Plan: p, T: types.Of(types.Int4ArrayOID)}
		}, len(innerRows)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			project := func(input planner.Node, e planner.Expr) *planner.Project {
				return &planner.Project{Input: input, Exprs: []planner.Expr{e}, Out: []planner.OutCol{{Name: "r", T: e.Type()}}}
			}
			for _, shape := range []struct {
				name string
				plan func(sub *planner.Subquery) planner.Node
				runs int
			}{
				{"uncorrelated", func(sub *planner.Subquery) planner.Node { return project(outer, sub) }, 1},
				{"correlated", func(sub *planner.Subquery) planner.Node {
					sub.Correlated = true
					return project(outer, sub)
				}, len(outer.Rows)},
				{"uncorrelated inside correlated", func(sub *planner.Subquery) planner.Node {
					one := &planner.Values{Rows: [][]planner.Expr{{&planner.OuterRef{Depth: 1, Idx: 0, T: types.TInt4}}}, Out: outer.Out}
					wrapper := &planner.Subquery{Kind: planner.ScalarSubquery, Correlated: true, T: sub.Type(), Plan: project(one, sub)}
					return project(outer, wrapper)
				}, 1},
			} {
				calls := 0
				plan := shape.plan(tc.sub(inner(&calls)))
				rows := mustRun(t, plan, rt(nil))
				if len(rows) != len(outer.Rows) {
					t.Fatalf("%s: %d rows", shape.name, len(rows))
				}
				if want := shape.runs * tc.perRun; calls != want {
					t.Errorf("%s: %d rows of the subquery read over %d outer rows, want %d (%d runs)", shape.name, calls, len(outer.Rows), want, shape.runs)
				}
			}
		})
	}
}
