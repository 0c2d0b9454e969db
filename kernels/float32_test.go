package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"
)

// checkFloat32 compares every float32 kernel of s on a and b with the
// reference loops, and its batch forms with its single forms.
func checkFloat32(t testing.TB, s *set, a, b []float32) {
	t.Helper()
	n := len(a)
	l2, absDot, l1, normA, normB := absSums(a, b)
	what := func(f string) string { return fmt.Sprintf("%s %s n=%d", s.name, f, n) }

	checkSum(t, what("l2Squared"), n, l2, s.l2Squared(a, b), refL2Squared(a, b))
	checkSum(t, what("dot"), n, absDot, s.dot(a, b), refDot(a, b))
	checkSum(t, what("l1"), n, l1, s.l1(a, b), refL1(a, b))

	dot, na, nb := s.cosine(a, b)
	rdot, rna, rnb := refCosine(a, b)
	checkSum(t, what("cosine dot"), n, absDot, dot, rdot)
	checkSum(t, what("cosine normA"), n, normA, na, rna)
	checkSum(t, what("cosine normB"), n, normB, nb, rnb)
	var exactDot float64
	for i := range a {
		exactDot += float64(a[i]) * float64(b[i])
	}
	checkCosine(t, what("cosine distance"), n, exactDot, absDot, normA, normB,
		cosineDistance(dot, na, nb), cosineDistance(rdot, rna, rnb))

	// The batch forms run the same kernel body, so they must agree bit for
	// bit with the single forms. Two copies of b after a.
	vecs := append(append(append([]float32{}, a...), b...), b...)
	checkBatchFloat32(t, s, b, vecs)
}

// checkBatchFloat32 checks that s's batch kernels give exactly what its
// single kernels give for each vector of vecs.
func checkBatchFloat32(t testing.TB, s *set, q, vecs []float32) {
	t.Helper()
	d := len(q)
	k := 0
	if d > 0 {
		k = len(vecs) / d
	}
	vecs = vecs[:k*d]
	dst := make([]float32, k)
	dst64 := make([]float64, k)
	vec := func(i int) []float32 { return vecs[i*d : (i+1)*d] }
	same32 := func(f string, got, want float32, i int) {
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("%s %s batch d=%d vector %d: got %v, single form gives %v", s.name, f, d, i, got, want)
		}
	}
	s.l2SquaredBatch(dst, q, vecs)
	for i := range dst {
		same32("l2Squared", dst[i], s.l2Squared(q, vec(i)), i)
	}
	s.dotBatch(dst, q, vecs)
	for i := range dst {
		same32("dot", dst[i], s.dot(q, vec(i)), i)
	}
	s.l1Batch(dst, q, vecs)
	for i := range dst {
		same32("l1", dst[i], s.l1(q, vec(i)), i)
	}
	s.cosineBatch(dst64, q, vecs)
	for i, p := range uint64View(dst64) {
		dot, na, nb := s.cosine(q, vec(i))
		same32("cosine dot", math.Float32frombits(uint32(p)), dot, i)
		same32("cosine normB", math.Float32frombits(uint32(p>>32)), nb, i)
		_, _, nq := s.cosine(q, q)
		same32("cosine normQ", nq, na, i)
	}
}

func TestFloat32Random(t *testing.T) {
	for _, s := range testSets() {
		t.Run(s.name, func(t *testing.T) {
			r := newRand(1)
			for _, n := range testLengths() {
				for _, off := range []int{0, 1, 3} {
					for _, scale := range []float32{1, 1e-3, 1e6} {
						checkFloat32(t, s, randFloat32s(r, off, n, scale), randFloat32s(r, off+1, n, scale))
					}
				}
			}
		})
	}
}

func TestFloat32EdgeValues(t *testing.T) {
	for _, s := range testSets() {
		t.Run(s.name, func(t *testing.T) {
			r := newRand(2)
			for _, n := range []int{1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 300, 1000} {
				for _, p := range []float64{0.05, 0.5, 1} {
					for range 20 {
						checkFloat32(t, s, edgeVector(r, n, p), edgeVector(r, n, p))
					}
				}
			}
		})
	}
}

