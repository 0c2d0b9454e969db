package storage

import (
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// IndexKeyer computes what storage cannot for a derived index (see
// Index.Derived): the values of its expression columns for a row and
// whether the row satisfies its predicate. The layer that binds SQL
// expressions implements it and gives it to each transaction that writes
// (SetIndexKeyer).
type IndexKeyer interface {
	// IndexKey returns the key values of row (one slot per table column)
	// in idx, one per key column, and false when the row has no entry
	// because the index's predicate is not true for it.
	IndexKey(tbl *Table, idx *Index, row []types.Datum) (key []types.Datum, in bool, err error)
}

// SetIndexKeyer sets the keyer the transaction's row writes and index
// builds use for derived indexes.
func (t *Txn) SetIndexKeyer(k IndexKeyer) { t.keyer = k }

// IndexKey returns the key values of row in idx and whether the row has an
// entry in it: for a plain index the key columns' values, always in; for a
// derived one what the transaction's IndexKeyer computes. The executor
// uses it for the hnsw indexes it maintains itself.
func (t *Txn) IndexKey(tbl *Table, idx *Index, row []types.Datum) ([]types.Datum, bool, error) {
	if idx.Derived() {
		if t.keyer == nil {
			return nil, false, pgerr.New(pgerr.InternalError, "storage: index %s has expressions or a predicate and the transaction no keyer", idx.Name)
		}
		key, in, err := t.keyer.IndexKey(tbl, idx, row)
		if err == nil && in && len(key) != len(idx.Columns) {
			return nil, false, pgerr.New(pgerr.InternalError, "storage: %d key values for index %s of %d columns", len(key), idx.Name, len(idx.Columns))
		}
		return key, in, err
	}
	key := make([]types.Datum, len(idx.Columns))
	for i, c := range idx.Columns {
		if c.Slot < 0 || c.Slot >= len(row) {
			return nil, false, pgerr.New(pgerr.InternalError, "storage: index %s has no column slot %d", idx.Name, c.Slot)
		}
		key[i] = row[c.Slot]
	}
	return key, true, nil
}
