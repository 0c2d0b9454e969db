package storage

import (
	"context"
	"encoding/binary"
	"math"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Sequences.
//
// As in PostgreSQL, nextval and setval are not transactional: a value
// handed out is gone even if the transaction that asked for it rolls back,
// and they never wait for the writer lock. They are durable: before a value
// is returned, a position at or beyond it has been written with a synced
// write, so after a crash no value is handed out twice. To avoid a sync per
// value, nextval reserves a range ahead (like PostgreSQL's SEQ_LOG_VALS,
// which logs 32 values ahead): the record says "resume after this value",
// and a crash skips what was reserved but unused. The range grows while
// nextval is called in quick succession (bulk inserts), up to
// maxSeqReserve values, and shrinks back to minSeqReserve otherwise. A
// clean Close writes the exact positions, so a restart leaves no gap.
//
// A sequence created by a transaction that has not committed yet keeps its
// state in that transaction, and its records go into the transaction's
// batch: if it rolls back, the sequence never existed.
const (
	minSeqReserve = 32
	maxSeqReserve = 4096
)

// sequenceGeneratorLimitExceeded is SQLSTATE 2200H.
const sequenceGeneratorLimitExceeded pgerr.Code = "2200H"

// seqState is the in-memory position of a sequence.
type seqState struct {
	mu     sync.Mutex
	last   int64 // last value handed out, or the next one when !called
	called bool
	// [resFrom, resTo] (in the direction of the increment) are values that a
	// durable record already covers: handing them out needs no write.
	resValid        bool
	resFrom, resTo  int64
	reserve         int64 // size of the next reservation
	lastReservation time.Time
	dropped         bool // a committed DROP removed it
}

// record encodes the persisted state: resume at last (already handed out
// when called).
func (*seqState) record(last int64, called bool) []byte {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 9), uint64(last))
	if called {
		return append(v, 1)
	}
	return append(v, 0)
}

func decodeSeqRecord(v []byte) (*seqState, error) {
	if len(v) != 9 || v[8] > 1 {
		return nil, pgerr.New(pgerr.DataCorrupted, "storage: bad sequence record")
	}
	return &seqState{last: int64(binary.BigEndian.Uint64(v)), called: v[8] == 1}, nil
}

// seqState returns the state of seq: the transaction's own for a sequence
// it created, else the committed one.
func (t *Txn) seqState(seq *Sequence) (st *seqState, local bool, err error) {
	if st := t.newSeqs[seq.OID]; st != nil {
		return st, true, nil
	}
	t.db.seqMu.RLock()
	st = t.db.seqs[seq.OID]
	t.db.seqMu.RUnlock()
	if st == nil {
		return nil, false, pgerr.New(pgerr.UndefinedTable, "relation \"%s\" does not exist", seq.Name)
	}
	return st, false, nil
}

// persistSeq makes a sequence record durable: in the transaction's batch
// for its own new sequences, else with a synced write of its own.
func (t *Txn) persistSeq(oid types.OID, local bool, rec []byte) error {
	if local {
		return t.batch.Set(sequenceKey(oid), rec, nil)
	}
	if t.db.closed.Load() {
		return errShutdown()
	}
	if err := t.db.pebble.Set(sequenceKey(oid), rec, pebble.Sync); err != nil {
		return ioError("write sequence", err)
	}
	return nil
}

// NextVal advances seq and returns its new value, with PostgreSQL's
// semantics for increments, limits and CYCLE. seq should come from
// t.Catalog().
func (t *Txn) NextVal(ctx context.Context, seq *Sequence) (int64, error) {
	if err := t.usable(); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, canceled(ctx)
	}
	st, local, err := t.seqState(seq)
	if err != nil {
		return 0, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.dropped {
		return 0, pgerr.New(pgerr.UndefinedTable, "relation \"%s\" does not exist", seq.Name)
	}
	inc := seq.Increment
	if inc == 0 {
		inc = 1
	}
	next := st.last
	if st.called {
		var ok bool
		next, ok = addWithin(st.last, inc, seq.Min, seq.Max)
		if !ok {
			if !seq.Cycle {
				if inc > 0 {
					return 0, pgerr.New(sequenceGeneratorLimitExceeded,
						"nextval: reached maximum value of sequence \"%s\" (%d)", seq.Name, seq.Max)
				}
				return 0, pgerr.New(sequenceGeneratorLimitExceeded,
					"nextval: reached minimum value of sequence \"%s\" (%d)", seq.Name, seq.Min)
			}
			if inc > 0 {
				next = seq.Min
			} else {
				next = seq.Max
			}
			st.resValid = false
		}
	}
	if !st.covers(next, inc) {
		size := st.nextReserveSize(local)
		to, ok := addWithin(next, inc*(size-1), seq.Min, seq.Max)
		if !ok || (inc > 0 && to < next) || (inc < 0 && to > next) {
			if inc > 0 {
				to = seq.Max
			} else {
				to = seq.Min
			}
		}
		if err := t.persistSeq(seq.OID, local, st.record(to, true)); err != nil {
			return 0, err
		}
		st.resValid, st.resFrom, st.resTo = true, next, to
	}
	st.last, st.called = next, true
	return next, nil
}

// covers reports whether v lies in the durable reservation.
func (st *seqState) covers(v, inc int64) bool {
	if !st.resValid {
		return false
	}
	if inc > 0 {
		return v >= st.resFrom && v <= st.resTo
	}
	return v <= st.resFrom && v >= st.resTo
}

// nextReserveSize grows the reservation while reservations come quickly,
// and resets it otherwise.
func (st *seqState) nextReserveSize(local bool) int64 {
	if local {
		// Records go into the transaction's batch: no sync to amortise.
		return 1
	}
	now := time.Now()
	switch {
	case st.reserve == 0 || now.Sub(st.lastReservation) > time.Second:
		st.reserve = minSeqReserve
	case st.reserve < maxSeqReserve:
		st.reserve *= 2
	}
	st.lastReservation = now
	return st.reserve
}

// addWithin returns v+inc and whether it is within [lo, hi] without
// overflowing.
func addWithin(v, inc, lo, hi int64) (int64, bool) {
	if (inc > 0 && v > math.MaxInt64-inc) || (inc < 0 && v < math.MinInt64-inc) {
		return 0, false
	}
	n := v + inc
	return n, n >= lo && n <= hi
}

// SetVal sets seq's position as setval(seq, v, isCalled) does: with
// isCalled the next nextval returns v+increment, else v. Like nextval it
// is not undone by a rollback.
func (t *Txn) SetVal(ctx context.Context, seq *Sequence, v int64, isCalled bool) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return canceled(ctx)
	}
	if v < seq.Min || v > seq.Max {
		return pgerr.New(pgerr.NumericValueOutOfRange,
			"setval: value %d is out of bounds for sequence \"%s\" (%d..%d)", v, seq.Name, seq.Min, seq.Max)
	}
	st, local, err := t.seqState(seq)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.dropped {
		return pgerr.New(pgerr.UndefinedTable, "relation \"%s\" does not exist", seq.Name)
	}
	if err := t.persistSeq(seq.OID, local, st.record(v, isCalled)); err != nil {
		return err
	}
	st.last, st.called, st.resValid = v, isCalled, false
	return nil
}

// SequenceState returns seq's last value and whether nextval has returned
// it (pg_sequences.last_value / the is_called column of SELECT * FROM seq).
func (t *Txn) SequenceState(seq *Sequence) (last int64, isCalled bool, err error) {
	st, _, err := t.seqState(seq)
	if err != nil {
		return 0, false, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.last, st.called, nil
}
