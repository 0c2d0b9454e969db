package hnsw

import (
	"context"
	"slices"
)

// VacuumStats reports what Vacuum did.
type VacuumStats struct {
	// Reclaimed counts the deleted nodes taken out of the graph.
	Reclaimed int
	// Repaired counts the neighbour lists rewritten because they linked
	// to one of them.
	Repaired int
	// Reconnected counts the lists changed to link nodes that had no
	// link to them left (see reconnect).
	Reconnected int
}

// Vacuum takes every deleted node out of the graph: each live node that
// links to one gets a new list, chosen by the neighbour heuristic among
// its other links and the live nodes the deleted ones linked to (looking
// through chains of deleted nodes), so that the graph stays as well
// connected as before; an entry point that was deleted is replaced by a
// live node of the highest level. Then every live node that has no link
// to it on some layer gets one (reconnect). The slots become reusable once
// the Tx commits and no search can still be reading them.
//
// Vacuum must not overlap other calls on the Tx. A cancelled ctx stops it
// with PostgreSQL's cancellation error; the Tx must then roll back.
func (tx *Tx) Vacuum(ctx context.Context) (VacuumStats, error) {
	var st VacuumStats
	if err := tx.usable(); err != nil {
		return st, err
	}
	g := tx.g
	g.alloc.Lock()
	next := g.next
	g.alloc.Unlock()
	dead := make([]bool, next)
	var victims []uint32
	for n := range next {
		if g.state(n) == stateDeleted {
			dead[n] = true
			victims = append(victims, n)
		}
	}
	token := g.readers.enter()
	defer g.readers.exit(token)
	tx.replaceEntry(dead)
	w := g.getWorker()
	defer g.putWorker(w)
	r := repairer{g: g, w: w, dead: dead, seen: make([]bool, next)}
	for n := range next {
		if n%1024 == 0 && ctx.Err() != nil {
			return st, canceled(ctx)
		}
		if dead[n] || g.state(n) == stateFree {
			continue
		}
		for lc := range g.level(n) + 1 {
			if r.repair(n, lc, tx) {
				st.Repaired++
			}
		}
	}
	for _, n := range victims {
		tx.reclaim(n)
	}
	st.Reclaimed = len(victims)
	st.Reconnected = g.reconnect(w, tx)
	return st, tx.stickyErr()
}

// replaceEntry moves the entry point off a deleted node, to the first live
// node of the highest level, or empties the graph if none is live.
func (tx *Tx) replaceEntry(dead []bool) {
	g := tx.g
	g.entryMu.Lock()
	defer g.entryMu.Unlock()
	ep, _, ok := unpackEntry(g.entry.Load())
	if !ok || !dead[ep] {
		return
	}
	best, bestLevel := noNode, -1
	for n := range uint32(len(dead)) {
		if !dead[n] && g.state(n) == stateLive && g.level(n) > bestLevel {
			best, bestLevel = n, g.level(n)
		}
	}
	tx.saveEntry(g.entry.Load())
	var e uint64
	if best != noNode {
		e = packEntry(best, bestLevel)
	}
	g.entry.Store(e)
	tx.putEntry(e)
}

// reclaim frees deleted node n's slot (for reuse after Commit) and
// deletes its records.
func (tx *Tx) reclaim(n uint32) {
	g := tx.g
	g.setState(n, stateFree)
	tx.mu.Lock()
	defer tx.mu.Unlock()
	tx.freed = append(tx.freed, n)
	tx.remove(nodeKey(tx.key[:0], n))
	tx.remove(deletedKey(tx.key[:0], n))
	for lc := range g.level(n) + 1 {
		tx.remove(linksKey(tx.key[:0], n, lc))
	}
}

// repairer rewrites the lists that link to deleted nodes.
type repairer struct {
	g    *Graph
	w    *worker
	dead []bool
	seen []bool   // candidates already in the pool
	pool []uint32 // live candidates
	walk []uint32 // deleted nodes to look through
	list []uint32
}

// maxWalk bounds how many deleted nodes one repair looks through.
const maxWalk = 64

// repair rewrites n's list on level if it links to a deleted node, and
// reports whether it did.
func (r *repairer) repair(n uint32, level int, j journal) bool {
	g := r.g
	r.list = readList(g.slot(n, level), r.list[:0])
	if !slices.ContainsFunc(r.list, func(e uint32) bool { return r.dead[e] }) {
		return false
	}
	r.collect(n, level)
	nv := g.vecOrNil(n)
	w := r.w
	w.cands = w.cands[:0]
	for _, e := range r.pool {
		w.cands = append(w.cands, makeItem(g.distFrom(g.linkMetric, nv, n, e), e))
		r.seen[e] = false
	}
	slices.Sort(w.cands)
	w.kept = g.selectNeighbors(w.kept[:0], w.cands, g.maxLinks(level))
	mu := g.lock(n)
	mu.Lock()
	slot := g.slot(n, level)
	j.saveList(n, level, readList(slot, w.links[:0]))
	w.links = w.links[:0]
	for _, it := range w.kept {
		w.links = append(w.links, it.node())
	}
	writeList(slot, w.links)
	j.putList(n, level, w.links)
	mu.Unlock()
	return true
}

// collect gathers into r.pool the live nodes of n's list on level and the
// live nodes its deleted links reach through deleted nodes only.
func (r *repairer) collect(n uint32, level int) {
	g := r.g
	r.pool, r.walk = r.pool[:0], r.walk[:0]
	r.seen[n] = true
	r.add(r.list)
	for i := 0; i < len(r.walk) && i < maxWalk; i++ {
		r.list = readList(g.slot(r.walk[i], level), r.list[:0])
		r.add(r.list)
	}
	for _, d := range r.walk {
		r.seen[d] = false
	}
	r.seen[n] = false
}

func (r *repairer) add(links []uint32) {
	for _, e := range links {
		if r.seen[e] || r.g.state(e) == stateFree {
			continue
		}
		r.seen[e] = true
		if r.dead[e] {
			r.walk = append(r.walk, e)
		} else {
			r.pool = append(r.pool, e)
		}
	}
}
