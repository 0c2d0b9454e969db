package hnsw

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomVectors returns n vectors of dim floats, clustered a little so
// that the graph has structure to find.
func randomVectors(r *rand.Rand, n, dim int) [][]float32 {
	centers := make([][]float32, 8)
	for i := range centers {
		centers[i] = make([]float32, dim)
		for j := range centers[i] {
			centers[i][j] = float32(r.NormFloat64() * 3)
		}
	}
	out := make([][]float32, n)
	for i := range out {
		c := centers[r.IntN(len(centers))]
		v := make([]float32, dim)
		for j := range v {
			v[j] = c[j] + float32(r.NormFloat64())
		}
		out[i] = v
	}
	return out
}

// bruteForce returns the ids of the k vectors nearest to q by g's metric,
// among those live says are there.
func bruteForce(g *Graph, vecs [][]float32, live func(int) bool, q []float32, k int) []Result {
	var s Searcher
	s.prepare(g, VectorValue(q))
	tmp := make([]float32, g.dim)
	var all []Result
	for i, v := range vecs {
		if !live(i) {
			continue
		}
		copy(tmp, v)
		if g.metric == Cosine {
			normalize(tmp)
		}
		all = append(all, Result{ID: uint64(i), Distance: g.operatorDistance(&s, makeItem(g.dist(s.q, tmp), 0))})
	}
	slices.SortStableFunc(all, func(a, b Result) int {
		if a.Distance != b.Distance {
			if a.Distance < b.Distance {
				return -1
			}
			return 1
		}
		return 0
	})
	return all[:min(k, len(all))]
}

// insertAll inserts vecs[i] as row i in one committed Tx.
func insertAll(tb testing.TB, g *Graph, vecs [][]float32) {
	tb.Helper()
	tx := g.Begin(nil)
	for i, v := range vecs {
		if err := tx.Insert(uint64(i), v); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// TestSearchExact checks that a search as wide as the graph finds exactly
// the brute-force answer, for every metric.
func TestSearchExact(t *testing.T) {
	for _, m := range []Metric{L2, InnerProduct, Cosine, L1} {
		t.Run(m.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(m)))
			vecs := randomVectors(r, 600, 12)
			g, err := New(Config{Dim: 12, Metric: m, M: 8, EfConstruction: 32, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			insertAll(t, g, vecs)
			if g.Len() != len(vecs) {
				t.Fatalf("Len = %d", g.Len())
			}
			s := NewSearcher()
			all := func(int) bool { return true }
			for qi := range 50 {
				q := randomVectors(r, 1, 12)[0]
				got, err := g.Search(s, q, 10, len(vecs), nil)
				if err != nil {
					t.Fatal(err)
				}
				want := bruteForce(g, vecs, all, q, 10)
				if !sameResults(got, want) {
					t.Fatalf("query %d:\ngot  %v\nwant %v", qi, got, want)
				}
			}
		})
	}
}

// sameResults compares result lists allowing ties to come in any order.
func sameResults(a, b []Result) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Distance != b[i].Distance {
			return false
		}
	}
	ids := func(rs []Result) []uint64 {
		var out []uint64
		for _, r := range rs {
			out = append(out, r.ID)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(ids(a), ids(b))
}

func TestSearchEdgeCases(t *testing.T) {
	g, err := New(Config{Dim: 2, Metric: L2})
	if err != nil {
		t.Fatal(err)
	}
	s := NewSearcher()
	if res, err := g.Search(s, []float32{1, 2}, 5, 10, nil); err != nil || len(res) != 0 {
		t.Fatalf("empty graph: %v, %v", res, err)
	}
	insertAll(t, g, [][]float32{{0, 0}, {1, 1}, {2, 2}})
	if res, _ := g.Search(s, []float32{1, 2}, 0, 10, nil); len(res) != 0 {
		t.Fatalf("k = 0 returned %v", res)
	}
	// ef below k is raised to k.
	if res, _ := g.Search(s, []float32{0, 0}, 3, 1, nil); len(res) != 3 {
		t.Fatalf("ef < k returned %v", res)
	}
	if res, _ := g.Search(s, []float32{0, 0}, 3, 10, func(uint64) bool { return false }); len(res) != 0 {
		t.Fatalf("a filter refusing everything returned %v", res)
	}
	if !g.Contains(1) || g.Contains(7) {
		t.Fatal("Contains is wrong")
	}
	if g.Config().M != DefaultM || g.Config().EfConstruction != DefaultEfConstruction {
		t.Fatalf("defaults not applied: %+v", g.Config())
	}
}

// TestSearchAllocs checks that a search allocates nothing once its
// Searcher has grown.
func TestSearchAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	r := rand.New(rand.NewPCG(1, 1))
	vecs := randomVectors(r, 2000, 16)
	g, _ := New(Config{Dim: 16, Metric: Cosine})
	insertAll(t, g, vecs)
	s := NewSearcher()
	q := vecs[5]
	accept := func(id uint64) bool { return id%2 == 0 }
	g.Search(s, q, 10, 100, accept)
	if a := testing.AllocsPerRun(100, func() { g.Search(s, q, 10, 100, accept) }); a != 0 {
		t.Fatalf("Search allocates %v times", a)
	}
	s.Scan(g, q, ScanOptions{EfSearch: 40})
	for len(s.Next()) > 0 {
	}
	if a := testing.AllocsPerRun(20, func() {
		s.Scan(g, q, ScanOptions{EfSearch: 40})
		for range 5 {
			s.Next()
		}
	}); a != 0 {
		t.Fatalf("a scan allocates %v times", a)
	}
}

