// Package pgerr defines the error type that carries a PostgreSQL SQLSTATE
// from the place an error is made to the wire.
//
// Every error a client can see is a *pgerr.Error: the binder, planner,
// executor and storage create them with the right code, and the server turns
// them into an ErrorResponse. An error that is not a *pgerr.Error when it
// reaches the edge is a bug; From wraps it as internal_error (XX000) so the
// session survives anyway.
//
// This package is a leaf: it imports only the standard library, and every
// other vecgres package may import it.
package pgerr
