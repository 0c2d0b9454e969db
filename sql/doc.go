// Package sql turns SQL text into executable statements for one session.
//
// It owns parsing (pg_query_go, PostgreSQL's own grammar), binding (names
// resolved against the storage catalog, expressions typed, parameter types
// inferred, implicit casts inserted) into the planner's tree, and the
// session: its settings, its transaction state and the statements it runs.
// pg_query_go's tree never leaves this package: everything below works on
// vecgres's own bound tree, so the planner's and executor's tests stay fast
// and free of cgo.
//
// The server drives a Session with a small set of calls:
//
//	Parse    split a query string into statements (syntax errors carry a position)
//	Prepare  bind and plan one statement with optional parameter types
//	Execute  open a Cursor over a prepared statement with argument values
//	Cursor.Next / Tag  pull rows; the command tag once it is exhausted
//	CommitImplicit     end the implicit transaction (the server calls it before
//	                   the last CommandComplete of a simple Query, and at Sync)
//
// Transactions follow PostgreSQL: outside BEGIN, the statements of one
// simple Query message (or of the extended-protocol messages up to Sync)
// form one implicit transaction, committed at its end and rolled back as a
// whole when one of them fails. After BEGIN, an error puts the session in
// the failed state ('E') until ROLLBACK.
//
// Imports: planner, exec, storage, index (through exec), sql/types,
// sql/pgerr, pg_query_go and zerolog. Never server.
package sql
