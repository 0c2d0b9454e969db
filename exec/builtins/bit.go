package builtins

import (
	"math"

	"github.com/vecgres/vecgres/kernels"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// PostgreSQL's bit and bit varying (varbit.c) and pgvector's bit
// distances and binary_quantize. Most functions are defined on bit only;
// bit varying reaches them by its implicit cast to bit, as in
// PostgreSQL.

func bitsOf(d types.Datum) types.Bits { return d.(types.Bits) }

// errBitLengths is pgvector's error for bit strings of different lengths.
func errBitLengths(a, b types.Bits) error {
	return pgerr.New(pgerr.DataException, "different bit lengths %d and %d", a.Len, b.Len)
}

// BitDistance computes pgvector's `<~>` (hamming) or `<%>` (jaccard)
// between two bit strings of equal length.
func BitDistance(op string, a, b types.Bits) float64 {
	if op == "<~>" {
		return float64(kernels.HammingDistance(a.Data, b.Data))
	}
	return kernels.JaccardDistance(a.Data, b.Data)
}

func bitDistance(op string) Overload {
	return Overload{Args: sig(types.BitOID, types.BitOID), Ret: types.TFloat8,
		Impl: func(_ planner.Env, args []types.Datum) (types.Datum, error) {
			a, b := bitsOf(args[0]), bitsOf(args[1])
			if a.Len != b.Len {
				return nil, errBitLengths(a, b)
			}
			return BitDistance(op, a, b), nil
		}}
}

// bitwise is bitand, bitor and bitxor: both strings must have the same
// length (22026 "cannot AND bit strings of different sizes").
func bitwise(verb string, f func(x, y byte) byte) func(a, b types.Bits) (types.Datum, error) {
	return func(a, b types.Bits) (types.Datum, error) {
		if a.Len != b.Len {
			return nil, pgerr.New(pgerr.Code("22026"), "cannot %s bit strings of different sizes", verb)
		}
		out := types.NewBits(int(a.Len))
		for i := range out.Data {
			out.Data[i] = f(a.Data[i], b.Data[i])
		}
		return out, nil
	}
}

var (
	bitAnd = bitwise("AND", func(x, y byte) byte { return x & y })
	bitOr  = bitwise("OR", func(x, y byte) byte { return x | y })
	bitXor = bitwise("XOR", func(x, y byte) byte { return x ^ y })
)

// bitNot is bitnot: every bit flipped, the pad bits left zero.
func bitNot(a types.Bits) types.Bits {
	out := types.NewBits(int(a.Len))
	for i, x := range a.Data {
		out.Data[i] = ^x
	}
	clearPad(out)
	return out
}

func clearPad(b types.Bits) {
	if r := b.Len % 8; r != 0 {
		b.Data[len(b.Data)-1] &= 0xff << (8 - r)
	}
}

func setBit(b types.Bits, i int) { b.Data[i/8] |= 0x80 >> (i % 8) }

// bitShift is bitshiftleft (n > 0) and bitshiftright (n < 0): the bits
// move within the same length and zeros come in.
func bitShift(a types.Bits, n int64) types.Bits {
	out := types.NewBits(int(a.Len))
	for i := range int64(a.Len) {
		if j := i + n; j >= 0 && j < int64(a.Len) && a.Bit(int(j)) {
			setBit(out, int(i))
		}
	}
	return out
}

// bitConcat is bitcat.
func bitConcat(a, b types.Bits) (types.Datum, error) {
	n := int64(a.Len) + int64(b.Len)
	if n > math.MaxInt32-7 {
		return nil, pgerr.New(pgerr.ProgramLimitExceeded, "bit string length exceeds the maximum allowed (%d)", math.MaxInt32-7)
	}
	out := types.NewBits(int(n))
	copy(out.Data, a.Data)
	for i := range int(b.Len) {
		if b.Bit(i) {
			setBit(out, int(a.Len)+i)
		}
	}
	return out, nil
}

// bitSubstring is bitsubstr and bitsubstr_no_len: bits start..start+n-1
// (1-based), clipped to the string; a negative length is an error.
func bitSubstring(a types.Bits, start int64, n int64, hasLen bool) (types.Datum, error) {
	bitlen := int64(a.Len)
	s := max(start, 1)
	var e int64
	switch {
	case !hasLen:
		e = bitlen + 1
	case n < 0:
		return nil, pgerr.New(pgerr.SubstringError, "negative substring length not allowed")
	case start+n > math.MaxInt32:
		e = bitlen + 1
	default:
		e = min(start+n, bitlen+1)
	}
	if s > bitlen || e <= s {
		return types.NewBits(0), nil
	}
	out := types.NewBits(int(e - s))
	for i := range e - s {
		if a.Bit(int(s - 1 + i)) {
			setBit(out, int(i))
		}
	}
	return out, nil
}

// bitPosition is bitposition: the 1-based position of the first
// occurrence of sub in a, 0 if none, 1 for an empty sub.
func bitPosition(a, sub types.Bits) int64 {
	if sub.Len == 0 {
		return 1
	}
	for i := 0; i+int(sub.Len) <= int(a.Len); i++ {
		match := true
		for j := range int(sub.Len) {
			if a.Bit(i+j) != sub.Bit(j) {
				match = false
				break
			}
		}
		if match {
			return int64(i) + 1
		}
	}
	return 0
}

// bitOverlay is bitoverlay: a with n bits from start replaced by b.
func bitOverlay(a, b types.Bits, start, n int64) (types.Datum, error) {
	if start <= 0 {
		return nil, pgerr.New(pgerr.SubstringError, "negative substring length not allowed")
	}
	if start+n > math.MaxInt32 || start+n < math.MinInt32 {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "integer out of range")
	}
	head, err := bitSubstring(a, 1, start-1, true)
	if err != nil {
		return nil, err
	}
	tail, err := bitSubstring(a, start+n, 0, false)
	if err != nil {
		return nil, err
	}
	out, err := bitConcat(bitsOf(head), b)
	if err != nil {
		return nil, err
	}
	return bitConcat(bitsOf(out), bitsOf(tail))
}

