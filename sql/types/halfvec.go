package types

import (
	"encoding/binary"
	"math"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Halfvec is a pgvector halfvec value: the IEEE 754 binary16 bits of its
// elements (1 sign bit, 5 exponent bits, 10 fraction bits). A valid
// halfvec has 1 to VectorMaxDim elements, none of them NaN or infinite.
// Storage keeps the bits as they are (little-endian), so a column can be
// handed to the float16 kernels without conversion.
type Halfvec []uint16

// THalfvec is halfvec without a modifier.
var THalfvec = T{HalfvecOID, -1}

// HalfvecOf returns halfvec(dim).
func HalfvecOf(dim int) T { return T{OID: HalfvecOID, Mod: int32(dim)} }

// Float16 bit fields.
const (
	halfSign     = 0x8000
	halfExpMask  = 0x7c00
	halfFracMask = 0x03ff
)

// HalfToFloat32 widens the binary16 value h to float32, which holds
// every binary16 value exactly. A NaN keeps its sign and payload and
// comes out quiet, as F16C's VCVTPH2PS does.
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h&halfSign) << 16
	exp := uint32(h&halfExpMask) >> 10
	frac := uint32(h & halfFracMask)
	switch exp {
	case 0x1f:
		if frac == 0 {
			return math.Float32frombits(sign | 0x7f800000)
		}
		return math.Float32frombits(sign | 0x7fc00000 | frac<<13)
	case 0:
		// Zero or subnormal: frac units of 2^-24, exact in float32.
		f := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

// halfFromFloat32 rounds f to the nearest binary16 value, ties to even,
// as F16C's VCVTPS2PH and pgvector's Float4ToHalfUnchecked do: finite
// values from 65520 up in magnitude become infinite, values below 2^-25
// become zero, and a NaN stays a quiet NaN with the top of its payload.
func halfFromFloat32(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & halfSign
	exp := int(b>>23) & 0xff
	frac := b & 0x7fffff
	if exp == 0xff {
		if frac == 0 {
			return sign | halfExpMask
		}
		return sign | 0x7e00 | uint16(frac>>13)
	}
	e := exp - 127 + 15 // the binary16 biased exponent
	if e >= 0x1f {
		return sign | halfExpMask
	}
	if e <= 0 {
		// A binary16 subnormal (or zero): the significand with its
		// implicit bit, in units of 2^-24, is m >> (14-e).
		if e < -10 {
			return sign
		}
		m := frac | 0x800000
		shift := uint(14 - e)
		h := m >> shift
		rest := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rest > half || (rest == half && h&1 == 1) {
			h++
		}
		return sign | uint16(h)
	}
	// A carry out of the fraction moves into the exponent, and from the
	// largest exponent on to infinity, as rounding should.
	h := uint32(e)<<10 | frac>>13
	rest := frac & 0x1fff
	if rest > 0x1000 || (rest == 0x1000 && h&1 == 1) {
		h++
	}
	return sign | uint16(h)
}

func halfIsInf(h uint16) bool { return h&0x7fff == halfExpMask }
func halfIsNaN(h uint16) bool { return h&halfExpMask == halfExpMask && h&halfFracMask != 0 }

// HalfFromFloat32 rounds f to binary16 as pgvector's Float4ToHalf does:
// a finite f too large for binary16 fails with 22003 `"70000" is out of
// range for type halfvec`; infinities and NaNs convert (the caller's
// element check rejects them).
func HalfFromFloat32(f float32) (uint16, error) {
	h := halfFromFloat32(f)
	if halfIsInf(h) && !math.IsInf(float64(f), 0) {
		return 0, errHalfOutOfRange(string(appendShortest(nil, float64(f), 32)))
	}
	return h, nil
}

func errHalfOutOfRange(text string) error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "\"%s\" is out of range for type halfvec", text)
}

// Float32s returns v's elements widened to float32.
func (v Halfvec) Float32s() []float32 {
	out := make([]float32, len(v))
	for i, h := range v {
		out[i] = HalfToFloat32(h)
	}
	return out
}

