package storage

import (
	"encoding/binary"

	"github.com/vecgres/vecgres/sql/types"
)

// Table versions let an in-memory copy of a table's data (the column
// caches of package index/columns) tell whether it matches what a
// statement's snapshot sees. Every commit that writes rows of a table
// stores, next to the table's row count and in the same batch, the
// commit's version: a number that grows with each commit and survives
// restarts (Open starts from the largest stored). A reader compares the
// version its snapshot holds with the version the copy was brought up to.

// countVersion is the version stored in a row count value: its second
// eight bytes, or 0 in a value written before versions existed.
func countVersion(v []byte) uint64 {
	if len(v) < 16 {
		return 0
	}
	return binary.BigEndian.Uint64(v[8:16])
}

// TableVersion returns the version of a table as the transaction reads
// it: in a statement, as of its snapshot. A table no commit has written
// has version 0.
//
// A statement whose snapshot holds exactly the commits up to a version
// (StartStatement read the commit version before taking it, and no
// commit was under way after: each commit announces its version in
// pendingVersion before its batch becomes visible, and publishes the
// tables' versions before commitVersion) is answered from memory when
// the table's latest version is not newer than that; otherwise the
// version is read from the snapshot, a Pebble point read of about 10µs.
func (t *Txn) TableVersion(table types.OID) (uint64, error) {
	if t.batch == nil && t.stmt != nil && t.stmtExact {
		if v := t.db.CommittedVersion(table); v <= t.stmtCommitted {
			return v, nil
		}
	}
	var version uint64
	_, err := t.get(rowCountKey(table), func(v []byte) error {
		version = countVersion(v)
		return nil
	})
	return version, err
}

// CommittedVersion returns the latest committed version of a table. A
// holder of the writer lock reads it knowing no commit can move it.
func (db *DB) CommittedVersion(table types.OID) uint64 {
	if v, ok := db.versions.Load(table); ok {
		return v.(uint64)
	}
	return 0
}

// Version returns the commit version the transaction committed with, for
// OnCommit hooks; 0 before commit or when it wrote no rows.
func (t *Txn) Version() uint64 { return t.version }
