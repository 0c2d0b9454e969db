package hnsw

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestQuantExactIntegers checks that vectors of integers 0..255 (images)
// are quantised exactly.
func TestQuantExactIntegers(t *testing.T) {
	g, _ := New(Config{Dim: 40, Metric: L2})
	r := rand.New(rand.NewPCG(3, 3))
	v := make([]float32, 40)
	for i := range v {
		v[i] = float32(r.IntN(256))
	}
	v[0], v[1] = 0, 255
	tx := g.Begin(nil)
	tx.Insert(1, v)
	tx.Commit()
	rec := g.rec(0)
	lo, step := g.hdrFloat(rec, recLo), g.hdrFloat(rec, recStep)
	for i, f := range v {
		if got := lo + step*float32(rec[i]); got != f {
			t.Fatalf("element %d: %v decodes as %v", i, f, got)
		}
	}
}

// TestQuantApprox checks that quantised distances are close to exact ones,
// for every quantised metric, including constant and zero vectors.
func TestQuantApprox(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, m := range []Metric{L2, InnerProduct, Cosine} {
		for _, dim := range []int{1, 3, 100, 784, 2000} {
			g, _ := New(Config{Dim: dim, Metric: m})
			vecs := randomVectors(r, 50, dim)
			for i := range vecs[0] {
				vecs[0][i] = 2 // constant
			}
			tx := g.Begin(nil)
			for i, v := range vecs {
				if err := tx.Insert(uint64(i), v); err != nil {
					t.Fatal(err)
				}
			}
			tx.Commit()
			var s Searcher
			q := randomVectors(r, 1, dim)[0]
			s.prepare(g, VectorValue(q))
			for n := range uint32(len(vecs)) {
				exact := g.dist(s.q, g.vec(n))
				approx := g.approx(&s, m, g.rec(n))
				// The error is a dot product of rounding errors: bound it
				// by the norms.
				var qq float64
				for _, f := range s.q {
					qq += float64(f) * float64(f)
				}
				scale := math.Sqrt(qq*float64(g.hdrFloat(g.rec(n), recSq))) + 1
				if d := math.Abs(float64(approx - exact)); d > 0.02*scale {
					t.Fatalf("%v dim %d node %d: approx %v, exact %v", m, dim, n, approx, exact)
				}
			}
		}
	}
}

func TestQueryScale(t *testing.T) {
	for _, dimPad := range []int{16, 112, 784, 2000, 16000} {
		q := queryScale(dimPad)
		if q < 1 || float64(dimPad)*255*q > math.MaxInt32 {
			t.Errorf("queryScale(%d) = %v overflows or is useless", dimPad, q)
		}
	}
}
