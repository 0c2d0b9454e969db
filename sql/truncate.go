package sql

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// truncate runs TRUNCATE [TABLE] [ONLY] t [, ...] [RESTART IDENTITY |
// CONTINUE IDENTITY] [CASCADE | RESTRICT]: every row of the tables goes,
// with their btree entries; each hnsw index starts again from an empty
// graph (made in the transaction, installed at commit, as CREATE INDEX
// does); RESTART IDENTITY resets the sequences the tables' serial columns
// own. vecgres has no foreign keys, so CASCADE and RESTRICT have nothing
// to follow. Like DELETE, it is transactional: ROLLBACK brings the rows
// back.
func (s *Session) truncate(ctx context.Context, b *binder, ts *pg_query.TruncateStmt) error {
	var tables []*storage.Table
	seen := map[*storage.Table]bool{}
	for _, r := range ts.Relations {
		rv := r.GetRangeVar()
		if rv == nil {
			continue
		}
		t, err := b.resolveTable(rv)
		if err != nil {
			return err
		}
		if err := b.checkTable(t, storage.PrivTruncate); err != nil {
			return err
		}
		if !seen[t] {
			seen[t] = true
			tables = append(tables, t)
		}
	}
	if err := s.txn.LockForWrite(ctx); err != nil {
		return err
	}
	for _, t := range tables {
		if err := s.truncateTable(ctx, t); err != nil {
			return err
		}
	}
	if ts.RestartSeqs {
		truncated := map[types.OID]bool{}
		for _, t := range tables {
			truncated[t.OID] = true
		}
		for _, seq := range s.txn.Catalog().Sequences() {
			if seq.OwnedByTable == 0 || !truncated[seq.OwnedByTable] {
				continue
			}
			if err := s.txn.SetVal(ctx, seq, seq.Start, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// truncateTable empties one table and its indexes.
func (s *Session) truncateTable(ctx context.Context, t *storage.Table) error {
	if err := s.txn.Truncate(ctx, t.OID); err != nil {
		return err
	}
	ti := s.indexes()
	ti.schemaChanged(t.OID) // the column cache goes; the next search rebuilds it
	for _, idx := range s.txn.Catalog().TableIndexes(t.OID) {
		if idx.Method != "hnsw" {
			continue
		}
		if tx, ok := ti.writers[idx.OID]; ok {
			// Rows this transaction indexed before are gone with the rest
			// (but ROLLBACK TO a savepoint set before may bring them back).
			if len(s.savepoints) > 0 {
				ti.retired = append(ti.retired, retiredWriter{index: idx.OID, tx: tx})
			} else {
				tx.Rollback()
			}
			delete(ti.writers, idx.OID)
		}
		cfg, err := graphConfig(t, idx)
		if err != nil {
			return err
		}
		g, err := hnsw.New(cfg)
		if err != nil {
			return err
		}
		if err := g.WriteAll(rawStore{txn: s.txn, index: idx.OID}); err != nil {
			return err
		}
		ti.created[idx.OID] = g
	}
	return nil
}
