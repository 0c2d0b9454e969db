// Package exec runs the plans that package planner produces.
//
// Operators are pull-based iterators (Next returns the next row, nil at the
// end) built from a planner.Node tree by Build. Expressions are compiled
// once per execution into closures over the input row, with parameters
// already substituted, so the per-row work is a chain of direct calls.
//
// Reading and writing goes through a storage.Txn; exec owns the order of
// writes of a statement (rows first materialised, then written, so an
// UPDATE never sees its own new rows), the checks that PostgreSQL makes at
// write time (NOT NULL, value coercion) and the bounded heap behind
// ORDER BY ... LIMIT.
//
// Imports: planner (plans are its data), storage, index, kernels,
// exec/builtins, sql/types, sql/pgerr. Never sql or server.
package exec
