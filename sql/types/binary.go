package types

import (
	"encoding/binary"
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Binary formats are each type's send/recv functions, in network byte
// order. A value too short for its type fails as pq_getmsg* does
// ("insufficient data left in message", 08P01); bytes left over fail with
// 22P03 "incorrect binary data format", which the server may extend with
// the parameter number as PostgreSQL's bind does.

// reader consumes a binary value.
type reader struct {
	b   []byte
	err error
}

func errShortData() error {
	return pgerr.New(pgerr.ProtocolViolation, "insufficient data left in message")
}

func errBinaryFormat() error {
	return pgerr.New(pgerr.InvalidBinaryRepresentation, "incorrect binary data format")
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = errShortData()
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) uint16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) uint32() uint32 {
	if b := r.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *reader) uint64() uint64 {
	if b := r.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// done returns the first error, or 22P03 if bytes are left over.
func (r *reader) done() error {
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return errBinaryFormat()
	}
	return nil
}

// ParseBinary is the recv function of type t: it decodes b, the binary
// form of a non-NULL value, and applies t's modifier as the recv
// functions do, with assignment semantics (a too long varchar(n) value is
// an error, not truncated).
func ParseBinary(t T, b []byte) (Datum, error) {
	r := &reader{b: b}
	d, err := recv(r, t)
	if err == nil {
		err = r.done()
	}
	if err != nil {
		return nil, err
	}
	if t.Mod < 0 {
		return d, nil
	}
	return CoerceTypmod(d, t, false)
}

func recv(r *reader, t T) (Datum, error) {
	switch t.OID {
	case BoolOID:
		b := r.take(1)
		return b != nil && b[0] != 0, r.err
	case Int2OID:
		return int64(int16(r.uint16())), r.err
	case Int4OID:
		return int64(int32(r.uint32())), r.err
	case Int8OID:
		return int64(r.uint64()), r.err
	case OidOID, RegclassOID, RegtypeOID, RegprocOID, RegprocedureOID, RegoperOID, RegoperatorOID,
		RegnamespaceOID, RegroleOID, RegcollationOID, XidOID, CidOID:
		return int64(r.uint32()), r.err
	case Float4OID:
		return float64(math.Float32frombits(r.uint32())), r.err
	case Float8OID:
		return math.Float64frombits(r.uint64()), r.err
	case NumericOID:
		return recvNumeric(r)
	case TextOID, VarcharOID, BpcharOID, NameOID, UnknownOID:
		s := string(r.take(len(r.b)))
		if err := checkText(s); err != nil {
			return nil, err
		}
		if t.OID == NameOID && len(s) >= NameDataLen {
			return nil, pgerr.New(pgerr.NameTooLong, "identifier too long").
				WithDetail("Identifier must be less than %d characters.", NameDataLen)
		}
		return s, nil
	case CharOID:
		b := r.take(1)
		if b == nil || b[0] == 0 {
			return "", r.err
		}
		return string(b), nil
	case ByteaOID:
		return append([]byte{}, r.take(len(r.b))...), nil
	case DateOID:
		return recvDate(r)
	case TimestampOID, TimestampTZOID:
		return recvTimestamp(r)
	case JSONOID:
		return parseJSON(string(r.take(len(r.b))))
	case JSONBOID:
		return recvJSONB(r)
	case VectorOID:
		return recvVector(r, t.Mod)
	case HalfvecOID:
		return recvHalfvec(r, t.Mod)
	case SparsevecOID:
		return recvSparsevec(r, t.Mod)
	case BitOID, VarbitOID:
		return recvBits(r)
	case IntervalOID:
		return recvInterval(r)
	}
	if elem, ok := ElemOf(t.OID); ok {
		return recvArray(r, T{OID: elem, Mod: t.Mod})
	}
	return nil, errNoIO(t)
}

