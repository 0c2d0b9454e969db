package hnsw

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// searchAll runs queries and returns all results, for exact comparison.
func searchAll(tb testing.TB, g *Graph, queries [][]float32, k, ef int) [][]Result {
	tb.Helper()
	s := NewSearcher()
	var out [][]Result
	for _, q := range queries {
		res, err := g.Search(s, q, k, ef, nil)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, slices.Clone(res))
	}
	return out
}

func equalResults(a, b [][]Result) bool {
	return slices.EqualFunc(a, b, func(x, y []Result) bool { return slices.Equal(x, y) })
}

// TestWriteAllLoad builds a graph, writes it, loads it back and checks
// that the loaded graph is the same and answers the same.
func TestWriteAllLoad(t *testing.T) {
	for _, m := range []Metric{L2, Cosine, InnerProduct, L1} {
		t.Run(m.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(11, uint64(m)))
			vecs := randomVectors(r, 1500, 10)
			cfg := Config{Dim: 10, Metric: m, M: 6, EfConstruction: 24, Seed: 5}
			g, err := Build(t.Context(), cfg, func(yield func(uint64, []float32) error) error {
				for i, v := range vecs {
					if err := yield(uint64(1000+i), v); err != nil {
						return err
					}
				}
				return nil
			}, BuildOptions{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			tx := g.Begin(nil)
			for i := range 100 {
				tx.Delete(uint64(1000 + 3*i))
			}
			tx.Commit()
			store := newMemStore()
			if err := g.WriteAll(store); err != nil {
				t.Fatal(err)
			}
			loaded, err := Load(cfg, store.iter)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := dumpGraph(g), dumpGraph(loaded); a != b {
				t.Fatal("loaded graph differs")
			}
			queries := randomVectors(r, 50, 10)
			if !equalResults(searchAll(t, g, queries, 10, 40), searchAll(t, loaded, queries, 10, 40)) {
				t.Fatal("loaded graph answers differently")
			}
			if loaded.Len() != g.Len() || loaded.Contains(1000) || !loaded.Contains(1001) {
				t.Fatal("loaded row ids differ")
			}
		})
	}
}

// batchStore is a Store whose writes apply to a base store only when the
// "storage transaction" commits, as a Pebble batch does.
type batchStore struct {
	base *memStore
	ops  []func()
}

func (b *batchStore) Put(key, value []byte) error {
	k, v := string(key), slices.Clone(value)
	b.ops = append(b.ops, func() { b.base.m[k] = v })
	return nil
}

func (b *batchStore) Delete(key []byte) error {
	k := string(key)
	b.ops = append(b.ops, func() { delete(b.base.m, k) })
	return nil
}

func (b *batchStore) commit() {
	for _, op := range b.ops {
		op()
	}
}

