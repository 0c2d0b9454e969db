// Package server speaks the PostgreSQL frontend/backend protocol, version
// 3.0, to clients, and drives one sql session per connection.
//
// # What it owns
//
// The connection state machine: startup (SSLRequest answered 'S' and a
// TLS handshake when Config.TLS is set, 'N' otherwise, and GSSENCRequest
// 'N'; CancelRequest; protocol version checks and
// NegotiateProtocolVersion; client authentication by an hba-like rule
// list with trust, reject, password, md5 and SCRAM-SHA-256, auth.go and
// hba.go; ParameterStatus,
// BackendKeyData, ReadyForQuery), the simple query protocol, the extended
// query protocol (prepared statements, portals, row limits and
// PortalSuspended, skipping to Sync after an error), the COPY FROM STDIN
// and TO STDOUT sub-protocols, statement_timeout,
// idle_in_transaction_session_timeout, cancellation, termination and
// shutdown.
//
// Prepared statements and portals live here, one namespace for the
// protocol's Parse and SQL alike, as in PostgreSQL: DEALLOCATE and
// DISCARD ALL, which sql binds, are carried out here on what
// Statement.Discards names.
//
// Message framing: frameReader reads the type byte and length of every
// message and checks them before reading its body, with PostgreSQL's
// limits (Config.MaxMessageSize for Query, Parse, Bind, CopyData and
// FunctionCall; 10000 bytes for the small messages), so that a hostile
// length costs nothing. Bodies are decoded, and backend messages encoded,
// with pgproto3's message types, after validateBody has checked them field
// by field as PostgreSQL's pq_getmsg* functions do, so that a malformed
// body gets PostgreSQL's ERROR and the session goes on. The framing is done
// here rather than by pgproto3.Backend so that the startup packet can
// carry any protocol version (and be refused with PostgreSQL's own FATAL),
// and so that every framing error gets PostgreSQL's error text. One
// deliberate difference: where PostgreSQL closes a connection with an
// impossible message length without a word, vecgres first sends FATAL
// 08P01 "invalid message length", with the limit in its detail.
//
// Result encoding: RowDescription from the statement's columns, and
// DataRow values appended straight into the connection's output buffer
// with types.AppendText (text, the default) or types.AppendBinary (when
// Bind asks for it). Nothing is allocated per row. Output is written to
// the socket at ReadyForQuery, at Flush, and whenever 64 KiB are pending.
//
// # What it imports
//
// sql (the session API), sql/types (value encodings), sql/pgerr,
// pgproto3, zerolog and the standard library. It never reaches storage,
// index, kernels or exec: everything below SQL text is the session's.
// The session is used through the small interfaces in backend.go, which
// *sql.Session satisfies through SQLEngine and tests satisfy with a fake;
// optional abilities (Abort, StatementTimeout, COPY) are found by type
// assertion, and backend.go asserts at compile time that *sql.Session has
// them all.
//
// # How it is tested
//
// Transcripts of raw messages against the fake session (server's tests),
// pgx as a real client, fuzzing of the startup and message streams, and
// scripts of raw messages recorded from PostgreSQL 15 and replayed
// against the whole of vecgres (cmd/vecgres/testdata/wire). Real drivers
// run against the whole of vecgres too: pgx, lib/pq, pgvector-go, GORM
// and bun in cmd/vecgres/drivers_*_test.go (which VECGRES_DRIVERS_URL
// points at PostgreSQL to check them), and node-postgres, psycopg and
// psql in compat/ (compat/run, which .ci/run runs).
//
// # Invariants
//
// A session survives every statement error: errors are sent as
// ErrorResponse (severity in both 'S' and 'V', SQLSTATE, message, detail,
// hint, position, context and object names when present) and the
// connection reads on. Notices and warnings go out before the message
// that completes their statement, filtered by client_min_messages.
// Errors that carry no SQLSTATE are bugs: they are logged at error level
// and sent as XX000.
//
// A connection's failure never affects another: each runs in its own
// goroutine, a framing error or oversized message ends only that
// connection (with FATAL 08P01 when the socket still works), and a panic
// is recovered, logged with its stack, reported as FATAL XX000 and ends
// only its connection.
//
// Commit before completion: in a simple Query the implicit transaction is
// committed before the CommandComplete of its last statement, and in the
// extended protocol at Sync before ReadyForQuery, so a client never sees
// success for work that is not durable.
//
// Cancellation never waits for the connection's reader: a CancelRequest
// arrives on its own connection and cancels the context of the running
// statement, which then fails with 57014; statement_timeout bounds the
// same context. A session that waits for its next command inside a
// transaction block (after ReadyForQuery 'T' or 'E') longer than
// idle_in_transaction_session_timeout is ended with FATAL 25P03, its
// transaction rolled back: writers are serialised, so a forgotten
// transaction would otherwise hold every other writer.
//
// Text parameters are read with the session's settings (TimeZone, and
// the catalog for the reg* types), as PostgreSQL's input functions read
// them.
//
// A client that does not read its results blocks only its own
// connection: its goroutine waits in Write and holds nothing that
// another session needs, except what its statement holds itself (a
// writing statement, or an open transaction that wrote, keeps the
// writer lock, as it keeps row locks in PostgreSQL). Shutdown interrupts idle reads with a deadline and ends
// sessions with FATAL 57P01; a statement that is running may finish
// first, until Shutdown's context ends.
//
// Server-made errors fail the transaction too: an error that the server
// finds itself (a Bind that does not decode, an unknown portal) is passed
// to the session's Abort, as any statement error would have been.
package server
