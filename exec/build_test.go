package exec

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

var (
	bg  = context.Background()
	reg = builtins.NewRegistry()
)

// testEnv is the Env of test runs. It embeds a nil planner.Env so that it
// keeps satisfying the interface as that grows; functions the tests call
// need none of its methods.
type testEnv struct{ planner.Env }

func (testEnv) Format() *types.FormatOptions { return &types.DefaultFormat }

// Setting finds no setting: operators then use their defaults (work_mem).
func (testEnv) Setting(name string) (string, error) {
	return "", pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
}

func openDB(t testing.TB) *storage.DB {
	t.Helper()
	db, err := storage.Open(storage.Options{InMemory: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// itemsColumns is (id int4 NOT NULL, name text, v vector(3), price numeric).
func itemsColumns() []storage.Column {
	return []storage.Column{
		{Name: "id", Type: types.TInt4, Attnum: 1, NotNull: true},
		{Name: "name", Type: types.TText, Attnum: 2},
		{Name: "v", Type: types.VectorOf(3), Attnum: 3},
		{Name: "price", Type: types.TNumeric, Attnum: 4},
	}
}

// createTable creates a table and inserts rows given as text ("NULL" is
// NULL), committing both.
func createTable(t testing.TB, db *storage.DB, name string, cols []storage.Column, rows ...[]string) *storage.Table {
	t.Helper()
	txn := db.Begin()
	tbl := &storage.Table{Schema: "public", Name: name, Columns: cols}
	if err := txn.CreateTable(bg, tbl); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if _, err := txn.Insert(bg, tbl, parseRow(t, cols, r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	got, ok := db.Catalog().TableByName("public", name)
	if !ok {
		t.Fatalf("table %s not in the catalog", name)
	}
	return got
}

func parseRow(t testing.TB, cols []storage.Column, texts []string) []types.Datum {
	t.Helper()
	row := make([]types.Datum, len(cols))
	for i, s := range texts {
		if s == "NULL" {
			continue
		}
		d, err := types.ParseText(cols[i].Type, s)
		if err != nil {
			t.Fatalf("%q as %s: %v", s, cols[i].Type, err)
		}
		row[i] = d
	}
	return row
}

func scanOf(tbl *storage.Table) *planner.Scan {
	out := make([]planner.OutCol, len(tbl.Columns))
	for i, c := range tbl.Columns {
		out[i] = planner.OutCol{Name: c.Name, T: c.Type, TableOID: tbl.OID, Attnum: c.Attnum}
	}
	return &planner.Scan{Table: tbl, Out: out}
}

// scanWithRowID is the scan UPDATE and DELETE read.
func scanWithRowID(tbl *storage.Table) *planner.Scan {
	s := scanOf(tbl)
	s.RowID = true
	s.Out = append(s.Out, planner.OutCol{Name: "ctid", T: types.TInt8})
	return s
}

func col(idx int, t types.T) *planner.ColRef {
	return &planner.ColRef{Idx: idx, T: t, Name: fmt.Sprintf("c%d", idx)}
}

func lit(t types.T, text string) *planner.Const {
	if text == "NULL" {
		return &planner.Const{T: t}
	}
	d, err := types.ParseText(t, text)
	if err != nil {
		panic(err)
	}
	return &planner.Const{Value: d, T: t}
}

func i4(text string) *planner.Const { return lit(types.TInt4, text) }
func i8(v int64) *planner.Const     { return &planner.Const{Value: v, T: types.TInt8} }

var (
	trueC  = lit(types.TBool, "true")
	falseC = lit(types.TBool, "false")
	nullB  = lit(types.TBool, "NULL")
)

// binop resolves an operator as the binder would for these argument types.
func binop(t testing.TB, name string, a, b planner.Expr) *planner.Func {
	t.Helper()
	return resolve(t, name, reg.BinaryOperator(name), a, b)
}

// fn resolves a function call.
func fn(t testing.TB, name string, args ...planner.Expr) *planner.Func {
	t.Helper()
	f := resolve(t, name, reg.Function(name), args...)
	f.Op, f.Name = "", name
	return f
}

func resolve(t testing.TB, name string, overloads []builtins.Overload, args ...planner.Expr) *planner.Func {
	t.Helper()
	ts := make([]types.T, len(args))
	oids := make([]types.OID, len(args))
	for i, a := range args {
		ts[i], oids[i] = a.Type(), a.Type().OID
	}
	for _, o := range overloads {
		if slices.Equal(o.Args, oids) {
			return &planner.Func{Op: name, Args: args, T: o.ResultType(ts), Impl: o.Impl,
				Strict: !o.NonStrict, Volatility: o.Volatility}
		}
	}
	t.Fatalf("no %s%v", name, oids)
	return nil
}

// agg makes an aggregate call as the binder would.
func agg(t testing.TB, name string, args ...planner.Expr) *planner.AggCall {
	t.Helper()
	ts := make([]types.T, len(args))
	oids := make([]types.OID, len(args))
	for i, a := range args {
		ts[i], oids[i] = a.Type(), a.Type().OID
	}
	for pass := range 2 {
		for _, o := range reg.Aggregate(name) {
			if slices.Equal(o.Args, oids) || pass == 1 && len(o.Args) == 1 && o.Args[0] == builtins.AnyOID && len(args) == 1 {
				return &planner.AggCall{Name: name, Args: args, Star: len(args) == 0, T: o.ResultType(ts),
					New: o.New(ts), Strict: !o.NonStrict}
			}
		}
	}
	t.Fatalf("no aggregate %s%v", name, oids)
	return nil
}

func rt(txn *storage.Txn) *Runtime {
	return &Runtime{Txn: txn, Env: testEnv{}}
}

// run executes a plan to the end and returns its rows as text.
func run(t testing.TB, plan planner.Node, r *Runtime) ([]string, error) {
	t.Helper()
	res, err := Start(bg, plan, r)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	var out []string
	schema := plan.Schema()
	for {
		row, err := res.Next(bg)
		if err != nil {
			return out, err
		}
		if row == nil {
			return out, nil
		}
		out = append(out, formatRow(schema, row))
	}
}

// mustRun is run for plans that must not fail.
func mustRun(t testing.TB, plan planner.Node, r *Runtime) []string {
	t.Helper()
	rows, err := run(t, plan, r)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func formatRow(schema []planner.OutCol, row Row) string {
	parts := make([]string, len(row))
	for i, d := range row {
		switch {
		case d == nil:
			parts[i] = "NULL"
		case i < len(schema):
			parts[i] = string(types.AppendText(nil, schema[i].T, d, nil))
		default:
			parts[i] = fmt.Sprint(d)
		}
	}
	return strings.Join(parts, " ")
}

func wantRows(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\ngot  %q\nwant %q", what, got, want)
	}
}

func wantErr(t testing.TB, what string, err error, code pgerr.Code, msg string) *pgerr.Error {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s %s", what, code, msg)
		return nil
	}
	pe := pgerr.From(err)
	if pe.Code != code || msg != "" && pe.Message != msg {
		t.Errorf("%s: got %s %q, want %s %q", what, pe.Code, pe.Message, code, msg)
	}
	return pe
}

var itemRows = [][]string{
	{"1", "apple", "[1,0,0]", "1.50"},
	{"2", "banana", "[0,1,0]", "NULL"},
	{"3", "NULL", "[0,0,1]", "3"},
	{"4", "date", "NULL", "0.25"},
}

func TestScanFilterProject(t *testing.T) {
	db := openDB(t)
	tbl := createTable(t, db, "items", itemsColumns(), itemRows...)
	txn := db.Begin()
	defer txn.Rollback()
	scan := scanOf(tbl)

	wantRows(t, "scan", mustRun(t, scan, rt(txn)),
		"1 apple [1,0,0] 1.50", "2 banana [0,1,0] NULL", "3 NULL [0,0,1] 3", "4 date NULL 0.25")

	withID := mustRun(t, scanWithRowID(tbl), rt(txn))
	if len(withID) != 4 || !strings.HasPrefix(withID[0], "1 apple [1,0,0] 1.50 ") {
		t.Errorf("scan with row ids: %q", withID)
	}

	// WHERE id > 1 AND name <> 'date': NULL names do not pass.
	filter := &planner.Filter{Input: scan, Cond: &planner.BoolOp{Op: planner.And, Args: []planner.Expr{
		binop(t, ">", col(0, types.TInt4), i4("1")),
		binop(t, "<>", col(1, types.TText), lit(types.TText, "date")),
	}}}
	wantRows(t, "filter", mustRun(t, filter, rt(txn)), "2 banana [0,1,0] NULL")

	// SELECT id * 2, upper(name), v <-> '[1,0,0]', price + 1 FROM items WHERE price IS NOT NULL
	proj := &planner.Project{
		Input: &planner.Filter{Input: scan, Cond: &planner.IsNull{Arg: col(3, types.TNumeric), Negate: true}},
		Exprs: []planner.Expr{
			binop(t, "*", col(0, types.TInt4), i4("2")),
			fn(t, "upper", col(1, types.TText)),
			binop(t, "<->", col(2, types.TVector), lit(types.TVector, "[1,0,0]")),
			binop(t, "+", col(3, types.TNumeric), lit(types.TNumeric, "1")),
		},
		Out: []planner.OutCol{{T: types.TInt4}, {T: types.TText}, {T: types.TFloat8}, {T: types.TNumeric}},
	}
	wantRows(t, "project", mustRun(t, proj, rt(txn)),
		"2 APPLE 0 2.50", "6 NULL 1.4142135623730951 4", "8 DATE NULL 1.25")

	// An error in an expression stops the query: 1 / (id - 3).
	div := &planner.Project{Input: scan, Exprs: []planner.Expr{
		binop(t, "/", i4("1"), binop(t, "-", col(0, types.TInt4), i4("3")))}, Out: []planner.OutCol{{T: types.TInt4}}}
	rows, err := run(t, div, rt(txn))
	wantErr(t, "1 / (id - 3)", err, pgerr.DivisionByZero, "division by zero")
	if len(rows) != 2 {
		t.Errorf("rows before the error: %q", rows)
	}

	res, err := Start(bg, scan, rt(txn))
	if err != nil {
		t.Fatal(err)
	}
	for {
		row, err := res.Next(bg)
		if err != nil {
			t.Fatal(err)
		}
		if row == nil {
			break
		}
	}
	if res.Count() != 4 {
		t.Errorf("Count = %d, want 4", res.Count())
	}
	res.Close()
}

func TestValues(t *testing.T) {
	vals := &planner.Values{
		Rows: [][]planner.Expr{{i4("1"), lit(types.TText, "a")}, {i4("2"), lit(types.TText, "NULL")}},
		Out:  []planner.OutCol{{T: types.TInt4}, {T: types.TText}},
	}
	wantRows(t, "values", mustRun(t, vals, rt(nil)), "1 a", "2 NULL")
	// Parameters are substituted.
	withParam := &planner.Values{Rows: [][]planner.Expr{{&planner.Param{Index: 1, T: types.TText}}}, Out: []planner.OutCol{{T: types.TText}}}
	r := rt(nil)
	r.Params = []types.Datum{int64(1), "second"}
	wantRows(t, "param", mustRun(t, withParam, r), "second")
	_, err := run(t, &planner.Values{Rows: [][]planner.Expr{{&planner.Param{Index: 2, T: types.TText}}},
		Out: []planner.OutCol{{T: types.TText}}}, r)
	wantErr(t, "missing parameter", err, pgerr.UndefinedParameter, "there is no parameter $3")
}

func TestLimitOffset(t *testing.T) {
	db := openDB(t)
	var rows [][]string
	for i := 1; i <= 10; i++ {
		rows = append(rows, []string{fmt.Sprint(i), "x", "NULL", "NULL"})
	}
	tbl := createTable(t, db, "items", itemsColumns(), rows...)
	txn := db.Begin()
	defer txn.Rollback()
	ids := &planner.Project{Input: scanOf(tbl), Exprs: []planner.Expr{col(0, types.TInt4)}, Out: []planner.OutCol{{T: types.TInt4}}}
	null8 := &planner.Const{T: types.TInt8}
	for _, tc := range []struct {
		name          string
		count, offset planner.Expr
		want          string
		err           pgerr.Code
		msg           string
	}{
		{"limit 3", i8(3), nil, "1 2 3", "", ""},
		{"limit 0", i8(0), nil, "", "", ""},
		{"limit past end", i8(20), nil, "1 2 3 4 5 6 7 8 9 10", "", ""},
		{"limit 3 offset 8", i8(3), i8(8), "9 10", "", ""},
		{"offset only", nil, i8(7), "8 9 10", "", ""},
		{"offset past end", i8(2), i8(10), "", "", ""},
		{"offset 0", i8(2), i8(0), "1 2", "", ""},
		// LIMIT NULL is no limit, OFFSET NULL is none, as in PostgreSQL.
		{"limit null", null8, i8(8), "9 10", "", ""},
		{"offset null", i8(1), null8, "1", "", ""},
		{"from a parameter", &planner.Param{Index: 0, T: types.TInt8}, nil, "1 2", "", ""},
		{"negative limit", i8(-1), nil, "", pgerr.InvalidRowCountInLimit, "LIMIT must not be negative"},
		{"negative offset", i8(1), i8(-1), "", pgerr.InvalidRowCountInResultOffset, "OFFSET must not be negative"},
	} {
		r := rt(txn)
		r.Params = []types.Datum{int64(2)}
		got, err := run(t, &planner.Limit{Input: ids, Count: tc.count, Offset: tc.offset}, r)
		if tc.err != "" {
			wantErr(t, tc.name, err, tc.err, tc.msg)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, s, tc.want)
		}
	}
}

// TestLimitStopsPulling checks that LIMIT reads no more rows than it needs.
func TestLimitStopsPulling(t *testing.T) {
	db := openDB(t)
	var rows [][]string
	for i := range 3000 {
		rows = append(rows, []string{fmt.Sprint(i), "x", "NULL", "NULL"})
	}
	tbl := createTable(t, db, "items", itemsColumns(), rows...)
	txn := db.Begin()
	defer txn.Rollback()
	scan := scanOf(tbl)
	lim := &planner.Limit{Input: scan, Count: i8(5)}
	r := rt(txn)
	r.Instrument = true
	res, err := Start(bg, lim, r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	n := 0
	for {
		row, err := res.Next(bg)
		if err != nil {
			t.Fatal(err)
		}
		if row == nil {
			break
		}
		n++
	}
	st, ok := res.Stats(scan)
	if n != 5 || !ok || st.Rows != 5 {
		t.Errorf("LIMIT 5 returned %d rows after pulling %d from the scan", n, st.Rows)
	}
}
