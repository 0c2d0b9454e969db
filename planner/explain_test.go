package planner

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/sql/types"
)

var update = flag.Bool("update", false, "rewrite testdata/explain.golden from the current output")

// explainCase is a plan built by hand and the query it stands for; the
// golden output of the ones that PostgreSQL can run was compared with
// PostgreSQL 15's EXPLAIN (COSTS OFF) of the query.
type explainCase struct {
	name  string
	query string
	plan  Node
	opts  ExplainOptions
}

func explainCases() []explainCase {
	tbl := itemsTable()
	scan := scanOf(tbl)
	id := func() *ColRef { return col(0, types.TInt4, "id") }
	name := func() *ColRef { return col(1, types.TText, "name") }
	v := func() *ColRef { return col(2, types.VectorOf(3), "v") }
	price := func() *ColRef { return col(3, types.TNumeric, "price") }
	vecConst := lit(types.TVector, "[1,2,3]")
	dist := op("<->", types.TFloat8, v(), vecConst)
	distProject := &Project{Input: scan, Exprs: []Expr{id(), dist},
		Out: []OutCol{{Name: "id", T: types.TInt4}, {Name: "?column?", T: types.TFloat8}}}
	byDist := []SortKey{{Expr: col(1, types.TFloat8, "")}}
	countStar := &AggCall{Name: "count", Star: true, T: types.TInt8, Strict: true}
	grouped := &Aggregate{Input: scan, Groups: []Expr{name()}, Aggs: []*AggCall{countStar},
		Out: []OutCol{{Name: "name", T: types.TText}, {Name: "count", T: types.TInt8}}}
	where := &Filter{Input: scan, Cond: &BoolOp{Op: And, Args: []Expr{
		op(">", types.TBool, id(), i4("5")), op("~~", types.TBool, name(), lit(types.TText, "a%"))}}}
	topk := &TopK{Input: distProject, Keys: byDist, Count: i8(5)}
	aliased := *scan
	aliased.Alias = "i"
	withRowID := *scan
	withRowID.RowID = true
	byIDFilter := &Filter{Input: &withRowID, Cond: op("=", types.TBool, id(), i4("1"))}
	return []explainCase{
		{name: "scan", query: "SELECT * FROM items", plan: scan},
		{name: "alias", query: "SELECT * FROM items i WHERE i.id > 1",
			plan: &Filter{Input: &aliased, Cond: op(">", types.TBool, id(), i4("1"))}},
		{name: "filter", query: "SELECT * FROM items WHERE id > 5 AND name LIKE 'a%'", plan: where},
		{name: "filter under projection", query: "SELECT name FROM items WHERE price < -1.5 OR name IS NULL",
			plan: &Project{Input: &Filter{Input: scan, Cond: &BoolOp{Op: Or, Args: []Expr{
				op("<", types.TBool, price(), lit(types.TNumeric, "-1.5")), &IsNull{Arg: name()}}}},
				Exprs: []Expr{name()}, Out: []OutCol{{Name: "name", T: types.TText}}}},
		{name: "top-k by distance", query: "SELECT id FROM items ORDER BY v <-> '[1,2,3]' LIMIT 5", plan: topk},
		{name: "limit over sort", query: "SELECT id FROM items ORDER BY v <-> '[1,2,3]' OFFSET 2",
			plan: &Limit{Input: &Sort{Input: distProject, Keys: byDist}, Offset: i8(2)}},
		{name: "sort keys", query: "SELECT * FROM items ORDER BY name DESC, id NULLS FIRST, price DESC NULLS LAST",
			plan: &Sort{Input: scan, Keys: []SortKey{
				{Expr: name(), Desc: true, NullsFirst: true},
				{Expr: id(), NullsFirst: true},
				{Expr: price(), Desc: true},
			}}},
		{name: "limit", query: "SELECT * FROM items LIMIT 3", plan: &Limit{Input: scan, Count: i8(3)}},
		{name: "aggregate", query: "SELECT count(*) FROM items",
			plan: &Aggregate{Input: scan, Aggs: []*AggCall{countStar}, Out: []OutCol{{Name: "count", T: types.TInt8}}}},
		{name: "group by", query: "SELECT name, count(*) FROM items GROUP BY name", plan: grouped},
		// PostgreSQL writes count(*) > 1 without a cast: it has int8 > int4.
		{name: "having", query: "SELECT name, count(*) FROM items GROUP BY name HAVING count(*) > 1",
			plan: &Filter{Input: grouped, Cond: op(">", types.TBool, col(1, types.TInt8, "count"), i8(1))}},
		{name: "distinct", query: "SELECT DISTINCT name FROM items",
			plan: &Distinct{Input: &Project{Input: scan, Exprs: []Expr{name()}, Out: []OutCol{{Name: "name", T: types.TText}}}}},
		{name: "having without groups", query: "SELECT count(*) FROM items HAVING count(*) > 1",
			plan: &Filter{Input: &Aggregate{Input: scan, Aggs: []*AggCall{countStar}, Out: []OutCol{{Name: "count", T: types.TInt8}}},
				Cond: op(">", types.TBool, col(0, types.TInt8, "count"), i8(1))}},
		{name: "having with distinct and filter", query: "SELECT name FROM items GROUP BY name " +
			"HAVING count(DISTINCT id) > 1 AND max(price) FILTER (WHERE id > 1) < 5",
			plan: &Project{Input: &Filter{Input: &Aggregate{Input: scan, Groups: []Expr{name()}, Aggs: []*AggCall{
				{Name: "count", Args: []Expr{id()}, Distinct: true, T: types.TInt8, Strict: true},
				{Name: "max", Args: []Expr{price()}, Filter: op(">", types.TBool, id(), i4("1")), T: types.TNumeric, Strict: true},
			}, Out: []OutCol{{Name: "name", T: types.TText}, {Name: "count", T: types.TInt8}, {Name: "max", T: types.TNumeric}}},
				Cond: &BoolOp{Op: And, Args: []Expr{
					op(">", types.TBool, col(1, types.TInt8, "count"), i8(1)),
					op("<", types.TBool, col(2, types.TNumeric, "max"), lit(types.TNumeric, "5")),
				}}}, Exprs: []Expr{col(0, types.TText, "name")}, Out: []OutCol{{Name: "name", T: types.TText}}}},
		{name: "order by an aggregate", query: "SELECT name, count(*) FROM items GROUP BY name ORDER BY 2 DESC, 1",
			plan: &Sort{Input: &Project{Input: grouped, Exprs: []Expr{col(0, types.TText, "name"), col(1, types.TInt8, "count")},
				Out: grouped.Out}, Keys: []SortKey{{Expr: col(1, types.TInt8, ""), Desc: true, NullsFirst: true}, {Expr: col(0, types.TText, "")}}}},
		{name: "order by a group expression", query: "SELECT id + 1 FROM items GROUP BY id + 1 ORDER BY 1",
			plan: &Sort{Input: &Project{Input: &Aggregate{Input: scan, Groups: []Expr{op("+", types.TInt4, id(), i4("1"))},
				Out: []OutCol{{Name: "?column?", T: types.TInt4}}}, Exprs: []Expr{col(0, types.TInt4, "")},
				Out: []OutCol{{Name: "?column?", T: types.TInt4}}}, Keys: []SortKey{{Expr: col(0, types.TInt4, "")}}}},
		{name: "distinct expressions", query: "SELECT DISTINCT id + 1, name FROM items",
			plan: &Distinct{Input: &Project{Input: scan, Exprs: []Expr{op("+", types.TInt4, id(), i4("1")), name()},
				Out: []OutCol{{Name: "?column?", T: types.TInt4}, {Name: "name", T: types.TText}}}}},
		{name: "values", query: "VALUES (1), (2)",
			plan: &Values{Rows: [][]Expr{{i4("1")}, {i4("2")}}, Out: []OutCol{{Name: "column1", T: types.TInt4}}}},
		{name: "result", query: "SELECT", plan: &Values{Rows: [][]Expr{{}}}},
		{name: "one row of values", query: "VALUES (1, 'a')", plan: &Values{Rows: [][]Expr{{i4("1"), lit(types.TText, "a")}},
			Out: []OutCol{{Name: "column1", T: types.TInt4}, {Name: "column2", T: types.TText}}}},
		{name: "insert", query: "INSERT INTO items VALUES (1, 'a', '[1,2,3]', 1)",
			plan: &Insert{Table: tbl, Input: &Values{Rows: [][]Expr{{i4("1"), lit(types.TText, "a"), vecConst, lit(types.TNumeric, "1")}},
				Out: scan.Out}}},
		{name: "update", query: "UPDATE items SET name = 'b' WHERE id = 1",
			plan: &Update{Table: tbl, Input: byIDFilter, Sets: []SetItem{{Slot: 1, Expr: lit(types.TText, "b")}}}},
		{name: "delete", query: "DELETE FROM items WHERE id = 1", plan: &Delete{Table: tbl, Input: byIDFilter}},
		{name: "explain analyze", query: "EXPLAIN ANALYZE SELECT id FROM items WHERE id > 5 AND name LIKE 'a%' LIMIT 3",
			plan: &Limit{Input: where, Count: i8(3)},
			opts: ExplainOptions{Actual: func(n Node) (int64, float64, float64, bool) {
				switch n.(type) {
				case *Limit:
					return 3, 0.012, 0.25, true
				case *Filter:
					return 3, 0.011, 0.2499, true
				}
				return 0, 0, 0, false
			}}},
		{name: "explain analyze, never executed", query: "EXPLAIN ANALYZE SELECT * FROM items LIMIT 0",
			plan: &Limit{Input: scan, Count: i8(0)},
			opts: ExplainOptions{Actual: func(n Node) (int64, float64, float64, bool) {
				if _, ok := n.(*Limit); ok {
					return 0, 0.001, 0.001, true
				}
				return 0, 0, 0, false
			}}},
	}
}

