package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Output is flushed to the socket at ReadyForQuery, Flush and when this
// much is pending, so that a result set costs few writes but bounded
// memory.
const flushThreshold = 64 << 10

// readBufferSize is the size of the connection's read buffer.
const readBufferSize = 16 << 10

// conn is one client connection and, after startup, its session. All of it
// is owned by the connection's goroutine except the fields under mu and
// terminating, which the cancel handler and Shutdown use.
type conn struct {
	srv     *Server
	netConn net.Conn
	log     zerolog.Logger
	rd      *bufio.Reader
	frames  frameReader
	out     []byte // encoded messages not yet written
	outErr  error  // first encoding error; reported by flush

	pid    uint32
	secret [4]byte
	ctx    context.Context // ends when the server forces shutdown
	sess   Session
	ext    extendedState
	// lastStatus is the status of the last ReadyForQuery sent, until
	// the next message arrives; zero before the first.
	lastStatus byte

	// admitted is set while the connection holds a session slot
	// (limits.go).
	admitted bool
	// tlsConn is the TLS layer over netConn once the client asked for
	// it (tls.go): reads and writes go through it, deadlines and Close
	// to netConn.
	tlsConn *tls.Conn

	terminating atomic.Bool
	mu          sync.Mutex
	cancelFn    context.CancelCauseFunc // of the running statement, or nil
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{
		srv:     s,
		netConn: nc,
		log:     s.log.With().Str("remote", nc.RemoteAddr().String()).Logger(),
		rd:      bufio.NewReaderSize(nc, readBufferSize),
		ctx:     s.baseCtx,
	}
	c.frames = frameReader{rd: c.rd, maxSize: s.cfg.MaxMessageSize}
	c.ext.init()
	return c
}

// serve runs the connection until the client leaves, the protocol breaks,
// or the server shuts down. It never panics.
func (c *conn) serve() {
	c.log.Debug().Msg("connection opened")
	defer c.close()
	defer c.recoverPanic()
	if !c.startup() {
		return
	}
	c.log = c.log.With().Uint32("pid", c.pid).Logger()
	for {
		if err := c.step(); err != nil {
			c.endWith(err)
			return
		}
	}
}

// errTerminate ends a connection that the client closed on purpose.
var errTerminate = errors.New("client terminated the connection")

// step reads one message and handles it. A non-nil error ends the
// connection: the client left, broke the protocol, or a FATAL was sent.
func (c *conn) step() error {
	if c.terminating.Load() {
		return errAdminShutdown
	}
	idle, err := c.armIdleTimeout()
	if err != nil {
		return err
	}
	typ, body, err := c.frames.next()
	if idle {
		if err != nil && isTimeout(err) && !c.terminating.Load() {
			return errIdleInTransaction
		}
		c.netConn.SetReadDeadline(time.Time{})
	}
	if err != nil {
		return c.readFailure(err)
	}
	c.lastStatus = 0
	return c.handle(typ, body)
}

// idleTimer is implemented by sessions with an
// idle_in_transaction_session_timeout.
type idleTimer interface {
	// IdleInTransactionSessionTimeout bounds the wait for the next
	// command inside a transaction block; zero means no bound.
	IdleInTransactionSessionTimeout() time.Duration
}

// armIdleTimeout sets a read deadline for the next message when the
// client was last told that it is in a transaction block (or a failed
// one) and idle_in_transaction_session_timeout is set, and reports
// whether it did. Messages within an extended-protocol sequence, before
// their Sync, are not waited for idly, as in PostgreSQL.
func (c *conn) armIdleTimeout() (bool, error) {
	if c.lastStatus == 0 || c.lastStatus == byte(sql.TxnIdle) {
		return false, nil
	}
	t, ok := c.sess.(idleTimer)
	if !ok {
		return false, nil
	}
	d := t.IdleInTransactionSessionTimeout()
	if d <= 0 {
		return false, nil
	}
	c.netConn.SetReadDeadline(time.Now().Add(d))
	// Shutdown marks the connection before it interrupts the read with a
	// deadline of its own: if that deadline came first, ours replaced it.
	if c.terminating.Load() {
		return true, errAdminShutdown
	}
	return true, nil
}

// isTimeout reports whether err is a read deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// readFailure classifies an error from reading the next message.
func (c *conn) readFailure(err error) error {
	if c.terminating.Load() {
		return errAdminShutdown
	}
	return err
}

// endWith finishes the connection after err: a protocol error or shutdown
// is reported to the client as FATAL; a vanished client is just logged.
func (c *conn) endWith(err error) {
	var pe *pgerr.Error
	switch {
	case errors.Is(err, errTerminate):
		c.log.Debug().Msg("client terminated")
	case errors.As(err, &pe):
		if pe.Code == pgerr.ProtocolViolation {
			c.log.Warn().Str("error", pe.Message).Str("detail", pe.Detail).Msg("protocol violation; closing connection")
		}
		c.sendError(pe)
		c.flush()
	case isDisconnect(err):
		c.log.Debug().Err(err).Msg("client disconnected")
	default:
		c.log.Warn().Err(err).Msg("connection failed")
	}
}

// isDisconnect reports whether err means the client went away.
func isDisconnect(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.As(err, new(*net.OpError))
}

// recoverPanic turns a panic in this connection's goroutine into a log
// line with the stack and a FATAL XX000 for the client; the connection is
// then closed and the server goes on.
func (c *conn) recoverPanic() {
	r := recover()
	if r == nil {
		return
	}
	c.log.Error().Interface("panic", r).Bytes("stack", debug.Stack()).Msg("session panicked; closing connection")
	c.out = c.out[:0]
	c.outErr = nil
	c.send(errorResponse(panicError(r)))
	c.flush()
}

