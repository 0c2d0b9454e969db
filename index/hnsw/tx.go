package hnsw

import (
	"sync"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Store receives the records of a graph's changes: the caller adapts its
// storage transaction (PutRaw/DeleteRaw into the index's key space), so
// that they commit or vanish with the rows they index. Keys and values
// are laid out as the package documentation says; they are only valid
// during the call, so the Store copies what it keeps (as a Pebble batch
// does). A Tx calls it from one goroutine at a time.
type Store interface {
	Put(key, value []byte) error
	Delete(key []byte) error
}

// Tx is one writing transaction's changes to a graph: every change is
// written to its Store at once and remembered, so that Rollback can undo
// it in memory exactly. Begin waits while another Tx of the graph is open
// (begin one once the storage transaction holds its writer lock); Commit,
// called once the storage transaction has committed, or Rollback, if it
// does not, ends it. Its methods may be called from many goroutines at
// once (a parallel insert), except Vacuum, Commit and Rollback, which must
// not overlap any other call.
//
// Searches as of Latest see a Tx's inserts and deletes as they happen,
// before it commits (the writer's own view); searches as of a snapshot
// see neither until Prepare tags them with the commit's version (see
// visibility.go).
type Tx struct {
	g     *Graph
	store Store

	// mu guards the fields below and serialises the Store's calls.
	mu   sync.Mutex
	err  error // the first Store error: the Tx can then only roll back
	done bool

	saved   map[uint64]struct{} // lists (node<<8|level) whose old content is in undo
	undo    []savedList
	undoBuf []uint32

	added    []uint32       // nodes this Tx created
	isAdded  map[uint32]int // the same, as a set: each one's index in added
	genStart int            // added[genStart:] came after the latest Mark
	deleted  []uint32       // nodes this Tx marked deleted
	freed    []uint32       // nodes Vacuum took out; reusable after Commit
	entry    uint64         // the entry point before the Tx
	entrySet bool           // entry is saved
	// prepared is set by Prepare, which queued preparedNodes nodes to
	// settle (the last batch of g.unsettled, taken back if the commit
	// fails).
	prepared      bool
	preparedNodes int

	key, val []byte
}

// savedList is a neighbour list's content before the Tx changed it:
// undoBuf[off:off+n].
type savedList struct {
	node  uint32
	level uint8
	off   uint32
	n     uint32
}

// Begin starts a writing transaction whose changes go to store (nil keeps
// them in memory only). It waits until the previous Tx has ended.
func (g *Graph) Begin(store Store) *Tx {
	g.writer.Lock()
	return &Tx{
		g:       g,
		store:   store,
		saved:   make(map[uint64]struct{}),
		isAdded: make(map[uint32]int),
	}
}

// Graph returns the graph the Tx changes.
func (tx *Tx) Graph() *Graph { return tx.g }

// Insert is InsertValue for a Vector graph: vec is the row's vector.
func (tx *Tx) Insert(id uint64, vec []float32) error {
	return tx.InsertValue(id, VectorValue(vec))
}

// InsertValue indexes v under row id. v must be of the graph's kind (an
// internal error otherwise) and dimensions, with finite elements (a
// sparsevec's indices in range and increasing), and for Cosine must not
// be zero: the caller skips NULLs and, for cosine, zero vectors, which
// pgvector does not index. The errors are pgvector's. A row id already
// live in the graph is an internal error.
func (tx *Tx) InsertValue(id uint64, v Value) error {
	g := tx.g
	if err := tx.usable(); err != nil {
		return err
	}
	if err := g.checkValue(v); err != nil {
		return err
	}
	g.alloc.Lock()
	if _, dup := g.ids[id]; dup {
		g.alloc.Unlock()
		return pgerr.New(pgerr.InternalError, "hnsw: row %d is already indexed", id)
	}
	if len(g.free) == 0 && g.next == noNode {
		g.alloc.Unlock()
		return pgerr.New(pgerr.ProgramLimitExceeded, "hnsw: too many rows for one index")
	}
	n := g.allocate()
	g.ids[id] = n
	g.alloc.Unlock()

	w := g.getWorker()
	g.initNode(w, n, id, g.randomLevel(id), v)
	g.markAdded(n)
	tx.nodeAdded(n)
	token := g.readers.enter()
	g.link(w, n, tx)
	g.putWorker(w)
	g.readers.exit(token)
	g.live.Add(1)
	return tx.stickyErr()
}

// Delete marks row id deleted: searches still pass through its node but
// never return it (those as of a snapshot older than the commit still
// do), until Vacuum reconnects its neighbours and reclaims it.
// A row id that is not live in the graph is ignored.
func (tx *Tx) Delete(id uint64) error {
	g := tx.g
	if err := tx.usable(); err != nil {
		return err
	}
	g.alloc.Lock()
	n, ok := g.ids[id]
	if ok {
		delete(g.ids, id)
		g.markDeleted(n, id)
	}
	g.alloc.Unlock()
	if !ok {
		return nil
	}
	g.live.Add(-1)
	tx.mu.Lock()
	tx.deleted = append(tx.deleted, n)
	tx.put(deletedKey(tx.key[:0], n), nil)
	tx.mu.Unlock()
	return tx.stickyErr()
}

// Commit ends the Tx keeping its changes. It returns the Store error that
// broke the Tx, if one did; the Tx is then still open and must be rolled
// back. Slots that Vacuum reclaimed become reusable once every search
// that might still read them has ended.
func (tx *Tx) Commit() error {
	if err := tx.usable(); err != nil {
		return err
	}
	if err := tx.stickyErr(); err != nil {
		return err
	}
	if !tx.prepared {
		tx.settleUnprepared()
	}
	tx.release(tx.freed)
	tx.finish()
	return nil
}

// settleUnprepared makes the changes of a Tx committed without Prepare
// plain: seen by every snapshot.
func (tx *Tx) settleUnprepared() {
	g := tx.g
	g.alloc.Lock()
	defer g.alloc.Unlock()
	for _, nodes := range [][]uint32{tx.added, tx.deleted} {
		for _, n := range nodes {
			if g.rawState(n)&stateVersioned == 0 {
				continue
			}
			v := mustVers(g, n)
			if v.added.Load() == versionPending {
				v.added.Store(0)
			}
			if v.deleted.Load() == versionPending {
				v.deleted.Store(0)
			}
			g.settleNode(n, 0)
		}
	}
}

// Rollback ends the Tx undoing all its changes in memory: neighbour lists,
// entry point, deletions, reclaimed and added nodes are as before it, so
// searches return exactly what they returned before. (The Store's records
// are the caller's to discard, with its storage transaction.)
func (tx *Tx) Rollback() {
	if tx.done {
		return
	}
	if tx.entrySet {
		tx.g.entry.Store(tx.entry)
	}
	if tx.prepared && tx.preparedNodes > 0 {
		g := tx.g
		g.unsettled = g.unsettled[:len(g.unsettled)-1]
		g.unsettledNodes.Add(-int64(tx.preparedNodes))
	}
	tx.undoTo(Mark{})
	tx.finish()
}

// Mark is a point in a Tx that RollbackTo can return to (a SQL
// savepoint).
type Mark struct {
	undo, undoBuf, added, deleted, freed int
	entry                                uint64
	// clean says the Tx had no Store error yet.
	clean bool
}

// Mark returns the Tx's present point for RollbackTo. It costs no copy:
// changes after it save the neighbour lists they overwrite once more.
func (tx *Tx) Mark() Mark {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	m := Mark{undo: len(tx.undo), undoBuf: len(tx.undoBuf), added: len(tx.added), deleted: len(tx.deleted),
		freed: len(tx.freed), entry: tx.g.entry.Load(), clean: tx.err == nil}
	clear(tx.saved)
	tx.genStart = len(tx.added)
	return m
}

// RollbackTo undoes in memory the changes made since m, which stays
// valid: the Tx goes on and may return to m again. A Store error that
// happened since m is forgotten, since the caller discards the Store's
// records written since m too (its storage transaction returns to the
// same point). Marks taken after m must not be used afterwards.
func (tx *Tx) RollbackTo(m Mark) error {
	if err := tx.usable(); err != nil {
		return err
	}
	tx.g.entry.Store(m.entry)
	tx.undoTo(m)
	tx.mu.Lock()
	clear(tx.saved)
	tx.genStart = len(tx.added)
	if m.clean {
		tx.err = nil
	}
	tx.mu.Unlock()
	return nil
}

// undoTo restores what the Tx changed since m, except the entry point:
// neighbour lists (the oldest saved content last, so that a list saved
// after several marks gets its content at m), reclaimed, added and
// deleted nodes.
func (tx *Tx) undoTo(m Mark) {
	g := tx.g
	for i := len(tx.undo) - 1; i >= m.undo; i-- {
		s := tx.undo[i]
		n := s.node
		mu := g.lock(n)
		mu.Lock()
		writeList(g.slot(n, int(s.level)), tx.undoBuf[s.off:s.off+s.n])
		g.forgetHard(n, int(s.level))
		mu.Unlock()
	}
	tx.undo, tx.undoBuf = tx.undo[:m.undo], tx.undoBuf[:m.undoBuf]
	for _, n := range tx.freed[m.freed:] {
		g.setState(n, stateDeleted)
	}
	tx.freed = tx.freed[:m.freed]
	added := tx.added[m.added:]
	g.alloc.Lock()
	// Added nodes go first: a row deleted and inserted again by the Tx
	// must end up mapped to its old node.
	for _, n := range added {
		switch g.state(n) {
		case stateLive:
			g.live.Add(-1)
			delete(g.ids, g.id(n))
		case stateDeleted:
			g.dropShadow(g.id(n), n)
		}
		g.setState(n, stateFree)
	}
	for _, n := range tx.deleted[m.deleted:] {
		if at, ok := tx.isAdded[n]; ok && at >= m.added {
			continue
		}
		g.unmarkDeleted(n, g.id(n))
		g.ids[g.id(n)] = n
		g.live.Add(1)
	}
	g.alloc.Unlock()
	for _, n := range added {
		delete(tx.isAdded, n)
	}
	tx.deleted = tx.deleted[:m.deleted]
	tx.release(added)
	tx.added = tx.added[:m.added]
}

// release makes slots reusable once no search can still be reading them.
func (tx *Tx) release(slots []uint32) {
	if len(slots) == 0 {
		return
	}
	g := tx.g
	// Count the round before waiting: a scan that still sees the old
	// count when it enters is then one the wait waits for.
	g.reclaims.Add(1)
	g.readers.wait()
	g.alloc.Lock()
	g.free = append(g.free, slots...)
	g.alloc.Unlock()
}

func (tx *Tx) finish() {
	tx.done = true
	tx.undo, tx.undoBuf, tx.saved = nil, nil, nil
	tx.g.writer.Unlock()
}

func (tx *Tx) usable() error {
	if tx.done {
		return pgerr.New(pgerr.InternalError, "hnsw: transaction already ended")
	}
	return nil
}

func (tx *Tx) stickyErr() error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return tx.err
}

