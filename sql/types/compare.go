package types

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// Compare orders two non-NULL values of type t as PostgreSQL's default
// btree operator class does, returning -1, 0 or +1:
//
//   - floats: NaN equals NaN and is greater than every other value; -0
//     equals 0;
//   - numeric: by value, so 1.0 = 1.00; NaN is greatest, Infinity next;
//   - text, varchar, name, "char": bytewise, as under the C collation that
//     vecgres always uses; char(n) ignores trailing spaces;
//   - bytea: bytewise; bool: false < true;
//   - timestamps and dates: by instant; -infinity and infinity at the ends;
//   - vector: pgvector's vector_cmp, element by element, then the shorter
//     vector first; halfvec likewise (as float4, so -0 = 0); sparsevec as
//     its dense form would compare (pgvector's sparsevec_cmp);
//   - bit, bit varying: bit by bit, then the shorter string first;
//   - arrays: element by element (NULL elements greater than any value),
//     then the shorter array first;
//   - jsonb: PostgreSQL's jsonb order (see compareJSONB); json has no
//     order in PostgreSQL and compares by text here.
func Compare(t T, a, b Datum) int {
	switch x := a.(type) {
	case int64:
		if isOIDType(t.OID) {
			return cmp.Compare(uint32(x), uint32(b.(int64)))
		}
		return cmp.Compare(x, b.(int64))
	case float64:
		return compareFloat(x, b.(float64))
	case *apd.Decimal:
		return NumericCmp(x, b.(*apd.Decimal))
	case string:
		y := b.(string)
		if t.OID == BpcharOID {
			x, y = strings.TrimRight(x, " "), strings.TrimRight(y, " ")
		}
		return strings.Compare(x, y)
	case bool:
		return compareBool(x, b.(bool))
	case []byte:
		return bytes.Compare(x, b.([]byte))
	case time.Time:
		return x.Compare(b.(time.Time))
	case JSON:
		if t.OID == JSONBOID {
			return compareJSONB(x, b.(JSON))
		}
		return strings.Compare(string(x), string(b.(JSON)))
	case Vector:
		return compareVector(x, b.(Vector))
	case Halfvec:
		return compareHalfvec(x, b.(Halfvec))
	case Sparsevec:
		return compareSparsevec(x, b.(Sparsevec))
	case Bits:
		return compareBits(x, b.(Bits))
	case Interval:
		return CompareInterval(x, b.(Interval))
	case *Array:
		return compareArray(x, b.(*Array))
	}
	return 0
}

func isOIDType(oid OID) bool { return isUint32Type(oid) }

// compareFloat is float8_cmp_internal: NaN = NaN > everything, -0 = 0.
func compareFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// compareVector is pgvector's vector_cmp_internal.
func compareVector(a, b Vector) int {
	for i := range min(len(a), len(b)) {
		if a[i] < b[i] {
			return -1
		}
		if a[i] > b[i] {
			return 1
		}
	}
	return cmp.Compare(len(a), len(b))
}

