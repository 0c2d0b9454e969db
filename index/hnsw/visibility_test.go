package hnsw

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// scanAll returns every row an iterative scan for q as of snapshot
// returns, with its distance.
func scanAll(t *testing.T, g *Graph, q []float32, snapshot Snapshot) map[uint64]float64 {
	t.Helper()
	s := NewSearcher()
	if err := s.Scan(g, q, ScanOptions{EfSearch: 400, Order: RelaxedOrder, Snapshot: snapshot}); err != nil {
		t.Fatal(err)
	}
	got := map[uint64]float64{}
	for {
		res := s.Next()
		if len(res) == 0 {
			break
		}
		for _, r := range res {
			if _, dup := got[r.ID]; dup {
				t.Fatalf("row %d returned twice", r.ID)
			}
			got[r.ID] = r.Distance
		}
	}
	s.End()
	return got
}

func distancesOf(t *testing.T, g *Graph, q []float32, ids []uint64, snapshot Snapshot) map[uint64]float64 {
	t.Helper()
	res, ok, err := g.Distances(q, ids, snapshot, nil)
	if err != nil || !ok {
		t.Fatalf("Distances: %v, %v", ok, err)
	}
	got := map[uint64]float64{}
	for _, r := range res {
		got[r.ID] = r.Distance
	}
	return got
}

