//go:build linux

package kernels

import (
	"syscall"
	"testing"
	"unsafe"
)

// guardedBytes returns size bytes that end where an unreadable page starts,
// so that a kernel that reads even one byte past the end of a slice taken
// from the end of them faults and the test crashes.
func guardedBytes(t *testing.T, size int) []byte {
	t.Helper()
	page := syscall.Getpagesize()
	total := (size+page-1)/page*page + page
	mem, err := syscall.Mmap(-1, 0, total, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[total-page:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	return mem[total-page-size : total-page]
}

// guarded returns n elements of the given type, filled from fill, that end
// at a guard page.
func guarded[T any](t *testing.T, n int, fill func(i int) T) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	b := guardedBytes(t, n*size)
	s := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
	for i := range s {
		s[i] = fill(i)
	}
	return s
}

// TestNoReadPastEnd runs every kernel of every set on vectors that end at an
// unreadable page, for every length up to a few registers' worth, so the
// masked and scalar tails are seen not to touch memory past the slices.
func TestNoReadPastEnd(t *testing.T) {
	r := newRand(12)
	for _, s := range testSets() {
		t.Run(s.name, func(t *testing.T) {
			for n := range 70 {
				f32 := func(int) float32 { return 2*r.Float32() - 1 }
				f16 := func(int) Float16 { return ToFloat16(2*r.Float32() - 1) }
				a, b := guarded(t, n, f32), guarded(t, n, f32)
				checkFloat32(t, s, a, b)
				vecs := guarded(t, 3*n, f32)
				checkBatchFloat32(t, s, a, vecs)

				ha, hb := guarded(t, n, f16), guarded(t, n, f16)
				checkFloat16(t, s, ha, hb)
				checkBatchFloat16(t, s, ha, guarded(t, 3*n, f16))

				s.encodeF16(make([]Float16, n), a)
				s.decodeF16(make([]float32, n), ha)

				for _, m := range []int{n, 2*n + 1} {
					bits := func(int) byte { return byte(r.Uint32()) }
					checkBits(t, s, guarded(t, m, bits), guarded(t, m, bits))
				}
			}
		})
	}
}
