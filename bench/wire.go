package bench

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// Parameter and result format codes of the extended protocol.
const (
	textFormat   int16 = 0
	binaryFormat int16 = 1
)

// appendVectorBinary appends v in pgvector's binary (send/recv) form:
// uint16 dimensions, uint16 zero, then each value as a big-endian
// float4.
func appendVectorBinary(dst []byte, v []float32) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(v)))
	dst = binary.BigEndian.AppendUint16(dst, 0)
	for _, x := range v {
		dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(x))
	}
	return dst
}

// appendVectorText appends v in pgvector's text form, [1,2.5,-3], each
// value the shortest text that reads back as the same float32.
func appendVectorText(dst []byte, v []float32) []byte {
	dst = append(dst, '[')
	for i, x := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendFloat(dst, float64(x), 'g', -1, 32)
	}
	return append(dst, ']')
}

// encodeVectors encodes every row of m as a query parameter in format.
func encodeVectors(m matrix[float32], format int16) [][]byte {
	out := make([][]byte, m.rows())
	for i := range out {
		if format == binaryFormat {
			out[i] = appendVectorBinary(nil, m.row(i))
		} else {
			out[i] = appendVectorText(nil, m.row(i))
		}
	}
	return out
}

// copySignature starts a binary COPY stream; a zero flags word and a
// zero header-extension length follow it.
const copySignature = "PGCOPY\n\xff\r\n\x00"

// appendCopyHeader appends the header of a binary COPY stream.
func appendCopyHeader(dst []byte) []byte {
	dst = append(dst, copySignature...)
	dst = binary.BigEndian.AppendUint32(dst, 0)  // flags
	return binary.BigEndian.AppendUint32(dst, 0) // header extension length
}

// appendCopyRow appends one tuple of a binary COPY stream: the int4
// values ints (id, and attr in a filtered run), then the vector v.
func appendCopyRow(dst []byte, ints []int32, v []float32) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(ints)+1)) // fields
	for _, n := range ints {
		dst = binary.BigEndian.AppendUint32(dst, 4)
		dst = binary.BigEndian.AppendUint32(dst, uint32(n))
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(4+4*len(v)))
	return appendVectorBinary(dst, v)
}

// appendCopyTrailer ends a binary COPY stream.
func appendCopyTrailer(dst []byte) []byte { return binary.BigEndian.AppendUint16(dst, 0xffff) }

// decodeID reads an id column returned in binary format: int2, int4 or
// int8, whichever the table declares.
func decodeID(b []byte) (int64, error) {
	switch len(b) {
	case 2:
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case 4:
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case 8:
		return int64(binary.BigEndian.Uint64(b)), nil
	}
	return 0, fmt.Errorf("id of %d bytes in binary format: want an int2, int4 or int8 column", len(b))
}
