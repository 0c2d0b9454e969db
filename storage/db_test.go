package storage

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// catalogJSON renders a catalog for comparison.
func catalogJSON(t testing.TB, c *Catalog) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"version": c.Version, "schemas": c.Schemas(), "tables": c.Tables(),
		"indexes": c.Indexes(), "sequences": c.Sequences(),
	})
	must(t, err)
	return string(b)
}

func TestCatalogPersistence(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	db, err := Open(Options{Dir: dir, Logger: zerolog.New(&logs)})
	must(t, err)
	if !strings.Contains(logs.String(), `"tables":0`) || !strings.Contains(logs.String(), dir) {
		t.Fatalf("open log: %s", logs.String())
	}
	f := newFixture(t, db)
	tx := db.Begin()
	must(t, tx.CreateSchema(bg, &Schema{Name: "app"}))
	must(t, tx.CreateSequence(bg, &Sequence{Schema: "app", Name: "ids", Type: types.TInt8, Start: 1, Increment: 1, Min: 1, Max: 1 << 40}))
	other := &Table{Schema: "app", Name: "docs", Columns: []Column{
		{Name: "id", Type: types.TInt8, Attnum: 1, NotNull: true, Default: "nextval('app.ids'::regclass)"},
		{Name: "body", Type: types.TJSONB, Attnum: 2},
	}}
	must(t, tx.CreateTable(bg, other))
	must(t, tx.CreateIndex(bg, &Index{Schema: "app", Name: "docs_hnsw", Table: other.OID, Method: "hnsw",
		Columns: []IndexColumn{{Slot: 1, Opclass: "vector_cosine_ops"}}, Options: map[string]string{"m": "16"}}))
	_, err = tx.Insert(bg, f.tbl, item(1, "a"))
	must(t, err)
	must(t, tx.Commit())
	want := catalogJSON(t, db.Catalog())
	version := db.Catalog().Version
	if version != 2 {
		t.Fatalf("catalog version %d after two DDL commits", version)
	}
	must(t, db.Close())

	logs.Reset()
	db, err = Open(Options{Dir: dir, Logger: zerolog.New(&logs)})
	must(t, err)
	if got := catalogJSON(t, db.Catalog()); got != want {
		t.Fatalf("catalog after reopen:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(logs.String(), `"tables":2`) {
		t.Fatalf("open log: %s", logs.String())
	}
	// OIDs keep increasing across restarts.
	tx = db.Begin()
	oid, err := tx.AllocOID(bg)
	must(t, err)
	for _, tbl := range db.Catalog().Tables() {
		if oid <= tbl.OID {
			t.Fatalf("OID %d reused (table %s has %d)", oid, tbl.Name, tbl.OID)
		}
	}
	tx.Rollback()
	// Rows and indexes are back too.
	tbl, _ := db.Catalog().TableByName("public", "items")
	pkey, _ := db.Catalog().Index(f.pkey.OID)
	tx = db.Begin()
	if ids := lookup(t, tx, pkey, int64(1)); len(ids) != 1 {
		t.Fatalf("lookup after reopen: %v", ids)
	}
	must(t, tx.DropTable(bg, tbl.OID))
	must(t, tx.Commit())
	must(t, db.Close())

	db = openDir(t, dir)
	defer db.Close()
	if _, ok := db.Catalog().TableByName("public", "items"); ok {
		t.Fatal("dropped table is back")
	}
	if _, ok := db.Catalog().Index(f.pkey.OID); ok {
		t.Fatal("dropped table's index is back")
	}
	// No rows or entries left behind.
	for _, p := range [][]byte{tablePrefix(tbl.OID), btreePrefix(f.pkey.OID), btreePrefix(f.byNam.OID)} {
		n := 0
		must(t, db.scanPrefix(p, func(k, v []byte) error { n++; return nil }))
		if n != 0 {
			t.Fatalf("%d keys left under %x", n, p)
		}
	}
}

func TestDDLErrors(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	defer tx.Rollback()
	tests := []struct {
		name string
		err  error
		code pgerr.Code
		msg  string
	}{
		{"duplicate table", tx.CreateTable(bg, &Table{Schema: "public", Name: "items"}), pgerr.DuplicateTable, `relation "items" already exists`},
		{"index name taken by table", tx.CreateIndex(bg, &Index{Schema: "public", Name: "items", Table: f.tbl.OID, Columns: []IndexColumn{{Slot: 0}}}), pgerr.DuplicateTable, `relation "items" already exists`},
		{"sequence name taken", tx.CreateSequence(bg, &Sequence{Schema: "public", Name: "items_pkey", Start: 1, Increment: 1, Min: 1, Max: 2}), pgerr.DuplicateTable, `relation "items_pkey" already exists`},
		{"missing schema", tx.CreateTable(bg, &Table{Schema: "nope", Name: "x"}), pgerr.InvalidSchemaName, `schema "nope" does not exist`},
		{"duplicate schema", tx.CreateSchema(bg, &Schema{Name: "public"}), pgerr.DuplicateSchema, `schema "public" already exists`},
		{"drop missing schema", tx.DropSchema(bg, "nope"), pgerr.InvalidSchemaName, `schema "nope" does not exist`},
		{"drop non-empty schema", tx.DropSchema(bg, "public"), "2BP01", `cannot drop schema public because other objects depend on it`},
		{"drop missing table", tx.DropTable(bg, 99999), pgerr.UndefinedTable, ""},
		{"index on missing table", tx.CreateIndex(bg, &Index{Schema: "public", Name: "i", Table: 99999}), pgerr.UndefinedTable, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pe := wantCode(t, tc.err, tc.code)
			if tc.msg != "" && pe.Message != tc.msg {
				t.Fatalf("message %q, want %q", pe.Message, tc.msg)
			}
		})
	}
}

