package hnsw

import "slices"

// journal receives the changes that inserts, deletes and repairs make, so
// that a Tx can persist and undo them. Bulk builds pass nil.
type journal interface {
	// saveList is called, with n's lock held, before n's neighbour list on
	// level changes; old is its content then.
	saveList(n uint32, level int, old []uint32)
	// putList is called, with n's lock held, after the change.
	putList(n uint32, level int, links []uint32)
	// saveEntry is called, with entryMu held, before the entry point
	// changes from old; putEntry after it changed to e.
	saveEntry(old uint64)
	putEntry(e uint64)
}

// worker is the scratch memory of one inserting goroutine.
type worker struct {
	s Searcher
	// kept holds the neighbours chosen for every level of the node being
	// linked; keptAt[l] delimits level l's.
	keptAt [maxLevel + 1][2]int
	sel    []item
	fill   []item // layer-0 candidates the heuristic refused, nearest first
	seeds  []item
	cands  []item
	kept   []item
	prune  []item
	pkept  []item
	links  []uint32
	wide   []float32 // a Halfvec node's vector widened (initNode)
}

// keptFor returns the neighbours chosen for level.
func (w *worker) keptFor(level int) []item {
	return w.kept[w.keptAt[level][0]:w.keptAt[level][1]]
}

func (g *Graph) getWorker() *worker  { return g.workers.Get().(*worker) }
func (g *Graph) putWorker(w *worker) { g.workers.Put(w) }

// link connects node n, already initialised, into the graph (the paper's
// INSERT): a greedy descent to n's level, then on every level from there
// down a beam search of width EfConstruction, the heuristic choice of M
// neighbours among what it found, and links back from each of them.
// Many goroutines may link nodes at once.
func (g *Graph) link(w *worker, n uint32, j journal) {
	level := g.level(n)
	ep, top, ok := unpackEntry(g.entry.Load())
	if !ok || level > top {
		g.entryMu.Lock()
		ep, top, ok = unpackEntry(g.entry.Load())
		if !ok {
			g.setEntry(n, level, j)
			g.entryMu.Unlock()
			return
		}
		if level <= top {
			g.entryMu.Unlock()
		} else {
			defer g.entryMu.Unlock()
		}
	}
	s := &w.s
	s.nodeQuery(g, n)
	s.reset(g)
	s.view = versionPending // links go to the nodes live now
	lm := g.linkMetric
	w.seeds = append(w.seeds[:0], g.descendFrom(s, lm, ep, top, level))
	// Choose the neighbours of every level first, then link: n becomes
	// reachable only with all its lists in place, so another inserter
	// that finds it never starts a layer's search from an empty list
	// (and links itself to nothing else).
	bottom := min(level, top)
	w.kept = w.kept[:0]
	for lc := bottom; lc >= 0; lc-- {
		s.reset(g)
		for _, it := range w.seeds {
			s.seed(g, it, nil, n)
		}
		g.searchLayer(s, lm, lc, g.cfg.EfConstruction, nil, n)
		// The nodes found are the next level's seeds and n's neighbours
		// on this one. When every node the search reached is deleted
		// (the entry point's neighbourhood on an upper level can be),
		// none was found: n then links to the seeds themselves, deleted
		// waypoints that searches still pass through, and the next level
		// starts from them again (a node is on every level below its
		// own). Starting the next level from nothing instead left n, and
		// every node linked through it later, cut off from the graph.
		if len(s.top) > 0 {
			w.seeds = s.top.drainSorted(w.seeds[:0])
		}
		w.cands = append(w.cands[:0], w.seeds...)
		g.rerank(s, lm, w.cands)
		start := len(w.kept)
		w.sel = g.selectNeighbors(w.sel[:0], w.cands, g.m)
		w.kept = append(w.kept, w.sel...)
		w.keptAt[lc] = [2]int{start, len(w.kept)}
		if lc == 0 && g.softFill() {
			w.fill = refused(w.fill[:0], w.cands, w.sel)
		}
	}
	for lc := bottom; lc >= 0; lc-- {
		g.setLinks(w, n, lc, w.keptFor(lc), j)
	}
	for lc := bottom; lc >= 0; lc-- {
		for _, it := range w.keptFor(lc) {
			g.addLink(w, it.node(), n, lc, it.dist(), j)
		}
	}
	if level > top {
		g.setEntry(n, level, j)
	}
}

// setEntry makes n (of level) the entry point. The caller holds entryMu.
func (g *Graph) setEntry(n uint32, level int, j journal) {
	if j != nil {
		j.saveEntry(g.entry.Load())
	}
	e := packEntry(n, level)
	g.entry.Store(e)
	if j != nil {
		j.putEntry(e)
	}
}

