package hnsw

import (
	"math/rand/v2"
	"testing"
)

// TestTxRollbackToMark runs random inserts, deletes and re-inserts in
// transactions with nested marks, returns to random marks (some more than
// once), and checks after each return that the graph and its search
// results are exactly what they were at the mark, that Rollback of the
// whole Tx still restores the graph before it, and that a commit's
// records (those written before the mark plus those after the return)
// load into the graph in memory.
func TestTxRollbackToMark(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	vecs := randomVectors(r, 1500, 6)
	cfg := Config{Dim: 6, Metric: L2, M: 4, EfConstruction: 16, Seed: 3}
	g, _ := New(cfg)
	base := newMemStore()
	queries := randomVectors(r, 30, 6)
	next := 0
	type point struct {
		mark Mark
		ops  int
		dump string
		res  [][]Result
		live int
	}
	for round := range 30 {
		before := dumpGraph(g)
		beforeRes := searchAll(t, g, queries, 5, 20)
		b := &batchStore{base: base}
		tx := g.Begin(b)
		var marks []point
		var deletedNow []int
		for range 1 + r.IntN(12) {
			if r.IntN(2) == 0 {
				marks = append(marks, point{mark: tx.Mark(), ops: len(b.ops), dump: dumpGraph(g),
					res: searchAll(t, g, queries, 5, 20), live: g.Len()})
			}
			for range r.IntN(30) {
				switch op := r.IntN(10); {
				case op < 6 && next < len(vecs):
					if err := tx.Insert(uint64(next), vecs[next]); err != nil {
						t.Fatal(err)
					}
					next++
				case op < 8 && next > 0:
					id := r.IntN(next)
					if err := tx.Delete(uint64(id)); err != nil {
						t.Fatal(err)
					}
					deletedNow = append(deletedNow, id)
				case len(deletedNow) > 0:
					if id := deletedNow[r.IntN(len(deletedNow))]; !g.Contains(uint64(id)) {
						if err := tx.Insert(uint64(id), vecs[id]); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			if len(marks) > 0 && r.IntN(3) == 0 {
				i := r.IntN(len(marks))
				p := marks[i]
				marks = marks[:i+1] // later marks are gone, this one stays
				if err := tx.RollbackTo(p.mark); err != nil {
					t.Fatal(err)
				}
				b.ops = b.ops[:p.ops]
				if after := dumpGraph(g); after != p.dump {
					t.Fatalf("round %d: RollbackTo left\n%s\nwant\n%s", round, after, p.dump)
				}
				if !equalResults(p.res, searchAll(t, g, queries, 5, 20)) || g.Len() != p.live {
					t.Fatalf("round %d: RollbackTo changed search results or the row count", round)
				}
				checkIDs(t, g)
			}
		}
		if r.IntN(3) == 0 {
			tx.Rollback()
			if after := dumpGraph(g); after != before {
				t.Fatalf("round %d: rollback after marks left\n%s\nwant\n%s", round, after, before)
			}
			if !equalResults(beforeRes, searchAll(t, g, queries, 5, 20)) {
				t.Fatalf("round %d: rollback changed search results", round)
			}
			continue
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		b.commit()
		loaded, err := Load(cfg, base.iter)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := dumpGraph(g), dumpGraph(loaded); a != b {
			t.Fatalf("round %d: records load into\n%s\nwant\n%s", round, b, a)
		}
		checkIDs(t, g)
	}
}
