package main

import (
	"context"
	"math"
	"reflect"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", under bun
	"github.com/pgvector/pgvector-go"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// gormItem is a GORM model with a vector column, as pgvector-go's
// documentation writes one.
type gormItem struct {
	gorm.Model
	Name      string          `gorm:"not null;index"`
	Embedding pgvector.Vector `gorm:"type:vector(3)"`
	Score     float64
}

func (gormItem) TableName() string { return "gorm_items" }

// gormItemV2 is gormItem with one more column, as a later release of an
// application would declare it.
type gormItemV2 struct {
	gormItem
	Category string `gorm:"size:32;default:'none'"`
}

func (gormItemV2) TableName() string { return "gorm_items" }

// TestDriverGorm runs the scenario with GORM (gorm.io/driver/postgres,
// over pgx): AutoMigrate of a model with a vector field, which reads the
// catalog (information_schema, pg_catalog) to learn what exists, then
// create, nearest-neighbour query, update, delete.
func TestDriverGorm(t *testing.T) {
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
	for _, s := range []string{"CREATE EXTENSION IF NOT EXISTS vector", "DROP TABLE IF EXISTS gorm_items"} {
		if err := db.Exec(s).Error; err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := db.AutoMigrate(&gormItem{}); err != nil {
		t.Fatalf("AutoMigrate (create): %v", err)
	}
	// Again: now the table exists and GORM compares its columns, types
	// and indexes with the model's.
	if err := db.AutoMigrate(&gormItem{}); err != nil {
		t.Fatalf("AutoMigrate (unchanged): %v", err)
	}
	if !db.Migrator().HasTable(&gormItem{}) || !db.Migrator().HasColumn(&gormItem{}, "Embedding") || !db.Migrator().HasIndex(&gormItem{}, "Name") {
		t.Errorf("Migrator does not see the table, its embedding column or its name index")
	}
	// A later version of the model adds a column: AutoMigrate alters the
	// table; dropping it again goes through the Migrator.
	if err := db.AutoMigrate(&gormItemV2{}); err != nil {
		t.Fatalf("AutoMigrate (added column): %v", err)
	}
	if !db.Migrator().HasColumn(&gormItemV2{}, "Category") {
		t.Errorf("Migrator does not see the added column")
	}
	if err := db.Migrator().DropColumn(&gormItemV2{}, "Category"); err != nil {
		t.Fatalf("DropColumn: %v", err)
	}

	items := make([]gormItem, len(drvItems))
	for i, it := range drvItems {
		items[i] = gormItem{Name: it.name, Embedding: pgvector.NewVector(it.vec), Score: float64(i)}
	}
	if err := db.Create(&items).Error; err != nil {
		t.Fatalf("Create: %v", err)
	}
	for i, it := range items {
		if it.ID != uint(i+1) {
			t.Errorf("item %d got id %d", i, it.ID)
		}
	}

	knn := func() []int64 {
		t.Helper()
		var found []gormItem
		err := db.Clauses(clause.OrderBy{
			Expression: clause.Expr{SQL: "embedding <-> ?", Vars: []any{pgvector.NewVector([]float32{1, 1, 1})}},
		}).Limit(5).Find(&found).Error
		if err != nil {
			t.Fatalf("nearest neighbours: %v", err)
		}
		var ids []int64
		for _, f := range found {
			ids = append(ids, int64(f.ID))
		}
		return ids
	}
	drvWantIDs(t, "nearest neighbours", knn(), 1, 3, 2)

	var distances []float64
	if err := db.Model(&gormItem{}).Select("embedding <-> ?", pgvector.NewVector([]float32{1, 1, 1})).Order("id").Find(&distances).Error; err != nil {
		t.Fatal(err)
	}
	if len(distances) != 3 || distances[0] != 0 || math.Abs(distances[1]-math.Sqrt(3)) > 1e-9 || distances[2] != 1 {
		t.Errorf("distances %v", distances)
	}

	var second gormItem
	if err := db.First(&second, 3).Error; err != nil || second.Name != "three" || !reflect.DeepEqual(second.Embedding.Slice(), []float32{1, 1, 2}) {
		t.Errorf("First: %+v, %v", second, err)
	}
	if err := db.Model(&gormItem{}).Where("id = ?", 1).Update("embedding", pgvector.NewVector([]float32{9, 9, 9})).Error; err != nil {
		t.Fatalf("Update: %v", err)
	}
	drvWantIDs(t, "after update", knn(), 3, 2, 1)
	// A soft delete (gorm.Model's DeletedAt) is an UPDATE, and later
	// queries filter on it; Unscoped deletes for real.
	if err := db.Delete(&gormItem{}, 3).Error; err != nil {
		t.Fatalf("Delete: %v", err)
	}
	drvWantIDs(t, "after soft delete", knn(), 2, 1)
	if err := db.Unscoped().Delete(&gormItem{}, 3).Error; err != nil {
		t.Fatalf("Unscoped Delete: %v", err)
	}
	var n int64
	if err := db.Unscoped().Model(&gormItem{}).Count(&n).Error; err != nil || n != 2 {
		t.Errorf("count after delete: %d, %v", n, err)
	}

	// A transaction that fails is rolled back whole.
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&gormItem{Name: "in tx", Embedding: pgvector.NewVector([]float32{0, 0, 0})}).Error; err != nil {
			return err
		}
		return tx.Create(&gormItem{Model: gorm.Model{ID: 1}, Name: "duplicate", Embedding: pgvector.NewVector([]float32{0, 0, 0})}).Error
	})
	if drvCode(err) != "23505" {
		t.Errorf("failed transaction: %v", err)
	}
	if err := db.Model(&gormItem{}).Where("name = ?", "in tx").Count(&n).Error; err != nil || n != 0 {
		t.Errorf("rows of the rolled back transaction: %d, %v", n, err)
	}

}

