package kernels

import (
	"encoding/binary"
	"math/bits"
)

// HammingDistance returns the number of bits that differ between a and b,
// pgvector's `<~>` for bit(n) packed eight bits a byte, as PostgreSQL packs
// bit strings (the unused low bits of the last byte are zero).
// It panics if len(a) != len(b).
func HammingDistance(a, b []byte) uint64 {
	if len(a) != len(b) {
		panic(lengthError{len(a), len(b)})
	}
	return active.hamming(a, b)
}

// JaccardDistance returns pgvector's `<%>` for bit(n): 1 - |a∧b| / |a∨b|
// in float64, counting set bits, and 1 when a and b share no set bit, which
// includes two all-zero vectors (pgvector returns 1 there, not NaN).
// It panics if len(a) != len(b).
func JaccardDistance(a, b []byte) float64 {
	if len(a) != len(b) {
		panic(lengthError{len(a), len(b)})
	}
	and, or := active.jaccard(a, b)
	return jaccardDistance(and, or)
}

func jaccardDistance(and, or uint64) float64 {
	if and == 0 {
		return 1
	}
	return 1 - float64(and)/float64(or)
}

func hammingGo(a, b []byte) uint64 {
	b = b[:len(a)]
	var n int
	i := 0
	for ; i+8 <= len(a); i += 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]))
	}
	for ; i < len(a); i++ {
		n += bits.OnesCount8(a[i] ^ b[i])
	}
	return uint64(n)
}

func jaccardGo(a, b []byte) (and, or uint64) {
	b = b[:len(a)]
	var nAnd, nOr int
	i := 0
	for ; i+8 <= len(a); i += 8 {
		x, y := binary.LittleEndian.Uint64(a[i:]), binary.LittleEndian.Uint64(b[i:])
		nAnd += bits.OnesCount64(x & y)
		nOr += bits.OnesCount64(x | y)
	}
	for ; i < len(a); i++ {
		nAnd += bits.OnesCount8(a[i] & b[i])
		nOr += bits.OnesCount8(a[i] | b[i])
	}
	return uint64(nAnd), uint64(nOr)
}
