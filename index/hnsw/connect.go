package hnsw

import "slices"

// reconnect makes sure that every live node has a link to it on every
// layer it is on, and reports how many lists it changed.
//
// HNSW loses a few nodes: when a full list is cut back by the heuristic,
// a node can lose its last in-link, and then no search reaches it again
// (about 0.25% of the nodes of both real datasets' graphs, concurrent
// builds or not). For each such node x, reconnect links x from the
// nearest of its own neighbours e that can take it: into a free place of
// e's list, or instead of the link of e's whose target has the most
// other links to it, so nobody else is cut off.
func (g *Graph) reconnect(w *worker, j journal) int {
	g.alloc.Lock()
	next := g.next
	g.alloc.Unlock()
	_, top, _ := unpackEntry(g.entry.Load())
	changed := 0
	indeg := make([]int32, next)
	for level := 0; level <= top; level++ {
		changed += g.reconnectLevel(w, level, indeg, j)
	}
	return changed
}

// on reports whether node n is a node of level that searches may reach.
func (g *Graph) on(n uint32, level int) bool {
	return g.state(n) != stateFree && g.level(n) >= level
}

func (g *Graph) reconnectLevel(w *worker, level int, indeg []int32, j journal) int {
	clear(indeg)
	next := uint32(len(indeg))
	for n := range next {
		if !g.on(n, level) {
			continue
		}
		w.links = readList(g.slot(n, level), w.links[:0])
		for _, e := range w.links {
			if e < next {
				indeg[e]++
			}
		}
	}
	ep, _, _ := unpackEntry(g.entry.Load())
	changed := 0
	for x := range next {
		if indeg[x] > 0 || x == ep || !g.on(x, level) || g.state(x) != stateLive {
			continue
		}
		if g.adopt(w, x, level, indeg, j) {
			changed++
		}
	}
	return changed
}

// adopt links node x from the nearest of its neighbours on level that can
// take it, and reports whether one could.
func (g *Graph) adopt(w *worker, x uint32, level int, indeg []int32, j journal) bool {
	xv := g.vecOrNil(x)
	w.cands = w.cands[:0]
	for _, e := range readList(g.slot(x, level), w.links[:0]) {
		if int(e) < len(indeg) && g.state(e) == stateLive {
			w.cands = append(w.cands, makeItem(g.distFrom(g.linkMetric, xv, x, e), e))
		}
	}
	slices.Sort(w.cands)
	for _, it := range w.cands {
		if g.linkInstead(w, it.node(), x, level, indeg, j) {
			return true
		}
	}
	return false
}

// linkInstead adds a link from e to x on level: in a free place, or in
// place of the link whose target has the most links to it (at least two).
func (g *Graph) linkInstead(w *worker, e, x uint32, level int, indeg []int32, j journal) bool {
	mu := g.lock(e)
	mu.Lock()
	defer mu.Unlock()
	slot := g.slot(e, level)
	w.links = readList(slot, w.links[:0])
	if slices.Contains(w.links, x) {
		return true
	}
	if j != nil {
		j.saveList(e, level, w.links)
	}
	if len(w.links) < len(slot) {
		w.links = append(w.links, x)
	} else {
		victim := -1
		for i, y := range w.links {
			if int(y) < len(indeg) && indeg[y] >= 2 && (victim < 0 || indeg[y] > indeg[w.links[victim]]) {
				victim = i
			}
		}
		if victim < 0 {
			return false
		}
		indeg[w.links[victim]]--
		w.links[victim] = x
	}
	indeg[x]++
	writeList(slot, w.links)
	g.forgetHard(e, level)
	if j != nil {
		j.putList(e, level, w.links)
	}
	return true
}
