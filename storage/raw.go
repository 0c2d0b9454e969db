package storage

import (
	"bytes"
	"context"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Index data space (0x06).
//
// Index methods that storage does not maintain itself (hnsw) persist their
// structures here, through the transaction, so that their writes commit
// or vanish together with the rows they describe. Each index owns the keys
// under 0x06 + its OID (4 bytes big-endian); within that, the key layout
// and values are the index package's. DropIndex and DropTable delete an
// index's whole space. Writes take the writer lock as row writes do.

func (t *Txn) rawKey(index types.OID, key []byte) []byte {
	t.key = append(append(t.key[:0], indexDataPrefix(index)...), key...)
	return t.key
}

// PutRaw sets key to value in the data space of index.
func (t *Txn) PutRaw(ctx context.Context, index types.OID, key, value []byte) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	if err := t.checkSize(); err != nil {
		return err
	}
	if err := t.batch.Set(t.rawKey(index, key), value, nil); err != nil {
		return ioError("write", err)
	}
	return nil
}

// DeleteRaw deletes key from the data space of index.
func (t *Txn) DeleteRaw(ctx context.Context, index types.OID, key []byte) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	if err := t.batch.Delete(t.rawKey(index, key), nil); err != nil {
		return ioError("write", err)
	}
	return nil
}

// DeleteRawPrefix deletes every key of the data space of index that starts
// with prefix (all of it for an empty prefix), e.g. to rebuild.
func (t *Txn) DeleteRawPrefix(ctx context.Context, index types.OID, prefix []byte) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	p := append(indexDataPrefix(index), prefix...)
	if err := t.batch.DeleteRange(p, prefixEnd(p), nil); err != nil {
		return ioError("write", err)
	}
	return nil
}

// GetRaw returns a copy of the value of key in the data space of index.
func (t *Txn) GetRaw(index types.OID, key []byte) (value []byte, found bool, err error) {
	if err := t.usable(); err != nil {
		return nil, false, err
	}
	found, err = t.get(append(indexDataPrefix(index), key...), func(v []byte) error {
		value = bytes.Clone(v)
		return nil
	})
	return value, found, err
}

// ScanRaw calls fn, in key order, for each key of the data space of index
// that starts with prefix (without the space prefix) and its value; both
// are valid only during the call. An error from fn stops the scan and is
// returned. Its signature uses no storage types, so an index package can
// declare an interface that *Txn satisfies without importing storage.
func (t *Txn) ScanRaw(index types.OID, prefix []byte, fn func(key, value []byte) error) error {
	it, err := t.NewRawIter(index, prefix)
	if err != nil {
		return err
	}
	defer it.Close()
	for it.Next() {
		if err := fn(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	return it.Close()
}

// NewRawIter iterates in key order over the keys of the data space of
// index that start with prefix.
func (t *Txn) NewRawIter(index types.OID, prefix []byte) (*RawIter, error) {
	p := append(indexDataPrefix(index), prefix...)
	it, release, err := t.newIter(p, prefixEnd(p))
	if err != nil {
		return nil, err
	}
	ri := &RawIter{txn: t, it: it, release: release, skip: len(indexDataPrefix(index))}
	t.track(ri)
	return ri, nil
}

// RawIter iterates over index data; see NewRawIter.
type RawIter struct {
	txn     *Txn
	it      *pebble.Iterator
	release func()
	skip    int
	started bool
	value   []byte
	err     error
	closed  bool
}

// Next advances to the next key and reports whether there is one.
func (ri *RawIter) Next() bool {
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
	if ri.value, ri.err = ri.it.ValueAndErr(); ri.err != nil {
		ri.err = ioError("read", ri.err)
		return false
	}
	return true
}

// Key returns the current key within the index's space (without the
// space prefix), valid until the next call to Next.
func (ri *RawIter) Key() []byte { return ri.it.Key()[ri.skip:] }

// Value returns the current value, valid until the next call to Next.
func (ri *RawIter) Value() []byte { return ri.value }

// Err returns the error that ended the iteration, if any.
func (ri *RawIter) Err() error { return ri.err }

// Close releases the iterator. It is idempotent.
func (ri *RawIter) Close() error {
	if ri.closed {
		return nil
	}
	ri.closed = true
	err := ri.it.Close()
	ri.release()
	ri.txn.untrack(ri)
	if err != nil {
		return pgerr.From(ioError("read", err))
	}
	return nil
}
