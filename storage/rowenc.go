package storage

import (
	"encoding/binary"
	"math"
	"time"
	"unsafe"

	"github.com/cockroachdb/apd/v3"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Row value encoding.
//
//	byte     version (rowVersion)
//	uvarint  number of slots n
//	bytes    NULL bitmap, (n+7)/8 bytes, bit i (LSB first) set = slot i is NULL
//	...      each non-NULL slot in order: a tag byte and its payload
//
// Every slot is self-describing, so a row can be decoded (and a column
// found) without the table's types, and a row written when the table had
// fewer columns decodes with the later slots NULL (ALTER TABLE ADD COLUMN
// needs no rewrite).
//
//	tag  payload
//	0x01 false / 0x02 true: none
//	0x03 int64: zigzag varint
//	0x04 float64 that is exactly a float32: 4 bytes LE (real columns)
//	0x05 float64: 8 bytes LE
//	0x06 numeric: flags (bit 0 negative, bits 1-2 form), zigzag varint
//	     exponent, uvarint length + big-endian coefficient
//	0x07 string, 0x08 bytea, 0x09 json: uvarint length + bytes
//	0x0a time: zigzag varint Unix seconds, uvarint nanoseconds (UTC)
//	0x0b vector: uvarint dimensions, then 4·dim bytes of little-endian
//	     float32, so VectorColumn can view them in place
//	0x0c array: uvarint element OID, zigzag varint element typmod, zigzag
//	     varint lower bound, uvarint count, then per element 0x00 for NULL or
//	     a tag and payload as above
//	0x0d halfvec: uvarint dimensions, then 2·dim bytes of little-endian
//	     binary16 bits, so HalfvecColumn can view them in place
//	0x0e sparsevec: uvarint dimensions, uvarint nnz, then nnz int32 indices
//	     and nnz float32 values, little-endian
//	0x0f bit string: uvarint length in bits, then (len+7)/8 bytes
//	0x10 interval: varint months, varint days, varint microseconds
const rowVersion = 1

const (
	valFalse    byte = 0x01
	valTrue     byte = 0x02
	valInt      byte = 0x03
	valFloat4   byte = 0x04
	valFloat8   byte = 0x05
	valNumeric  byte = 0x06
	valString   byte = 0x07
	valBytes    byte = 0x08
	valJSON     byte = 0x09
	valTime     byte = 0x0a
	valVector   byte = 0x0b
	valArray    byte = 0x0c
	valHalfvec  byte = 0x0d
	valSparse   byte = 0x0e
	valBits     byte = 0x0f
	valInterval byte = 0x10

	valNullElem byte = 0x00 // a NULL array element
)

// maxArrayDepth bounds nesting of arrays in a row, so that a corrupt row
// cannot exhaust the stack of the decoder.
const maxArrayDepth = 8

// nativeLittleEndian says whether float32 slices can alias little-endian
// bytes directly.
var nativeLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

func errCorruptRow(what string) error {
	return pgerr.New(pgerr.DataCorrupted, "storage: corrupt row: %s", what)
}

// appendRow appends the encoding of row to dst.
func appendRow(dst []byte, row []types.Datum) ([]byte, error) {
	dst = append(dst, rowVersion)
	dst = binary.AppendUvarint(dst, uint64(len(row)))
	bm := len(dst)
	dst = append(dst, make([]byte, (len(row)+7)/8)...)
	for i, d := range row {
		if d == nil {
			dst[bm+i/8] |= 1 << (i % 8)
			continue
		}
		var err error
		if dst, err = appendValue(dst, d, 0); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

func appendValue(dst []byte, d types.Datum, depth int) ([]byte, error) {
	switch v := d.(type) {
	case bool:
		if v {
			return append(dst, valTrue), nil
		}
		return append(dst, valFalse), nil
	case int64:
		return binary.AppendVarint(append(dst, valInt), v), nil
	case float64:
		if f32 := float32(v); float64(f32) == v {
			return binary.LittleEndian.AppendUint32(append(dst, valFloat4), math.Float32bits(f32)), nil
		}
		return binary.LittleEndian.AppendUint64(append(dst, valFloat8), math.Float64bits(v)), nil
	case *apd.Decimal:
		flags := byte(v.Form&3) << 1
		if v.Negative {
			flags |= 1
		}
		dst = append(dst, valNumeric, flags)
		dst = binary.AppendVarint(dst, int64(v.Exponent))
		coeff := v.Coeff.Bytes()
		dst = binary.AppendUvarint(dst, uint64(len(coeff)))
		return append(dst, coeff...), nil
	case string:
		dst = binary.AppendUvarint(append(dst, valString), uint64(len(v)))
		return append(dst, v...), nil
	case []byte:
		dst = binary.AppendUvarint(append(dst, valBytes), uint64(len(v)))
		return append(dst, v...), nil
	case types.JSON:
		dst = binary.AppendUvarint(append(dst, valJSON), uint64(len(v)))
		return append(dst, v...), nil
	case time.Time:
		dst = binary.AppendVarint(append(dst, valTime), v.Unix())
		return binary.AppendUvarint(dst, uint64(v.Nanosecond())), nil
	case types.Vector:
		dst = binary.AppendUvarint(append(dst, valVector), uint64(len(v)))
		for _, f := range v {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(f))
		}
		return dst, nil
	case types.Halfvec:
		dst = binary.AppendUvarint(append(dst, valHalfvec), uint64(len(v)))
		for _, h := range v {
			dst = binary.LittleEndian.AppendUint16(dst, h)
		}
		return dst, nil
	case types.Sparsevec:
		if len(v.Indices) != len(v.Values) || v.Dim < 0 {
			return nil, pgerr.New(pgerr.InternalError, "storage: malformed sparsevec")
		}
		dst = binary.AppendUvarint(append(dst, valSparse), uint64(v.Dim))
		dst = binary.AppendUvarint(dst, uint64(len(v.Indices)))
		for _, i := range v.Indices {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(i))
		}
		for _, f := range v.Values {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(f))
		}
		return dst, nil
	case types.Interval:
		dst = binary.AppendVarint(append(dst, valInterval), int64(v.Months))
		dst = binary.AppendVarint(dst, int64(v.Days))
		return binary.AppendVarint(dst, v.Micros), nil
	case types.Bits:
		if v.Len < 0 || len(v.Data) != int((int64(v.Len)+7)/8) {
			return nil, pgerr.New(pgerr.InternalError, "storage: malformed bit string")
		}
		dst = binary.AppendUvarint(append(dst, valBits), uint64(v.Len))
		return append(dst, v.Data...), nil
	case *types.Array:
		if depth >= maxArrayDepth {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded, "storage: arrays nested deeper than %d levels", maxArrayDepth)
		}
		dst = binary.AppendUvarint(append(dst, valArray), uint64(v.Elem.OID))
		dst = binary.AppendVarint(dst, int64(v.Elem.Mod))
		dst = binary.AppendVarint(dst, int64(v.LowerBound))
		dst = binary.AppendUvarint(dst, uint64(len(v.Elems)))
		for _, e := range v.Elems {
			if e == nil {
				dst = append(dst, valNullElem)
				continue
			}
			var err error
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return nil, err
			}
		}
		return dst, nil
	}
	return nil, pgerr.New(pgerr.InternalError, "storage: cannot store a value of Go type %T", d)
}

