package server

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// extendedState is the extended query protocol's per-connection state:
// prepared statements, portals, and whether an error has the connection
// skipping to the next Sync.
type extendedState struct {
	stmts      map[string]*preparedStatement
	portals    map[string]*portal
	skipToSync bool
}

// preparedStatement is what Parse makes. stmt is nil for an empty query.
type preparedStatement struct {
	name       string
	stmt       Statement
	paramTypes []types.T
	columns    []sql.Column
}

// portal is what Bind makes. Its cursor is opened by the first Execute, so
// that a statement runs only when asked to, and stays open while the
// portal is suspended at a row limit.
type portal struct {
	name    string
	stmt    *preparedStatement
	args    []types.Datum
	formats []int16 // one per column, nil for all text
	cursor  Cursor
	tag     string // the CommandComplete tag once it ran to completion
}

func (p *portal) closeCursor() {
	if p.cursor != nil {
		p.cursor.Close()
		p.cursor = nil
	}
}

func (x *extendedState) init() {
	x.stmts = make(map[string]*preparedStatement)
	x.portals = make(map[string]*portal)
}

// dropUnnamed forgets the unnamed statement and portal, as a simple Query
// does.
func (x *extendedState) dropUnnamed() {
	delete(x.stmts, "")
	x.closePortal("")
}

func (x *extendedState) closePortal(name string) {
	if p := x.portals[name]; p != nil {
		p.closeCursor()
		delete(x.portals, name)
	}
}

// endOfTransaction drops the portals once no transaction is open: like
// PostgreSQL's, they live only as long as the transaction that made them.
func (x *extendedState) endOfTransaction(status sql.TxnStatus) {
	if status == sql.TxnActive {
		return
	}
	x.closeAllPortals()
}

func (x *extendedState) closeAllPortals() {
	for name := range x.portals {
		x.closePortal(name)
	}
}

// closeAll releases every cursor at the end of the connection.
func (x *extendedState) closeAll() {
	x.closeAllPortals()
	clear(x.stmts)
}

// aborter is implemented by sessions that can be told that the server
// itself raised an error (a bad Bind, an unknown portal): the current
// transaction must then fail as it would for a statement's error.
type aborter interface {
	Abort()
}

// extendedMessage handles Parse, Bind, Describe, Execute or Close. An
// error is reported and makes the connection skip to the next Sync.
func (c *conn) extendedMessage(typ byte, body []byte) error {
	var e *pgerr.Error
	switch typ {
	case msgParse:
		e = c.parse(body)
	case msgBind:
		e = c.bind(body)
	case msgDescribe:
		e = c.describe(body)
	case msgExecute:
		e = c.execute(body)
	case msgClose:
		e = c.closeMessage(body)
	}
	if e != nil {
		return c.extendedError(e)
	}
	return nil
}

// extendedError sends e and starts skipping to Sync; a FATAL error is
// returned instead, for the connection to send as it ends.
func (c *conn) extendedError(e *pgerr.Error) error {
	if isFatal(e) {
		return e
	}
	c.sendError(e)
	c.ext.skipToSync = true
	return nil
}

// serverError fails the session's transaction for an error the server
// raised itself, then returns it; errors from the session have already
// done so.
func (c *conn) serverError(e *pgerr.Error) *pgerr.Error {
	if a, ok := c.sess.(aborter); ok {
		a.Abort()
	}
	return e
}

func (c *conn) malformed() *pgerr.Error {
	return c.serverError(invalidMessage("invalid message format"))
}

