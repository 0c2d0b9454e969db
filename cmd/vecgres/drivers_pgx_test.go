package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// drvPgxModes are pgx's ways of running a query: prepared and cached, the
// extended protocol with and without a Describe of its own, and the simple
// protocol with client-side interpolation.
var drvPgxModes = []pgx.QueryExecMode{
	pgx.QueryExecModeCacheStatement,
	pgx.QueryExecModeCacheDescribe,
	pgx.QueryExecModeDescribeExec,
	pgx.QueryExecModeExec,
	pgx.QueryExecModeSimpleProtocol,
}

// TestDriverPgxScenario runs the application scenario with pgx in every
// query mode, vectors passed as text (pgx knows nothing of the type).
func TestDriverPgxScenario(t *testing.T) {
	url := drvTarget(t)
	for _, mode := range drvPgxModes {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := drvContext(t)
			conn := drvConnect(t, ctx, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = mode })
			table := "pgx_items_" + strings.ReplaceAll(mode.String(), " ", "_")
			drvExec(t, ctx, conn,
				"CREATE EXTENSION IF NOT EXISTS vector",
				"DROP TABLE IF EXISTS "+table,
				"CREATE TABLE "+table+" (id bigserial PRIMARY KEY, name text NOT NULL, embedding vector(3))")
			for _, it := range drvItems {
				tag, err := conn.Exec(ctx, "INSERT INTO "+table+" (name, embedding) VALUES ($1, $2)", it.name, drvVectorText(it.vec))
				if err != nil || tag.String() != "INSERT 0 1" {
					t.Fatalf("insert %s: %v, %v", it.name, tag, err)
				}
			}
			knn := func() []int64 {
				t.Helper()
				rows, err := conn.Query(ctx, "SELECT id FROM "+table+" ORDER BY embedding <-> $1 LIMIT $2", "[1,1,1]", 5)
				if err != nil {
					t.Fatal(err)
				}
				ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
				if err != nil {
					t.Fatal(err)
				}
				return ids
			}
			drvWantIDs(t, "nearest neighbours", knn(), 1, 3, 2)

			var name, emb string
			var dist float64
			err := conn.QueryRow(ctx, "SELECT name, embedding::text, embedding <=> $1 FROM "+table+" WHERE id = $2", "[1,1,2]", 3).Scan(&name, &emb, &dist)
			if err != nil || name != "three" || emb != "[1,1,2]" || dist > 1e-6 {
				t.Errorf("row 3: %q %q %v, %v", name, emb, dist, err)
			}

			tag, err := conn.Exec(ctx, "UPDATE "+table+" SET embedding = $1 WHERE id = $2", "[9,9,9]", 1)
			if err != nil || tag.RowsAffected() != 1 {
				t.Fatalf("update: %v, %v", tag, err)
			}
			drvWantIDs(t, "after update", knn(), 3, 2, 1)
			tag, err = conn.Exec(ctx, "DELETE FROM "+table+" WHERE id = $1", 3)
			if err != nil || tag.String() != "DELETE 1" {
				t.Fatalf("delete: %v, %v", tag, err)
			}
			drvWantIDs(t, "after delete", knn(), 2, 1)

			var n int64
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE name = $1 OR name = $2", "one", "two").Scan(&n); err != nil || n != 2 {
				t.Errorf("count: %d, %v", n, err)
			}
			_, err = conn.Exec(ctx, "INSERT INTO "+table+" (id, name) VALUES ($1, $2)", 2, "dup")
			drvWantCode(t, "duplicate key", err, "23505")
			_, err = conn.Exec(ctx, "INSERT INTO "+table+" (name, embedding) VALUES ($1, $2)", "bad", "[1,2]")
			drvWantCode(t, "wrong dimensions", err, "22000")
		})
	}
}

