package bench

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

// npyHeader is what readNpy needs from a .npy header.
type npyHeader struct {
	descr        string // dtype, e.g. "<f4"
	fortranOrder bool
	shape        []int
}

// The header is a Python dict literal; these pick out its three keys.
var (
	npyDescr   = regexp.MustCompile(`['"]descr['"]\s*:\s*['"]([^'"]*)['"]`)
	npyFortran = regexp.MustCompile(`['"]fortran_order['"]\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`['"]shape['"]\s*:\s*\(([^)]*)\)`)
)

// readNpy reads the first maxRows rows (0: all) of a 2-D NumPy .npy
// array (format version 1, 2 or 3) in C order: little-endian float32
// ('<f4') for vectors; little-endian int32 ('<i4') or int64 ('<i8', as
// NumPy's argsort gives) for ids.
func readNpy[T element](path string, maxRows int) (matrix[T], error) {
	f, err := os.Open(path)
	if err != nil {
		return matrix[T]{}, err
	}
	defer f.Close()
	m, err := decodeNpy[T](bufio.NewReaderSize(f, 1<<20), maxRows)
	if err != nil {
		return matrix[T]{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// decodeNpy does readNpy's work on r.
func decodeNpy[T element](r io.Reader, maxRows int) (matrix[T], error) {
	h, err := readNpyHeader(r)
	if err != nil {
		return matrix[T]{}, err
	}
	if h.fortranOrder {
		return matrix[T]{}, errors.New("array is in Fortran order; save it in C order")
	}
	if len(h.shape) != 2 || h.shape[1] <= 0 {
		return matrix[T]{}, fmt.Errorf("shape %v: want a 2-D array (rows, columns)", h.shape)
	}
	itemSize, err := npyItemSize[T](h.descr)
	if err != nil {
		return matrix[T]{}, err
	}
	rows, cols := h.shape[0], h.shape[1]
	if maxRows > 0 && maxRows < rows {
		rows = maxRows
	}
	buf := make([]byte, rows*cols*itemSize)
	if _, err := io.ReadFull(r, buf); err != nil {
		return matrix[T]{}, fmt.Errorf("data of shape %v: %w", h.shape, noEOF(err))
	}
	m := matrix[T]{cols: cols, data: make([]T, rows*cols)}
	if itemSize == 4 {
		decodeLittleEndian(buf, m.data)
		return m, nil
	}
	return m, decodeInt64IDs(buf, any(m.data).([]int32))
}

// npyItemSize checks that descr holds T and returns its size in bytes.
func npyItemSize[T element](descr string) (int, error) {
	switch want := elementName[T](); {
	case want == "float32" && descr == "<f4":
		return 4, nil
	case want == "int32" && descr == "<i4":
		return 4, nil
	case want == "int32" && descr == "<i8":
		return 8, nil
	case want == "float32":
		return 0, fmt.Errorf("dtype %q: want little-endian float32 ('<f4')", descr)
	default:
		return 0, fmt.Errorf("dtype %q: want little-endian int32 ('<i4') or int64 ('<i8')", descr)
	}
}

// decodeInt64IDs narrows little-endian int64 ids to int32.
func decodeInt64IDs(b []byte, out []int32) error {
	for i := range out {
		v := int64(binary.LittleEndian.Uint64(b[8*i:]))
		if v < math.MinInt32 || v > math.MaxInt32 {
			return fmt.Errorf("id %d at position %d does not fit in int32", v, i)
		}
		out[i] = int32(v)
	}
	return nil
}

// readNpyHeader reads the magic string, the version and the header
// dict.
func readNpyHeader(r io.Reader) (npyHeader, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return npyHeader{}, fmt.Errorf("not a .npy file: %w", noEOF(err))
	}
	if string(pre[:6]) != npyMagic {
		return npyHeader{}, errors.New("not a .npy file (bad magic string)")
	}
	var n int
	switch major := pre[6]; major {
	case 1:
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return npyHeader{}, noEOF(err)
		}
		n = int(binary.LittleEndian.Uint16(l[:]))
	case 2, 3:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return npyHeader{}, noEOF(err)
		}
		n = int(binary.LittleEndian.Uint32(l[:]))
		if n > 1<<20 {
			return npyHeader{}, fmt.Errorf("header of %d bytes is too long", n)
		}
	default:
		return npyHeader{}, fmt.Errorf("unsupported .npy format version %d.%d", major, pre[7])
	}
	text := make([]byte, n)
	if _, err := io.ReadFull(r, text); err != nil {
		return npyHeader{}, fmt.Errorf("header: %w", noEOF(err))
	}
	return parseNpyHeader(text)
}

// parseNpyHeader reads the dict literal, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (1000, 128), }.
func parseNpyHeader(text []byte) (npyHeader, error) {
	var h npyHeader
	descr := npyDescr.FindSubmatch(text)
	fortran := npyFortran.FindSubmatch(text)
	shape := npyShape.FindSubmatch(text)
	if descr == nil || fortran == nil || shape == nil {
		return h, fmt.Errorf("header %q lacks descr, fortran_order or shape", bytes.TrimSpace(text))
	}
	h.descr = string(descr[1])
	h.fortranOrder = string(fortran[1]) == "True"
	for f := range strings.SplitSeq(string(shape[1]), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return h, fmt.Errorf("header shape (%s): bad dimension %q", shape[1], f)
		}
		h.shape = append(h.shape, n)
	}
	return h, nil
}
