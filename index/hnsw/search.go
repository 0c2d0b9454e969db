package hnsw

import (
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/vecgres/vecgres/kernels"
)

// Result is one row a search returns.
type Result struct {
	// ID is the row id given to Insert.
	ID uint64
	// Distance is the value of the operator class's operator between the
	// query and the row's vector (see Graph.Search).
	Distance float64
}

// Searcher holds the scratch memory of searches: a visited set tagged with
// a search counter (never cleared between searches), the two heaps, the
// prepared query and the result buffer. One goroutine uses a Searcher at
// a time; reuse it, and a search allocates nothing once its buffers have
// grown to the graph's size. The zero Searcher is ready to use, with any
// graph.
type Searcher struct {
	visited []uint16 // node -> mark of the last search that visited it
	mark    uint16

	cand  minHeap // nodes to expand, nearest first
	top   maxHeap // the ef nearest acceptable nodes, farthest first
	links []uint32
	batch []uint32         // unvisited neighbours of the node expanded
	dists []float32        // their distances
	dots  []int32          // their integer dot products with q16
	ahead []uint32         // unvisited neighbours of the next candidate
	ptrs  []unsafe.Pointer // their records or vectors, to prefetch
	lptrs []unsafe.Pointer // lists to prefetch
	items []item
	out   []Result

	// q is the query of a Vector graph in stored form (normalised for
	// Cosine); of a Halfvec graph, its halves widened (and normalised for
	// Cosine), which only quantizeQuery reads.
	q    []float32
	q16  []int16 // the query quantised (quant.go)
	qt   float32 // its scale
	qsum float32 // the sum of q's elements
	qsq  float32 // q·q
	// qzero is set for a zero query of a Cosine graph: it has no
	// direction, and every distance is NaN.
	qzero bool

	scan scanState
	// view is the version the running search sees rows as of (see
	// Snapshot).
	view uint64

	evals int // distances computed, for tests and tuning

	// The queries of the other kinds (after the fields a Vector search
	// reads, which keep their places).
	qh    []kernels.Float16 // a Halfvec graph's query
	qnorm float32           // its norm, for Cosine
	qidx  []int32           // a Sparsevec graph's query (normalised for
	qval  []float32         // Cosine)
	qbits []byte            // a Bit graph's query
}

// NewSearcher returns an empty Searcher (the zero value works as well).
func NewSearcher() *Searcher { return new(Searcher) }

// prepare readies s for a search of g: the query copied into s in
// stored form (normalised for Cosine), a fresh visited mark, empty heaps.
// q has g's kind and dimensions.
func (s *Searcher) prepare(g *Graph, q Value) {
	s.qzero = false
	switch g.kind {
	case Vector:
		s.q = append(s.q[:0], q.f32...)
		s.qzero = g.metric == Cosine && !normalize(s.q)
	case Halfvec:
		s.qh = append(s.qh[:0], q.halves()...)
		s.widenQuery(g)
	case Sparsevec:
		s.qidx = append(s.qidx[:0], q.idx...)
		s.qval = append(s.qval[:0], q.f32...)
		if g.metric == Cosine {
			k, ok := normalizeSparse(s.qidx, s.qval)
			s.qidx, s.qval, s.qzero = s.qidx[:k], s.qval[:k], !ok
		}
	case Bit:
		s.qbits = append(s.qbits[:0], q.bits...)
		maskBits(s.qbits, g.dim)
	}
	if g.quant {
		g.quantizeQuery(s)
	}
	s.reset(g)
}

// widenQuery sets s.q (and for Cosine s.qnorm and s.qzero) from the
// halves in s.qh.
func (s *Searcher) widenQuery(g *Graph) {
	s.q = widen(s.q[:0], s.qh)
	if g.metric == Cosine {
		s.qnorm = float32(normalizeNorm(s.q))
		s.qzero = s.qnorm == 0
	}
}

// nodeQuery makes node n's vector the query of s (as insertion does),
// quantised if g is.
func (s *Searcher) nodeQuery(g *Graph, n uint32) {
	switch g.kind {
	case Vector:
		s.q = append(s.q[:0], g.vec(n)...)
	case Halfvec:
		s.qh = append(s.qh[:0], g.half(n)...)
		s.widenQuery(g)
	case Sparsevec:
		v := g.sparseOf(n)
		s.qidx = append(s.qidx[:0], v.Indices...)
		s.qval = append(s.qval[:0], v.Values...)
	case Bit:
		s.qbits = append(s.qbits[:0], g.bitsOf(n)...)
	}
	if g.quant {
		g.quantizeQuery(s)
	}
}

