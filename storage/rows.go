package storage

import (
	"context"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/cockroachdb/pebble/v2"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Rows. A row is stored under (table OID, row id) as encoded by rowenc.go,
// one slot per Table.Columns entry (dropped columns included). Writes take
// the writer lock and go into the transaction's batch together with the
// btree index entries they imply, so table and indexes cannot disagree.
//
// NOT NULL, CHECK, typmods (varchar length, vector dimensions) are the
// executor's to enforce; storage checks only that each datum has the Go
// type of its column's SQL type, to catch bugs before they reach the disk.

// allocRowID returns the next row id of table. The counter lives in memory;
// the first use after Open recovers it from the highest row key. Requires
// the writer lock.
func (t *Txn) allocRowID(table types.OID) (RowID, error) {
	next, ok := t.db.nextRowID[table]
	if !ok {
		prefix := tablePrefix(table)
		it, err := t.batch.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
		if err != nil {
			return 0, ioError("read", err)
		}
		next = 1
		if it.Last() {
			next = rowIDFromKey(it.Key()) + 1
		}
		if err := it.Close(); err != nil {
			return 0, ioError("read", err)
		}
	}
	t.db.nextRowID[table] = next + 1
	return next, nil
}

// countChange is what a transaction did to a table's row count.
type countChange struct {
	delta   int64
	reset   bool // truncated: delta counts from zero
	dropped bool
	final   int64 // the count written at commit
}

func (t *Txn) countChange(table types.OID) *countChange {
	c := t.counts[table]
	if c == nil {
		if t.counts == nil {
			t.counts = map[types.OID]*countChange{}
		}
		c = &countChange{}
		t.counts[table] = c
	}
	return c
}

func (db *DB) committedRows(table types.OID) int64 {
	if n, ok := db.rowCounts.Load(table); ok {
		return n.(int64)
	}
	return 0
}

// RowCount returns the number of rows in tbl: the count as of the latest
// commit, adjusted by this transaction's own inserts and deletes. It is
// exact for what it describes, but not tied to the statement snapshot, so
// planners use it as an estimate (reltuples), not to answer COUNT(*).
func (t *Txn) RowCount(tbl *Table) int64 {
	n := t.db.committedRows(tbl.OID)
	if c := t.counts[tbl.OID]; c != nil {
		if c.dropped {
			return 0
		}
		if c.reset {
			n = 0
		}
		n += c.delta
	}
	return max(n, 0)
}

// checkTable verifies, for a write, that tbl is the table's current
// descriptor: a statement bound before a concurrent DDL committed (while
// it waited for the writer lock) must not write by an old shape.
func (t *Txn) checkTable(tbl *Table) error {
	if err := t.checkSize(); err != nil {
		return err
	}
	cur, ok := t.writeCatalog().Table(tbl.OID)
	if !ok {
		return pgerr.New(pgerr.UndefinedTable, "relation \"%s\" does not exist", tbl.Name)
	}
	if cur != tbl && len(cur.Columns) != len(tbl.Columns) {
		return pgerr.New(pgerr.SerializationFailure, "could not serialize access due to concurrent update").
			WithDetail("Table \"%s\" was altered after the statement was planned.", tbl.Name)
	}
	return nil
}

// Insert stores row as a new row of tbl and returns its id. It adds an
// entry to every btree index of the table, checking unique indexes against
// committed rows and the transaction's own writes; on a violation (23505)
// nothing is written, so the caller may go on (ON CONFLICT DO NOTHING).
func (t *Txn) Insert(ctx context.Context, tbl *Table, row []types.Datum) (RowID, error) {
	if err := t.LockForWrite(ctx); err != nil {
		return 0, err
	}
	if err := t.checkTable(tbl); err != nil {
		return 0, err
	}
	if err := checkRow(tbl, row); err != nil {
		return 0, err
	}
	id, err := t.allocRowID(tbl.OID)
	if err != nil {
		return 0, err
	}
	var ops indexOps
	for _, idx := range t.writeCatalog().btreeIndexes(tbl.OID) {
		key, unique, in, err := t.indexKey(nil, tbl, idx, row, id)
		if err != nil {
			return 0, err
		}
		if !in {
			continue
		}
		if unique {
			if err := t.checkUnique(tbl, idx, key, row); err != nil {
				return 0, err
			}
		}
		ops.set = append(ops.set, key)
	}
	if err := t.applyIndexOps(&ops, id); err != nil {
		return 0, err
	}
	if err := t.putRow(tbl, id, row); err != nil {
		return 0, err
	}
	t.countChange(tbl.OID).delta++
	return id, nil
}

// Update replaces row id of tbl, whose current value is old, by new. Index
// entries whose key changed move; unique indexes are checked as by Insert,
// and on a violation nothing is written.
func (t *Txn) Update(ctx context.Context, tbl *Table, id RowID, old, new []types.Datum) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	if err := t.checkTable(tbl); err != nil {
		return err
	}
	if err := checkRow(tbl, new); err != nil {
		return err
	}
	if len(old) != len(tbl.Columns) {
		return pgerr.New(pgerr.InternalError, "storage: old row of %s has %d values, want %d", tbl.Name, len(old), len(tbl.Columns))
	}
	t.countChange(tbl.OID) // the count stays, the table's version moves
	var ops indexOps
	for _, idx := range t.writeCatalog().btreeIndexes(tbl.OID) {
		oldKey, _, oldIn, err := t.indexKey(nil, tbl, idx, old, id)
		if err != nil {
			return err
		}
		newKey, unique, newIn, err := t.indexKey(nil, tbl, idx, new, id)
		if err != nil {
			return err
		}
		if oldIn == newIn && string(oldKey) == string(newKey) {
			continue
		}
		if newIn && unique {
			if err := t.checkUnique(tbl, idx, newKey, new); err != nil {
				return err
			}
		}
		// A row entering or leaving a partial index gains or loses its
		// entry.
		if oldIn {
			ops.del = append(ops.del, oldKey)
		}
		if newIn {
			ops.set = append(ops.set, newKey)
		}
	}
	if err := t.applyIndexOps(&ops, id); err != nil {
		return err
	}
	return t.putRow(tbl, id, new)
}

