package hnsw

import "unsafe"

// Order is the order an iterative scan returns rows in: pgvector's
// hnsw.iterative_scan modes.
type Order uint8

const (
	// StrictOrder returns rows in increasing distance across batches: a
	// row found later that is nearer than one already returned is skipped
	// (pgvector's strict_order).
	StrictOrder Order = iota
	// RelaxedOrder returns every row it finds; each batch is in increasing
	// distance, but a later batch may hold a row nearer than an earlier
	// one (pgvector's relaxed_order). The caller re-sorts if it must.
	RelaxedOrder
)

// ScanOptions configures an iterative scan.
type ScanOptions struct {
	// EfSearch is the beam width of the first search and of every
	// resumption, hnsw.ef_search (at least 1; 0 means DefaultEfSearch).
	EfSearch int
	// Order is StrictOrder or RelaxedOrder.
	Order Order
	// MaxScanTuples is hnsw.max_scan_tuples: once the scan has computed
	// this many distances it stops searching deeper and returns, nearest
	// first, the rows it found but did not return yet. 0 means
	// DefaultMaxScanTuples.
	MaxScanTuples int
	// Accept, if set, filters rows: rows it refuses still guide the scan
	// but are never returned and do not count towards a batch.
	Accept func(id uint64) bool
	// Snapshot is the view of the rows: Latest (the zero value) for the
	// writing transaction, AsOf(version) for a reader (see Snapshot).
	Snapshot Snapshot
}

// scanState is the state of an iterative scan, kept in its Searcher.
type scanState struct {
	g        *Graph
	opt      ScanOptions
	active   bool
	reclaims uint64  // g.reclaims when the scan began
	tuples   int     // distances computed so far
	started  bool    // the first search ran
	returned int     // rows returned so far
	last     float32 // distance of the last row returned
	draining bool    // MaxScanTuples reached
	// discarded holds the nodes the searches reached but did not keep
	// among their ef nearest: where a resumption starts from. It is
	// ordered as a heap (heaped) only when a resumption first needs it:
	// most scans end with their first batch, and appending costs less
	// than a heap push per dropped node.
	discarded minHeap
	heaped    bool
}

// Scan is ScanValue for a Vector graph: q is the query vector.
func (s *Searcher) Scan(g *Graph, q []float32, opt ScanOptions) error {
	return s.ScanValue(g, VectorValue(q), opt)
}

// ScanValue starts an iterative scan of g for q in s: the first Next runs a
// search of width opt.EfSearch and returns its rows; each later Next
// resumes the search from the nearest nodes it reached but did not return,
// with the same visited set, and returns the next batch, until the graph
// is exhausted or MaxScanTuples distances have been computed (then the
// remaining found rows come out in order, in batches). This is how
// pgvector's iterative index scans work; the caller stops when it has
// enough rows.
//
// The scan holds no lock between calls, and inserts and deletes go on.
// Node slots that a Vacuum or a rolled-back insert frees may be reused
// meanwhile for other rows. A scan as of a snapshot goes on: the slots it
// remembers hold, if reused, nodes added after its snapshot, which it
// walks through but never returns (the caller settles versions only past
// the oldest reader: see Settle). A scan as of Latest ends early instead
// (Next returns no more rows), as it would return them.
// s runs one search or scan at a time: Search or another Scan ends it.
// q is checked as SearchValue checks it.
func (s *Searcher) ScanValue(g *Graph, q Value, opt ScanOptions) error {
	if err := g.checkQuery(q); err != nil {
		return err
	}
	if opt.EfSearch <= 0 {
		opt.EfSearch = DefaultEfSearch
	}
	if opt.MaxScanTuples <= 0 {
		opt.MaxScanTuples = DefaultMaxScanTuples
	}
	s.prepare(g, q)
	s.view = opt.Snapshot.view()
	s.scan = scanState{
		g:         g,
		opt:       opt,
		active:    true,
		reclaims:  g.reclaims.Load(),
		discarded: s.scan.discarded[:0],
	}
	return nil
}

// Next returns the scan's next batch of rows, nearest first within the
// batch, or an empty slice when the scan is over. The slice is s's buffer,
// valid until s's next use.
func (s *Searcher) Next() []Result {
	sc := &s.scan
	s.out = s.out[:0]
	if !sc.active {
		return s.out
	}
	g := sc.g
	token := g.readers.enter()
	defer g.readers.exit(token)
	if g.reclaims.Load() != sc.reclaims && !sc.opt.Snapshot.asOf {
		sc.active = false
		return s.out
	}
	for len(s.out) == 0 && sc.active {
		switch {
		case !sc.started:
			s.firstBatch()
		case sc.draining:
			s.drainBatch()
		default:
			s.resumeBatch()
		}
	}
	return s.out
}

