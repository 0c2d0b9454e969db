package main

import (
	"math"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// TestDriverPgvectorGoHalfvecSparsevec sends and receives pgvector-go's
// HalfVector and SparseVector (pgvector's binary layouts, and text in
// the simple protocol) and pgx's pgtype.Bits for bit columns: as query
// parameters in every pgx mode, in CopyFrom, in arrays, and with the
// column's dimension check.
func TestDriverPgvectorGoHalfvecSparsevec(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "CREATE EXTENSION IF NOT EXISTS vector")
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		t.Fatalf("RegisterTypes: %v", err)
	}
	drvExec(t, ctx, conn,
		"DROP TABLE IF EXISTS pgxkinds_items",
		"CREATE TABLE pgxkinds_items (id bigint PRIMARY KEY, h halfvec(3), s sparsevec(5), b bit(4), hs halfvec[])")

	items := []struct {
		id int64
		h  []float32
		s  map[int32]float32
		b  byte // four bits, high first
	}{
		{1, []float32{1, 1, 1}, map[int32]float32{0: 1, 4: 1}, 0b1100_0000},
		{2, []float32{2, 2, 2}, map[int32]float32{1: -2}, 0b1111_0000},
		{3, []float32{1, 1, 2.5}, map[int32]float32{3: 4}, 0b0011_0000},
	}
	for _, it := range items {
		_, err := conn.Exec(ctx, "INSERT INTO pgxkinds_items (id, h, s, b) VALUES ($1, $2, $3, $4)", it.id,
			pgvector.NewHalfVector(it.h), pgvector.NewSparseVectorFromMap(it.s, 5), pgtype.Bits{Bytes: []byte{it.b}, Len: 4, Valid: true})
		if err != nil {
			t.Fatalf("insert %d: %v", it.id, err)
		}
	}

	for _, mode := range drvPgxModes {
		// halfvec: nearest neighbours of a halfvec parameter.
		rows, err := conn.Query(ctx, "SELECT id, h, h <-> $1 FROM pgxkinds_items ORDER BY h <-> $1, id LIMIT 3",
			mode, pgvector.NewHalfVector([]float32{1, 1, 1}))
		if err != nil {
			t.Fatalf("%v: halfvec query: %v", mode, err)
		}
		var ids []int64
		var hs [][]float32
		var dists []float64
		for rows.Next() {
			var id int64
			var h pgvector.HalfVector
			var d float64
			if err := rows.Scan(&id, &h, &d); err != nil {
				t.Fatalf("%v: %v", mode, err)
			}
			ids, hs, dists = append(ids, id), append(hs, h.Slice()), append(dists, d)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		drvWantIDs(t, mode.String()+" halfvec", ids, 1, 3, 2)
		if want := [][]float32{{1, 1, 1}, {1, 1, 2.5}, {2, 2, 2}}; !reflect.DeepEqual(hs, want) {
			t.Errorf("%v: halfvecs %v, want %v", mode, hs, want)
		}
		if want := []float64{0, 1.5, math.Sqrt(3)}; len(dists) != 3 || dists[0] != want[0] || dists[1] != want[1] || math.Abs(dists[2]-want[2]) > 1e-12 {
			t.Errorf("%v: halfvec distances %v, want %v", mode, dists, want)
		}

		// sparsevec: inner product with a sparsevec parameter.
		rows, err = conn.Query(ctx, "SELECT id, s, s <#> $1 FROM pgxkinds_items ORDER BY s <#> $1, id",
			mode, pgvector.NewSparseVectorFromMap(map[int32]float32{0: 3, 1: -1}, 5))
		if err != nil {
			t.Fatalf("%v: sparsevec query: %v", mode, err)
		}
		ids, dists = nil, nil
		var ss []pgvector.SparseVector
		for rows.Next() {
			var id int64
			var s pgvector.SparseVector
			var d float64
			if err := rows.Scan(&id, &s, &d); err != nil {
				t.Fatalf("%v: %v", mode, err)
			}
			ids, ss, dists = append(ids, id), append(ss, s), append(dists, d)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		drvWantIDs(t, mode.String()+" sparsevec", ids, 1, 2, 3)
		if want := []float64{-3, -2, 0}; !reflect.DeepEqual(dists, want) {
			t.Errorf("%v: sparsevec distances %v, want %v", mode, dists, want)
		}
		if len(ss) == 3 && (ss[0].Dimensions() != 5 || !reflect.DeepEqual(ss[0].Indices(), []int32{0, 4}) ||
			!reflect.DeepEqual(ss[1].Values(), []float32{-2}) || !reflect.DeepEqual(ss[2].Indices(), []int32{3})) {
			t.Errorf("%v: sparsevecs %v", mode, ss)
		}

		// bit: Hamming distance to a bit parameter.
		var bitIDs []int64
		var bits []pgtype.Bits
		rows, err = conn.Query(ctx, "SELECT id, b FROM pgxkinds_items ORDER BY b <~> $1, id", mode,
			pgtype.Bits{Bytes: []byte{0b1110_0000}, Len: 4, Valid: true})
		if err != nil {
			t.Fatalf("%v: bit query: %v", mode, err)
		}
		for rows.Next() {
			var id int64
			var b pgtype.Bits
			if err := rows.Scan(&id, &b); err != nil {
				t.Fatalf("%v: %v", mode, err)
			}
			bitIDs, bits = append(bitIDs, id), append(bits, b)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		drvWantIDs(t, mode.String()+" bit", bitIDs, 1, 2, 3)
		if len(bits) == 3 && (bits[0].Len != 4 || bits[0].Bytes[0] != 0b1100_0000 || bits[2].Bytes[0] != 0b0011_0000) {
			t.Errorf("%v: bits %v", mode, bits)
		}
	}

	// (pgvector-go 0.3 cannot parse the text of a sparsevec without
	// elements, {}/5, so the rows above all have one.)

	// CopyFrom sends both in binary.
	copyRows := [][]any{
		{int64(10), pgvector.NewHalfVector([]float32{0.5, -1.25, 65504}), pgvector.NewSparseVectorFromMap(map[int32]float32{2: 1.5}, 5)},
		{int64(11), nil, nil},
	}
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{"pgxkinds_items"}, []string{"id", "h", "s"}, pgx.CopyFromRows(copyRows))
	if err != nil || copied != 2 {
		t.Fatalf("CopyFrom: %d, %v", copied, err)
	}
	var ht, st string
	if err := conn.QueryRow(ctx, "SELECT h::text, s::text FROM pgxkinds_items WHERE id = 10").Scan(&ht, &st); err != nil ||
		ht != "[0.5,-1.25,65504]" || st != "{3:1.5}/5" {
		t.Errorf("copied: %q %q, %v", ht, st, err)
	}

	// halfvec[] travels in binary too.
	arr := []pgvector.HalfVector{pgvector.NewHalfVector([]float32{1, 2}), pgvector.NewHalfVector([]float32{0.099975586})}
	if _, err := conn.Exec(ctx, "UPDATE pgxkinds_items SET hs = $1 WHERE id = 1", arr); err != nil {
		t.Fatalf("update halfvec[]: %v", err)
	}
	var gotArr []pgvector.HalfVector
	if err := conn.QueryRow(ctx, "SELECT hs FROM pgxkinds_items WHERE id = 1").Scan(&gotArr); err != nil ||
		len(gotArr) != 2 || !reflect.DeepEqual(gotArr[1].Slice(), []float32{0.099975586}) {
		t.Errorf("halfvec[]: %v, %v", gotArr, err)
	}

	// Values the column or the type refuses, sent in binary.
	_, err = conn.Exec(ctx, "INSERT INTO pgxkinds_items (id, h) VALUES (20, $1)", pgvector.NewHalfVector([]float32{1, 2}))
	if pe := drvWantCode(t, "binary halfvec of 2 dimensions", err, "22000"); pe != nil && pe.Message != "expected 3 dimensions, not 2" {
		t.Errorf("message %q", pe.Message)
	}
	_, err = conn.Exec(ctx, "INSERT INTO pgxkinds_items (id, s) VALUES (20, $1)", pgvector.NewSparseVectorFromMap(map[int32]float32{0: 1}, 4))
	if pe := drvWantCode(t, "binary sparsevec of 4 dimensions", err, "22000"); pe != nil && pe.Message != "expected 5 dimensions, not 4" {
		t.Errorf("message %q", pe.Message)
	}
	_, err = conn.Exec(ctx, "INSERT INTO pgxkinds_items (id, b) VALUES (20, $1)", pgtype.Bits{Bytes: []byte{0xff}, Len: 3, Valid: true})
	if pe := drvWantCode(t, "binary bit of 3 bits", err, "22026"); pe != nil && pe.Message != "bit string length 3 does not match type bit(4)" {
		t.Errorf("message %q", pe.Message)
	}
}