func bitIndexError(n int64, a types.Bits) error {
	return pgerr.New(pgerr.ArraySubscriptError, "bit index %d out of valid range (0..%d)", n, a.Len-1)
}

// binaryQuantize is pgvector's binary_quantize: bit i is set when element
// i is positive.
func binaryQuantize(n int, positive func(i int) bool) types.Bits {
	out := types.NewBits(n)
	for i := range n {
		if positive(i) {
			setBit(out, i)
		}
	}
	return out
}

func addBit(r *Registry) {
	r.addBinary("<~>", bitDistance("<~>"))
	r.addBinary("<%>", bitDistance("<%>"))
	r.addFunc("hamming_distance", bitDistance("<~>"))
	r.addFunc("jaccard_distance", bitDistance("<%>"))
	r.addFunc("binary_quantize", Overload{Args: sig(types.VectorOID), Ret: types.TBit,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			v := vec(a[0])
			return binaryQuantize(len(v), func(i int) bool { return v[i] > 0 }), nil
		}})
	r.addFunc("binary_quantize", Overload{Args: sig(types.HalfvecOID), Ret: types.TBit,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			v := half(a[0])
			return binaryQuantize(len(v), func(i int) bool { return types.HalfToFloat32(v[i]) > 0 }), nil
		}})

	bin := func(f func(a, b types.Bits) (types.Datum, error)) Overload {
		return Overload{Args: sig(types.BitOID, types.BitOID), Ret: types.TBit,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return f(bitsOf(a[0]), bitsOf(a[1])) }}
	}
	r.addBinary("&", bin(bitAnd))
	r.addBinary("|", bin(bitOr))
	r.addBinary("#", bin(bitXor))
	r.addFunc("bitand", bin(bitAnd))
	r.addFunc("bitor", bin(bitOr))
	r.addFunc("bitxor", bin(bitXor))
	r.addPrefix("~", Overload{Args: sig(types.BitOID), Ret: types.TBit,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return bitNot(bitsOf(a[0])), nil }})
	shift := func(sign int64) Overload {
		return Overload{Args: sig(types.BitOID, types.Int4OID), Ret: types.TBit,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				return bitShift(bitsOf(a[0]), sign*a[1].(int64)), nil
			}}
	}
	r.addBinary("<<", shift(1))
	r.addBinary(">>", shift(-1))
	concat := Overload{Args: sig(types.VarbitOID, types.VarbitOID), Ret: types.TVarbit,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return bitConcat(bitsOf(a[0]), bitsOf(a[1]))
		}}
	r.addBinary("||", concat)
	r.addFunc("bitcat", concat)

	for _, t := range []struct {
		oid  types.OID
		name string
	}{{types.BitOID, "bit"}, {types.VarbitOID, "varbit"}} {
		for _, op := range comparisonOps {
			test := op.test
			r.addBinary(op.name, Overload{Args: sig(t.oid, t.oid), Ret: types.TBool,
				Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
					return test(types.CompareBits(bitsOf(a[0]), bitsOf(a[1]))), nil
				}})
		}
		// bitcmp returns memcmp's difference, not just its sign.
		r.addFunc(t.name+"cmp", Overload{Args: sig(t.oid, t.oid), Ret: types.TInt4,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
				return int64(types.CompareBits(bitsOf(a[0]), bitsOf(a[1]))), nil
			}})
	}

	intOf := func(f func(b types.Bits) int64) Overload {
		return Overload{Args: sig(types.BitOID), Ret: types.TInt4,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return f(bitsOf(a[0])), nil }}
	}
	r.addFunc("length", intOf(func(b types.Bits) int64 { return int64(b.Len) }))
	r.addFunc("bit_length", intOf(func(b types.Bits) int64 { return int64(b.Len) }))
	r.addFunc("octet_length", intOf(func(b types.Bits) int64 { return int64(len(b.Data)) }))
	r.addFunc("bit_count", Overload{Args: sig(types.BitOID), Ret: types.TInt8,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return int64(bitsOf(a[0]).OnesCount()), nil }})
	r.addFunc("get_bit", Overload{Args: sig(types.BitOID, types.Int4OID), Ret: types.TInt4,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			b, n := bitsOf(a[0]), a[1].(int64)
			if n < 0 || n >= int64(b.Len) {
				return nil, bitIndexError(n, b)
			}
			if b.Bit(int(n)) {
				return int64(1), nil
			}
			return int64(0), nil
		}})
	r.addFunc("set_bit", Overload{Args: sig(types.BitOID, types.Int4OID, types.Int4OID), Ret: types.TBit,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			b, n, v := bitsOf(a[0]), a[1].(int64), a[2].(int64)
			if n < 0 || n >= int64(b.Len) {
				return nil, bitIndexError(n, b)
			}
			if v != 0 && v != 1 {
				return nil, pgerr.New(pgerr.InvalidParameterValue, "new bit must be 0 or 1")
			}
			out := types.Bits{Len: b.Len, Data: append([]byte{}, b.Data...)}
			mask := byte(0x80) >> (n % 8)
			if v == 1 {
				out.Data[n/8] |= mask
			} else {
				out.Data[n/8] &^= mask
			}
			return out, nil
		}})
	r.addFunc("substring", Overload{Args: sig(types.BitOID, types.Int4OID), Ret: types.TBit,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return bitSubstring(bitsOf(a[0]), a[1].(int64), 0, false)
		}})
	r.addFunc("substring", Overload{Args: sig(types.BitOID, types.Int4OID, types.Int4OID), Ret: types.TBit,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return bitSubstring(bitsOf(a[0]), a[1].(int64), a[2].(int64), true)
		}})
	r.addFunc("position", Overload{Args: sig(types.BitOID, types.BitOID), Ret: types.TInt4,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return bitPosition(bitsOf(a[0]), bitsOf(a[1])), nil
		}})
	r.addFunc("overlay", Overload{Args: sig(types.BitOID, types.BitOID, types.Int4OID), Ret: types.TBit,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			b := bitsOf(a[1])
			return bitOverlay(bitsOf(a[0]), b, a[2].(int64), int64(b.Len))
		}})
	r.addFunc("overlay", Overload{Args: sig(types.BitOID, types.BitOID, types.Int4OID, types.Int4OID), Ret: types.TBit,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return bitOverlay(bitsOf(a[0]), bitsOf(a[1]), a[2].(int64), a[3].(int64))
		}})

	for _, agg := range []struct {
		name string
		f    func(a, b types.Bits) (types.Datum, error)
	}{{"bit_and", bitAnd}, {"bit_or", bitOr}, {"bit_xor", bitXor}} {
		r.addAgg(agg.name, AggOverload{Args: sig(types.BitOID), Ret: types.TBit, New: fixed(func() planner.Accumulator {
			var acc types.Datum
			return &accFunc{
				add: func(a []types.Datum) error {
					if acc == nil {
						acc = a[0]
						return nil
					}
					v, err := agg.f(bitsOf(acc), bitsOf(a[0]))
					if err != nil {
						return err
					}
					acc = v
					return nil
				},
				result: func() (types.Datum, error) { return acc, nil },
			}
		})})
	}
}