func TestSchemaLifecycle(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	s := &Schema{Name: "app"}
	must(t, tx.CreateSchema(bg, s))
	if s.OID < types.FirstUserOID {
		t.Fatalf("schema OID %d", s.OID)
	}
	must(t, tx.CreateTable(bg, &Table{Schema: "app", Name: "t"}))
	wantCode(t, tx.DropSchema(bg, "app"), "2BP01")
	tbl, _ := tx.Catalog().TableByName("app", "t")
	must(t, tx.DropTable(bg, tbl.OID))
	must(t, tx.DropSchema(bg, "app"))
	must(t, tx.Commit())
	if _, ok := db.Catalog().Schema("app"); ok {
		t.Fatal("schema survived")
	}
}

// ALTER TABLE ADD COLUMN appends a slot; rows written before read it as
// NULL, and AlterTable keeps the table's indexes and rows.
func TestAlterTableAddColumn(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	id, err := tx.Insert(bg, f.tbl, item(1, "a"))
	must(t, err)
	must(t, tx.Commit())

	tx = db.Begin()
	wider := copyTable(f.tbl)
	wider.Name = "things"
	wider.Columns = append(wider.Columns, Column{Name: "extra", Type: types.TBool, Attnum: 4})
	must(t, tx.AlterTable(bg, wider))
	row, ok, err := tx.Get(wider, id)
	must(t, err)
	if !ok || len(row) != 4 || row[3] != nil {
		t.Fatalf("old row with new column: %v", row)
	}
	_, err = tx.Insert(bg, wider, append(item(1, "b"), true))
	wantCode(t, err, pgerr.UniqueViolation)
	_, err = tx.Insert(bg, wider, append(item(2, "b"), true))
	must(t, err)
	narrower := copyTable(f.tbl)
	narrower.Columns = narrower.Columns[:1]
	wantCode(t, tx.AlterTable(bg, narrower), pgerr.InternalError)
	must(t, tx.Commit())
	if _, ok := db.Catalog().TableByName("public", "things"); !ok {
		t.Fatal("rename not published")
	}
	if _, ok := db.Catalog().TableByName("public", "items"); ok {
		t.Fatal("old name still resolves")
	}
}

func TestDropIndexClearsPrimaryKey(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	must(t, tx.DropIndex(bg, f.pkey.OID))
	must(t, tx.Commit())
	tbl, _ := db.Catalog().Table(f.tbl.OID)
	if tbl.PrimaryKey != "" {
		t.Fatalf("primary key still %q", tbl.PrimaryKey)
	}
	if got := db.Catalog().TableIndexes(f.tbl.OID); len(got) != 1 || got[0].Name != "items_name_idx" {
		t.Fatalf("indexes %v", got)
	}
}

func TestAlterIndexRename(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	renamed := copyIndex(f.byNam)
	renamed.Name = "by_name"
	must(t, tx.AlterIndex(bg, renamed))
	changed := copyIndex(renamed)
	changed.Unique = true
	wantCode(t, tx.AlterIndex(bg, changed), pgerr.InternalError)
	must(t, tx.Commit())
	if oid, kind, ok := db.Catalog().RelationOID("public", "by_name"); !ok || kind != KindIndex || oid != f.byNam.OID {
		t.Fatalf("renamed index: %d %c %v", oid, kind, ok)
	}
}

