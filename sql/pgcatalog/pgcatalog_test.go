package pgcatalog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// testEnv is a session over a catalog, as the statements of a session see
// it.
type testEnv struct {
	cat    *storage.Catalog
	path   []string
	format *types.FormatOptions
}

func newTestEnv(cat *storage.Catalog) *testEnv {
	env := &testEnv{cat: cat, path: []string{"public"}}
	env.format = &types.FormatOptions{ExtraFloatDigits: 1, Namer: NewNamer(env)}
	return env
}

func (e *testEnv) StatementTime() time.Time   { return time.Unix(1700000000, 0) }
func (e *testEnv) TransactionTime() time.Time { return time.Unix(1700000000, 0) }
func (e *testEnv) Setting(name string) (string, error) {
	switch name {
	case "application_name":
		return "psql", nil
	case "search_path":
		return strings.Join(e.path, ", "), nil
	}
	return "", pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
}
func (e *testEnv) SetSetting(_, v string, _ bool) (string, error)     { return v, nil }
func (e *testEnv) NextVal(types.OID) (int64, error)                   { return 1, nil }
func (e *testEnv) CurrVal(types.OID) (int64, error)                   { return 1, nil }
func (e *testEnv) SetVal(_ types.OID, v int64, _ bool) (int64, error) { return v, nil }
func (e *testEnv) RelationOID(name string) (types.OID, error) {
	return e.format.Namer.RegOID(types.RegclassOID, name)
}
func (e *testEnv) Format() *types.FormatOptions { return e.format }
func (e *testEnv) Database() string             { return "db" }
func (e *testEnv) User() string                 { return "alice" }
func (e *testEnv) BackendPID() int32            { return 7 }
func (e *testEnv) Catalog() *storage.Catalog    { return e.cat }
func (e *testEnv) SearchPath() []string         { return e.path }

var _ planner.Env = (*testEnv)(nil)

