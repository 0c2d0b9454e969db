//go:build !linux

package hnsw

// adviseHugePages does nothing where madvise's MADV_HUGEPAGE is missing.
func adviseHugePages([]byte) {}