// close releases the session and the socket.
func (c *conn) close() {
	c.closeSession()
	c.releaseSlot()
	c.netConn.Close()
	c.log.Debug().Msg("connection closed")
}

func (c *conn) closeSession() {
	if c.sess == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			c.log.Error().Interface("panic", r).Bytes("stack", debug.Stack()).Msg("session close panicked")
		}
	}()
	c.ext.closeAll()
	c.sess.Close()
}

// reject sends a FATAL error to a connection that is not served and
// closes it.
func (c *conn) reject(e *pgerr.Error) {
	c.netConn.SetWriteDeadline(time.Now().Add(time.Second))
	c.send(errorResponse(e))
	c.flush()
	c.netConn.Close()
}

// requestTermination asks the connection to end at its next message: an
// idle connection's pending read is interrupted at once.
func (c *conn) requestTermination() {
	c.terminating.Store(true)
	c.netConn.SetReadDeadline(time.Now())
}

// forceClose cancels the running statement and closes the socket.
func (c *conn) forceClose() {
	c.cancelStatement(errAdminShutdown)
	c.netConn.Close()
}

// beginStatement returns the context for one unit of work that a
// CancelRequest may interrupt, and the function that ends it.
func (c *conn) beginStatement() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(c.ctx)
	c.mu.Lock()
	c.cancelFn = cancel
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		c.cancelFn = nil
		c.mu.Unlock()
		cancel(nil)
	}
}

// withStatementTimeout bounds ctx by the session's statement_timeout.
func (c *conn) withStatementTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if t, ok := c.sess.(statementTimer); ok {
		if d := t.StatementTimeout(); d > 0 {
			return context.WithTimeoutCause(ctx, d, errStatementTimeout)
		}
	}
	return ctx, func() {}
}

// cancelStatement cancels the running statement, if any, with cause.
func (c *conn) cancelStatement(cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancelFn != nil {
		c.cancelFn(cause)
	}
}

// newSecret draws the cancel key.
func (c *conn) newSecret() {
	rand.Read(c.secret[:])
}

// send encodes msg into the output buffer.
func (c *conn) send(msg pgproto3.BackendMessage) {
	if c.outErr != nil {
		return
	}
	out, err := msg.Encode(c.out)
	if err != nil {
		c.outErr = err
		return
	}
	c.out = out
}

// sendError sends e as ErrorResponse, preceded by the session's pending
// notices.
func (c *conn) sendError(e *pgerr.Error) {
	c.logError(e)
	c.sendNotices()
	c.send(errorResponse(e))
}

// logError logs an error sent to the client: internal errors are bugs
// worth an operator's attention; everything else is the client's business.
func (c *conn) logError(e *pgerr.Error) {
	ev := c.log.Debug()
	if e.Code == pgerr.InternalError {
		ev = c.log.Error()
	}
	ev.Str("severity", e.SeverityOrError()).Str("code", string(e.Code)).Str("error", e.Message).Msg("error sent to client")
}

// sendNotices sends the session's pending notices and warnings, those
// that client_min_messages lets through.
func (c *conn) sendNotices() {
	if c.sess == nil {
		return
	}
	notices := c.sess.TakeNotices()
	if len(notices) == 0 {
		return
	}
	min := minMessageLevel(c.sess)
	for _, n := range notices {
		if messageLevel(n.Severity) >= min {
			c.send(noticeResponse(n))
		}
	}
}

// settingReader is implemented by sessions whose settings the server
// reads (client_min_messages).
type settingReader interface {
	Setting(name string) (string, error)
}

// Message levels in client_min_messages order.
const (
	levelDebug = iota
	levelLog
	levelNotice
	levelWarning
	levelError
)

// messageLevel ranks a notice's severity; an unset one is a NOTICE.
func messageLevel(severity string) int {
	switch strings.ToUpper(severity) {
	case "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3", "DEBUG4", "DEBUG5":
		return levelDebug
	case "LOG":
		return levelLog
	case "", pgerr.SeverityNotice:
		return levelNotice
	case "INFO":
		// Sent whatever client_min_messages says, as in PostgreSQL.
		return levelError + 1
	case pgerr.SeverityWarning:
		return levelWarning
	}
	return levelError
}

// minMessageLevel is the session's client_min_messages.
func minMessageLevel(sess any) int {
	r, ok := sess.(settingReader)
	if !ok {
		return levelNotice
	}
	v, err := r.Setting("client_min_messages")
	if err != nil {
		return levelNotice
	}
	return messageLevel(v)
}

// flush writes the pending output.
func (c *conn) flush() error {
	if err := c.outErr; err != nil {
		c.outErr = nil
		c.out = c.out[:0]
		return err
	}
	if len(c.out) == 0 {
		return nil
	}
	_, err := c.output().Write(c.out)
	if cap(c.out) > 4*flushThreshold {
		c.out = make([]byte, 0, flushThreshold)
	} else {
		c.out = c.out[:0]
	}
	return err
}

// maybeFlush writes the pending output once it is large.
func (c *conn) maybeFlush() error {
	if len(c.out) < flushThreshold {
		return nil
	}
	return c.flush()
}

// readyForQuery reports changed settings and the transaction status and
// flushes: the client now waits for the server no more.
func (c *conn) readyForQuery() error {
	for _, p := range c.sess.TakeParamChanges() {
		c.send(&pgproto3.ParameterStatus{Name: p.Name, Value: p.Value})
	}
	c.lastStatus = byte(c.sess.Status())
	c.send(&pgproto3.ReadyForQuery{TxStatus: c.lastStatus})
	return c.flush()
}
