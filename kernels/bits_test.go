package kernels

import (
	"fmt"
	"math/bits"
	"testing"
)

func refHamming(a, b []byte) uint64 {
	var n int
	for i := range a {
		n += bits.OnesCount8(a[i] ^ b[i])
	}
	return uint64(n)
}

func refJaccard(a, b []byte) (and, or uint64) {
	for i := range a {
		and += uint64(bits.OnesCount8(a[i] & b[i]))
		or += uint64(bits.OnesCount8(a[i] | b[i]))
	}
	return and, or
}

func checkBits(t testing.TB, s *set, a, b []byte) {
	t.Helper()
	if got, want := s.hamming(a, b), refHamming(a, b); got != want {
		t.Fatalf("%s hamming len=%d = %d, want %d", s.name, len(a), got, want)
	}
	gotAnd, gotOr := s.jaccard(a, b)
	if wantAnd, wantOr := refJaccard(a, b); gotAnd != wantAnd || gotOr != wantOr {
		t.Fatalf("%s jaccard len=%d = %d, %d; want %d, %d", s.name, len(a), gotAnd, gotOr, wantAnd, wantOr)
	}
}

func randBytes(r interface{ Uint64() uint64 }, off, n int, density int) []byte {
	b := make([]byte, off+n)
	for i := range b {
		v := byte(r.Uint64())
		switch density {
		case 0:
			v = 0
		case 1:
			v &= byte(r.Uint64()) & byte(r.Uint64()) // sparse bits
		case 3:
			v = 0xff
		}
		b[i] = v
	}
	return b[off:]
}

func TestBitsRandom(t *testing.T) {
	for _, s := range testSets() {
		t.Run(s.name, func(t *testing.T) {
			r := newRand(7)
			lengths := append(testLengths(), 2000, 8000)
			for _, n := range lengths {
				for _, off := range []int{0, 1, 5} {
					for density := range 4 {
						checkBits(t, s, randBytes(r, off, n, density), randBytes(r, off+2, n, (density+1)%4))
					}
				}
			}
		})
	}
}

func TestHammingAndJaccardDistance(t *testing.T) {
	sixtyFour := 64 // a variable, so that 1 - 64/65 is rounded as at run time
	tests := []struct {
		a, b    []byte
		hamming uint64
		jaccard float64
	}{
		{nil, nil, 0, 1},
		{[]byte{0, 0}, []byte{0, 0}, 0, 1}, // pgvector: no common bit gives 1, also for two zero vectors
		{[]byte{0xf0}, []byte{0x0f}, 8, 1},
		{[]byte{0xff}, []byte{0xff}, 0, 0},
		{[]byte{0xf0}, []byte{0xc0}, 2, 0.5},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}, 1, 1 - float64(sixtyFour)/65},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%x_%x", tt.a, tt.b), func(t *testing.T) {
			if got := HammingDistance(tt.a, tt.b); got != tt.hamming {
				t.Errorf("HammingDistance = %d, want %d", got, tt.hamming)
			}
			if got := JaccardDistance(tt.a, tt.b); got != tt.jaccard {
				t.Errorf("JaccardDistance = %v, want %v", got, tt.jaccard)
			}
		})
	}
}

// FuzzBits compares every set's bit kernels with the byte-at-a-time
// reference; a is the first half of the fuzzer's bytes, b the second.
func FuzzBits(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0xff, 0x01})
	f.Add([]byte("the quick brown fox jumps over the lazy dog, and again the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs"))
	f.Add(make([]byte, 300))
	sets := testSets()
	f.Fuzz(func(t *testing.T, data []byte) {
		n := len(data) / 2
		for _, s := range sets {
			checkBits(t, s, data[:n], data[n:2*n])
		}
	})
}
