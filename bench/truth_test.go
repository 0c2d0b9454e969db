package bench

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// randomVectors returns n seeded random vectors with values on a coarse
// grid, so that equal distances (ties) occur.
func randomVectors(rng *rand.Rand, n, dim int) matrix[float32] {
	m := matrix[float32]{cols: dim, data: make([]float32, n*dim)}
	for i := range m.data {
		m.data[i] = float32(rng.IntN(7) - 3)
	}
	return m
}

// sortedNeighbors is the reference: every base row sorted by (distance,
// id), cut to k.
func sortedNeighbors(base matrix[float32], q []float32, m metric, k int) []int32 {
	ids := make([]int32, base.rows())
	for i := range ids {
		ids[i] = int32(i)
	}
	slices.SortFunc(ids, func(a, b int32) int {
		ca := candidate{orderable(m.distance(q, base.row(int(a)))), a}
		cb := candidate{orderable(m.distance(q, base.row(int(b)))), b}
		switch {
		case ca.before(cb):
			return -1
		case cb.before(ca):
			return 1
		}
		return 0
	})
	return ids[:min(k, len(ids))]
}

// sameNeighbors reports whether got lists the same neighbours as want:
// ids at the same distances in the same order. The ranker sums in
// another order than m.distance, so rows at equal distances may come in
// either order.
func sameNeighbors(base matrix[float32], q []float32, m metric, got, want []int32) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		dg := orderable(m.distance(q, base.row(int(got[i]))))
		dw := orderable(m.distance(q, base.row(int(want[i]))))
		if math.Abs(dg-dw) > 1e-12 && dg != dw {
			return false
		}
	}
	return true
}

func TestExactNeighbors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := randomVectors(rng, 300, 5)
	queries := randomVectors(rng, 20, 5)
	copy(base.row(7), []float32{0, 0, 0, 0, 0}) // a zero vector: NaN under cosine
	for _, m := range []metric{metricL2, metricCosine, metricInnerProduct, metricL1} {
		for _, k := range []int{1, 10, 300, 500} {
			got, err := exactNeighbors(context.Background(), base, queries, m, k)
			if err != nil {
				t.Fatal(err)
			}
			for q := range queries.rows() {
				want := sortedNeighbors(base, queries.row(q), m, k)
				if !sameNeighbors(base, queries.row(q), m, got.row(q), want) {
					t.Fatalf("%v k=%d query %d: got %v, want %v", m, k, q, got.row(q), want)
				}
			}
		}
	}
}

func TestExactNeighborsTiesPreferSmallerIDs(t *testing.T) {
	base := matrix[float32]{cols: 1, data: []float32{5, 1, 1, 3, 1}}
	queries := matrix[float32]{cols: 1, data: []float32{1}}
	got, err := exactNeighbors(context.Background(), base, queries, metricL2, 3)
	if err != nil || !slices.Equal(got.data, []int32{1, 2, 4}) {
		t.Errorf("exactNeighbors = %v, %v; want [1 2 4]", got.data, err)
	}
}

func TestExactNeighborsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rng := rand.New(rand.NewPCG(3, 4))
	if _, err := exactNeighbors(ctx, randomVectors(rng, 10, 2), randomVectors(rng, 10, 2), metricL2, 2); err == nil {
		t.Error("exactNeighbors with a cancelled context succeeded")
	}
}

func TestKthDistances(t *testing.T) {
	base := matrix[float32]{cols: 1, data: []float32{0, 1, 2, 3}}
	queries := matrix[float32]{cols: 1, data: []float32{0, 3}}
	truth := matrix[int32]{cols: 3, data: []int32{0, 1, 2, 3, 2, 1}}
	tests := []struct {
		k    int
		want []float64
	}{{1, []float64{0, 0}}, {2, []float64{1, 1}}, {3, []float64{2, 2}}, {9, []float64{2, 2}}}
	for _, tt := range tests {
		got, err := kthDistances(base, queries, truth, metricL2, tt.k)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("k=%d: %v, %v; want %v", tt.k, got, err, tt.want)
		}
	}
	bad := matrix[int32]{cols: 1, data: []int32{0, 4}}
	if _, err := kthDistances(base, queries, bad, metricL2, 1); err == nil || !strings.Contains(err.Error(), "names row 4") {
		t.Errorf("an id past the loaded rows: %v", err)
	}
}

func TestUsableTruth(t *testing.T) {
	ids := matrix[int32]{cols: 10, data: make([]int32, 30)}
	ds := &dataset{queries: matrix[float32]{cols: 1, data: make([]float32, 3)}, truth: &groundTruth{ids: ids, source: "f"}}
	if truth, why := ds.usableTruth(10); truth == nil {
		t.Errorf("k=10: unusable: %s", why)
	}
	if truth, why := ds.usableTruth(11); truth != nil || !strings.Contains(why, "k is 11") {
		t.Errorf("k=11: %v, %q", truth, why)
	}
	ds.queries.data = make([]float32, 4)
	if truth, why := ds.usableTruth(10); truth != nil || !strings.Contains(why, "3 rows for 4 queries") {
		t.Errorf("more queries than rows: %v, %q", truth, why)
	}
	ds.truth, ds.truthNote = nil, "none shipped"
	if truth, why := ds.usableTruth(1); truth != nil || why != "none shipped" {
		t.Errorf("no truth: %v, %q", truth, why)
	}
}

func TestOrderable(t *testing.T) {
	if !math.IsInf(orderable(math.NaN()), 1) || orderable(-2) != -2 {
		t.Error("orderable")
	}
}

func TestDot64AndSquaredL2(t *testing.T) {
	for n := range 10 {
		a, b := make([]float32, n), make([]float32, n)
		dot, sq := 0.0, 0.0
		for i := range a {
			a[i], b[i] = float32(i+1), float32(2*i-3)
			dot += float64(a[i]) * float64(b[i])
			sq += (float64(a[i]) - float64(b[i])) * (float64(a[i]) - float64(b[i]))
		}
		if got := dot64(a, b); got != dot {
			t.Errorf("n=%d: dot64 = %v, want %v", n, got, dot)
		}
		if got := squaredL2(a, b); got != sq {
			t.Errorf("n=%d: squaredL2 = %v, want %v", n, got, sq)
		}
	}
}

func BenchmarkExactNeighbors(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	base := randomVectors(rng, 20000, 100)
	queries := randomVectors(rng, 10, 100)
	for _, m := range []metric{metricL2, metricCosine} {
		b.Run(m.String(), func(b *testing.B) {
			b.SetBytes(int64(4 * len(base.data) * queries.rows()))
			for b.Loop() {
				if _, err := exactNeighbors(context.Background(), base, queries, m, 10); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
