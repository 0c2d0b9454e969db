package server

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// handle dispatches one frontend message. While the extended protocol is
// skipping to Sync after an error, everything but Sync and Terminate is
// dropped unread, as PostgreSQL does.
func (c *conn) handle(typ byte, body []byte) error {
	switch typ {
	case msgTerminate:
		return errTerminate
	case msgSync:
		return c.sync()
	}
	if c.ext.skipToSync {
		return nil
	}
	if e := validateBody(typ, body); e != nil {
		return c.malformedMessage(typ, e)
	}
	switch typ {
	case msgQuery:
		return c.handleQuery(body)
	case msgParse, msgBind, msgDescribe, msgExecute, msgClose:
		return c.extendedMessage(typ, body)
	case msgFlush:
		return c.flush()
	case msgFunctionCall:
		return c.extendedError(pgerr.New(pgerr.FeatureNotSupported, "fastpath function calls are not supported"))
	case msgCopyData, msgCopyDone, msgCopyFail:
		// Outside COPY these are ignored, as PostgreSQL does: they are
		// usually the tail of a COPY that already failed.
		return nil
	}
	return protocolViolation("invalid frontend message type %d", typ)
}

// malformedMessage reports a message whose body does not parse, failing
// the transaction; an extended-protocol message then skips to Sync.
func (c *conn) malformedMessage(typ byte, e *pgerr.Error) error {
	c.serverError(e)
	if typ == msgQuery {
		c.sendError(e)
		return c.readyForQuery()
	}
	return c.extendedError(e)
}

// handleQuery runs a simple Query message: every statement in its string,
// in one implicit transaction, stopping at the first error.
func (c *conn) handleQuery(body []byte) error {
	var q pgproto3.Query
	if err := q.Decode(body); err != nil {
		return c.malformedMessage(msgQuery, invalidMessage("invalid message format"))
	}
	ctx, done := c.beginStatement()
	defer done()
	c.ext.dropUnnamed()
	if e := c.runQuery(ctx, q.String); e != nil {
		if isFatal(e) {
			return e
		}
		c.sendError(e)
	}
	c.ext.endOfTransaction(c.sess.Status())
	return c.readyForQuery()
}

// runQuery runs the statements of query and returns the error that
// stopped them, if any.
func (c *conn) runQuery(ctx context.Context, query string) *pgerr.Error {
	parsed, err := c.sess.Parse(query)
	if err != nil {
		return c.toPgError(ctx, err)
	}
	stmts := nonEmpty(parsed)
	if len(stmts) == 0 {
		c.send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	for i, p := range stmts {
		if err := c.runSimpleStatement(ctx, p, i == len(stmts)-1); err != nil {
			return c.toPgError(ctx, err)
		}
		if err := c.maybeFlush(); err != nil {
			return fatal(pgerr.ConnectionFailure, "could not send data to client: %v", err)
		}
	}
	return nil
}

func nonEmpty(parsed []*sql.Parsed) []*sql.Parsed {
	out := parsed[:0:0]
	for _, p := range parsed {
		if !p.Empty {
			out = append(out, p)
		}
	}
	return out
}

// runSimpleStatement runs one statement of a simple Query with text
// results. The last statement of the message commits the implicit
// transaction before its CommandComplete, so that a client never sees
// success before the commit is durable.
func (c *conn) runSimpleStatement(ctx context.Context, p *sql.Parsed, last bool) error {
	tag, err := c.runTimed(ctx, p)
	if err != nil {
		return err
	}
	if last {
		if err := c.sess.CommitImplicit(ctx); err != nil {
			return err
		}
	}
	c.sendNotices()
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return nil
}

// runTimed prepares and runs p under the session's statement_timeout and
// returns its command tag.
func (c *conn) runTimed(ctx context.Context, p *sql.Parsed) (string, error) {
	ctx, cancel := c.withStatementTimeout(ctx)
	defer cancel()
	st, err := c.sess.Prepare(ctx, p, nil)
	if err != nil {
		return "", c.toPgError(ctx, err)
	}
	if dir, format, codes := copyOf(st); dir != sql.NotCopy {
		tag, err := c.runCopy(ctx, st, dir, format, codes)
		if err != nil {
			return "", c.toPgError(ctx, err)
		}
		return tag, nil
	}
	if e := c.checkDiscard(st); e != nil {
		return "", e
	}
	// RowDescription follows a successful Execute: like PostgreSQL's,
	// errors found before the first row is computed come without one.
	cur, err := c.sess.Execute(ctx, st, nil)
	if err != nil {
		return "", c.toPgError(ctx, err)
	}
	defer cur.Close()
	cols := st.Columns()
	if cols != nil {
		c.sendRowDescription(cols, nil)
	}
	if _, _, err := c.sendRows(ctx, cur, cols, nil, 0); err != nil {
		return "", c.toPgError(ctx, err)
	}
	c.applyDiscard(st)
	return cur.Tag(), nil
}

// discarder is implemented by statements that drop prepared statements
// when they succeed: DEALLOCATE and DISCARD ALL. The server holds the
// prepared statements, so it carries that out.
type discarder interface {
	Discards() (name string, all, ok bool)
}

// checkDiscard fails a DEALLOCATE of a prepared statement that does not
// exist, as PostgreSQL does.
func (c *conn) checkDiscard(st Statement) *pgerr.Error {
	d, ok := st.(discarder)
	if !ok {
		return nil
	}
	name, all, ok := d.Discards()
	if !ok || all || c.ext.stmts[name] != nil {
		return nil
	}
	return c.serverError(pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement \"%s\" does not exist", name))
}

// applyDiscard drops the prepared statements that a successful DEALLOCATE
// or DISCARD ALL names. Portals made from them keep working, as in
// PostgreSQL, and so does the unnamed statement, which is no prepared
// statement of SQL's.
func (c *conn) applyDiscard(st Statement) {
	d, ok := st.(discarder)
	if !ok {
		return
	}
	name, all, ok := d.Discards()
	switch {
	case !ok:
	case all:
		for n := range c.ext.stmts {
			if n != "" {
				delete(c.ext.stmts, n)
			}
		}
	default:
		delete(c.ext.stmts, name)
	}
}