// HalfvecFromFloat32s converts float32 elements to a halfvec as pgvector's
// vector_to_halfvec does: each rounded to nearest (HalfFromFloat32, whose
// error it returns for a finite value too large), the dimensions checked.
func HalfvecFromFloat32s(v []float32) (Halfvec, error) {
	if err := errHalfvecDims(len(v)); err != nil {
		return nil, err
	}
	out := make(Halfvec, len(v))
	for i, f := range v {
		h, err := HalfFromFloat32(f)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

func errHalfvecSyntax(s string) *pgerr.Error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type halfvec: \"%s\"", s)
}

// errHalfvecDims is pgvector's CheckDim for halfvec, or nil if dim is
// allowed.
func errHalfvecDims(dim int) error {
	if dim < 1 {
		return pgerr.New(pgerr.DataException, "halfvec must have at least 1 dimension")
	}
	if dim > VectorMaxDim {
		return pgerr.New(pgerr.ProgramLimitExceeded, "halfvec cannot have more than %d dimensions", VectorMaxDim)
	}
	return nil
}

// CheckHalfvecElement is pgvector's CheckElement for halfvec: NaN and
// infinities are not allowed (22000).
func CheckHalfvecElement(h uint16) error {
	if halfIsNaN(h) {
		return pgerr.New(pgerr.DataException, "NaN not allowed in halfvec")
	}
	if halfIsInf(h) {
		return pgerr.New(pgerr.DataException, "infinite value not allowed in halfvec")
	}
	return nil
}

