package bench

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// decodeCopyStream reads back what writeCopyStream writes: tuples of
// int4 values then a vector; ints holds each tuple's int4 values.
func decodeCopyStream(t *testing.T, b []byte) (ints [][]int32, vectors [][]float32) {
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
			return ints, vectors
		}
		var tuple []int32
		for range fields - 1 {
			if n := binary.BigEndian.Uint32(b); n != 4 {
				t.Fatalf("int field of %d bytes", n)
			}
			tuple = append(tuple, int32(binary.BigEndian.Uint32(b[4:])))
			b = b[8:]
		}
		ints = append(ints, tuple)
		n := int(binary.BigEndian.Uint32(b))
		v := b[4 : 4+n]
		b = b[4+n:]
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
	for _, attr := range [][]int32{nil, uniformAttr(rows)} {
		var buf bytes.Buffer
		var sent []int
		if err := writeCopyStream(&buf, base, attr, func(n int) { sent = append(sent, n) }); err != nil {
			t.Fatal(err)
		}
		ints, vectors := decodeCopyStream(t, buf.Bytes())
		if len(ints) != rows {
			t.Fatalf("%d tuples, want %d", len(ints), rows)
		}
		for i := range ints {
			want := []int32{int32(i)}
			if attr != nil {
				want = append(want, attr[i])
			}
			if !slices.Equal(ints[i], want) || len(vectors[i]) != 3 || vectors[i][2] != base.row(i)[2] {
				t.Fatalf("tuple %d: %v, vector %v; want %v, %v", i, ints[i], vectors[i], want, base.row(i))
			}
		}
		if len(sent) < 2 || sent[len(sent)-1] != rows {
			t.Errorf("progress calls %v: want several, ending at %d", sent, rows)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("pipe closed") }

func TestWriteCopyStreamStopsOnError(t *testing.T) {
	base := matrix[float32]{cols: 100, data: make([]float32, 100*2000)}
	if err := writeCopyStream(failingWriter{}, base, nil, func(int) {}); err == nil {
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
