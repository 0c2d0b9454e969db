package hnsw

import (
	"math"
	"sync/atomic"
)

// Snapshots: which rows a search returns.
//
// The graph is shared by every session, and a Tx changes it as its
// statements run, long before it commits; a statement of another session
// must yet see the rows as its snapshot holds them (PostgreSQL's READ
// COMMITTED), and the writer its own changes. So the nodes a Tx adds or
// deletes carry versions: a node is added at version a and deleted at
// version d, and a search as of version v returns it when a <= v < d. A
// change of the open Tx has version versionPending until the Tx is
// prepared with its commit's version (Tx.Prepare, called just before the
// commit's rows become visible); a node never deleted has d =
// versionNever. The writer searches as of versionPending: it sees every
// commit and its own changes; any other reader, as of its snapshot's
// version, sees neither the open Tx's inserts nor its deletes. An UPDATE
// deletes the row's node and adds one under the same row id: every
// snapshot sees exactly one of the two.
//
// Only nodes changed recently carry versions: their state word has the
// stateVersioned flag, and their versions are in their chunk's vers
// array. Once no reader can be older than a change (Settle, told the
// oldest version a reader reads as of), the node goes back to a plain
// live or deleted state, which searches test without reading more
// memory. Nodes that Build and Load make are plain.
const (
	versionPending = math.MaxUint64 - 1
	versionNever   = math.MaxUint64
)

// Snapshot is the view of a search: Latest (the zero Snapshot) sees every
// committed change and those of the open Tx, as the writer must; AsOf(v)
// sees the changes committed up to version v and none of the open Tx's.
type Snapshot struct {
	version uint64
	asOf    bool
}

// Latest is the view of the writing transaction: every committed change
// and its own.
var Latest = Snapshot{}

// AsOf is the view of a reader whose snapshot holds the commits up to
// version (the storage's table version as of the statement's snapshot).
func AsOf(version uint64) Snapshot {
	return Snapshot{version: min(version, versionPending-1), asOf: true}
}

// view is the version a search compares nodes' versions with.
func (sn Snapshot) view() uint64 {
	if !sn.asOf {
		return versionPending
	}
	return sn.version
}

// nodeVersions are a versioned node's added and deleted versions.
type nodeVersions struct {
	added, deleted atomic.Uint64
}

// versions returns node n's versions, making its chunk's array if it has
// none yet. The caller is a Tx (or Settle) and holds g.alloc, or the
// writer lock with no other Tx method running.
func (g *Graph) versions(n uint32) *nodeVersions {
	c, i := g.at(n)
	vs := c.vers.Load()
	if vs == nil {
		fresh := make([]nodeVersions, len(c.ids))
		c.vers.Store(&fresh)
		vs = &fresh
	}
	return &(*vs)[i]
}

// visibleAt reports whether node n is a row a search as of view returns.
// Its versions are read only when its state has the versioned flag; a Tx
// stores them before it sets the flag.
func (g *Graph) visibleAt(n uint32, view uint64) bool {
	w := g.rawState(n)
	return w == stateLive || w&stateVersioned != 0 && g.versionVisible(n, view)
}

// versionVisible is visibleAt for a versioned node.
func (g *Graph) versionVisible(n uint32, view uint64) bool {
	c, i := g.at(n)
	v := &(*c.vers.Load())[i]
	return v.added.Load() <= view && view < v.deleted.Load()
}

// markAdded gives node n, just made by a Tx, the versions of a pending
// insert, before anything links to it.
func (g *Graph) markAdded(n uint32) {
	g.alloc.Lock()
	v := g.versions(n)
	g.alloc.Unlock()
	v.added.Store(versionPending)
	v.deleted.Store(versionNever)
	g.setRawState(n, stateLive|stateVersioned)
}

// markDeleted makes live node n of row id deleted by the open Tx: deleted
// for inserts, vacuum and the writer's searches, still a row for every
// other snapshot. The caller holds g.alloc.
func (g *Graph) markDeleted(n uint32, id uint64) {
	v := g.versions(n)
	if g.rawState(n)&stateVersioned == 0 {
		v.added.Store(0)
	}
	v.deleted.Store(versionPending)
	g.setRawState(n, stateDeleted|stateVersioned)
	if g.shadows == nil {
		g.shadows = make(map[uint64][]uint32)
	}
	g.shadows[id] = append(g.shadows[id], n)
}

// unmarkDeleted undoes markDeleted (a rollback): n is live again, with
// the versions it had. The caller holds g.alloc.
func (g *Graph) unmarkDeleted(n uint32, id uint64) {
	v := g.versions(n)
	v.deleted.Store(versionNever)
	if v.added.Load() == 0 {
		g.setRawState(n, stateLive)
	} else {
		g.setRawState(n, stateLive|stateVersioned)
	}
	g.dropShadow(id, n)
}

