package hnsw

import (
	"math/rand/v2"
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

// TestVacuumKeepsRecall deletes a tenth of the GloVe gt10k rows, vacuums,
// and checks recall against the exact answer over the remaining rows;
// then inserts the rows again (into the reclaimed slots) and checks
// recall against the ground truth.
func TestVacuumKeepsRecall(t *testing.T) {
	if raceEnabled {
		t.Skip("too slow under the race detector")
	}
	const ef, nq = 128, 200
	ds := loadDataset(t, "glove-6b-100-cosine", 10000, true)
	g := buildDataset(t, ds, Config{M: 16, EfConstruction: 64, Seed: 1}, 0)
	before := recall(t, g, ds, 10, ef)
	r := rand.New(rand.NewPCG(21, 22))
	gone := map[int]bool{}
	tx := g.Begin(nil)
	for _, i := range r.Perm(ds.nBase())[:ds.nBase()/10] {
		gone[i] = true
		if err := tx.Delete(uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx = g.Begin(nil)
	st, err := tx.Vacuum(t.Context())
	if err != nil || st.Reclaimed != len(gone) {
		t.Fatalf("vacuum: %+v, %v", st, err)
	}
	tx.Commit()
	vecs := make([][]float32, ds.nBase())
	for i := range vecs {
		vecs[i] = ds.row(i)
	}
	live := func(i int) bool { return !gone[i] }
	s := NewSearcher()
	hits := 0
	for qi := range nq {
		want := bruteForce(g, vecs, live, ds.query(qi), 10)
		got, _ := g.Search(s, ds.query(qi), 10, ef, nil)
		for _, x := range got {
			if gone[int(x.ID)] {
				t.Fatalf("vacuumed row %d returned", x.ID)
			}
			if x.Distance <= want[9].Distance+1e-6 {
				hits++
			}
		}
	}
	after := float64(hits) / (10 * nq)
	t.Logf("recall@10 at ef %d: %.4f before, %.4f after deleting 10%% and vacuum (%+v)", ef, before, after, st)
	if after < 0.95 || after < before-0.02 {
		t.Fatalf("recall fell from %.4f to %.4f", before, after)
	}
	tx = g.Begin(nil)
	for i := range gone {
		if err := tx.Insert(uint64(i), ds.row(i)); err != nil {
			t.Fatal(err)
		}
	}
	tx.Commit()
	if st := g.Stats(); st.Free != 0 || st.Capacity > ds.nBase()+1<<g.shift {
		t.Fatalf("slots not reused: %+v", st)
	}
	if again := recall(t, g, ds, 10, ef); again < 0.95 {
		t.Fatalf("recall %.4f after inserting the rows again", again)
	}
}
