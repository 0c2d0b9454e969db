package storage

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

func TestInsertGetScanVisibility(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)

	w := db.Begin()
	id1, err := w.Insert(bg, f.tbl, item(1, "a"))
	must(t, err)
	id2, err := w.Insert(bg, f.tbl, item(2, nil))
	must(t, err)
	if id2 <= id1 {
		t.Fatalf("row ids not increasing: %d then %d", id1, id2)
	}

	// Own writes are visible to the writer.
	row, ok, err := w.Get(f.tbl, id1)
	must(t, err)
	if !ok || !sameRow(row, item(1, "a")) {
		t.Fatalf("own Get = %v, %v", row, ok)
	}
	if n := len(scanAll(t, w, f.tbl)); n != 2 {
		t.Fatalf("own scan sees %d rows, want 2", n)
	}

	// Another transaction sees nothing uncommitted.
	r := db.Begin()
	r.StartStatement()
	if n := len(scanAll(t, r, f.tbl)); n != 0 {
		t.Fatalf("reader sees %d uncommitted rows", n)
	}
	if _, ok, _ := r.Get(f.tbl, id1); ok {
		t.Fatal("reader Gets an uncommitted row")
	}
	if ids := lookup(t, r, f.pkey, int64(1)); len(ids) != 0 {
		t.Fatalf("reader finds uncommitted index entries %v", ids)
	}

	must(t, w.Commit())

	// The reader's statement snapshot still hides the commit ...
	if n := len(scanAll(t, r, f.tbl)); n != 0 {
		t.Fatalf("statement snapshot sees %d rows committed after it began", n)
	}
	// ... and its next statement sees it (READ COMMITTED).
	r.StartStatement()
	rows := scanAll(t, r, f.tbl)
	if len(rows) != 2 || !sameRow(rows[id2], item(2, nil)) {
		t.Fatalf("after commit: %v", rows)
	}
	r.EndStatement()
	must(t, r.Commit())
}

func TestUpdateDelete(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	ids := map[int64]RowID{}
	for i := int64(1); i <= 5; i++ {
		id, err := tx.Insert(bg, f.tbl, item(i, "n"))
		must(t, err)
		ids[i] = id
	}
	must(t, tx.Commit())

	tx = db.Begin()
	must(t, tx.Update(bg, f.tbl, ids[2], item(2, "n"), item(20, "m")))
	must(t, tx.Delete(bg, f.tbl, ids[3], item(3, "n")))
	// Own writes visible to reads, scans and index lookups.
	if row, ok, _ := tx.Get(f.tbl, ids[2]); !ok || !sameRow(row, item(20, "m")) {
		t.Fatalf("updated row = %v", row)
	}
	if _, ok, _ := tx.Get(f.tbl, ids[3]); ok {
		t.Fatal("deleted row still there")
	}
	if got := lookup(t, tx, f.pkey, int64(2)); len(got) != 0 {
		t.Fatalf("old key still indexed: %v", got)
	}
	if got := lookup(t, tx, f.pkey, int64(20)); len(got) != 1 || got[0] != ids[2] {
		t.Fatalf("new key lookup = %v", got)
	}
	if got := lookup(t, tx, f.byNam, "n"); len(got) != 3 {
		t.Fatalf("name lookup = %v, want 3 rows", got)
	}
	must(t, tx.Commit())

	tx = db.Begin()
	rows := scanAll(t, tx, f.tbl)
	if len(rows) != 4 {
		t.Fatalf("%d rows after delete", len(rows))
	}
	if got := lookup(t, tx, f.pkey, int64(3)); len(got) != 0 {
		t.Fatalf("deleted key still indexed: %v", got)
	}
	// The freed key can be reused.
	_, err := tx.Insert(bg, f.tbl, item(3, "again"))
	must(t, err)
	// An update that keeps the key does not trip over its own entry.
	must(t, tx.Update(bg, f.tbl, ids[1], item(1, "n"), item(1, "renamed")))
	if got := lookup(t, tx, f.byNam, "renamed"); len(got) != 1 || got[0] != ids[1] {
		t.Fatalf("renamed lookup = %v", got)
	}
	must(t, tx.Commit())
}

