package hnsw

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on amd64 and arm64.
const hugePage = 2 << 20

// adviseHugePages asks the kernel to back the 2 MiB-aligned interior of b
// with huge pages (madvise MADV_HUGEPAGE; the default transparent huge
// page mode, "madvise", gives them to no one else). It works for memory
// not yet touched, as a fresh Go allocation of this size is; failure only
// costs speed, so it is ignored.
func adviseHugePages(b []byte) {
	if len(b) < 2*hugePage {
		return
	}
	start := roundUp(int(uintptrOf(b)), hugePage) - int(uintptrOf(b))
	end := start + (len(b)-start)/hugePage*hugePage
	if end-start >= hugePage {
		_ = syscall.Madvise(b[start:end], syscall.MADV_HUGEPAGE)
	}
}

// uintptrOf returns the address of b's first byte.
func uintptrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