// selectNeighbors is the paper's neighbour-selection heuristic: going
// through cands (sorted nearest first by their distance to the base
// node), it keeps a candidate only if it is nearer to the base than to
// every candidate kept so far, until m are kept. This spreads links over
// directions and keeps clusters connected. It appends to dst.
//
// Graphs of sparse vectors then fill the list up with the nearest
// candidates the heuristic refused (the paper's keepPrunedConnections):
// sparse vectors that share no index are all as far from each other, a
// plateau on which the heuristic refuses nearly everything and leaves
// groups of nodes that no link leads into.
func (g *Graph) selectNeighbors(dst, cands []item, m int) []item {
	for _, c := range cands {
		if len(dst) >= m {
			break
		}
		cv := g.vecOrNil(c.node())
		good := true
		for _, r := range dst {
			if g.distFrom(g.linkMetric, cv, c.node(), r.node()) < c.dist() {
				good = false
				break
			}
		}
		if good {
			dst = append(dst, c)
		}
	}
	if g.keepPruned && len(dst) < m {
		kept := len(dst)
		for _, c := range cands {
			if len(dst) >= m {
				break
			}
			if !slices.Contains(dst[:kept], c) {
				dst = append(dst, c)
			}
		}
	}
	return dst
}

// setLinks sets n's neighbour list on level to the nodes of sel. Other
// inserters may have found n already (through its upper layers) and
// linked it to themselves: such links are kept, the heuristic choosing
// among all of them if there are too many, since dropping one could
// leave its node with no way in.
func (g *Graph) setLinks(w *worker, n uint32, level int, sel []item, j journal) {
	mu := g.lock(n)
	mu.Lock()
	slot := g.slot(n, level)
	w.links = readList(slot, w.links[:0])
	if j != nil {
		j.saveList(n, level, w.links)
	}
	if len(w.links) > 0 {
		sel = g.mergeLinks(w, n, level, sel, w.links)
	}
	w.links = w.links[:0]
	for _, it := range sel {
		w.links = append(w.links, it.node())
	}
	if level == 0 && g.softFill() {
		g.setHard(n, len(w.links))
		w.links = appendSoft(w.links, w.fill, g.m0)
	}
	writeList(slot, w.links)
	if j != nil {
		j.putList(n, level, w.links)
	}
	mu.Unlock()
}

// mergeLinks returns sel with the nodes of extra added (with their
// distances to n), cut back by the heuristic if they are too many.
func (g *Graph) mergeLinks(w *worker, n uint32, level int, sel []item, extra []uint32) []item {
	nv := g.vecOrNil(n)
	w.prune = append(w.prune[:0], sel...)
	for _, x := range extra {
		if !slices.ContainsFunc(sel, func(it item) bool { return it.node() == x }) {
			w.prune = append(w.prune, makeItem(g.distFrom(g.linkMetric, nv, n, x), x))
		}
	}
	if len(w.prune) <= g.maxLinks(level) {
		return w.prune
	}
	slices.Sort(w.prune)
	w.pkept = g.selectNeighbors(w.pkept[:0], w.prune, g.maxLinks(level))
	return w.pkept
}

// addLink adds a link from e to n on level, d being their distance. If
// e's list is full, the heuristic chooses among its links and n which to
// keep, as hnswlib does.
func (g *Graph) addLink(w *worker, e, n uint32, level int, d float32, j journal) {
	mu := g.lock(e)
	mu.Lock()
	defer mu.Unlock()
	slot := g.slot(e, level)
	w.links = readList(slot, w.links[:0])
	soft := level == 0 && g.softFill()
	hard := len(w.links)
	if soft {
		hard = g.hardLinks(e, len(w.links))
	}
	at := slices.Index(w.links, n)
	if at >= 0 && at < hard {
		return
	}
	if j != nil {
		j.saveList(e, level, w.links)
	}
	switch {
	case at >= 0: // a soft link becomes hard
		copy(w.links[hard+1:at+1], w.links[hard:at])
		w.links[hard] = n
		g.setHard(e, hard+1)
	case hard < g.maxLinks(level):
		// In the first soft link's place (the soft links move up, the
		// farthest falling off a full list).
		if len(w.links) < g.maxLinks(level) {
			w.links = append(w.links, 0)
		}
		copy(w.links[hard+1:], w.links[hard:len(w.links)-1])
		w.links[hard] = n
		if soft {
			g.setHard(e, hard+1)
		}
	default:
		w.links = g.shrink(w, e, w.links, n, d, level)
	}
	writeList(slot, w.links)
	if j != nil {
		j.putList(e, level, w.links)
	}
}