func TestRollbackDiscardsEverything(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	before := db.Catalog()

	tx := db.Begin()
	_, err := tx.Insert(bg, f.tbl, item(1, "x"))
	must(t, err)
	other := &Table{Schema: "public", Name: "other", Columns: []Column{{Name: "a", Type: types.TInt4, Attnum: 1}}}
	must(t, tx.CreateTable(bg, other))
	if _, ok := tx.Catalog().TableByName("public", "other"); !ok {
		t.Fatal("txn does not see its own CREATE TABLE")
	}
	if _, ok := db.Catalog().TableByName("public", "other"); ok {
		t.Fatal("uncommitted CREATE TABLE is visible to others")
	}
	_, err = tx.Insert(bg, other, []types.Datum{int64(5)})
	must(t, err)
	var committed, rolledBack bool
	tx.OnCommit(func() { committed = true })
	tx.OnRollback(func() { rolledBack = true })
	tx.Rollback()
	tx.Rollback() // idempotent
	if committed || !rolledBack {
		t.Fatalf("hooks: commit=%v rollback=%v", committed, rolledBack)
	}
	if db.Catalog() != before {
		t.Fatal("rollback changed the catalog")
	}

	tx = db.Begin()
	if rows := scanAll(t, tx, f.tbl); len(rows) != 0 {
		t.Fatalf("rolled back rows visible: %v", rows)
	}
	if got := lookup(t, tx, f.pkey, int64(1)); len(got) != 0 {
		t.Fatalf("rolled back index entry visible: %v", got)
	}
	// The name is free again and the key can be inserted.
	must(t, tx.CreateTable(bg, &Table{Schema: "public", Name: "other"}))
	_, err = tx.Insert(bg, f.tbl, item(1, "x"))
	must(t, err)
	must(t, tx.Commit())
	if err := tx.Commit(); err == nil {
		t.Fatal("second commit succeeded")
	}
	if _, err := tx.Insert(bg, f.tbl, item(2, "y")); err == nil {
		t.Fatal("insert after commit succeeded")
	}
}

func TestWriterLock(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)

	holder := db.Begin()
	must(t, holder.LockForWrite(bg))
	must(t, holder.LockForWrite(bg)) // idempotent
	if !holder.Writing() {
		t.Fatal("Writing() false after LockForWrite")
	}

	t.Run("timeout", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
		defer cancel()
		tx := db.Begin()
		defer tx.Rollback()
		_, err := tx.Insert(ctx, f.tbl, item(1, "a"))
		pe := wantCode(t, err, pgerr.QueryCanceled)
		if pe.Message != "canceling statement due to statement timeout" {
			t.Fatalf("message %q", pe.Message)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(bg)
		tx := db.Begin()
		defer tx.Rollback()
		go func() { time.Sleep(10 * time.Millisecond); cancel() }()
		pe := wantCode(t, tx.LockForWrite(ctx), pgerr.QueryCanceled)
		if pe.Message != "canceling statement due to user request" {
			t.Fatalf("message %q", pe.Message)
		}
	})
	t.Run("cause", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(bg)
		cancel(pgerr.New(pgerr.LockNotAvailable, "canceling statement due to lock timeout"))
		tx := db.Begin()
		defer tx.Rollback()
		wantCode(t, tx.LockForWrite(ctx), pgerr.LockNotAvailable)
	})
	t.Run("readers do not wait", func(t *testing.T) {
		tx := db.Begin()
		tx.StartStatement()
		scanAll(t, tx, f.tbl)
		must(t, tx.Commit())
	})

	// A waiter gets the lock when the holder commits.
	got := make(chan error, 1)
	go func() {
		tx := db.Begin()
		_, err := tx.Insert(bg, f.tbl, item(2, "b"))
		if err == nil {
			err = tx.Commit()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("waiter did not wait: %v", err)
	case <-time.After(30 * time.Millisecond):
	}
	_, err := holder.Insert(bg, f.tbl, item(1, "a"))
	must(t, err)
	must(t, holder.Commit())
	must(t, <-got)
}

