package main

import (
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// TestDriverPgxNestedTx uses pgx's nested transactions, which are
// savepoints: a nested Tx that fails on a unique violation and is rolled
// back leaves the outer Tx usable, one that commits (RELEASE) keeps its
// rows, and rows of an hnsw-indexed table rolled back are not found by a
// nearest-neighbour search.
func TestDriverPgxNestedTx(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "CREATE EXTENSION IF NOT EXISTS vector", "DROP TABLE IF EXISTS sp_pgx",
		"CREATE TABLE sp_pgx (id int PRIMARY KEY, embedding vector(2))",
		"CREATE INDEX ON sp_pgx USING hnsw (embedding vector_l2_ops)",
		"INSERT INTO sp_pgx VALUES (1, '[1,1]')")

	outer, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer outer.Rollback(ctx)
	if _, err := outer.Exec(ctx, "INSERT INTO sp_pgx VALUES (2, '[2,2]')"); err != nil {
		t.Fatal(err)
	}

	failing, err := outer.Begin(ctx) // SAVEPOINT
	if err != nil {
		t.Fatalf("nested Begin: %v", err)
	}
	if _, err := failing.Exec(ctx, "INSERT INTO sp_pgx VALUES (3, '[0,0]')"); err != nil {
		t.Fatal(err)
	}
	_, err = failing.Exec(ctx, "INSERT INTO sp_pgx VALUES (1, '[0.5,0.5]')")
	drvWantCode(t, "duplicate in the nested tx", err, "23505")
	if got := drvTxStatus(conn); got != 'E' {
		t.Errorf("status after the error %c, want E", got)
	}
	if err := failing.Rollback(ctx); err != nil { // ROLLBACK TO SAVEPOINT
		t.Fatalf("nested Rollback: %v", err)
	}
	if got := drvTxStatus(conn); got != 'T' {
		t.Errorf("status after ROLLBACK TO %c, want T", got)
	}

	kept, err := outer.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kept.Exec(ctx, "INSERT INTO sp_pgx VALUES (4, '[4,4]')"); err != nil {
		t.Fatal(err)
	}
	if err := kept.Commit(ctx); err != nil { // RELEASE SAVEPOINT
		t.Fatalf("nested Commit: %v", err)
	}

	nearest := func(q pgx.Tx) []int {
		t.Helper()
		rows, err := q.Query(ctx, "SELECT id FROM sp_pgx ORDER BY embedding <-> '[0,0]' LIMIT 10")
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := nearest(outer); !slices.Equal(got, []int{1, 2, 4}) {
		t.Errorf("inside the outer tx the nearest rows are %v, want [1 2 4]", got)
	}
	if err := outer.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []int
	rows, err := conn.Query(ctx, "SELECT id FROM sp_pgx ORDER BY embedding <-> '[0,0]' LIMIT 10")
	if err == nil {
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int])
	}
	if err != nil || !slices.Equal(ids, []int{1, 2, 4}) {
		t.Errorf("committed nearest rows %v (%v), want [1 2 4]", ids, err)
	}
}

// TestDriverGormNestedTransaction runs GORM's nested Transaction, which
// GORM implements with SAVEPOINT and ROLLBACK TO SAVEPOINT: the inner
// function's error undoes only its own rows.
func TestDriverGormNestedTransaction(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	db, err := gorm.Open(postgres.Open(url), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	db = db.WithContext(ctx)
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	type spGorm struct {
		ID   int `gorm:"primaryKey;autoIncrement:false"`
		Name string
	}
	table := db.Table("sp_gorm")
	for _, s := range []string{"DROP TABLE IF EXISTS sp_gorm", "CREATE TABLE sp_gorm (id int PRIMARY KEY, name text)"} {
		if err := db.Exec(s).Error; err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	errInner := errors.New("inner fails")
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Table("sp_gorm").Create(&spGorm{ID: 1, Name: "outer"}).Error; err != nil {
			return err
		}
		if err := tx.Transaction(func(tx2 *gorm.DB) error {
			if err := tx2.Table("sp_gorm").Create(&spGorm{ID: 2, Name: "inner, rolled back"}).Error; err != nil {
				return err
			}
			return errInner
		}); !errors.Is(err, errInner) {
			t.Errorf("inner transaction returned %v, want its own error", err)
		}
		// A nested transaction that fails in the database (a duplicate
		// key), after which the outer one goes on.
		if err := tx.Transaction(func(tx2 *gorm.DB) error {
			return tx2.Table("sp_gorm").Create(&spGorm{ID: 1, Name: "duplicate"}).Error
		}); err == nil {
			t.Error("a duplicate key in the inner transaction succeeded")
		}
		return tx.Transaction(func(tx2 *gorm.DB) error {
			return tx2.Table("sp_gorm").Create(&spGorm{ID: 3, Name: "inner, kept"}).Error
		})
	})
	if err != nil {
		t.Fatalf("outer transaction: %v", err)
	}
	var got []spGorm
	if err := table.Order("id").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	want := []spGorm{{1, "outer"}, {3, "inner, kept"}}
	if !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
}
