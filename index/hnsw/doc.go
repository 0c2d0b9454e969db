// Package hnsw is the HNSW graph behind CREATE INDEX ... USING hnsw: an
// in-memory approximate nearest-neighbour index over float32 vectors, as
// in Malkov & Yashunin (2016/2018) and pgvector 0.8, that persists every
// change through a small Store interface the caller adapts to its storage
// transaction.
//
// # What it owns
//
//   - Graph: nodes (a row id, a level and a vector each) and their
//     neighbour lists. New and Build create one, Load reloads one.
//   - Config: pgvector's options (m, ef_construction) with their bounds,
//     errors and SQLSTATEs; the vector's dimension; the metric (one per
//     operator class: vector_l2_ops, vector_ip_ops, vector_cosine_ops,
//     vector_l1_ops); a seed.
//   - Searcher: per-goroutine search scratch; Graph.Search for top-k
//     (with an optional row filter) and Searcher.Scan/Next for pgvector's
//     iterative scans (hnsw.iterative_scan strict_order and
//     relaxed_order, hnsw.max_scan_tuples).
//   - Tx: one writing transaction's inserts, deletes and vacuum, written
//     to a Store as they happen and undone exactly by Rollback.
//
// It imports kernels (for the distances), sql/pgerr and the standard
// library only; never storage.
//
// # The algorithm
//
// A node's level is floor(-ln(u)·mL) with mL = 1/ln(M) and u a hash of the
// seed and the row id, so levels do not depend on insertion order or
// concurrency. Nodes keep M links on every layer above 0 and 2·M on layer
// 0. Search descends greedily from the entry point (a node of the top
// level) to layer 1 and runs a beam search of width ef on layer 0.
// Insertion searches each of the node's layers with ef_construction,
// picks M neighbours by the paper's heuristic (a candidate is kept only if
// it is nearer to the new node than to every neighbour already kept) and
// links back from each; a full list is cut back by the same heuristic.
//
// Distances are computed by kernels on the stored vectors: squared L2 for
// L2, the negative inner product for InnerProduct and Cosine (Cosine
// vectors are normalised on the way in, as pgvector does, so zero vectors
// cannot be indexed), L1 for L1. Inner-product graphs choose their links
// by L2 instead, as the inner product, not being a metric, leaves nodes
// unreachable otherwise. Results carry the operator's value (`<->` is the
// square root of the squared distance).
//
// # Memory layout
//
// Nodes are numbered densely from 0 (node numbers are internal; a map
// leads from row ids to them). Nodes live in chunks of 2^k nodes (about
// 1 MiB of vectors each) that never move once allocated: a chunk holds
// the vectors one after another, the layer-0 lists as fixed slots of
// 1+2·M uint32s (count, then node numbers), the upper lists (one slice a
// node above layer 0), row ids, levels, states and per-node mutexes. The
// chunk directory grows by publishing a longer copy.
//
// # Concurrency
//
// Searches take no lock. Lists are read and written with atomic loads and
// stores of each uint32: a reader may see a list half rewritten, a mix of
// old and new links, each of them a valid node. Writers lock the one node
// whose list they change (never two at once, so no lock order is needed);
// a new node's vector, id and lists are written before the first link to
// it is stored, which publishes it. Many goroutines insert at once (Build,
// or one Tx used by several goroutines); an insert whose level is above
// the top holds the entry-point mutex throughout, as hnswlib does.
//
// Deleted nodes stay in the graph as waypoints and are never returned.
// Vacuum rewrites every list that links to one (choosing by the heuristic
// among the list's other links and the live nodes the deleted ones link
// to), moves the entry point off a deleted node, and frees their slots.
// A freed slot is reused only after a grace period: searches register in
// a two-phase epoch counter, and the commit that frees slots flips the
// epoch and waits until every search that began before has ended, so no
// search ever reads a node while it is overwritten. Iterative scans hold
// node numbers between calls; they end early if slots were freed since
// they began.
//
// # Transactions
//
// The caller serialises writing transactions (Begin waits for the open
// one). A Tx writes each change to its Store at once, and keeps the first
// version of every list it changes of a node that existed before it, the
// entry point, and the nodes it added, deleted or reclaimed. Rollback puts
// those back exactly, so searches afterwards return what they returned
// before; Commit drops them. A Store error makes the Tx unusable until it
// is rolled back. Readers may see a Tx's nodes before it commits: the
// caller filters rows by visibility.
//
// Build (for CREATE INDEX on a filled table) reads all rows, then links
// them from runtime.GOMAXPROCS goroutines with no undo log, reporting
// progress; WriteTo then writes the whole graph once.
//
// # Persistence layout
//
// Keys are relative to the index's own key space; integers in keys are
// big-endian so that keys sort by node, values are little-endian.
//
//	key                           value
//	0x01                          meta: format version (1), metric, dim (u32),
//	                              M (u16), ef_construction (u16), seed (u64),
//	                              entry point (u64: bit 63 set if any, level
//	                              in bits 32..39, node in bits 0..31)
//	0x02 node (u32)               node: row id (u64), level (u8), vector
//	                              (dim float32s, normalised for cosine)
//	0x03 node (u32) level (u8)    links: node numbers (u32 each)
//	0x04 node (u32)               empty: the node is deleted
//
// An insert writes its node, its lists and each neighbour's changed list;
// a delete writes one mark; Vacuum rewrites the repaired lists and deletes
// the reclaimed nodes' records. Load reads the records back without
// computing anything, drops links to nodes that have no record, and picks
// a new entry point if the stored one is missing.
package hnsw
