package hnsw

import (
	"math/rand/v2"
	"slices"
	"strconv"
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

// TestDotU8I16Batch checks the batch kernel against the portable loop.
func TestDotU8I16Batch(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 320; n += 16 {
		q := make([]int16, n)
		for i := range q {
			q[i] = int16(r.IntN(65536) - 32768)
		}
		var ptrs []unsafe.Pointer
		for range 7 {
			codes := make([]uint8, n+1)
			for i := range codes {
				codes[i] = uint8(r.IntN(256))
			}
			ptrs = append(ptrs, unsafe.Pointer(&codes[0]))
		}
		want := make([]int32, len(ptrs))
		dotU8I16BatchGo(ptrs, q, want)
		for _, simd := range []bool{false, true} {
			got := make([]int32, len(ptrs)+1)
			dotU8I16Batch(simd, ptrs, q, got)
			if !slices.Equal(got[:len(ptrs)], want) || got[len(ptrs)] != 0 {
				t.Fatalf("n=%d simd=%v: got %v, want %v", n, simd, got, want)
			}
		}
	}
	dotU8I16Batch(true, nil, make([]int16, 16), nil)
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
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				dotU8I16(true, codes, q)
			}
		})
	}
}
