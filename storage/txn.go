package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Txn is a transaction. It is used by one goroutine at a time; iterators
// it returns may be read on another goroutine but must be closed before
// Commit or Rollback (which close any still open).
//
// A Txn starts as a reader. Its first write (or LockForWrite) takes the
// DB-wide writer lock and an indexed Pebble batch; from then on it reads
// the live store overlaid with its batch, and it keeps the lock until
// Commit or Rollback.
type Txn struct {
	db *DB

	// batch is non-nil exactly while the txn holds the writer lock.
	batch *pebble.Batch
	// cat is the txn's own catalog once it has changed the schema.
	cat *Catalog
	// catShared says a Savepoint holds cat: the next change copies it.
	catShared bool
	// oidsAllocated says the OID counter must be written at commit.
	oidsAllocated bool

	// stmt is the statement-level snapshot of a reader (nil outside a
	// statement and for a writer); stmtCat is the catalog pinned with it.
	stmt    *snapshotRef
	stmtCat *Catalog
	// stmtCommitted is the commit version when the statement's snapshot
	// was taken, and stmtExact whether the snapshot holds exactly the
	// commits up to it (no commit was under way): TableVersion then
	// answers from memory (versions.go).
	stmtCommitted uint64
	stmtExact     bool

	// newSeqs are sequences this txn created: their state is published at
	// commit. droppedSeqs are committed sequences it dropped.
	newSeqs     map[types.OID]*seqState
	droppedSeqs []types.OID

	// counts are the changes to tables' row counts, applied at commit.
	counts map[types.OID]*countChange

	onPrepare  []func(version uint64)
	onCommit   []func()
	onRollback []func()

	mu    sync.Mutex // guards iters (iterators may be closed on other goroutines)
	iters map[iterCloser]struct{}

	done bool
	key  []byte // scratch for keys
	// version is the commit version the transaction committed with.
	version uint64

	// keyer evaluates derived indexes' keys (index_keys.go).
	keyer IndexKeyer
}

type iterCloser interface{ Close() error }

// snapshotRef is a statement's reference to a Pebble snapshot (which
// statements starting at the same commit version share: snapshots.go),
// shared by the statement and the iterators opened in it, released when
// the last of them lets go.
type snapshotRef struct {
	mu     sync.Mutex
	snap   *pebble.Snapshot
	shared *pebbleSnapshot
	refs   int
	// db and version unregister the snapshot from db's statement readers
	// (readers.go) when the last reference goes.
	db      *DB
	version uint64
}

func (s *snapshotRef) acquire() {
	s.mu.Lock()
	s.refs++
	s.mu.Unlock()
}

func (s *snapshotRef) release() {
	s.mu.Lock()
	s.refs--
	last := s.refs == 0
	s.mu.Unlock()
	if last {
		s.shared.release()
		s.db.unregisterReader(s.version)
	}
}

// Begin starts a transaction. It takes no lock until the first write.
func (db *DB) Begin() *Txn {
	return &Txn{db: db}
}

// Catalog returns the catalog as this transaction sees it: its own
// uncommitted schema changes if it made any; else, inside a statement of a
// reader, the catalog pinned by StartStatement; else the latest committed.
func (t *Txn) Catalog() *Catalog {
	switch {
	case t.cat != nil:
		return t.cat
	case t.stmtCat != nil:
		return t.stmtCat
	}
	return t.db.Catalog()
}

// Writing reports whether the transaction holds the writer lock.
func (t *Txn) Writing() bool { return t.batch != nil }

func errTxnDone() error {
	return pgerr.New(pgerr.InternalError, "storage: transaction already committed or rolled back")
}

func errShutdown() error {
	return pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command")
}

func (t *Txn) usable() error {
	if t.done {
		return errTxnDone()
	}
	if t.db.closed.Load() {
		return errShutdown()
	}
	return nil
}

