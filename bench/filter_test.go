package bench

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// countBelow counts the values of attr below t: the rows attr < t
// admits.
func countBelow(attr []int32, t int32) int {
	n := 0
	for _, a := range attr {
		if a < t {
			n++
		}
	}
	return n
}

// isPermutation reports whether attr holds each of 0..len(attr)-1 once.
func isPermutation(attr []int32) bool {
	sorted := slices.Clone(attr)
	slices.Sort(sorted)
	return slices.Equal(sorted, identity(len(attr)))
}

func TestUniformAttr(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10, 1000, 150000} {
		attr := uniformAttr(n)
		if len(attr) != n || !isPermutation(attr) {
			t.Fatalf("n=%d: not a permutation of 0..n-1", n)
		}
		for _, sel := range []float64{1, 0.5, 0.1, 0.01, 0.001} {
			th := threshold(sel, n)
			if got := countBelow(attr, th); got != int(th) {
				t.Errorf("n=%d: attr < %d admits %d rows", n, th, got)
			}
		}
		if !slices.Equal(uniformAttr(n), attr) {
			t.Errorf("n=%d: a second call gives another permutation", n)
		}
	}
	// The values are pinned: a table loaded by an earlier build is
	// measured against the same ones (--skip-load).
	if got, want := uniformAttr(10), []int32{6, 1, 8, 2, 9, 5, 4, 7, 3, 0}; !slices.Equal(got, want) {
		t.Errorf("uniformAttr(10) = %v, want %v", got, want)
	}
	if got, want := attrChecksum(uniformAttr(150000)), "844906198754780"; got != want {
		t.Errorf("checksum of uniformAttr(150000) = %s, want %s", got, want)
	}
}

func TestUniformAttrIsSpread(t *testing.T) {
	// attr < n/10 admits about a tenth of every stretch of ids.
	const n, stretches = 100000, 10
	attr := uniformAttr(n)
	for s := range stretches {
		part := attr[s*n/stretches : (s+1)*n/stretches]
		if got := countBelow(part, n/10); got < 900 || got > 1100 {
			t.Errorf("ids %d to %d: %d of %d rows below %d", s*n/stretches, (s+1)*n/stretches-1, got, len(part), n/10)
		}
	}
}

func TestClusteredAttr(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	base := randomVectors(rng, 500, 4) // a coarse grid: ties
	for _, m := range []metric{metricL2, metricCosine, metricInnerProduct, metricL1} {
		attr := clusteredAttr(base, m)
		if !isPermutation(attr) {
			t.Fatalf("%v: not a permutation", m)
		}
		for _, th := range []int32{1, 5, 50, 250, 500} {
			if got := countBelow(attr, th); got != int(th) {
				t.Errorf("%v: attr < %d admits %d rows", m, th, got)
			}
		}
		// The rank by distance to the centre (not ranked first by inner
		// product, where a row is not nearest to itself).
		centre := clusterCentre(base.rows())
		want := sortedNeighbors(base, base.row(centre), m, base.rows())
		if !sameNeighbors(base, base.row(centre), m, byAttr(attr), want) {
			t.Errorf("%v: attr is not the rank by distance to row %d", m, centre)
		}
	}
	if len(clusteredAttr(matrix[float32]{cols: 2}, metricL2)) != 0 {
		t.Error("clusteredAttr of no rows")
	}
}

// byAttr returns the ids in the order of their attr.
func byAttr(attr []int32) []int32 {
	ids := make([]int32, len(attr))
	for id, a := range attr {
		ids[a] = int32(id)
	}
	return ids
}

func TestThreshold(t *testing.T) {
	tests := []struct {
		sel  float64
		n    int
		want int32
	}{
		{0.001, 150000, 150}, {0.01, 150000, 1500}, {0.1, 150000, 15000}, {0.5, 150000, 75000},
		{1, 150000, 150000}, {0.001, 10000, 10}, {0.5, 3, 2}, {0.0001, 1000, 0}, {0.3, 10, 3},
	}
	for _, tt := range tests {
		if got := threshold(tt.sel, tt.n); got != tt.want {
			t.Errorf("threshold(%v, %d) = %d, want %d", tt.sel, tt.n, got, tt.want)
		}
	}
}

// naiveFilteredNeighbors is the reference: the rows attr < t admits,
// sorted by (distance, id), cut to k.
func naiveFilteredNeighbors(base matrix[float32], q []float32, m metric, attr []int32, t int32, k int) []int32 {
	var ids []int32
	for _, id := range sortedNeighbors(base, q, m, base.rows()) {
		if attr[id] < t {
			ids = append(ids, id)
		}
	}
	return ids[:min(k, len(ids))]
}