func TestRawIndexData(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	h := &Index{Schema: "public", Name: "items_v_idx", Table: f.tbl.OID, Method: "hnsw", Columns: []IndexColumn{{Slot: 2}}}
	must(t, tx.CreateIndex(bg, h))
	must(t, tx.PutRaw(bg, h.OID, []byte("n/1"), []byte("node one")))
	must(t, tx.PutRaw(bg, h.OID, []byte("n/2"), []byte("node two")))
	must(t, tx.PutRaw(bg, h.OID, []byte("meta"), []byte("entry=1")))
	must(t, tx.DeleteRaw(bg, h.OID, []byte("n/2")))
	// Own writes visible.
	if v, ok, err := tx.GetRaw(h.OID, []byte("n/1")); err != nil || !ok || string(v) != "node one" {
		t.Fatalf("GetRaw = %q %v %v", v, ok, err)
	}
	must(t, tx.Commit())

	tx = db.Begin()
	it, err := tx.NewRawIter(h.OID, []byte("n/"))
	must(t, err)
	var got []string
	for it.Next() {
		got = append(got, string(it.Key())+"="+string(it.Value()))
	}
	must(t, it.Err())
	must(t, it.Close())
	if strings.Join(got, ",") != "n/1=node one" {
		t.Fatalf("raw iter: %v", got)
	}
	got = got[:0]
	must(t, tx.ScanRaw(h.OID, nil, func(k, v []byte) error {
		got = append(got, string(k)+"="+string(v))
		return nil
	}))
	if strings.Join(got, ",") != "meta=entry=1,n/1=node one" {
		t.Fatalf("ScanRaw: %v", got)
	}
	must(t, tx.DeleteRawPrefix(bg, h.OID, []byte("n/")))
	if _, ok, _ := tx.GetRaw(h.OID, []byte("n/1")); ok {
		t.Fatal("DeleteRawPrefix left a key")
	}
	if _, ok, _ := tx.GetRaw(h.OID, []byte("meta")); !ok {
		t.Fatal("DeleteRawPrefix deleted too much")
	}
	must(t, tx.DropIndex(bg, h.OID))
	must(t, tx.Commit())
	n := 0
	must(t, db.scanPrefix(indexDataPrefix(h.OID), func(k, v []byte) error { n++; return nil }))
	if n != 0 {
		t.Fatalf("%d raw keys left after DROP INDEX", n)
	}
}

func TestOpenRejectsOtherFormat(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	must(t, db.pebble.Set(metaFormatKey, []byte{0, 0, 0, 0, 0, 0, 0, 99}, nil))
	must(t, db.Close())
	_, err := Open(Options{Dir: dir, Logger: zerolog.Nop()})
	wantCode(t, err, pgerr.DataCorrupted)
}

func TestRowCountAndTruncate(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	f := newFixture(t, db)
	tx := db.Begin()
	var ids []RowID
	for i := int64(1); i <= 10; i++ {
		id, err := tx.Insert(bg, f.tbl, item(i, "a"))
		must(t, err)
		ids = append(ids, id)
	}
	must(t, tx.Delete(bg, f.tbl, ids[0], item(1, "a")))
	if n := tx.RowCount(f.tbl); n != 9 {
		t.Fatalf("own count %d", n)
	}
	if n := db.Begin().RowCount(f.tbl); n != 0 {
		t.Fatalf("uncommitted rows counted by others: %d", n)
	}
	must(t, tx.Commit())
	must(t, db.Close())

	db = openDir(t, dir)
	defer db.Close()
	tx = db.Begin()
	if n := tx.RowCount(f.tbl); n != 9 {
		t.Fatalf("count after reopen %d", n)
	}
	h := &Index{Schema: "public", Name: "items_v_idx", Table: f.tbl.OID, Method: "hnsw", Columns: []IndexColumn{{Slot: 2}}}
	must(t, tx.CreateIndex(bg, h))
	must(t, tx.PutRaw(bg, h.OID, []byte("k"), []byte("v")))
	must(t, tx.Truncate(bg, f.tbl.OID))
	if n := tx.RowCount(f.tbl); n != 0 {
		t.Fatalf("count after truncate %d", n)
	}
	_, err := tx.Insert(bg, f.tbl, item(5, "b"))
	must(t, err)
	must(t, tx.Commit())

	tx = db.Begin()
	defer tx.Rollback()
	if rows := scanAll(t, tx, f.tbl); len(rows) != 1 {
		t.Fatalf("%d rows after truncate + insert", len(rows))
	}
	if got := lookup(t, tx, f.pkey, int64(2)); len(got) != 0 {
		t.Fatalf("truncate left index entries: %v", got)
	}
	if _, ok, _ := tx.GetRaw(h.OID, []byte("k")); ok {
		t.Fatal("truncate left index data")
	}
	if n := tx.RowCount(f.tbl); n != 1 {
		t.Fatalf("count %d", n)
	}
	must(t, tx.DropTable(bg, f.tbl.OID))
	if n := tx.RowCount(f.tbl); n != 0 {
		t.Fatalf("count of dropped table %d", n)
	}
}

func TestRenamePrimaryKeyIndex(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	renamed := copyIndex(f.pkey)
	renamed.Name = "items_pk"
	must(t, tx.AlterIndex(bg, renamed))
	must(t, tx.Commit())
	if tbl, _ := db.Catalog().Table(f.tbl.OID); tbl.PrimaryKey != "items_pk" {
		t.Fatalf("PrimaryKey = %q", tbl.PrimaryKey)
	}
	tx = db.Begin()
	defer tx.Rollback()
	wantCode(t, tx.DropSchema(bg, "pg_catalog"), "2BP01")
}
