package storage

import (
	"maps"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vecgres/vecgres/sql/types"
)

// Savepoint is what a transaction was at a point it may return to (SQL's
// SAVEPOINT): how much of its batch was written, its catalog, its row
// count changes and the sequences it had created or dropped. Taking one
// costs no copy of the batch: a Pebble batch only grows, so the length of
// its representation marks the point. Returning to it (RollbackTo) builds
// a new indexed batch from that prefix, which costs time in proportion to
// what the transaction had written before the savepoint.
type Savepoint struct {
	// writing says the transaction held the writer lock.
	writing    bool
	batchLen   int
	batchCount uint32

	cat         *Catalog
	counts      map[types.OID]countChange
	newSeqs     map[types.OID]*seqState
	droppedSeqs int
}

// Savepoint marks the transaction's present state for RollbackTo. The
// catalog the transaction has changed is frozen: the next schema change
// works on a copy, so that the savepoint's catalog stays as it is.
func (t *Txn) Savepoint() *Savepoint {
	sp := &Savepoint{writing: t.batch != nil, cat: t.cat, droppedSeqs: len(t.droppedSeqs)}
	if t.batch != nil {
		sp.batchLen, sp.batchCount = t.batch.Len(), t.batch.Count()
	}
	t.catShared = t.cat != nil
	if len(t.counts) > 0 {
		sp.counts = make(map[types.OID]countChange, len(t.counts))
		for oid, c := range t.counts {
			sp.counts[oid] = *c
		}
	}
	if len(t.newSeqs) > 0 {
		sp.newSeqs = maps.Clone(t.newSeqs)
	}
	return sp
}

// RollbackTo undoes everything the transaction did after sp was taken:
// its writes, schema changes and row count changes, and the sequences it
// created or dropped since (values handed out by sequences stay taken, as
// in PostgreSQL). The savepoint stays valid: the transaction can return
// to it again. Iterators still open are closed. If the transaction did
// not hold the writer lock at sp, it is released. OnCommit and OnRollback
// hooks registered since stay registered: their owners undo their own
// state.
func (t *Txn) RollbackTo(sp *Savepoint) error {
	if err := t.usable(); err != nil {
		return err
	}
	t.closeIters()
	t.EndStatement()
	switch {
	case t.batch == nil:
	case !sp.writing:
		_ = t.batch.Close()
		t.batch = nil
		t.db.unlock()
	case t.batch.Len() != sp.batchLen:
		b, err := t.batchPrefix(sp.batchLen, sp.batchCount)
		if err != nil {
			return err
		}
		_ = t.batch.Close()
		t.batch = b
	}
	t.cat = sp.cat
	t.catShared = t.cat != nil
	t.counts = nil
	for oid, c := range sp.counts {
		cp := c
		if t.counts == nil {
			t.counts = make(map[types.OID]*countChange, len(sp.counts))
		}
		t.counts[oid] = &cp
	}
	t.newSeqs = maps.Clone(sp.newSeqs)
	t.droppedSeqs = t.droppedSeqs[:sp.droppedSeqs]
	// A sequence the transaction created keeps the values it handed out
	// since sp, but their durable record was in the discarded part of the
	// batch: write the present position again, and reserve anew.
	for oid, st := range t.newSeqs {
		st.mu.Lock()
		st.resValid = false
		rec := st.record(st.last, st.called)
		st.mu.Unlock()
		if t.batch != nil {
			if err := t.batch.Set(sequenceKey(oid), rec, nil); err != nil {
				return ioError("write", err)
			}
		}
	}
	return nil
}

// batchPrefix builds a new indexed batch holding the first count records
// of the transaction's batch, which take n bytes of its representation.
func (t *Txn) batchPrefix(n int, count uint32) (*pebble.Batch, error) {
	b := t.db.pebble.NewIndexedBatch()
	if count == 0 {
		return b, nil
	}
	repr := make([]byte, n)
	copy(repr, t.batch.Repr()[:n])
	// The header's last four bytes are the record count (little-endian).
	repr[8], repr[9], repr[10], repr[11] = byte(count), byte(count>>8), byte(count>>16), byte(count>>24)
	prefix := t.db.pebble.NewBatch()
	defer prefix.Close()
	if err := prefix.SetRepr(repr); err != nil {
		_ = b.Close()
		return nil, ioError("rollback to savepoint", err)
	}
	if err := b.Apply(prefix, nil); err != nil {
		_ = b.Close()
		return nil, ioError("rollback to savepoint", err)
	}
	return b, nil
}
