package server

import (
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Connection limits.
//
// A connection takes one of Config.MaxConnections session slots once its
// startup packet has been read, before authentication, as a PostgreSQL
// backend takes its PGPROC slot: SSLRequest, GSSENCRequest and
// CancelRequest never need one, so a server at its limit still cancels
// queries. A connection that finds no free slot is told FATAL 53300
// "sorry, too many clients already", PostgreSQL's words, and closed; the
// slot is given back when the connection closes.
//
// What a session may make the server hold is bounded elsewhere: a message
// by Config.MaxMessageSize (frameReader), the output waiting for the
// client by flushThreshold plus one message (a client that stops reading
// blocks its own connection's goroutine in Write, and nothing piles up),
// a statement's sorts and hash tables by work_mem (package exec), a
// transaction's writes by storage.MaxTxnBytes.

// DefaultMaxConnections is the number of sessions a Server serves at once
// when Config.MaxConnections is 0. PostgreSQL's default is 100; a vecgres
// session costs a goroutine and some kilobytes, not a process, so it
// allows more.
const DefaultMaxConnections = 500

// maxConnectionsLimit is the largest Config.MaxConnections accepted,
// PostgreSQL's bound of max_connections.
const maxConnectionsLimit = 262143

// errTooManyClients is what a connection beyond Config.MaxConnections is
// told.
var errTooManyClients = fatal(pgerr.TooManyConnections, "sorry, too many clients already")

// admit takes a session slot for c, or returns errTooManyClients when
// none is free.
func (c *conn) admit() error {
	limit := int64(c.srv.cfg.MaxConnections)
	for {
		n := c.srv.sessions.Load()
		if n >= limit {
			c.log.Warn().Int64("max_connections", limit).Msg("connection refused: too many clients")
			return errTooManyClients
		}
		if c.srv.sessions.CompareAndSwap(n, n+1) {
			c.admitted = true
			return nil
		}
	}
}

// releaseSlot gives back c's session slot, if it took one.
func (c *conn) releaseSlot() {
	if c.admitted {
		c.admitted = false
		c.srv.sessions.Add(-1)
	}
}

// Sessions returns the number of connections that hold a session slot:
// those past their startup packet and not yet closed.
func (s *Server) Sessions() int { return int(s.sessions.Load()) }