// canceled returns the error for a statement whose ctx ended. A cause set
// with context.WithCancelCause that is a *pgerr.Error is returned as is, so
// the caller can say why (statement timeout, lock timeout, shutdown).
func canceled(ctx context.Context) error {
	var pe *pgerr.Error
	if errors.As(context.Cause(ctx), &pe) {
		return pe
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
}

// LockForWrite takes the DB-wide writer lock if the transaction does not
// hold it yet, waiting until it is free or ctx ends (57014). Statements
// that will write call it before they read, so that what they read cannot
// change before they write. It is idempotent.
//
// Once it returns, the transaction reads the latest committed state and
// Catalog() is the latest catalog (no longer one pinned by StartStatement):
// a statement bound against a catalog with another Version should be bound
// again, since a concurrent DDL may have committed while it waited.
func (t *Txn) LockForWrite(ctx context.Context) error {
	if err := t.usable(); err != nil {
		return err
	}
	if t.batch != nil {
		return nil
	}
	if ctx.Err() != nil {
		return canceled(ctx)
	}
	if err := t.db.space.check(); err != nil {
		return err
	}
	select {
	case t.db.writeLock <- struct{}{}:
	case <-ctx.Done():
		return canceled(ctx)
	}
	if t.db.closed.Load() {
		t.db.unlock()
		return errShutdown()
	}
	t.batch = t.db.pebble.NewIndexedBatch()
	// A writer reads the live store and the latest catalog, which only it
	// can change now; a catalog pinned by the statement may be older.
	t.stmtCat = nil
	return nil
}

// MaxTxnBytes bounds the changes one transaction may hold: they live in
// memory until commit, and a Pebble batch cannot exceed 4 GiB.
const MaxTxnBytes = 1 << 30

// checkSize fails with 54000 once the batch has outgrown MaxTxnBytes.
func (t *Txn) checkSize() error {
	if t.batch.Len() > MaxTxnBytes {
		return pgerr.New(pgerr.ProgramLimitExceeded, "transaction too large: more than %d MB of changes", MaxTxnBytes>>20).
			WithHint("Commit in smaller transactions.")
	}
	return nil
}

// writeCatalog is the catalog that writes maintain indexes against: never
// a pinned statement catalog. Requires the writer lock.
func (t *Txn) writeCatalog() *Catalog {
	if t.cat != nil {
		return t.cat
	}
	return t.db.Catalog()
}

// StartStatement begins a statement: a transaction that does not hold the
// writer lock reads, until EndStatement, from one snapshot of the store and
// of the catalog, so that each statement sees one consistent state (READ
// COMMITTED). A writer already sees a stable store and ignores it. Calls do
// not nest: a second StartStatement ends the previous statement.
func (t *Txn) StartStatement() {
	t.EndStatement()
	if t.done || t.batch != nil || t.db.closed.Load() {
		return
	}
	committed := t.db.registerReader()
	snap := t.db.statementSnapshot(committed)
	t.stmt = &snapshotRef{snap: snap.snap, shared: snap, refs: 1, db: t.db, version: committed}
	t.stmtCommitted, t.stmtExact = committed, snap.exact
	t.stmtCat = t.db.Catalog()
}

// EndStatement ends the statement started by StartStatement. Iterators
// opened in it stay valid until closed.
func (t *Txn) EndStatement() {
	if t.stmt != nil {
		t.stmt.release()
		t.stmt, t.stmtCat = nil, nil
	}
}

// reader returns what the transaction reads from and, for a statement
// snapshot, the reference that an iterator must hold.
func (t *Txn) reader() (pebble.Reader, *snapshotRef) {
	switch {
	case t.batch != nil:
		return t.batch, nil
	case t.stmt != nil:
		return t.stmt.snap, t.stmt
	}
	return t.db.pebble, nil
}

// get reads one key; found is false when it is absent.
func (t *Txn) get(key []byte, fn func(v []byte) error) (found bool, err error) {
	r, _ := t.reader()
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, ioError("read", err)
	}
	defer closer.Close()
	if fn != nil {
		if err := fn(v); err != nil {
			return true, err
		}
	}
	return true, nil
}

// newIter opens an iterator over [lo, hi) and registers it with the txn.
func (t *Txn) newIter(lo, hi []byte) (*pebble.Iterator, func(), error) {
	if err := t.usable(); err != nil {
		return nil, nil, err
	}
	r, ref := t.reader()
	if ref != nil {
		ref.acquire()
	}
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		if ref != nil {
			ref.release()
		}
		return nil, nil, ioError("read", err)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			if ref != nil {
				ref.release()
			}
		})
	}
	return it, release, nil
}

func (t *Txn) track(c iterCloser) {
	t.mu.Lock()
	if t.iters == nil {
		t.iters = map[iterCloser]struct{}{}
	}
	t.iters[c] = struct{}{}
	t.mu.Unlock()
}

func (t *Txn) untrack(c iterCloser) {
	t.mu.Lock()
	delete(t.iters, c)
	t.mu.Unlock()
}

func (t *Txn) closeIters() {
	t.mu.Lock()
	open := make([]iterCloser, 0, len(t.iters))
	for c := range t.iters {
		open = append(open, c)
	}
	t.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
}

// OnCommit registers fn to run after the transaction commits, in order of
// registration, while the writer lock is still held (so hooks of
// successive transactions run in commit order). They do not run on
// rollback.
func (t *Txn) OnCommit(fn func()) { t.onCommit = append(t.onCommit, fn) }

// OnPrepare registers fn to run during Commit, with the version the
// commit will have, just before the transaction's writes become visible
// to readers, in order of registration: an in-memory structure that
// changed with the transaction (an hnsw graph) tags its changes with the
// version there, so that a statement whose snapshot holds the commit also
// sees them, and one whose snapshot does not, does not. If the writes
// then fail to commit, the OnRollback hooks run. OnPrepare hooks run only
// for a transaction that wrote something.
func (t *Txn) OnPrepare(fn func(version uint64)) { t.onPrepare = append(t.onPrepare, fn) }

