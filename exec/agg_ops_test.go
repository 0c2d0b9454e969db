package exec

import (
	"testing"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// salesColumns is (dept text, amount numeric, qty int4).
func salesColumns() []storage.Column {
	return []storage.Column{
		{Name: "dept", Type: types.TText, Attnum: 1},
		{Name: "amount", Type: types.TNumeric, Attnum: 2},
		{Name: "qty", Type: types.TInt4, Attnum: 3},
	}
}

var salesRows = [][]string{
	{"a", "1.0", "1"},
	{"b", "2", "NULL"},
	{"a", "1.00", "3"},
	{"NULL", "5", "2"},
	{"b", "NULL", "2"},
	{"NULL", "1", "NULL"},
	{"a", "2.5", "3"},
}

func aggregateOf(in planner.Node, groups []planner.Expr, aggs ...*planner.AggCall) *planner.Aggregate {
	var out []planner.OutCol
	for _, g := range groups {
		out = append(out, planner.OutCol{T: g.Type()})
	}
	for _, a := range aggs {
		out = append(out, planner.OutCol{Name: a.Name, T: a.T})
	}
	return &planner.Aggregate{Input: in, Groups: groups, Aggs: aggs, Out: out}
}

func TestAggregate(t *testing.T) {
	db := openDB(t)
	tbl := createTable(t, db, "sales", salesColumns(), salesRows...)
	empty := createTable(t, db, "nothing", salesColumns())
	txn := db.Begin()
	defer txn.Rollback()
	dept, amount, qty := col(0, types.TText), col(1, types.TNumeric), col(2, types.TInt4)
	scan, none := scanOf(tbl), scanOf(empty)

	distinct := func(a *planner.AggCall) *planner.AggCall { a.Distinct = true; return a }
	filtered := func(a *planner.AggCall, cond planner.Expr) *planner.AggCall { a.Filter = cond; return a }

	for _, tc := range []struct {
		name string
		plan planner.Node
		want []string
	}{
		{"scalar", aggregateOf(scan, nil, agg(t, "count"), agg(t, "count", qty), agg(t, "sum", qty),
			agg(t, "sum", amount), agg(t, "avg", qty), agg(t, "min", dept), agg(t, "max", amount)),
			[]string{"7 5 11 12.50 2.2000000000000000 a 5"}},
		// Without GROUP BY there is one row even for no input: count 0 and
		// NULL for the others.
		{"scalar, empty", aggregateOf(none, nil, agg(t, "count"), agg(t, "sum", qty), agg(t, "avg", amount),
			agg(t, "max", dept), agg(t, "string_agg", dept, lit(types.TText, ","))),
			[]string{"0 NULL NULL NULL NULL"}},
		// With GROUP BY there is none.
		{"grouped, empty", aggregateOf(none, []planner.Expr{dept}, agg(t, "count")), nil},
		// NULL keys form one group; groups come in order of first arrival.
		{"grouped", aggregateOf(scan, []planner.Expr{dept}, agg(t, "count"), agg(t, "sum", amount), agg(t, "count", qty)),
			[]string{"a 3 4.50 3", "b 2 2 1", "NULL 2 6 1"}},
		{"group by expression", aggregateOf(scan, []planner.Expr{binop(t, "%", qty, i4("2"))}, agg(t, "count")),
			[]string{"1 3", "NULL 2", "0 2"}},
		{"two keys", aggregateOf(scan, []planner.Expr{dept, qty}, agg(t, "count")),
			[]string{"a 1 1", "b NULL 1", "a 3 2", "NULL 2 1", "b 2 1", "NULL NULL 1"}},
		// DISTINCT aggregates see each value once: 1.0 and 1.00 are one
		// value, NULLs are skipped.
		{"count distinct", aggregateOf(scan, nil, distinct(agg(t, "count", amount)), distinct(agg(t, "count", qty)),
			distinct(agg(t, "count", dept)), distinct(agg(t, "sum", qty))),
			[]string{"4 3 2 6"}},
		{"distinct per group", aggregateOf(scan, []planner.Expr{dept}, distinct(agg(t, "count", amount))),
			[]string{"a 2", "b 1", "NULL 2"}},
		// FILTER (WHERE qty > 1)
		{"filter", aggregateOf(scan, nil, filtered(agg(t, "count"), binop(t, ">", qty, i4("1"))),
			filtered(agg(t, "sum", amount), binop(t, ">", qty, i4("1")))),
			[]string{"4 8.50"}},
		// string_agg is not strict: it sees NULL values and skips them.
		{"string_agg", aggregateOf(scan, nil, agg(t, "string_agg", dept, lit(types.TText, "-"))),
			[]string{"a-b-a-b-a"}},
		{"array_agg keeps NULLs", aggregateOf(scan, []planner.Expr{dept}, agg(t, "array_agg", qty)),
			[]string{"a {1,3,3}", "b {NULL,2}", "NULL {2,NULL}"}},
	} {
		got, err := run(t, tc.plan, rt(txn))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		wantRows(t, tc.name, got, tc.want...)
	}
}

// TestAggregateErrors checks that an error while accumulating stops the
// query: sum(int8) fits, but avg(vector) of mismatched dimensions fails.
func TestAggregateErrors(t *testing.T) {
	vals := &planner.Values{Rows: [][]planner.Expr{{lit(types.TVector, "[1,2]")}, {lit(types.TVector, "[1,2,3]")}},
		Out: []planner.OutCol{{T: types.TVector}}}
	_, err := run(t, aggregateOf(vals, nil, agg(t, "avg", col(0, types.TVector))), rt(nil))
	wantErr(t, "avg(vector)", err, "22000", "expected 2 dimensions, not 3")
	_, err = run(t, aggregateOf(vals, nil, agg(t, "sum", col(0, types.TVector))), rt(nil))
	wantErr(t, "sum(vector)", err, "22000", "different vector dimensions 2 and 3")
}

func TestDistinct(t *testing.T) {
	num, txt := types.TNumeric, types.TText
	row := func(a, b string) []planner.Expr { return []planner.Expr{lit(num, a), lit(txt, b)} }
	vals := &planner.Values{Rows: [][]planner.Expr{
		row("1.0", "x"), row("1.00", "x"), row("NULL", "x"), row("2", "NULL"), row("NULL", "x"),
		row("2.000", "NULL"), row("1", "y"), row("NaN", "x"), row("NaN", "x"),
	}, Out: []planner.OutCol{{T: num}, {T: txt}}}
	// 1.0 and 1.00 are not distinct, nor are two NULLs or two NaNs; the
	// first of each comes out, in order of arrival.
	wantRows(t, "distinct", mustRun(t, &planner.Distinct{Input: vals}, rt(nil)),
		"1.0 x", "NULL x", "2 NULL", "1 y", "NaN x")

	// 0 and -0 are equal, for floats and inside vectors, so they must hash
	// alike too.
	vecs := &planner.Values{Rows: [][]planner.Expr{
		{lit(types.TVector, "[1,2]")}, {lit(types.TVector, "[1,2]")}, {lit(types.TVector, "[1,2,0]")},
		{lit(types.TVector, "[0,2]")}, {lit(types.TVector, "[-0,2]")},
	}, Out: []planner.OutCol{{T: types.TVector}}}
	wantRows(t, "distinct vectors", mustRun(t, &planner.Distinct{Input: vecs}, rt(nil)), "[1,2]", "[1,2,0]", "[0,2]")
	floats := &planner.Values{Rows: [][]planner.Expr{
		{lit(types.TFloat8, "0")}, {lit(types.TFloat8, "-0")}, {lit(types.TFloat8, "NaN")}, {lit(types.TFloat8, "NaN")},
	}, Out: []planner.OutCol{{T: types.TFloat8}}}
	wantRows(t, "distinct floats", mustRun(t, &planner.Distinct{Input: floats}, rt(nil)), "0", "NaN")
}
