package storage

import (
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
)

// Statements that start while no commit happens see the same state, so
// they share one Pebble snapshot instead of each taking and closing its
// own: closing the earliest snapshot makes Pebble look for compactions
// under its lock, which cost about 4% of the server's CPU on a stream of
// index-scan queries (fashion-mnist through the wire, pprof).
//
// The DB keeps the latest snapshot that holds exactly the commits up to
// the commit version it was taken at (no commit was under way: see
// StartStatement) in sharedSnap, with a reference of its own. A statement
// that starts at that same commit version takes a reference to it; one
// that starts later takes a new snapshot, which replaces the shared one
// when it is exact. A replaced snapshot closes once its last statement
// lets go, so a snapshot pins the store's old versions only until the
// next statement after a commit.

// pebbleSnapshot is a Pebble snapshot with a count of the statements (and
// the DB's share, while it is shared) using it.
type pebbleSnapshot struct {
	snap *pebble.Snapshot
	refs atomic.Int64
	// version is the commit version the snapshot was taken at; exact
	// says it holds exactly the commits up to it.
	version uint64
	exact   bool
}

// tryAcquire takes a reference unless the snapshot is already closed.
func (s *pebbleSnapshot) tryAcquire() bool {
	for {
		n := s.refs.Load()
		if n <= 0 {
			return false
		}
		if s.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference, closing the snapshot with the last.
func (s *pebbleSnapshot) release() {
	if s.refs.Add(-1) == 0 {
		_ = s.snap.Close()
	}
}

// statementSnapshot returns a referenced snapshot for a statement that
// read committed as the commit version: the shared one when it was taken
// at that version, else a new one. A new snapshot is exact when no commit
// was under way after committed was read (the pending version, announced
// before a commit's batch becomes visible, is still committed).
func (db *DB) statementSnapshot(committed uint64) *pebbleSnapshot {
	shared := db.sharedSnap.Load()
	if shared != nil && shared.version == committed && shared.tryAcquire() {
		return shared
	}
	s := &pebbleSnapshot{snap: db.pebble.NewSnapshot(), version: committed}
	s.exact = db.pendingVersion.Load() == committed
	s.refs.Store(1)
	if s.exact {
		s.refs.Add(1) // the DB's
		if old := db.sharedSnap.Swap(s); old != nil {
			old.release()
		}
	} else if shared != nil && shared.version < committed && db.sharedSnap.CompareAndSwap(shared, nil) {
		// Outdated: let it close with its last statement.
		shared.release()
	}
	return s
}

// releaseSharedSnapshot drops the DB's reference to the shared snapshot,
// at Close.
func (db *DB) releaseSharedSnapshot() {
	if s := db.sharedSnap.Swap(nil); s != nil {
		s.release()
	}
}
