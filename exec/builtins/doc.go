// Package builtins holds the SQL functions, operators and aggregates that
// vecgres evaluates, with their signatures.
//
// The binder (package sql) resolves a call against a Registry, picking one
// Overload as PostgreSQL's operator and function resolution would, and
// stores the overload's implementation in the bound tree
// (planner.Func.Impl). From then on nobody looks names up again: the
// planner folds constants by calling Impl, and the executor calls it per
// row.
//
// Semantics follow PostgreSQL and pgvector: the same result types, the same
// NULL behaviour (strict functions are never called with NULL), the same
// errors and SQLSTATEs (integer overflow is 22003 "integer out of range",
// vector dimension mismatch is 22000 "different vector dimensions 3 and 2").
// Distances are computed by package kernels.
//
// Imports: planner (for FuncImpl, Env and Accumulator), kernels, sql/types,
// sql/pgerr. The Registry is built once by NewRegistry and never changed.
package builtins
