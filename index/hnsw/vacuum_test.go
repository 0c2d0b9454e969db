package hnsw

import (
	"math/rand/v2"
	"testing"
)

// TestApplyVacuumAfterChanges plans a vacuum, lets writers change the
// graph before the plan is applied, and checks that the applied vacuum
// reclaims exactly the nodes deleted both when planned and when applied,
// leaves no link to a reclaimed node, chooses again only what changed,
// persists a graph that loads back the same, and that every live row
// still finds itself.
func TestApplyVacuumAfterChanges(t *testing.T) {
	const n, dim = 1500, 8
	tests := []struct {
		name string
		// between runs after PlanVacuum; open runs before it, in a Tx
		// that between rolls back (nil: none).
		open    func(t *testing.T, tx *Tx)
		between func(t *testing.T, g *Graph, store Store, open *Tx)
		// reclaimed is how many nodes ApplyVacuum must reclaim (-1: the
		// 300 deleted before planning); replanned whether lists must have
		// been chosen again.
		reclaimed int
		replanned bool
	}{
		{
			name:      "nothing changed",
			between:   func(*testing.T, *Graph, Store, *Tx) {},
			reclaimed: -1,
		},
		{
			name: "rows inserted",
			between: func(t *testing.T, g *Graph, store Store, _ *Tx) {
				tx := g.Begin(store)
				for i := range 200 {
					mustInsert(t, tx, uint64(n+i), vecOf(n+i, dim))
				}
				mustCommit(t, tx)
			},
			reclaimed: -1,
			replanned: true,
		},
		{
			name: "more rows deleted",
			between: func(t *testing.T, g *Graph, store Store, _ *Tx) {
				tx := g.Begin(store)
				for id := range 100 {
					mustDelete(t, tx, uint64(1000+id))
				}
				mustCommit(t, tx)
			},
			reclaimed: -1,
		},
		{
			name: "deletes rolled back",
			open: func(t *testing.T, tx *Tx) {
				for id := range 200 {
					mustDelete(t, tx, uint64(600+id))
				}
			},
			// The plan takes only settled deletions as dead: the open
			// Tx's deletes are not, so it planned nothing around them
			// and its rollback changes none of the plan's lists.
			between:   func(_ *testing.T, _ *Graph, _ Store, open *Tx) { open.Rollback() },
			reclaimed: -1,
			replanned: false,
		},
		{
			name: "inserts rolled back",
			open: func(t *testing.T, tx *Tx) {
				for i := range 100 {
					mustInsert(t, tx, uint64(n+i), vecOf(n+i, dim))
				}
			},
			between:   func(_ *testing.T, _ *Graph, _ Store, open *Tx) { open.Rollback() },
			reclaimed: -1,
			replanned: true,
		},
		{
			name: "vacuumed meanwhile",
			between: func(t *testing.T, g *Graph, store Store, _ *Tx) {
				tx := g.Begin(store)
				if _, err := tx.Vacuum(t.Context()); err != nil {
					t.Fatal(err)
				}
				mustCommit(t, tx)
			},
			reclaimed: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Dim: dim, Metric: L2, M: 8, EfConstruction: 32, Seed: 5}
			g, _ := New(cfg)
			store := newMemStore()
			vecs := make([][]float32, n)
			tx := g.Begin(store)
			for i := range vecs {
				vecs[i] = vecOf(i, dim)
				mustInsert(t, tx, uint64(i), vecs[i])
			}
			mustCommit(t, tx)
			tx = g.Begin(store)
			for id := range 300 {
				mustDelete(t, tx, uint64(id*3))
			}
			mustCommit(t, tx)

			var open *Tx
			if tt.open != nil {
				// Its records are discarded with it: it only rolls back.
				open = g.Begin(newMemStore())
				tt.open(t, open)
			}
			p, err := g.PlanVacuum(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			tt.between(t, g, store, open)

			tx = g.Begin(store)
			st, err := tx.ApplyVacuum(t.Context(), p)
			if err != nil {
				t.Fatal(err)
			}
			mustCommit(t, tx)
			want := tt.reclaimed
			if want < 0 {
				want = 300
			}
			if st.Reclaimed != want {
				t.Errorf("reclaimed %d nodes, want %d", st.Reclaimed, want)
			}
			if (st.Replanned > 0) != tt.replanned {
				t.Errorf("%d lists chosen again, want some: %v", st.Replanned, tt.replanned)
			}
			for x := range g.next {
				if g.state(x) == stateFree {
					continue
				}
				for lc := range g.level(x) + 1 {
					for _, e := range readList(g.slot(x, lc), nil) {
						if g.state(e) == stateFree {
							t.Fatalf("node %d links to reclaimed node %d on level %d", x, e, lc)
						}
					}
				}
			}
			checkIDs(t, g)
			loaded, err := Load(cfg, store.iter)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := dumpGraph(g), dumpGraph(loaded); a != b {
				t.Fatalf("records load into\n%s\nwant\n%s", b, a)
			}
			all := append(vecs, make([][]float32, 200)...)
			for i := n; i < len(all); i++ {
				all[i] = vecOf(i, dim)
			}
			if f := selfRecall(t, g, all, 64); f < 0.99 {
				t.Fatalf("after vacuum only %.3f of the rows find themselves", f)
			}
		})
	}
}

// TestVacuumPlanInTxMatchesVacuum checks that a plan applied with no
// change in between gives exactly the graph Vacuum gives.
func TestVacuumPlanInTxMatchesVacuum(t *testing.T) {
	cfg := Config{Dim: 8, Metric: L2, M: 6, EfConstruction: 24, Seed: 9}
	build := func() *Graph {
		g, _ := New(cfg)
		tx := g.Begin(nil)
		for i := range 800 {
			mustInsert(t, tx, uint64(i), vecOf(i, 8))
		}
		for id := range 200 {
			mustDelete(t, tx, uint64(id*4+1))
		}
		mustCommit(t, tx)
		return g
	}
	a, b := build(), build()
	tx := a.Begin(nil)
	sa, err := tx.Vacuum(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, tx)
	p, err := b.PlanVacuum(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tx = b.Begin(nil)
	sb, err := tx.ApplyVacuum(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, tx)
	if sa != sb {
		t.Errorf("Vacuum did %+v, PlanVacuum and ApplyVacuum %+v", sa, sb)
	}
	if da, db := dumpGraph(a), dumpGraph(b); da != db {
		t.Fatalf("planned vacuum left\n%s\nwant\n%s", db, da)
	}
}

// vecOf returns row i's vector: random, the same for the same i.
func vecOf(i, dim int) []float32 {
	r := rand.New(rand.NewPCG(uint64(i), 77))
	v := make([]float32, dim)
	for j := range v {
		v[j] = float32(r.NormFloat64())
	}
	return v
}

func mustInsert(t *testing.T, tx *Tx, id uint64, v []float32) {
	t.Helper()
	if err := tx.Insert(id, v); err != nil {
		t.Fatal(err)
	}
}

func mustDelete(t *testing.T, tx *Tx, id uint64) {
	t.Helper()
	if err := tx.Delete(id); err != nil {
		t.Fatal(err)
	}
}

func mustCommit(t *testing.T, tx *Tx) {
	t.Helper()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