// TestDriverPgvectorGoPgx uses pgvector-go's pgx support: the vector
// type found by name (pgxvec.RegisterTypes), then sent and received in
// binary, in queries, batches and CopyFrom.
func TestDriverPgvectorGoPgx(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "CREATE EXTENSION IF NOT EXISTS vector")
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		t.Fatalf("RegisterTypes: %v", err)
	}
	drvExec(t, ctx, conn,
		"DROP TABLE IF EXISTS pgxvec_items",
		"CREATE TABLE pgxvec_items (id bigserial PRIMARY KEY, embedding vector(3), embeddings vector[])")

	batch := &pgx.Batch{}
	for _, it := range drvItems {
		batch.Queue("INSERT INTO pgxvec_items (embedding) VALUES ($1) RETURNING id", pgvector.NewVector(it.vec))
	}
	batch.Queue("SELECT count(*) FROM pgxvec_items")
	br := conn.SendBatch(ctx, batch)
	for i := range drvItems {
		var id int64
		if err := br.QueryRow().Scan(&id); err != nil || id != int64(i+1) {
			t.Errorf("batched insert %d: id %d, %v", i, id, err)
		}
	}
	var n int64
	if err := br.QueryRow().Scan(&n); err != nil || n != 3 {
		t.Errorf("batched count: %d, %v", n, err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}

	for _, mode := range drvPgxModes {
		rows, err := conn.Query(ctx, "SELECT id, embedding, embedding <-> $1 FROM pgxvec_items ORDER BY embedding <-> $1 LIMIT $2",
			mode, pgvector.NewVector([]float32{1, 1, 1}), 3)
		if err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		var ids []int64
		var vecs [][]float32
		var dists []float64
		for rows.Next() {
			var id int64
			var v pgvector.Vector
			var d float64
			if err := rows.Scan(&id, &v, &d); err != nil {
				t.Fatalf("%v: %v", mode, err)
			}
			ids, vecs, dists = append(ids, id), append(vecs, v.Slice()), append(dists, d)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		drvWantIDs(t, mode.String(), ids, 1, 3, 2)
		if want := [][]float32{{1, 1, 1}, {1, 1, 2}, {2, 2, 2}}; !reflect.DeepEqual(vecs, want) {
			t.Errorf("%v: vectors %v, want %v", mode, vecs, want)
		}
		if want := []float64{0, 1, math.Sqrt(3)}; len(dists) != 3 || dists[0] != want[0] || dists[1] != want[1] || math.Abs(dists[2]-want[2]) > 1e-6 {
			t.Errorf("%v: distances %v, want %v", mode, dists, want)
		}
	}

	// CopyFrom sends vectors in pgvector's binary layout.
	rows := [][]any{
		{int64(10), pgvector.NewVector([]float32{0.5, -1.25, 3e-7})},
		{int64(11), nil},
		{int64(12), pgvector.NewVector([]float32{float32(math.MaxFloat32), 0, -0})},
	}
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{"pgxvec_items"}, []string{"id", "embedding"}, pgx.CopyFromRows(rows))
	if err != nil || copied != 3 {
		t.Fatalf("CopyFrom: %d, %v", copied, err)
	}
	var got pgvector.Vector
	if err := conn.QueryRow(ctx, "SELECT embedding FROM pgxvec_items WHERE id = $1", 10).Scan(&got); err != nil ||
		!reflect.DeepEqual(got.Slice(), []float32{0.5, -1.25, 3e-7}) {
		t.Errorf("copied vector: %v, %v", got, err)
	}
	var text string
	if err := conn.QueryRow(ctx, "SELECT embedding::text FROM pgxvec_items WHERE id = 12").Scan(&text); err != nil || text != "[3.4028235e+38,0,0]" {
		t.Errorf("copied vector as text: %q, %v", text, err)
	}

	// Arrays of vectors travel in binary too.
	arr := []pgvector.Vector{pgvector.NewVector([]float32{1, 2, 3}), pgvector.NewVector([]float32{4, 5, 6})}
	if _, err := conn.Exec(ctx, "UPDATE pgxvec_items SET embeddings = $1 WHERE id = $2", arr, 1); err != nil {
		t.Fatalf("update vector[]: %v", err)
	}
	var gotArr []pgvector.Vector
	if err := conn.QueryRow(ctx, "SELECT embeddings FROM pgxvec_items WHERE id = 1").Scan(&gotArr); err != nil ||
		len(gotArr) != 2 || !reflect.DeepEqual(gotArr[1].Slice(), []float32{4, 5, 6}) {
		t.Errorf("vector[]: %v, %v", gotArr, err)
	}

	// A vector of the wrong dimension is refused by the column.
	_, err = conn.Exec(ctx, "INSERT INTO pgxvec_items (embedding) VALUES ($1)", pgvector.NewVector([]float32{1, 2}))
	if pe := drvWantCode(t, "binary vector of 2 dimensions", err, "22000"); pe != nil && pe.Message != "expected 3 dimensions, not 2" {
		t.Errorf("message %q", pe.Message)
	}
}

