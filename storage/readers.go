package storage

import "sync"

// statementReaders counts the statement snapshots still in use by the
// commit version each statement started from, so that a holder of an
// in-memory copy that keeps several versions of its data (an hnsw graph
// keeps, for a while, both the nodes a commit deleted and those it added)
// knows when no reader can still need the older ones.
type statementReaders struct {
	mu     sync.Mutex
	counts map[uint64]int // version -> statements (and their iterators) using it
}

// register records a statement snapshot of the current commit version and
// returns that version. The version is read under the registry's lock, so
// that OldestReadVersion never misses a snapshot taken after it read
// commitVersion: the snapshot is taken after register returns, so it
// holds at least the commits up to the version returned.
func (db *DB) registerReader() uint64 {
	r := &db.stmtReaders
	r.mu.Lock()
	v := db.commitVersion.Load()
	if r.counts == nil {
		r.counts = make(map[uint64]int)
	}
	r.counts[v]++
	r.mu.Unlock()
	return v
}

func (db *DB) unregisterReader(v uint64) {
	r := &db.stmtReaders
	r.mu.Lock()
	if r.counts[v]--; r.counts[v] <= 0 {
		delete(r.counts, v)
	}
	r.mu.Unlock()
}

// OldestReadVersion returns the oldest commit version a running statement
// (or an iterator it left open, such as a suspended portal's) may still
// read as of: the smallest commit version a statement snapshot in use was
// started from, or the latest commit version when none is in use. Every
// snapshot in use holds at least the commits up to it. Writers read the
// live store and are not counted.
func (db *DB) OldestReadVersion() uint64 {
	r := &db.stmtReaders
	r.mu.Lock()
	defer r.mu.Unlock()
	oldest := db.commitVersion.Load()
	for v := range r.counts {
		oldest = min(oldest, v)
	}
	return oldest
}
