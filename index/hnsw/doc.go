// Package hnsw is the HNSW graph behind CREATE INDEX ... USING hnsw: an
// in-memory approximate nearest-neighbour index over pgvector's vector,
// halfvec and sparsevec and PostgreSQL's bit, as in Malkov & Yashunin
// (2016/2018) and pgvector 0.8, that persists every
// change through a small Store interface the caller adapts to its storage
// transaction. Measured figures and the commands that produce them are in
// README.md.
//
// # What it owns
//
//   - Graph: nodes (a row id, a level, a vector and its quantised copy)
//     and their neighbour lists. New, Build (BuildValues) and Load create
//     one.
//   - Config: pgvector's options (m, ef_construction) with their bounds,
//     errors and SQLSTATEs (Validate, SetOption); the column's dimension;
//     the Kind (Vector, Halfvec, Sparsevec, Bit) and the Metric, which
//     make one of pgvector's operator classes (OpclassInfo): the four
//     {vector,halfvec,sparsevec}_{l2,ip,cosine,l1}_ops, bit_hamming_ops
//     and bit_jaccard_ops; a seed.
//   - Value: a row's or a query's value of any kind in its datum's form.
//     The methods that take []float32 (Insert, Search, Scan, Build) are
//     the Vector forms of those that take a Value.
//   - Searcher: per-goroutine search scratch; Graph.Search for top-k with
//     an optional row filter, and Searcher.Scan/Next for pgvector's
//     iterative scans (hnsw.iterative_scan strict_order and
//     relaxed_order, hnsw.max_scan_tuples).
//   - Tx: one writing transaction's inserts, deletes and vacuum, written
//     to a Store as they happen and undone exactly by Rollback; Prepare
//     and Settle give its changes the commit's version for Snapshots.
//   - Snapshot: the view of a search, Latest (the writer's) or AsOf a
//     commit version (any other reader's).
//
// It imports kernels (for the distances of every kind), sql/pgerr and the standard
// library only; never storage. Its own assembly (kernel_amd64.s: the
// uint8×int16 dot product of the quantised walk, and prefetching) has a
// portable twin used on other CPUs and under -tags purego, chosen by
// kernels.Name(); kernels is the natural home for it if others need it.
//
// # The algorithm
//
// A node's level is floor(-ln(u)·mL), mL = 1/ln(M), u a hash of the seed
// and the row id: levels do not depend on insertion order or concurrency.
// Nodes keep M links on the layers above 0 and 2·M on layer 0. Search
// descends greedily from the entry point (a node of the top level) to
// layer 1, then runs a beam search of width ef on layer 0. Insertion
// searches each of the new node's layers with ef_construction, picks M
// neighbours on each by the paper's heuristic (a candidate is kept only if
// it is nearer to the new node than to every neighbour already kept), and
// only then links them and back from each: a full list is cut back by
// the same heuristic (as hnswlib). Layer-0 lists are then filled up with
// soft links, the nearest candidates the heuristic refused, not linked
// back and given up first (insert.go): pgvector keeps refused candidates
// too, and with them a given ef_search finds about as much. After Build
// and in Vacuum, nodes that lost every link to them (0.25% of both real
// datasets' nodes otherwise) are linked from their nearest neighbour.
//
// Searches walk on quantised vectors: each vector is stored a second time
// as uint8 codes with its own offset and step (quant.go), and the query
// as int16s, so a distance reads a quarter of the float32 bytes (two
// cache lines for GloVe's 100 dimensions) and costs one AVX2 integer dot
// product. The nearest 3·k by that estimate are then re-ranked with
// kernels on the float32 vectors: results are in exact distance order and
// carry the operator's exact value (`<->` is the square root of the
// squared L2 the graph orders by; for cosine, 1 - the dot product of the
// normalised vectors, as pgvector's index orders). Insertion re-ranks its
// candidates the same way before choosing neighbours. L1 walks on float32.
//
// Cosine vectors are normalised on the way in, as pgvector does, so zero
// vectors cannot be indexed (Insert refuses them; the caller skips them).
// Halfvec cosine is the exception: the halves are kept as given (rounding
// a normalised vector to float16 again would change it), and the norm
// divides the dot product instead. Inner-product graphs (but Sparsevec's,
// see New) choose their links by L2: the inner product is no metric, and
// links chosen by it leave nodes that no search can reach.
//
// # Kinds
//
// Halfvec nodes keep their float16 elements (half of Vector's memory)
// and are quantised from their values widened to float32, exactly as a
// Vector of those values is: the walk costs the same, and re-ranking
// reads the halves with kernels' float16 functions. On generated data a
// halfvec graph finds exactly what a vector graph of the same values
// finds (TestKindsRecall). Sparsevec and Bit graphs walk on exact
// distances (kernels' sparse merge, popcount Hamming and Jaccard), as
// does L1. Sparse graphs fill neighbour lists with the candidates the
// heuristic refused (keepPruned): sparse vectors that share no index are
// all equally far apart, and the heuristic alone leaves groups of nodes
// that nothing links to. The limits are MaxDim (16000 for vector and
// halfvec, pgvector: 2000 and 4000), MaxBitDim (64000, as pgvector) and
// MaxSparseNNZ (1000 non-zero elements, as pgvector).
//
// The fields and cases of the other kinds come after those of Vector in
// every struct and switch, so that the float32 search runs the code and
// the memory layout it ran before kinds existed (measured in the commit
// that added them).
//
// Search hides memory latency, which dominates: a search prefetches the
// records of a node's unvisited neighbours before computing their
// distances, the lists of new candidates when they are pushed, and the
// records of the next candidate's neighbours before finishing the current
// one; the visited test has no branch.
//
// # Memory layout
//
// Nodes are numbered densely from 0 (a map leads from row ids to them).
// They live in chunks of 2^k nodes (about 512 KiB: a shift and a mask find
// a node) that never move: a chunk's vectors, records (codes, then lo,
// step, |v|², state) and layer-0 lists (2·M node numbers, unused places
// noNode; 128 bytes, cache-line aligned, for M = 16) are one block, and
// row ids, levels and the upper lists sit beside. Blocks are carved from
// slabs that grow by a quarter of the graph, or to the size Build or Load
// expect; big slabs are advised to use 2 MiB pages (madvise), which saves
// a TLB walk on nearly every access of a search. The chunk directory
// grows by publishing a longer copy. Stats reports the memory held.
//
// # Concurrency
//
// Searches take no lock. Lists are read and written with atomic loads and
// stores of each uint32: a reader may see a list half rewritten, a mix of
// old and new links, each a valid node or noNode. Writers lock the list's
// node (1,024 striped mutexes; nobody ever holds two, so no lock order is
// needed). A new node's vector, record, id and lists are all written
// before the first link to it, which publishes it. Many goroutines insert
// at once (Build, or a Tx used by several goroutines); an insert whose
// level is above the top holds the entry-point mutex throughout, as
// hnswlib does, and a node's own list is merged with links others added
// while it was being linked.
//
// Deleted nodes stay as waypoints and are never returned. Vacuum rewrites
// every list that links to one (the heuristic choosing among the list's
// other links and the live nodes the deleted ones link to, through chains
// of deleted nodes), moves the entry point off a deleted node, reconnects
// orphans, and frees the slots. A freed slot is reused only after a grace
// period: searches register in a two-phase epoch counter, and the commit
// that frees slots flips the epoch and waits until every search that
// began before has ended, so no search ever reads a node while it is
// overwritten. Iterative scans keep node numbers between calls; a scan as
// of a snapshot goes on if slots were freed and reused since it began
// (the nodes there are newer than its snapshot: walked, never returned),
// one as of Latest ends. Vacuum reclaims only settled deletions, which no
// running reader can see.
//
// Choosing the new lists is nearly all of a vacuum's work, so it can be
// done outside any Tx (PlanVacuum, as pgvector's VACUUM does its long
// phase without blocking inserts), while a Tx writes: ApplyVacuum then
// writes the planned lists in a Tx, and a list that writers changed
// meanwhile (or that names a node a rollback brought back, or any slot
// freed since) is chosen again among its present and planned links. Only
// nodes deleted both when planned and when applied are reclaimed.
//
// # Transactions
//
// The caller serialises writing transactions (Begin waits for the open
// one). A Tx writes each change to its Store at once, and keeps the first
// version of every list it changes of a node older than itself, the entry
// point, and the nodes it added, deleted or reclaimed. Rollback puts those
// back exactly, so that searches return what they returned before; Commit
// drops them. A Store error makes the Tx unusable until it is rolled back.
//
// Searches see rows as their snapshot holds them (visibility.go): the
// nodes a Tx adds and deletes carry versions, pending until Prepare tags
// them with the commit's version just before the commit's rows become
// visible, and a search as of version v returns a node added at a <= v
// and deleted at d > v; the writer searches as of Latest and sees its own
// changes. Settle, told the oldest version a running reader reads as of,
// returns nodes no reader can see differently to plain states, which
// searches test with the one state word they read anyway.
//
// Build (CREATE INDEX on a filled table) reads all rows, links the first
// thousand from one goroutine and the rest from runtime.GOMAXPROCS, with
// no undo log, reporting progress; WriteAll then writes the whole graph to
// the Store once.
//
// # Persistence layout
//
// Keys are relative to the index's own key space; integers in keys are
// big-endian so that keys sort by node, values little-endian.
//
//	key                           value
//	0x01                          meta: format version (2), metric, kind,
//	                              dim (u32), M (u16), ef_construction (u16),
//	                              seed (u64), entry point (u64: bit 63 set if
//	                              any, level in bits 32..39, node in bits
//	                              0..31), node slots in use when written
//	                              (u32, a hint)
//	0x02 node (u32)               node: row id (u64), level (u8), vector:
//	                              dim float32s (Vector, normalised for
//	                              cosine), dim float16s (Halfvec), the bit
//	                              string's bytes (Bit), or nnz int32 indices
//	                              then nnz float32 values (Sparsevec,
//	                              normalised for cosine)
//	0x03 node (u32) level (u8)    links: node numbers (u32 each)
//	0x04 node (u32)               empty: the node is deleted
//
// An insert writes its node, its lists and each neighbour's changed list
// (about 20 records of 64-128 bytes for GloVe at M = 16, plus the node);
// a delete writes one mark; Vacuum rewrites the repaired lists and deletes
// the reclaimed nodes' records. Load reads the records back in any order
// without computing a distance (the codes are re-derived from the
// vectors), drops links to nodes that have no record, and picks a new
// entry point if the stored one is missing.
//
// Format 1, written before kinds existed, is format 2 without the kind
// byte: every graph was a Vector graph, and its node and link records are
// those of format 2. Decision: Load reads both, so indexes written by
// earlier versions load as they are at start-up, with no rebuild; the
// meta record is rewritten in format 2 the next time a transaction
// changes it. (A binary of format 1 cannot read format 2 and refuses to
// load such an index: downgrades are not supported.) TestLoadFormatV1
// loads records that format 1's code wrote (testdata/format-v1-*.graph).
package hnsw
