package storage

import (
	"testing"

	"github.com/rs/zerolog"
)

// TestStatementsShareSnapshot checks when statements share a Pebble
// snapshot and that each still sees its own state: statements with no
// commit between them share one; a statement after a commit takes a new
// one and sees the commit while a statement still running keeps its
// view; a new snapshot taken while a commit is under way is neither exact
// nor shared; and Close leaves no snapshot open (Pebble refuses to close with
// one).
func TestStatementsShareSnapshot(t *testing.T) {
	db, err := Open(Options{InMemory: true, Logger: zerolog.Nop()})
	must(t, err)
	f := newFixture(t, db)
	write := func(id int64) {
		t.Helper()
		w := db.Begin()
		_, err := w.Insert(bg, f.tbl, item(id, "x"))
		must(t, err)
		must(t, w.Commit())
	}
	write(1)

	a, b := db.Begin(), db.Begin()
	a.StartStatement()
	b.StartStatement()
	if a.stmt.shared != b.stmt.shared || !a.stmtExact || !b.stmtExact {
		t.Fatalf("two statements with no commit between: snapshots %p and %p (exact %v, %v), want one shared exact snapshot",
			a.stmt.shared, b.stmt.shared, a.stmtExact, b.stmtExact)
	}
	before := a.stmt.shared

	write(2)
	c := db.Begin()
	c.StartStatement()
	if c.stmt.shared == before {
		t.Fatal("a statement after a commit reused the snapshot from before it")
	}
	if got := len(scanAll(t, c, f.tbl)); got != 2 {
		t.Fatalf("statement after the commit sees %d rows, want 2", got)
	}
	if got := len(scanAll(t, a, f.tbl)); got != 1 {
		t.Fatalf("statement from before the commit sees %d rows, want 1", got)
	}
	a.EndStatement()
	if got := len(scanAll(t, b, f.tbl)); got != 1 {
		t.Fatalf("the other statement from before the commit, after the first ended, sees %d rows, want 1", got)
	}
	b.EndStatement()
	if n := before.refs.Load(); n != 0 {
		t.Fatalf("replaced snapshot has %d references after its statements ended, want 0 (closed)", n)
	}

	// A statement at the shared snapshot's version uses it even while
	// the next commit is under way: it holds exactly the commits up to
	// that version, and the commit under way may or may not be seen.
	committed := db.commitVersion.Load()
	db.pendingVersion.Store(committed + 1)
	d := db.Begin()
	d.StartStatement()
	db.pendingVersion.Store(committed)
	if d.stmt.shared != c.stmt.shared || !d.stmtExact {
		t.Fatal("a statement with a commit under way did not share the exact snapshot of the latest commit")
	}

	// After another commit, with a further commit under way, a new
	// snapshot may or may not hold the latter: not exact, not shared, and
	// the outdated shared one is dropped.
	write(3)
	committed = db.commitVersion.Load()
	db.pendingVersion.Store(committed + 1)
	e := db.Begin()
	e.StartStatement()
	db.pendingVersion.Store(committed)
	if e.stmtExact || db.sharedSnap.Load() != nil {
		t.Fatalf("statement during a commit: exact %v, shared snapshot %p; want neither", e.stmtExact, db.sharedSnap.Load())
	}
	g := db.Begin()
	g.StartStatement()
	if g.stmt.shared == e.stmt.shared || !g.stmtExact || db.sharedSnap.Load() != g.stmt.shared {
		t.Fatal("a statement after the commit ended did not take a new exact shared snapshot")
	}
	if got := len(scanAll(t, g, f.tbl)); got != 3 {
		t.Fatalf("statement after the third commit sees %d rows, want 3", got)
	}

	for _, tx := range []*Txn{c, d, e, g} {
		tx.EndStatement()
		tx.Rollback()
	}
	a.Rollback()
	b.Rollback()
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
