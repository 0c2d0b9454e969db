package bench

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxDim bounds the dimension a .fvecs or .ivecs record may claim, so
// that a file of another format fails at once instead of allocating
// gigabytes.
const maxDim = 1 << 16

// readVecs reads the first maxRows records (0: all) of a TEXMEX .fvecs
// (float32) or .ivecs (int32) file: each record is a little-endian
// int32 dimension followed by that many little-endian values, and every
// record must have the same dimension.
func readVecs[T element](path string, maxRows int) (matrix[T], error) {
	f, err := os.Open(path)
	if err != nil {
		return matrix[T]{}, err
	}
	defer f.Close()
	m, err := decodeVecs[T](bufio.NewReaderSize(f, 1<<20), maxRows)
	if err != nil {
		return matrix[T]{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// decodeVecs does readVecs's work on r.
func decodeVecs[T element](r io.Reader, maxRows int) (matrix[T], error) {
	var m matrix[T]
	var head [4]byte
	var buf []byte
	for n := 0; maxRows <= 0 || n < maxRows; n++ {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return m, fmt.Errorf("record %d: %w", n, err)
		}
		dim := int(int32(binary.LittleEndian.Uint32(head[:])))
		if dim <= 0 || dim > maxDim {
			return m, fmt.Errorf("record %d: dimension %d out of range (is this a .%svecs file?)", n, dim, vecsLetter[T]())
		}
		if m.cols == 0 {
			m.cols = dim
			buf = make([]byte, 4*dim)
		} else if dim != m.cols {
			return m, fmt.Errorf("record %d has dimension %d, the first has %d", n, dim, m.cols)
		}
		if _, err := io.ReadFull(r, buf); err != nil {
			return m, fmt.Errorf("record %d: %w", n, noEOF(err))
		}
		m.data = append(m.data, make([]T, dim)...)
		decodeLittleEndian(buf, m.data[len(m.data)-dim:])
	}
	if m.cols == 0 {
		return m, errors.New("no records")
	}
	return m, nil
}

// vecsLetter is the letter of the TEXMEX extension for T: f or i.
func vecsLetter[T element]() string {
	if elementName[T]() == "float32" {
		return "f"
	}
	return "i"
}

// noEOF turns a bare io.EOF inside a record into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