// parse handles Parse: one statement, prepared under a name.
func (c *conn) parse(body []byte) *pgerr.Error {
	var m pgproto3.Parse
	if m.Decode(body) != nil {
		return c.malformed()
	}
	if m.Name == "" {
		delete(c.ext.stmts, "")
	} else if c.ext.stmts[m.Name] != nil {
		return c.serverError(pgerr.New(pgerr.DuplicatePreparedStatement, "prepared statement \"%s\" already exists", m.Name))
	}
	ctx, done := c.beginStatement()
	defer done()
	ctx, cancel := c.withStatementTimeout(ctx)
	defer cancel()
	parsed, err := c.sess.Parse(m.Query)
	if err != nil {
		return c.toPgError(ctx, err)
	}
	stmts := nonEmpty(parsed)
	if len(stmts) > 1 {
		return c.serverError(pgerr.New(pgerr.SyntaxError, "cannot insert multiple commands into a prepared statement"))
	}
	oids := make([]types.OID, len(m.ParameterOIDs))
	for i, oid := range m.ParameterOIDs {
		oids[i] = types.OID(oid)
	}
	ps := &preparedStatement{name: m.Name}
	if len(stmts) == 0 {
		for _, oid := range oids {
			ps.paramTypes = append(ps.paramTypes, types.Of(oid))
		}
	} else {
		st, err := c.sess.Prepare(ctx, stmts[0], oids)
		if err != nil {
			return c.toPgError(ctx, err)
		}
		ps.stmt, ps.paramTypes, ps.columns = st, st.ParamTypes(), st.Columns()
	}
	c.ext.stmts[m.Name] = ps
	c.send(&pgproto3.ParseComplete{})
	return nil
}

// statement returns the prepared statement name refers to.
func (c *conn) statement(name string) (*preparedStatement, *pgerr.Error) {
	if ps := c.ext.stmts[name]; ps != nil {
		return ps, nil
	}
	if name == "" {
		return nil, c.serverError(pgerr.New(pgerr.InvalidSQLStatementName, "unnamed prepared statement does not exist"))
	}
	return nil, c.serverError(pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement \"%s\" does not exist", name))
}

// portal returns the portal name refers to.
func (c *conn) portal(name string) (*portal, *pgerr.Error) {
	if p := c.ext.portals[name]; p != nil {
		return p, nil
	}
	return nil, c.serverError(pgerr.New(pgerr.InvalidCursorName, "portal \"%s\" does not exist", name))
}

// bind handles Bind: a portal from a statement and argument values.
func (c *conn) bind(body []byte) *pgerr.Error {
	var m pgproto3.Bind
	// Parameter values point into the message, whose buffer the next
	// message reuses: they are decoded into values of their own
	// (decodeParams) and not kept.
	if m.Decode(body) != nil {
		return c.malformed()
	}
	ps, e := c.statement(m.PreparedStatement)
	if e != nil {
		return e
	}
	if m.DestinationPortal != "" && c.ext.portals[m.DestinationPortal] != nil {
		return c.serverError(pgerr.New("42P03", "cursor \"%s\" already exists", m.DestinationPortal))
	}
	if e := checkParamCounts(&m, ps); e != nil {
		return c.serverError(e)
	}
	args, e := decodeParams(ps.paramTypes, m.ParameterFormatCodes, m.Parameters, c.paramFormat)
	if e != nil {
		return c.serverError(e)
	}
	formats, e := resultFormats(m.ResultFormatCodes, len(ps.columns))
	if e != nil {
		return c.serverError(e)
	}
	c.ext.closePortal(m.DestinationPortal)
	c.ext.portals[m.DestinationPortal] = &portal{name: m.DestinationPortal, stmt: ps, args: args, formats: formats}
	c.send(&pgproto3.BindComplete{})
	return nil
}

// paramFormat is the session's settings for reading text parameters, with
// 'now' the time of the Bind.
func (c *conn) paramFormat() *types.FormatOptions {
	opts := types.DefaultFormat
	if f := c.sess.Format(); f != nil {
		opts = *f
	}
	opts.Now = time.Now()
	return &opts
}

func checkParamCounts(m *pgproto3.Bind, ps *preparedStatement) *pgerr.Error {
	if n := len(m.ParameterFormatCodes); n > 1 && n != len(m.Parameters) {
		return pgerr.New(pgerr.ProtocolViolation, "bind message has %d parameter formats but %d parameters", n, len(m.Parameters))
	}
	if len(m.Parameters) != len(ps.paramTypes) {
		return pgerr.New(pgerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement \"%s\" requires %d",
			len(m.Parameters), ps.name, len(ps.paramTypes))
	}
	return nil
}

// describe handles Describe of a statement or a portal.
func (c *conn) describe(body []byte) *pgerr.Error {
	var m pgproto3.Describe
	if m.Decode(body) != nil {
		return c.malformed()
	}
	switch m.ObjectType {
	case 'S':
		ps, e := c.statement(m.Name)
		if e != nil {
			return e
		}
		oids := make([]uint32, len(ps.paramTypes))
		for i, t := range ps.paramTypes {
			oids[i] = uint32(t.OID)
		}
		c.send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		c.describeColumns(ps, nil)
	case 'P':
		p, e := c.portal(m.Name)
		if e != nil {
			return e
		}
		c.describeColumns(p.stmt, p.formats)
	default:
		return c.serverError(invalidMessage("invalid DESCRIBE message subtype %d", m.ObjectType))
	}
	return nil
}

