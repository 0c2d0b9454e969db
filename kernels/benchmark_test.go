package kernels

import (
	"fmt"
	"testing"
)

// The benchmarks run the straightforward loop ("ref") and every set this
// CPU can run side by side, so one `go test -bench` gives the speed-ups.
// b.SetBytes counts the bytes of both input vectors, so MB/s reads as input
// bandwidth. See doc.go for the figures and the command.

var benchDims = []int{96, 128, 384, 768, 1536, 3072}

// sink keeps results alive so the compiler cannot drop the calls.
var sink float32

type float32Kernel struct {
	name string
	ref  func(a, b []float32) float32
	get  func(s *set) func(a, b []float32) float32
}

var float32Kernels = []float32Kernel{
	{"L2Squared", refL2Squared, func(s *set) func(a, b []float32) float32 { return s.l2Squared }},
	{"Dot", refDot, func(s *set) func(a, b []float32) float32 { return s.dot }},
	{"L1", refL1, func(s *set) func(a, b []float32) float32 { return s.l1 }},
	{"Cosine", func(a, b []float32) float32 { d, _, _ := refCosine(a, b); return d },
		func(s *set) func(a, b []float32) float32 {
			return func(a, b []float32) float32 { d, _, _ := s.cosine(a, b); return d }
		}},
}

func BenchmarkFloat32(b *testing.B) {
	for _, k := range float32Kernels {
		for _, d := range benchDims {
			r := newRand(uint64(d))
			x, y := randFloat32s(r, 0, d, 1), randFloat32s(r, 0, d, 1)
			run := func(name string, f func(a, b []float32) float32) {
				b.Run(fmt.Sprintf("%s/d=%d/%s", k.name, d, name), func(b *testing.B) {
					b.SetBytes(int64(8 * d))
					var s float32
					for b.Loop() {
						s += f(x, y)
					}
					sink = s
				})
			}
			run("ref", k.ref)
			for _, s := range testSets() {
				run(s.name, k.get(s))
			}
		}
	}
}

// BenchmarkExported measures the exported functions, dispatch included,
// at the short dimensions where call overhead would show.
func BenchmarkExported(b *testing.B) {
	for _, d := range []int{96, 128, 768} {
		r := newRand(uint64(d))
		x, y := randFloat32s(r, 0, d, 1), randFloat32s(r, 0, d, 1)
		b.Run(fmt.Sprintf("L2Squared/d=%d", d), func(b *testing.B) {
			b.SetBytes(int64(8 * d))
			var s float32
			for b.Loop() {
				s += L2Squared(x, y)
			}
			sink = s
		})
		b.Run(fmt.Sprintf("CosineDistance/d=%d", d), func(b *testing.B) {
			b.SetBytes(int64(8 * d))
			var s float64
			for b.Loop() {
				s += CosineDistance(x, y)
			}
			sink = float32(s)
		})
	}
}

type float16Kernel struct {
	name string
	ref  func(a, b []Float16) float32
	get  func(s *set) func(a, b []Float16) float32
}

func BenchmarkFloat16(b *testing.B) {
	kernels := []float16Kernel{
		{"L2Squared", refL2SquaredF16, func(s *set) func(a, b []Float16) float32 { return s.l2SquaredF16 }},
		{"Dot", refDotF16, func(s *set) func(a, b []Float16) float32 { return s.dotF16 }},
		{"L1", refL1F16, func(s *set) func(a, b []Float16) float32 { return s.l1F16 }},
		{"Cosine", func(a, b []Float16) float32 { d, _, _ := refCosineF16(a, b); return d },
			func(s *set) func(a, b []Float16) float32 {
				return func(a, b []Float16) float32 { d, _, _ := s.cosineF16(a, b); return d }
			}},
	}
	for _, k := range kernels {
		for _, d := range benchDims {
			r := newRand(uint64(d))
			x, y := randFloat16s(0, d, 1, r.Float32), randFloat16s(0, d, 1, r.Float32)
			run := func(name string, f func(a, b []Float16) float32) {
				b.Run(fmt.Sprintf("%s/d=%d/%s", k.name, d, name), func(b *testing.B) {
					b.SetBytes(int64(4 * d))
					var s float32
					for b.Loop() {
						s += f(x, y)
					}
					sink = s
				})
			}
			run("ref", k.ref)
			for _, s := range testSets() {
				run(s.name, k.get(s))
			}
		}
	}
}