// qsparse returns a Sparsevec graph's query.
func (s *Searcher) qsparse() kernels.Sparse {
	return kernels.Sparse{Indices: s.qidx, Values: s.qval}
}

// reset starts a new visited mark and empties the heaps. The visited set
// has one place more than the graph has node numbers: its last place is
// a sentinel, always marked, that stands for noNode and for nodes added
// after the search began, so that expand needs no branch to skip them.
func (s *Searcher) reset(g *Graph) {
	if need := g.capacity() + 1; len(s.visited) < need {
		s.visited = make([]uint16, need)
		s.mark = 0
	}
	s.mark++
	if s.mark == 0 {
		clear(s.visited)
		s.mark = 1
	}
	s.visited[len(s.visited)-1] = s.mark
	s.cand = s.cand[:0]
	s.top = s.top[:0]
}

// visit marks n visited and reports whether it was not before.
func (s *Searcher) visit(n uint32) bool {
	if int(n) >= len(s.visited)-1 {
		s.growVisited(int(n) + 2)
	}
	if s.visited[n] == s.mark {
		return false
	}
	s.visited[n] = s.mark
	return true
}

// growVisited makes room for nodes added while a search runs.
func (s *Searcher) growVisited(n int) {
	grown := make([]uint16, max(n, 2*len(s.visited)))
	copy(grown, s.visited)
	grown[len(s.visited)-1] = 0
	grown[len(grown)-1] = s.mark
	s.visited = grown
}

// Search is SearchValue for a Vector graph: q is the query vector.
func (g *Graph) Search(s *Searcher, q []float32, k, ef int, accept func(id uint64) bool) ([]Result, error) {
	return g.SearchValue(s, VectorValue(q), k, ef, accept)
}

// SearchValue returns the k rows nearest to q among those accept admits
// (all live rows if accept is nil), nearest first, ties in node order. ef
// (raised to k if smaller) is the beam width of the search on layer 0:
// hnsw.ef_search. Deleted rows and rows accept refuses still guide the
// search but are never returned; with a filter the search runs on until
// it has ef accepted rows or has nothing left to expand.
//
// Each Result's Distance is the operator's value (see operatorDistance):
// `<->` for L2 (the square root of the squared distance the graph orders
// by), `<#>`, `<+>`, `<~>`, `<%>`, and for Cosine one minus the
// similarity (of the normalised vectors, but for Halfvec). Results are in
// exact order of the distance the graph orders by.
//
// The returned slice is s's buffer, valid until s's next use. Search runs
// concurrently with other searches and with inserts and deletes; it takes
// no lock. A Tx that frees node slots (Vacuum, or a rollback of inserts)
// waits at its end for the searches running then, so accept must not wait
// for the writing transaction. q must be of g's kind (an internal error
// otherwise); a query of the wrong dimensions is the error of pgvector's
// distance functions, the query's dimensions first ("different vector
// dimensions 4 and 3" for a 4-dimensional query of a 3-dimensional graph).
func (g *Graph) SearchValue(s *Searcher, q Value, k, ef int, accept func(id uint64) bool) ([]Result, error) {
	if err := g.checkQuery(q); err != nil {
		return nil, err
	}
	s.End()
	s.out = s.out[:0]
	if k <= 0 {
		return s.out, nil
	}
	ef = max(ef, k)
	s.view = versionPending
	token := g.readers.enter()
	defer g.readers.exit(token)
	s.prepare(g, q)
	ep, ok := g.descend(s, g.metric, 0)
	if !ok {
		return s.out, nil
	}
	s.seed(g, ep, accept, noNode)
	g.searchLayer(s, g.metric, 0, ef, accept, noNode)
	s.items = s.top.drainSorted(s.items[:0])
	if g.quant {
		s.items = s.items[:min(len(s.items), rerankFor(k))]
	}
	g.rerank(s, g.metric, s.items)
	for _, it := range s.items[:min(k, len(s.items))] {
		s.out = append(s.out, Result{ID: g.id(it.node()), Distance: g.operatorDistance(s, it)})
	}
	return s.out, nil
}

