package types

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"unicode/utf8"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Bits is a bit(n) or bit varying(n) value: Len bits packed eight a
// byte in Data, PostgreSQL's order, the first bit being the high bit of
// Data[0]. len(Data) is (Len+7)/8 and the unused low bits of the last
// byte are zero, so equal strings have equal bytes.
type Bits struct {
	Len  int32
	Data []byte
}

// Bit string limits: MaxAttrSize*8 for a length modifier, VARBITMAXLEN
// for a value.
const (
	BitMaxTypmod = MaxVarcharLen * 8
	bitMaxLen    = math.MaxInt32 - 7
)

// Bit types without modifiers. Note that SQL's bit without a length is
// bit(1), which the parser spells out; TBit is PostgreSQL's "bit" with
// no length, the type of B'...' literals.
var (
	TBit    = T{BitOID, -1}
	TVarbit = T{VarbitOID, -1}
)

// BitOf returns bit(n).
func BitOf(n int) T { return T{OID: BitOID, Mod: int32(n)} }

// VarbitOf returns bit varying(n).
func VarbitOf(n int) T { return T{OID: VarbitOID, Mod: int32(n)} }

// NewBits returns an all-zero bit string of n bits.
func NewBits(n int) Bits { return Bits{Len: int32(n), Data: make([]byte, (n+7)/8)} }

// Bit returns bit i (0 is the first).
func (b Bits) Bit(i int) bool { return b.Data[i/8]&(0x80>>(i%8)) != 0 }

// set sets bit i of a string being built.
func (b Bits) set(i int) { b.Data[i/8] |= 0x80 >> (i % 8) }

// pad clears the unused bits of the last byte.
func (b Bits) pad() {
	if r := b.Len % 8; r != 0 {
		b.Data[len(b.Data)-1] &= 0xff << (8 - r)
	}
}

// parseBits is bit_in and varbit_in without a modifier: a binary string,
// optionally prefixed by b or B, or a hexadecimal one prefixed by x or X.
func parseBits(s string) (Datum, error) {
	hex := false
	body := s
	if s != "" {
		switch s[0] {
		case 'b', 'B':
			body = s[1:]
		case 'x', 'X':
			hex, body = true, s[1:]
		}
	}
	n := len(body)
	if hex {
		if n > bitMaxLen/4 {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded, "bit string length exceeds the maximum allowed (%d)", bitMaxLen)
		}
		n *= 4
	}
	out := NewBits(n)
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !hex {
			switch c {
			case '1':
				out.set(i)
			case '0':
			default:
				return nil, pgerr.New(pgerr.InvalidTextRepresentation, "\"%s\" is not a valid binary digit", firstChar(body[i:]))
			}
			continue
		}
		if !isHexDigit(c) {
			return nil, pgerr.New(pgerr.InvalidTextRepresentation, "\"%s\" is not a valid hexadecimal digit", firstChar(body[i:]))
		}
		out.Data[i/2] |= hexValue(c) << (4 * (1 - i%2))
	}
	return out, nil
}

// firstChar is the first character of s, as pg_mblen cuts it.
func firstChar(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// appendBits is bit_out and varbit_out: one 0 or 1 a bit.
func appendBits(buf []byte, b Bits) []byte {
	for i := range int(b.Len) {
		if b.Bit(i) {
			buf = append(buf, '1')
		} else {
			buf = append(buf, '0')
		}
	}
	return buf
}

// recvBits is bit_recv and varbit_recv: int32 length in bits, then the
// bytes; the pad bits are cleared.
func recvBits(r *reader) (Datum, error) {
	n := int32(r.uint32())
	if r.err != nil {
		return nil, r.err
	}
	if n < 0 || n > bitMaxLen {
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "invalid length in external bit string")
	}
	data := r.take(int((int64(n) + 7) / 8))
	if r.err != nil {
		return nil, r.err
	}
	out := Bits{Len: n, Data: append([]byte{}, data...)}
	out.pad()
	return out, nil
}

// appendBinaryBits is bit_send.
func appendBinaryBits(buf []byte, b Bits) []byte {
	buf = binary.BigEndian.AppendUint32(buf, uint32(b.Len))
	return append(buf, b.Data...)
}

