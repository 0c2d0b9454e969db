package hnsw

import (
	"context"
	"slices"

	"github.com/vecgres/vecgres/sql/pgerr"
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
	// Replanned counts the repaired lists whose planned content could not
	// be used as it was (the list or a node it links to changed after
	// PlanVacuum), chosen again inside the Tx among their present and
	// planned links (see ApplyVacuum). Vacuum plans inside the Tx, so it
	// is 0 there.
	Replanned int
}

// VacuumPlan is the expensive half of a vacuum, found by PlanVacuum
// without a Tx: which nodes were deleted, and the new content of every
// list that linked to one. ApplyVacuum then writes it inside a Tx.
type VacuumPlan struct {
	g *Graph
	// reclaims is g.reclaims when planning began: if slots were freed
	// since, node numbers may name other nodes now and the plan is void.
	reclaims uint64
	// dead says which nodes were deleted when planning began.
	dead  []bool
	lists []plannedList
	links []uint32 // the planned lists' new content
}

// Graph returns the graph p was planned for.
func (p *VacuumPlan) Graph() *Graph { return p.g }

// plannedList is a list's new content, links[off:off+n], and a hash of the
// content it was chosen from.
type plannedList struct {
	node  uint32
	level uint8
	hard  uint8 // links[off:off+hard] are hard, the rest soft (insert.go)
	off   uint32
	n     uint32
	old   uint64
}

// planBatch is how many nodes PlanVacuum examines per reader registration:
// a rollback that frees slots meanwhile waits for one batch, not the plan.
const planBatch = 1024

