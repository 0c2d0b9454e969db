package hnsw

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentInsertSearch inserts from several goroutines of one Tx
// while others search, then checks that every row is found.
func TestConcurrentInsertSearch(t *testing.T) {
	n := 4000
	if raceEnabled {
		n = 1500
	}
	r := rand.New(rand.NewPCG(3, 4))
	vecs := randomVectors(r, n, 16)
	g, _ := New(Config{Dim: 16, Metric: L2, M: 8, EfConstruction: 32})
	store := newMemStore()
	tx := g.Begin(store)
	var inserted atomic.Int64
	var wg sync.WaitGroup
	const writers = 4
	for w := range writers {
		wg.Go(func() {
			for i := w; i < n; i += writers {
				if err := tx.Insert(uint64(i), vecs[i]); err != nil {
					t.Error(err)
					return
				}
				inserted.Add(1)
			}
		})
	}
	stop := make(chan struct{})
	var searchers sync.WaitGroup
	for range 2 {
		searchers.Go(func() {
			s := NewSearcher()
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				res, err := g.Search(s, vecs[k%n], 5, 20, nil)
				if err != nil {
					t.Error(err)
					return
				}
				for i := 1; i < len(res); i++ {
					if res[i].Distance < res[i-1].Distance {
						t.Errorf("results out of order: %v", res)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	searchers.Wait()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if g.Len() != n {
		t.Fatalf("Len = %d, want %d", g.Len(), n)
	}
	// ef 80, not 40: a row not found is meant to show a link lost to
	// concurrency, and at 40 the beam alone misses a row now and then
	// (4,000 random 16-dimensional rows, M = 8, 60 runs: self-recall at 40
	// had a minimum of 0.9925 without soft links and 0.9912 with them, and
	// this test fell below 0.99 about one run in 60).
	if f := selfRecall(t, g, vecs, 80); f < 0.99 {
		t.Fatalf("only %.3f of the rows find themselves", f)
	}
	// What the concurrent Tx wrote loads into the same graph.
	loaded, err := Load(g.Config(), store.iter)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := dumpGraph(g), dumpGraph(loaded); a != b {
		t.Fatal("the records of a concurrent Tx do not load into the same graph")
	}
}

// selfRecall returns the fraction of live rows that a search for their
// own vector returns first.
func selfRecall(tb testing.TB, g *Graph, vecs [][]float32, ef int) float64 {
	tb.Helper()
	s := NewSearcher()
	found, total := 0, 0
	for i, v := range vecs {
		if !g.Contains(uint64(i)) {
			continue
		}
		total++
		res, err := g.Search(s, v, 1, ef, nil)
		if err != nil {
			tb.Fatal(err)
		}
		if len(res) > 0 && (res[0].ID == uint64(i) || res[0].Distance == 0) {
			found++
		}
	}
	return float64(found) / float64(total)
}

// TestConcurrentBuild checks that a parallel Build links every row.
func TestConcurrentBuild(t *testing.T) {
	n := 5000
	if raceEnabled {
		n = 1500
	}
	r := rand.New(rand.NewPCG(5, 6))
	vecs := randomVectors(r, n, 16)
	var calls []int
	g, err := Build(t.Context(), Config{Dim: 16, Metric: Cosine, M: 8, EfConstruction: 32}, func(yield func(uint64, []float32) error) error {
		for i, v := range vecs {
			if err := yield(uint64(i), v); err != nil {
				return err
			}
		}
		return nil
	}, BuildOptions{Workers: 4, Progress: func(done, total int) {
		if total != n {
			t.Errorf("progress total %d", total)
		}
		calls = append(calls, done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 || calls[0] != 0 || calls[len(calls)-1] != n {
		t.Fatalf("progress calls %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i] < calls[i-1] {
			t.Fatalf("progress went back: %v", calls)
		}
	}
	if f := selfRecall(t, g, vecs, 40); f < 0.99 {
		t.Fatalf("only %.3f of the rows find themselves", f)
	}
}

// TestDeletedNeverReturned deletes rows while searches run: a search that
// starts after a Delete returned never returns that row, and after a
// concurrent Vacuum the rest is still found.
func TestDeletedNeverReturned(t *testing.T) {
	n := 3000
	if raceEnabled {
		n = 1200
	}
	r := rand.New(rand.NewPCG(8, 9))
	vecs := randomVectors(r, n, 8)
	g, _ := New(Config{Dim: 8, Metric: L2, M: 8, EfConstruction: 32})
	insertAll(t, g, vecs)
	order := r.Perm(n)[:n/2] // rows to delete, in this order
	pos := make([]int, n)    // row -> position in order, or -1
	for i := range pos {
		pos[i] = -1
	}
	for i, id := range order {
		pos[id] = i
	}
	var deleted atomic.Int64 // how many of order are deleted
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			s := NewSearcher()
			for k := w; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				before := int(deleted.Load())
				res, _ := g.Search(s, vecs[k%n], 10, 30, nil)
				for _, x := range res {
					if p := pos[x.ID]; p >= 0 && p < before {
						t.Errorf("row %d returned after its deletion", x.ID)
						return
					}
				}
			}
		})
	}
	tx := g.Begin(nil)
	for _, id := range order {
		if err := tx.Delete(uint64(id)); err != nil {
			t.Fatal(err)
		}
		deleted.Add(1)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx = g.Begin(nil)
	st, err := tx.Vacuum(t.Context())
	if err != nil || st.Reclaimed != n/2 {
		t.Fatalf("vacuum: %+v, %v", st, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if g.Len() != n-n/2 {
		t.Fatalf("Len = %d", g.Len())
	}
	if f := selfRecall(t, g, vecs, 40); f < 0.99 {
		t.Fatalf("after vacuum only %.3f of the rows find themselves", f)
	}
	// Reclaimed slots are reused.
	before := g.next
	tx = g.Begin(nil)
	for i := range 100 {
		if err := tx.Insert(uint64(n+i), vecs[i]); err != nil {
			t.Fatal(err)
		}
	}
	tx.Commit()
	if g.next != before {
		t.Fatalf("inserts after vacuum took new slots: %d -> %d", before, g.next)
	}
}

// TestScanDuringVacuum runs iterative scans while rows are deleted and
// reclaimed: scans never return deleted rows and stop early if slots were
// reclaimed under them.
func TestScanDuringVacuum(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	vecs := randomVectors(r, 1500, 8)
	g, _ := New(Config{Dim: 8, Metric: L2, M: 8, EfConstruction: 32})
	insertAll(t, g, vecs)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := NewSearcher()
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.Scan(g, vecs[k%len(vecs)], ScanOptions{EfSearch: 20, MaxScanTuples: 400}); err != nil {
				t.Error(err)
				return
			}
			seen := map[uint64]bool{}
			for b := s.Next(); len(b) > 0; b = s.Next() {
				for _, x := range b {
					if seen[x.ID] {
						t.Errorf("row %d returned twice", x.ID)
						return
					}
					seen[x.ID] = true
				}
			}
		}
	})
	for round := range 5 {
		tx := g.Begin(nil)
		for i := round; i < len(vecs); i += 10 {
			tx.Delete(uint64(i))
		}
		if _, err := tx.Vacuum(t.Context()); err != nil {
			t.Fatal(err)
		}
		tx.Commit()
		tx = g.Begin(nil)
		for i := round; i < len(vecs); i += 10 {
			if err := tx.Insert(uint64(i), vecs[i]); err != nil {
				t.Fatal(err)
			}
		}
		tx.Commit()
	}
	close(stop)
	wg.Wait()
}

// TestRollbackUnderSearch rolls back inserts and deletes while searches
// run: once Rollback has returned, no search returns a row it took back,
// and reused slots hold their new rows.
func TestRollbackUnderSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	vecs := randomVectors(r, 1600, 8)
	g, _ := New(Config{Dim: 8, Metric: Cosine, M: 6, EfConstruction: 24})
	insertAll(t, g, vecs[:800])
	var rolledBack atomic.Int64 // rounds rolled back so far
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			s := NewSearcher()
			for k := w; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				done := rolledBack.Load()
				res, err := g.Search(s, vecs[k%len(vecs)], 10, 30, nil)
				if err != nil {
					t.Error(err)
					return
				}
				for _, x := range res {
					// Round i inserts rows 800+100*i .. 800+100*i+99.
					if x.ID >= 800 && int64(x.ID-800)/100 < done {
						t.Errorf("row %d returned after its rollback", x.ID)
						return
					}
				}
			}
		})
	}
	for round := range 8 {
		before := dumpGraph(g)
		tx := g.Begin(nil)
		for i := range 100 {
			id := 800 + 100*round + i
			if err := tx.Insert(uint64(id), vecs[id]); err != nil {
				t.Fatal(err)
			}
		}
		for range 20 {
			tx.Delete(uint64(r.IntN(800)))
		}
		tx.Rollback()
		rolledBack.Add(1)
		if after := dumpGraph(g); after != before {
			t.Fatalf("round %d: rollback did not restore the graph", round)
		}
	}
	close(stop)
	wg.Wait()
	if f := selfRecall(t, g, vecs[:800], 40); f < 0.99 {
		t.Fatalf("only %.3f of the rows find themselves", f)
	}
}
