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
	r := &runner{ds: &dataset{base: base, queries: queries}, metric: metricL2, k: 2, kth: []float64{1, 1}}
	s := &searcher{
		found:   [][]int64{{0, 1}, {3, 0}},
		latency: []time.Duration{time.Millisecond, 3 * time.Millisecond},
	}
	p := r.point(40, 500*time.Millisecond, s)
	want := Point{EfSearch: 40, Recall: 0.75, QPS: 4, P50Ms: 1, P99Ms: 3, MeanMs: 2}
	if p != want {
		t.Errorf("point = %+v, want %+v", p, want)
	}
}

func TestPassWithoutQueries(t *testing.T) {
	s, err := newSearcher(context.Background(), nil, "SELECT 1", nil, binaryFormat, 10)
	if err != nil {
		t.Fatal(err)
	}
	wall, err := s.pass(context.Background())
	if err != nil || wall < 0 || math.IsNaN(wall.Seconds()) {
		t.Errorf("pass = %v, %v", wall, err)
	}
}
