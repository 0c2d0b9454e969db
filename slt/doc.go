// Package slt runs sqllogictest files against any server that speaks the
// PostgreSQL wire protocol: vecgres in its own tests and for the
// "vecgres slt" command, or PostgreSQL itself.
//
// The package owns the sqllogictest file format (Parse), the comparison of
// expected with actual results, and the running of files over a
// connection (RunFile, Run). It imports only pgx and the standard library;
// starting a server and printing the final summary are left to callers.
//
// # Running
//
// RunFile opens its own connection with pgx.Connect, runs the file's
// records in order and closes the connection. Every record's SQL is sent
// with the simple query protocol, so every value is compared in the text
// form the server itself produced (never reformatted by Go), and one
// record may hold several statements separated by semicolons. A record
// that fails is added to Result.Failures and written to Options.Out; the
// file goes on with the next record unless Options.StopOnFailure is set.
// A failed statement inside a transaction leaves the session aborted, as
// it would in psql: that is the file's business. RunFile returns an error
// only when the file cannot be read or parsed, the connection cannot be
// made or is lost, or the context is done. Run runs files one after the
// other and adds up their results; Result.Summary formats the totals as
// "N passed, M failed".
//
// Options.Out receives one line per file ("path: N passed, M failed", with
// ", K skipped" when records were skipped), each failure as
// Failure.String formats it, and, with Options.Verbose, one line per
// record before it runs.
//
// # File format
//
// A file is a sequence of records separated by blank lines. Lines whose
// first non-blank character is "#" are comments between records; inside a
// record's SQL or results they are content. Any other line that starts a
// record must be one of the directives below: anything else is a parse
// error naming the file and line.
//
//	statement ok
//	statement error [PATTERN]
//	statement count N
//
// run the SQL on the following lines, up to a blank line, and expect it to
// succeed, to fail, or to succeed with its last statement's command tag
// reporting N rows affected. A PATTERN of five digits or upper-case
// letters, at least one of them a digit, is a SQLSTATE the error's code
// must equal (statement error 22P02). Any other PATTERN, the rest of the
// line, is a Go regular expression searched for in the error's message
// (the primary message only, without "ERROR:" or SQLSTATE). Without a
// PATTERN any error passes.
//
//	query TYPES [nosort|rowsort|valuesort] [LABEL]
//	SQL...
//	----
//	expected results...
//
// runs a query and compares its result set (of the last statement that
// returned one) with the lines after "----", up to a blank line. A query
// with no "----" expects no rows. TYPES has one letter per column: T text,
// I integer, R floating point, B boolean; any other letter is taken as
// text. The letters only fix the number of columns, which must match the
// result's: every value is compared as the server's text, R columns
// included (no rounding or reformatting), so write what PostgreSQL
// prints, for instance t and f for booleans. NULL is written NULL and the
// empty string (empty).
//
// Expected results can be laid out one row per line, the row's values
// joined with single spaces, or one value per line, as classic
// sqllogictest files are; the layout is the one whose line count matches
// the result (one row per line when both do). rowsort sorts the rows, of
// the expected lines as of the result, before comparing; valuesort sorts
// individual values (in the one-row-per-line layout, the space-separated
// words of each line); nosort, the default, compares in order.
//
// Queries that share a LABEL must return the same values: the first one
// sets them, the later ones are checked against it.
//
//	query error [PATTERN]
//
// is statement error for a query.
//
//	hash-threshold N
//
// sets the file's hash threshold. Expected results may always be written
// as the single line "K values hashing to H", where K is the number of
// values and H the hex MD5 of the values, each followed by "\n", in
// result order after sorting (rowsort sorts rows, valuesort values),
// as sqllogictest computes it. Written-out results are compared in full
// whatever the threshold; the threshold (0: none) only decides when a
// failure report also gives the actual hash line, ready to be pasted.
//
//	halt
//
// stops the file. Parse stops at an unconditional halt, so what follows
// it is not even parsed.
//
//	skipif ENGINE
//	onlyif ENGINE
//
// before a record's directive skip that record when the engine is ENGINE,
// or is not ENGINE. The engine is Options.Engine, by default
// DefaultEngine ("vecgres"); pass "postgresql" to run files against
// PostgreSQL. Names compare case-insensitively. A word starting with "#"
// ends a directive line early as a comment, except after "error", where
// the rest of the line is the pattern.
package slt