// rowHeader is the parsed fixed part of an encoded row.
type rowHeader struct {
	nslots int
	nulls  []byte // bitmap
	body   []byte // the non-NULL slots
}

func (h *rowHeader) isNull(slot int) bool { return h.nulls[slot/8]&(1<<(slot%8)) != 0 }

func parseRowHeader(raw []byte) (rowHeader, error) {
	if len(raw) == 0 {
		return rowHeader{}, errCorruptRow("empty")
	}
	if raw[0] != rowVersion {
		return rowHeader{}, errCorruptRow("unknown version")
	}
	n, w := binary.Uvarint(raw[1:])
	if w <= 0 {
		return rowHeader{}, errCorruptRow("bad slot count")
	}
	rest := raw[1+w:]
	if n > uint64(len(rest))*8 {
		return rowHeader{}, errCorruptRow("slot count exceeds row")
	}
	nb := int((n + 7) / 8)
	return rowHeader{nslots: int(n), nulls: rest[:nb], body: rest[nb:]}, nil
}

// DecodeRow decodes an encoded row (such as RowIter.Raw) into nslots
// datums. Slots the row does not have (columns added after it was written)
// are NULL; slots beyond nslots are ignored. The result does not alias raw.
func DecodeRow(raw []byte, nslots int) ([]types.Datum, error) {
	h, err := parseRowHeader(raw)
	if err != nil {
		return nil, err
	}
	row := make([]types.Datum, nslots)
	b := h.body
	for i := 0; i < h.nslots && i < nslots; i++ {
		if h.isNull(i) {
			continue
		}
		if row[i], b, err = decodeValue(b, 0); err != nil {
			return nil, err
		}
	}
	return row, nil
}

