package hnsw

import (
	"testing"
)

// TestRecall builds graphs of the first 10,000 rows of both real datasets
// with pgvector's default options and checks recall@10 against the exact
// gt10k ground truth at a stated ef_search. No timing is asserted.
func TestRecall(t *testing.T) {
	if raceEnabled {
		t.Skip("too slow under the race detector; the concurrency tests cover races")
	}
	tests := []struct {
		name string
		ef   int
		want float64
	}{
		{"glove-6b-100-cosine", 128, 0.95},
		{"fashion-mnist-784-l2", 40, 0.95},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ds := loadDataset(t, tt.name, 10000, true)
			g := buildDataset(t, ds, Config{M: 16, EfConstruction: 64, Seed: 1}, 0)
			got := recall(t, g, ds, 10, tt.ef)
			t.Logf("%s: recall@10 = %.4f at ef_search = %d", tt.name, got, tt.ef)
			if got < tt.want {
				t.Fatalf("recall@10 = %.4f at ef_search = %d, want >= %.2f", got, tt.ef, tt.want)
			}
		})
	}
}