// shrink returns the links e keeps on level out of links and n (at
// distance d), chosen by the heuristic; it reuses links's memory.
func (g *Graph) shrink(w *worker, e uint32, links []uint32, n uint32, d float32, level int) []uint32 {
	ev := g.vecOrNil(e)
	w.prune = w.prune[:0]
	for _, x := range links {
		w.prune = append(w.prune, makeItem(g.distFrom(g.linkMetric, ev, e, x), x))
	}
	w.prune = append(w.prune, makeItem(d, n))
	slices.Sort(w.prune)
	w.pkept = g.selectNeighbors(w.pkept[:0], w.prune, g.maxLinks(level))
	links = links[:0]
	for _, it := range w.pkept {
		links = append(links, it.node())
	}
	if level == 0 && g.softFill() {
		g.setHard(e, len(links))
		w.fill = refused(w.fill[:0], w.prune, w.pkept)
		links = appendSoft(links, w.fill, g.m0)
	}
	return links
}

// Soft links. The heuristic keeps a list's links spread over directions,
// and so leaves most layer-0 lists half empty (about 15 of 32 places on
// glove-6b-100-cosine): searches then expand fewer nodes per hop but need
// a wider beam for the same recall. pgvector fills its lists up with the
// nearest candidates the heuristic refused (the paper's
// keepPrunedConnections), and its recall at a given hnsw.ef_search is
// higher for it; but linking those back from each filled-in node doubles
// the work of a build. Layer-0 lists here are filled up the same way, with
// soft links that are not linked back: they come after the list's hard
// links (chosen by the heuristic, or links back from other nodes), and a
// link back that arrives takes the first soft place, so that it costs no
// more than an append, as in a list with room. Only a list of hard links
// only, full, is chosen again by the heuristic, and refills with what it
// refused. Vacuum's repaired lists are filled up the same way.
//
// glove-6b-100-cosine, m = 16, ef_construction = 64 (go test -bench
// BenchmarkSearch): recall@10 at ef_search 40 0.799 -> 0.843, at 120
// 0.911 -> 0.930 (pgvector's own: 0.938), 0.95 at ef_search 200 instead
// of 260 for the same number of distances (about 3,400 a query: at a
// given recall a search does the same work, in fuller batches: 4,850-5,170
// instead of 4,500-4,550 QPS on a quiet machine); fashion-mnist 0.99 at
// ef_search 20 instead of 30 (16,400-20,800 instead of 13,700-16,800
// QPS). A build takes as long as before (13.5 s on one core, 7.1 s on
// two); pgvector's way, linking the filled-in nodes back, cost 2.3 times
// as much and saved a fifth of the distances. After a vacuum of
// a sixth of 60,000 glove rows (BenchmarkVacuumRecall) recall at ef 40 is
// 0.872 (0.820 with hard links only; 0.865 for a graph built from the
// live rows), for 23% more vacuum CPU. Sparsevec graphs fill their lists
// with hard links (keepPruned).
//
// The count of hard links is kept per node for layer 0 (chunk.hard0),
// under the node's list lock; lists written any other way (vacuum,
// orphan reconnection, rollback, load) forget it: all their links count
// as hard until the heuristic chooses the list again.

// hardUnknown marks a list whose links all count as hard.
const hardUnknown = 0xff

// softFill reports whether layer-0 lists are filled up with soft links.
func (g *Graph) softFill() bool { return !g.keepPruned && !g.cfg.hardOnly }

// hardLinks returns how many of node n's n0 layer-0 links are hard.
func (g *Graph) hardLinks(n uint32, n0 int) int {
	c, i := g.at(n)
	if h := int(c.hard0[i]); h != hardUnknown && h < n0 {
		return h
	}
	return n0
}

// setHard records that node n's first h layer-0 links are hard.
func (g *Graph) setHard(n uint32, h int) {
	c, i := g.at(n)
	c.hard0[i] = uint8(min(h, hardUnknown-1))
}

// forgetHard makes every link of node n's list on level count as hard.
func (g *Graph) forgetHard(n uint32, level int) {
	if level == 0 {
		c, i := g.at(n)
		c.hard0[i] = hardUnknown
	}
}

// refused appends to dst the items of cands (sorted) not in kept.
func refused(dst, cands, kept []item) []item {
	for _, c := range cands {
		if !slices.Contains(kept, c) {
			dst = append(dst, c)
		}
	}
	return dst
}

// appendSoft fills links up to m with the nodes of fill not in it.
func appendSoft(links []uint32, fill []item, m int) []uint32 {
	for _, it := range fill {
		if len(links) >= m {
			break
		}
		if !slices.Contains(links, it.node()) {
			links = append(links, it.node())
		}
	}
	return links
}
