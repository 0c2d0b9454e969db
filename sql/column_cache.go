package sql

import (
	"context"
	"sync"
	"time"

	"github.com/vecgres/vecgres/index/columns"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// columnCacheBudget bounds the memory one table's column cache may hold.
// A table whose scalar columns need more is searched without one (its
// candidate rows are read from storage).
const columnCacheBudget = 256 << 20

// caches holds the column caches of tables with hnsw indexes, built on
// the first filtered vector search of the table and kept in step by
// commits.
type caches struct {
	mu sync.Mutex
	m  map[types.OID]*columns.Cache
}

// cacheable reports whether a column's values go into the cache: scalar
// values that filters test, not vectors, documents or binary data.
func cacheable(t types.T) bool {
	switch t.OID {
	case types.VectorOID, types.HalfvecOID, types.SparsevecOID, types.ByteaOID, types.JSONOID, types.JSONBOID:
		return false
	}
	_, isArray := types.ElemOf(t.OID)
	return !isArray
}

func (c *caches) get(oid types.OID) *columns.Cache {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[oid]
}

// forget drops a table's cache, when the table is dropped or altered.
func (c *caches) forget(oid types.OID) {
	c.mu.Lock()
	delete(c.m, oid)
	c.mu.Unlock()
}

// build makes the cache of a table from a scan, holding the writer lock
// so that no commit slips between the scan and the cache's registration
// (commits keep it current from then on).
func (e *Engine) buildCache(ctx context.Context, t *storage.Table) (*columns.Cache, error) {
	if c := e.graphs.caches.get(t.OID); c != nil {
		return c, nil
	}
	txn := e.db.Begin()
	defer txn.Rollback()
	if err := txn.LockForWrite(ctx); err != nil {
		return nil, err
	}
	if c := e.graphs.caches.get(t.OID); c != nil {
		return c, nil
	}
	cur, ok := txn.Catalog().Table(t.OID)
	if !ok {
		return nil, nil
	}
	var slots []int
	for i, col := range cur.Columns {
		if !col.Dropped && cacheable(col.Type) {
			slots = append(slots, i)
		}
	}
	start := time.Now()
	cache := columns.New(slots, len(cur.Columns), columnCacheBudget)
	need := make([]bool, len(cur.Columns))
	for _, s := range slots {
		need[s] = true
	}
	it, err := txn.Scan(cur)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for it.Next() {
		row, err := storage.DecodeRowSlots(it.Raw(), len(cur.Columns), need)
		if err != nil {
			return nil, err
		}
		cache.Put(uint64(it.ID()), row)
	}
	if err := it.Err(); err != nil {
		return nil, err
	}
	cache.SetVersion(e.db.CommittedVersion(cur.OID)) // the writer lock holds it still
	e.graphs.caches.mu.Lock()
	if e.graphs.caches.m == nil {
		e.graphs.caches.m = map[types.OID]*columns.Cache{}
	}
	e.graphs.caches.m[t.OID] = cache
	e.graphs.caches.mu.Unlock()
	e.log.Info().Str("table", cur.Name).Int("rows", cache.Len()).Bool("usable", cache.Usable()).
		Dur("took", time.Since(start)).Msg("column cache built for filtered vector search")
	return cache, nil
}

// rowWritten records a row a transaction wrote (nil: deleted), so that
// its commit can bring the table's column cache up to date.
func (ti *txnIndexes) rowWritten(t *storage.Table, id storage.RowID, row []types.Datum) {
	if ti.written == nil {
		ti.written = map[types.OID]map[storage.RowID][]types.Datum{}
	}
	m := ti.written[t.OID]
	newTable := m == nil
	if newTable {
		m = map[storage.RowID][]types.Datum{}
		ti.written[t.OID] = m
	}
	if len(ti.s.savepoints) > 0 {
		prev, had := m[id]
		ti.writtenLog = append(ti.writtenLog, writtenUndo{table: t.OID, id: id, had: had, prev: prev, newTable: newTable})
	}
	m[id] = row
}

// applyWritten brings the caches up to date with the writes of a
// transaction that committed with version.
func (e *Engine) applyWritten(written map[types.OID]map[storage.RowID][]types.Datum, version uint64) {
	for oid, rows := range written {
		c := e.graphs.caches.get(oid)
		if c == nil {
			continue
		}
		c.Update(version, func(put func(uint64, []types.Datum), del func(uint64)) {
			for id, row := range rows {
				if row == nil {
					del(uint64(id))
				} else {
					put(uint64(id), row)
				}
			}
		})
	}
}