// parseHalfvec is pgvector's halfvec_in: the syntax of vector, each
// element read as strtof reads a float4 and then rounded to binary16.
func parseHalfvec(s string) (Datum, error) {
	var v Halfvec
	err := scanElements(s, errHalfvecSyntax, errHalfvecDims, func(f float64, rangeErr bool, text string) error {
		h := halfFromFloat32(float32(f))
		if (rangeErr && math.IsInf(f, 0)) || (halfIsInf(h) && !math.IsInf(f, 0)) {
			return errHalfOutOfRange(text)
		}
		if err := CheckHalfvecElement(h); err != nil {
			return err
		}
		v = append(v, h)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// appendHalfvec is halfvec_out: each element widened to float4 and
// printed in float4's shortest form.
func appendHalfvec(buf []byte, v Halfvec) []byte {
	buf = append(buf, '[')
	for i, h := range v {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendShortest(buf, float64(HalfToFloat32(h)), 32)
	}
	return append(buf, ']')
}

// recvHalfvec is halfvec_recv: uint16 dimensions, uint16 unused (0), then
// each element's binary16 bits, all big-endian.
func recvHalfvec(r *reader, mod int32) (Datum, error) {
	dim := int(r.uint16())
	unused := int(r.uint16())
	if r.err != nil {
		return nil, r.err
	}
	if err := errHalfvecDims(dim); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(mod, dim); err != nil {
		return nil, err
	}
	if unused != 0 {
		return nil, pgerr.New(pgerr.DataException, "expected unused to be 0, not %d", unused)
	}
	v := make(Halfvec, dim)
	for i := range v {
		v[i] = r.uint16()
		if r.err != nil {
			return nil, r.err
		}
		if err := CheckHalfvecElement(v[i]); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// appendBinaryHalfvec is halfvec_send.
func appendBinaryHalfvec(buf []byte, v Halfvec) []byte {
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(v)))
	buf = binary.BigEndian.AppendUint16(buf, 0)
	for _, h := range v {
		buf = binary.BigEndian.AppendUint16(buf, h)
	}
	return buf
}

// compareHalfvec is pgvector's halfvec_cmp_internal: elements compared as
// float4 (so -0 = 0), then the shorter vector first.
func compareHalfvec(a, b Halfvec) int {
	for i := range min(len(a), len(b)) {
		x, y := HalfToFloat32(a[i]), HalfToFloat32(b[i])
		if x < y {
			return -1
		}
		if x > y {
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// vectorToHalfvec is pgvector's vector_to_halfvec.
func vectorToHalfvec(v Vector, to T) (Datum, error) {
	if err := errHalfvecDims(len(v)); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(to.Mod, len(v)); err != nil {
		return nil, err
	}
	return HalfvecFromFloat32s(v)
}

// halfvecToVector is pgvector's halfvec_to_vector.
func halfvecToVector(v Halfvec, to T) (Datum, error) {
	if err := errVectorDims(len(v)); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(to.Mod, len(v)); err != nil {
		return nil, err
	}
	return Vector(v.Float32s()), nil
}

// halfvecToArray is pgvector's halfvec_to_float4.
func halfvecToArray(v Halfvec) *Array {
	a := &Array{Elem: TFloat4, Elems: make([]Datum, len(v)), LowerBound: 1}
	for i, h := range v {
		a.Elems[i] = float64(HalfToFloat32(h))
	}
	return a
}

// arrayElemFloat32 converts an element of an integer[], real[], double
// precision[] or numeric[] array to float4 as pgvector's array_to_*
// functions do: integers and doubles by a C cast, numerics through
// numeric_float4 (whose range error it returns).
func arrayElemFloat32(e Datum) (float32, error) {
	switch x := e.(type) {
	case int64:
		return float32(x), nil
	case float64:
		return float32(x), nil
	case *Decimal:
		f, err := numericToFloat(x, 32)
		if err != nil {
			return 0, err
		}
		return float32(f.(float64)), nil
	}
	return 0, pgerr.New(pgerr.DataException, "unsupported array type")
}

// checkArrayNoNulls fails as pgvector's array casts do on a NULL element.
func checkArrayNoNulls(a *Array) error {
	for _, e := range a.Elems {
		if e == nil {
			return pgerr.New(pgerr.NullValueNotAllowed, "array must not contain nulls")
		}
	}
	return nil
}

// arrayToHalfvec is pgvector's array_to_halfvec.
func arrayToHalfvec(a *Array, to T) (Datum, error) {
	if err := checkArrayNoNulls(a); err != nil {
		return nil, err
	}
	if err := errHalfvecDims(len(a.Elems)); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(to.Mod, len(a.Elems)); err != nil {
		return nil, err
	}
	v := make(Halfvec, len(a.Elems))
	for i, e := range a.Elems {
		f, err := arrayElemFloat32(e)
		if err != nil {
			return nil, err
		}
		if v[i], err = HalfFromFloat32(f); err != nil {
			return nil, err
		}
	}
	for _, h := range v {
		if err := CheckHalfvecElement(h); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// halfKey maps a binary16 value to a uint16 whose unsigned order is the
// order of the values, with -0 equal to +0 (for keys and hashing).
func halfKey(h uint16) uint16 {
	if h == halfSign {
		h = 0
	}
	if h&halfSign != 0 {
		return ^h
	}
	return h | halfSign
}

// castVectorFamily performs pgvector's casts among vector, halfvec and
// sparsevec and from halfvec to real[]; ok is false for other pairs.
func castVectorFamily(d Datum, from, to T) (v Datum, ok bool, err error) {
	switch {
	case from.OID == VectorOID && to.OID == HalfvecOID:
		v, err = vectorToHalfvec(d.(Vector), to)
	case from.OID == VectorOID && to.OID == SparsevecOID:
		x := d.(Vector)
		v, err = sparseFromDense(len(x), func(i int) float32 { return x[i] }, to)
	case from.OID == HalfvecOID && to.OID == VectorOID:
		v, err = halfvecToVector(d.(Halfvec), to)
	case from.OID == HalfvecOID && to.OID == SparsevecOID:
		x := d.(Halfvec)
		v, err = sparseFromDense(len(x), func(i int) float32 { return HalfToFloat32(x[i]) }, to)
	case from.OID == HalfvecOID && to.OID == Float4ArrayOID:
		v = halfvecToArray(d.(Halfvec))
	case from.OID == SparsevecOID && to.OID == VectorOID:
		v, err = sparsevecToVector(d.(Sparsevec), to)
	case from.OID == SparsevecOID && to.OID == HalfvecOID:
		v, err = sparsevecToHalfvec(d.(Sparsevec), to)
	default:
		return nil, false, nil
	}
	return v, true, err
}