// TestFloat32Exact pins results that every set must give exactly,
// whatever the order of summation.
func TestFloat32Exact(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	filled := func(n int, v float32) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	tests := []struct {
		name        string
		a, b        []float32
		l2, dot, l1 float32
		cos         float64 // NaN means NaN
	}{
		{"empty", nil, nil, 0, 0, 0, math.NaN()},
		{"zeros", filled(37, 0), filled(37, 0), 0, 0, 0, math.NaN()},
		{"one zero vector", filled(37, 0), filled(37, 1), 37, 0, 37, math.NaN()},
		{"same", filled(37, 2), filled(37, 2), 0, 148, 0, 0},
		{"opposite", filled(37, 2), filled(37, -2), 37 * 16, -148, 37 * 4, 2},
		{"small integers", []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, []float32{9, 8, 7, 6, 5, 4, 3, 2, 1},
			240, 165, 40, 1 - 165/285.0},
		{"inf", append(filled(20, 1), inf), append(filled(20, 1), 0), inf, nan, inf, math.NaN()},
		{"inf both", append(filled(20, 1), inf), append(filled(20, 1), inf), nan, inf, nan, math.NaN()},
		{"nan", append(filled(40, 1), nan), filled(41, 1), nan, nan, nan, math.NaN()},
		{"overflowing difference", filled(9, 3e38), filled(9, -3e38), inf, -inf, inf, math.NaN()},
		{"overflowing square", filled(9, 0x1p66), filled(9, 0), inf, 0, 9 * 0x1p66, math.NaN()},
		{"subnormals", filled(33, math.SmallestNonzeroFloat32), filled(33, 0), 0, 0, 33 * math.SmallestNonzeroFloat32, math.NaN()},
	}
	same := func(got, want float32) bool {
		return math.Float32bits(got) == math.Float32bits(want) || got != got && want != want
	}
	for _, s := range testSets() {
		for _, tt := range tests {
			t.Run(s.name+"/"+tt.name, func(t *testing.T) {
				if got := s.l2Squared(tt.a, tt.b); !same(got, tt.l2) {
					t.Errorf("l2Squared = %v, want %v", got, tt.l2)
				}
				if got := s.dot(tt.a, tt.b); !same(got, tt.dot) {
					t.Errorf("dot = %v, want %v", got, tt.dot)
				}
				if got := s.l1(tt.a, tt.b); !same(got, tt.l1) {
					t.Errorf("l1 = %v, want %v", got, tt.l1)
				}
				got := cosineDistance(s.cosine(tt.a, tt.b))
				if math.IsNaN(tt.cos) != math.IsNaN(got) || !math.IsNaN(got) && math.Abs(got-tt.cos) > 1e-6 {
					t.Errorf("cosine distance = %v, want %v", got, tt.cos)
				}
			})
		}
	}
}

// TestCosineDistanceClamp checks pgvector's clamp of the similarity to
// [-1, 1]: rounding can push dot/sqrt(normA·normB) just past 1.
func TestCosineDistanceClamp(t *testing.T) {
	tests := []struct {
		dot, normA, normB float32
		want              float64
	}{
		{1.0000001, 1, 1, 0},
		{-1.0000001, 1, 1, 2},
		{0, 1, 1, 1},
		{3, 4, 9, 0.5},
		{float32(math.Inf(1)), 0, 1, 0}, // pgvector's formula, as it is
	}
	for _, tt := range tests {
		if got := cosineDistance(tt.dot, tt.normA, tt.normB); got != tt.want {
			t.Errorf("cosineDistance(%v, %v, %v) = %v, want %v", tt.dot, tt.normA, tt.normB, got, tt.want)
		}
	}
	for _, tt := range []struct{ dot, normA, normB float32 }{{0, 0, 0}, {0, 0, 1}, {0, 1, 0}} {
		if got := cosineDistance(tt.dot, tt.normA, tt.normB); !math.IsNaN(got) {
			t.Errorf("cosineDistance(%v, %v, %v) = %v, want NaN", tt.dot, tt.normA, tt.normB, got)
		}
	}
}

// TestFloat32API checks the exported functions against the active set and
// the float64 finishing steps.
func TestFloat32API(t *testing.T) {
	r := newRand(3)
	for _, d := range []int{0, 1, 5, 96, 769} {
		q := randFloat32s(r, 0, d, 1)
		const n = 7
		vecs := randFloat32s(r, 1, n*d, 1)
		got32, got64 := make([]float32, n), make([]float64, n)
		for i := range n {
			v := vecs[i*d : (i+1)*d]
			if got, want := L2(q, v), math.Sqrt(float64(active.l2Squared(q, v))); got != want {
				t.Errorf("L2 = %v, want %v", got, want)
			}
			if got, want := CosineDistance(q, v), cosineDistance(active.cosine(q, v)); got != want && !(d == 0 && math.IsNaN(got)) {
				t.Errorf("CosineDistance = %v, want %v", got, want)
			}
		}
		for _, tt := range []struct {
			name   string
			batch  func(dst, q, vecs []float32)
			single func(a, b []float32) float32
		}{{"L2SquaredBatch", L2SquaredBatch, L2Squared}, {"DotBatch", DotBatch, Dot}, {"L1Batch", L1Batch, L1}} {
			tt.batch(got32, q, vecs)
			for i := range n {
				if want := tt.single(q, vecs[i*d:(i+1)*d]); got32[i] != want {
					t.Errorf("%s d=%d [%d] = %v, want %v", tt.name, d, i, got32[i], want)
				}
			}
		}
		L2Batch(got64, q, vecs)
		for i := range n {
			if want := L2(q, vecs[i*d:(i+1)*d]); got64[i] != want {
				t.Errorf("L2Batch d=%d [%d] = %v, want %v", d, i, got64[i], want)
			}
		}
		CosineDistanceBatch(got64, q, vecs)
		for i := range n {
			want := CosineDistance(q, vecs[i*d:(i+1)*d])
			if got64[i] != want && !(math.IsNaN(want) && math.IsNaN(got64[i])) {
				t.Errorf("CosineDistanceBatch d=%d [%d] = %v, want %v", d, i, got64[i], want)
			}
		}
	}
}

