package server

import (
	"context"
	"encoding/binary"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// copier is implemented by sessions that run COPY FROM STDIN and COPY TO
// STDOUT; the server moves the data between them and the client.
type copier interface {
	// CopyFrom reads the COPY data from src, which returns io.EOF after
	// the client's CopyDone.
	CopyFrom(ctx context.Context, st Statement, src io.Reader) (string, error)
	// CopyTo hands every encoded chunk of COPY data to emit.
	CopyTo(ctx context.Context, st Statement, emit func([]byte) error) (string, error)
}

// copyStatement is implemented by statements that can be a COPY.
type copyStatement interface {
	Copy() (dir sql.CopyDirection, binaryFormat bool, columns int)
}

// copyOf reports whether st is a COPY, and its direction and formats.
func copyOf(st Statement) (sql.CopyDirection, byte, []uint16) {
	cs, ok := st.(copyStatement)
	if !ok {
		return sql.NotCopy, 0, nil
	}
	dir, binaryFormat, n := cs.Copy()
	var format byte
	if binaryFormat {
		format = 1
	}
	codes := make([]uint16, n)
	for i := range codes {
		codes[i] = uint16(format)
	}
	return dir, format, codes
}

// runCopy runs a COPY statement's sub-protocol and returns its command
// tag. A FATAL error means the connection failed during the COPY.
func (c *conn) runCopy(ctx context.Context, st Statement, dir sql.CopyDirection, format byte, codes []uint16) (string, error) {
	cp, ok := c.sess.(copier)
	if !ok {
		return "", pgerr.New(pgerr.FeatureNotSupported, "COPY is not supported")
	}
	if dir == sql.CopyIn {
		return c.copyIn(ctx, cp, st, format, codes)
	}
	return c.copyOut(ctx, cp, st, format, codes)
}

func (c *conn) copyIn(ctx context.Context, cp copier, st Statement, format byte, codes []uint16) (string, error) {
	c.send(&pgproto3.CopyInResponse{OverallFormat: format, ColumnFormatCodes: codes})
	if err := c.flush(); err != nil {
		return "", sendFailure(err)
	}
	src := &copyInReader{c: c}
	tag, err := cp.CopyFrom(ctx, st, src)
	if err == nil {
		// The COPY ends at CopyDone, whatever the data said.
		_, err = io.Copy(io.Discard, src)
	}
	if src.connErr != nil {
		return "", src.connErr
	}
	if src.lostSync != nil {
		// PostgreSQL reports the message that broke the COPY, then ends
		// the connection: the client is no longer following the protocol.
		c.sendError(src.lostSync)
		return "", protocolViolation("terminating connection because protocol synchronization was lost")
	}
	return tag, err
}

func (c *conn) copyOut(ctx context.Context, cp copier, st Statement, format byte, codes []uint16) (string, error) {
	c.send(&pgproto3.CopyOutResponse{OverallFormat: format, ColumnFormatCodes: codes})
	var sendErr error
	tag, err := cp.CopyTo(ctx, st, func(data []byte) error {
		c.appendCopyData(data)
		if err := c.maybeFlush(); err != nil {
			sendErr = sendFailure(err)
			return sendErr
		}
		return nil
	})
	if sendErr != nil {
		return "", sendErr
	}
	if err != nil {
		return "", err
	}
	c.send(&pgproto3.CopyDone{})
	return tag, nil
}

// appendCopyData encodes a CopyData message without an allocation.
func (c *conn) appendCopyData(data []byte) {
	c.out = append(c.out, 'd')
	c.out = binary.BigEndian.AppendUint32(c.out, uint32(4+len(data)))
	c.out = append(c.out, data...)
}

// sendFailure is the error for output the client could not be sent.
func sendFailure(err error) *pgerr.Error {
	return fatal(pgerr.ConnectionFailure, "could not send data to client: %v", err)
}

// copyInReader reads the payloads of the client's CopyData messages
// until CopyDone (io.EOF) or CopyFail (57014). Flush and Sync are ignored
// during COPY, as PostgreSQL does; any other message aborts the COPY.
type copyInReader struct {
	c       *conn
	data    []byte // unread part of the current CopyData
	err     error  // returned once data is exhausted
	connErr error  // the connection failed: it must end
	// lostSync is the error for a message that has no place in a COPY.
	lostSync *pgerr.Error
}

func (r *copyInReader) Read(p []byte) (int, error) {
	for len(r.data) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.next()
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// next reads the next message of the COPY.
func (r *copyInReader) next() {
	typ, body, err := r.c.frames.next()
	if err != nil {
		r.connErr = connectionLost(r.c.readFailure(err))
		r.err = r.connErr
		return
	}
	switch typ {
	case msgCopyData:
		r.data = body
	case msgCopyDone:
		r.err = io.EOF
	case msgCopyFail:
		var m pgproto3.CopyFail
		if e := validateBody(typ, body); e != nil {
			r.err = e
			return
		}
		if m.Decode(body) != nil {
			r.err = invalidMessage("invalid message format")
			return
		}
		r.err = pgerr.New(pgerr.QueryCanceled, "COPY from stdin failed: %s", m.Message)
	case msgFlush, msgSync:
	default:
		r.lostSync = invalidMessage("unexpected message type 0x%02X during COPY from stdin", typ)
		r.err = r.lostSync
	}
}

// connectionLost turns a read error into the FATAL error that ends the
// connection: framing errors are FATAL already.
func connectionLost(err error) *pgerr.Error {
	if pe, ok := err.(*pgerr.Error); ok {
		return pe
	}
	return fatal(pgerr.ConnectionFailure, "unexpected EOF on client connection with an open transaction")
}