// AppendBinary appends the send function's binary form of d, a non-NULL
// value of type t, to buf.
func AppendBinary(buf []byte, t T, d Datum) ([]byte, error) {
	switch v := d.(type) {
	case bool:
		if v {
			return append(buf, 1), nil
		}
		return append(buf, 0), nil
	case int64:
		return appendBinaryInt(buf, t, v)
	case float64:
		if t.OID == Float4OID {
			return binary.BigEndian.AppendUint32(buf, float4Bits(float32(v))), nil
		}
		return binary.BigEndian.AppendUint64(buf, float8Bits(v)), nil
	case *apd.Decimal:
		return appendBinaryNumeric(buf, v), nil
	case string:
		if t.OID == CharOID && v == "" {
			return append(buf, 0), nil
		}
		return append(buf, v...), nil
	case []byte:
		return append(buf, v...), nil
	case time.Time:
		if t.OID == DateOID {
			return binary.BigEndian.AppendUint32(buf, uint32(daysFromDate(v))), nil
		}
		return binary.BigEndian.AppendUint64(buf, uint64(microsFromTime(v))), nil
	case JSON:
		if t.OID == JSONBOID {
			buf = append(buf, 1)
		}
		return append(buf, v...), nil
	case Vector:
		return appendBinaryVector(buf, v), nil
	case Halfvec:
		return appendBinaryHalfvec(buf, v), nil
	case Sparsevec:
		return appendBinarySparsevec(buf, v), nil
	case Bits:
		return appendBinaryBits(buf, v), nil
	case Interval:
		return appendBinaryInterval(buf, v), nil
	case *Array:
		return appendBinaryArray(buf, v)
	}
	return nil, errNoIO(t)
}

func appendBinaryInt(buf []byte, t T, v int64) ([]byte, error) {
	switch t.OID {
	case Int2OID:
		return binary.BigEndian.AppendUint16(buf, uint16(v)), nil
	case Int4OID:
		return binary.BigEndian.AppendUint32(buf, uint32(v)), nil
	}
	if isUint32Type(t.OID) {
		return binary.BigEndian.AppendUint32(buf, uint32(v)), nil
	}
	return binary.BigEndian.AppendUint64(buf, uint64(v)), nil
}

// float8Bits returns f's IEEE bits, with NaN as PostgreSQL's quiet NaN.
func float8Bits(f float64) uint64 {
	if f != f {
		return 0x7ff8000000000000
	}
	return math.Float64bits(f)
}

// float4Bits is float8Bits for float4.
func float4Bits(f float32) uint32 {
	if f != f {
		return 0x7fc00000
	}
	return math.Float32bits(f)
}

// Sign words of PostgreSQL's numeric binary format.
const (
	signPos  = 0x0000
	signNeg  = 0x4000
	signNaN  = 0xC000
	signPInf = 0xD000
	signNInf = 0xF000
)

// appendBinaryNumeric is numeric_send: ndigits, weight, sign, dscale, then
// base-10000 digits with leading and trailing zero digits stripped.
func appendBinaryNumeric(buf []byte, d *apd.Decimal) []byte {
	var sign uint16
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		sign = signNaN
	case apd.Infinite:
		sign = signPInf
		if d.Negative {
			sign = signNInf
		}
	}
	if sign != 0 {
		// numeric_send reads the special value's header as a short
		// numeric, so infinities carry a display scale of 32.
		var scale uint64
		if sign != signNaN {
			scale = 0x20
		}
		return binary.BigEndian.AppendUint64(buf, uint64(sign)<<16|scale)
	}
	digits, weight := numericGroups(d)
	if d.Negative {
		sign = signNeg
	}
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(digits)))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(dscale(d)))
	for _, g := range digits {
		buf = binary.BigEndian.AppendUint16(buf, g)
	}
	return buf
}