// TestTxPersistence runs random transactions (inserts, deletes, vacuums;
// committed or rolled back) and checks after each that the committed
// records load into exactly the graph in memory, and that a rolled back
// Tx leaves the graph exactly as before.
func TestTxPersistence(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	vecs := randomVectors(r, 1200, 6)
	cfg := Config{Dim: 6, Metric: L2, M: 4, EfConstruction: 16, Seed: 2}
	g, _ := New(cfg)
	base := newMemStore()
	queries := randomVectors(r, 30, 6)
	next := 0
	for round := range 40 {
		before := dumpGraph(g)
		beforeRes := searchAll(t, g, queries, 5, 20)
		b := &batchStore{base: base}
		tx := g.Begin(b)
		var deletedNow []int
		for range 1 + r.IntN(40) {
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
			case op < 9 && len(deletedNow) > 0:
				// Insert a row this Tx deleted again.
				if id := deletedNow[r.IntN(len(deletedNow))]; !g.Contains(uint64(id)) {
					if err := tx.Insert(uint64(id), vecs[id]); err != nil {
						t.Fatal(err)
					}
				}
			default:
				if _, err := tx.Vacuum(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
		}
		if r.IntN(3) == 0 {
			tx.Rollback()
			if after := dumpGraph(g); after != before {
				t.Fatalf("round %d: rollback left\n%s\nwant\n%s", round, after, before)
			}
			if !equalResults(beforeRes, searchAll(t, g, queries, 5, 20)) {
				t.Fatalf("round %d: rollback changed search results", round)
			}
		} else {
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			b.commit()
		}
		loaded, err := Load(cfg, base.iter)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := dumpGraph(g), dumpGraph(loaded); a != b {
			t.Fatalf("round %d: records load into\n%s\nwant\n%s", round, b, a)
		}
		checkIDs(t, g)
		checkIDs(t, loaded)
	}
}

// TestLoadTolerates checks that Load drops links to nodes whose record is
// missing and replaces a missing entry point.
func TestLoadTolerates(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	vecs := randomVectors(r, 500, 4)
	cfg := Config{Dim: 4, Metric: L2, M: 4, EfConstruction: 16}
	g, _ := New(cfg)
	insertAll(t, g, vecs)
	store := newMemStore()
	if err := g.WriteAll(store); err != nil {
		t.Fatal(err)
	}
	ep, _, _ := unpackEntry(g.entry.Load())
	for _, n := range []uint32{ep, 7, 99} {
		delete(store.m, string(nodeKey(nil, n)))
	}
	loaded, err := Load(cfg, store.iter)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Len() != 497 {
		t.Fatalf("Len = %d", loaded.Len())
	}
	var links []uint32
	for n := range loaded.next {
		if loaded.state(n) == stateFree {
			continue
		}
		for lc := range loaded.level(n) + 1 {
			for _, e := range readList(loaded.slot(n, lc), links[:0]) {
				if loaded.state(e) == stateFree {
					t.Fatalf("node %d links to absent node %d", n, e)
				}
			}
		}
	}
	if newEP, _, ok := unpackEntry(loaded.entry.Load()); !ok || newEP == ep {
		t.Fatal("the entry point was not replaced")
	}
	if f := selfRecall(t, loaded, vecs, 40); f < 0.98 {
		t.Fatalf("only %.3f of the rows find themselves", f)
	}
	// Slots of absent nodes are reused.
	tx := loaded.Begin(nil)
	tx.Insert(1000, vecs[0])
	tx.Commit()
	if loaded.next != g.next {
		t.Fatal("a new slot was used while free ones were left")
	}
}

func TestLoadErrors(t *testing.T) {
	cfg := Config{Dim: 2, Metric: L2, M: 4, EfConstruction: 16}
	g, _ := New(cfg)
	meta := g.appendMeta(nil, 0, 0)
	otherMeta := func() []byte {
		o, _ := New(Config{Dim: 3, Metric: L2, M: 4, EfConstruction: 16})
		return o.appendMeta(nil, 0, 0)
	}()
	node := binary.LittleEndian.AppendUint64(nil, 1)
	node = append(node, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	tests := []struct {
		name string
		key  []byte
		val  []byte
	}{
		{"empty key", nil, nil},
		{"unknown kind", []byte{0x7f}, nil},
		{"short meta", metaKey(nil), meta[:5]},
		{"other dims", metaKey(nil), otherMeta},
		{"short node key", []byte{kindNode, 1}, node},
		{"short node", nodeKey(nil, 1), node[:8]},
		{"bad level", nodeKey(nil, 1), append(binary.LittleEndian.AppendUint64(nil, 1), maxLevel+1, 0, 0, 0, 0, 0, 0, 0, 0)},
		{"odd links", linksKey(nil, 1, 0), []byte{1, 2, 3}},
		{"short deleted key", []byte{kindDeleted}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(cfg, func(yield func(k, v []byte) error) error { return yield(tt.key, tt.val) })
			if pgerr.CodeOf(err) != pgerr.DataCorrupted {
				t.Fatalf("got %v, want a data_corrupted error", err)
			}
		})
	}
	iterErr := errors.New("read failed")
	if _, err := Load(cfg, func(func(k, v []byte) error) error { return iterErr }); err != iterErr {
		t.Fatalf("iterator error not returned: %v", err)
	}
	if _, err := Load(Config{Dim: 0, Metric: L2}, func(func(k, v []byte) error) error { return nil }); err == nil {
		t.Fatal("bad config accepted")
	}
}

// TestStoreError checks that a failing Store breaks the Tx: its calls and
// Commit report the error, and Rollback restores the graph.
func TestStoreError(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 17))
	vecs := randomVectors(r, 300, 4)
	g, _ := New(Config{Dim: 4, Metric: L2})
	insertAll(t, g, vecs[:200])
	before := dumpGraph(g)
	tx := g.Begin(&failStore{ok: 30})
	var err error
	for i := 200; i < 300 && err == nil; i++ {
		err = tx.Insert(uint64(i), vecs[i])
	}
	if err != errFail {
		t.Fatalf("Insert returned %v", err)
	}
	if err := tx.Delete(3); err != errFail {
		t.Fatalf("Delete returned %v", err)
	}
	if err := tx.Commit(); err != errFail {
		t.Fatalf("Commit returned %v", err)
	}
	tx.Rollback()
	if dumpGraph(g) != before {
		t.Fatal("rollback did not restore the graph")
	}
	if err := tx.Insert(999, vecs[0]); pgerr.CodeOf(err) != pgerr.InternalError {
		t.Fatalf("Insert after the end: %v", err)
	}
	tx.Rollback()
}

// TestKeysOrder checks the key layout: meta first, then nodes in node
// order, then their lists, then deletion marks.
func TestKeysOrder(t *testing.T) {
	keys := [][]byte{metaKey(nil), nodeKey(nil, 1), nodeKey(nil, 256), linksKey(nil, 1, 0), linksKey(nil, 1, 2), linksKey(nil, 2, 0), deletedKey(nil, 1)}
	if !slices.IsSortedFunc(keys, func(a, b []byte) int { return slices.Compare(a, b) }) {
		t.Fatalf("keys not in layout order: %x", keys)
	}
}

// checkIDs checks that the row id map holds exactly the live nodes.
func checkIDs(t *testing.T, g *Graph) {
	t.Helper()
	live := 0
	for n := range g.next {
		if g.state(n) != stateLive {
			continue
		}
		live++
		if m, ok := g.ids[g.id(n)]; !ok || m != n {
			t.Fatalf("row %d of node %d maps to %d, %v", g.id(n), n, m, ok)
		}
	}
	if live != len(g.ids) || live != g.Len() {
		t.Fatalf("%d live nodes, %d ids, Len %d", live, len(g.ids), g.Len())
	}
}