// TestSnapshotsSeeCommittedRows checks READ COMMITTED through the graph:
// while a Tx that deleted, updated (deleted and re-inserted under the
// same row id) and inserted rows is open, and after it is prepared with
// its commit's version, readers as of the earlier version see the rows as
// before, with their old vectors, and the writer (Latest) and readers of
// the commit see the changes; settling keeps every answer.
func TestSnapshotsSeeCommittedRows(t *testing.T) {
	const dim, n = 4, 120
	g, err := New(Config{Dim: dim, Metric: L2, M: 8, EfConstruction: 32, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	row := func(x float32) []float32 { return []float32{x, 0, 0, 0} }
	tx := g.Begin(nil)
	for i := range n {
		mustInsert(t, tx, uint64(i), row(float32(i)))
	}
	tx.Prepare(1)
	tx.Settle(1)
	mustCommit(t, tx)
	if g.Unsettled() {
		t.Fatal("nodes unsettled with no older reader")
	}

	q := row(0)
	before := map[uint64]float64{}
	for i := range n {
		before[uint64(i)] = float64(i)
	}
	after := maps.Clone(before)
	delete(after, 5)    // deleted
	after[7] = 500      // updated: moved to x = 500
	after[1000] = 0.5   // inserted
	delete(after, 1001) // inserted and deleted again
	ids := []uint64{5, 7, 9, 1000, 1001}
	pick := func(m map[uint64]float64) map[uint64]float64 {
		out := map[uint64]float64{}
		for _, id := range ids {
			if d, ok := m[id]; ok {
				out[id] = d
			}
		}
		return out
	}
	check := func(stage string, snapshot Snapshot, want map[uint64]float64) {
		t.Helper()
		if got := scanAll(t, g, q, snapshot); !maps.Equal(got, want) {
			t.Errorf("%s: scan returned %d rows, want %d (5: %v, 7: %v, 1000: %v)", stage, len(got), len(want),
				got[5], got[7], got[1000])
		}
		if got, want := distancesOf(t, g, q, ids, snapshot), pick(want); !maps.Equal(got, want) {
			t.Errorf("%s: Distances %v, want %v", stage, got, want)
		}
	}

	tx = g.Begin(nil)
	mustDelete(t, tx, 5)
	mustDelete(t, tx, 7)
	mustInsert(t, tx, 7, row(500))
	mustInsert(t, tx, 1000, row(0.5))
	mustInsert(t, tx, 1001, row(0.25))
	mustDelete(t, tx, 1001)
	check("open, reader", AsOf(1), before)
	check("open, writer", Latest, after)

	tx.Prepare(2)
	check("prepared, reader of 1", AsOf(1), before)
	check("prepared, reader of 2", AsOf(2), after)
	check("prepared, writer", Latest, after)
	tx.Settle(1) // a reader as of 1 is still running: nothing settles
	mustCommit(t, tx)
	if !g.Unsettled() {
		t.Fatal("the commit's nodes settled while a reader as of 1 runs")
	}
	check("committed, reader of 1", AsOf(1), before)
	check("committed, reader of 2", AsOf(2), after)

	g.Settle(2)
	if g.Unsettled() {
		t.Fatal("nodes still unsettled after every reader moved on")
	}
	check("settled, reader of 2", AsOf(2), after)
	check("settled, writer", Latest, after)
	if len(g.shadows) != 0 {
		t.Errorf("%d row ids keep deleted nodes after settling", len(g.shadows))
	}
	if g.Len() != len(after) {
		t.Errorf("Len %d, want %d", g.Len(), len(after))
	}
}

// TestRolledBackChangesInvisible checks that a Tx's changes rolled back,
// whether before or after Prepare (a commit whose write failed), leave
// every snapshot's rows as they were, and nothing to settle.
func TestRolledBackChangesInvisible(t *testing.T) {
	for _, prepared := range []bool{false, true} {
		g, err := New(Config{Dim: 2, Metric: L2, M: 4, EfConstruction: 16, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		tx := g.Begin(nil)
		for i := range 50 {
			mustInsert(t, tx, uint64(i), []float32{float32(i), 1})
		}
		tx.Prepare(1)
		mustCommit(t, tx)
		// A reader as of 1 holds the first commit's nodes versioned.
		q := []float32{0, 1}
		want := scanAll(t, g, q, AsOf(1))
		if len(want) != 50 {
			t.Fatalf("reader of 1 sees %d rows, want 50", len(want))
		}

		tx = g.Begin(nil)
		for i := range 10 {
			mustDelete(t, tx, uint64(i))
		}
		mustDelete(t, tx, 20)
		mustInsert(t, tx, 20, []float32{-5, 1})
		if prepared {
			tx.Prepare(2)
		}
		tx.Rollback()
		for _, sn := range []Snapshot{AsOf(0), AsOf(1), AsOf(2), Latest} {
			got := scanAll(t, g, q, sn)
			if sn == AsOf(0) {
				if len(got) != 0 {
					t.Errorf("prepared %v: reader of 0 sees %d rows, want none", prepared, len(got))
				}
				continue
			}
			if !maps.Equal(got, want) {
				t.Errorf("prepared %v, %+v: %d rows after rollback, want the %d before", prepared, sn, len(got), len(want))
			}
		}
		g.Settle(1)
		if g.Unsettled() || len(g.shadows) != 0 {
			t.Errorf("prepared %v: after rollback and settle: unsettled %v, %d shadows", prepared, g.Unsettled(), len(g.shadows))
		}
		if g.Len() != 50 {
			t.Errorf("prepared %v: Len %d after rollback, want 50", prepared, g.Len())
		}
	}
}

// TestSnapshotsUnderConcurrentWriters runs readers as of the versions of
// commits beside a writer that deletes, updates and inserts rows, prepares,
// settles and commits (or rolls back) in a loop, as the SQL layer drives
// a graph: every reader's exhaustive scan must return exactly the rows
// committed at its version, with their vectors of that version. Run it
// under -race too.
func TestSnapshotsUnderConcurrentWriters(t *testing.T) {
	const dim, rows, rounds, readers = 4, 200, 60, 3
	g, err := New(Config{Dim: dim, Metric: L2, M: 6, EfConstruction: 24, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	vec := func(id uint64, gen int) []float32 {
		return []float32{float32(id), float32(gen), 0, 1}
	}
	dist := func(v []float32) float64 { // from the query [0,0,0,1]
		d := 0.0
		for i, x := range v {
			q := float32(0)
			if i == 3 {
				q = 1
			}
			d += float64((x - q) * (x - q))
		}
		return d
	}
	// states[v] is the committed set of version v: row id -> squared
	// distance to the query.
	var mu sync.Mutex
	states := map[uint64]map[uint64]float64{}
	active := map[uint64]int{}
	latest := uint64(1)
	oldest := func() uint64 {
		mu.Lock()
		defer mu.Unlock()
		o := latest
		for v := range active {
			o = min(o, v)
		}
		return o
	}

	cur := map[uint64]float64{}
	tx := g.Begin(nil)
	for id := range uint64(rows) {
		mustInsert(t, tx, id, vec(id, 0))
		cur[id] = dist(vec(id, 0))
	}
	tx.Prepare(1)
	mustCommit(t, tx)
	states[1] = maps.Clone(cur)

	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan string, readers)
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := NewSearcher()
			q := []float32{0, 0, 0, 1}
			for {
				select {
				case <-done:
					return
				default:
				}
				mu.Lock()
				v := latest
				active[v]++
				want := states[v]
				mu.Unlock()
				got := map[uint64]float64{}
				if err := s.Scan(g, q, ScanOptions{EfSearch: 64, Order: RelaxedOrder, MaxScanTuples: 1 << 30, Snapshot: AsOf(v)}); err != nil {
					errs <- err.Error()
					return
				}
				for res := s.Next(); len(res) > 0; res = s.Next() {
					for _, x := range res {
						got[x.ID] = x.Distance * x.Distance
					}
				}
				s.End()
				mu.Lock()
				if active[v]--; active[v] == 0 {
					delete(active, v)
				}
				mu.Unlock()
				if len(got) != len(want) {
					errs <- fmt.Sprintf("reader %d as of %d: %d rows, want %d", r, v, len(got), len(want))
					return
				}
				for id, d := range want {
					if g, ok := got[id]; !ok || math.Abs(g-d) > 1e-3 {
						errs <- fmt.Sprintf("reader %d as of %d: row %d at %v (found %v), want %v", r, v, id, g, ok, d)
						return
					}
				}
			}
		}()
	}

	rng := rand.New(rand.NewPCG(1, 2))
	next := uint64(rows)
	for round := 1; round <= rounds; round++ {
		tx := g.Begin(nil)
		work := maps.Clone(cur)
		for range 10 {
			id := uint64(rng.IntN(int(next)))
			if _, ok := work[id]; !ok {
				continue
			}
			mustDelete(t, tx, id)
			delete(work, id)
			if rng.IntN(2) == 0 { // an update: the row again, moved
				mustInsert(t, tx, id, vec(id, round))
				work[id] = dist(vec(id, round))
			}
		}
		for range 5 {
			mustInsert(t, tx, next, vec(next, round))
			work[next] = dist(vec(next, round))
			next++
		}
		if rng.IntN(5) == 0 {
			tx.Rollback()
			continue
		}
		mu.Lock()
		v := latest + 1
		mu.Unlock()
		tx.Prepare(v)
		mu.Lock()
		states[v] = work
		latest = v
		mu.Unlock()
		tx.Settle(oldest())
		mustCommit(t, tx)
		cur = work
		g.Settle(oldest())
	}
	close(done)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	g.Settle(oldest())
	if g.Unsettled() {
		t.Error("nodes unsettled with no reader left")
	}
}