// TestDriverVectorBinaryLayout checks pgvector's binary layout byte by
// byte in both directions: uint16 dimensions, uint16 unused, float4s, all
// big-endian.
func TestDriverVectorBinaryLayout(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "CREATE EXTENSION IF NOT EXISTS vector")
	pc := conn.PgConn()
	wire, _ := hex.DecodeString("00030000" + "3f800000" + "c0000000" + "40490fdb")

	res := pc.ExecParams(ctx, "SELECT '[1,-2,3.1415927]'::vector", nil, nil, nil, []int16{1}).Read()
	if res.Err != nil || len(res.Rows) != 1 || !bytes.Equal(res.Rows[0][0], wire) {
		t.Fatalf("binary output: %x, %v", res.Rows, res.Err)
	}
	oid := res.FieldDescriptions[0].DataTypeOID
	if res.FieldDescriptions[0].Format != 1 || res.FieldDescriptions[0].DataTypeSize != -1 {
		t.Errorf("field: %+v, want binary of a varlena", res.FieldDescriptions[0])
	}

	res = pc.ExecParams(ctx, "SELECT $1::vector::text, vector_dims($1)", [][]byte{wire}, []uint32{oid}, []int16{1}, nil).Read()
	if res.Err != nil || len(res.Rows) != 1 || string(res.Rows[0][0]) != "[1,-2,3.1415927]" || string(res.Rows[0][1]) != "3" {
		t.Errorf("binary input: %q, %v", res.Rows, res.Err)
	}

	// Parameter types left to the server are inferred from the operator.
	res = pc.ExecParams(ctx, "SELECT $1 <-> '[0,0,0]'::vector", [][]byte{wire}, nil, []int16{1}, nil).Read()
	if res.Err != nil || len(res.Rows) != 1 {
		t.Errorf("inferred binary vector parameter: %q, %v", res.Rows, res.Err)
	}

	for _, bad := range []struct{ name, hex, code string }{
		{"unused field set", "00010001" + "3f800000", "22000"},
		{"short", "00020000" + "3f800000", "08P01"},
		{"NaN", "00010000" + "7fc00000", "22000"},
		{"infinity", "00010000" + "7f800000", "22000"},
		{"no dimensions", "00000000", "22000"},
	} {
		b, _ := hex.DecodeString(bad.hex)
		res = pc.ExecParams(ctx, "SELECT $1::vector::text", [][]byte{b}, []uint32{oid}, []int16{1}, nil).Read()
		if drvCode(res.Err) != bad.code {
			t.Errorf("%s: %v, want SQLSTATE %s", bad.name, res.Err, bad.code)
		}
	}
}