// CompareBits is bit_cmp, the order of bit and bit varying: the bytes
// compared as memcmp does (so bits in order, the shorter string's pad
// bits being zeros), then the shorter string first. The result is the
// difference of the first differing bytes, as glibc's memcmp and so
// bitcmp return it, or -1, 0 or 1 from the lengths.
func CompareBits(a, b Bits) int {
	n := min(len(a.Data), len(b.Data))
	if i := mismatch(a.Data[:n], b.Data[:n]); i >= 0 {
		return int(a.Data[i]) - int(b.Data[i])
	}
	switch {
	case a.Len < b.Len:
		return -1
	case a.Len > b.Len:
		return 1
	}
	return 0
}

// mismatch returns the first index at which a and b (of equal length)
// differ, or -1.
func mismatch(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

func compareBits(a, b Bits) int {
	switch c := CompareBits(a, b); {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

// coerceBit is the length coercion bit(bit, n, explicit): an explicit
// cast pads with zeros or truncates; otherwise the length must match.
func coerceBit(b Bits, n int32, explicit bool) (Datum, error) {
	if n <= 0 || n > bitMaxLen || n == b.Len {
		return b, nil
	}
	if !explicit {
		return nil, pgerr.New(pgerr.Code("22026"), "bit string length %d does not match type bit(%d)", b.Len, n)
	}
	return resizeBits(b, n), nil
}

// coerceVarbit is varbit(varbit, n, explicit): an explicit cast
// truncates; otherwise a longer string is an error.
func coerceVarbit(b Bits, n int32, explicit bool) (Datum, error) {
	if n <= 0 || n >= b.Len {
		return b, nil
	}
	if !explicit {
		return nil, pgerr.New(pgerr.StringDataRightTruncation, "bit string too long for type bit varying(%d)", n)
	}
	return resizeBits(b, n), nil
}

// resizeBits returns the first n bits of b, padded with zeros.
func resizeBits(b Bits, n int32) Bits {
	out := NewBits(int(n))
	copy(out.Data, b.Data)
	out.pad()
	return out
}

// bitsFromInt is bitfromint4 and bitfromint8: the low n bits of the
// two's complement of v, sign-extended without limit (n <= 0 means 1).
func bitsFromInt(v int64, n int32) Bits {
	if n <= 0 || n > bitMaxLen {
		n = 1
	}
	out := NewBits(int(n))
	for i := range int(n) {
		shift := int(n) - 1 - i
		if (v>>min(shift, 63))&1 != 0 {
			out.set(i)
		}
	}
	return out
}

// bitsToInt is bittoint4 (size 32) and bittoint8 (size 64): the bits as
// an unsigned number of size bits, then reinterpreted as signed.
func bitsToInt(b Bits, size int) (Datum, error) {
	if int(b.Len) > size {
		if size == 32 {
			return nil, pgerr.New(pgerr.NumericValueOutOfRange, "integer out of range")
		}
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "bigint out of range")
	}
	var u uint64
	for i := range int(b.Len) {
		u <<= 1
		if b.Bit(i) {
			u |= 1
		}
	}
	if size == 32 {
		return int64(int32(uint32(u))), nil
	}
	return int64(u), nil
}

// OnesCount returns the number of set bits (bit_count).
func (b Bits) OnesCount() int {
	n := 0
	for _, x := range b.Data {
		n += bits.OnesCount8(x)
	}
	return n
}

// castBitFamily performs the casts between bit and bit varying (the same
// bits) and between the bit types and integers; ok is false for other
// pairs.
func castBitFamily(d Datum, from, to T) (v Datum, ok bool, err error) {
	switch {
	case (from.OID == BitOID || from.OID == VarbitOID) && (to.OID == BitOID || to.OID == VarbitOID):
		v = d
	case (from.OID == Int4OID || from.OID == Int8OID) && to.OID == BitOID:
		v = bitsFromInt(d.(int64), to.Mod)
	case from.OID == BitOID && to.OID == Int4OID:
		v, err = bitsToInt(d.(Bits), 32)
	case from.OID == BitOID && to.OID == Int8OID:
		v, err = bitsToInt(d.(Bits), 64)
	default:
		return nil, false, nil
	}
	return v, true, err
}
