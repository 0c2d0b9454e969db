// Command vecgres is the vecgres database server: PostgreSQL's wire
// protocol in front of pgvector-compatible vector search, with its data in
// one directory.
//
//	vecgres [serve] [--listen ADDR] [--socket-dir DIR] [--data-dir DIR] [--log-level LEVEL]
//	                [--max-connections N] [--max-message-size SIZE]
//	vecgres slt [--url URL] [--engine NAME] [--verbose] [--stop-on-failure] FILE...
//	vecgres bench [--url URL] --dataset NAME [flags]
//	vecgres version
//
// serve (the default) listens on 127.0.0.1:5433 with its data in
// ./vecgres-data, and with --socket-dir also on the Unix socket
// DIR/.s.PGSQL.<port> that psql and libpq look for (psql -h DIR -p PORT).
// --max-connections (default 500) bounds the sessions served at once;
// --max-message-size (default 64MB, at most 1GB - 1) the largest Query,
// Parse, Bind or CopyData message a client may send.
// VECGRES_LISTEN, VECGRES_SOCKET_DIR, VECGRES_DATA_DIR, VECGRES_LOG_LEVEL,
// VECGRES_MAX_CONNECTIONS and VECGRES_MAX_MESSAGE_SIZE set the same as
// the flags, which win. Logs are structured (zerolog):
// readable lines when stderr is a terminal, JSON otherwise. SIGINT or
// SIGTERM end the sessions (running statements get 30 seconds) and then
// close the data directory.
//
// slt runs sqllogictest files with package slt, against --url or, by
// default, against a vecgres started in the process on a free port with a
// temporary data directory; it prints "N passed, M failed" and exits 1 on
// any failure.
//
// bench loads a vector dataset into --url (or a temporary in-process
// vecgres), builds an HNSW index and reports recall, QPS and latency per
// hnsw.ef_search; see package bench.
//
// The command owns only wiring: instance.go opens storage, builds the sql
// engine and the server, and stops them in the reverse order. Tests start
// whole servers through startInstance, in the test process or, for the
// crash test, in a child process that is killed with SIGKILL.
package main