// DecodeColumn decodes only slot of an encoded row; it is NULL when the
// row has no such slot.
// DecodeRowSlots decodes the slots for which need is true and leaves the
// others NULL, skipping their bytes without allocating: a query that reads
// a few columns of wide rows (a key beside a vector) pays only for those.
// A nil need decodes every slot.
func DecodeRowSlots(raw []byte, nslots int, need []bool) ([]types.Datum, error) {
	if need == nil {
		return DecodeRow(raw, nslots)
	}
	h, err := parseRowHeader(raw)
	if err != nil {
		return nil, err
	}
	row := make([]types.Datum, nslots)
	b := h.body
	last := -1
	for i := range need {
		if need[i] {
			last = i
		}
	}
	for i := 0; i < h.nslots && i < nslots && i <= last; i++ {
		if h.isNull(i) {
			continue
		}
		if i < len(need) && need[i] {
			row[i], b, err = decodeValue(b, 0)
		} else {
			b, err = skipValue(b, 0)
		}
		if err != nil {
			return nil, err
		}
	}
	return row, nil
}

func DecodeColumn(raw []byte, slot int) (types.Datum, error) {
	h, b, err := seekSlot(raw, slot)
	if err != nil || b == nil {
		return nil, err
	}
	_ = h
	d, _, err := decodeValue(b, 0)
	return d, err
}

// seekSlot returns the bytes of the slot's value (starting with its tag),
// or nil when the slot is NULL or absent.
func seekSlot(raw []byte, slot int) (rowHeader, []byte, error) {
	h, err := parseRowHeader(raw)
	if err != nil {
		return h, nil, err
	}
	if slot < 0 || slot >= h.nslots || h.isNull(slot) {
		return h, nil, nil
	}
	b := h.body
	for i := 0; i < slot; i++ {
		if h.isNull(i) {
			continue
		}
		if b, err = skipValue(b, 0); err != nil {
			return h, nil, err
		}
	}
	if len(b) == 0 {
		return h, nil, errCorruptRow("truncated")
	}
	return h, b, nil
}

// VectorColumn returns the vector stored in slot of an encoded row without
// copying it where the platform allows (little-endian): the slice aliases
// raw and is valid only as long as raw is, and must not be written. null
// is true when the value is NULL or the row predates the column. nslots is
// the table's slot count, used to check slot.
func VectorColumn(raw []byte, slot int, nslots int) (vec []float32, null bool, err error) {
	if slot < 0 || slot >= nslots {
		return nil, false, pgerr.New(pgerr.InternalError, "storage: slot %d out of range (%d slots)", slot, nslots)
	}
	_, b, err := seekSlot(raw, slot)
	if err != nil {
		return nil, false, err
	}
	if b == nil {
		return nil, true, nil
	}
	if b[0] != valVector {
		return nil, false, pgerr.New(pgerr.InternalError, "storage: slot %d does not hold a vector", slot)
	}
	dim, w := binary.Uvarint(b[1:])
	if w <= 0 || dim > uint64(len(b)-1-w)/4 {
		return nil, false, errCorruptRow("bad vector length")
	}
	data := b[1+w : 1+w+int(dim)*4]
	if dim == 0 {
		return []float32{}, false, nil
	}
	if nativeLittleEndian {
		return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(data))), int(dim)), false, nil
	}
	out := make([]float32, dim)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return out, false, nil
}

