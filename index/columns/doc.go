// Package columns keeps an in-memory copy of a table's scalar columns,
// by row id, so that a filtered vector search can test its WHERE clause
// on a candidate row in nanoseconds instead of reading the row from disk.
//
// A Cache holds the committed values of the columns it was built with:
// the caller fills it from a table scan (Put for every row) and keeps it in
// step with each committed transaction's writes (Put, Delete). It does not
// see uncommitted writes; a transaction that wrote the table reads its
// rows from storage instead. Each commit's changes go in with Update, under
// one lock, with the table version they bring the table to; a reader whose
// snapshot sees another version (a commit landed between its snapshot and
// its read) is told the cache is not fresh (RowsAsOf, Fresh) and reads
// storage, so what it gets is always exactly its snapshot's.
//
// Readers (searches) and the one writer (a commit) are synchronised by a
// read-write mutex, taken for each read of a batch of rows (or pass over
// the rows), never across a search's pauses.
//
// Imports: sql/types only.
package columns
