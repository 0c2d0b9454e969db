package exec

import (
	"context"
	"fmt"
	"testing"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

func numbersTable(t testing.TB, db *storage.DB, n int) *storage.Table {
	t.Helper()
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(i), "x", "NULL", "NULL"}
	}
	return createTable(t, db, "numbers", itemsColumns(), rows...)
}

// TestCancel checks that a cancelled statement stops with 57014 within
// checkEvery rows of every operator that loops over its input, and that a
// cause attached to the context (statement timeout) is the error.
func TestCancel(t *testing.T) {
	db := openDB(t)
	tbl := numbersTable(t, db, 5000)
	txn := db.Begin()
	defer txn.Rollback()
	scan := scanOf(tbl)
	id := col(0, types.TInt4)
	never := binop(t, "<", id, i4("0"))
	for _, tc := range []struct {
		name string
		plan planner.Node
		// streaming plans give rows before reading all their input, and
		// are also cancelled after some rows.
		streaming bool
	}{
		{"scan", scan, true},
		{"filter that passes nothing", &planner.Filter{Input: scan, Cond: never}, false},
		{"sort", &planner.Sort{Input: scan, Keys: []planner.SortKey{key(0, types.TInt4, true, true)}}, false},
		{"top-k", &planner.TopK{Input: scan, Keys: []planner.SortKey{key(0, types.TInt4, true, true)}, Count: i8(1)}, false},
		{"aggregate", aggregateOf(scan, nil, agg(t, "count")), false},
		{"distinct", &planner.Distinct{Input: scan}, true},
	} {
		afters := []int{0}
		if tc.streaming {
			afters = append(afters, 3)
		}
		for _, cause := range []error{nil, pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")} {
			for _, after := range afters {
				ctx, cancel := context.WithCancelCause(bg)
				res, err := Start(ctx, tc.plan, rt(txn))
				if err != nil {
					t.Fatal(err)
				}
				// Read some rows, then cancel.
				rows := 0
				for ; rows < after; rows++ {
					if row, err := res.Next(ctx); err != nil || row == nil {
						t.Fatalf("%s: %v, %v", tc.name, row, err)
					}
				}
				cancel(cause)
				for {
					row, err := res.Next(ctx)
					if err != nil {
						msg := "canceling statement due to user request"
						if cause != nil {
							msg = "canceling statement due to statement timeout"
						}
						wantErr(t, tc.name, err, pgerr.QueryCanceled, msg)
						break
					}
					if row == nil {
						t.Errorf("%s: ran to the end after the cancel", tc.name)
						break
					}
					rows++
				}
				if rows-after > checkEvery {
					t.Errorf("%s: %d rows after the cancel", tc.name, rows-after)
				}
				res.Close()
			}
		}
	}
}

// TestCancelDML checks that a cancelled INSERT writes nothing and fails.
func TestCancelDML(t *testing.T) {
	db := openDB(t)
	src := numbersTable(t, db, 3000)
	dst := createTable(t, db, "copy", itemsColumns())
	ctx, cancel := context.WithCancel(bg)
	cancel()
	txn := db.Begin()
	defer txn.Rollback()
	if err := txn.LockForWrite(bg); err != nil {
		t.Fatal(err)
	}
	res, err := Start(ctx, &planner.Insert{Table: dst, Input: scanOf(src)}, rt(txn))
	if err != nil {
		t.Fatal(err)
	}
	_, err = res.Next(ctx)
	wantErr(t, "INSERT ... SELECT", err, pgerr.QueryCanceled, "canceling statement due to user request")
	res.Close()
}