// Delete removes row id of tbl, whose current value is old (from which the
// index entries to remove are computed).
func (t *Txn) Delete(ctx context.Context, tbl *Table, id RowID, old []types.Datum) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	if err := t.checkTable(tbl); err != nil {
		return err
	}
	if len(old) != len(tbl.Columns) {
		return pgerr.New(pgerr.InternalError, "storage: old row of %s has %d values, want %d", tbl.Name, len(old), len(tbl.Columns))
	}
	var ops indexOps
	for _, idx := range t.writeCatalog().btreeIndexes(tbl.OID) {
		key, _, in, err := t.indexKey(nil, tbl, idx, old, id)
		if err != nil {
			return err
		}
		if in {
			ops.del = append(ops.del, key)
		}
	}
	if err := t.applyIndexOps(&ops, id); err != nil {
		return err
	}
	if err := t.batch.Delete(rowKey(tbl.OID, id), nil); err != nil {
		return ioError("write", err)
	}
	t.countChange(tbl.OID).delta--
	return nil
}

func (t *Txn) putRow(tbl *Table, id RowID, row []types.Datum) error {
	t.key = appendRowKey(t.key[:0], tbl.OID, id)
	n := len(t.key)
	enc, err := appendRow(t.key, row)
	if err != nil {
		return err
	}
	t.key = enc
	if err := t.batch.Set(enc[:n], enc[n:], nil); err != nil {
		return ioError("write", err)
	}
	return nil
}

// GetSlots is Get decoding only the slots need marks (see DecodeRowSlots).
func (t *Txn) GetSlots(tbl *Table, id RowID, need []bool) (row []types.Datum, found bool, err error) {
	if err := t.usable(); err != nil {
		return nil, false, err
	}
	found, err = t.get(rowKey(tbl.OID, id), func(v []byte) error {
		var err error
		row, err = DecodeRowSlots(v, len(tbl.Columns), need)
		return err
	})
	return row, found, err
}

// Get returns row id of tbl, or found=false if there is none.
func (t *Txn) Get(tbl *Table, id RowID) (row []types.Datum, found bool, err error) {
	if err := t.usable(); err != nil {
		return nil, false, err
	}
	found, err = t.get(rowKey(tbl.OID, id), func(v []byte) error {
		var err error
		row, err = DecodeRow(v, len(tbl.Columns))
		return err
	})
	return row, found, err
}

// Scan returns an iterator over the rows of tbl in row-id order. It sees
// the transaction's own writes made before it was opened.
func (t *Txn) Scan(tbl *Table) (*RowIter, error) {
	return t.ScanRange(tbl, 0, 0)
}

// ScanRange is Scan restricted to row ids in [from, to); to = 0 means no
// upper bound. Parallel scans split a table with it.
func (t *Txn) ScanRange(tbl *Table, from, to RowID) (*RowIter, error) {
	lo := rowKey(tbl.OID, from)
	hi := prefixEnd(tablePrefix(tbl.OID))
	if to != 0 {
		hi = rowKey(tbl.OID, to)
	}
	it, release, err := t.newIter(lo, hi)
	if err != nil {
		return nil, err
	}
	ri := &RowIter{txn: t, it: it, release: release, nslots: len(tbl.Columns)}
	t.track(ri)
	return ri, nil
}

