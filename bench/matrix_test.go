package bench

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// littleEndianFloats encodes values as a headerless .f32 file holds
// them.
func littleEndianFloats(values ...float32) []byte {
	var b []byte
	for _, v := range values {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func littleEndianInts(values ...int32) []byte {
	var b []byte
	for _, v := range values {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b
}

// writeTemp writes data to name in a new temporary directory and
// returns its path.
func writeTemp(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMatrix(t *testing.T) {
	m := matrix[int32]{cols: 2, data: []int32{1, 2, 3, 4, 5, 6}}
	if m.rows() != 3 || !slices.Equal(m.row(1), []int32{3, 4}) {
		t.Errorf("rows %d, row(1) %v", m.rows(), m.row(1))
	}
	if cap(m.row(0)) != 2 {
		t.Errorf("row(0) has capacity %d: appending to it would overwrite row 1", cap(m.row(0)))
	}
	for _, tt := range []struct{ n, want int }{{0, 3}, {1, 1}, {3, 3}, {9, 3}} {
		if got := m.prefix(tt.n).rows(); got != tt.want {
			t.Errorf("prefix(%d) has %d rows, want %d", tt.n, got, tt.want)
		}
	}
	if (matrix[float32]{}).rows() != 0 {
		t.Error("the zero matrix has rows")
	}
}

func TestReadRaw(t *testing.T) {
	dir := t.TempDir()
	floats := writeTemp(t, dir, "v.f32", littleEndianFloats(1, 2, 3, 4, 5, -6.5))
	ints := writeTemp(t, dir, "v.i32", littleEndianInts(7, -8, 9, 10))
	tests := []struct {
		name          string
		cols, maxRows int
		want          []float32
	}{
		{"all", 2, 0, []float32{1, 2, 3, 4, 5, -6.5}},
		{"limit", 2, 2, []float32{1, 2, 3, 4}},
		{"limit above rows", 3, 5, []float32{1, 2, 3, 4, 5, -6.5}},
	}
	for _, tt := range tests {
		m, err := readRaw[float32](floats, tt.cols, tt.maxRows)
		if err != nil || m.cols != tt.cols || !slices.Equal(m.data, tt.want) {
			t.Errorf("%s: readRaw = %v, %v; want %v", tt.name, m, err, tt.want)
		}
	}
	if m, err := readRaw[int32](ints, 2, 0); err != nil || !slices.Equal(m.data, []int32{7, -8, 9, 10}) {
		t.Errorf("readRaw[int32] = %v, %v", m, err)
	}
	if _, err := readRaw[float32](floats, 4, 0); err == nil || !strings.Contains(err.Error(), "not a whole number") {
		t.Errorf("readRaw with 4 columns of 6 values: %v", err)
	}
	if _, err := readRaw[float32](filepath.Join(dir, "missing"), 2, 0); err == nil {
		t.Error("readRaw of a missing file succeeded")
	}
}