// HalfvecColumn is VectorColumn for a halfvec column: the elements'
// binary16 bits, aliasing raw where the platform is little-endian.
func HalfvecColumn(raw []byte, slot int, nslots int) (vec []uint16, null bool, err error) {
	if slot < 0 || slot >= nslots {
		return nil, false, pgerr.New(pgerr.InternalError, "storage: slot %d out of range (%d slots)", slot, nslots)
	}
	_, b, err := seekSlot(raw, slot)
	if err != nil {
		return nil, false, err
	}
	if b == nil {
		return nil, true, nil
	}
	if b[0] != valHalfvec {
		return nil, false, pgerr.New(pgerr.InternalError, "storage: slot %d does not hold a halfvec", slot)
	}
	data, _, err := halfvecBytes(b[1:])
	if err != nil {
		return nil, false, err
	}
	dim := len(data) / 2
	if dim == 0 {
		return []uint16{}, false, nil
	}
	if nativeLittleEndian {
		return unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(data))), dim), false, nil
	}
	out := make([]uint16, dim)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(data[2*i:])
	}
	return out, false, nil
}

// halfvecBytes splits a halfvec payload into its elements' bytes and the
// rest.
func halfvecBytes(b []byte) (data, rest []byte, err error) {
	dim, rest, err := readUvarint(b)
	if err != nil {
		return nil, nil, err
	}
	if dim > uint64(len(rest))/2 {
		return nil, nil, errCorruptRow("bad halfvec length")
	}
	return rest[:2*dim], rest[2*dim:], nil
}

// sparsevecParts splits a sparsevec payload into its dimensions, the
// bytes of its indices and values, and the rest.
func sparsevecParts(b []byte) (dim uint64, indices, values, rest []byte, err error) {
	dim, rest, err = readUvarint(b)
	if err != nil {
		return 0, nil, nil, nil, err
	}
	nnz, rest, err := readUvarint(rest)
	if err != nil {
		return 0, nil, nil, nil, err
	}
	if dim > math.MaxInt32 || nnz > uint64(len(rest))/8 {
		return 0, nil, nil, nil, errCorruptRow("bad sparsevec length")
	}
	return dim, rest[:4*nnz], rest[4*nnz : 8*nnz], rest[8*nnz:], nil
}

// bitsParts splits a bit string payload into its length and bytes, and
// the rest.
func bitsParts(b []byte) (n uint64, data, rest []byte, err error) {
	n, rest, err = readUvarint(b)
	if err != nil {
		return 0, nil, nil, err
	}
	if n > math.MaxInt32 || (n+7)/8 > uint64(len(rest)) {
		return 0, nil, nil, errCorruptRow("bad bit string length")
	}
	nb := (n + 7) / 8
	return n, rest[:nb], rest[nb:], nil
}

func readUvarint(b []byte) (uint64, []byte, error) {
	v, w := binary.Uvarint(b)
	if w <= 0 {
		return 0, nil, errCorruptRow("bad varint")
	}
	return v, b[w:], nil
}

func readVarint(b []byte) (int64, []byte, error) {
	v, w := binary.Varint(b)
	if w <= 0 {
		return 0, nil, errCorruptRow("bad varint")
	}
	return v, b[w:], nil
}

// readLen reads a uvarint length and returns that many bytes.
func readLen(b []byte) (data, rest []byte, err error) {
	n, b, err := readUvarint(b)
	if err != nil {
		return nil, nil, err
	}
	if n > uint64(len(b)) {
		return nil, nil, errCorruptRow("length exceeds row")
	}
	return b[:n], b[n:], nil
}

