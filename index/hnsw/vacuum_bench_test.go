package hnsw

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkVacuumInsertWait runs a vacuum of a graph of 50,000 live and
// 10,000 deleted rows (100 random dimensions, L2, m = 16,
// ef_construction = 64) while another goroutine inserts one row per Tx,
// and reports how long the vacuum took, the longest time one insert
// (Begin, Insert, Commit) took while it ran (the stall writers see), and
// how many inserts ran (and how many planned lists they made ApplyVacuum
// choose again). in-tx runs Tx.Vacuum, all of it in one Tx;
// planned runs PlanVacuum outside any Tx, then ApplyVacuum in one.
func BenchmarkVacuumInsertWait(b *testing.B) {
	for _, mode := range []struct {
		name   string
		vacuum func(*Graph, Store) (VacuumStats, error)
	}{
		{"in-tx", vacuumGraph},
		{"planned", planVacuumGraph},
	} {
		b.Run(mode.name, func(b *testing.B) { benchVacuumInsertWait(b, mode.vacuum) })
	}
}

func benchVacuumInsertWait(b *testing.B, vacuum func(*Graph, Store) (VacuumStats, error)) {
	const live, deleted, dim = 50_000, 10_000, 100
	r := rand.New(rand.NewPCG(3, 4))
	vecs := randomVectors(r, live+deleted+20_000, dim)
	cfg := Config{Dim: dim, Metric: L2, M: 16, EfConstruction: 64, Seed: 1}
	for b.Loop() {
		b.StopTimer()
		g, err := Build(context.Background(), cfg, func(yield func(uint64, []float32) error) error {
			for i := range live + deleted {
				if err := yield(uint64(i), vecs[i]); err != nil {
					return err
				}
			}
			return nil
		}, BuildOptions{Rows: live + deleted})
		if err != nil {
			b.Fatal(err)
		}
		tx := g.Begin(newMemStore())
		for _, i := range r.Perm(live + deleted)[:deleted] {
			if err := tx.Delete(uint64(i)); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		var (
			stop    atomic.Bool
			wg      sync.WaitGroup
			longest time.Duration
			inserts int
		)
		wg.Add(1)
		go func() {
			defer wg.Done()
			store := newMemStore()
			// Rows keep coming until the vacuum ends, the vectors
			// reused under new ids.
			for id := live + deleted; !stop.Load(); id++ {
				start := time.Now()
				tx := g.Begin(store)
				if err := tx.Insert(uint64(id), vecs[live+deleted+id%(len(vecs)-live-deleted)]); err != nil {
					b.Error(err)
					return
				}
				if err := tx.Commit(); err != nil {
					b.Error(err)
					return
				}
				longest = max(longest, time.Since(start))
				inserts++
			}
		}()
		start := time.Now()
		st, err := vacuum(g, newMemStore())
		took := time.Since(start)
		stop.Store(true)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if st.Reclaimed != deleted {
			b.Fatalf("reclaimed %d nodes, want %d", st.Reclaimed, deleted)
		}
		b.ReportMetric(took.Seconds(), "vacuum-s")
		b.ReportMetric(longest.Seconds()*1000, "longest-insert-ms")
		b.ReportMetric(float64(inserts), "inserts")
		b.ReportMetric(float64(st.Replanned), "replanned-lists")
	}
}

// vacuumGraph vacuums g in one Tx that it commits.
func vacuumGraph(g *Graph, store Store) (VacuumStats, error) {
	tx := g.Begin(store)
	st, err := tx.Vacuum(context.Background())
	if err != nil {
		tx.Rollback()
		return st, err
	}
	return st, tx.Commit()
}

// planVacuumGraph plans a vacuum of g outside any Tx, then applies it in
// one that it commits.
func planVacuumGraph(g *Graph, store Store) (VacuumStats, error) {
	p, err := g.PlanVacuum(context.Background())
	if err != nil {
		return VacuumStats{}, err
	}
	tx := g.Begin(store)
	st, err := tx.ApplyVacuum(context.Background(), p)
	if err != nil {
		tx.Rollback()
		return st, err
	}
	return st, tx.Commit()
}

// BenchmarkVacuumRecall deletes a sixth of 60,000 glove-6b-100-cosine rows
// (m = 16, ef_construction = 64), vacuums them away in one Tx, and reports
// the vacuum's time (wall and process CPU) and recall@10 at ef_search 40 over 200 queries
// (against an exact search of the live rows) before the vacuum (deleted
// nodes still waypoints) and after it: a repair must not cost recall.
func BenchmarkVacuumRecall(b *testing.B) {
	const n, deleted, queries, k, ef = 60_000, 10_000, 200, 10, 40
	ds := loadDataset(b, "glove-6b-100-cosine", n, true)
	cfg := Config{M: 16, EfConstruction: 64, Seed: 1}
	r := rand.New(rand.NewPCG(5, 6))
	gone := make([]bool, n)
	for _, i := range r.Perm(n)[:deleted] {
		gone[i] = true
	}
	vecs := make([][]float32, n)
	for i := range vecs {
		vecs[i] = ds.row(i)
	}
	var truth [][]Result
	recallOf := func(g *Graph) float64 {
		s := NewSearcher()
		hits := 0
		for qi := range queries {
			res, err := g.Search(s, ds.query(qi), k, ef, nil)
			if err != nil {
				b.Fatal(err)
			}
			want := map[uint64]bool{}
			for _, t := range truth[qi] {
				want[t.ID] = true
			}
			for _, x := range res {
				if want[x.ID] {
					hits++
				}
			}
		}
		return float64(hits) / float64(queries*k)
	}
	for b.Loop() {
		b.StopTimer()
		g := buildDataset(b, ds, cfg, 0)
		if truth == nil {
			for qi := range queries {
				truth = append(truth, bruteForce(g, vecs, func(i int) bool { return !gone[i] }, ds.query(qi), k))
			}
		}
		tx := g.Begin(nil)
		for i, d := range gone {
			if d {
				mustDeleteB(b, tx, uint64(i))
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		before := recallOf(g)
		b.StartTimer()
		start, c0 := time.Now(), cpuTime()
		st, err := vacuumGraph(g, nil)
		took, cpu := time.Since(start), cpuTime()-c0
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if st.Reclaimed != deleted {
			b.Fatalf("reclaimed %d nodes, want %d", st.Reclaimed, deleted)
		}
		b.ReportMetric(took.Seconds(), "vacuum-s")
		b.ReportMetric(cpu.Seconds(), "vacuum-cpu-s")
		b.ReportMetric(before, "recall-before")
		b.ReportMetric(recallOf(g), "recall-after")
		// For reference: a graph built from the live rows alone.
		fresh, err := Build(b.Context(), Config{Dim: ds.dim, Metric: ds.metric, M: 16, EfConstruction: 64, Seed: 1},
			func(yield func(uint64, []float32) error) error {
				for i, v := range vecs {
					if !gone[i] {
						if err := yield(uint64(i), v); err != nil {
							return err
						}
					}
				}
				return nil
			}, BuildOptions{Rows: n - deleted})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(recallOf(fresh), "recall-rebuilt")
		b.StartTimer()
	}
}

func mustDeleteB(b *testing.B, tx *Tx, id uint64) {
	b.Helper()
	if err := tx.Delete(id); err != nil {
		b.Fatal(err)
	}
}
