package bench

import (
	"context"
	"math"
	"testing"
	"time"
)

func TestRunnerPoint(t *testing.T) {
	base := matrix[float32]{cols: 1, data: []float32{0, 1, 2, 3}}
	queries := matrix[float32]{cols: 1, data: []float32{0, 3}}
	r := &runner{ds: &dataset{base: base, queries: queries}, metric: metricL2, cfg: Config{K: 2}}
	s := &searcher{
		found:   [][]int64{{0, 1}, {3, 0}},
		latency: []time.Duration{time.Millisecond, 3 * time.Millisecond},
	}
	p := r.point(sweep{k: 2, kth: []float64{1, 1}}, 40, 500*time.Millisecond, s)
	want := Point{EfSearch: 40, Recall: 0.75, QPS: 4, P50Ms: 1, P99Ms: 3, MeanMs: 2, MeanRows: 2}
	if p != want {
		t.Errorf("point = %+v, want %+v", p, want)
	}

	// Filtered: attr < 2 admits rows 1 and 3 (attr 0 and 1), so the
	// exact neighbours of query 0 are 1 and 3 (kth 3), of query 3 are 3
	// and 1 (kth 2). Row 0 fails the filter: wrong, and no hit even
	// though it is the nearest row to query 0.
	f := rowFilter{attr: []int32{2, 0, 3, 1}, threshold: 2}
	s.found = [][]int64{{0, 1}, {3}}
	p = r.point(sweep{selectivity: 0.5, filter: f, k: 2, kth: []float64{3, 2}}, 10, 500*time.Millisecond, s)
	want = Point{Selectivity: 0.5, EfSearch: 10, Recall: 0.5, QPS: 4, P50Ms: 1, P99Ms: 3, MeanMs: 2, MeanRows: 1.5, WrongRows: 1}
	if p != want {
		t.Errorf("filtered point = %+v, want %+v", p, want)
	}
}

func TestPassWithoutQueries(t *testing.T) {
	s := newSearcher(nil, nil, binaryFormat, 10)
	wall, err := s.pass(context.Background())
	if err != nil || wall < 0 || math.IsNaN(wall.Seconds()) {
		t.Errorf("pass = %v, %v", wall, err)
	}
}
