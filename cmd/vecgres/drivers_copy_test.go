package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// copyBinary builds a COPY BINARY stream: the signature, rows of
// (int4, text, vector) fields (a nil field is NULL), and the trailer.
// fields overrides the field count of each row when not zero.
func copyBinary(rows [][]any, fields int16) []byte {
	var b bytes.Buffer
	b.WriteString("PGCOPY\n\xff\r\n\x00")
	binary.Write(&b, binary.BigEndian, int32(0)) // flags
	binary.Write(&b, binary.BigEndian, int32(0)) // header extension
	for _, row := range rows {
		n := int16(len(row))
		if fields != 0 {
			n = fields
		}
		binary.Write(&b, binary.BigEndian, n)
		for _, v := range row {
			var field []byte
			switch v := v.(type) {
			case nil:
				binary.Write(&b, binary.BigEndian, int32(-1))
				continue
			case int32:
				field = binary.BigEndian.AppendUint32(nil, uint32(v))
			case string:
				field = []byte(v)
			case []float32:
				field = binary.BigEndian.AppendUint16(nil, uint16(len(v)))
				field = binary.BigEndian.AppendUint16(field, 0)
				for _, f := range v {
					field = binary.BigEndian.AppendUint32(field, math.Float32bits(f))
				}
			}
			binary.Write(&b, binary.BigEndian, int32(len(field)))
			b.Write(field)
		}
	}
	binary.Write(&b, binary.BigEndian, int16(-1))
	return b.Bytes()
}

