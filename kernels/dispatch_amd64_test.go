//go:build !purego

package kernels

import (
	"slices"
	"testing"

	"golang.org/x/sys/cpu"
)

func TestSetsFor(t *testing.T) {
	names := func(sets []*set) []string {
		var n []string
		for _, s := range sets {
			n = append(n, s.name)
		}
		return n
	}
	tests := []struct {
		avx2, avx512, vpopcntq bool
		want                   []string
	}{
		{false, false, false, nil},
		{false, true, true, nil}, // AVX-512 without AVX2 and FMA does not happen; refuse it
		{true, false, false, []string{"avx2"}},
		{true, true, false, []string{"avx512", "avx2"}},
		{true, true, true, []string{"avx512", "avx2"}},
	}
	for _, tt := range tests {
		if got := names(setsFor(tt.avx2, tt.avx512, tt.vpopcntq)); !slices.Equal(got, tt.want) {
			t.Errorf("setsFor(%v, %v, %v) = %v, want %v", tt.avx2, tt.avx512, tt.vpopcntq, got, tt.want)
		}
	}
	if s := newAVX512Set(true); s.needs != "AVX-512 F, BW, VL, DQ, FMA, F16C, POPCNT, VPOPCNTDQ" {
		t.Errorf("avx512 with VPOPCNTQ needs %q", s.needs)
	}
}

// TestThisCPU checks that the sets tested here are the ones the CPU can
// run, so a CPU with AVX-512 never silently skips the avx512 tests.
func TestThisCPU(t *testing.T) {
	names := Available()
	hasAVX2 := cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C && cpu.X86.HasPOPCNT
	hasAVX512 := hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ
	if slices.Contains(names, "avx2") != hasAVX2 || slices.Contains(names, "avx512") != hasAVX512 {
		t.Errorf("Available() = %v on a CPU with AVX2 set %v, AVX-512 set %v", names, hasAVX2, hasAVX512)
	}
	if !hasAVX512 {
		t.Logf("this CPU has no AVX-512: the avx512 kernels are not run here")
	}
}