// End ends the scan in s, if one is running, and lets go of its graph.
func (s *Searcher) End() {
	s.scan.active = false
	s.scan.g = nil
	s.scan.opt.Accept = nil
}

// firstBatch runs the initial search.
func (s *Searcher) firstBatch() {
	sc := &s.scan
	g := sc.g
	sc.started = true
	ep, ok := g.descend(s, g.metric, 0)
	if !ok {
		sc.active = false
		return
	}
	s.seed(g, ep, sc.opt.Accept, noNode)
	sc.tuples++
	s.scanLayer()
}

// discard keeps a node the search dropped, for a resumption.
func (sc *scanState) discard(it item) {
	if sc.heaped {
		sc.discarded.push(it)
	} else {
		sc.discarded = append(sc.discarded, it)
	}
}

// heapify orders the discarded nodes as a heap, once.
func (sc *scanState) heapify() {
	if !sc.heaped {
		sc.discarded.init()
		sc.heaped = true
	}
}

// resumeBatch searches again from the nearest discarded nodes.
func (s *Searcher) resumeBatch() {
	sc := &s.scan
	if sc.tuples >= sc.opt.MaxScanTuples {
		sc.draining = true
		return
	}
	if len(sc.discarded) == 0 {
		sc.active = false
		return
	}
	sc.heapify()
	s.cand, s.top = s.cand[:0], s.top[:0]
	for i := 0; i < sc.opt.EfSearch && len(sc.discarded) > 0; i++ {
		it := sc.discarded.pop()
		s.cand.push(it)
		if sc.g.acceptable(s, it.node(), sc.opt.Accept, noNode) {
			s.top.push(it)
		}
	}
	s.scanLayer()
}

// drainBatch returns up to EfSearch discarded rows, nearest first, once
// the tuple budget is spent.
func (s *Searcher) drainBatch() {
	sc := &s.scan
	g := sc.g
	s.top = s.top[:0]
	sc.heapify()
	for len(s.top) < sc.opt.EfSearch && len(sc.discarded) > 0 {
		if it := sc.discarded.pop(); g.acceptable(s, it.node(), sc.opt.Accept, noNode) {
			s.top.push(it)
		}
	}
	if len(s.top) == 0 {
		sc.active = false
		return
	}
	s.emit()
}

// scanLayer is searchLayer on layer 0 that keeps what it drops: nodes not
// good enough to enter the beam, nodes pushed out of it, and unexpanded
// nodes it could not return go to sc.discarded. Then it emits the beam.
func (s *Searcher) scanLayer() {
	sc := &s.scan
	g := sc.g
	ef := sc.opt.EfSearch
	accept := sc.opt.Accept
	for len(s.cand) > 0 {
		c := s.cand.pop()
		if len(s.top) >= ef && c > s.top[0] {
			s.cand.push(c)
			break
		}
		g.expand(s, g.metric, c.node(), 0)
		sc.tuples += len(s.batch)
		s.lptrs = s.lptrs[:0]
		for i, e := range s.batch {
			it := makeItem(s.dists[i], e)
			if len(s.top) >= ef && it >= s.top[0] {
				sc.discard(it)
				continue
			}
			s.cand.push(it)
			s.lptrs = append(s.lptrs, unsafe.Pointer(unsafe.SliceData(g.slot(e, 0))))
			if g.acceptable(s, e, accept, noNode) {
				s.top.push(it)
				if len(s.top) > ef {
					sc.discard(s.top.pop())
				}
			}
		}
		// As searchLayer: start loading the new candidates' lists, and
		// the records of the next candidate's neighbours, so that their
		// cache misses overlap this expansion's work.
		prefetchAll(g.simd, s.lptrs, g.linkLines)
		if len(s.cand) > 0 {
			g.prefetchNeighbours(s, s.cand[0].node(), 0)
		}
	}
	for _, it := range s.cand {
		if !g.acceptable(s, it.node(), accept, noNode) {
			sc.discard(it)
		}
	}
	s.cand = s.cand[:0]
	s.emit()
}

// emit moves the beam, nearest first, into s.out as Results, skipping in
// StrictOrder the rows nearer than one already returned.
func (s *Searcher) emit() {
	sc := &s.scan
	g := sc.g
	s.items = s.top.drainSorted(s.items[:0])
	g.rerank(s, g.metric, s.items)
	for _, it := range s.items {
		d := it.dist()
		if sc.opt.Order == StrictOrder && sc.returned > 0 && d < sc.last {
			continue
		}
		s.out = append(s.out, Result{ID: g.id(it.node()), Distance: g.operatorDistance(s, it)})
		sc.last = d
		sc.returned++
	}
}