// bunItem is a bun model with a vector column.
type bunItem struct {
	bun.BaseModel `bun:"table:bun_items"`

	ID        int64           `bun:",pk,autoincrement"`
	Name      string          `bun:",notnull"`
	Embedding pgvector.Vector `bun:"type:vector(3)"`
}

// TestDriverBun runs the scenario with bun (pgdialect over pgx's
// database/sql driver).
func TestDriverBun(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	db := bun.NewDB(drvOpenSQL(t, "pgx", url), pgdialect.New())
	if _, err := db.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS vector"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewDropTable().Model((*bunItem)(nil)).IfExists().Exec(ctx); err != nil {
		t.Fatalf("drop table: %v", err)
	}
	if _, err := db.NewCreateTable().Model((*bunItem)(nil)).Exec(ctx); err != nil {
		t.Fatalf("create table: %v", err)
	}
	items := make([]bunItem, len(drvItems))
	for i, it := range drvItems {
		items[i] = bunItem{Name: it.name, Embedding: pgvector.NewVector(it.vec)}
	}
	if _, err := db.NewInsert().Model(&items).Exec(ctx); err != nil {
		t.Fatalf("insert: %v", err)
	}
	for i, it := range items {
		if it.ID != int64(i+1) {
			t.Errorf("item %d got id %d (RETURNING)", i, it.ID)
		}
	}

	knn := func() []int64 {
		t.Helper()
		var found []bunItem
		err := db.NewSelect().Model(&found).OrderExpr("embedding <-> ?", pgvector.NewVector([]float32{1, 1, 1})).Limit(5).Scan(ctx)
		if err != nil {
			t.Fatalf("nearest neighbours: %v", err)
		}
		var ids []int64
		for _, f := range found {
			ids = append(ids, f.ID)
		}
		return ids
	}
	drvWantIDs(t, "nearest neighbours", knn(), 1, 3, 2)

	one := bunItem{ID: 1, Name: "one", Embedding: pgvector.NewVector([]float32{9, 9, 9})}
	if _, err := db.NewUpdate().Model(&one).WherePK().Exec(ctx); err != nil {
		t.Fatalf("update: %v", err)
	}
	drvWantIDs(t, "after update", knn(), 3, 2, 1)
	if _, err := db.NewDelete().Model((*bunItem)(nil)).Where("id = ?", 3).Exec(ctx); err != nil {
		t.Fatalf("delete: %v", err)
	}
	drvWantIDs(t, "after delete", knn(), 2, 1)

	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&bunItem{Name: "in tx", Embedding: pgvector.NewVector([]float32{0, 0, 0})}).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&bunItem{ID: 1, Name: "duplicate", Embedding: pgvector.NewVector([]float32{0, 0, 0})}).Exec(ctx)
		return err
	})
	if drvCode(err) != "23505" {
		t.Errorf("failed transaction: %v", err)
	}
	n, err := db.NewSelect().Model((*bunItem)(nil)).Count(ctx)
	if err != nil || n != 2 {
		t.Errorf("count: %d, %v", n, err)
	}
}
