package hnsw

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestDotU8I16 checks the assembly kernel against the portable loop on
// every padded length up to 320, with random and extreme values and
// slices that start anywhere.
func TestDotU8I16(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 320; n += 16 {
		for trial := range 20 {
			codes := make([]uint8, n+3)
			q := make([]int16, n+3)
			for i := range codes {
				switch trial {
				case 0:
					codes[i], q[i] = 255, 32767
				case 1:
					codes[i], q[i] = 255, -32768
				default:
					codes[i], q[i] = uint8(r.IntN(256)), int16(r.IntN(65536)-32768)
				}
			}
			off := trial % 3
			c, qq := codes[off:off+n], q[off:off+n]
			want := dotU8I16Go(c, qq)
			for _, simd := range []bool{false, true} {
				if got := dotU8I16(simd, c, qq); got != want {
					t.Fatalf("n=%d trial=%d simd=%v: got %d, want %d", n, trial, simd, got, want)
				}
			}
		}
	}
}

func TestPrefetch(t *testing.T) {
	buf := make([]byte, 1<<16)
	var ptrs []unsafe.Pointer
	for i := 0; i < len(buf); i += 4096 {
		ptrs = append(ptrs, unsafe.Pointer(&buf[i]))
	}
	for _, lines := range []int{1, 2, 8} {
		prefetchAll(true, ptrs, lines)
	}
	prefetchAll(true, nil, 1)
}

func BenchmarkDotU8I16(b *testing.B) {
	for _, n := range []int{112, 784} {
		codes := make([]uint8, n)
		q := make([]int16, n)
		b.Run(itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				dotU8I16(true, codes, q)
			}
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
