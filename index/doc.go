// Package index is the home of vecgres's approximate nearest-neighbour index
// methods, the ones that storage does not maintain itself. It holds no code:
// each method is a package below it, today only one:
//
//   - index/hnsw: the HNSW graph behind CREATE INDEX ... USING hnsw, for
//     the vector_l2_ops, vector_ip_ops, vector_cosine_ops and vector_l1_ops
//     operator classes (see its doc.go for the design).
//
// Packages under index import only kernels, sql/types and sql/pgerr of
// vecgres, the standard library and golang.org/x/sys; never storage (an
// index persists through a small interface of its own that the caller
// adapts to a storage transaction) nor anything above (exec, planner, sql).
// deps_test.go at the repository root enforces this.
package index
