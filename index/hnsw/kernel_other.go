//go:build purego || !amd64

package hnsw

import "unsafe"

// dotU8I16 returns the sum of codes[i]·q[i], len(codes) == len(q).
func dotU8I16(_ bool, codes []uint8, q []int16) int32 { return dotU8I16Go(codes, q) }

// prefetchAll does nothing without assembly.
func prefetchAll(bool, []unsafe.Pointer, int) {}

// dotU8I16Batch is the portable dotU8I16BatchGo.
func dotU8I16Batch(_ bool, ptrs []unsafe.Pointer, q []int16, out []int32) {
	dotU8I16BatchGo(ptrs, q, out[:len(ptrs)])
}
