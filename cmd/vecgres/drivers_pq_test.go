package main

import (
	"database/sql"
	"errors"
	"reflect"
	"testing"

	"github.com/lib/pq"
	"github.com/pgvector/pgvector-go"
)

// drvOpenSQL opens a database/sql pool with the named driver, closed at the
// end of the test.
func drvOpenSQL(t *testing.T, driver, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestDriverLibPq runs the scenario with lib/pq through database/sql:
// text parameters, unnamed and named prepared statements, transactions,
// pgvector-go's Vector as a sql.Scanner and driver.Valuer, pq.Array and
// pq.CopyIn.
func TestDriverLibPq(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	db := drvOpenSQL(t, "postgres", url)
	for _, s := range []string{
		"CREATE EXTENSION IF NOT EXISTS vector",
		"DROP TABLE IF EXISTS pq_items",
		"CREATE TABLE pq_items (id bigserial PRIMARY KEY, name text, embedding vector(3), tags text[])",
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}

	ins, err := db.PrepareContext(ctx, "INSERT INTO pq_items (name, embedding, tags) VALUES ($1, $2, $3) RETURNING id")
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range drvItems {
		var id int64
		if err := ins.QueryRowContext(ctx, it.name, pgvector.NewVector(it.vec), pq.Array([]string{it.name, "x"})).Scan(&id); err != nil || id != int64(i+1) {
			t.Fatalf("insert %s: id %d, %v", it.name, id, err)
		}
	}
	ins.Close()

	knn := func() []int64 {
		t.Helper()
		rows, err := db.QueryContext(ctx, "SELECT id, embedding FROM pq_items ORDER BY embedding <-> $1 LIMIT $2", pgvector.NewVector([]float32{1, 1, 1}), 5)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			var v pgvector.Vector
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			if want := drvItems[id-1].vec; len(v.Slice()) != 3 || (id != 1 && !reflect.DeepEqual(v.Slice(), want)) {
				t.Errorf("id %d: vector %v, want %v", id, v.Slice(), want)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	drvWantIDs(t, "nearest neighbours", knn(), 1, 3, 2)

	var tags []string
	if err := db.QueryRowContext(ctx, "SELECT tags FROM pq_items WHERE id = $1", 2).Scan(pq.Array(&tags)); err != nil || !reflect.DeepEqual(tags, []string{"two", "x"}) {
		t.Errorf("tags %v, %v", tags, err)
	}

	res, err := db.ExecContext(ctx, "UPDATE pq_items SET embedding = $1 WHERE id = $2", "[9,9,9]", 1)
	if n, _ := drvRowsAffected(res, err); n != 1 {
		t.Fatalf("update: %d rows, %v", n, err)
	}
	drvWantIDs(t, "after update", knn(), 3, 2, 1)
	res, err = db.ExecContext(ctx, "DELETE FROM pq_items WHERE id = $1", 3)
	if n, _ := drvRowsAffected(res, err); n != 1 {
		t.Fatalf("delete: %d rows, %v", n, err)
	}
	drvWantIDs(t, "after delete", knn(), 2, 1)

	// A transaction with COPY through pq.CopyIn, then an error that
	// rolls it back.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("pq_items", "id", "name", "embedding"))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []string{"[0,0,0]", "[0,0,1]"} {
		if _, err := stmt.ExecContext(ctx, 100+i, "copied\ttab\\back", v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		t.Fatalf("CopyIn: %v", err)
	}
	stmt.Close()
	var name string
	if err := tx.QueryRowContext(ctx, "SELECT name FROM pq_items WHERE id = 101").Scan(&name); err != nil || name != "copied\ttab\\back" {
		t.Errorf("copied name %q, %v", name, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pq_items").Scan(&n); err != nil || n != 4 {
		t.Errorf("rows after CopyIn: %d, %v", n, err)
	}

	_, err = db.ExecContext(ctx, "INSERT INTO pq_items (id) VALUES ($1)", 2)
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "23505" || pqErr.Constraint != "pq_items_pkey" {
		t.Errorf("duplicate key: %#v", err)
	}
}

func drvRowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