// compareArray is btarraycmp for one-dimensional arrays: elements in order
// (NULL greater than any value), then length, then lower bound (empty
// arrays have none).
func compareArray(a, b *Array) int {
	for i := range min(len(a.Elems), len(b.Elems)) {
		x, y := a.Elems[i], b.Elems[i]
		switch {
		case x == nil && y == nil:
			continue
		case x == nil:
			return 1
		case y == nil:
			return -1
		}
		if c := Compare(a.Elem, x, y); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(len(a.Elems), len(b.Elems)); c != 0 || len(a.Elems) == 0 {
		return c
	}
	return cmp.Compare(lowerBound(a), lowerBound(b))
}

// Equal reports whether Compare(t, a, b) == 0.
func Equal(t T, a, b Datum) bool {
	switch x := a.(type) {
	case int64:
		return x == b.(int64)
	case string:
		if t.OID != BpcharOID {
			return x == b.(string)
		}
	case bool:
		return x == b.(bool)
	case []byte:
		return bytes.Equal(x, b.([]byte))
	case time.Time:
		return x.Equal(b.(time.Time))
	}
	return Compare(t, a, b) == 0
}

// Hash writes d, a non-NULL value of type t, to h so that values that are
// Equal hash equally: numerics are hashed without trailing fraction
// zeros, -0 as 0, every NaN alike, char(n) without trailing spaces,
// timestamps by instant, jsonb by its canonical value.
func Hash(t T, d Datum, h *maphash.Hash) {
	var buf [8]byte
	switch x := d.(type) {
	case int64:
		binary.LittleEndian.PutUint64(buf[:], uint64(x))
		h.Write(buf[:])
	case float64:
		hashFloat(x, h)
	case *apd.Decimal:
		hashNumeric(x, h)
	case string:
		if t.OID == BpcharOID {
			x = strings.TrimRight(x, " ")
		}
		h.WriteString(x)
	case bool:
		if x {
			h.WriteByte(1)
		} else {
			h.WriteByte(0)
		}
	case []byte:
		h.Write(x)
	case time.Time:
		binary.LittleEndian.PutUint64(buf[:], uint64(x.Unix()))
		h.Write(buf[:])
		binary.LittleEndian.PutUint32(buf[:4], uint32(x.Nanosecond()))
		h.Write(buf[:4])
	case JSON:
		if t.OID == JSONBOID {
			hashJSONB(x, h)
		} else {
			h.WriteString(string(x))
		}
	case Vector:
		for _, f := range x {
			hashFloat(float64(f), h)
		}
	case Halfvec:
		for _, v := range x {
			binary.LittleEndian.PutUint16(buf[:2], halfKey(v))
			h.Write(buf[:2])
		}
	case Sparsevec:
		binary.LittleEndian.PutUint32(buf[:4], uint32(x.Dim))
		h.Write(buf[:4])
		for k, index := range x.Indices {
			binary.LittleEndian.PutUint32(buf[:4], uint32(index))
			h.Write(buf[:4])
			hashFloat(float64(x.Values[k]), h)
		}
	case Bits:
		binary.LittleEndian.PutUint32(buf[:4], uint32(x.Len))
		h.Write(buf[:4])
		h.Write(x.Data)
	case Interval:
		hashInterval(x, h)
	case *Array:
		hashArray(x, h)
	}
}

func hashFloat(f float64, h *maphash.Hash) {
	var buf [8]byte
	switch {
	case math.IsNaN(f):
		f = math.NaN()
	case f == 0:
		f = 0
	}
	binary.LittleEndian.PutUint64(buf[:], math.Float64bits(f))
	h.Write(buf[:])
}

func hashNumeric(d *apd.Decimal, h *maphash.Hash) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		h.WriteString("NaN")
		return
	case apd.Infinite:
		if d.Negative {
			h.WriteString("-Inf")
		} else {
			h.WriteString("+Inf")
		}
		return
	}
	if d.IsZero() {
		h.WriteString("0")
		return
	}
	// Hash the digits without trailing zeros and the exponent that goes
	// with them, so 1.5 and 1.50 hash alike. (apd's Reduce is quadratic
	// in the number of digits; trimming the text is not.)
	digits := d.Coeff.Append(nil, 10)
	trimmed := bytes.TrimRight(digits, "0")
	exp := int64(d.Exponent) + int64(len(digits)-len(trimmed))
	if d.Negative {
		h.WriteByte('-')
	}
	h.Write(trimmed)
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(exp))
	h.Write(buf[:])
}

func hashArray(a *Array, h *maphash.Hash) {
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(len(a.Elems)))
	h.Write(buf[:])
	for _, e := range a.Elems {
		if e == nil {
			h.WriteByte(0)
			continue
		}
		h.WriteByte(1)
		Hash(a.Elem, e, h)
	}
}