// dropShadow removes n from the deleted nodes kept for row id. The caller
// holds g.alloc.
func (g *Graph) dropShadow(id uint64, n uint32) {
	sh := g.shadows[id]
	for i, m := range sh {
		if m == n {
			sh = append(sh[:i], sh[i+1:]...)
			break
		}
	}
	if len(sh) == 0 {
		delete(g.shadows, id)
	} else {
		g.shadows[id] = sh
	}
}

// nodeAt returns the node of row id that a search as of view returns, if
// any: the live node, or a deleted one that view still sees. The caller
// holds g.alloc.
func (g *Graph) nodeAt(id uint64, view uint64) (uint32, bool) {
	if sh, ok := g.shadows[id]; ok {
		for _, n := range sh {
			if g.visibleAt(n, view) {
				return n, true
			}
		}
	}
	n, ok := g.ids[id]
	if !ok || !g.visibleAt(n, view) {
		return 0, false
	}
	return n, true
}

// settleBatch lists the nodes a commit of version changed.
type settleBatch struct {
	version uint64
	nodes   []uint32
}

// Prepare tags the Tx's changes with version, the version its commit
// will have, just before the commit's rows become visible to readers
// (storage.Txn.OnPrepare). Readers as of an older version go on seeing
// the graph as before the Tx; readers of the commit see its changes. A Tx
// committed without Prepare makes its changes visible to every snapshot.
// If the commit then fails, Rollback undoes the changes as usual.
func (tx *Tx) Prepare(version uint64) {
	version = min(version, versionPending-1)
	g := tx.g
	var nodes []uint32
	tag := func(changed []uint32, field func(*nodeVersions) *atomic.Uint64) {
		for _, n := range changed {
			if g.rawState(n)&stateVersioned == 0 {
				continue
			}
			if f := field(mustVers(g, n)); f.Load() == versionPending {
				f.Store(version)
				nodes = append(nodes, n)
			}
		}
	}
	tag(tx.added, func(v *nodeVersions) *atomic.Uint64 { return &v.added })
	tag(tx.deleted, func(v *nodeVersions) *atomic.Uint64 { return &v.deleted })
	tx.prepared, tx.preparedNodes = true, len(nodes)
	if len(nodes) > 0 {
		g.unsettled = append(g.unsettled, settleBatch{version: version, nodes: nodes})
		g.unsettledNodes.Add(int64(len(nodes)))
	}
}

// mustVers returns the versions of a node that has the versioned flag.
func mustVers(g *Graph, n uint32) *nodeVersions {
	c, i := g.at(n)
	return &(*c.vers.Load())[i]
}

// Settle returns to plain states the versioned nodes that no reader can
// see otherwise any more: oldest is the oldest version a reader in
// progress reads as of (storage's OldestReadVersion), and a change of a
// version not above it is seen by every reader. It does nothing while a
// Tx is open (that Tx settles when it commits, see Tx.Settle), so it
// never waits.
func (g *Graph) Settle(oldest uint64) {
	if g.unsettledNodes.Load() == 0 || !g.writer.TryLock() {
		return
	}
	defer g.writer.Unlock()
	g.settle(oldest)
}

// Unsettled reports whether some nodes still carry versions a commit gave
// them (a cheap test before Settle).
func (g *Graph) Unsettled() bool { return g.unsettledNodes.Load() > 0 }

// Settle is Graph.Settle by the open Tx, after its Prepare: the Tx's own
// changes settle too when no reader is older than them.
func (tx *Tx) Settle(oldest uint64) {
	if tx.done {
		return
	}
	tx.g.settle(oldest)
}

// settle does Settle's work; the caller holds the writer lock (its own
// Tx, if one is open, is prepared: no change is pending).
func (g *Graph) settle(oldest uint64) {
	if len(g.unsettled) == 0 {
		return
	}
	k := 0
	for k < len(g.unsettled) && g.unsettled[k].version <= oldest {
		k++
	}
	if k == 0 {
		return
	}
	g.alloc.Lock()
	settled := 0
	for _, b := range g.unsettled[:k] {
		for _, n := range b.nodes {
			g.settleNode(n, oldest)
		}
		settled += len(b.nodes)
	}
	g.alloc.Unlock()
	g.unsettled = append(g.unsettled[:0], g.unsettled[k:]...)
	g.unsettledNodes.Add(-int64(settled))
}

// settleNode drops the versions of node n that every reader is past. The
// caller holds g.alloc and the writer lock.
func (g *Graph) settleNode(n uint32, oldest uint64) {
	w := g.rawState(n)
	if w&stateVersioned == 0 {
		return
	}
	v := mustVers(g, n)
	a, d := v.added.Load(), v.deleted.Load()
	if a != 0 && a <= oldest {
		v.added.Store(0)
		a = 0
	}
	switch {
	case d <= oldest:
		g.setRawState(n, stateDeleted)
		g.dropShadow(g.id(n), n)
	case a == 0 && d == versionNever:
		g.setRawState(n, stateLive)
	}
}
