package hnsw

import "unsafe"

// dotU8I16Go is the portable form and reference of dotU8I16: the int32
// (wrapping) sum of codes[i]·q[i].
func dotU8I16Go(codes []uint8, q []int16) int32 {
	q = q[:len(codes)]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+4 <= len(codes); i += 4 {
		s0 += int32(codes[i]) * int32(q[i])
		s1 += int32(codes[i+1]) * int32(q[i+1])
		s2 += int32(codes[i+2]) * int32(q[i+2])
		s3 += int32(codes[i+3]) * int32(q[i+3])
	}
	for ; i < len(codes); i++ {
		s0 += int32(codes[i]) * int32(q[i])
	}
	return s0 + s1 + s2 + s3
}

// dotU8I16BatchGo is the portable form and reference of dotU8I16Batch.
func dotU8I16BatchGo(ptrs []unsafe.Pointer, q []int16, out []int32) {
	for i, p := range ptrs {
		out[i] = dotU8I16Go(unsafe.Slice((*uint8)(p), len(q)), q)
	}
}