// TestNoLostUpdates runs concurrent read-modify-write transactions that
// lock before reading: every increment must survive.
func TestNoLostUpdates(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	id, err := tx.Insert(bg, f.tbl, item(0, "counter"))
	must(t, err)
	must(t, tx.Commit())

	const workers, rounds = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				tx := db.Begin()
				tx.StartStatement()
				if err := tx.LockForWrite(bg); err != nil {
					errs <- err
					return
				}
				row, _, err := tx.Get(f.tbl, id)
				if err == nil {
					err = tx.Update(bg, f.tbl, id, row, item(row[0].(int64)+1, "counter"))
				}
				tx.EndStatement()
				if err == nil {
					err = tx.Commit()
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	row, _, err := db.Begin().Get(f.tbl, id)
	must(t, err)
	if row[0].(int64) != workers*rounds {
		t.Fatalf("counter = %v, want %d", row[0], workers*rounds)
	}
}

func TestStatementSnapshotOutlivesStatement(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	w := db.Begin()
	for i := int64(1); i <= 3; i++ {
		_, err := w.Insert(bg, f.tbl, item(i, "a"))
		must(t, err)
	}
	must(t, w.Commit())

	r := db.Begin()
	r.StartStatement()
	it, err := r.Scan(f.tbl)
	must(t, err)
	r.EndStatement() // the iterator keeps the snapshot alive
	w = db.Begin()
	_, err = w.Insert(bg, f.tbl, item(4, "a"))
	must(t, err)
	must(t, w.Commit())
	n := 0
	for it.Next() {
		n++
	}
	must(t, it.Err())
	must(t, it.Close())
	must(t, it.Close())
	if n != 3 {
		t.Fatalf("iterator saw %d rows, want the snapshot's 3", n)
	}
	// Commit closes iterators left open.
	it, err = r.Scan(f.tbl)
	must(t, err)
	must(t, r.Commit())
	if it.Next() {
		t.Fatal("iterator usable after commit")
	}
}

func TestOnCommitOrder(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	var got []int
	tx := db.Begin()
	_, err := tx.Insert(bg, f.tbl, item(1, "a"))
	must(t, err)
	for i := range 3 {
		tx.OnCommit(func() { got = append(got, i) })
	}
	must(t, tx.Commit())
	if len(got) != 3 || got[0] != 0 || got[2] != 2 {
		t.Fatalf("hooks ran %v", got)
	}
	// A read-only transaction commits trivially and runs its hooks too.
	ran := false
	tx = db.Begin()
	tx.OnCommit(func() { ran = true })
	must(t, tx.Commit())
	if !ran {
		t.Fatal("read-only commit skipped hooks")
	}
}

func TestTypeChecks(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	defer tx.Rollback()
	_, err := tx.Insert(bg, f.tbl, []types.Datum{int64(1), "a"})
	wantCode(t, err, pgerr.InternalError)
	_, err = tx.Insert(bg, f.tbl, []types.Datum{1.5, "a", nil})
	wantCode(t, err, pgerr.InternalError)
	_, err = tx.Insert(bg, f.tbl, []types.Datum{int64(1), "a", []float32{1}})
	wantCode(t, err, pgerr.InternalError)
}

func TestCommitSurvivesCrash(t *testing.T) {
	cfs := newCrashFS()
	db := cfs.open(t)
	f := newFixture(t, db)
	tx := db.Begin()
	for i := int64(1); i <= 100; i++ {
		_, err := tx.Insert(bg, f.tbl, item(i, "committed"))
		must(t, err)
	}
	must(t, tx.Commit())
	// An uncommitted transaction, in flight at the crash.
	open := db.Begin()
	for i := int64(101); i <= 200; i++ {
		_, err := open.Insert(bg, f.tbl, item(i, "lost"))
		must(t, err)
	}
	db = cfs.crash(t, db)
	defer db.Close()

	tx = db.Begin()
	rows := scanAll(t, tx, f.tbl)
	if len(rows) != 100 {
		t.Fatalf("%d rows after crash, want 100", len(rows))
	}
	for _, r := range rows {
		if r[1] != "committed" {
			t.Fatalf("uncommitted row survived: %v", r)
		}
	}
	if got := lookup(t, tx, f.pkey, int64(150)); len(got) != 0 {
		t.Fatalf("uncommitted index entry survived: %v", got)
	}
	// Row ids continue after the highest one.
	var maxID RowID
	for id := range rows {
		maxID = max(maxID, id)
	}
	id, err := tx.Insert(bg, f.tbl, item(1000, "new"))
	must(t, err)
	if id <= maxID {
		t.Fatalf("row id %d reused (max %d)", id, maxID)
	}
	must(t, tx.Commit())
}

func TestClosedDB(t *testing.T) {
	db, err := Open(Options{InMemory: true})
	must(t, err)
	f := newFixture(t, db)
	tx := db.Begin()
	must(t, db.Close())
	_, err = tx.Insert(bg, f.tbl, item(1, "a"))
	var pe *pgerr.Error
	if !errors.As(err, &pe) || pe.Code != pgerr.AdminShutdown {
		t.Fatalf("insert after Close: %v", err)
	}
	must(t, db.Close())
}

// A statement planned before a concurrent DDL committed must not write by
// the old shape of the table.
func TestWriteWithStaleTable(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	stale := f.tbl

	tx := db.Begin()
	wider := copyTable(stale)
	wider.Columns = append(wider.Columns, Column{Name: "extra", Type: types.TInt4, Attnum: 4})
	must(t, tx.AlterTable(bg, wider))
	must(t, tx.Commit())

	tx = db.Begin()
	_, err := tx.Insert(bg, stale, item(1, "a"))
	wantCode(t, err, pgerr.SerializationFailure)
	tx.Rollback()

	tx = db.Begin()
	must(t, tx.DropTable(bg, stale.OID))
	must(t, tx.Commit())
	tx = db.Begin()
	defer tx.Rollback()
	_, err = tx.Insert(bg, stale, item(1, "a"))
	wantCode(t, err, pgerr.UndefinedTable)
}