// TestDriverPgxTypes round-trips a value of every type vecgres stores
// through pgx: sent as a parameter and received as a result, in binary
// (the extended protocol with pgx's preferred formats), in text (the same
// with text forced) and through the simple protocol.
func TestDriverPgxTypes(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "CREATE EXTENSION IF NOT EXISTS vector", "SET TimeZone = 'UTC'")
	drvRegisterVector(t, ctx, conn)
	ts := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	tests := []struct {
		typ  string
		in   any
		out  any // a pointer to scan into
		want any
	}{
		{"boolean", true, new(bool), true},
		{"smallint", int16(-32768), new(int16), int16(-32768)},
		{"integer", int32(2147483647), new(int32), int32(2147483647)},
		{"bigint", int64(-9223372036854775808), new(int64), int64(-9223372036854775808)},
		{"real", float32(1.5e-7), new(float32), float32(1.5e-7)},
		{"double precision", 0.1, new(float64), 0.1},
		{"double precision", math.Inf(-1), new(float64), math.Inf(-1)},
		{"numeric", "12345678901234567890.000123", new(string), "12345678901234567890.000123"},
		{"numeric", pgtype.Numeric{Int: big.NewInt(-15), Exp: -1, Valid: true}, new(float64), -1.5},
		{"text", "héllo\tworld", new(string), "héllo\tworld"},
		{"varchar(10)", "abc", new(string), "abc"},
		{"bytea", []byte{0, 1, 0xfe, 0xff}, new([]byte), []byte{0, 1, 0xfe, 0xff}},
		{"date", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), new(time.Time), time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"timestamp", ts, new(time.Time), ts},
		{"timestamptz", ts, new(time.Time), ts},
		{"jsonb", `{"a": [1, "x"]}`, new(map[string]any), map[string]any{"a": []any{1.0, "x"}}},
		{"json", `{"b":null}`, new(string), `{"b":null}`},
		{"integer[]", []int32{1, -2, 3}, new([]int32), []int32{1, -2, 3}},
		{"bigint[]", []int64{1, 1 << 40}, new([]int64), []int64{1, 1 << 40}},
		{"text[]", []string{"a", "b c", `"q"`}, new([]string), []string{"a", "b c", `"q"`}},
		{"double precision[]", []float64{0.5, -2}, new([]float64), []float64{0.5, -2}},
		{"real[]", []float32{0.25}, new([]float32), []float32{0.25}},
		{"boolean[]", []bool{true, false}, new([]bool), []bool{true, false}},
		{"vector", pgvector.NewVector([]float32{1, 0.5, -3}), new(pgvector.Vector), pgvector.NewVector([]float32{1, 0.5, -3})},
		{"char(3)", "ab", new(string), "ab "},
		{"name", "a_name", new(string), "a_name"},
		{"oid", uint32(4000000000), new(uint32), uint32(4000000000)},
		{"smallint[]", []int16{-1, 2}, new([]int16), []int16{-1, 2}},
		{"numeric[]", []string{"1.5", "NaN"}, new([]string), []string{"1.5", "NaN"}},
		{"numeric", "NaN", new(string), "NaN"},
		{"numeric", "-0.000000000000000000001", new(string), "-0.000000000000000000001"},
		{"double precision", math.NaN(), new(float64), "NaN"},
		{"real", float32(math.Inf(1)), new(float32), float32(math.Inf(1))},
		{"timestamptz", pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}, new(pgtype.Timestamptz),
			pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}},
		{"date", pgtype.Date{InfinityModifier: pgtype.NegativeInfinity, Valid: true}, new(pgtype.Date),
			pgtype.Date{InfinityModifier: pgtype.NegativeInfinity, Valid: true}},
		{"timestamptz[]", []time.Time{ts}, new([]time.Time), []time.Time{ts}},
		{"jsonb[]", []string{`{"a": 1}`, `[]`}, new([]string), []string{`{"a": 1}`, `[]`}},
		{"text", "", new(string), ""},
		{"bytea", []byte{}, new([]byte), []byte{}},
	}
	formats := []struct {
		name string
		args []any
	}{
		{"binary", nil},
		{"text results", []any{pgx.QueryResultFormats{pgx.TextFormatCode}}},
		{"simple protocol", []any{pgx.QueryExecModeSimpleProtocol}},
	}
	for _, tc := range tests {
		for _, f := range formats {
			t.Run(tc.typ+"/"+f.name, func(t *testing.T) {
				args := append(append([]any{}, f.args...), tc.in)
				out := reflect.New(reflect.TypeOf(tc.out).Elem())
				if err := conn.QueryRow(ctx, "SELECT $1::"+tc.typ, args...).Scan(out.Interface()); err != nil {
					t.Fatal(err)
				}
				got := out.Elem().Interface()
				switch g := got.(type) {
				case time.Time:
					got = g.UTC()
				case []time.Time:
					for i := range g {
						g[i] = g[i].UTC()
					}
				case float64:
					if math.IsNaN(g) {
						got = "NaN"
					}
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got %#v, want %#v", got, tc.want)
				}
				// NULL in, NULL out.
				var null any = "x"
				if err := conn.QueryRow(ctx, "SELECT $1::"+tc.typ, append(append([]any{}, f.args...), nil)...).Scan(&null); err != nil || null != nil {
					t.Errorf("NULL: %v, %v", null, err)
				}
			})
		}
	}
}

