//go:build !purego

package hnsw

import "unsafe"

// dotU8I16AVX2 returns the sum of codes[i]·q[i] for i < n, n a multiple
// of 16, in int32. It needs AVX2.
//
//go:noescape
func dotU8I16AVX2(codes *uint8, q *int16, n int) int32

// prefetch asks the CPU to load the first lines cache lines at each of
// n addresses (lines >= 1). It never faults.
//
//go:noescape
func prefetch(addrs *unsafe.Pointer, n int, lines int)

// dotU8I16 returns the sum of codes[i]·q[i], len(codes) == len(q) a
// multiple of 16 (their tails padded with zeros), with AVX2 if simd.
func dotU8I16(simd bool, codes []uint8, q []int16) int32 {
	if simd && len(codes) > 0 {
		return dotU8I16AVX2(unsafe.SliceData(codes), unsafe.SliceData(q), len(codes))
	}
	return dotU8I16Go(codes, q)
}

// prefetchAll prefetches lines cache lines at each address if simd.
func prefetchAll(simd bool, addrs []unsafe.Pointer, lines int) {
	if simd && len(addrs) > 0 {
		prefetch(unsafe.SliceData(addrs), len(addrs), lines)
	}
}
