package bench

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
)

// element is what the data files hold: float32 vectors or int32 ids.
type element interface{ float32 | int32 }

// matrix is a row-major matrix: base and query vectors (float32), ground
// truth ids (int32).
type matrix[T element] struct {
	cols int
	data []T
}

func (m matrix[T]) rows() int {
	if m.cols == 0 {
		return 0
	}
	return len(m.data) / m.cols
}

// row returns row i, capped so that appending to it cannot overwrite
// row i+1.
func (m matrix[T]) row(i int) []T { return m.data[i*m.cols : (i+1)*m.cols : (i+1)*m.cols] }

// prefix returns the first n rows (all when n is 0 or more than there
// are).
func (m matrix[T]) prefix(n int) matrix[T] {
	if n <= 0 || n >= m.rows() {
		return m
	}
	return matrix[T]{cols: m.cols, data: m.data[:n*m.cols]}
}

// elementName names T as the errors say it.
func elementName[T element]() string {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return "float32"
	}
	return "int32"
}

// decodeLittleEndian fills out from the little-endian 4-byte values in
// b, which holds exactly len(out) of them.
func decodeLittleEndian[T element](b []byte, out []T) {
	switch out := any(out).(type) {
	case []float32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case []int32:
		for i := range out {
			out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
		}
	}
}

// readRaw reads a headerless little-endian row-major file of cols
// columns, as the shared datasets store them: its first maxRows rows
// (0: all). The file's size must be a whole number of rows.
func readRaw[T element](path string, cols, maxRows int) (matrix[T], error) {
	f, err := os.Open(path)
	if err != nil {
		return matrix[T]{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return matrix[T]{}, err
	}
	rowBytes := int64(4 * cols)
	if cols <= 0 || info.Size()%rowBytes != 0 {
		return matrix[T]{}, fmt.Errorf("%s: %d bytes is not a whole number of %d-column %s rows", path, info.Size(), cols, elementName[T]())
	}
	rows := int(info.Size() / rowBytes)
	if maxRows > 0 && maxRows < rows {
		rows = maxRows
	}
	buf := make([]byte, int64(rows)*rowBytes)
	if _, err := io.ReadFull(f, buf); err != nil {
		return matrix[T]{}, fmt.Errorf("%s: %w", path, err)
	}
	m := matrix[T]{cols: cols, data: make([]T, rows*cols)}
	decodeLittleEndian(buf, m.data)
	return m, nil
}
