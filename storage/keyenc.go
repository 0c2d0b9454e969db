package storage

import (
	"encoding/binary"
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Order-preserving key encoding.
//
// AppendKey encodes a datum so that bytes.Compare on two encodings agrees
// with PostgreSQL's btree order of the two values of the same type, and
// equal values (1.0 and 1.00, -0 and +0, two NaNs) encode to equal bytes.
// Every encoding is self-delimiting (no encoding is a proper prefix of
// another), so encodings of several columns can be concatenated and the
// result orders as the tuple does. That also makes "descending" simply the
// bitwise complement of the ascending bytes.
//
// Layout: one tag byte, then a payload. Tags of non-NULL values lie in
// [0x02, 0xfd] both before and after complementing; NULL is a single byte
// written as is: 0xff when NULLs sort last (the default for ASC) or 0x00
// when they sort first (the default for DESC). Tags of different kinds are
// distinct but their relative order means nothing: a key column has one
// type.
//
// Payloads, ascending:
//
//	bool       0x00 or 0x01
//	int64      8 bytes big-endian with the sign bit flipped
//	float64    8 bytes: IEEE bits, negatives complemented, positives with
//	           the sign bit set; -0 is written as +0 and every NaN as one
//	           NaN, which sorts above +Inf as in PostgreSQL
//	numeric    the tag encodes the class (-Inf < negative < zero < positive
//	           < +Inf < NaN); finite non-zero values carry the decimal
//	           exponent of 0.ddd×10^e (8 bytes, as int64) then the significant
//	           digits in ASCII without trailing zeros, then 0x00; negative
//	           values complement that payload
//	string,    bytes with 0x00 escaped as 0x00 0xff, terminated by 0x00 0x01,
//	bytea,     so that a string sorts before its extensions (byte order,
//	json       i.e. the C collation)
//	time       seconds since the Unix epoch (as int64) then nanoseconds (4
//	           bytes big-endian)
//	vector     per element 0x02 and the element as a float32 (as float64
//	           above, in 4 bytes); then 0x01: pgvector's order, element-wise
//	           and then shorter first
//	array      per element its own ascending encoding with NULLs last; then
//	           0x01: element-wise, then shorter first, as array_cmp
//	halfvec    per element 0x02 and the element's binary16 bits (2 bytes,
//	           ordered as float64 above, -0 as +0); then 0x01
//	sparsevec  the dense order pgvector's sparsevec_cmp gives, written as
//	           the non-zero elements in index order and then the end at
//	           position dim: a negative element is 0x02, the index (4
//	           bytes), 0x01 and the value (4 bytes, as float32 above); the
//	           end is 0x02, dim (4 bytes), 0x00; a positive element is
//	           0x03, the complemented index (4 bytes) and the value. At the
//	           first position where two vectors differ, whatever is below
//	           zero there (a negative value, or the end: shorter first)
//	           sorts before a zero, and a zero before a positive value
//	bit        the bytes as string above (memcmp order), then the length
//	           in bits (4 bytes): bit_cmp's order
//	interval   whole days with a month as 30 (as int64), then the
//	           microseconds within the day (8 bytes): interval_cmp's order,
//	           in which '1 mon' equals '30 days'
//
// Key encodings are not decoded: index entries carry the row id in their
// value, and rows are fetched from the table.
const (
	keyNullFirst byte = 0x00
	keyNullLast  byte = 0xff

	keyTagBool      byte = 0x10
	keyTagInt       byte = 0x20
	keyTagFloat     byte = 0x28
	keyTagNumNegInf byte = 0x30
	keyTagNumNeg    byte = 0x31
	keyTagNumZero   byte = 0x32
	keyTagNumPos    byte = 0x33
	keyTagNumPosInf byte = 0x34
	keyTagNumNaN    byte = 0x35
	keyTagString    byte = 0x40
	keyTagBytes     byte = 0x48
	keyTagJSON      byte = 0x50
	keyTagTime      byte = 0x60
	keyTagVector    byte = 0x70
	keyTagArray     byte = 0x80
	keyTagHalfvec   byte = 0x72
	keyTagSparse    byte = 0x74
	keyTagBits      byte = 0x78
	keyTagInterval  byte = 0x68

	keyElemMore byte = 0x02 // another vector element follows
	keyListEnd  byte = 0x01 // end of a vector or array

	keySparseBelow byte = 0x02 // sparsevec: a negative element or the end
	keySparseAbove byte = 0x03 // sparsevec: a positive element
	keySparseEnd   byte = 0x00 // after keySparseBelow and a position: the end
	keySparseNeg   byte = 0x01 // after keySparseBelow and a position: a value
)

// AppendKey appends the order-preserving encoding of d to dst. desc
// inverts the order; nullsFirst puts NULL before every value (after
// inversion, i.e. in the resulting byte order).
func AppendKey(dst []byte, d types.Datum, desc, nullsFirst bool) ([]byte, error) {
	if d == nil {
		if nullsFirst {
			return append(dst, keyNullFirst), nil
		}
		return append(dst, keyNullLast), nil
	}
	start := len(dst)
	dst, err := appendKeyAsc(dst, d)
	if err != nil {
		return dst[:start], err
	}
	if desc {
		invert(dst[start:])
	}
	return dst, nil
}

func invert(b []byte) {
	for i := range b {
		b[i] = ^b[i]
	}
}

func appendKeyAsc(dst []byte, d types.Datum) ([]byte, error) {
	switch v := d.(type) {
	case bool:
		if v {
			return append(dst, keyTagBool, 1), nil
		}
		return append(dst, keyTagBool, 0), nil
	case int64:
		dst = append(dst, keyTagInt)
		return binary.BigEndian.AppendUint64(dst, uint64(v)^(1<<63)), nil
	case float64:
		dst = append(dst, keyTagFloat)
		return binary.BigEndian.AppendUint64(dst, orderedFloat64(v)), nil
	case *apd.Decimal:
		return appendDecimalKey(dst, v), nil
	case string:
		return appendEscaped(append(dst, keyTagString), v), nil
	case []byte:
		return appendEscaped(append(dst, keyTagBytes), v), nil
	case types.JSON:
		return appendEscaped(append(dst, keyTagJSON), v), nil
	case time.Time:
		dst = append(dst, keyTagTime)
		dst = binary.BigEndian.AppendUint64(dst, uint64(v.Unix())^(1<<63))
		return binary.BigEndian.AppendUint32(dst, uint32(v.Nanosecond())), nil
	case types.Vector:
		dst = append(dst, keyTagVector)
		for _, f := range v {
			dst = append(dst, keyElemMore)
			dst = binary.BigEndian.AppendUint32(dst, orderedFloat32(f))
		}
		return append(dst, keyListEnd), nil
	case types.Halfvec:
		dst = append(dst, keyTagHalfvec)
		for _, h := range v {
			dst = append(dst, keyElemMore)
			dst = binary.BigEndian.AppendUint16(dst, orderedFloat16(h))
		}
		return append(dst, keyListEnd), nil
	case types.Sparsevec:
		dst = append(dst, keyTagSparse)
		for k, index := range v.Indices {
			f := v.Values[k]
			if f < 0 {
				dst = append(dst, keySparseBelow)
				dst = binary.BigEndian.AppendUint32(dst, uint32(index))
				dst = append(dst, keySparseNeg)
			} else {
				dst = append(dst, keySparseAbove)
				dst = binary.BigEndian.AppendUint32(dst, ^uint32(index))
			}
			dst = binary.BigEndian.AppendUint32(dst, orderedFloat32(f))
		}
		dst = append(dst, keySparseBelow)
		dst = binary.BigEndian.AppendUint32(dst, uint32(v.Dim))
		return append(dst, keySparseEnd), nil
	case types.Interval:
		days, us := types.IntervalSortKey(v)
		dst = binary.BigEndian.AppendUint64(append(dst, keyTagInterval), uint64(days)^(1<<63))
		return binary.BigEndian.AppendUint64(dst, uint64(us)), nil
	case types.Bits:
		dst = appendEscaped(append(dst, keyTagBits), v.Data)
		return binary.BigEndian.AppendUint32(dst, uint32(v.Len)), nil
	case *types.Array:
		dst = append(dst, keyTagArray)
		for _, e := range v.Elems {
			var err error
			if dst, err = AppendKey(dst, e, false, false); err != nil {
				return dst, err
			}
		}
		return append(dst, keyListEnd), nil
	}
	return dst, pgerr.New(pgerr.InternalError, "storage: cannot encode a key of Go type %T", d)
}

// orderedFloat64 maps f to a uint64 whose unsigned order is PostgreSQL's
// float order: -Inf < ... < -0 = +0 < ... < +Inf < NaN.
func orderedFloat64(f float64) uint64 {
	var bits uint64
	switch {
	case f != f:
		bits = 0x7ff8000000000000
	case f == 0:
		bits = 0
	default:
		bits = math.Float64bits(f)
	}
	if bits&(1<<63) != 0 {
		return ^bits
	}
	return bits | 1<<63
}

// orderedFloat32 is orderedFloat64 for float32.
func orderedFloat32(f float32) uint32 {
	var bits uint32
	switch {
	case f != f:
		bits = 0x7fc00000
	case f == 0:
		bits = 0
	default:
		bits = math.Float32bits(f)
	}
	if bits&(1<<31) != 0 {
		return ^bits
	}
	return bits | 1<<31
}

// orderedFloat16 is orderedFloat64 for binary16 bits.
func orderedFloat16(h uint16) uint16 {
	switch {
	case h&0x7c00 == 0x7c00 && h&0x03ff != 0:
		h = 0x7e00
	case h == 0x8000:
		h = 0
	}
	if h&0x8000 != 0 {
		return ^h
	}
	return h | 0x8000
}

// appendEscaped writes s with 0x00 escaped as 0x00 0xff and terminates it
// with 0x00 0x01.
func appendEscaped[S string | []byte | types.JSON](dst []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			dst = append(dst, 0, 0xff)
			continue
		}
		dst = append(dst, s[i])
	}
	return append(dst, 0, 1)
}

func appendDecimalKey(dst []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(dst, keyTagNumNaN)
	case apd.Infinite:
		if d.Negative {
			return append(dst, keyTagNumNegInf)
		}
		return append(dst, keyTagNumPosInf)
	}
	if d.Coeff.Sign() == 0 {
		return append(dst, keyTagNumZero)
	}
	digits := d.Coeff.Text(10)
	trimmed := strings.TrimRight(digits, "0")
	// value = 0.<trimmed> × 10^e
	e := int64(d.Exponent) + int64(len(digits))
	if d.Negative {
		dst = append(dst, keyTagNumNeg)
	} else {
		dst = append(dst, keyTagNumPos)
	}
	start := len(dst)
	dst = binary.BigEndian.AppendUint64(dst, uint64(e)^(1<<63))
	dst = append(dst, trimmed...)
	dst = append(dst, 0)
	if d.Negative {
		invert(dst[start:])
	}
	return dst
}
