package hnsw

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestDistances checks the exact distances of chosen rows against a
// search as wide as the graph (which is exact), for every metric: the
// same value for each live row, in the order asked, with deleted and
// unknown ids left out, and pgvector's error for a query of other
// dimensions.
func TestDistances(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 1))
	vecs := randomVectors(r, 300, 12)
	for _, m := range []Metric{L2, Cosine, InnerProduct, L1} {
		g, err := New(Config{Dim: 12, Metric: m})
		if err != nil {
			t.Fatal(err)
		}
		insertAll(t, g, vecs)
		tx := g.Begin(nil)
		if err := tx.Delete(7); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		q := vecs[0]
		var s Searcher
		all, err := g.Search(&s, q, len(vecs), len(vecs), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[uint64]float64{}
		for _, res := range all {
			want[res.ID] = res.Distance
		}
		ids := []uint64{250, 7, 3, 1000, 0, 42}
		got, ok, err := g.Distances(q, ids, Latest, nil)
		if err != nil || !ok {
			t.Fatalf("%v: %v, %v", m, ok, err)
		}
		wantIDs := []uint64{250, 3, 0, 42}
		if len(got) != len(wantIDs) {
			t.Fatalf("%v: %d results %v, want rows %v", m, len(got), got, wantIDs)
		}
		for i, res := range got {
			d, live := want[res.ID]
			if res.ID != wantIDs[i] || !live {
				t.Errorf("%v: result %d is row %d, want %d", m, i, res.ID, wantIDs[i])
				continue
			}
			if math.Abs(res.Distance-d) > 1e-5*max(1, math.Abs(d)) {
				t.Errorf("%v: row %d at %v, the search says %v", m, res.ID, res.Distance, d)
			}
		}
		if _, _, err := g.Distances(q[:5], ids, Latest, nil); err == nil || !strings.Contains(err.Error(), "different vector dimensions 5 and 12") {
			t.Errorf("%v: short query: %v", m, err)
		}
	}
}