// noNode is a node number that no node has (slots stop below 2^32-1).
const noNode = ^uint32(0)

// descend walks greedily from the entry point down to level+1 by metric m
// and returns the node it ends at, the entry point for level. It reports
// false if the graph is empty.
func (g *Graph) descend(s *Searcher, m Metric, level int) (item, bool) {
	ep, top, ok := unpackEntry(g.entry.Load())
	if !ok {
		return 0, false
	}
	return g.descendFrom(s, m, ep, top, level), true
}

// descendFrom is descend from node ep on level top.
func (g *Graph) descendFrom(s *Searcher, m Metric, ep uint32, top, level int) item {
	cur, d := ep, g.walkDist(s, m, ep)
	for lc := top; lc > level; lc-- {
		cur, d = g.greedy(s, m, cur, d, lc)
	}
	return makeItem(d, cur)
}

// seed adds an entry point to the search in s.
func (s *Searcher) seed(g *Graph, it item, accept func(uint64) bool, self uint32) {
	n := it.node()
	if !s.visit(n) {
		return
	}
	s.cand.push(it)
	if g.acceptable(s, n, accept, self) {
		s.top.push(it)
	}
}

// greedy moves from cur to its nearest neighbour on level until no
// neighbour is nearer to the query (the search with ef = 1 of the upper
// layers).
func (g *Graph) greedy(s *Searcher, m Metric, cur uint32, d float32, level int) (uint32, float32) {
	for changed := true; changed; {
		changed = false
		s.batch = readList(g.slot(cur, level), s.batch[:0])
		g.walkDists(s, m)
		for i, e := range s.batch {
			if de := s.dists[i]; de < d {
				cur, d, changed = e, de, true
			}
		}
	}
	return cur, d
}

// acceptable reports whether node n may be a result of the search in s:
// a row its snapshot sees, not self, and admitted by accept.
func (g *Graph) acceptable(s *Searcher, n uint32, accept func(uint64) bool, self uint32) bool {
	if n == self {
		return false
	}
	// visibleAt, with its common case (plain live) in line
	if w := g.rawState(n); w != stateLive && (w&stateVersioned == 0 || !g.versionVisible(n, s.view)) {
		return false
	}
	return accept == nil || accept(g.id(n))
}

// expand reads node c's list on level and leaves its unvisited neighbours
// in s.batch, marked visited, and their distances in s.dists.
func (g *Graph) expand(s *Searcher, m Metric, c uint32, level int) {
	s.batch = s.unvisited(g.slot(c, level), s.batch, true)
	g.walkDists(s, m)
}

// unvisited returns in dst the nodes of a list slot that s has not
// visited, marking them if mark is set. The loop has no branch that
// depends on the data: whether a node was visited is a coin toss the CPU
// would mispredict.
func (s *Searcher) unvisited(slot []uint32, dst []uint32, mark bool) []uint32 {
	if cap(dst) < len(slot) {
		dst = make([]uint32, len(slot))
	}
	dst = dst[:len(slot)]
	v := s.visited
	sentinel := int64(len(v) - 1)
	tag := s.mark
	k := 0
	for i := range slot {
		e := atomic.LoadUint32(&slot[i])
		// j is e, or the sentinel for noNode and nodes added since.
		over := uint32((sentinel - int64(e)) >> 63)
		j := e&^over | uint32(sentinel)&over
		d := int32(v[j] ^ tag) // non-zero if not visited
		if mark {
			v[j] = tag
		}
		dst[k] = e
		k += int(uint32(d|-d) >> 31)
	}
	return dst[:k]
}

// searchLayer is the beam search of one layer (the paper's SEARCH-LAYER):
// from the entry points in s.cand it expands the nearest unexpanded node
// until that is farther than the ef-th nearest acceptable node found,
// leaving those ef nodes in s.top.
func (g *Graph) searchLayer(s *Searcher, m Metric, level, ef int, accept func(uint64) bool, self uint32) {
	for len(s.cand) > 0 {
		c := s.cand.pop()
		if len(s.top) >= ef && c > s.top[0] {
			break
		}
		g.expand(s, m, c.node(), level)
		s.lptrs = s.lptrs[:0]
		for i, e := range s.batch {
			it := makeItem(s.dists[i], e)
			if len(s.top) >= ef && it >= s.top[0] {
				continue
			}
			s.cand.push(it)
			s.lptrs = append(s.lptrs, unsafe.Pointer(unsafe.SliceData(g.slot(e, level))))
			if g.acceptable(s, e, accept, self) {
				if len(s.top) < ef {
					s.top.push(it)
				} else {
					s.top.replaceTop(it)
				}
			}
		}
		// The new candidates' lists are read when they are expanded:
		// start loading them now.
		prefetchAll(g.simd, s.lptrs, g.linkLines)
		if len(s.cand) > 0 {
			g.prefetchNeighbours(s, s.cand[0].node(), level)
		}
	}
}

