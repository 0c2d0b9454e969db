package storage

import (
	"context"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

var bg = context.Background()

func openMem(t testing.TB) *DB {
	t.Helper()
	db, err := Open(Options{InMemory: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func openDir(t testing.TB, dir string) *DB {
	t.Helper()
	db, err := Open(Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// crashFS is an in-memory file system that can be "crashed": crash returns
// what a machine that lost power would find on disk (only synced data).
type crashFS struct{ fs *vfs.MemFS }

func newCrashFS() *crashFS { return &crashFS{fs: vfs.NewCrashableMem()} }

func (c *crashFS) open(t testing.TB) *DB {
	t.Helper()
	db, err := Open(Options{Dir: "data", Logger: zerolog.Nop(), fs: c.fs})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// crash abandons db (as kill -9 would) and reopens what was synced.
func (c *crashFS) crash(t testing.TB, db *DB) *DB {
	t.Helper()
	c.fs = c.fs.CrashClone(vfs.CrashCloneCfg{})
	db.closed.Store(true) // no clean shutdown work
	_ = db.pebble.Close()
	return c.open(t)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t testing.TB, err error, code pgerr.Code) *pgerr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	pe := pgerr.From(err)
	if pe.Code != code {
		t.Fatalf("got %v, want SQLSTATE %s", err, code)
	}
	return pe
}

// itemsTable is (id int8, name text, v vector(3)) with a primary key on id
// and a non-unique index on name.
type fixture struct {
	db    *DB
	tbl   *Table
	pkey  *Index
	byNam *Index
}

func newFixture(t testing.TB, db *DB) *fixture {
	t.Helper()
	f := &fixture{db: db}
	tx := db.Begin()
	f.tbl = &Table{Schema: "public", Name: "items", Columns: []Column{
		{Name: "id", Type: types.TInt8, Attnum: 1, NotNull: true},
		{Name: "name", Type: types.TText, Attnum: 2},
		{Name: "v", Type: types.VectorOf(3), Attnum: 3},
	}, PrimaryKey: "items_pkey"}
	must(t, tx.CreateTable(bg, f.tbl))
	f.pkey = &Index{Schema: "public", Name: "items_pkey", Table: f.tbl.OID, Method: "btree", Unique: true, Primary: true,
		Columns: []IndexColumn{{Slot: 0}}}
	must(t, tx.CreateIndex(bg, f.pkey))
	f.byNam = &Index{Schema: "public", Name: "items_name_idx", Table: f.tbl.OID, Method: "btree",
		Columns: []IndexColumn{{Slot: 1}}}
	must(t, tx.CreateIndex(bg, f.byNam))
	must(t, tx.Commit())
	return f
}

func item(id int64, name types.Datum) []types.Datum {
	return []types.Datum{id, name, types.Vector{float32(id), 0, 1}}
}

// scanAll returns every row of tbl as seen by tx, by row id.
func scanAll(t testing.TB, tx *Txn, tbl *Table) map[RowID][]types.Datum {
	t.Helper()
	it, err := tx.Scan(tbl)
	must(t, err)
	defer it.Close()
	out := map[RowID][]types.Datum{}
	var last RowID
	for it.Next() {
		if it.ID() <= last {
			t.Fatalf("scan not in row-id order: %d after %d", it.ID(), last)
		}
		last = it.ID()
		row, err := it.Row()
		must(t, err)
		out[it.ID()] = row
	}
	must(t, it.Err())
	return out
}

func lookup(t testing.TB, tx *Txn, idx *Index, key ...types.Datum) []RowID {
	t.Helper()
	ids, err := tx.IndexLookup(idx, key)
	must(t, err)
	return ids
}
