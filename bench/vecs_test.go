package bench

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
)

// fvecs encodes rows as .fvecs records; ivecs as .ivecs records.
func fvecs(rows ...[]float32) []byte {
	var b []byte
	for _, r := range rows {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(r)))
		for _, v := range r {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return b
}

func ivecs(rows ...[]int32) []byte {
	var b []byte
	for _, r := range rows {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(r)))
		for _, v := range r {
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		}
	}
	return b
}

func TestDecodeVecs(t *testing.T) {
	data := fvecs([]float32{1, 2, 3}, []float32{4, 5, 6}, []float32{7, 8, -9})
	tests := []struct {
		name    string
		in      []byte
		maxRows int
		want    []float32
		err     string
	}{
		{"all", data, 0, []float32{1, 2, 3, 4, 5, 6, 7, 8, -9}, ""},
		{"limit", data, 2, []float32{1, 2, 3, 4, 5, 6}, ""},
		{"empty", nil, 0, nil, "no records"},
		{"mixed dimensions", fvecs([]float32{1, 2}, []float32{1, 2, 3}), 0, nil, "record 1 has dimension 3"},
		{"truncated record", data[:len(data)-2], 0, nil, "record 2: unexpected EOF"},
		{"truncated head", append(slices.Clone(data), 3, 0), 0, nil, "record 3: unexpected EOF"},
		{"missing values", data[:len(data)-12], 0, nil, "record 2: unexpected EOF"},
		{"not vecs", []byte("PGCOPY\nabcdefgh"), 0, nil, "out of range"},
	}
	for _, tt := range tests {
		m, err := decodeVecs[float32](bytes.NewReader(tt.in), tt.maxRows)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
		case tt.err == "" && (err != nil || m.cols != 3 || !slices.Equal(m.data, tt.want)):
			t.Errorf("%s: %v, %v; want %v", tt.name, m, err, tt.want)
		}
	}
}

func TestReadVecsIDs(t *testing.T) {
	path := writeTemp(t, t.TempDir(), "gt.ivecs", ivecs([]int32{3, 1}, []int32{0, 2}))
	m, err := readMatrix[int32](path, 0)
	if err != nil || m.cols != 2 || !slices.Equal(m.data, []int32{3, 1, 0, 2}) {
		t.Errorf("readMatrix(.ivecs) = %v, %v", m, err)
	}
	if _, err := readMatrix[float32](path, 0); err == nil || !strings.Contains(err.Error(), ".fvecs") {
		t.Errorf("reading an .ivecs file as vectors: %v, want an error naming .fvecs", err)
	}
}