// TestDriverPgxBatch sends a batch (many Parse/Bind/Execute before one
// Sync) that fails halfway: the statements before the error took effect
// in one implicit transaction that the error rolls back, and the
// connection is usable afterwards.
func TestDriverPgxBatch(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "DROP TABLE IF EXISTS pgx_batch", "CREATE TABLE pgx_batch (id int PRIMARY KEY, note text)")

	b := &pgx.Batch{}
	b.Queue("INSERT INTO pgx_batch VALUES ($1, $2)", 1, "a")
	b.Queue("INSERT INTO pgx_batch VALUES ($1, $2)", 2, "b")
	b.Queue("SELECT note FROM pgx_batch ORDER BY id")
	br := conn.SendBatch(ctx, b)
	for i := 0; i < 2; i++ {
		if _, err := br.Exec(); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := br.Query()
	if err != nil {
		t.Fatal(err)
	}
	notes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || fmt.Sprint(notes) != "[a b]" {
		t.Errorf("notes %v, %v", notes, err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}

	b = &pgx.Batch{}
	b.Queue("INSERT INTO pgx_batch VALUES ($1, $2)", 3, "c")
	b.Queue("INSERT INTO pgx_batch VALUES ($1, $2)", 1, "duplicate")
	b.Queue("INSERT INTO pgx_batch VALUES ($1, $2)", 4, "d")
	br = conn.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		t.Fatal(err)
	}
	_, err = br.Exec()
	drvWantCode(t, "duplicate in batch", err, "23505")
	br.Close()

	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pgx_batch").Scan(&n); err != nil || n != 2 {
		t.Errorf("rows after the failed batch: %d, %v (want 2: the batch is one transaction)", n, err)
	}
}

// TestDriverPgxPortalRowLimit reads a result in pieces through a named
// portal (Execute with a row limit, PortalSuspended, Execute again),
// which pgconn exposes as a cursor-like loop over ExecPrepared's reader.
func TestDriverPgxPortalRowLimit(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "DROP TABLE IF EXISTS pgx_portal", "CREATE TABLE pgx_portal (i int)",
		"INSERT INTO pgx_portal VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)")
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// DECLARE/FETCH is what applications use; the wire form beneath is
	// the portal with a row limit, tested message by message in
	// testdata/wire/extended.wire.
	var got []int32
	rows, err := tx.Query(ctx, "SELECT i FROM pgx_portal WHERE i > $1 ORDER BY i", 3)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var i int32
		if err := rows.Scan(&i); err != nil {
			t.Fatal(err)
		}
		got = append(got, i)
	}
	if err := rows.Err(); err != nil || fmt.Sprint(got) != "[4 5 6 7 8 9 10]" {
		t.Errorf("rows %v, %v", got, err)
	}
}

