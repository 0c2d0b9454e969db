package server

import (
	"crypto/tls"
	"io"
)

// TLS.
//
// With Config.TLS set, a client's SSLRequest is answered 'S' and the
// connection continues over TLS: the handshake, then the startup packet
// and everything after it. Without it the answer is 'N' and the client
// decides whether to go on in clear (sslmode=prefer) or leave
// (sslmode=require). Config.TLSRequired refuses TCP clients that did not
// ask for TLS, with PostgreSQL's "no pg_hba.conf entry" error; a hostssl
// rule does the same for the addresses it covers. Connections over the
// Unix socket never use TLS, as in PostgreSQL.

// startTLS answers an SSLRequest with 'S' and runs the TLS handshake.
// A client that sent more bytes after its SSLRequest, before the
// handshake, is refused: those bytes were not encrypted and could have
// been injected by a man in the middle (PostgreSQL's CVE-2021-23214).
func (c *conn) startTLS() error {
	if c.rd.Buffered() > 0 {
		return protocolViolation("received unencrypted data after SSL request")
	}
	if _, err := c.netConn.Write([]byte{'S'}); err != nil {
		return err
	}
	tc := tls.Server(c.netConn, c.srv.cfg.TLS)
	if err := tc.HandshakeContext(c.ctx); err != nil {
		c.log.Info().Err(err).Msg("TLS handshake failed")
		return errTLSHandshake
	}
	c.tlsConn = tc
	c.rd.Reset(tc)
	return nil
}

// output is where the connection's messages are written.
func (c *conn) output() io.Writer {
	if c.tlsConn != nil {
		return c.tlsConn
	}
	return c.netConn
}

// errTLSHandshake ends a connection whose handshake failed; the client
// gets no PostgreSQL error, since no protocol is left to carry it.
var errTLSHandshake = tlsHandshakeError{}

type tlsHandshakeError struct{}

func (tlsHandshakeError) Error() string { return "TLS handshake failed" }
