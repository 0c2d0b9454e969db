//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/asmgen -out .

// acceleratedSets returns the assembly sets this CPU can run, best first.
func acceleratedSets() []*set {
	return setsFor(cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C && cpu.X86.HasPOPCNT,
		cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ,
		cpu.X86.HasAVX512VPOPCNTDQ)
}

// setsFor returns the sets for a CPU with the given features: avx2 needs
// AVX2, FMA, F16C and POPCNT (with the OS saving YMM registers, which
// x/sys/cpu checks); avx512 needs all that and AVX-512 F, BW, VL and DQ (with
// ZMM saving); VPOPCNTQ, where present, speeds up its bit kernels.
func setsFor(hasAVX2, hasAVX512, hasVPOPCNTQ bool) []*set {
	if !hasAVX2 {
		return nil
	}
	if !hasAVX512 {
		return []*set{newAVX2Set()}
	}
	return []*set{newAVX512Set(hasVPOPCNTQ), newAVX2Set()}
}

func newAVX2Set() *set {
	return &set{
		name:  "avx2",
		needs: "AVX2, FMA, F16C, POPCNT",

		l2Squared: l2SquaredAVX2,
		dot:       dotAVX2,
		l1:        l1AVX2,
		cosine:    cosineAVX2,

		l2SquaredBatch: l2SquaredBatchAVX2,
		dotBatch:       dotBatchAVX2,
		l1Batch:        l1BatchAVX2,
		cosineBatch:    cosineBatchAVX2,

		l2SquaredF16: l2SquaredF16AVX2,
		dotF16:       dotF16AVX2,
		l1F16:        l1F16AVX2,
		cosineF16:    cosineF16AVX2,

		l2SquaredBatchF16: l2SquaredBatchF16AVX2,
		dotBatchF16:       dotBatchF16AVX2,
		l1BatchF16:        l1BatchF16AVX2,
		cosineBatchF16:    cosineBatchF16AVX2,

		encodeF16: encodeF16F16C,
		decodeF16: decodeF16F16C,

		hamming: hammingPOPCNT,
		jaccard: jaccardPOPCNT,
	}
}

func newAVX512Set(hasVPOPCNTQ bool) *set {
	s := &set{
		name:  "avx512",
		needs: "AVX-512 F, BW, VL, DQ, FMA, F16C, POPCNT",

		l2Squared: l2SquaredAVX512,
		dot:       dotAVX512,
		l1:        l1AVX512,
		cosine:    cosineAVX512,

		l2SquaredBatch: l2SquaredBatchAVX512,
		dotBatch:       dotBatchAVX512,
		l1Batch:        l1BatchAVX512,
		cosineBatch:    cosineBatchAVX512,

		l2SquaredF16: l2SquaredF16AVX512,
		dotF16:       dotF16AVX512,
		l1F16:        l1F16AVX512,
		cosineF16:    cosineF16AVX512,

		l2SquaredBatchF16: l2SquaredBatchF16AVX512,
		dotBatchF16:       dotBatchF16AVX512,
		l1BatchF16:        l1BatchF16AVX512,
		cosineBatchF16:    cosineBatchF16AVX512,

		encodeF16: encodeF16F16C,
		decodeF16: decodeF16F16C,

		hamming: hammingPOPCNT,
		jaccard: jaccardPOPCNT,
	}
	if hasVPOPCNTQ {
		s.needs += ", VPOPCNTDQ"
		s.hamming = hammingVPOPCNTQ
		s.jaccard = jaccardVPOPCNTQ
	}
	return s
}

// encodeF16F16C converts blocks of eight with VCVTPS2PH and the rest in Go;
// both round to nearest even and give the same bits.
func encodeF16F16C(dst []Float16, src []float32) {
	n := len(src) &^ 7
	encodeF16AVX2(dst[:n], src[:n])
	encodeF16Go(dst[n:], src[n:])
}

// decodeF16F16C converts blocks of eight with VCVTPH2PS and the rest in Go.
func decodeF16F16C(dst []float32, src []Float16) {
	n := len(src) &^ 7
	decodeF16AVX2(dst[:n], src[:n])
	decodeF16Go(dst[n:], src[n:])
}