// RowIter iterates over rows in row-id order:
//
//	for it.Next() { id, raw := it.ID(), it.Raw() ... }
//	if err := it.Err(); err != nil { ... }
//	it.Close()
type RowIter struct {
	txn     *Txn
	it      *pebble.Iterator
	release func()
	nslots  int
	started bool
	raw     []byte
	err     error
	closed  bool
}

// Next advances to the next row and reports whether there is one.
func (ri *RowIter) Next() bool {
	if ri.closed || ri.err != nil {
		return false
	}
	var ok bool
	if !ri.started {
		ri.started = true
		ok = ri.it.First()
	} else {
		ok = ri.it.Next()
	}
	if !ok {
		if err := ri.it.Error(); err != nil {
			ri.err = ioError("read", err)
		}
		return false
	}
	ri.raw, ri.err = ri.it.ValueAndErr()
	if ri.err != nil {
		ri.err = ioError("read", ri.err)
		return false
	}
	return true
}

// ID returns the current row's id.
func (ri *RowIter) ID() RowID { return rowIDFromKey(ri.it.Key()) }

// Raw returns the current row's encoding, valid until the next call to
// Next or Close; see VectorColumn, DecodeColumn and DecodeRow.
func (ri *RowIter) Raw() []byte { return ri.raw }

// Row decodes the current row; the result belongs to the caller.
func (ri *RowIter) Row() ([]types.Datum, error) { return DecodeRow(ri.raw, ri.nslots) }

// Err returns the error that ended the iteration, if any.
func (ri *RowIter) Err() error { return ri.err }

// Close releases the iterator. It is idempotent.
func (ri *RowIter) Close() error {
	if ri.closed {
		return nil
	}
	ri.closed = true
	err := ri.it.Close()
	ri.release()
	ri.txn.untrack(ri)
	if err != nil {
		return ioError("read", err)
	}
	return nil
}

// checkRow verifies that row has one datum per slot of tbl, of the Go type
// that represents the slot's SQL type.
func checkRow(tbl *Table, row []types.Datum) error {
	if len(row) != len(tbl.Columns) {
		return pgerr.New(pgerr.InternalError, "storage: row for %s has %d values, want %d", tbl.Name, len(row), len(tbl.Columns))
	}
	for i, d := range row {
		if d == nil {
			continue
		}
		if !datumFits(tbl.Columns[i].Type, d) {
			return pgerr.New(pgerr.InternalError, "storage: value of Go type %T for column %s of type %d", d, tbl.Columns[i].Name, tbl.Columns[i].Type.OID)
		}
	}
	return nil
}

// datumFits reports whether d is represented as sql/types says values of
// type t are. Types storage does not know are accepted.
func datumFits(t types.T, d types.Datum) bool {
	switch t.OID {
	case types.BoolOID:
		_, ok := d.(bool)
		return ok
	case types.Int2OID, types.Int4OID, types.Int8OID, types.OidOID, types.RegprocOID, types.RegclassOID, types.RegtypeOID:
		_, ok := d.(int64)
		return ok
	case types.Float4OID, types.Float8OID:
		_, ok := d.(float64)
		return ok
	case types.NumericOID:
		_, ok := d.(*apd.Decimal)
		return ok
	case types.TextOID, types.VarcharOID, types.BpcharOID, types.NameOID, types.CharOID:
		_, ok := d.(string)
		return ok
	case types.ByteaOID:
		_, ok := d.([]byte)
		return ok
	case types.DateOID, types.TimestampOID, types.TimestampTZOID:
		_, ok := d.(time.Time)
		return ok
	case types.IntervalOID:
		_, ok := d.(types.Interval)
		return ok
	case types.JSONOID, types.JSONBOID:
		_, ok := d.(types.JSON)
		return ok
	case types.VectorOID:
		_, ok := d.(types.Vector)
		return ok
	case types.BoolArrayOID, types.ByteaArrayOID, types.NameArrayOID, types.Int2ArrayOID, types.Int4ArrayOID,
		types.TextArrayOID, types.VarcharArrayOID, types.Int8ArrayOID, types.Float4ArrayOID, types.Float8ArrayOID,
		types.OidArrayOID, types.TimestampArrayOID, types.TimestampTZArrayOID, types.NumericArrayOID,
		types.JSONBArrayOID, types.VectorArrayOID:
		_, ok := d.(*types.Array)
		return ok
	}
	return true
}
