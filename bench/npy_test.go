package bench

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// npyFile builds a .npy file of format version major whose header dict
// is header, padded as NumPy pads it, followed by data.
func npyFile(major byte, header string, data []byte) []byte {
	lenSize := 2
	if major > 1 {
		lenSize = 4
	}
	header += "\n"
	for (8+lenSize+len(header))%64 != 0 {
		header = header[:len(header)-1] + " \n"
	}
	b := append([]byte(npyMagic), major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	}
	return append(append(b, header...), data...)
}

func npyDict(descr string, fortran bool, shape string) string {
	f := "False"
	if fortran {
		f = "True"
	}
	return fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, f, shape)
}

func TestDecodeNpyFloats(t *testing.T) {
	data := littleEndianFloats(1, 2, 3, 4, 5, 6)
	tests := []struct {
		name    string
		file    []byte
		maxRows int
		cols    int
		want    []float32
		err     string
	}{
		{"v1", npyFile(1, npyDict("<f4", false, "(3, 2)"), data), 0, 2, []float32{1, 2, 3, 4, 5, 6}, ""},
		{"v2", npyFile(2, npyDict("<f4", false, "(2, 3)"), data), 0, 3, []float32{1, 2, 3, 4, 5, 6}, ""},
		{"v3", npyFile(3, npyDict("<f4", false, "(2, 3)"), data), 0, 3, []float32{1, 2, 3, 4, 5, 6}, ""},
		{"limit", npyFile(1, npyDict("<f4", false, "(3, 2)"), data), 2, 2, []float32{1, 2, 3, 4}, ""},
		{"double quotes", npyFile(1, `{"descr": "<f4", "fortran_order": False, "shape": (1, 6)}`, data), 0, 6, []float32{1, 2, 3, 4, 5, 6}, ""},
		{"fortran", npyFile(1, npyDict("<f4", true, "(3, 2)"), data), 0, 0, nil, "Fortran order"},
		{"float64", npyFile(1, npyDict("<f8", false, "(3, 1)"), data), 0, 0, nil, `dtype "<f8"`},
		{"big endian", npyFile(1, npyDict(">f4", false, "(3, 2)"), data), 0, 0, nil, `dtype ">f4"`},
		{"1-D", npyFile(1, npyDict("<f4", false, "(6,)"), data), 0, 0, nil, "want a 2-D array"},
		{"short data", npyFile(1, npyDict("<f4", false, "(4, 2)"), data), 0, 0, nil, "unexpected EOF"},
		{"bad magic", []byte("\x93NUMPZ\x01\x00"), 0, 0, nil, "bad magic"},
		{"version 4", npyFile(4, npyDict("<f4", false, "(3, 2)"), data), 0, 0, nil, "version 4.0"},
		{"no shape", npyFile(1, "{'descr': '<f4', 'fortran_order': False}", data), 0, 0, nil, "lacks"},
		{"bad shape", npyFile(1, npyDict("<f4", false, "(3, x)"), data), 0, 0, nil, "bad dimension"},
		{"empty", nil, 0, 0, nil, "not a .npy file"},
	}
	for _, tt := range tests {
		m, err := decodeNpy[float32](bytes.NewReader(tt.file), tt.maxRows)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
		case tt.err == "" && (err != nil || m.cols != tt.cols || !slices.Equal(m.data, tt.want)):
			t.Errorf("%s: %v, %v; want %d columns %v", tt.name, m, err, tt.cols, tt.want)
		}
	}
}

func TestDecodeNpyIDs(t *testing.T) {
	var i64 []byte
	for _, v := range []int64{5, 0, 149999, 7} {
		i64 = binary.LittleEndian.AppendUint64(i64, uint64(v))
	}
	tests := []struct {
		name string
		file []byte
		want []int32
		err  string
	}{
		{"int32", npyFile(1, npyDict("<i4", false, "(2, 2)"), littleEndianInts(5, 0, 149999, 7)), []int32{5, 0, 149999, 7}, ""},
		{"int64", npyFile(1, npyDict("<i8", false, "(2, 2)"), i64), []int32{5, 0, 149999, 7}, ""},
		{"int64 overflow", npyFile(1, npyDict("<i8", false, "(1, 1)"), binary.LittleEndian.AppendUint64(nil, 1<<40)), nil, "does not fit"},
		{"float ids", npyFile(1, npyDict("<f4", false, "(2, 2)"), littleEndianFloats(1, 2, 3, 4)), nil, "want little-endian int32"},
	}
	for _, tt := range tests {
		m, err := decodeNpy[int32](bytes.NewReader(tt.file), 0)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
		case tt.err == "" && (err != nil || !slices.Equal(m.data, tt.want)):
			t.Errorf("%s: %v, %v; want %v", tt.name, m, err, tt.want)
		}
	}
}

func TestReadNpyFile(t *testing.T) {
	path := writeTemp(t, t.TempDir(), "q.npy", npyFile(1, npyDict("<f4", false, "(2, 1)"), littleEndianFloats(0.5, -1)))
	m, err := readMatrix[float32](path, 0)
	if err != nil || !slices.Equal(m.data, []float32{0.5, -1}) {
		t.Errorf("readMatrix(.npy) = %v, %v", m, err)
	}
}