func (c *conn) describeColumns(ps *preparedStatement, formats []int16) {
	if ps.columns == nil {
		c.send(&pgproto3.NoData{})
		return
	}
	c.sendRowDescription(ps.columns, formats)
}

// execute handles Execute: runs the portal, or resumes it, sending at
// most MaxRows rows before PortalSuspended.
func (c *conn) execute(body []byte) *pgerr.Error {
	var m pgproto3.Execute
	if m.Decode(body) != nil {
		return c.malformed()
	}
	p, e := c.portal(m.Portal)
	if e != nil {
		return e
	}
	if p.stmt.stmt == nil {
		c.send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if p.tag != "" {
		return c.rerun(p)
	}
	ctx, done := c.beginStatement()
	defer done()
	ctx, cancel := c.withStatementTimeout(ctx)
	defer cancel()
	if dir, format, codes := copyOf(p.stmt.stmt); dir != sql.NotCopy {
		return c.executeCopy(ctx, p, dir, format, codes)
	}
	if p.cursor == nil {
		if e := c.checkDiscard(p.stmt.stmt); e != nil {
			return e
		}
		cur, err := c.sess.Execute(ctx, p.stmt.stmt, p.args)
		if err != nil {
			return c.toPgError(ctx, err)
		}
		p.cursor = cur
	}
	limit := int(int32(m.MaxRows)) // as PostgreSQL, a "negative" limit is none
	n, suspended, err := c.sendRows(ctx, p.cursor, p.stmt.columns, p.formats, limit)
	if err != nil {
		p.closeCursor()
		return c.toPgError(ctx, err)
	}
	if suspended {
		c.send(&pgproto3.PortalSuspended{})
		return nil
	}
	p.tag = p.cursor.Tag()
	p.closeCursor()
	c.applyDiscard(p.stmt.stmt)
	tag := p.tag
	if p.stmt.columns != nil {
		tag = rowsTagFor(tag, n)
	}
	c.sendNotices()
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return nil
}

// executeCopy runs a COPY portal's sub-protocol.
func (c *conn) executeCopy(ctx context.Context, p *portal, dir sql.CopyDirection, format byte, codes []uint16) *pgerr.Error {
	tag, err := c.runCopy(ctx, p.stmt.stmt, dir, format, codes)
	if err != nil {
		return c.toPgError(ctx, err)
	}
	p.tag = tag
	c.sendNotices()
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return nil
}

// rerun handles Execute of a portal that already ran to completion: a
// query fetches nothing more, anything else cannot run twice.
func (c *conn) rerun(p *portal) *pgerr.Error {
	if p.stmt.columns != nil {
		c.send(&pgproto3.CommandComplete{CommandTag: []byte(rowsTagFor(p.tag, 0))})
		return nil
	}
	return c.serverError(pgerr.New(pgerr.ObjectNotInPrerequisiteState, "portal \"%s\" cannot be run", p.name))
}

// closeMessage handles Close of a statement or a portal; closing one that
// does not exist is not an error.
func (c *conn) closeMessage(body []byte) *pgerr.Error {
	var m pgproto3.Close
	if m.Decode(body) != nil {
		return c.malformed()
	}
	switch m.ObjectType {
	case 'S':
		delete(c.ext.stmts, m.Name)
	case 'P':
		c.ext.closePortal(m.Name)
	default:
		return c.serverError(invalidMessage("invalid CLOSE message subtype %d", m.ObjectType))
	}
	c.send(&pgproto3.CloseComplete{})
	return nil
}

// sync handles Sync: ends the implicit transaction and reports readiness.
func (c *conn) sync() error {
	c.ext.skipToSync = false
	if err := c.sess.CommitImplicit(c.ctx); err != nil {
		e := c.toPgError(c.ctx, err)
		if isFatal(e) {
			return e
		}
		c.sendError(e)
	}
	c.sendNotices()
	c.ext.endOfTransaction(c.sess.Status())
	return c.readyForQuery()
}