// nodeAdded records and persists a new node.
func (tx *Tx) nodeAdded(n uint32) {
	g := tx.g
	tx.mu.Lock()
	defer tx.mu.Unlock()
	tx.isAdded[n] = len(tx.added)
	tx.added = append(tx.added, n)
	tx.val = g.appendNode(tx.val[:0], n)
	tx.put(nodeKey(tx.key[:0], n), tx.val)
}

// saveList implements journal.
func (tx *Tx) saveList(n uint32, level int, old []uint32) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if at, ok := tx.isAdded[n]; ok && at >= tx.genStart {
		return // rolling back frees the node: its lists need no undo
	}
	k := uint64(n)<<8 | uint64(level)
	if _, ok := tx.saved[k]; ok {
		return
	}
	tx.saved[k] = struct{}{}
	tx.undo = append(tx.undo, savedList{node: n, level: uint8(level), off: uint32(len(tx.undoBuf)), n: uint32(len(old))})
	tx.undoBuf = append(tx.undoBuf, old...)
}

// putList implements journal.
func (tx *Tx) putList(n uint32, level int, links []uint32) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	tx.val = appendLinks(tx.val[:0], links)
	tx.put(linksKey(tx.key[:0], n, level), tx.val)
}

// saveEntry implements journal.
func (tx *Tx) saveEntry(old uint64) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if !tx.entrySet {
		tx.entry, tx.entrySet = old, true
	}
}

// putEntry implements journal.
func (tx *Tx) putEntry(e uint64) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	g := tx.g
	g.alloc.Lock()
	slots := g.next
	g.alloc.Unlock()
	tx.val = g.appendMeta(tx.val[:0], e, slots)
	tx.put(metaKey(tx.key[:0]), tx.val)
}

// put writes a record unless the Tx has no Store or already failed.
// tx.mu is held.
func (tx *Tx) put(key, value []byte) {
	if tx.store == nil || tx.err != nil {
		return
	}
	if err := tx.store.Put(key, value); err != nil {
		tx.err = err
	}
}

// remove deletes a record. tx.mu is held.
func (tx *Tx) remove(key []byte) {
	if tx.store == nil || tx.err != nil {
		return
	}
	if err := tx.store.Delete(key); err != nil {
		tx.err = err
	}
}