// testCatalog makes a store with a schema like the one psql's golden files
// describe: a table with a serial key, defaults, a unique constraint, a
// descending btree index and an hnsw index with options.
func testCatalog(t *testing.T) *storage.Catalog {
	t.Helper()
	db, err := storage.Open(storage.Options{InMemory: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	txn := db.Begin()
	seq := &storage.Sequence{Schema: "public", Name: "items_id_seq", Type: types.TInt8, Start: 1, Increment: 1, Min: 1, Max: 1<<63 - 1}
	must(t, txn.CreateSequence(ctx, seq))
	tbl := &storage.Table{Schema: "public", Name: "items", Columns: []storage.Column{
		{Name: "id", Type: types.TInt8, Attnum: 1, NotNull: true, Default: "nextval('items_id_seq'::regclass)"},
		{Name: "embedding", Type: types.VectorOf(3), Attnum: 2},
		{Name: "name", Type: types.TText, Attnum: 3, NotNull: true, Default: "'x'"},
		{Name: "gone", Type: types.TInt4, Attnum: 4, Dropped: true},
		{Name: "price", Type: types.NumericOf(10, 2), Attnum: 5, Default: "0"},
		{Name: "code", Type: types.VarcharOf(20), Attnum: 6},
		{Name: "note", Type: types.TText, Attnum: 7, Default: "NULL"},
	}}
	must(t, txn.CreateTable(ctx, tbl))
	owned := *seq
	owned.OwnedByTable, owned.OwnedBySlot = tbl.OID, 0
	must(t, txn.AlterSequence(ctx, &owned))
	for _, idx := range []*storage.Index{
		{Schema: "public", Name: "items_pkey", Table: tbl.OID, Method: "btree", Columns: []storage.IndexColumn{{Slot: 0}}, Unique: true, Primary: true},
		{Schema: "public", Name: "items_code_key", Table: tbl.OID, Method: "btree", Columns: []storage.IndexColumn{{Slot: 5}}, Unique: true},
		{Schema: "public", Name: "items_name_idx", Table: tbl.OID, Method: "btree", Columns: []storage.IndexColumn{{Slot: 2, Desc: true, NullsFirst: true}}},
		{Schema: "public", Name: "items_embedding_idx", Table: tbl.OID, Method: "hnsw",
			Columns: []storage.IndexColumn{{Slot: 1, Opclass: "vector_l2_ops"}}, Options: map[string]string{"ef_construction": "64", "m": "16"}},
	} {
		must(t, txn.CreateIndex(ctx, idx))
	}
	must(t, txn.Commit())
	return db.Catalog()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestTables checks every virtual table: unique names and OIDs, rows as
// wide as the columns, and values of the Go type each column's SQL type
// uses, which the output functions can print.
func TestTables(t *testing.T) {
	env := newTestEnv(testCatalog(t))
	names := map[string]bool{}
	oids := map[types.OID]string{}
	for _, vt := range Tables() {
		q := vt.Schema + "." + vt.Name
		if names[q] {
			t.Errorf("%s defined twice", q)
		}
		names[q] = true
		if other, dup := oids[vt.OID]; dup {
			t.Errorf("%s and %s have OID %d", q, other, vt.OID)
		}
		oids[vt.OID] = q
		if got, ok := Lookup(vt.Schema, vt.Name); !ok || got != vt {
			t.Errorf("Lookup(%s) does not find it", q)
		}
		cols := map[string]bool{}
		for _, c := range vt.Columns {
			if cols[c.Name] {
				t.Errorf("%s: column %s twice", q, c.Name)
			}
			cols[c.Name] = true
			if _, ok := types.Lookup(c.T.OID); !ok {
				t.Errorf("%s.%s: unknown type %d", q, c.Name, c.T.OID)
			}
		}
		rows, err := vt.Rows(env)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		for _, row := range rows {
			if len(row) != len(vt.Columns) {
				t.Errorf("%s: row of %d values for %d columns: %v", q, len(row), len(vt.Columns), row)
				break
			}
			for i, d := range row {
				if d == nil {
					continue
				}
				if err := checkDatum(vt.Columns[i].T, d); err != nil {
					t.Errorf("%s.%s: %v", q, vt.Columns[i].Name, err)
				}
				_ = types.AppendText(nil, vt.Columns[i].T, d, env.format)
			}
		}
	}
	for _, want := range []string{"pg_catalog.pg_class", "pg_catalog.pg_attribute", "pg_catalog.pg_type", "pg_catalog.pg_index",
		"pg_catalog.pg_proc", "pg_catalog.pg_constraint", "information_schema.columns", "information_schema.tables"} {
		if !names[want] {
			t.Errorf("no %s", want)
		}
	}
}

// checkDatum reports a value whose Go type is not the one its SQL type
// uses (see sql/types).
func checkDatum(t types.T, d types.Datum) error {
	var ok bool
	switch {
	case t.OID == types.Int2VectorOID || t.OID == types.OidVectorOID || types.IsArray(t.OID) || t.OID == types.AnyArrayOID:
		_, ok = d.(*types.Array)
	case t.OID == types.BoolOID:
		_, ok = d.(bool)
	case t.OID == types.Float4OID || t.OID == types.Float8OID:
		_, ok = d.(float64)
	case t.OID == types.TimestampTZOID:
		_, ok = d.(time.Time)
	case t.OID == types.TextOID || t.OID == types.NameOID || t.OID == types.VarcharOID || t.OID == types.CharOID ||
		t.OID == types.PgNodeTreeOID || t.OID == types.AclitemOID:
		_, ok = d.(string)
	default:
		_, ok = d.(int64)
	}
	if !ok {
		return pgerr.New(pgerr.InternalError, "value %v (%T) for type %s", d, d, t)
	}
	return nil
}

// tableRows returns the rows of a virtual table as text, one string per row
// of the named columns joined by "|", for the rows keep accepts.
func tableRows(t *testing.T, env planner.Env, table string, cols []string, keep func(row map[string]string) bool) []string {
	t.Helper()
	schema, name, _ := strings.Cut(table, ".")
	vt, ok := Lookup(schema, name)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	rows, err := vt.Rows(env)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, row := range rows {
		m := map[string]string{}
		for i, c := range vt.Columns {
			m[c.Name] = "NULL"
			if row[i] != nil {
				m[c.Name] = types.FormatText(c.T, row[i], env.Format())
			}
		}
		if keep != nil && !keep(m) {
			continue
		}
		vals := make([]string, len(cols))
		for i, c := range cols {
			vals[i] = m[c]
		}
		out = append(out, strings.Join(vals, "|"))
	}
	return out
}

func checkRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func TestRelationRows(t *testing.T) {
	env := newTestEnv(testCatalog(t))
	public := func(row map[string]string) bool { return row["relnamespace"] == "2200" }
	checkRows(t, "pg_class", tableRows(t, env, "pg_catalog.pg_class", []string{"relname", "relkind", "relam", "relnatts", "relhasindex", "reloptions"}, public), []string{
		"items|r|2|7|t|NULL",
		"items_pkey|i|403|1|f|NULL",
		"items_code_key|i|403|1|f|NULL",
		"items_name_idx|i|403|1|f|NULL",
		"items_embedding_idx|i|16391|1|f|{m=16,ef_construction=64}",
		"items_id_seq|S|0|3|f|NULL",
	})
	checkRows(t, "pg_attribute", tableRows(t, env, "pg_catalog.pg_attribute",
		[]string{"attnum", "attname", "atttypid", "atttypmod", "attnotnull", "atthasdef", "attisdropped", "attcollation"},
		func(row map[string]string) bool {
			o, _ := NewNamer(env).RegOID(types.RegclassOID, "items")
			return row["attrelid"] == types.FormatText(types.TOid, int64(o), nil)
		}), []string{
		"1|id|20|-1|t|t|f|0",
		"2|embedding|16385|3|f|f|f|0",
		"3|name|25|-1|t|t|f|100",
		"4|........pg.dropped.4........|0|-1|f|f|t|0",
		"5|price|1700|655366|f|t|f|0",
		"6|code|1043|24|f|f|f|100",
		"7|note|25|-1|f|f|f|100",
	})
	checkRows(t, "pg_attrdef", tableRows(t, env, "pg_catalog.pg_attrdef", []string{"adnum", "adbin"}, nil), []string{
		"1|nextval('items_id_seq'::regclass)",
		"3|'x'::text",
		"5|0",
	})
	checkRows(t, "pg_index", tableRows(t, env, "pg_catalog.pg_index",
		[]string{"indnatts", "indisunique", "indisprimary", "indkey", "indclass", "indoption", "indpred"}, nil), []string{
		"1|t|t|1|3124|0|NULL",
		"1|t|f|6|3126|0|NULL",
		"1|f|f|3|3126|3|NULL",
		"1|f|f|2|15704|0|NULL",
	})
	checkRows(t, "pg_constraint", tableRows(t, env, "pg_catalog.pg_constraint", []string{"conname", "contype", "conkey"}, nil), []string{
		"items_pkey|p|{1}",
		"items_code_key|u|{6}",
	})
	checkRows(t, "pg_depend of the sequence", tableRows(t, env, "pg_catalog.pg_depend", []string{"refobjsubid", "deptype"},
		func(row map[string]string) bool {
			return row["classid"] == "1259" && row["refclassid"] == "1259" && row["deptype"] == "a" && row["objsubid"] == "0" && row["refobjsubid"] == "1" && strings.HasPrefix(row["objid"], "16")
		}),
		[]string{"1|a"})
}

func TestIndexDefinitions(t *testing.T) {
	env := newTestEnv(testCatalog(t))
	n := NewNamer(env)
	def := func(name string, col int, pretty bool) string {
		o, err := n.RegOID(types.RegclassOID, name)
		if err != nil {
			t.Fatal(err)
		}
		s, ok := n.IndexDef(env, o, col, pretty)
		if !ok {
			t.Fatalf("IndexDef(%s) not found", name)
		}
		return s
	}
	for _, tc := range []struct {
		index  string
		col    int
		pretty bool
		want   string
	}{
		{"items_pkey", 0, false, "CREATE UNIQUE INDEX items_pkey ON public.items USING btree (id)"},
		{"items_name_idx", 0, false, "CREATE INDEX items_name_idx ON public.items USING btree (name DESC)"},
		{"items_embedding_idx", 0, false, "CREATE INDEX items_embedding_idx ON public.items USING hnsw (embedding vector_l2_ops) WITH (m='16', ef_construction='64')"},
		{"items_embedding_idx", 0, true, "CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops) WITH (m='16', ef_construction='64')"},
		{"items_embedding_idx", 1, true, "embedding"},
	} {
		if got := def(tc.index, tc.col, tc.pretty); got != tc.want {
			t.Errorf("pg_get_indexdef(%s, %d, %v)\n got %s\nwant %s", tc.index, tc.col, tc.pretty, got, tc.want)
		}
	}
	// Partial and expression indexes, as storage describes them (the
	// binder does not make them yet).
	tbl, _ := env.Catalog().TableByName("public", "items")
	for _, tc := range []struct {
		idx    storage.Index
		pretty bool
		want   string
	}{
		{storage.Index{Name: "cheap", Table: tbl.OID, Method: "btree", Columns: []storage.IndexColumn{{Slot: 4}}, Predicate: "price > 0"}, false,
			"CREATE INDEX cheap ON public.items USING btree (price) WHERE (price > (0)::numeric)"},
		{storage.Index{Name: "cheap", Table: tbl.OID, Method: "btree", Columns: []storage.IndexColumn{{Slot: 4}}, Predicate: "price > 0"}, true,
			"CREATE INDEX cheap ON items USING btree (price) WHERE price > 0::numeric"},
		{storage.Index{Name: "named", Table: tbl.OID, Method: "btree", Columns: []storage.IndexColumn{{Slot: 2}}, Predicate: "name <> 'x' AND code IS NOT NULL"}, false,
			"CREATE INDEX named ON public.items USING btree (name) WHERE ((name <> 'x'::text) AND (code IS NOT NULL))"},
		{storage.Index{Name: "lower", Table: tbl.OID, Method: "btree", Columns: []storage.IndexColumn{{Slot: -1, Expr: "lower(name)"}}}, false,
			"CREATE INDEX lower ON public.items USING btree (lower(name))"},
		{storage.Index{Name: "sum", Table: tbl.OID, Method: "btree", Columns: []storage.IndexColumn{{Slot: -1, Expr: "id + 1", Desc: true}, {Slot: 2, Opclass: "text_pattern_ops"}}}, false,
			"CREATE INDEX sum ON public.items USING btree (((id + 1)) DESC NULLS LAST, name text_pattern_ops)"},
		{storage.Index{Name: "ops", Table: tbl.OID, Method: "btree", Columns: []storage.IndexColumn{{Slot: 2, Opclass: "text_ops", NullsFirst: true}}}, false,
			"CREATE INDEX ops ON public.items USING btree (name NULLS FIRST)"},
	} {
		idx := tc.idx
		idx.Schema = "public"
		if got := indexDef(env, &idx, 0, tc.pretty); got != tc.want {
			t.Errorf("pg_get_indexdef(%s, pretty %v)\n got %s\nwant %s", idx.Name, tc.pretty, got, tc.want)
		}
	}
	for _, c := range constraints(env.Catalog(), 0) {
		got, _ := n.ConstraintDef(env, c.oid, false)
		want := map[string]string{"items_pkey": "PRIMARY KEY (id)", "items_code_key": "UNIQUE (code)"}[c.index.Name]
		if got != want {
			t.Errorf("pg_get_constraintdef(%s) = %s, want %s", c.index.Name, got, want)
		}
	}
}

func TestDeparse(t *testing.T) {
	for _, tc := range []struct {
		sql    string
		want   types.T
		pretty bool
		out    string
	}{
		{"nextval('items_id_seq'::regclass)", types.TInt8, false, "nextval('items_id_seq'::regclass)"},
		{"'x'", types.TText, false, "'x'::text"},
		{"'it''s'", types.TText, false, "'it''s'::text"},
		{"'x'", types.VarcharOf(20), false, "'x'::character varying"},
		{"'ab'", types.T{OID: types.BpcharOID, Mod: 7}, false, "'ab'::bpchar"},
		{"0", types.NumericOf(10, 2), false, "0"},
		{"-1", types.TInt4, false, "'-1'::integer"},
		{"-1.5", types.TNumeric, false, "'-1.5'::numeric"},
		{"1.5", types.TFloat8, false, "1.5"},
		{"9999999999", types.TInt8, false, "'9999999999'::bigint"},
		{"5", types.TInt8, false, "5"},
		{"'7'", types.TInt4, false, "7"},
		{"true", types.TBool, false, "true"},
		{"now()", types.TTimestampTZ, false, "now()"},
		{"CURRENT_DATE", types.TDate, false, "CURRENT_DATE"},
		{"current_timestamp", types.TTimestampTZ, false, "CURRENT_TIMESTAMP"},
		{"'{}'", types.Of(types.TextArrayOID), false, "'{}'::text[]"},
		{"'[1,2,3]'", types.VectorOf(3), false, "'[1,2,3]'::vector"},
		{"'{}'::jsonb", types.TJSONB, false, "'{}'::jsonb"},
		{"1 + 2", types.TInt4, false, "(1 + 2)"},
		{"1 + 2", types.TInt4, true, "1 + 2"},
		{"(1 + 2) * 3", types.TInt4, true, "(1 + 2) * 3"},
		{"'a' || 'b'", types.TText, false, "('a'::text || 'b'::text)"},
		{"lower('X')", types.TText, false, "lower('X'::text)"},
		{"gen_random_uuid()", types.TText, false, "gen_random_uuid()"},
		{"'a'::text", types.TVarchar, false, "'a'::text"},
		{"'1 day'::interval", types.TText, false, "'1 day'::interval"},
		{"pg_catalog.now()", types.TTimestampTZ, false, "now()"},
		{"ARRAY[1, 2]", types.Of(types.Int4ArrayOID), false, "ARRAY[1, 2]"},
		{"NULL", types.TText, false, "NULL::text"},
		{"a > 0 AND b IS NOT NULL", types.TBool, false, "((a > 0) AND (b IS NOT NULL))"},
		{"a > 0 AND b IS NOT NULL", types.TBool, true, "a > 0 AND b IS NOT NULL"},
		{"this is not sql )", types.TText, false, "this is not sql )"},
	} {
		if got := deparseSQL(nil, tc.sql, nil, tc.want, tc.pretty); got != tc.out {
			t.Errorf("deparse(%q, %s, pretty %v) = %s, want %s", tc.sql, tc.want, tc.pretty, got, tc.out)
		}
	}
}

func TestParseNameList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // names joined by "|", or "ERROR"
	}{
		{"items", "items"}, {"Items", "items"}, {`"Items"`, "Items"}, {"public.items", "public|items"},
		{`"a.b"`, "a.b"}, {`"a""b"`, `a"b`}, {" public . items ", "public|items"}, {"a..b", "ERROR"},
		{`"unterminated`, "ERROR"}, {"", "ERROR"}, {`""`, "ERROR"},
	} {
		names, err := parseNameList(tc.in)
		got := strings.Join(names, "|")
		if err != nil {
			got = "ERROR"
		}
		if got != tc.want {
			t.Errorf("parseNameList(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestNamer(t *testing.T) {
	env := newTestEnv(testCatalog(t))
	n := NewNamer(env)
	for _, tc := range []struct {
		t    types.OID
		in   string
		out  string // the name printed back, or the SQLSTATE of the error
		code pgerr.Code
	}{
		{types.RegclassOID, "items", "items", ""},
		{types.RegclassOID, "public.items", "items", ""},
		{types.RegclassOID, "pg_class", "pg_class", ""},
		{types.RegclassOID, "pg_catalog.pg_type", "pg_type", ""},
		{types.RegclassOID, "information_schema.columns", "information_schema.columns", ""},
		{types.RegclassOID, "nope", "", pgerr.UndefinedTable},
		{types.RegclassOID, "a.b.c.d", "", pgerr.SyntaxError},
		{types.RegtypeOID, "int4", "integer", ""},
		{types.RegtypeOID, "character varying(10)", "character varying", ""},
		{types.RegtypeOID, "vector", "vector", ""},
		{types.RegtypeOID, "public.vector", "vector", ""},
		{types.RegtypeOID, "_vector", "vector[]", ""},
		{types.RegtypeOID, "timestamp with time zone", "timestamp with time zone", ""},
		{types.RegtypeOID, "nope", "", pgerr.UndefinedObject},
		{types.RegprocOID, "array_in", "array_in", ""},
		{types.RegprocOID, "vector_in", "vector_in", ""},
		{types.RegprocOID, "nope", "", pgerr.UndefinedFunction},
		{types.RegprocedureOID, "l2_distance(vector, vector)", "l2_distance(vector,vector)", ""},
		{types.RegnamespaceOID, "public", "public", ""},
		{types.RegnamespaceOID, "nope", "", pgerr.InvalidSchemaName},
		{types.RegroleOID, "alice", "alice", ""},
		{types.RegroleOID, "pg_database_owner", "pg_database_owner", ""},
		{types.RegroleOID, "nope", "", pgerr.UndefinedObject},
		{types.RegcollationOID, `"C"`, `"C"`, ""},
		{types.RegoperatorOID, "<->(vector,vector)", "<->(vector,vector)", ""},
	} {
		o, err := n.RegOID(tc.t, tc.in)
		if tc.code != "" {
			if pgerr.CodeOf(err) != tc.code {
				t.Errorf("%s input %q: error %v, want %s", types.TypeName(tc.t), tc.in, err, tc.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s input %q: %v", types.TypeName(tc.t), tc.in, err)
			continue
		}
		if got, ok := n.RegName(tc.t, o); !ok || got != tc.out {
			t.Errorf("%s %q: printed %q, %v, want %q", types.TypeName(tc.t), tc.in, got, ok, tc.out)
		}
	}
	// Outside the search path, names are qualified.
	env.path = []string{"nope"}
	o, _ := n.RegOID(types.RegclassOID, "public.items")
	if got, _ := n.RegName(types.RegclassOID, o); got != "public.items" {
		t.Errorf("regclass outside the search path = %s", got)
	}
	if got, _ := n.RegName(types.RegtypeOID, types.VectorOID); got != "public.vector" {
		t.Errorf("regtype outside the search path = %s", got)
	}
	if _, ok := n.RegName(types.RegclassOID, 1); ok {
		t.Error("regclass of OID 1 found")
	}
}

// TestBuiltinData checks the recorded rows: every type of sql/types has
// one, and what they refer to is recorded too.
func TestBuiltinData(t *testing.T) {
	data := builtinRows()
	for _, info := range types.All() {
		row, ok := data.typeByOID[info.OID]
		if !ok {
			t.Errorf("type %s (%d) has no recorded pg_type row (record again: see record_test.go)", info.Name, info.OID)
			continue
		}
		if row.Name != info.Name || row.Len != info.Len || row.Array != info.Array {
			t.Errorf("type %d: recorded %s len %d array %d, sql/types says %s len %d array %d",
				info.OID, row.Name, row.Len, row.Array, info.Name, info.Len, info.Array)
		}
		for _, p := range []types.OID{row.Input, row.Output, row.Receive, row.Send, row.ModIn, row.ModOut, row.Subscript} {
			if _, ok := data.procByOID[p]; p != 0 && !ok {
				t.Errorf("type %s refers to function %d, which is not recorded", info.Name, p)
			}
		}
	}
	families := map[types.OID]bool{}
	for _, f := range data.families {
		families[f.OID] = true
	}
	for _, c := range data.classes {
		if !families[c.Family] {
			t.Errorf("operator class %s: family %d not recorded", c.Name, c.Family)
		}
	}
	for _, o := range data.operators {
		if _, ok := data.procByOID[o.Code]; !ok {
			t.Errorf("operator %s: function %d not recorded", o.Name, o.Code)
		}
	}
	vectorProcs := 0
	for _, p := range data.procs {
		if p.Namespace == PublicNamespace {
			vectorProcs++
			if p.OID < firstVectorProc || p.OID >= firstVectorOperator {
				t.Errorf("pgvector function %s has OID %d outside its block", p.Name, p.OID)
			}
		}
	}
	if vectorProcs != 118 {
		t.Errorf("%d pgvector functions recorded, want pgvector 0.8's 118", vectorProcs)
	}
	// The registry's functions are listed, with PostgreSQL's signatures.
	reg := builtins.NewRegistry()
	for _, name := range []string{"now", "length", "lower", "array_in", "format_type", "pg_get_indexdef", "l2_distance"} {
		if len(data.procByName[name]) == 0 {
			t.Errorf("pg_proc has no %s", name)
		}
		if len(reg.Function(name)) == 0 && name != "array_in" {
			t.Errorf("the registry has no %s", name)
		}
	}
}
