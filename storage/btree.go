package storage

import (
	"context"
	"encoding/binary"
	"strings"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Btree index entries (space 0x05).
//
// An entry's key is the index OID, then the key columns' order-preserving
// encodings (keyenc.go, honouring DESC and NULLS FIRST), then, except for
// a unique index whose key has no NULL, the row id (8 bytes big-endian),
// which makes entries of equal keys distinct and orders them by row id.
// The value is always the row id. A unique index's key without NULLs is
// therefore stored once, and a second insert of it finds the first: that
// is the uniqueness check, against the batch overlaid on the store, so it
// sees the transaction's own writes. Keys with a NULL never collide
// (NULLS DISTINCT, PostgreSQL's default).

// isBtree reports whether storage maintains entries for idx. Other methods
// (hnsw) are maintained by the index package through the raw space.
func isBtree(idx *Index) bool { return idx.Method == "" || idx.Method == "btree" }

// indexKey appends to dst the entry key of row in idx. unique says the key
// is stored without the row id and must be checked for duplicates; in is
// false (and key nil) when the row has no entry: a partial index whose
// predicate it does not satisfy.
func (t *Txn) indexKey(dst []byte, tbl *Table, idx *Index, row []types.Datum, id RowID) (key []byte, unique, in bool, err error) {
	dst = append(dst, btreePrefix(idx.OID)...)
	hasNull := false
	if idx.Derived() {
		vals, in, err := t.IndexKey(tbl, idx, row)
		if err != nil || !in {
			return nil, false, false, err
		}
		for i, c := range idx.Columns {
			if vals[i] == nil {
				hasNull = true
			}
			if dst, err = AppendKey(dst, vals[i], c.Desc, c.NullsFirst); err != nil {
				return nil, false, false, err
			}
		}
	} else {
		for _, c := range idx.Columns {
			if c.Slot < 0 || c.Slot >= len(row) {
				return nil, false, false, pgerr.New(pgerr.InternalError, "storage: index %s has no column slot %d", idx.Name, c.Slot)
			}
			d := row[c.Slot]
			if d == nil {
				hasNull = true
			}
			if dst, err = AppendKey(dst, d, c.Desc, c.NullsFirst); err != nil {
				return nil, false, false, err
			}
		}
	}
	if idx.Unique && !hasNull {
		return dst, true, true, nil
	}
	return binary.BigEndian.AppendUint64(dst, uint64(id)), false, true, nil
}

// indexOps are the entries a row change removes and adds.
type indexOps struct {
	del, set [][]byte
}

func (t *Txn) applyIndexOps(ops *indexOps, id RowID) error {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(id))
	for _, k := range ops.del {
		if err := t.batch.Delete(k, nil); err != nil {
			return ioError("write", err)
		}
	}
	for _, k := range ops.set {
		if err := t.batch.Set(k, v[:], nil); err != nil {
			return ioError("write", err)
		}
	}
	return nil
}

// checkUnique fails with 23505 when the unique entry key exists.
func (t *Txn) checkUnique(tbl *Table, idx *Index, key []byte, row []types.Datum) error {
	found, err := t.get(key, nil)
	if err != nil {
		return err
	}
	if found {
		return t.uniqueViolation(tbl, idx, row, "already exists")
	}
	return nil
}

// uniqueViolation builds PostgreSQL's error for a duplicate key of idx.
func (t *Txn) uniqueViolation(tbl *Table, idx *Index, row []types.Datum, what string) error {
	key, _, err := t.IndexKey(tbl, idx, row)
	if err != nil {
		return err
	}
	cols := make([]string, len(idx.Columns))
	vals := make([]string, len(idx.Columns))
	for i, c := range idx.Columns {
		if c.Slot >= 0 {
			cols[i] = quoteIdent(tbl.Columns[c.Slot].Name)
		} else {
			cols[i] = c.Expr
		}
		if key[i] == nil {
			vals[i] = "null"
		} else {
			vals[i] = t.db.formatKey(c.KeyType(tbl), key[i])
		}
	}
	e := pgerr.New(pgerr.UniqueViolation, "duplicate key value violates unique constraint \"%s\"", idx.Name)
	e.Detail = "Key (" + strings.Join(cols, ", ") + ")=(" + strings.Join(vals, ", ") + ") " + what + "."
	e.Schema, e.Table, e.Constraint = tbl.Schema, tbl.Name, idx.Name
	return e
}