func TestExplainGolden(t *testing.T) {
	var b strings.Builder
	for _, tc := range explainCases() {
		b.WriteString("-- " + tc.name + ": " + tc.query + "\n")
		for _, line := range Explain(tc.plan, tc.opts) {
			b.WriteString(line + "\n")
		}
		b.WriteString("\n")
	}
	got := b.String()
	const path = "testdata/explain.golden"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestExplainGolden -update to create it)", err)
	}
	if got != string(want) {
		gotBlocks, wantBlocks := strings.Split(got, "\n\n"), strings.Split(string(want), "\n\n")
		for i := range max(len(gotBlocks), len(wantBlocks)) {
			var g, w string
			if i < len(gotBlocks) {
				g = gotBlocks[i]
			}
			if i < len(wantBlocks) {
				w = wantBlocks[i]
			}
			if g != w {
				t.Errorf("EXPLAIN differs:\ngot:\n%s\nwant:\n%s", g, w)
			}
		}
		t.Log("run go test -run TestExplainGolden -update if the change is intended")
	}
}

// TestExplainDoesNotChangePlans checks that rendering a plan leaves it as
// it was (Explain only reads).
func TestExplainDoesNotChangePlans(t *testing.T) {
	for _, tc := range explainCases() {
		before := shape(tc.plan)
		first := strings.Join(Explain(tc.plan, tc.opts), "\n")
		if shape(tc.plan) != before {
			t.Errorf("%s: plan changed", tc.name)
		}
		if again := strings.Join(Explain(tc.plan, tc.opts), "\n"); again != first {
			t.Errorf("%s: second rendering differs", tc.name)
		}
	}
}

