//go:build !purego

package hnsw

import "unsafe"

// dotU8I16AVX2 returns the sum of codes[i]·q[i] for i < n, n a multiple
// of 16, in int32. It needs AVX2.
//
//go:noescape
func dotU8I16AVX2(codes *uint8, q *int16, n int) int32

// dotU8I16BatchAVX2 sets out[i] to the sum of codes·q of the dimPad
// codes at ptrs[i], for i < n; dimPad is a multiple of 16. It needs AVX2.
//
//go:noescape
func dotU8I16BatchAVX2(ptrs *unsafe.Pointer, n int, q *int16, dimPad int, out *int32)

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

// dotU8I16Batch sets out[i] to the sum of codes·q of the len(q) codes at
// ptrs[i], with AVX2 if simd; len(q) is a multiple of 16 and
// len(out) >= len(ptrs).
func dotU8I16Batch(simd bool, ptrs []unsafe.Pointer, q []int16, out []int32) {
	out = out[:len(ptrs)]
	if simd && len(q) > 0 {
		if len(ptrs) > 0 {
			dotU8I16BatchAVX2(unsafe.SliceData(ptrs), len(ptrs), unsafe.SliceData(q), len(q), unsafe.SliceData(out))
		}
		return
	}
	dotU8I16BatchGo(ptrs, q, out)
}