// OnRollback registers fn to run when the transaction rolls back (or its
// commit fails), in order of registration.
func (t *Txn) OnRollback(fn func()) { t.onRollback = append(t.onRollback, fn) }

// Commit makes the transaction's writes durable with one synced Pebble
// batch, then publishes its catalog, runs the OnCommit hooks and releases
// the writer lock. A transaction that wrote nothing commits trivially. If
// the batch cannot be applied the transaction is rolled back and the error
// returned.
func (t *Txn) Commit() error {
	if t.done {
		return errTxnDone()
	}
	t.closeIters()
	t.EndStatement()
	if t.batch == nil {
		t.done = true
		t.runHooks(t.onCommit)
		return nil
	}
	if t.db.closed.Load() {
		t.Rollback()
		return errShutdown()
	}
	if t.cat != nil {
		t.cat.Version = t.db.Catalog().Version + 1
		_ = t.batch.Set(metaCatalogVers, binary.BigEndian.AppendUint64(nil, t.cat.Version), nil)
	}
	// Every table whose rows the transaction wrote gets its row count
	// and this commit's version, in the same batch as the rows.
	version := t.db.commitVersion.Load() + 1 // only the writer commits
	for oid, c := range t.counts {
		if c.dropped {
			continue // DropTable deleted the key
		}
		n := c.delta
		if !c.reset {
			n += t.db.committedRows(oid)
		}
		c.final = max(n, 0)
		v := binary.BigEndian.AppendUint64(nil, uint64(c.final))
		_ = t.batch.Set(rowCountKey(oid), binary.BigEndian.AppendUint64(v, version), nil)
	}
	if t.oidsAllocated {
		_ = t.batch.Set(metaNextOIDKey, binary.BigEndian.AppendUint64(nil, uint64(t.db.nextOID)), nil)
	}
	for _, fn := range t.onPrepare {
		fn(version)
	}
	t.db.pendingVersion.Store(version) // before the batch is visible
	if err := t.batch.Commit(pebble.Sync); err != nil {
		t.db.pendingVersion.Store(version - 1)
		t.Rollback()
		return ioError("commit", err)
	}
	_ = t.batch.Close()
	t.batch = nil
	t.done = true
	if t.cat != nil {
		t.db.cat.Store(t.cat)
	}
	t.version = version
	for oid, c := range t.counts {
		if c.dropped {
			t.db.rowCounts.Delete(oid)
			t.db.versions.Delete(oid)
		} else {
			t.db.rowCounts.Store(oid, c.final)
			t.db.versions.Store(oid, version)
		}
	}
	t.db.commitVersion.Store(version) // after the tables' versions
	if len(t.newSeqs) > 0 || len(t.droppedSeqs) > 0 {
		t.db.seqMu.Lock()
		for oid, st := range t.newSeqs {
			t.db.seqs[oid] = st
		}
		for _, oid := range t.droppedSeqs {
			if st := t.db.seqs[oid]; st != nil {
				st.mu.Lock()
				st.dropped = true
				st.mu.Unlock()
				delete(t.db.seqs, oid)
			}
		}
		t.db.seqMu.Unlock()
	}
	defer t.db.unlock() // even if a hook panics
	t.runHooks(t.onCommit)
	return nil
}

func (db *DB) unlock() { <-db.writeLock }

// Rollback discards the transaction's writes and schema changes and
// releases the writer lock. Sequence values it took stay taken. It is
// safe to call more than once and after a failed Commit.
func (t *Txn) Rollback() {
	if t.done {
		return
	}
	t.closeIters()
	t.EndStatement()
	t.done = true
	if t.batch != nil {
		_ = t.batch.Close()
		t.batch = nil
		defer t.db.unlock() // even if a hook panics
	}
	t.runHooks(t.onRollback)
}

func (t *Txn) runHooks(fns []func()) {
	for _, fn := range fns {
		fn()
	}
	t.onPrepare, t.onCommit, t.onRollback = nil, nil, nil
}

// AllocOID returns a new OID for a schema object, from a counter that
// starts at types.FirstUserOID and is persisted with the transaction.
// OIDs handed to a transaction that rolls back are not reused while the
// process runs.
func (t *Txn) AllocOID(ctx context.Context) (types.OID, error) {
	if err := t.LockForWrite(ctx); err != nil {
		return 0, err
	}
	oid := t.db.nextOID
	if oid == 0 {
		return 0, pgerr.New(pgerr.ProgramLimitExceeded, "storage: OID counter wrapped around")
	}
	t.db.nextOID++
	t.oidsAllocated = true
	return oid, nil
}