// TestDriverCopy moves rows with COPY FROM STDIN in text, CSV and binary
// and COPY TO STDOUT, through pgconn's CopyFrom and CopyTo. A COPY with a
// bad row fails whole, naming the row's line in CONTEXT (the 'W' field),
// and leaves nothing behind.
func TestDriverCopy(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvExec(t, ctx, conn, "CREATE EXTENSION IF NOT EXISTS vector", "DROP TABLE IF EXISTS copy_t",
		"CREATE TABLE copy_t (id int PRIMARY KEY, name text, embedding vector(3))")
	pc := conn.PgConn()

	contents := func() string {
		t.Helper()
		var out bytes.Buffer
		if _, err := pc.CopyTo(ctx, &out, "COPY copy_t TO STDOUT"); err != nil {
			t.Fatalf("COPY TO: %v", err)
		}
		return out.String()
	}

	loads := []struct {
		name, copy, data, tag string
	}{
		{"text", "COPY copy_t FROM STDIN",
			"1\tone\t[1,2,3]\n2\t\\N\t\\N\n3\ttab\\there\\\\\t[0.5,-1,1e-3]\n", "COPY 3"},
		{"text without the last newline, end marker", "COPY copy_t (id, name) FROM STDIN (FORMAT text)",
			"4\tfour\n5\tfive\n\\.\n", "COPY 2"},
		{"csv with header, quotes and NULLs", "COPY copy_t FROM STDIN WITH (FORMAT csv, HEADER true)",
			"id,name,embedding\n6,\"a, \"\"b\"\"\",\"[1,1,1]\"\n7,,\n8,\"\",\"[2,2,2]\"\n", "COPY 3"},
		{"csv with a column list and options", "COPY copy_t (embedding, id) FROM STDIN WITH (FORMAT csv, DELIMITER ';', NULL 'none')",
			"\"[3,3,3]\";9\nnone;10\n", "COPY 2"},
		{"binary", "COPY copy_t FROM STDIN (FORMAT binary)",
			string(copyBinary([][]any{{int32(11), "bin", []float32{1, 0, -1}}, {int32(12), nil, nil}}, 0)), "COPY 2"},
	}
	for _, l := range loads {
		tag, err := pc.CopyFrom(ctx, strings.NewReader(l.data), l.copy)
		if err != nil || tag.String() != l.tag {
			t.Errorf("%s: %v, %v, want %s", l.name, tag, err, l.tag)
		}
	}
	want := "1\tone\t[1,2,3]\n2\t\\N\t\\N\n3\ttab\\there\\\\\t[0.5,-1,0.001]\n4\tfour\t\\N\n5\tfive\t\\N\n" +
		"6\ta, \"b\"\t[1,1,1]\n7\t\\N\t\\N\n8\t\t[2,2,2]\n9\t\\N\t[3,3,3]\n10\t\\N\t\\N\n11\tbin\t[1,0,-1]\n12\t\\N\t\\N\n"
	before := contents()
	if before != want {
		t.Errorf("table after the loads:\n%s\nwant:\n%s", before, want)
	}

	failures := []struct {
		name, copy, data     string
		code, message, where string
	}{
		{"bad integer", "COPY copy_t FROM STDIN", "20\ta\t[1,1,1]\nx\tb\t[1,1,1]\n",
			"22P02", `invalid input syntax for type integer: "x"`, `COPY copy_t, line 2, column id: "x"`},
		{"wrong dimensions", "COPY copy_t FROM STDIN", "20\ta\t[1,1,1]\n21\tb\t[1,1,1]\n22\tc\t[1,2]\n",
			"22000", "expected 3 dimensions, not 2", `COPY copy_t, line 3, column embedding: "[1,2]"`},
		{"missing column", "COPY copy_t FROM STDIN", "20\ta\n",
			"22P04", `missing data for column "embedding"`, "COPY copy_t, line 1: \"20\ta\""},
		{"extra column", "COPY copy_t FROM STDIN", "20\ta\t[1,1,1]\tmore\n",
			"22P04", "extra data after last expected column", "COPY copy_t, line 1: \"20\ta\t[1,1,1]\tmore\""},
		{"duplicate key", "COPY copy_t FROM STDIN", "20\ta\t\\N\n1\tb\t\\N\n",
			"23505", `duplicate key value violates unique constraint "copy_t_pkey"`, "COPY copy_t, line 2"},
		{"duplicate key within the COPY", "COPY copy_t (id) FROM STDIN", "20\n21\n20\n",
			"23505", `duplicate key value violates unique constraint "copy_t_pkey"`, "COPY copy_t, line 3"},
		{"unterminated CSV quote", "COPY copy_t FROM STDIN (FORMAT csv)", "20,a,\"[1,1,1]\n",
			"22P04", "unterminated CSV quoted field", "COPY copy_t, line 1: \"20,a,\"[1,1,1]\n\""},
		{"binary field count", "COPY copy_t FROM STDIN (FORMAT binary)",
			string(copyBinary([][]any{{int32(20), "a", nil}, {int32(21), "b"}}, 0)),
			"22P04", "row field count is 2, expected 3", "COPY copy_t, line 2"},
		{"binary vector", "COPY copy_t FROM STDIN (FORMAT binary)",
			string(copyBinary([][]any{{int32(20), "a", []float32{1, 2}}}, 0)),
			"22000", "expected 3 dimensions, not 2", "COPY copy_t, line 1, column embedding"},
		{"NOT NULL column list", "COPY copy_t (name) FROM STDIN", "a\n",
			"23502", `null value in column "id" of relation "copy_t" violates not-null constraint`, "COPY copy_t, line 1: \"a\""},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			_, err := pc.CopyFrom(ctx, strings.NewReader(f.data), f.copy)
			if pe := drvWantCode(t, f.name, err, f.code); pe != nil {
				if pe.Message != f.message {
					t.Errorf("message %q, want %q", pe.Message, f.message)
				}
				if pe.Where != f.where {
					t.Errorf("CONTEXT %q, want %q", pe.Where, f.where)
				}
			}
			if got := contents(); got != before {
				t.Errorf("the failed COPY left rows behind:\n%s", got)
			}
		})
	}

	t.Run("client CopyFail", func(t *testing.T) {
		r := &failingReader{data: "30\ta\t\\N\n", err: errors.New("the client gave up")}
		_, err := pc.CopyFrom(ctx, r, "COPY copy_t FROM STDIN")
		if pe := drvWantCode(t, "CopyFail", err, "57014"); pe != nil && pe.Message != "COPY from stdin failed: the client gave up" {
			t.Errorf("message %q", pe.Message)
		}
		if got := contents(); got != before {
			t.Errorf("the failed COPY left rows behind:\n%s", got)
		}
	})

	t.Run("in a transaction", func(t *testing.T) {
		drvExec(t, ctx, conn, "BEGIN")
		if _, err := pc.CopyFrom(ctx, strings.NewReader("40\tin tx\t\\N\n"), "COPY copy_t FROM STDIN"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM copy_t WHERE id = 40").Scan(&n); err != nil || n != 1 {
			t.Errorf("own COPY in the transaction: %d, %v", n, err)
		}
		_, err := pc.CopyFrom(ctx, strings.NewReader("x\n"), "COPY copy_t (id) FROM STDIN")
		drvWantCode(t, "bad row in a transaction", err, "22P02")
		if s := drvTxStatus(conn); s != 'E' {
			t.Errorf("status %c after a failed COPY in a transaction", s)
		}
		drvExec(t, ctx, conn, "ROLLBACK")
		if got := contents(); got != before {
			t.Errorf("rolled back COPY left rows behind:\n%s", got)
		}
	})

	t.Run("COPY TO", func(t *testing.T) {
		for _, tc := range []struct{ copy, want string }{
			{"COPY copy_t (id, embedding) TO STDOUT WITH (FORMAT csv, HEADER)",
				"id,embedding\n1,\"[1,2,3]\"\n2,\n3,\"[0.5,-1,0.001]\"\n4,\n5,\n6,\"[1,1,1]\"\n7,\n8,\"[2,2,2]\"\n9,\"[3,3,3]\"\n10,\n11,\"[1,0,-1]\"\n12,\n"},
			{"COPY (SELECT id, name FROM copy_t WHERE id < 4 ORDER BY id DESC) TO STDOUT",
				"3\ttab\\there\\\\\n2\t\\N\n1\tone\n"},
			{"COPY (SELECT name FROM copy_t WHERE id IN (6, 7, 8) ORDER BY id) TO STDOUT (FORMAT csv)",
				"\"a, \"\"b\"\"\"\n\n\"\"\n"},
			{"COPY (SELECT id, embedding FROM copy_t WHERE id IN (11, 12) ORDER BY id) TO STDOUT (FORMAT binary)",
				string(copyBinaryTwo())},
		} {
			var out bytes.Buffer
			tag, err := pc.CopyTo(ctx, &out, tc.copy)
			if err != nil {
				t.Errorf("%s: %v", tc.copy, err)
				continue
			}
			if out.String() != tc.want {
				t.Errorf("%s:\n%q\nwant\n%q", tc.copy, out.String(), tc.want)
			}
			if !strings.HasPrefix(tag.String(), "COPY ") {
				t.Errorf("%s: tag %q", tc.copy, tag)
			}
		}
	})

	t.Run("pgx CopyFrom", func(t *testing.T) {
		n, err := conn.CopyFrom(ctx, pgx.Identifier{"copy_t"}, []string{"id", "name"},
			pgx.CopyFromRows([][]any{{int32(50), "a"}, {int32(51), nil}, {int32(1), "duplicate"}}))
		if drvWantCode(t, "pgx CopyFrom with a duplicate", err, "23505") != nil && n != 0 {
			t.Errorf("copied %d", n)
		}
		if got := contents(); got != before {
			t.Errorf("the failed COPY left rows behind:\n%s", got)
		}
	})
}

// copyBinaryTwo is COPY BINARY of rows (11, [1,0,-1]) and (12, NULL) as
// (int4, vector).
func copyBinaryTwo() []byte {
	b := copyBinary([][]any{{int32(11), []float32{1, 0, -1}}, {int32(12), nil}}, 0)
	return b
}

// failingReader returns its data, then its error: pgconn then sends
// CopyFail with the error's text.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}
