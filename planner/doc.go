// Package planner owns vecgres's bound tree and turns it into the plan the
// executor runs.
//
// The binder (package sql) produces a tree of Nodes whose expressions
// (Expr) are already typed and resolved to implementations. The planner
// rewrites that tree with rules, one per file, each listing its
// preconditions in its doc comment and returning the new tree and whether
// it changed anything:
//
//	topk.go             Sort + Limit becomes a bounded-heap TopK
//	push_down.go        WHERE conditions move into and below inner joins;
//	                    join equalities become hash keys
//	index_scan.go       ORDER BY distance LIMIT k becomes an HNSW index scan
//	prune.go            projections skip columns nobody reads; index scans
//	                    decode only the columns their consumer reads
//
// The result is still a tree of this package's Nodes: the executor
// interprets it, so plans are plain data that can be cached with a
// prepared statement, printed by EXPLAIN and tested without running them.
//
// Imports: storage (for table and index descriptors only: never for data),
// sql/types and sql/pgerr. It never imports exec; exec imports it. This is
// the one place where the import direction differs from the order of the
// pipeline in DESIGN.md's picture: a plan is data produced by the planner
// and consumed by the executor, so the consumer imports the producer.
package planner
