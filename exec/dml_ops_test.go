package exec

import (
	"testing"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// runDML runs a writing plan in its own transaction, committed when it
// succeeds, and returns the RETURNING rows and the count of written rows.
func runDML(t *testing.T, db *storage.DB, plan planner.Node) ([]string, int64, error) {
	t.Helper()
	txn := db.Begin()
	if err := txn.LockForWrite(bg); err != nil {
		t.Fatal(err)
	}
	res, err := Start(bg, plan, rt(txn))
	if err != nil {
		txn.Rollback()
		return nil, 0, err
	}
	var rows []string
	for {
		row, err := res.Next(bg)
		if err != nil {
			res.Close()
			txn.Rollback()
			return rows, 0, err
		}
		if row == nil {
			break
		}
		rows = append(rows, formatRow(plan.Schema(), row))
	}
	res.Close()
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	return rows, res.Count(), nil
}

func contents(t *testing.T, db *storage.DB, tbl *storage.Table) []string {
	t.Helper()
	txn := db.Begin()
	defer txn.Rollback()
	return mustRun(t, scanOf(tbl), rt(txn))
}

func valuesOf(cols []storage.Column, rows ...[]planner.Expr) *planner.Values {
	out := make([]planner.OutCol, len(cols))
	for i, c := range cols {
		out[i] = planner.OutCol{Name: c.Name, T: c.Type}
	}
	return &planner.Values{Rows: rows, Out: out}
}

func TestInsertUpdateDelete(t *testing.T) {
	db := openDB(t)
	cols := itemsColumns()
	tbl := createTable(t, db, "items", cols, itemRows...)
	vec := types.VectorOf(3)
	id, name, price := col(0, types.TInt4), col(1, types.TText), col(3, types.TNumeric)

	// INSERT ... RETURNING id, name
	ins := &planner.Insert{Table: tbl,
		Input: valuesOf(cols,
			[]planner.Expr{i4("5"), lit(types.TText, "elder"), lit(vec, "[1,1,1]"), lit(types.TNumeric, "9.99")},
			[]planner.Expr{i4("6"), lit(types.TText, "NULL"), lit(vec, "NULL"), lit(types.TNumeric, "NULL")}),
		Returning: []planner.Expr{id, name},
		Out:       []planner.OutCol{{T: types.TInt4}, {T: types.TText}}}
	rows, n, err := runDML(t, db, ins)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("INSERT count %d, want 2", n)
	}
	wantRows(t, "INSERT RETURNING", rows, "5 elder", "6 NULL")

	// INSERT without RETURNING returns no rows but counts.
	rows, n, err = runDML(t, db, &planner.Insert{Table: tbl,
		Input: valuesOf(cols, []planner.Expr{i4("7"), lit(types.TText, "fig"), lit(vec, "NULL"), lit(types.TNumeric, "NULL")})})
	if err != nil || n != 1 || len(rows) != 0 {
		t.Errorf("INSERT: %q, %d, %v", rows, n, err)
	}

	// UPDATE items SET id = id + 10, name = upper(name) WHERE id > 4 RETURNING *
	scan := scanWithRowID(tbl)
	upd := &planner.Update{Table: tbl,
		Input: &planner.Filter{Input: scan, Cond: binop(t, ">", id, i4("4"))},
		Sets: []planner.SetItem{
			{Slot: 0, Expr: binop(t, "+", id, i4("10"))},
			{Slot: 1, Expr: fn(t, "upper", name)},
		},
		Returning: []planner.Expr{id, name, price},
		Out:       []planner.OutCol{{T: types.TInt4}, {T: types.TText}, {T: types.TNumeric}}}
	rows, n, err = runDML(t, db, upd)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("UPDATE count %d, want 3", n)
	}
	wantRows(t, "UPDATE RETURNING", rows, "15 ELDER 9.99", "16 NULL NULL", "17 FIG NULL")

	// UPDATE items SET id = id + 100: every row once, although the new
	// values would match again.
	all := &planner.Update{Table: tbl, Input: &planner.Filter{Input: scan, Cond: binop(t, ">", id, i4("0"))},
		Sets: []planner.SetItem{{Slot: 0, Expr: binop(t, "+", id, i4("100"))}}}
	if _, n, err = runDML(t, db, all); err != nil || n != 7 {
		t.Errorf("UPDATE all: %d rows, %v; want 7", n, err)
	}
	wantRows(t, "after updates", contents(t, db, tbl),
		"101 apple [1,0,0] 1.50", "102 banana [0,1,0] NULL", "103 NULL [0,0,1] 3", "104 date NULL 0.25",
		"115 ELDER [1,1,1] 9.99", "116 NULL NULL NULL", "117 FIG NULL NULL")

	// DELETE FROM items WHERE price IS NULL RETURNING id
	del := &planner.Delete{Table: tbl, Input: &planner.Filter{Input: scan, Cond: &planner.IsNull{Arg: price}},
		Returning: []planner.Expr{id}, Out: []planner.OutCol{{T: types.TInt4}}}
	rows, n, err = runDML(t, db, del)
	if err != nil || n != 3 {
		t.Errorf("DELETE: %d rows, %v; want 3", n, err)
	}
	wantRows(t, "DELETE RETURNING", rows, "102", "116", "117")

	// A DELETE that matches nothing.
	if _, n, err = runDML(t, db, del); err != nil || n != 0 {
		t.Errorf("second DELETE: %d rows, %v", n, err)
	}
	wantRows(t, "after delete", contents(t, db, tbl),
		"101 apple [1,0,0] 1.50", "103 NULL [0,0,1] 3", "104 date NULL 0.25", "115 ELDER [1,1,1] 9.99")
}

