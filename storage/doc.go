// Package storage keeps vecgres's data in one Pebble store per data
// directory: the catalog, table rows, btree index entries, sequences and
// the data that other index methods (hnsw) persist through it, all under
// transactions.
//
// # What it owns
//
//   - Pebble: no other package imports it. Keys, their layout and the
//     batch/snapshot machinery stay here.
//   - The persisted catalog (Catalog, immutable snapshots published
//     atomically at commit) and the OID counter.
//   - Row encoding (rowenc.go) and the order-preserving key encoding
//     (keyenc.go).
//   - Btree index entries, including unique checks (btree.go).
//   - Sequences: nextval/setval, non-transactional but durable
//     (sequence.go).
//   - Transactions (txn.go): the writer lock, batches, statement
//     snapshots, commit hooks.
//
// It imports only sql/types and sql/pgerr of vecgres (never index, exec or
// planner), Pebble, zerolog and apd. Every error it returns is a
// *pgerr.Error.
//
// # Key layout
//
// Keys are ordered binary tuples whose first byte names a space; integers
// are big-endian so that byte order is numeric order.
//
//	space  key after the space byte              value
//	0x01   'f'                                   on-disk format version (uint64 BE)
//	       'o'                                   next OID to allocate (uint64 BE)
//	       'v'                                   Catalog.Version (uint64 BE)
//	       'n', table OID (4)                    committed row count (uint64 BE)
//	0x02   OID (4)                               descriptor: JSON {"schema"|"table"|"index"|"sequence": ...}
//	0x03   table OID (4), row id (8)             encoded row (rowenc.go)
//	0x04   sequence OID (4)                      position: int64 BE + is_called byte
//	0x05   index OID (4), key datums (keyenc.go)  row id (8 BE)
//	       [, row id (8) unless unique without NULLs]
//	0x06   index OID (4), index-defined key      index-defined (PutRaw & co.)
//
// Row ids come from a per-table counter kept in memory by the writer and
// recovered at first use after Open from the table's highest row key; they
// only grow, with gaps after rollbacks.
//
// # Transactions and isolation
//
// Writers are serialised by one DB-wide writer lock (a channel semaphore,
// so that waiting is cancellable). A transaction takes it at its first
// write, or earlier with LockForWrite — a statement that will write calls
// that before it reads — and keeps it until Commit or Rollback. While it
// holds the lock it reads the live store overlaid with its own indexed
// batch: nobody else can commit meanwhile, so from its first write on it
// sees one unchanging state plus its own writes. Before that, each of its
// statements reads one Pebble snapshot (StartStatement/EndStatement) and
// the catalog of that moment.
//
// The result is PostgreSQL's READ COMMITTED, made stronger by the
// serialised writers:
//
//   - No dirty reads: uncommitted writes live only in their transaction's
//     batch.
//   - No lost updates and no write skew: a read-modify-write happens under
//     the writer lock, so no other transaction commits between the read and
//     the write. Unique checks see every committed row and the
//     transaction's own writes, so duplicates cannot slip in.
//   - Non-repeatable reads and phantoms are possible, as in READ
//     COMMITTED, between statements of a transaction that has not written
//     yet: each statement sees what was committed when it started. Once a
//     transaction has written (or locked), nothing changes under it.
//   - Read-only transactions never wait: neither for the writer lock nor
//     for a writer's commit.
//
// Concurrency between writers is therefore nil: a transaction left open
// after writing blocks every other writer (bounded by the session's
// idle_in_transaction_session_timeout). MVCC, with timestamps in keys,
// is the later step that would allow concurrent writers and REPEATABLE
// READ; nothing here is meant to be bent into it.
//
// Savepoints (not implemented) fit this model: the batch is an append-only
// log of operations, so a savepoint records its Count and Repr and rolling
// back to it rebuilds the batch from the saved prefix (SetRepr); the
// in-memory side (catalog copy, new sequences, hooks) is snapshotted at
// the same time.
//
// # Durability
//
// Commit applies the transaction's single batch (rows, index entries, raw
// index data, descriptors, counters) with a synced WAL write, and only
// then publishes the catalog and returns. After kill -9 or power loss the
// WAL holds every acknowledged commit entirely and no part of any other
// batch: a batch is one WAL record. Table and indexes cannot disagree
// because their changes share the batch.
//
// Sequences are durable on their own: nextval writes a position beyond
// the value it returns, with a synced write, before returning it (in
// reserved ranges, so a crash may skip values but never repeats one); see
// sequence.go.
package storage