// TestLengthPanics checks that every exported function refuses vectors of
// different lengths and batches of the wrong size.
func TestLengthPanics(t *testing.T) {
	a, b := make([]float32, 8), make([]float32, 9)
	h, g := make([]Float16, 8), make([]Float16, 9)
	x, y := make([]byte, 8), make([]byte, 9)
	d32, d64 := make([]float32, 2), make([]float64, 2)
	vecs, vecsF16 := make([]float32, 17), make([]Float16, 17)
	sp := Sparse{Indices: []int32{1, 2}, Values: []float32{1}}
	tests := map[string]func(){
		"L2Squared":              func() { L2Squared(a, b) },
		"L2":                     func() { L2(a, b) },
		"Dot":                    func() { Dot(a, b) },
		"L1":                     func() { L1(a, b) },
		"CosineDistance":         func() { CosineDistance(a, b) },
		"L2SquaredBatch":         func() { L2SquaredBatch(d32, a, vecs) },
		"L2Batch":                func() { L2Batch(d64, a, vecs) },
		"DotBatch":               func() { DotBatch(d32, a, vecs) },
		"L1Batch":                func() { L1Batch(d32, a, vecs) },
		"CosineDistanceBatch":    func() { CosineDistanceBatch(d64, a, vecs) },
		"L2SquaredF16":           func() { L2SquaredF16(h, g) },
		"L2F16":                  func() { L2F16(h, g) },
		"DotF16":                 func() { DotF16(h, g) },
		"L1F16":                  func() { L1F16(h, g) },
		"CosineDistanceF16":      func() { CosineDistanceF16(h, g) },
		"L2SquaredBatchF16":      func() { L2SquaredBatchF16(d32, h, vecsF16) },
		"L2BatchF16":             func() { L2BatchF16(d64, h, vecsF16) },
		"DotBatchF16":            func() { DotBatchF16(d32, h, vecsF16) },
		"L1BatchF16":             func() { L1BatchF16(d32, h, vecsF16) },
		"CosineDistanceBatchF16": func() { CosineDistanceBatchF16(d64, h, vecsF16) },
		"EncodeFloat16":          func() { EncodeFloat16(g, a) },
		"DecodeFloat16":          func() { DecodeFloat16(b, h) },
		"HammingDistance":        func() { HammingDistance(x, y) },
		"JaccardDistance":        func() { JaccardDistance(x, y) },
		"SparseL2Squared":        func() { SparseL2Squared(sp, Sparse{}) },
		"SparseL2":               func() { SparseL2(Sparse{}, sp) },
		"SparseDot":              func() { SparseDot(sp, sp) },
		"SparseL1":               func() { SparseL1(sp, Sparse{}) },
		"SparseCosineDistance":   func() { SparseCosineDistance(Sparse{}, sp) },
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				err, ok := recover().(error)
				if !ok || !strings.HasPrefix(err.Error(), "kernels: ") {
					t.Errorf("%s: panic value %v, want an error from kernels", name, err)
				}
			}()
			f()
		})
	}
}

// FuzzFloat32 compares every set's float32 kernels with the reference loops
// on vectors made of the fuzzer's bytes, four bytes an element, a the first
// half and b the second.
func FuzzFloat32(f *testing.F) {
	seed := func(v ...float32) []byte {
		b := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
		}
		return b
	}
	f.Add(seed())
	f.Add(seed(1, 2))
	f.Add(seed(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18))
	f.Add(seed(0, float32(math.Inf(1)), 3e38, -3e38, math.SmallestNonzeroFloat32, 1, -1, 0.5))
	f.Add(make([]byte, 4*70))
	sets := testSets()
	f.Fuzz(func(t *testing.T, data []byte) {
		n := len(data) / 8
		a, b := make([]float32, n), make([]float32, n)
		for i := range n {
			a[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
			b[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*(n+i):]))
		}
		for _, s := range sets {
			checkFloat32(t, s, a, b)
		}
	})
}
