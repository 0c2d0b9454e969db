package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// dense returns s as a dense vector of dim elements.
func dense(s Sparse, dim int) []float32 {
	d := make([]float32, dim)
	for i, idx := range s.Indices {
		d[idx] = s.Values[i]
	}
	return d
}

// randSparse returns a sparse vector of dimension dim with about density of
// its positions set, some to zero (sparsevec may hold explicit zeros from
// arithmetic, and the functions must not mind).
func randSparse(r *rand.Rand, dim int, density float64) Sparse {
	var s Sparse
	for i := range dim {
		if r.Float64() < density {
			s.Indices = append(s.Indices, int32(i))
			v := 2*r.Float32() - 1
			if r.IntN(20) == 0 {
				v = 0
			}
			s.Values = append(s.Values, v)
		}
	}
	return s
}

// checkSparse compares the sparse functions with the dense reference loops
// on the same vectors. The dense loops add zeros where the sparse ones skip
// terms, which changes no float32 sum (x + 0 == x) except for the sign of a
// zero result, so L2 and L1 match exactly; dot products sum matched terms in
// the same order too.
func checkSparse(t testing.TB, a, b Sparse, dim int) {
	t.Helper()
	da, db := dense(a, dim), dense(b, dim)
	same := func(what string, got, want float32) {
		if got != want && !(got != got && want != want) {
			t.Fatalf("%s dim=%d: got %v, want %v", what, dim, got, want)
		}
	}
	same("SparseL2Squared", SparseL2Squared(a, b), refL2Squared(da, db))
	same("SparseDot", SparseDot(a, b), refDot(da, db))
	same("SparseL1", SparseL1(a, b), refL1(da, db))
	if got, want := SparseL2(a, b), math.Sqrt(float64(refL2Squared(da, db))); got != want && !(got != got && want != want) {
		t.Fatalf("SparseL2 dim=%d: got %v, want %v", dim, got, want)
	}
	got, want := SparseCosineDistance(a, b), cosineDistance(refCosine(da, db))
	if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
		t.Fatalf("SparseCosineDistance dim=%d: got %v, want %v", dim, got, want)
	}
}

func TestSparseRandom(t *testing.T) {
	r := newRand(8)
	for _, dim := range []int{0, 1, 2, 10, 100, 1000, 30000} {
		for _, da := range []float64{0, 0.01, 0.3, 1} {
			for _, db := range []float64{0, 0.01, 0.3, 1} {
				for range 5 {
					checkSparse(t, randSparse(r, dim, da), randSparse(r, dim, db), dim)
				}
			}
		}
	}
}

func TestSparseCases(t *testing.T) {
	sp := func(idx []int32, vals ...float32) Sparse { return Sparse{Indices: idx, Values: vals} }
	tests := []struct {
		name        string
		a, b        Sparse
		l2, dot, l1 float32
		cos         float64 // NaN means NaN
	}{
		{"both empty", Sparse{}, Sparse{}, 0, 0, 0, math.NaN()},
		{"one empty", sp([]int32{3}, 2), Sparse{}, 4, 0, 2, math.NaN()},
		{"explicit zero", sp([]int32{3}, 0), sp([]int32{3}, 1), 1, 0, 1, math.NaN()},
		{"disjoint", sp([]int32{0, 2}, 1, 2), sp([]int32{1, 3}, 3, 4), 30, 0, 10, 1},
		{"interleaved", sp([]int32{0, 2, 5}, 1, 2, 3), sp([]int32{2, 3, 5}, 4, 5, 6), 1 + 4 + 25 + 9, 26, 1 + 2 + 5 + 3, 1 - 26/math.Sqrt(14*77)},
		{"same", sp([]int32{7, 9}, 3, 4), sp([]int32{7, 9}, 3, 4), 0, 25, 0, 0},
		{"opposite", sp([]int32{7, 9}, 3, 4), sp([]int32{7, 9}, -3, -4), 100, -25, 14, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SparseL2Squared(tt.a, tt.b); got != tt.l2 {
				t.Errorf("SparseL2Squared = %v, want %v", got, tt.l2)
			}
			if got := SparseL2Squared(tt.b, tt.a); got != tt.l2 {
				t.Errorf("SparseL2Squared swapped = %v, want %v", got, tt.l2)
			}
			if got := SparseDot(tt.a, tt.b); got != tt.dot {
				t.Errorf("SparseDot = %v, want %v", got, tt.dot)
			}
			if got := SparseL1(tt.a, tt.b); got != tt.l1 {
				t.Errorf("SparseL1 = %v, want %v", got, tt.l1)
			}
			got := SparseCosineDistance(tt.a, tt.b)
			if math.IsNaN(got) != math.IsNaN(tt.cos) || !math.IsNaN(got) && math.Abs(got-tt.cos) > 1e-7 {
				t.Errorf("SparseCosineDistance = %v, want %v", got, tt.cos)
			}
		})
	}
}

// FuzzSparse builds two sparse vectors from the fuzzer's bytes (each byte a
// gap to the next index, a value and which vector it goes to) and compares
// the sparse functions with the dense reference loops.
func FuzzSparse(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 10, 0, 0, 20, 1, 3, 30, 2, 1, 255, 0})
	f.Add([]byte{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 1, 2, 0, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		var a, b Sparse
		var nextA, nextB int32
		for i := 0; i+3 <= len(data); i += 3 {
			gap, val, which := int32(data[i]%16), float32(int8(data[i+1]))/16, data[i+2]
			if which%3 != 1 {
				nextA += gap
				a.Indices, a.Values = append(a.Indices, nextA), append(a.Values, val)
				nextA++
			}
			if which%3 != 0 {
				nextB += gap
				b.Indices, b.Values = append(b.Indices, nextB), append(b.Values, val*1.5)
				nextB++
			}
		}
		checkSparse(t, a, b, int(max(nextA, nextB)))
	})
}