// TestDriverPgconnPipeline uses pgconn's pipeline: prepared statements
// described and executed with Flush between them, and one Sync at the
// end, so that the server must answer messages before a Sync arrives.
func TestDriverPgconnPipeline(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "DROP TABLE IF EXISTS pgx_pipe", "CREATE TABLE pgx_pipe (id bigint, v vector(2))")
	pc := conn.PgConn()
	p := pc.StartPipeline(ctx)
	p.SendPrepare("ins", "INSERT INTO pgx_pipe VALUES ($1, $2)", nil)
	p.SendPrepare("q", "SELECT id FROM pgx_pipe ORDER BY v <-> $1 LIMIT $2", nil)
	p.SendFlushRequest()
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ins", "q"} {
		res, err := p.GetResults()
		if err != nil {
			t.Fatal(err)
		}
		sd, ok := res.(*pgconn.StatementDescription)
		if !ok {
			t.Fatalf("%s: got %T", name, res)
		}
		if name == "q" && (len(sd.ParamOIDs) != 2 || sd.ParamOIDs[1] != 20 || len(sd.Fields) != 1 || sd.Fields[0].DataTypeOID != 20) {
			t.Errorf("q described as params %v fields %+v", sd.ParamOIDs, sd.Fields)
		}
	}
	for i := 0; i < 3; i++ {
		p.SendQueryPrepared("ins", [][]byte{[]byte(fmt.Sprint(i)), []byte(fmt.Sprintf("[%d,0]", i))}, nil, nil)
	}
	p.SendQueryPrepared("q", [][]byte{[]byte("[2,0]"), []byte("2")}, nil, nil)
	if err := p.Sync(); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for {
		res, err := p.GetResults()
		if err != nil {
			t.Fatal(err)
		}
		if res == nil {
			t.Fatal("pipeline ended before its Sync")
		}
		if _, ok := res.(*pgconn.PipelineSync); ok {
			break
		}
		if rr, ok := res.(*pgconn.ResultReader); ok {
			r := rr.Read()
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			for _, row := range r.Rows {
				ids = append(ids, string(row[0]))
			}
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids) != "[2 1]" {
		t.Errorf("pipelined query: %v", ids)
	}
}

// drvRegisterVector teaches conn pgvector-go's vector codec under the OID
// that a result column of type vector reports, without the catalog
// look-up that pgxvec.RegisterTypes makes (TestDriverPgvectorGoPgx tests
// that one).
func drvRegisterVector(t *testing.T, ctx context.Context, conn *pgx.Conn) {
	t.Helper()
	res := conn.PgConn().ExecParams(ctx, "SELECT '[1]'::vector", nil, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "vector", OID: res.FieldDescriptions[0].DataTypeOID, Codec: pgxvec.VectorCodec{}})
}