// numericGroups splits a finite numeric into base-10000 digits and the
// weight of the first, stripped of zero digits at both ends.
func numericGroups(d *apd.Decimal) ([]uint16, int) {
	if d.IsZero() {
		return nil, 0
	}
	s := d.Coeff.String()
	scale := int(-d.Exponent)
	var intPart, fracPart string
	if len(s) > scale {
		intPart, fracPart = s[:len(s)-scale], s[len(s)-scale:]
	} else {
		fracPart = strings.Repeat("0", scale-len(s)) + s
	}
	if r := len(intPart) % 4; r != 0 {
		intPart = strings.Repeat("0", 4-r) + intPart
	}
	if r := len(fracPart) % 4; r != 0 {
		fracPart += strings.Repeat("0", 4-r)
	}
	all := intPart + fracPart
	groups := make([]uint16, 0, len(all)/4)
	for i := 0; i < len(all); i += 4 {
		var g uint16
		for _, c := range all[i : i+4] {
			g = g*10 + uint16(c-'0')
		}
		groups = append(groups, g)
	}
	weight := len(intPart)/4 - 1
	for len(groups) > 0 && groups[0] == 0 {
		groups = groups[1:]
		weight--
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	return groups, weight
}

// recvNumeric is numeric_recv.
func recvNumeric(r *reader) (Datum, error) {
	n := int(r.uint16())
	weight := int(int16(r.uint16()))
	sign := r.uint16()
	scale := r.uint16()
	if r.err != nil {
		return nil, r.err
	}
	switch sign {
	case signPos, signNeg:
	case signNaN:
		return numericNaN, nil
	case signPInf:
		return numericPosInf, nil
	case signNInf:
		return numericNegInf, nil
	default:
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid sign in external \"numeric\" value")
	}
	if scale > NumericMaxDscale {
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid scale in external \"numeric\" value")
	}
	digits := make([]byte, 0, 4*n)
	for range n {
		g := r.uint16()
		if g >= 10000 {
			return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid digit in external \"numeric\" value")
		}
		digits = append(digits, '0'+byte(g/1000), '0'+byte(g/100%10), '0'+byte(g/10%10), '0'+byte(g%10))
	}
	if r.err != nil {
		return nil, r.err
	}
	d := &apd.Decimal{Negative: sign == signNeg}
	if n > 0 {
		setDigits(&d.Coeff, string(digits))
		d.Exponent = int32(4 * (weight - n + 1))
	}
	return normalize(rescale(d, int32(scale), true))
}

// recvVector is pgvector's vector_recv.
func recvVector(r *reader, mod int32) (Datum, error) {
	dim := int(r.uint16())
	unused := int(r.uint16())
	if r.err != nil {
		return nil, r.err
	}
	if err := errVectorDims(dim); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(mod, dim); err != nil {
		return nil, err
	}
	if unused != 0 {
		return nil, pgerr.New(pgerr.DataException, "expected unused to be 0, not %d", unused)
	}
	// One pass over the elements present, as pgvector reads them: the
	// first NaN or infinity is reported before a message too short for
	// the rest.
	n := min(dim, len(r.b)/4)
	v := make(Vector, dim)
	b := r.b[:4*n]
	for i := range n {
		bits := binary.BigEndian.Uint32(b[4*i:])
		if bits&float32ExponentMask == float32ExponentMask {
			return nil, checkVectorElement(float64(math.Float32frombits(bits)))
		}
		v[i] = math.Float32frombits(bits)
	}
	if n < dim {
		r.err = errShortData()
		return nil, r.err
	}
	r.b = r.b[4*n:]
	return v, nil
}

// float32ExponentMask selects a float32's exponent bits, all set only in
// NaNs and infinities.
const float32ExponentMask = 0x7f800000

// appendBinaryVector is pgvector's vector_send.
func appendBinaryVector(buf []byte, v Vector) []byte {
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(v)))
	buf = binary.BigEndian.AppendUint16(buf, 0)
	for _, x := range v {
		buf = binary.BigEndian.AppendUint32(buf, float4Bits(x))
	}
	return buf
}

// Array limits: MaxArraySize, MAXDIM, and FirstGenbkiObjectId, below
// which OIDs are built in.
const (
	maxArrayElems  = 0x7FFFFFF
	maxArrayDims   = 6
	firstGenbkiOID = 10000
)

// formatTypeAllowInvalid is format_type_extended with
// FORMAT_TYPE_ALLOW_INVALID: "???" for an unknown OID.
func formatTypeAllowInvalid(oid OID) string {
	if _, ok := Lookup(oid); !ok {
		return "???"
	}
	return TypeName(oid)
}

