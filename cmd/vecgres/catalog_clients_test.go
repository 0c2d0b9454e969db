package main

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vecgres/vecgres/sql/types"
)

// TestCatalogClientQueries runs the catalog queries that drivers and ORMs
// send, over the extended protocol with parameters as they do: pgx's
// LoadType, pgvector-go's RegisterTypes (pgvector-python's register_vector
// asks the same of to_regtype), JDBC's type lookups, and GORM's Migrator
// (gorm.io/driver/postgres: HasTable, HasColumn, HasIndex,
// HasConstraint, ColumnTypes, GetIndexes).
func TestCatalogClientQueries(t *testing.T) {
	in := startTestInstance(t)
	conn, ctx := connectInstance(t, in)
	for _, stmt := range []string{
		`CREATE EXTENSION IF NOT EXISTS vector`,
		`CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3), name text NOT NULL DEFAULT 'x', code varchar(20) UNIQUE)`,
		`CREATE INDEX idx_items_name ON items (name)`,
		`CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops)`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}

	// pgvector-go's RegisterTypes.
	var vec, vecArr, half, halfArr, sparse, sparseArr *uint32
	if err := conn.QueryRow(ctx, "SELECT to_regtype('vector')::oid, to_regtype('_vector')::oid, to_regtype('halfvec')::oid, to_regtype('_halfvec')::oid, to_regtype('sparsevec')::oid, to_regtype('_sparsevec')::oid").
		Scan(&vec, &vecArr, &half, &halfArr, &sparse, &sparseArr); err != nil {
		t.Fatal(err)
	}
	for i, got := range []*uint32{vec, vecArr, half, halfArr, sparse, sparseArr} {
		want := []types.OID{types.VectorOID, types.VectorArrayOID, types.HalfvecOID, types.HalfvecArrayOID, types.SparsevecOID, types.SparsevecArrayOID}[i]
		if got == nil || types.OID(*got) != want {
			t.Errorf("to_regtype OID %d: got %v, want %d", i, got, want)
		}
	}

	// pgx's LoadType: $1::text::regtype::oid, then pg_type by OID.
	dt, err := conn.LoadType(ctx, "_text")
	if err != nil {
		t.Fatalf("LoadType(_text): %v", err)
	}
	if dt.OID != uint32(types.TextArrayOID) {
		t.Errorf("LoadType(_text).OID = %d", dt.OID)
	}
	var typtype string
	var typbasetype, typelem uint32
	if err := conn.QueryRow(ctx, "select typtype::text, typbasetype from pg_type where oid=$1", uint32(types.VectorOID)).Scan(&typtype, &typbasetype); err != nil || typtype != "b" || typbasetype != 0 {
		t.Errorf("vector's typtype: %q %d %v", typtype, typbasetype, err)
	}
	var delim string
	if err := conn.QueryRow(ctx, "select typelem, typdelim::text from pg_type where oid=$1", uint32(types.VectorArrayOID)).Scan(&typelem, &delim); err != nil || typelem != uint32(types.VectorOID) || delim != "," {
		t.Errorf("_vector's typelem: %d %q %v", typelem, delim, err)
	}

	// JDBC's TypeInfoCache.
	var isArray bool
	var name string
	var oid uint32
	if err := conn.QueryRow(ctx, `SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid
		FROM pg_catalog.pg_type
		LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r from pg_namespace as ns
		  join ( select s.r, (current_schemas(false))[s.r] as nspname from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r
		  using ( nspname )) as sp
		ON sp.nspoid = typnamespace WHERE typname = $1 ORDER BY sp.r, pg_type.oid DESC LIMIT 1`, "_vector").Scan(&isArray, &typtype, &name, &oid); err != nil {
		t.Fatal(err)
	}
	if !isArray || name != "_vector" || oid != uint32(types.VectorArrayOID) {
		t.Errorf("JDBC type lookup: %v %q %d", isArray, name, oid)
	}

	// GORM's Migrator.
	count := func(sql string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	var db, schema string
	if err := conn.QueryRow(ctx, "SELECT CURRENT_DATABASE()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT CURRENT_SCHEMA()").Scan(&schema); err != nil || schema != "public" {
		t.Fatalf("CURRENT_SCHEMA(): %q %v", schema, err)
	}
	for _, c := range []struct {
		sql  string
		args []any
		want int64
	}{
		{"SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2 AND table_type = $3", []any{"public", "items", "BASE TABLE"}, 1},
		{"SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2 AND table_type = $3", []any{"public", "nope", "BASE TABLE"}, 0},
		{"SELECT count(*) FROM INFORMATION_SCHEMA.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3", []any{"public", "items", "embedding"}, 1},
		{"SELECT count(*) FROM pg_indexes WHERE tablename = $1 AND indexname = $2 AND schemaname = $3", []any{"items", "idx_items_name", "public"}, 1},
		{"SELECT count(*) FROM INFORMATION_SCHEMA.table_constraints WHERE table_schema = $1 AND table_name = $2 AND constraint_name = $3", []any{"public", "items", "items_code_key"}, 1},
	} {
		if got := count(c.sql, c.args...); got != c.want {
			t.Errorf("%s %v = %d, want %d", c.sql, c.args, got, c.want)
		}
	}
	rows, err := conn.Query(ctx, `SELECT c.column_name, c.is_nullable = 'YES', c.udt_name, c.character_maximum_length, c.numeric_precision,
		c.numeric_precision_radix, c.numeric_scale, c.datetime_precision, 8 * typlen, c.column_default, pd.description, c.identity_increment
		FROM information_schema.columns AS c JOIN pg_type AS pgt ON c.udt_name = pgt.typname
		LEFT JOIN pg_catalog.pg_description as pd ON pd.objsubid = c.ordinal_position AND pd.objoid = (SELECT oid FROM pg_catalog.pg_class
		  WHERE relname = c.table_name AND relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = c.table_schema))
		where table_catalog = $1 AND table_schema = $2 AND table_name = $3`, db, "public", "items")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var col, udt string
		var nullable bool
		var def *string
		var skip [7]any
		err := r.Scan(&col, &nullable, &udt, &skip[0], &skip[1], &skip[2], &skip[3], &skip[4], &skip[5], &def, &skip[6], new(any))
		d := "NULL"
		if def != nil {
			d = *def
		}
		return col + " " + udt + " " + d, err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"id int8 nextval('items_id_seq'::regclass)", "embedding vector NULL", "name text 'x'::text", "code varchar NULL"}
	if len(got) != len(want) {
		t.Fatalf("ColumnTypes: %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ColumnTypes row %d: %q, want %q", i, got[i], want[i])
		}
	}
	rows, err = conn.Query(ctx, `SELECT ct.relname AS table_name, ci.relname AS index_name, i.indisunique AS non_unique, i.indisprimary AS primary,
		a.attname AS column_name FROM pg_index i LEFT JOIN pg_class ct ON ct.oid = i.indrelid LEFT JOIN pg_class ci ON ci.oid = i.indexrelid
		LEFT JOIN pg_attribute a ON a.attrelid = ct.oid LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid
		WHERE a.attnum = ANY(i.indkey) AND con.oid IS NULL AND ct.relkind = 'r' AND ct.relname = $1
		AND ct.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $2) ORDER BY 2`, "items", "public")
	if err != nil {
		t.Fatal(err)
	}
	indexes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var table, index, column string
		var unique, primary bool
		err := r.Scan(&table, &index, &unique, &primary, &column)
		return index + " " + column, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(indexes) != 2 || indexes[0] != "idx_items_name name" || indexes[1] != "items_embedding_idx embedding" {
		t.Errorf("GetIndexes: %q", indexes)
	}
}