func TestFormatExpr(t *testing.T) {
	schema := []OutCol{{Name: "id", T: types.TInt4}, {Name: "name", T: types.TText}, {Name: "v", T: types.TVector}}
	id := col(0, types.TInt4, "ignored")
	name := col(1, types.TText, "name")
	for _, tc := range []struct {
		e    Expr
		want string
	}{
		// Columns are named by the schema; a reference past it by its own
		// name.
		{id, "id"},
		{col(7, types.TInt4, "t.other"), "t.other"},
		// Constants as PostgreSQL's get_const_expr writes them.
		{i4("5"), "5"},
		{i4("-3"), "'-3'::integer"},
		{lit(types.TNumeric, "2.50"), "2.50"},
		{lit(types.TNumeric, "-1.5"), "'-1.5'::numeric"},
		{lit(types.TNumeric, "5"), "'5'::numeric"},
		{lit(types.TNumeric, "NaN"), "'NaN'::numeric"},
		{lit(types.TNumeric, "Infinity"), "'Infinity'::numeric"},
		{lit(types.TNumeric, "0.000"), "0.000"},
		{lit(types.TBool, "true"), "true"},
		{lit(types.TBool, "false"), "false"},
		{lit(types.TText, "it's"), "'it''s'::text"},
		{lit(types.TInt8, "7"), "'7'::bigint"},
		{lit(types.TFloat8, "1.5"), "'1.5'::double precision"},
		{lit(types.TVector, "[1,2,3]"), "'[1,2,3]'::vector"},
		{lit(types.TInt4, "NULL"), "NULL::integer"},
		{lit(types.TText, "NULL"), "NULL::text"},
		{&Param{Index: 0, T: types.TInt4}, "$1"},
		{&Param{Index: 11, T: types.TText}, "$12"},
		{op("=", types.TBool, id, i4("1")), "(id = 1)"},
		{op("-", types.TInt4, id), "(- id)"},
		{op("=", types.TBool, op("-", types.TInt4, id), i4("3")), "((- id) = 3)"},
		{call("length", types.TInt4, Immutable, name), "length(name)"},
		{call("now", types.TTimestampTZ, Stable), "now()"},
		{call("lpad", types.TText, Immutable, name, i4("5"), lit(types.TText, "x")), "lpad(name, 5, 'x'::text)"},
		{&Cast{Arg: name, To: types.TInt4}, "(name)::integer"},
		{&Cast{Arg: id, To: types.VarcharOf(10)}, "(id)::character varying(10)"},
		{&BoolOp{Op: And, Args: []Expr{op(">", types.TBool, id, i4("5")), op("~~", types.TBool, name, lit(types.TText, "a%"))}},
			"((id > 5) AND (name ~~ 'a%'::text))"},
		{&BoolOp{Op: Or, Args: []Expr{lit(types.TBool, "true"), &IsNull{Arg: name}, &IsNull{Arg: id, Negate: true}}},
			"(true OR (name IS NULL) OR (id IS NOT NULL))"},
		{&BoolOp{Op: Not, Args: []Expr{op("=", types.TBool, id, i4("1"))}}, "(NOT (id = 1))"},
		{&Coalesce{Args: []Expr{name, lit(types.TText, "x")}, T: types.TText}, "COALESCE(name, 'x'::text)"},
		{&Case{Whens: []When{{Cond: op(">", types.TBool, id, i4("1")), Result: lit(types.TBool, "true")}},
			Else: lit(types.TBool, "false"), T: types.TBool}, "CASE WHEN (id > 1) THEN true ELSE false END"},
		{&Case{Whens: []When{{Cond: &IsNull{Arg: id}, Result: i4("0")}, {Cond: lit(types.TBool, "true"), Result: id}}, T: types.TInt4},
			"CASE WHEN (id IS NULL) THEN 0 WHEN true THEN id END"},
		{&InList{Arg: id, List: []Expr{i4("1"), i4("-3")}}, "(id = ANY (ARRAY[1, '-3'::integer]))"},
		{&InList{Arg: id, List: []Expr{i4("1"), i4("2")}, Negate: true}, "(id <> ALL (ARRAY[1, 2]))"},
		{&ArrayExpr{Elems: []Expr{i4("1"), id}, T: types.Of(types.Int4ArrayOID)}, "ARRAY[1, id]"},
		{op("<->", types.TFloat8, col(2, types.TVector, "v"), lit(types.TVector, "[0,0,1]")), "(v <-> '[0,0,1]'::vector)"},
		{&OuterRef{Depth: 1, Idx: 0, Name: "o.id"}, "o.id"},
		{&Subquery{Kind: ScalarSubquery}, "(SubPlan)"},
		{&Subquery{Kind: ExistsSubquery}, "(EXISTS (SubPlan))"},
		{&Subquery{Kind: AnySubquery, Tests: []Expr{id}, Op: "="}, "(ANY (id = (SubPlan)))"},
		{&Subquery{Kind: AllSubquery, Tests: []Expr{id}, Op: "<>"}, "(ALL (id <> (SubPlan)))"},
		{&Subquery{Kind: AnySubquery, Tests: []Expr{id, id}, Op: "="}, "(ANY (ROW(id, id) = (SubPlan)))"},
		{&Subquery{Kind: ArraySubquery}, "(ARRAY(SubPlan))"},
	} {
		if got := FormatExpr(tc.e, schema); got != tc.want {
			t.Errorf("FormatExpr = %s, want %s", got, tc.want)
		}
	}
}