// recvArray is array_recv for one-dimensional arrays: ndim, has-null
// flag, element OID, then length and lower bound per dimension and each
// element as int32 length (-1 for NULL) plus its binary form.
func recvArray(r *reader, elem T) (Datum, error) {
	ndim := int32(r.uint32())
	flags := int32(r.uint32())
	elemOID := OID(r.uint32())
	if r.err != nil {
		return nil, r.err
	}
	if ndim < 0 {
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid number of dimensions: %d", ndim)
	}
	if ndim > maxArrayDims {
		return nil, pgerr.New(pgerr.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", ndim, maxArrayDims)
	}
	if flags != 0 && flags != 1 {
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid array flags")
	}
	// Like PostgreSQL, complain about a different element type only when
	// both are built in; otherwise read the elements as the expected type.
	if elemOID != elem.OID && elemOID < firstGenbkiOID && elem.OID < firstGenbkiOID {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "binary data has array element type %d (%s) instead of expected %d (%s)",
			elemOID, formatTypeAllowInvalid(elemOID), elem.OID, formatTypeAllowInvalid(elem.OID))
	}
	a := &Array{Elem: elem, LowerBound: 1}
	if ndim == 0 {
		return a, nil
	}
	if ndim > 1 {
		return nil, errMultiDim()
	}
	n := int32(r.uint32())
	a.LowerBound = int32(r.uint32())
	if r.err != nil {
		return nil, r.err
	}
	if n < 0 || n > maxArrayElems {
		return nil, pgerr.New(pgerr.ProgramLimitExceeded, "array size exceeds the maximum allowed (%d)", maxArrayElems)
	}
	if n == 0 {
		// An array without elements has no dimensions, and so no bounds.
		return &Array{Elem: elem, LowerBound: 1}, nil
	}
	if int64(a.LowerBound)+int64(n) > math.MaxInt32 {
		return nil, pgerr.New(pgerr.ProgramLimitExceeded, "array upper bound is too large")
	}
	a.Elems = make([]Datum, 0, min(int(n), len(r.b)/4))
	for i := range n {
		size := int32(r.uint32())
		if r.err != nil {
			return nil, r.err
		}
		if size == -1 {
			a.Elems = append(a.Elems, nil)
			continue
		}
		if size < -1 || int(size) > len(r.b) {
			return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "insufficient data left in message")
		}
		sub := &reader{b: r.take(int(size))}
		e, err := recv(sub, elem)
		if err != nil {
			return nil, err
		}
		if len(sub.b) != 0 {
			return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "improper binary format in array element %d", i+1)
		}
		a.Elems = append(a.Elems, e)
	}
	return a, nil
}

func errMultiDim() error {
	return pgerr.New(pgerr.FeatureNotSupported, "multidimensional arrays are not supported")
}

// appendBinaryArray is array_send.
func appendBinaryArray(buf []byte, a *Array) ([]byte, error) {
	hasNull := uint32(0)
	for _, e := range a.Elems {
		if e == nil {
			hasNull = 1
		}
	}
	if len(a.Elems) == 0 {
		buf = binary.BigEndian.AppendUint32(buf, 0)
		buf = binary.BigEndian.AppendUint32(buf, 0)
		return binary.BigEndian.AppendUint32(buf, uint32(a.Elem.OID)), nil
	}
	buf = binary.BigEndian.AppendUint32(buf, 1)
	buf = binary.BigEndian.AppendUint32(buf, hasNull)
	buf = binary.BigEndian.AppendUint32(buf, uint32(a.Elem.OID))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(a.Elems)))
	buf = binary.BigEndian.AppendUint32(buf, uint32(lowerBound(a)))
	for _, e := range a.Elems {
		if e == nil {
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32)
			continue
		}
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		buf, err = AppendBinary(buf, a.Elem, e)
		if err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf, nil
}

// lowerBound is a's lower bound, 1 when unset.
func lowerBound(a *Array) int32 {
	if a.LowerBound == 0 {
		return 1
	}
	return a.LowerBound
}
