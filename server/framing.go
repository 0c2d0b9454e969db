package server

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Frontend message types after startup.
const (
	msgBind         = 'B'
	msgClose        = 'C'
	msgDescribe     = 'D'
	msgExecute      = 'E'
	msgFunctionCall = 'F'
	msgFlush        = 'H'
	msgParse        = 'P'
	msgQuery        = 'Q'
	msgSync         = 'S'
	msgTerminate    = 'X'
	msgCopyData     = 'd'
	msgCopyDone     = 'c'
	msgCopyFail     = 'f'
)

// retainedBodySize is the largest message body buffer kept for reuse.
const retainedBodySize = 64 << 10

// frameReader splits the byte stream after startup into messages, checking
// type and length before reading a body, as PostgreSQL's SocketBackend
// does, so that a hostile length costs nothing.
type frameReader struct {
	rd      *bufio.Reader
	maxSize int
	header  [5]byte
	body    []byte
}

// next returns the next message's type and body. The body is valid until
// the next call. Framing errors are FATAL *pgerr.Errors; I/O errors are
// returned as they are.
func (f *frameReader) next() (byte, []byte, error) {
	if _, err := io.ReadFull(f.rd, f.header[:1]); err != nil {
		return 0, nil, err
	}
	typ := f.header[0]
	limit, ok := f.limit(typ)
	if !ok {
		return 0, nil, protocolViolation("invalid frontend message type %d", typ)
	}
	if _, err := io.ReadFull(f.rd, f.header[1:5]); err != nil {
		return 0, nil, eofIsUnexpected(err)
	}
	n := int64(int32(binary.BigEndian.Uint32(f.header[1:5]))) - 4
	if n < 0 || n > int64(limit) {
		e := protocolViolation("invalid message length")
		e.Detail = messageLengthDetail(typ, n, limit)
		return 0, nil, e
	}
	body := f.buffer(int(n))
	if _, err := io.ReadFull(f.rd, body); err != nil {
		return 0, nil, eofIsUnexpected(err)
	}
	return typ, body, nil
}

// limit returns the largest body allowed for a message type, and false for
// a type no client may send.
func (f *frameReader) limit(typ byte) (int, bool) {
	switch typ {
	case msgQuery, msgParse, msgBind, msgFunctionCall, msgCopyData:
		return f.maxSize, true
	case msgClose, msgDescribe, msgExecute, msgFlush, msgSync, msgTerminate, msgCopyDone, msgCopyFail:
		return min(smallMessageLimit, f.maxSize), true
	}
	return 0, false
}

// buffer returns a body buffer of n bytes: the reused one when it is
// small, a fresh one for a large message so that one big message does not
// pin its memory for the life of the connection.
func (f *frameReader) buffer(n int) []byte {
	if n > retainedBodySize {
		return make([]byte, n)
	}
	if cap(f.body) < n {
		f.body = make([]byte, n, max(n, 1024))
	}
	return f.body[:n]
}

func messageLengthDetail(typ byte, n int64, limit int) string {
	if n < 0 {
		return "message length is smaller than its header"
	}
	return fmt.Sprintf("message type '%c' of %d bytes exceeds the limit of %d bytes", typ, n, limit)
}

func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
