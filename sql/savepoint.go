package sql

import (
	"context"
	"maps"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Savepoints (SAVEPOINT, ROLLBACK TO, RELEASE) as PostgreSQL has them:
// a stack of named points in an explicit transaction, the newest first
// when names repeat. ROLLBACK TO undoes everything done since the point
// (rows, index entries, row counts, schema changes, hnsw graph changes,
// settings changed with SET) and keeps it; RELEASE forgets it and the
// points after it, keeping what was done. ROLLBACK TO is also the way
// out of the failed state: while the transaction has a savepoint, an
// error leaves its storage transaction open, so that it can return there.

// savepoint is one point of the stack.
type savepoint struct {
	name  string
	store *storage.Savepoint
	idx   indexMark
	// values and undo are the session's settings at the point.
	values map[string]string
	undo   map[string]settingUndo
}

// indexMark is the transaction's hnsw and column cache state at a
// savepoint; the zero value is a transaction that used none.
type indexMark struct {
	created map[types.OID]*hnsw.Graph
	dropped map[types.OID]bool
	schema  map[types.OID]bool
	writers map[types.OID]writerMark
	retired int
	written int
}

// writerMark is a graph's write transaction and its point.
type writerMark struct {
	tx   *hnsw.Tx
	mark hnsw.Mark
}

// retiredWriter is a write transaction that TRUNCATE replaced while a
// savepoint was set: it stays open, so that ROLLBACK TO can bring it back,
// and is rolled back when the transaction ends.
type retiredWriter struct {
	index types.OID
	tx    *hnsw.Tx
}

// writtenUndo is what rowWritten replaced, while a savepoint is set.
type writtenUndo struct {
	table    types.OID
	id       storage.RowID
	had      bool
	prev     []types.Datum
	newTable bool // the table had no written rows before
}

// bindSavepoint prepares SAVEPOINT, RELEASE and ROLLBACK TO.
func (s *Session) bindSavepoint(st *Statement, ts *pg_query.TransactionStmt) {
	name := ts.SavepointName
	switch ts.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		st.tag = "SAVEPOINT"
		st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
			return nil, "SAVEPOINT", s.failOn(s.setSavepoint(name))
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_RELEASE:
		st.tag = "RELEASE"
		st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
			return nil, "RELEASE", s.failOn(s.releaseSavepoint(name))
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		st.tag = "ROLLBACK"
		st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
			return nil, "ROLLBACK", s.failOn(s.rollbackToSavepoint(name))
		}
	}
}

// failOn puts the transaction in the failed state when err is not nil,
// as every error does, and returns err.
func (s *Session) failOn(err error) error {
	if err != nil {
		s.fail()
	}
	return err
}

func errNoSavepoint(name string) error {
	return pgerr.New(pgerr.Code("3B001"), "savepoint \"%s\" does not exist", name)
}

func (s *Session) setSavepoint(name string) error {
	if !s.explicit {
		return pgerr.New(pgerr.NoActiveSQLTransaction, "SAVEPOINT can only be used in transaction blocks")
	}
	s.beginTxn()
	sp := &savepoint{name: name, store: s.txn.Savepoint(), values: maps.Clone(s.values), undo: maps.Clone(s.undo)}
	if ti := s.txnIdx; ti != nil {
		sp.idx = ti.mark()
	}
	s.savepoints = append(s.savepoints, sp)
	return nil
}

// findSavepoint returns the index of the newest savepoint called name.
func (s *Session) findSavepoint(name string) (int, error) {
	for i := len(s.savepoints) - 1; i >= 0; i-- {
		if s.savepoints[i].name == name {
			return i, nil
		}
	}
	return 0, errNoSavepoint(name)
}

func (s *Session) releaseSavepoint(name string) error {
	if !s.explicit {
		return pgerr.New(pgerr.NoActiveSQLTransaction, "RELEASE SAVEPOINT can only be used in transaction blocks")
	}
	i, err := s.findSavepoint(name)
	if err != nil {
		return err
	}
	clear(s.savepoints[i:])
	s.savepoints = s.savepoints[:i]
	return nil
}

func (s *Session) rollbackToSavepoint(name string) error {
	if !s.explicit {
		return pgerr.New(pgerr.NoActiveSQLTransaction, "ROLLBACK TO SAVEPOINT can only be used in transaction blocks")
	}
	i, err := s.findSavepoint(name)
	if err != nil {
		return err
	}
	sp := s.savepoints[i]
	clear(s.savepoints[i+1:])
	s.savepoints = s.savepoints[:i+1]
	if s.txn == nil {
		return pgerr.New(pgerr.InternalError, "sql: savepoint without a transaction")
	}
	if err := s.txn.RollbackTo(sp.store); err != nil {
		return err
	}
	if ti := s.txnIdx; ti != nil {
		if err := ti.rollbackTo(sp.idx); err != nil {
			return err
		}
	}
	s.restoreSettings(sp)
	s.failed = false
	return nil
}

// restoreSettings returns the settings to their values at sp.
func (s *Session) restoreSettings(sp *savepoint) {
	for _, st := range s.e.settings {
		lname := strings.ToLower(st.name)
		want, ok := sp.values[lname]
		if !ok {
			want = st.def
		}
		if s.setting(st) != want {
			s.assign(st, want, false, false)
		}
	}
	s.undo = maps.Clone(sp.undo)
}

// mark records the index state for a savepoint.
func (ti *txnIndexes) mark() indexMark {
	m := indexMark{created: maps.Clone(ti.created), dropped: maps.Clone(ti.dropped), schema: maps.Clone(ti.schema),
		retired: len(ti.retired), written: len(ti.writtenLog)}
	if len(ti.writers) > 0 {
		m.writers = make(map[types.OID]writerMark, len(ti.writers))
		for oid, tx := range ti.writers {
			m.writers[oid] = writerMark{tx: tx, mark: tx.Mark()}
		}
	}
	return m
}

// rollbackTo returns the index state to m: graph write transactions open
// at m return to their marks (those TRUNCATE retired since come back),
// those opened since roll back; created and dropped graphs, tables whose
// definition changed and rows written are as they were.
func (ti *txnIndexes) rollbackTo(m indexMark) error {
	back := func(oid types.OID, tx *hnsw.Tx) (bool, error) {
		wm, ok := m.writers[oid]
		if !ok || wm.tx != tx {
			tx.Rollback()
			return false, nil
		}
		return true, tx.RollbackTo(wm.mark)
	}
	for oid, tx := range ti.writers {
		kept, err := back(oid, tx)
		if err != nil {
			return err
		}
		if !kept {
			delete(ti.writers, oid)
		}
	}
	for _, r := range ti.retired[m.retired:] {
		kept, err := back(r.index, r.tx)
		if err != nil {
			return err
		}
		if kept {
			ti.writers[r.index] = r.tx
		}
	}
	clear(ti.retired[m.retired:])
	ti.retired = ti.retired[:m.retired]
	ti.created = cloneOrMake(m.created)
	ti.dropped = cloneOrMake(m.dropped)
	ti.schema = maps.Clone(m.schema)
	for i := len(ti.writtenLog) - 1; i >= m.written; i-- {
		u := ti.writtenLog[i]
		switch {
		case u.newTable:
			delete(ti.written, u.table)
		case u.had:
			ti.written[u.table][u.id] = u.prev
		default:
			delete(ti.written[u.table], u.id)
		}
	}
	clear(ti.writtenLog[m.written:])
	ti.writtenLog = ti.writtenLog[:m.written]
	return nil
}

func cloneOrMake[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return maps.Clone(m)
}