// TestRandomLevel checks the level distribution: P(level >= l) = M^-l.
func TestRandomLevel(t *testing.T) {
	g, _ := New(Config{Dim: 1, Metric: L2, M: 4, Seed: 9})
	counts := make([]int, maxLevel+1)
	const n = 200000
	for id := range uint64(n) {
		counts[g.randomLevel(id)]++
	}
	atLeast := n
	for l := range 4 {
		want := n * math.Pow(4, -float64(l))
		if got := float64(atLeast); math.Abs(got-want) > 5*math.Sqrt(want)+1 {
			t.Errorf("level >= %d: %v nodes, want about %v", l, got, want)
		}
		atLeast -= counts[l]
	}
	if g.randomLevel(12345) != g.randomLevel(12345) {
		t.Error("levels are not a function of the id")
	}
}

// TestChunkGeometry checks chunk sizes and that slabs grow with the
// graph.
func TestChunkGeometry(t *testing.T) {
	for _, tt := range []struct {
		dim   int
		shift uint32
	}{{1, 11}, {100, 9}, {784, 7}, {16000, 4}} {
		g, _ := New(Config{Dim: tt.dim, Metric: L2})
		if g.shift != tt.shift {
			t.Errorf("dim %d: chunks of 2^%d nodes, want 2^%d", tt.dim, g.shift, tt.shift)
		}
	}
	for _, reserve := range []bool{false, true} {
		g, _ := New(Config{Dim: 100, Metric: L2})
		_, _, _, total := g.chunkBlockBytes()
		slabs := 0
		g.alloc.Lock()
		if reserve {
			g.reserve(200 << g.shift)
		}
		for i := range 200 << g.shift {
			if i&int(g.mask) == 0 && len(g.slab.free) < total {
				slabs++
			}
			g.allocate()
		}
		g.alloc.Unlock()
		// Slabs grow by a quarter of the graph, or hold what was reserved.
		if want := map[bool]int{false: 30, true: 1}[reserve]; slabs > want {
			t.Errorf("reserve %v: %d slabs for 200 chunks", reserve, slabs)
		}
		if g.capacity() != 200<<g.shift || (reserve && len(g.slab.free) != 0) {
			t.Errorf("capacity %d, slack %d", g.capacity(), len(g.slab.free))
		}
	}
}

func TestStats(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 9))
	g, _ := New(Config{Dim: 8, Metric: L2, M: 4, EfConstruction: 16})
	if st := g.Stats(); st.Live != 0 || st.Levels != 0 || st.Capacity != 0 {
		t.Fatalf("empty graph: %+v", st)
	}
	insertAll(t, g, randomVectors(r, 300, 8))
	tx := g.Begin(nil)
	tx.Delete(1)
	tx.Delete(2)
	tx.Commit()
	st := g.Stats()
	if st.Live != 298 || st.Deleted != 2 || st.Free != 0 || st.Capacity < 300 || st.Levels < 1 {
		t.Fatalf("stats %+v", st)
	}
	if st.VectorBytes < 300*8*4 || st.Bytes() <= st.VectorBytes {
		t.Fatalf("memory %+v", st)
	}
	tx = g.Begin(nil)
	tx.Vacuum(t.Context())
	tx.Commit()
	if st := g.Stats(); st.Deleted != 0 || st.Free != 2 {
		t.Fatalf("after vacuum %+v", st)
	}
}