// prefetchNeighbours starts loading the records of node n's unvisited
// neighbours on level: n is the candidate the search will most likely
// expand next, so their cache misses overlap this expansion's work.
func (g *Graph) prefetchNeighbours(s *Searcher, n uint32, level int) {
	s.ahead = s.unvisited(g.slot(n, level), s.ahead, false)
	s.ptrs = s.ptrs[:0]
	if !g.quant {
		// Graphs that walk on their vectors need those.
		for _, e := range s.ahead {
			s.ptrs = append(s.ptrs, g.vecPtr(e))
		}
		prefetchAll(g.simd, s.ptrs, g.vecLines)
		return
	}
	for _, e := range s.ahead {
		s.ptrs = append(s.ptrs, g.recPtr(e))
	}
	prefetchAll(g.simd, s.ptrs, g.recLines)
}

// walkDist returns the distance by metric m between s's query and node n
// that searches walk by: quantised if the graph is.
func (g *Graph) walkDist(s *Searcher, m Metric, n uint32) float32 {
	if g.quant {
		return g.approx(s, m, g.rec(n))
	}
	return g.queryDist(s, m, n)
}

// walkDists sets s.dists to the walking distances of the nodes in
// s.batch, prefetching their records first so that their cache misses
// overlap.
func (g *Graph) walkDists(s *Searcher, m Metric) {
	s.ptrs = s.ptrs[:0]
	s.dists = s.dists[:0]
	s.evals += len(s.batch)
	if g.quant {
		for _, e := range s.batch {
			s.ptrs = append(s.ptrs, g.recPtr(e))
		}
		prefetchAll(g.simd, s.ptrs, g.recLines)
		if cap(s.dots) < len(s.ptrs) {
			s.dots = make([]int32, len(s.ptrs))
		}
		s.dots = s.dots[:len(s.ptrs)]
		dotU8I16Batch(g.simd, s.ptrs, s.q16, s.dots)
		for i, p := range s.ptrs {
			s.dists = append(s.dists, g.approxAt(s, m, p, s.dots[i]))
		}
		return
	}
	for _, e := range s.batch {
		s.ptrs = append(s.ptrs, g.vecPtr(e))
	}
	prefetchAll(g.simd, s.ptrs, g.vecLines)
	if g.kind != Vector {
		for _, e := range s.batch {
			s.dists = append(s.dists, g.queryDist(s, m, e))
		}
		return
	}
	for _, p := range s.ptrs {
		s.dists = append(s.dists, distBy(m, s.q, unsafe.Slice((*float32)(p), g.dim)))
	}
}

// rerank replaces quantised distances in items by exact ones by metric m
// and sorts the items again.
func (g *Graph) rerank(s *Searcher, m Metric, items []item) {
	if !g.quant {
		return
	}
	s.ptrs = s.ptrs[:0]
	for _, it := range items {
		s.ptrs = append(s.ptrs, g.vecPtr(it.node()))
	}
	prefetchAll(g.simd, s.ptrs, g.vecLines)
	if g.kind != Vector {
		for i, it := range items {
			items[i] = makeItem(g.queryDist(s, m, it.node()), it.node())
		}
		slices.Sort(items)
		return
	}
	for i, p := range s.ptrs {
		items[i] = makeItem(distBy(m, s.q, unsafe.Slice((*float32)(p), g.dim)), items[i].node())
	}
	slices.Sort(items)
}

// rerankFor returns how many of the nearest nodes by quantised distance a
// search for k rows re-ranks exactly. On both real datasets re-ranking 2·k
// gives the same recall as re-ranking all ef; 3·k leaves a margin.
func rerankFor(k int) int { return max(3*k, 30) }