// TestDriverParameterTypes prepares statements whose parameter types the
// client leaves to the server and checks what ParameterDescription says:
// the types are inferred from context, as PostgreSQL infers them.
func TestDriverParameterTypes(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "CREATE EXTENSION IF NOT EXISTS vector", "DROP TABLE IF EXISTS params_t",
		"CREATE TABLE params_t (id bigint PRIMARY KEY, name varchar(20), score real, embedding vector(3), tags text[], at timestamptz)")
	res := conn.PgConn().ExecParams(ctx, "SELECT '[1]'::vector", nil, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	names := map[uint32]string{
		16: "bool", 20: "int8", 23: "int4", 25: "text", 701: "float8", 700: "float4", 1043: "varchar", 1009: "text[]",
		1184: "timestamptz", 1700: "numeric", res.FieldDescriptions[0].DataTypeOID: "vector",
	}
	for _, tc := range []struct {
		sql  string
		want string
	}{
		{"SELECT id FROM params_t ORDER BY embedding <-> $1 LIMIT $2", "[vector int8]"},
		{"SELECT id FROM params_t WHERE id = $1", "[int8]"},
		{"SELECT id FROM params_t WHERE name = $1 AND score > $2", "[text float4]"},
		{"SELECT id FROM params_t LIMIT $1 OFFSET $2", "[int8 int8]"},
		{"INSERT INTO params_t VALUES ($1, $2, $3, $4, $5, $6)", "[int8 varchar float4 vector text[] timestamptz]"},
		{"INSERT INTO params_t (embedding, id) VALUES ($1, $2) RETURNING id", "[vector int8]"},
		{"UPDATE params_t SET embedding = $1, score = score + $2 WHERE id = $3", "[vector float4 int8]"},
		{"DELETE FROM params_t WHERE id = ANY($1)", "[int8[]]"},
		{"SELECT embedding <=> $1, $2::int FROM params_t", "[vector int4]"},
		{"SELECT $1 || 'x', $2 + 1", "[text int4]"},
		{"SELECT l2_distance(embedding, $1) FROM params_t", "[vector]"},
	} {
		names[1016] = "int8[]"
		sd, err := conn.PgConn().Prepare(ctx, "", tc.sql, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		var got []string
		for _, oid := range sd.ParamOIDs {
			name, ok := names[oid]
			if !ok {
				name = fmt.Sprint(oid)
			}
			got = append(got, name)
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%s: parameters %v, want %s", tc.sql, got, tc.want)
		}
	}
}

// TestDriverTextParameters sends parameters in text whose reading
// depends on the session: timestamptz without a zone is in the session's
// TimeZone, and reg* types name catalog objects (psycopg's TypeInfo.fetch
// sends WHERE oid = %(name)s::regtype).
func TestDriverTextParameters(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "CREATE EXTENSION IF NOT EXISTS vector", "SET TimeZone = 'Europe/Paris'")
	var ts string
	if err := conn.QueryRow(ctx, "SELECT $1::timestamptz::text", pgx.QueryExecModeExec, "2024-01-15 10:00:00").Scan(&ts); err != nil || ts != "2024-01-15 10:00:00+01" {
		t.Errorf("timestamptz in the session's zone: %q, %v", ts, err)
	}
	var oid, want uint32
	if err := conn.QueryRow(ctx, "SELECT 'vector'::regtype::oid").Scan(&want); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeExec, pgx.QueryExecModeCacheStatement} {
		if err := conn.QueryRow(ctx, "SELECT $1::regtype::oid", mode, "vector").Scan(&oid); err != nil || oid != want {
			t.Errorf("%v: regtype parameter: %d, %v, want %d", mode, oid, err, want)
		}
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_type WHERE oid = $1::regtype", "vector").Scan(&n); err != nil || n != 1 {
		t.Errorf("psycopg's type query: %d, %v", n, err)
	}
}

// TestDriverDeallocate drops prepared statements made with the protocol's
// Parse through SQL (DEALLOCATE, DEALLOCATE ALL, DISCARD ALL), as
// psycopg, pgx's DeallocateAll and connection poolers' reset queries do:
// the names are free again afterwards.
func TestDriverDeallocate(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	pc := conn.PgConn()
	prepare := func(names ...string) {
		t.Helper()
		for _, name := range names {
			if _, err := pc.Prepare(ctx, name, "SELECT $1::int + 1", nil); err != nil {
				t.Fatalf("prepare %s: %v", name, err)
			}
		}
	}
	prepare("a", "b")
	for _, tc := range []struct {
		sql, tag, code string
		again          []string // names that can be prepared again afterwards
	}{
		{"DEALLOCATE a", "DEALLOCATE", "", []string{"a"}},
		{"DEALLOCATE PREPARE b", "DEALLOCATE", "", []string{"b"}},
		{"DEALLOCATE nosuch", "", "26000", nil},
		{"DEALLOCATE ALL", "DEALLOCATE ALL", "", []string{"a", "b"}},
		{"DISCARD ALL", "DISCARD ALL", "", []string{"a", "b"}},
	} {
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
			tag, err := conn.Exec(ctx, tc.sql, mode)
			if tc.code != "" {
				drvWantCode(t, tc.sql, err, tc.code)
				continue
			}
			if err != nil || tag.String() != tc.tag {
				t.Errorf("%s (%v): %q, %v", tc.sql, mode, tag, err)
			}
			prepare(tc.again...)
		}
	}
	res := pc.ExecPrepared(ctx, "a", [][]byte{[]byte("41")}, nil, nil).Read()
	if res.Err != nil || string(res.Rows[0][0]) != "42" {
		t.Errorf("statement prepared again: %q, %v", res.Rows, res.Err)
	}
	if err := conn.DeallocateAll(ctx); err != nil {
		t.Errorf("pgx DeallocateAll: %v", err)
	}
	prepare("a")
}