func TestNotNullViolation(t *testing.T) {
	db := openDB(t)
	cols := itemsColumns()
	tbl := createTable(t, db, "items", cols, itemRows...)
	vec := types.VectorOf(3)
	const msg = `null value in column "id" of relation "items" violates not-null constraint`

	// INSERT INTO items (name, v, price) VALUES ('a''b', '[1,2.5,3]', 1.50)
	ins := &planner.Insert{Table: tbl, Input: valuesOf(cols,
		[]planner.Expr{i4("9"), lit(types.TText, "ok"), lit(vec, "NULL"), lit(types.TNumeric, "NULL")},
		[]planner.Expr{i4("NULL"), lit(types.TText, "a'b"), lit(vec, "[1,2.5,3]"), lit(types.TNumeric, "1.50")})}
	_, _, err := runDML(t, db, ins)
	if pe := wantErr(t, "INSERT", err, pgerr.NotNullViolation, msg); pe != nil {
		// As PostgreSQL 15 reports it.
		if pe.Detail != "Failing row contains (null, a'b, [1,2.5,3], 1.50)." {
			t.Errorf("detail %q", pe.Detail)
		}
		if pe.Schema != "public" || pe.Table != "items" || pe.Column != "id" {
			t.Errorf("schema/table/column: %q %q %q", pe.Schema, pe.Table, pe.Column)
		}
	}
	// The statement wrote nothing.
	if got := contents(t, db, tbl); len(got) != len(itemRows) {
		t.Errorf("rows after the failed INSERT: %q", got)
	}

	// UPDATE items SET id = NULL WHERE id = 2
	upd := &planner.Update{Table: tbl,
		Input: &planner.Filter{Input: scanWithRowID(tbl), Cond: binop(t, "=", col(0, types.TInt4), i4("2"))},
		Sets:  []planner.SetItem{{Slot: 0, Expr: i4("NULL")}}}
	_, _, err = runDML(t, db, upd)
	if pe := wantErr(t, "UPDATE", err, pgerr.NotNullViolation, msg); pe != nil && pe.Detail != "Failing row contains (null, banana, [0,1,0], null)." {
		t.Errorf("detail %q", pe.Detail)
	}
}

func TestFormatRow(t *testing.T) {
	tbl := &storage.Table{Name: "t", Columns: []storage.Column{
		{Name: "a", Type: types.TInt4},
		{Name: "gone", Type: types.TText, Dropped: true},
		{Name: "b", Type: types.TText},
		{Name: "c", Type: types.TFloat8},
		{Name: "d", Type: types.TBool},
	}}
	row := Row{int64(1), "x", "it's, \"q\"", 0.1, true}
	// Dropped columns are left out; values appear as their text output,
	// unquoted, as PostgreSQL's ExecBuildSlotValueDescription writes them.
	if got, want := FormatRow(tbl, row, nil), `(1, it's, "q", 0.1, t)`; got != want {
		t.Errorf("FormatRow = %s, want %s", got, want)
	}
	if got, want := FormatRow(tbl, Row{nil, nil, nil, nil, nil}, nil), "(null, null, null, null)"; got != want {
		t.Errorf("FormatRow = %s, want %s", got, want)
	}
	// extra_float_digits applies.
	tenth := 0.1
	row[3] = tenth + 0.2 // 0.30000000000000004
	if got, want := FormatRow(tbl, row, nil), `(1, it's, "q", 0.30000000000000004, t)`; got != want {
		t.Errorf("FormatRow = %s, want %s", got, want)
	}
	if got, want := FormatRow(tbl, row, &types.FormatOptions{ExtraFloatDigits: 0}), `(1, it's, "q", 0.3, t)`; got != want {
		t.Errorf("FormatRow = %s, want %s", got, want)
	}
}
