package server

import (
	"bytes"
	"encoding/binary"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// validateBody checks a well-framed message's body field by field, as
// PostgreSQL's pq_getmsg* functions read it, and returns the ERROR
// PostgreSQL raises for the first field that does not parse, or nil. The
// body is then known to decode with pgproto3.
func validateBody(typ byte, body []byte) *pgerr.Error {
	r := msgReader{b: body}
	switch typ {
	case msgQuery, msgCopyFail:
		r.str()
	case msgParse:
		r.str()
		r.str()
		r.skip(4 * r.uint16())
	case msgBind:
		r.str()
		r.str()
		r.skip(2 * r.uint16())
		for n := r.uint16(); n > 0 && r.err == nil; n-- {
			if size := r.int32(); size != -1 {
				r.skip(size)
			}
		}
		r.skip(2 * r.uint16())
	case msgDescribe, msgClose:
		r.byte()
		r.str()
	case msgExecute:
		r.str()
		r.int32()
	case msgFlush:
	default:
		return nil
	}
	r.end()
	return r.err
}

// msgReader reads a message body, remembering the first error.
type msgReader struct {
	b   []byte
	err *pgerr.Error
}

func (r *msgReader) fail(msg string) {
	if r.err == nil {
		r.err = invalidMessage("%s", msg)
	}
}

func (r *msgReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.fail("insufficient data left in message")
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *msgReader) skip(n int) { r.take(n) }

func (r *msgReader) byte() {
	if r.err == nil && len(r.b) == 0 {
		r.fail("no data left in message")
		return
	}
	r.take(1)
}

// uint16 reads a count; PostgreSQL reads them unsigned.
func (r *msgReader) uint16() int {
	if v := r.take(2); v != nil {
		return int(binary.BigEndian.Uint16(v))
	}
	return 0
}

func (r *msgReader) int32() int {
	if v := r.take(4); v != nil {
		return int(int32(binary.BigEndian.Uint32(v)))
	}
	return 0
}

func (r *msgReader) str() {
	if r.err != nil {
		return
	}
	i := bytes.IndexByte(r.b, 0)
	if i < 0 {
		r.fail("invalid string in message")
		return
	}
	r.b = r.b[i+1:]
}

func (r *msgReader) end() {
	if r.err == nil && len(r.b) != 0 {
		r.fail("invalid message format")
	}
}
