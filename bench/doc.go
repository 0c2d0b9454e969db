// Package bench is the engine of "vecgres bench": it measures the recall
// and speed of approximate nearest-neighbour search on any server that
// speaks the PostgreSQL wire protocol and pgvector's SQL, so that
// vecgres and PostgreSQL + pgvector can be measured by the same
// instrument, the same way, and drawn in one chart.
//
// Callers parse flags with ParseFlags (or build a flag set over a
// DefaultConfig with NewFlagSet) and call Run, which returns a Report;
// WritePlot and ReadReport draw and reload reports. The package imports
// pgconn (the wire layer of pgx), golang.org/x/image for the plot's font
// and rasterizer, and the standard library; it knows nothing of vecgres's
// own packages, and starting a server is left to the caller.
//
// # What a run does
//
//  1. Reads the dataset: the base vectors (only the first Config.Limit
//     with --limit), the queries (the first Config.QueriesLimit), and the
//     exact neighbours of each query where a shipped ground truth holds
//     for the loaded rows. Otherwise it computes them by brute force, in
//     float64 over the float32 values, on every core, ties broken by the
//     smaller id. This happens before the server is contacted, so a bad
//     path fails in a second.
//  2. Load: CREATE EXTENSION IF NOT EXISTS vector (errors ignored: the
//     type may be built in), DROP TABLE IF EXISTS (with --drop), CREATE
//     TABLE t (id int PRIMARY KEY, embedding vector(d)), then one COPY t
//     FROM STDIN (FORMAT BINARY) streaming pgvector's binary form of each
//     row (row i has id i). If the server answers COPY with an error, the
//     run says so, opens a fresh connection (the old one may still be
//     sending the stream) and loads with multi-row INSERTs of
//     Config.BatchSize rows, every value a text parameter. The load time
//     is that of the method that succeeded.
//  3. Build: CREATE INDEX t_embedding_idx ON t USING hnsw (embedding
//     <opclass>) WITH (m = M, ef_construction = EFC), timed on the
//     client. Meanwhile a second connection polls
//     pg_stat_progress_create_index to draw the progress line; a server
//     without that view gets a clock instead. The index size is
//     pg_relation_size of the index, "n/a" where the server lacks it.
//  4. Explain: the search query's EXPLAIN is kept in the report, with a
//     warning when it shows no index scan (recall would then be exact and
//     speed that of a scan).
//  5. Query: for each hnsw.ef_search in order, SET on every connection,
//     then one pass over the queries, unmeasured once before the sweep
//     with --warmup.
//  6. Report: a line per phase and a row per ef_search as they finish;
//     the Report as JSON with --json; recall against QPS as a PNG with
//     --plot, beside the runs of --compare.
//
// # Filtered runs
//
// With --selectivity 0.5,0.1,0.01,0.001 the table gets a column attr int
// NOT NULL, loaded with the rows: a permutation of 0..n-1 drawn from a
// fixed seed, so that WHERE attr < t admits exactly t rows spread over
// the space, or with --filter-correlated each row's rank by distance to
// one row, so that the admitted rows are one ball. --attr-index adds a
// btree index on attr; ANALYZE runs after the build. The exact
// neighbours among the rows each threshold admits are found by brute
// force, every threshold in one pass over the rows per query, on every
// core; a run with --skip-load checks the attr values in the table
// against a checksum. The unfiltered query is measured first, as the
// baseline, then for each selectivity SELECT id FROM t WHERE attr < $2
// ORDER BY embedding <op> $1 LIMIT k, prepared anew, at each ef_search.
// Each point also reports the mean rows a query returned (pgvector with
// hnsw.iterative_scan = off returns fewer than k under a selective
// filter) and any returned row the filter does not admit. Settings such
// as hnsw.iterative_scan are given with --set.
//
// # The protocol path measured
//
// Each client connection prepares SELECT id FROM t ORDER BY embedding
// <op> $1 LIMIT k once (Parse/Describe, as drivers' statement caches
// do), then every query is one Bind/Execute/Sync round trip with the
// query vector as the parameter, pre-encoded in pgvector's binary form
// (uint16 dimensions, uint16 zero, big-endian float4 values) or, with
// --vector-format text, as '[x,y,...]'. Ids come back in binary and may
// be int2, int4 or int8. With --clients N there are N connections, each
// on its own goroutine, taking the next query from a shared counter, so
// that a slow query does not leave a connection idle.
//
// # What is measured
//
// QPS is the number of queries in a pass divided by the pass's wall
// time, from the first query sent to the last answer read. Latency is
// per query on the client, from Bind sent to ReadyForQuery read: it
// includes the round trip. p50 and p99 are nearest-rank percentiles.
// Load and build times are client-side wall times of the statements.
//
// Recall@k is tie-tolerant, as in ann-benchmarks: for each query, a
// returned id counts if it is among the first k returned, is not a
// repeat, names a loaded row, and its true distance to the query is at
// most the k-th true distance d_k times (1 + 1e-6) (d_k + 1e-6·|d_k|, as
// inner-product distances are negative). Both distances are computed
// here, in float64, by the same function (Euclidean, 1 - cosine, the
// negative inner product or L1, as pgvector's operators define them),
// d_k as the largest distance to the first k ground-truth ids. A server
// that returns any of several rows tied at the k-th distance is not
// penalised, and the epsilon absorbs float32 rounding, not real misses.
// Recall is the mean over queries of hits / k, with k capped at the
// number of loaded rows; a query that returns fewer than k rows is
// short of hits.
//
// # File formats
//
//   - The shared datasets (../shared/data/README.md): NAME.json (dim,
//     n_base, n_query, metric, gt_k, gt10k_prefix) beside headerless
//     little-endian row-major NAME.base.f32, NAME.query.f32,
//     NAME.gt.i32 (exact neighbours for all rows) and NAME.gt10k.i32 (for
//     the first gt10k_prefix rows). --dataset NAME looks in --data-dir;
//     --dataset PATH.json reads that file.
//   - TEXMEX .fvecs (float32) and .ivecs (int32 ids): records of a
//     little-endian int32 dimension and that many values.
//   - NumPy .npy, format versions 1 to 3, 2-D in C order: '<f4' vectors;
//     '<i4' or '<i8' ids.
//
// A file dataset is --dataset BASE --queries QUERIES [--gt IDS] --metric
// M. A ground-truth file is used only when all of the base is loaded;
// with --limit, or without --gt, the truth is computed by brute force.
//
// # Output
//
// out receives the run's report as it goes (see Report.WriteText for
// the layout); Config.Progress, a terminal or nothing, receives a line
// redrawn in place at most five times a second while rows load and the
// index builds. Server notices and warnings (pgvector's "hnsw graph no
// longer fits into maintenance_work_mem", for one) are printed after the
// phase that caused them and kept in the report.
package bench
