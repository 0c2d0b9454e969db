package storage

import "testing"

// TestOldestReadVersion follows the oldest version a statement snapshot
// in use reads as of: it stays at the version of a running statement
// while later commits go on, moves on when the statement ends, and an
// iterator the statement left open keeps its version until it is closed.
func TestOldestReadVersion(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	write := func(id int64) uint64 {
		t.Helper()
		w := db.Begin()
		_, err := w.Insert(bg, f.tbl, item(id, "x"))
		must(t, err)
		must(t, w.Commit())
		return w.Version()
	}
	v1 := write(1)
	if got := db.OldestReadVersion(); got != v1 {
		t.Fatalf("no reader: oldest %d, want the latest commit %d", got, v1)
	}

	r := db.Begin()
	r.StartStatement()
	v2 := write(2)
	v3 := write(3)
	if got := db.OldestReadVersion(); got != v1 {
		t.Fatalf("statement started at %d, commits %d and %d after: oldest %d", v1, v2, v3, got)
	}
	it, err := r.Scan(f.tbl)
	must(t, err)
	r.EndStatement()
	if got := db.OldestReadVersion(); got != v1 {
		t.Fatalf("statement ended with an iterator open: oldest %d, want %d", got, v1)
	}
	rows := 0
	for it.Next() {
		rows++
	}
	must(t, it.Err())
	if rows != 1 {
		t.Fatalf("the iterator read %d rows, want the 1 of its snapshot", rows)
	}
	it.Close()
	if got := db.OldestReadVersion(); got != v3 {
		t.Fatalf("iterator closed: oldest %d, want the latest commit %d", got, v3)
	}

	// A writer reads the live store: it holds no snapshot back.
	w := db.Begin()
	_, err = w.Insert(bg, f.tbl, item(4, "x"))
	must(t, err)
	w.StartStatement()
	if got := db.OldestReadVersion(); got != v3 {
		t.Fatalf("a writer's statement: oldest %d, want %d", got, v3)
	}
	w.Rollback()
	r.Rollback()
}

// TestOnPrepareSeesCommitVersion checks that the prepare hooks run with
// the version the commit then has, before the writes are visible, and not
// for a transaction that rolls back.
func TestOnPrepareSeesCommitVersion(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	w := db.Begin()
	_, err := w.Insert(bg, f.tbl, item(1, "x"))
	must(t, err)
	var prepared uint64
	visible := -1
	w.OnPrepare(func(v uint64) {
		prepared = v
		r := db.Begin()
		visible = len(scanAll(t, r, f.tbl))
		r.Rollback()
	})
	must(t, w.Commit())
	if prepared == 0 || prepared != w.Version() {
		t.Fatalf("prepare hook saw version %d, the commit has %d", prepared, w.Version())
	}
	if visible != 0 {
		t.Fatalf("a reader in the prepare hook saw %d rows, want none yet", visible)
	}

	w = db.Begin()
	_, err = w.Insert(bg, f.tbl, item(2, "x"))
	must(t, err)
	ran := false
	w.OnPrepare(func(uint64) { ran = true })
	w.Rollback()
	if ran {
		t.Fatal("prepare hook ran for a rollback")
	}
}
