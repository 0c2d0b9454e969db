package hnsw

import (
	"math/rand/v2"
	"testing"
)

// TestScan checks iterative scans on a random graph: the first batch is
// what Search returns, rows never repeat, StrictOrder never goes back,
// RelaxedOrder with a large budget reaches every row, filters hold, and
// the budget bounds the work.
func TestScan(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	vecs := randomVectors(r, 2000, 8)
	g, _ := New(Config{Dim: 8, Metric: L2, M: 8, EfConstruction: 32})
	insertAll(t, g, vecs)
	tests := []struct {
		name   string
		opt    ScanOptions
		accept func(uint64) bool
		all    bool // every accepted row comes out
	}{
		{"strict", ScanOptions{EfSearch: 40, Order: StrictOrder, MaxScanTuples: 1 << 30}, nil, false},
		{"relaxed", ScanOptions{EfSearch: 40, Order: RelaxedOrder, MaxScanTuples: 1 << 30}, nil, true},
		{"relaxed small budget", ScanOptions{EfSearch: 10, Order: RelaxedOrder, MaxScanTuples: 300}, nil, false},
		{"filtered", ScanOptions{EfSearch: 20, Order: RelaxedOrder, MaxScanTuples: 1 << 30}, func(id uint64) bool { return id%7 == 0 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, plain := NewSearcher(), NewSearcher()
			for qi := range 20 {
				q := randomVectors(r, 1, 8)[0]
				tt.opt.Accept = tt.accept
				if err := s.Scan(g, q, tt.opt); err != nil {
					t.Fatal(err)
				}
				seen := map[uint64]bool{}
				last := -1.0
				for i := 0; ; i++ {
					batch := s.Next()
					if len(batch) == 0 {
						break
					}
					if i == 0 {
						want, _ := g.Search(plain, q, tt.opt.EfSearch, tt.opt.EfSearch, tt.accept)
						if !sameResults(batch, want) {
							t.Fatalf("query %d: first batch %v, Search %v", qi, batch, want)
						}
					}
					for _, x := range batch {
						if seen[x.ID] {
							t.Fatalf("query %d: row %d twice", qi, x.ID)
						}
						seen[x.ID] = true
						if tt.accept != nil && !tt.accept(x.ID) {
							t.Fatalf("query %d: row %d refused by the filter", qi, x.ID)
						}
						if tt.opt.Order == StrictOrder && x.Distance < last {
							t.Fatalf("query %d: %v after %v in strict order", qi, x.Distance, last)
						}
						last = max(last, x.Distance)
					}
				}
				want := len(vecs)
				if tt.accept != nil {
					want = (len(vecs) + 6) / 7
				}
				if tt.all && len(seen) != want {
					t.Fatalf("query %d: %d rows, want %d", qi, len(seen), want)
				}
				// The budget is checked between searches: the last one can
				// overrun it by what one batch expands.
				if tt.opt.MaxScanTuples == 300 && len(seen) > 300+tt.opt.EfSearch*2*g.m {
					t.Fatalf("query %d: %d rows for a budget of 300 distances", qi, len(seen))
				}
			}
		})
	}
}

func TestScanErrors(t *testing.T) {
	g, _ := New(Config{Dim: 2, Metric: L2})
	s := NewSearcher()
	if err := s.Scan(g, []float32{1}, ScanOptions{}); err == nil {
		t.Fatal("wrong dimension accepted")
	}
	if err := s.Scan(g, []float32{1, 2}, ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	if b := s.Next(); len(b) != 0 {
		t.Fatalf("empty graph returned %v", b)
	}
	s.End()
	if b := s.Next(); len(b) != 0 {
		t.Fatalf("ended scan returned %v", b)
	}
}