func TestFilteredNeighbors(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	base := randomVectors(rng, 400, 5)
	queries := randomVectors(rng, 15, 5)
	copy(base.row(11), []float32{0, 0, 0, 0, 0}) // NaN under cosine
	thresholds := []int32{400, 200, 40, 4, 1}
	for _, attr := range [][]int32{uniformAttr(400), clusteredAttr(base, metricL2)} {
		for _, m := range []metric{metricL2, metricCosine, metricInnerProduct, metricL1} {
			for _, k := range []int{1, 10, 50} {
				got, err := filteredNeighbors(context.Background(), base, queries, m, attr, thresholds, k)
				if err != nil {
					t.Fatal(err)
				}
				for j, th := range thresholds {
					if want := min(k, int(th)); got[j].cols != want || got[j].rows() != queries.rows() {
						t.Fatalf("attr < %d, k=%d: %d queries of %d ids, want %d of %d", th, k, got[j].rows(), got[j].cols, queries.rows(), want)
					}
					for q := range queries.rows() {
						want := naiveFilteredNeighbors(base, queries.row(q), m, attr, th, k)
						if !sameNeighbors(base, queries.row(q), m, got[j].row(q), want) {
							t.Fatalf("%v attr < %d k=%d query %d: got %v, want %v", m, th, k, q, got[j].row(q), want)
						}
					}
				}
			}
		}
	}
}

func TestFilteredNeighborsTiesPreferSmallerIDs(t *testing.T) {
	base := matrix[float32]{cols: 1, data: []float32{1, 1, 5, 1, 1, 1}}
	attr := []int32{5, 0, 1, 2, 4, 3}
	queries := matrix[float32]{cols: 1, data: []float32{1}}
	got, err := filteredNeighbors(context.Background(), base, queries, metricL2, attr, []int32{5, 3}, 3)
	if err != nil {
		t.Fatal(err)
	}
	// attr < 5 admits rows 1 to 5; attr < 3 rows 1, 2 and 3.
	if !slices.Equal(got[0].data, []int32{1, 3, 4}) || !slices.Equal(got[1].data, []int32{1, 3, 2}) {
		t.Errorf("filteredNeighbors = %v, %v; want [1 3 4], [1 3 2]", got[0].data, got[1].data)
	}
}

func TestFilteredNeighborsErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base, queries := randomVectors(rng, 10, 2), randomVectors(rng, 10, 2)
	attr := uniformAttr(10)
	for _, th := range []int32{0, 11} {
		if _, err := filteredNeighbors(context.Background(), base, queries, metricL2, attr, []int32{th}, 2); err == nil || !strings.Contains(err.Error(), "threshold") {
			t.Errorf("threshold %d: %v", th, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := filteredNeighbors(ctx, base, queries, metricL2, attr, []int32{5}, 2); err == nil {
		t.Error("filteredNeighbors with a cancelled context succeeded")
	}
}

func TestRowFilter(t *testing.T) {
	f := rowFilter{attr: []int32{3, 0, 2, 1}, threshold: 2}
	var admitted []int
	for id := range 4 {
		if f.admits(id) {
			admitted = append(admitted, id)
		}
	}
	if !slices.Equal(admitted, []int{1, 3}) {
		t.Errorf("attr < 2 admits %v, want [1 3]", admitted)
	}
	if !(rowFilter{}).admits(123) {
		t.Error("the zero rowFilter rejects a row")
	}
	// Among the first k = 2 of each query: 0 and 2 fail; -1 and 9 are
	// not rows (misses, not wrong rows); the third id is past k.
	returned := [][]int64{{0, 1, 2}, {2, -1}, {9}, nil}
	if got := wrongRows(returned, f, 4, 2); got != 2 {
		t.Errorf("wrongRows = %d, want 2", got)
	}
	if got := wrongRows(returned, rowFilter{}, 4, 2); got != 0 {
		t.Errorf("wrongRows unfiltered = %d, want 0", got)
	}
	if got := meanRows(returned); got != 1.5 {
		t.Errorf("meanRows = %v, want 1.5", got)
	}
	if got := meanRows(nil); got != 0 {
		t.Errorf("meanRows(nil) = %v", got)
	}
}

func TestAttrChecksum(t *testing.T) {
	if got := attrChecksum([]int32{2, 0, 1}); got != "2" { // 0·2 + 1·0 + 2·1
		t.Errorf("attrChecksum = %s, want 2", got)
	}
	if got := attrChecksum(nil); got != "0" {
		t.Errorf("attrChecksum(nil) = %s", got)
	}
}

func BenchmarkFilteredNeighbors(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	base := randomVectors(rng, 20000, 100)
	queries := randomVectors(rng, 10, 100)
	attr := uniformAttr(base.rows())
	thresholds := []int32{10000, 2000, 200, 20}
	b.SetBytes(int64(4 * len(base.data) * queries.rows()))
	for b.Loop() {
		if _, err := filteredNeighbors(context.Background(), base, queries, metricCosine, attr, thresholds, 10); err != nil {
			b.Fatal(err)
		}
	}
}