// decodeValue decodes one tagged value from b.
func decodeValue(b []byte, depth int) (types.Datum, []byte, error) {
	if len(b) == 0 {
		return nil, nil, errCorruptRow("truncated")
	}
	tag, b := b[0], b[1:]
	switch tag {
	case valFalse:
		return false, b, nil
	case valTrue:
		return true, b, nil
	case valInt:
		v, rest, err := readVarint(b)
		return v, rest, err
	case valFloat4:
		if len(b) < 4 {
			return nil, nil, errCorruptRow("truncated real")
		}
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), b[4:], nil
	case valFloat8:
		if len(b) < 8 {
			return nil, nil, errCorruptRow("truncated double")
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), b[8:], nil
	case valNumeric:
		if len(b) < 1 {
			return nil, nil, errCorruptRow("truncated numeric")
		}
		flags := b[0]
		exp, rest, err := readVarint(b[1:])
		if err != nil {
			return nil, nil, err
		}
		coeff, rest, err := readLen(rest)
		if err != nil {
			return nil, nil, err
		}
		form := apd.Form(flags >> 1 & 3)
		if flags > 7 || form > apd.NaN || exp < math.MinInt32 || exp > math.MaxInt32 {
			return nil, nil, errCorruptRow("bad numeric")
		}
		d := &apd.Decimal{Form: form, Negative: flags&1 != 0, Exponent: int32(exp)}
		d.Coeff.SetBytes(coeff)
		return d, rest, nil
	case valString:
		data, rest, err := readLen(b)
		return string(data), rest, err
	case valBytes:
		data, rest, err := readLen(b)
		if err != nil {
			return nil, nil, err
		}
		return append([]byte{}, data...), rest, nil
	case valJSON:
		data, rest, err := readLen(b)
		return types.JSON(data), rest, err
	case valTime:
		sec, rest, err := readVarint(b)
		if err != nil {
			return nil, nil, err
		}
		nsec, rest, err := readUvarint(rest)
		if err != nil {
			return nil, nil, err
		}
		if nsec >= 1e9 {
			return nil, nil, errCorruptRow("bad nanoseconds")
		}
		return time.Unix(sec, int64(nsec)).UTC(), rest, nil
	case valVector:
		dim, rest, err := readUvarint(b)
		if err != nil {
			return nil, nil, err
		}
		if dim > uint64(len(rest))/4 {
			return nil, nil, errCorruptRow("bad vector length")
		}
		v := make(types.Vector, dim)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(rest[4*i:]))
		}
		return v, rest[4*dim:], nil
	case valHalfvec:
		data, rest, err := halfvecBytes(b)
		if err != nil {
			return nil, nil, err
		}
		v := make(types.Halfvec, len(data)/2)
		for i := range v {
			v[i] = binary.LittleEndian.Uint16(data[2*i:])
		}
		return v, rest, nil
	case valSparse:
		dim, indices, values, rest, err := sparsevecParts(b)
		if err != nil {
			return nil, nil, err
		}
		v := types.Sparsevec{Dim: int32(dim), Indices: make([]int32, len(indices)/4), Values: make([]float32, len(values)/4)}
		for i := range v.Indices {
			v.Indices[i] = int32(binary.LittleEndian.Uint32(indices[4*i:]))
			v.Values[i] = math.Float32frombits(binary.LittleEndian.Uint32(values[4*i:]))
		}
		return v, rest, nil
	case valInterval:
		iv, rest, err := intervalParts(b)
		return iv, rest, err
	case valBits:
		n, data, rest, err := bitsParts(b)
		if err != nil {
			return nil, nil, err
		}
		return types.Bits{Len: int32(n), Data: append([]byte{}, data...)}, rest, nil
	case valArray:
		if depth >= maxArrayDepth {
			return nil, nil, errCorruptRow("arrays nested too deep")
		}
		oid, rest, err := readUvarint(b)
		if err != nil {
			return nil, nil, err
		}
		mod, rest, err := readVarint(rest)
		if err != nil {
			return nil, nil, err
		}
		lower, rest, err := readVarint(rest)
		if err != nil {
			return nil, nil, err
		}
		n, rest, err := readUvarint(rest)
		if err != nil {
			return nil, nil, err
		}
		if oid > math.MaxUint32 || mod < math.MinInt32 || mod > math.MaxInt32 ||
			lower < math.MinInt32 || lower > math.MaxInt32 || n > uint64(len(rest)) {
			return nil, nil, errCorruptRow("bad array header")
		}
		a := &types.Array{Elem: types.T{OID: types.OID(oid), Mod: int32(mod)}, LowerBound: int32(lower), Elems: make([]types.Datum, n)}
		for i := range a.Elems {
			if len(rest) > 0 && rest[0] == valNullElem {
				rest = rest[1:]
				continue
			}
			if a.Elems[i], rest, err = decodeValue(rest, depth+1); err != nil {
				return nil, nil, err
			}
		}
		return a, rest, nil
	}
	return nil, nil, errCorruptRow("unknown value tag")
}

