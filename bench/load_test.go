package bench

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// decodeCopyStream reads back what writeCopyStream writes.
func decodeCopyStream(t *testing.T, b []byte) (ids []int32, vectors [][]float32) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(copySignature)) {
		t.Fatalf("no signature: % x", b[:min(len(b), 16)])
	}
	b = b[len(copySignature)+8:]
	for {
		fields := int16(binary.BigEndian.Uint16(b))
		b = b[2:]
		if fields == -1 {
			if len(b) != 0 {
				t.Fatalf("%d bytes after the trailer", len(b))
			}
			return ids, vectors
		}
		if fields != 2 || binary.BigEndian.Uint32(b) != 4 {
			t.Fatalf("tuple of %d fields, id of %d bytes", fields, binary.BigEndian.Uint32(b))
		}
		ids = append(ids, int32(binary.BigEndian.Uint32(b[4:])))
		n := int(binary.BigEndian.Uint32(b[8:]))
		v := b[12 : 12+n]
		b = b[12+n:]
		dim := int(binary.BigEndian.Uint16(v))
		vec := make([]float32, dim)
		for i := range vec {
			vec[i] = math.Float32frombits(binary.BigEndian.Uint32(v[4+4*i:]))
		}
		vectors = append(vectors, vec)
	}
}

func TestWriteCopyStream(t *testing.T) {
	rows := 3000
	base := matrix[float32]{cols: 3, data: make([]float32, 3*rows)}
	for i := range base.data {
		base.data[i] = float32(i) / 7
	}
	var buf bytes.Buffer
	var sent []int
	if err := writeCopyStream(&buf, base, func(n int) { sent = append(sent, n) }); err != nil {
		t.Fatal(err)
	}
	ids, vectors := decodeCopyStream(t, buf.Bytes())
	if len(ids) != rows {
		t.Fatalf("%d tuples, want %d", len(ids), rows)
	}
	for i := range ids {
		if ids[i] != int32(i) || len(vectors[i]) != 3 || vectors[i][2] != base.row(i)[2] {
			t.Fatalf("tuple %d: id %d, vector %v; want %v", i, ids[i], vectors[i], base.row(i))
		}
	}
	if len(sent) < 2 || sent[len(sent)-1] != rows {
		t.Errorf("progress calls %v: want several, ending at %d", sent, rows)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("pipe closed") }

func TestWriteCopyStreamStopsOnError(t *testing.T) {
	base := matrix[float32]{cols: 100, data: make([]float32, 100*2000)}
	if err := writeCopyStream(failingWriter{}, base, func(int) {}); err == nil {
		t.Error("writeCopyStream into a failing writer succeeded")
	}
}

func TestIsServerError(t *testing.T) {
	if !isServerError(&pgconn.PgError{Code: "0A000"}) {
		t.Error("a PgError is a server error")
	}
	if isServerError(errors.New("connection reset")) || isServerError(nil) {
		t.Error("other errors are not")
	}
}