func BenchmarkFloat16Convert(b *testing.B) {
	const n = 4096
	r := newRand(9)
	src := randFloat32s(r, 0, n, 100)
	half := make([]Float16, n)
	back := make([]float32, n)
	for _, s := range testSets() {
		b.Run("encode/"+s.name, func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				s.encodeF16(half, src)
			}
		})
		b.Run("decode/"+s.name, func(b *testing.B) {
			b.SetBytes(2 * n)
			for b.Loop() {
				s.decodeF16(back, half)
			}
		})
	}
}

func BenchmarkBits(b *testing.B) {
	for _, n := range []int{16, 128, 192, 1024} { // bytes: 128 to 8192 bits
		r := newRand(uint64(n))
		x, y := randBytes(r, 0, n, 2), randBytes(r, 0, n, 2)
		var sum uint64
		b.Run(fmt.Sprintf("Hamming/bytes=%d/ref", n), func(b *testing.B) {
			b.SetBytes(int64(2 * n))
			for b.Loop() {
				sum += refHamming(x, y)
			}
		})
		for _, s := range testSets() {
			b.Run(fmt.Sprintf("Hamming/bytes=%d/%s", n, s.name), func(b *testing.B) {
				b.SetBytes(int64(2 * n))
				for b.Loop() {
					sum += s.hamming(x, y)
				}
			})
			b.Run(fmt.Sprintf("Jaccard/bytes=%d/%s", n, s.name), func(b *testing.B) {
				b.SetBytes(int64(2 * n))
				for b.Loop() {
					and, or := s.jaccard(x, y)
					sum += and + or
				}
			})
		}
		sink = float32(sum)
	}
}

func BenchmarkSparse(b *testing.B) {
	r := newRand(10)
	x, y := randSparse(r, 30000, 0.01), randSparse(r, 30000, 0.01)
	b.Run("SparseL2Squared/nnz=300", func(b *testing.B) {
		var s float32
		for b.Loop() {
			s += SparseL2Squared(x, y)
		}
		sink = s
	})
	b.Run("SparseDot/nnz=300", func(b *testing.B) {
		var s float32
		for b.Loop() {
			s += SparseDot(x, y)
		}
		sink = s
	})
}

// BenchmarkBatch runs L2SquaredBatch over vectors that fit in the L2 cache
// and over 256 MiB of them, which do not fit in any cache, next to a copy of
// the same 256 MiB: the batch reads its bytes once, so its MB/s against
// copy's shows how close it comes to the memory's bandwidth.
func BenchmarkBatch(b *testing.B) {
	const d = 768
	r := newRand(11)
	q := randFloat32s(r, 0, d, 1)

	small := randFloat32s(r, 0, 64*d, 1) // 192 KiB
	dst := make([]float32, 64)
	for _, s := range testSets() {
		b.Run("L2Squared/d=768/n=64/"+s.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(small)))
			for b.Loop() {
				s.l2SquaredBatch(dst, q, small)
			}
		})
	}

	const total = 256 << 20
	n := total / (4 * d)
	big := randFloat32s(r, 0, n*d, 1)
	into := make([]float32, len(big))
	copy(into, big) // fault the pages in before timing
	dst = make([]float32, n)
	b.Run("copy/256MiB", func(b *testing.B) {
		b.SetBytes(int64(4 * len(big)))
		for b.Loop() {
			copy(into, big)
		}
	})
	for _, s := range testSets() {
		b.Run("L2Squared/d=768/256MiB/"+s.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(big)))
			for b.Loop() {
				s.l2SquaredBatch(dst, q, big)
			}
		})
		b.Run("Dot/d=768/256MiB/"+s.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(big)))
			for b.Loop() {
				s.dotBatch(dst, q, big)
			}
		})
	}
	d64 := make([]float64, n)
	b.Run("CosineDistanceBatch/d=768/256MiB/active", func(b *testing.B) {
		b.SetBytes(int64(4 * len(big)))
		for b.Loop() {
			CosineDistanceBatch(d64, q, big)
		}
	})
}