// PlanVacuum finds the work of a Vacuum without a Tx, so that writers go
// on meanwhile (as pgvector's VACUUM, whose long phase takes no lock that
// blocks inserts): the nodes deleted now, and for every live node that
// links to one a new list, chosen as Vacuum chooses it. Searches and one
// Tx may run concurrently; what they change meanwhile is seen by
// ApplyVacuum, which re-chooses the lists that changed. A cancelled ctx
// stops it with PostgreSQL's cancellation error.
func (g *Graph) PlanVacuum(ctx context.Context) (*VacuumPlan, error) {
	p := &VacuumPlan{g: g, reclaims: g.reclaims.Load()}
	g.alloc.Lock()
	next := g.next
	g.alloc.Unlock()
	p.dead = make([]bool, next)
	for n := range next {
		p.dead[n] = g.rawState(n) == stateDeleted // settled: no snapshot sees it
	}
	w := g.getWorker()
	defer g.putWorker(w)
	r := repairer{g: g, w: w, dead: p.dead, seen: make([]bool, next)}
	for start := uint32(0); start < next; start += planBatch {
		if ctx.Err() != nil {
			return nil, canceled(ctx)
		}
		token := g.readers.enter()
		for n := start; n < min(start+planBatch, next); n++ {
			if g.state(n) != stateLive {
				continue
			}
			for lc := range g.level(n) + 1 {
				if !r.choose(n, lc) {
					continue
				}
				p.lists = append(p.lists, plannedList{node: n, level: uint8(lc), hard: uint8(r.hard), off: uint32(len(p.links)),
					n: uint32(len(w.kept)), old: hashList(r.old)})
				for _, it := range w.kept {
					p.links = append(p.links, it.node())
				}
			}
		}
		g.readers.exit(token)
	}
	return p, nil
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
// Vacuum does all of it inside the Tx, which other writers then wait
// for; PlanVacuum then ApplyVacuum do the same with the expensive part
// outside. Vacuum must not overlap other calls on the Tx. A cancelled ctx
// stops it with PostgreSQL's cancellation error; the Tx must then roll
// back.
func (tx *Tx) Vacuum(ctx context.Context) (VacuumStats, error) {
	if err := tx.usable(); err != nil {
		return VacuumStats{}, err
	}
	p, err := tx.g.PlanVacuum(ctx)
	if err != nil {
		return VacuumStats{}, err
	}
	return tx.ApplyVacuum(ctx, p)
}

// ApplyVacuum finishes the vacuum p planned, in the Tx: the nodes deleted
// when p was planned and still deleted now are reclaimed. Each list that
// links to one gets its planned content if nothing it was chosen from
// changed since: the list itself, one of its deleted nodes (live again
// after a rollback), or any slot (freed by a rollback or another vacuum,
// so that node numbers in p may name other nodes now). Otherwise the
// heuristic chooses again among the list's present links and the planned
// ones, at their present distances; lists that came to link to a deleted
// node only after planning are chosen as Vacuum would. The entry point
// and reconnect are handled as Vacuum does. Writes go through the Tx's
// journal and Store like every other change.
//
// ApplyVacuum must not overlap other calls on the Tx. A cancelled ctx
// stops it with PostgreSQL's cancellation error; the Tx must then roll
// back.
func (tx *Tx) ApplyVacuum(ctx context.Context, p *VacuumPlan) (VacuumStats, error) {
	var st VacuumStats
	if err := tx.usable(); err != nil {
		return st, err
	}
	g := tx.g
	if p.g != g {
		return st, pgerr.New(pgerr.InternalError, "hnsw: vacuum plan of another graph")
	}
	// Slots freed since planning may hold other nodes now: no planned
	// list is then written as it is.
	slotsFreed := g.reclaims.Load() != p.reclaims
	g.alloc.Lock()
	next := g.next
	g.alloc.Unlock()
	// Victims: deleted when planned and now. Nodes deleted since are
	// left for the next vacuum (their deletion may not commit yet).
	dead := make([]bool, next)
	var victims []uint32
	for n := range uint32(len(p.dead)) {
		if p.dead[n] && g.rawState(n) == stateDeleted {
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
	planned := p.lists
	for n := range next {
		if n%1024 == 0 && ctx.Err() != nil {
			return st, canceled(ctx)
		}
		for len(planned) > 0 && planned[0].node < n {
			planned = planned[1:]
		}
		if dead[n] || g.state(n) == stateFree {
			continue
		}
		for lc := range g.level(n) + 1 {
			var plan *plannedList
			if len(planned) > 0 && planned[0].node == n && int(planned[0].level) == lc {
				plan = &planned[0]
				planned = planned[1:]
			}
			r.list = readList(g.slot(n, lc), r.list[:0])
			if !slices.ContainsFunc(r.list, func(e uint32) bool { return int(e) < len(dead) && dead[e] }) {
				continue
			}
			st.Repaired++
			if plan != nil && !slotsFreed && p.still(plan, r.list, dead) {
				tx.setList(w, n, lc, p.links[plan.off:plan.off+plan.n], int(plan.hard))
				continue
			}
			// Writers changed a planned list since: its live links and
			// the planned ones are the candidates, which is cheap (no
			// walk through deleted nodes) and keeps what both chose.
			// Under heavy inserts most lists change while a plan is
			// made.
			if plan != nil {
				st.Replanned++
			}
			if plan == nil || !r.merge(n, lc, p.links[plan.off:plan.off+plan.n]) {
				r.choose(n, lc)
			}
			r.list = r.list[:0]
			for _, it := range w.kept {
				r.list = append(r.list, it.node())
			}
			tx.setList(w, n, lc, r.list, r.hard)
		}
	}
	for _, n := range victims {
		tx.reclaim(n)
	}
	st.Reclaimed = len(victims)
	st.Reconnected = g.reconnect(w, tx)
	return st, tx.stickyErr()
}

// still reports whether plan's list can be written as planned: the list
// (read now as cur) is what it was chosen from, and every deleted node it
// skipped is still deleted (dead: the nodes reclaimed now).
func (p *VacuumPlan) still(plan *plannedList, cur []uint32, dead []bool) bool {
	if hashList(cur) != plan.old {
		return false
	}
	for _, e := range cur {
		if int(e) < len(p.dead) && p.dead[e] && !dead[e] {
			return false
		}
	}
	return true
}

// setList replaces n's list on level with links, of which the first hard
// are hard (insert.go), through the journal; w lends scratch memory (not
// links's).
func (tx *Tx) setList(w *worker, n uint32, level int, links []uint32, hard int) {
	g := tx.g
	mu := g.lock(n)
	mu.Lock()
	slot := g.slot(n, level)
	w.links = readList(slot, w.links[:0])
	tx.saveList(n, level, w.links)
	writeList(slot, links)
	if level == 0 && g.softFill() {
		g.setHard(n, hard)
	} else {
		g.forgetHard(n, level)
	}
	tx.putList(n, level, links)
	mu.Unlock()
}

// hashList hashes a list's content, in order.
func hashList(links []uint32) uint64 {
	h := uint64(len(links))
	for _, e := range links {
		h = splitmix64(h ^ uint64(e))
	}
	return h
}

// replaceEntry moves the entry point off a deleted node, to the first live
// node of the highest level, or empties the graph if none is live.
func (tx *Tx) replaceEntry(dead []bool) {
	g := tx.g
	g.entryMu.Lock()
	defer g.entryMu.Unlock()
	ep, _, ok := unpackEntry(g.entry.Load())
	if !ok || int(ep) >= len(dead) || !dead[ep] {
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

// repairer chooses new lists for nodes that link to deleted ones.
type repairer struct {
	g    *Graph
	w    *worker
	dead []bool   // the deleted nodes to look through (nodes past its end are not)
	seen []bool   // candidates already in the pool (nodes past its end are looked up in pool)
	pool []uint32 // live candidates
	walk []uint32 // deleted nodes to look through
	list []uint32
	old  []uint32 // the list choose read
	// hard is how many of the links chosen into w.kept are hard: the
	// rest fill a layer-0 list up with soft links (insert.go).
	hard int
}

// maxWalk bounds how many deleted nodes one repair looks through.
const maxWalk = 64

// isDead reports whether e is one of the deleted nodes looked through.
func (r *repairer) isDead(e uint32) bool { return int(e) < len(r.dead) && r.dead[e] }

// choose reads n's list on level into r.old and, if it links to a deleted
// node, chooses its new content into r.w.kept and reports true.
func (r *repairer) choose(n uint32, level int) bool {
	g := r.g
	r.old = readList(g.slot(n, level), r.old[:0])
	if !slices.ContainsFunc(r.old, r.isDead) {
		return false
	}
	r.collect(n, level)
	nv := g.vecOrNil(n)
	w := r.w
	w.cands = w.cands[:0]
	for _, e := range r.pool {
		w.cands = append(w.cands, makeItem(g.distFrom(g.linkMetric, nv, n, e), e))
		r.setSeen(e, false)
	}
	slices.Sort(w.cands)
	w.kept = g.selectNeighbors(w.kept[:0], w.cands, g.maxLinks(level))
	r.fillSoft(level)
	return true
}

// fillSoft sets r.hard to the links chosen into r.w.kept and, on layer 0,
// fills the list up with soft links: the nearest candidates (r.w.cands)
// the heuristic refused.
func (r *repairer) fillSoft(level int) {
	w := r.w
	r.hard = len(w.kept)
	if level != 0 || !r.g.softFill() {
		return
	}
	for _, c := range w.cands {
		if len(w.kept) >= r.g.m0 {
			break
		}
		if !slices.Contains(w.kept[:r.hard], c) {
			w.kept = append(w.kept, c)
		}
	}
}

// merge chooses the new content of n's list on level, r.list, which
// links to deleted nodes, into r.w.kept: among its links to nodes not
// deleted and planned, a list chosen for it before. It reports false,
// choosing nothing, if there are no such nodes.
func (r *repairer) merge(n uint32, level int, planned []uint32) bool {
	g := r.g
	r.pool = r.pool[:0]
	r.old = append(append(r.old[:0], planned...), r.list...)
	for _, e := range r.old {
		if e != n && !r.isDead(e) && g.state(e) != stateFree && !slices.Contains(r.pool, e) {
			r.pool = append(r.pool, e)
		}
	}
	if len(r.pool) == 0 {
		return false
	}
	nv := g.vecOrNil(n)
	w := r.w
	w.cands = w.cands[:0]
	for _, e := range r.pool {
		w.cands = append(w.cands, makeItem(g.distFrom(g.linkMetric, nv, n, e), e))
	}
	slices.Sort(w.cands)
	w.kept = g.selectNeighbors(w.kept[:0], w.cands, g.maxLinks(level))
	r.fillSoft(level)
	return true
}

// collect gathers into r.pool the live nodes of r.old (n's list on level)
// and the live nodes its deleted links reach through deleted nodes only.
func (r *repairer) collect(n uint32, level int) {
	g := r.g
	r.pool, r.walk = r.pool[:0], r.walk[:0]
	r.setSeen(n, true)
	r.add(r.old)
	for i := 0; i < len(r.walk) && i < maxWalk; i++ {
		d := r.walk[i]
		r.list = readList(g.slot(d, level), r.list[:0])
		if level == 0 && g.softFill() {
			// A deleted node's soft links are its nearest refused
			// candidates, near each other: its hard ones lead on.
			r.list = r.list[:g.hardLinks(d, len(r.list))]
		}
		r.add(r.list)
	}
	for _, d := range r.walk {
		r.setSeen(d, false)
	}
	r.setSeen(n, false)
}

func (r *repairer) add(links []uint32) {
	for _, e := range links {
		if r.isSeen(e) || r.g.state(e) == stateFree {
			continue
		}
		r.setSeen(e, true)
		if r.isDead(e) {
			r.walk = append(r.walk, e)
		} else {
			r.pool = append(r.pool, e)
		}
	}
}

// isSeen and setSeen keep the set of nodes already gathered: r.seen for
// the nodes that existed when the repairer was made; nodes added since
// (by a Tx running during PlanVacuum; never deleted ones) are found in
// r.pool.
func (r *repairer) isSeen(e uint32) bool {
	if int(e) < len(r.seen) {
		return r.seen[e]
	}
	return slices.Contains(r.pool, e)
}

func (r *repairer) setSeen(e uint32, v bool) {
	if int(e) < len(r.seen) {
		r.seen[e] = v
	}
}
