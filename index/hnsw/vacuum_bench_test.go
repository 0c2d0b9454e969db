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