// skipValue returns b after the tagged value at its start, without
// decoding (allocating) it.
func skipValue(b []byte, depth int) ([]byte, error) {
	if len(b) == 0 {
		return nil, errCorruptRow("truncated")
	}
	tag, b := b[0], b[1:]
	var err error
	switch tag {
	case valFalse, valTrue:
		return b, nil
	case valInt:
		_, b, err = readVarint(b)
		return b, err
	case valFloat4, valFloat8:
		n := 4
		if tag == valFloat8 {
			n = 8
		}
		if len(b) < n {
			return nil, errCorruptRow("truncated float")
		}
		return b[n:], nil
	case valNumeric:
		if len(b) < 1 {
			return nil, errCorruptRow("truncated numeric")
		}
		if _, b, err = readVarint(b[1:]); err != nil {
			return nil, err
		}
		_, b, err = readLen(b)
		return b, err
	case valString, valBytes, valJSON:
		_, b, err = readLen(b)
		return b, err
	case valTime:
		if _, b, err = readVarint(b); err != nil {
			return nil, err
		}
		_, b, err = readUvarint(b)
		return b, err
	case valVector:
		dim, rest, err := readUvarint(b)
		if err != nil {
			return nil, err
		}
		if dim > uint64(len(rest))/4 {
			return nil, errCorruptRow("bad vector length")
		}
		return rest[4*dim:], nil
	case valHalfvec:
		_, rest, err := halfvecBytes(b)
		return rest, err
	case valSparse:
		_, _, _, rest, err := sparsevecParts(b)
		return rest, err
	case valInterval:
		_, rest, err := intervalParts(b)
		return rest, err
	case valBits:
		_, _, rest, err := bitsParts(b)
		return rest, err
	case valArray:
		if depth >= maxArrayDepth {
			return nil, errCorruptRow("arrays nested too deep")
		}
		for range 3 { // element OID, typmod, lower bound
			if _, b, err = readUvarint(b); err != nil {
				return nil, err
			}
		}
		n, rest, err := readUvarint(b)
		if err != nil {
			return nil, err
		}
		if n > uint64(len(rest)) {
			return nil, errCorruptRow("bad array header")
		}
		for range n {
			if len(rest) > 0 && rest[0] == valNullElem {
				rest = rest[1:]
				continue
			}
			if rest, err = skipValue(rest, depth+1); err != nil {
				return nil, err
			}
		}
		return rest, nil
	}
	return nil, errCorruptRow("unknown value tag")
}

// intervalParts reads an interval's months, days and microseconds.
func intervalParts(b []byte) (types.Interval, []byte, error) {
	var f [3]int64
	for i := range f {
		v, n := binary.Varint(b)
		if n <= 0 {
			return types.Interval{}, nil, errCorruptRow("bad interval")
		}
		f[i], b = v, b[n:]
	}
	if f[0] != int64(int32(f[0])) || f[1] != int64(int32(f[1])) {
		return types.Interval{}, nil, errCorruptRow("bad interval")
	}
	return types.Interval{Months: int32(f[0]), Days: int32(f[1]), Micros: f[2]}, b, nil
}
