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
//     atomically at commit) and the OID counter, including roles and the
//     owner and privileges of each table (roles.go).
//   - Row encoding (rowenc.go) and the order-preserving key encoding
//     (keyenc.go).
//   - Btree index entries, including unique checks (btree.go).
//   - Sequences: nextval/setval, non-transactional but durable
//     (sequence.go).
//   - Transactions (txn.go): the writer lock, batches, statement
//     snapshots, commit hooks.
//
// It imports only sql/types and sql/pgerr of vecgres (never index, exec or
// planner), Pebble, zerolog and apd (numeric's representation). Of
// sql/types it uses only the Datum representation and the OIDs, so that
// it stays below the type system; the server injects the text formatter
// for error details (Options.FormatKey). Every error it returns is a
// *pgerr.Error.
//
// # Invariants
//
//   - A row is stored with one slot per Table.Columns entry at the time it
//     was written; slots are never removed or reordered, so an old row
//     decodes under a newer descriptor (missing slots are NULL).
//   - Every btree index of a table has exactly one entry per row, written
//     in the batch that writes the row.
//   - A unique index holds at most one entry per key without NULLs.
//   - OIDs, row ids and sequence values are never handed out twice (gaps
//     are normal).
//   - Only the holder of the writer lock changes anything but sequences.
//
// Text sorts by bytes (the C collation), jsonb by its normalised text
// rather than PostgreSQL's jsonb order; equal values always encode equally,
// so uniqueness is exact.
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
//	0x02   OID (4)                               descriptor: JSON {"schema"|"table"|"index"|"sequence"|"role": ...}
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
// serialised writers. Precisely:
//
//   - No dirty reads: uncommitted writes live only in their transaction's
//     batch, and a commit becomes visible whole (one batch, then the
//     catalog pointer).
//   - No lost updates within a statement: UPDATE t SET n = n + 1 reads and
//     writes under the writer lock, so no commit lands between its read and
//     its write (PostgreSQL gets there by re-checking updated rows; here
//     there is nothing to re-check). Unique checks see every committed row
//     and the transaction's own writes: duplicates cannot slip in.
//   - Once a transaction holds the writer lock, it is alone: every later
//     read sees all earlier commits plus its own writes and nothing changes
//     under it, so from that point it behaves as SERIALIZABLE. The writers'
//     commit order is the order in which they took the lock.
//   - Before a transaction's first write or lock, each statement sees the
//     commits made before it started (a fresh snapshot per statement).
//     Between such statements non-repeatable reads and phantoms are
//     possible, and a transaction that reads in one statement and writes in
//     a later one on the strength of what it read (a client-side
//     read-modify-write, or two transactions each checking a condition the
//     other's write breaks: write skew) can act on stale data — exactly as
//     under PostgreSQL's READ COMMITTED. Taking the lock first (SELECT ...
//     FOR UPDATE maps to LockForWrite) rules that out.
//   - Read-only transactions never wait: neither for the writer lock nor
//     for a writer's commit.
//
// Concurrency between writers is therefore nil: a transaction left open
// after writing blocks every other writer (bounded by the session's
// idle_in_transaction_session_timeout). MVCC, with timestamps in keys,
// is the later step that would allow concurrent writers and REPEATABLE
// READ; nothing here is meant to be bent into it.
//
// A transaction's changes live in memory until commit, bounded by
// MaxTxnBytes (54000 beyond it).
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
