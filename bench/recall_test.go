package bench

import "testing"

func TestHits(t *testing.T) {
	// Rows at distances 0..5 from the query 0, row 6 tied with row 2.
	base := matrix[float32]{cols: 1, data: []float32{0, 1, 2, 3, 4, 5, 2}}
	q := []float32{0}
	const kth = 2 // k = 3: rows 0, 1 and 2 (or 6)
	tests := []struct {
		name     string
		returned []int64
		want     int
	}{
		{"exact", []int64{0, 1, 2}, 3},
		{"tie instead of row 2", []int64{0, 1, 6}, 3},
		{"order does not matter", []int64{2, 0, 1}, 3},
		{"one wrong", []int64{0, 1, 3}, 2},
		{"duplicates count once", []int64{0, 0, 0}, 1},
		{"fewer results", []int64{1}, 1},
		{"none", nil, 0},
		{"ids outside the loaded rows", []int64{-1, 7, 1 << 40}, 0},
		{"only the first k count", []int64{5, 4, 3, 0, 1}, 0},
	}
	for _, tt := range tests {
		if got := hits(q, tt.returned, kth, base, metricL2, 3, rowFilter{}); got != tt.want {
			t.Errorf("%s: hits(%v) = %d, want %d", tt.name, tt.returned, got, tt.want)
		}
	}
}

func TestHitsEpsilon(t *testing.T) {
	base := matrix[float32]{cols: 1, data: []float32{1}}
	q := []float32{0}
	tests := []struct {
		kth  float64
		want int
	}{
		{1, 1},
		{1 - 0.5e-6, 1}, // within the relative epsilon: a float32 rounding of the k-th distance
		{1 - 2e-6, 0},   // a real difference
	}
	for _, tt := range tests {
		if got := hits(q, []int64{0}, tt.kth, base, metricL2, 1, rowFilter{}); got != tt.want {
			t.Errorf("kth %v: %d hits, want %d", tt.kth, got, tt.want)
		}
	}
	// Negative distances (inner product) get the tolerance too.
	ip := matrix[float32]{cols: 1, data: []float32{2}}
	if got := hits([]float32{1}, []int64{0}, -2*(1+0.5e-6), ip, metricInnerProduct, 1, rowFilter{}); got != 1 {
		t.Errorf("inner product within epsilon: %d hits, want 1", got)
	}
}

func TestRecall(t *testing.T) {
	base := matrix[float32]{cols: 1, data: []float32{0, 1, 2, 3}}
	queries := matrix[float32]{cols: 1, data: []float32{0, 3}}
	kth := []float64{1, 1} // k = 2
	returned := [][]int64{{0, 1}, {3, 0}}
	if got := recall(base, queries, returned, kth, metricL2, 2, rowFilter{}); got != 0.75 {
		t.Errorf("recall = %v, want 0.75", got)
	}
	if got := recall(base, queries, nil, nil, metricL2, 2, rowFilter{}); got != 0 {
		t.Errorf("recall of no queries = %v", got)
	}
	// With k above the loaded rows, a query can only find them all.
	all := [][]int64{{0, 1, 2, 3}}
	if got := recall(base, queries, all, []float64{3}, metricL2, 10, rowFilter{}); got != 1 {
		t.Errorf("recall with k above the rows = %v, want 1", got)
	}
}

func TestHitsFiltered(t *testing.T) {
	// Rows at distances 0..4 from the query 0; the filter admits rows
	// 1, 3 and 4, so for k = 2 the true neighbours are 1 and 3 (kth 3).
	base := matrix[float32]{cols: 1, data: []float32{0, 1, 2, 3, 4}}
	f := rowFilter{attr: []int32{9, 0, 9, 1, 2}, threshold: 3}
	tests := []struct {
		returned []int64
		want     int
	}{
		{[]int64{1, 3}, 2},
		{[]int64{0, 1}, 1}, // row 0 is nearer than kth, but fails the filter
		{[]int64{2, 0}, 0},
		{[]int64{1}, 1}, // fewer rows than k: a miss
		{[]int64{3, 4}, 1},
	}
	for _, tt := range tests {
		if got := hits([]float32{0}, tt.returned, 3, base, metricL2, 2, f); got != tt.want {
			t.Errorf("hits(%v) = %d, want %d", tt.returned, got, tt.want)
		}
	}
}