// quoteIdent quotes an identifier as PostgreSQL's quote_identifier does
// for names that are not plain lower-case identifiers.
func quoteIdent(s string) string {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 'a' && c <= 'z' || c == '_' || i > 0 && (c >= '0' && c <= '9' || c == '$')
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// Bound is one end of a range on an index key column, in value order.
type Bound struct {
	Value     types.Datum // not NULL
	Inclusive bool
}

// IndexSpan selects the entries of a btree index:
//
//   - Prefix gives values for the leading key columns, compared for
//     equality; a NULL in it matches NULL (as IS NULL does), so callers
//     that evaluate "col = $1" with a NULL parameter should not scan at all.
//   - Lo and Hi bound the next key column (in value order, whatever the
//     column's direction); nil is unbounded. When either is set, NULLs in
//     that column are excluded, as comparisons with NULL are never true.
//   - Reverse walks the entries backwards.
//
// Entries come in the index's key order (value order for ASC columns,
// reverse for DESC columns, NULLs where the column puts them), ties by
// row id.
type IndexSpan struct {
	Prefix  []types.Datum
	Lo, Hi  *Bound
	Reverse bool
}

// spanKeys returns the [lo, hi) key range of span in idx.
func spanKeys(idx *Index, span IndexSpan) (lo, hi []byte, err error) {
	if len(span.Prefix) > len(idx.Columns) || (len(span.Prefix) == len(idx.Columns) && (span.Lo != nil || span.Hi != nil)) {
		return nil, nil, pgerr.New(pgerr.InternalError, "storage: span has more columns than index %s", idx.Name)
	}
	p := btreePrefix(idx.OID)
	for i, d := range span.Prefix {
		c := idx.Columns[i]
		if p, err = AppendKey(p, d, c.Desc, c.NullsFirst); err != nil {
			return nil, nil, err
		}
	}
	if span.Lo == nil && span.Hi == nil {
		return p, prefixEnd(p), nil
	}
	c := idx.Columns[len(span.Prefix)]
	// In key order: for a DESC column the value range is reversed.
	first, last := span.Lo, span.Hi
	if c.Desc {
		first, last = last, first
	}
	if first == nil {
		lo = p
		if c.NullsFirst {
			lo = append(append([]byte{}, p...), keyNullFirst+1)
		}
	} else {
		if first.Value == nil {
			return nil, nil, pgerr.New(pgerr.InternalError, "storage: NULL range bound")
		}
		if lo, err = AppendKey(append([]byte{}, p...), first.Value, c.Desc, c.NullsFirst); err != nil {
			return nil, nil, err
		}
		if !first.Inclusive {
			lo = prefixEnd(lo)
		}
	}
	if last == nil {
		hi = prefixEnd(p)
		if !c.NullsFirst {
			hi = append(append([]byte{}, p...), keyNullLast)
		}
	} else {
		if last.Value == nil {
			return nil, nil, pgerr.New(pgerr.InternalError, "storage: NULL range bound")
		}
		if hi, err = AppendKey(append([]byte{}, p...), last.Value, c.Desc, c.NullsFirst); err != nil {
			return nil, nil, err
		}
		if last.Inclusive {
			hi = prefixEnd(hi)
		}
	}
	return lo, hi, nil
}

// IndexScan returns the row ids of the entries of the btree index idx that
// span selects, in key order (or reverse).
func (t *Txn) IndexScan(idx *Index, span IndexSpan) (*IndexIter, error) {
	if !isBtree(idx) {
		return nil, pgerr.New(pgerr.InternalError, "storage: index %s is not a btree", idx.Name)
	}
	lo, hi, err := spanKeys(idx, span)
	if err != nil {
		return nil, err
	}
	ii := &IndexIter{txn: t, reverse: span.Reverse}
	if string(lo) >= string(hi) && hi != nil {
		ii.empty = true
		return ii, nil
	}
	ii.it, ii.release, err = t.newIter(lo, hi)
	if err != nil {
		return nil, err
	}
	t.track(ii)
	return ii, nil
}

// IndexLookup returns the ids of the rows whose key in idx equals key (one
// value per key column, or fewer for a prefix), in key order. A NULL in key
// matches nothing, as "=" with NULL is never true.
func (t *Txn) IndexLookup(idx *Index, key []types.Datum) ([]RowID, error) {
	for _, d := range key {
		if d == nil {
			return nil, nil
		}
	}
	it, err := t.IndexScan(idx, IndexSpan{Prefix: key})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var ids []RowID
	for it.Next() {
		ids = append(ids, it.RowID())
	}
	return ids, it.Err()
}

// IndexIter iterates over index entries; see IndexScan.
type IndexIter struct {
	txn     *Txn
	it      *pebble.Iterator
	release func()
	reverse bool
	started bool
	empty   bool
	id      RowID
	err     error
	closed  bool
}

// Next advances to the next entry and reports whether there is one.
func (ii *IndexIter) Next() bool {
	if ii.empty || ii.closed || ii.err != nil {
		return false
	}
	var ok bool
	switch {
	case !ii.started && ii.reverse:
		ok = ii.it.Last()
	case !ii.started:
		ok = ii.it.First()
	case ii.reverse:
		ok = ii.it.Prev()
	default:
		ok = ii.it.Next()
	}
	ii.started = true
	if !ok {
		if err := ii.it.Error(); err != nil {
			ii.err = ioError("read", err)
		}
		return false
	}
	v, err := ii.it.ValueAndErr()
	if err != nil {
		ii.err = ioError("read", err)
		return false
	}
	if len(v) != 8 {
		ii.err = pgerr.New(pgerr.DataCorrupted, "storage: bad index entry %x", ii.it.Key())
		return false
	}
	ii.id = RowID(binary.BigEndian.Uint64(v))
	return true
}

// RowID returns the row id of the current entry.
func (ii *IndexIter) RowID() RowID { return ii.id }

// Err returns the error that ended the iteration, if any.
func (ii *IndexIter) Err() error { return ii.err }

// Close releases the iterator. It is idempotent.
func (ii *IndexIter) Close() error {
	if ii.closed || ii.empty {
		ii.closed = true
		return nil
	}
	ii.closed = true
	err := ii.it.Close()
	ii.release()
	ii.txn.untrack(ii)
	if err != nil {
		return ioError("read", err)
	}
	return nil
}

// ConflictingRow returns the id of the row of tbl that holds, in the unique
// index idx, the key row would get, and whether there is one: the row an
// INSERT ... ON CONFLICT would conflict with. A row outside a partial
// index's predicate, or whose key has a NULL, conflicts with nothing. It
// takes the writer lock, so that no other transaction can insert the key
// between this check and the caller's write, and sees the transaction's own
// writes.
func (t *Txn) ConflictingRow(ctx context.Context, tbl *Table, idx *Index, row []types.Datum) (RowID, bool, error) {
	if err := t.LockForWrite(ctx); err != nil {
		return 0, false, err
	}
	if err := t.checkTable(tbl); err != nil {
		return 0, false, err
	}
	if !isBtree(idx) || !idx.Unique {
		return 0, false, pgerr.New(pgerr.InternalError, "storage: index %s is not a unique btree index", idx.Name)
	}
	key, unique, in, err := t.indexKey(nil, tbl, idx, row, 0)
	if err != nil || !in || !unique {
		return 0, false, err
	}
	var id RowID
	found, err := t.get(key, func(v []byte) error {
		if len(v) != 8 {
			return pgerr.New(pgerr.DataCorrupted, "storage: entry of index %s holds %d bytes, want a row id", idx.Name, len(v))
		}
		id = RowID(binary.BigEndian.Uint64(v))
		return nil
	})
	if err != nil || !found {
		return 0, false, err
	}
	return id, true, nil
}
