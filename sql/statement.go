package sql

import (
	"context"
	"strconv"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/exec"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// stmtKind classifies statements for transaction handling.
type stmtKind uint8

const (
	kindQuery   stmtKind = iota // SELECT: reads only
	kindWrite                   // INSERT/UPDATE/DELETE and DDL: takes the writer lock first
	kindTxn                     // BEGIN/COMMIT/ROLLBACK: handled by the session itself
	kindSession                 // SET/SHOW/RESET and the like: no storage access
)

// Statement is a prepared statement: bound and planned against the
// catalog it was prepared with, re-prepared automatically when the schema
// changed since.
type Statement struct {
	parsed     *Parsed
	kind       stmtKind
	paramTypes []types.T
	columns    []Column
	// plan is set for SELECT/INSERT/UPDATE/DELETE; run for utility
	// statements, which execute directly.
	plan planner.Node
	run  utilityFunc
	tag  string // command tag for plans ("SELECT", "INSERT", ...)
	cat  *storage.Catalog
	// requested are the parameter types the client gave at Prepare.
	requested []types.OID
	// copy is set for COPY statements, which the server runs with
	// CopyFrom or CopyTo instead of Execute.
	copy *copySpec
	// discard is set for DEALLOCATE and DISCARD ALL, which drop prepared
	// statements: the server keeps those, so it carries them out.
	discard *discardSpec
	// asRole is the role whose privileges the binder checked.
	asRole types.OID
}

// discardSpec names the prepared statements a statement drops: one by
// name, or all of them.
type discardSpec struct {
	name string
	all  bool
}

// Discards reports which prepared statements st drops when it succeeds:
// DEALLOCATE name gives name, DEALLOCATE ALL and DISCARD ALL give all. The
// server holds the prepared statements (of the protocol's Parse and of
// SQL alike, one namespace as in PostgreSQL), so it drops them, and fails
// a DEALLOCATE of a name it does not have.
func (st *Statement) Discards() (name string, all, ok bool) {
	if st.discard == nil {
		return "", false, false
	}
	return st.discard.name, st.discard.all, true
}

// utilityFunc executes a statement that has no plan, returning its rows
// (for SHOW and EXPLAIN) and its command tag.
type utilityFunc func(ctx context.Context, s *Session) ([][]types.Datum, string, error)

// ParamTypes are the types of $1..$n.
func (st *Statement) ParamTypes() []types.T { return st.paramTypes }

// Columns describes the result rows; nil when the statement returns none.
func (st *Statement) Columns() []Column { return st.columns }

// Parse splits query into statements; see the package-level Parse. A
// syntax error aborts the current transaction, as every error does.
func (s *Session) Parse(query string) ([]*Parsed, error) {
	parsed, err := Parse(query)
	if err != nil {
		s.fail()
	}
	return parsed, err
}

// Abort is what any error does to the session's transaction: inside BEGIN
// it enters the failed state, outside the implicit transaction is rolled
// back. The server calls it for errors it finds itself (a Bind whose
// parameters do not decode, say); errors returned by Session methods have
// already done it.
func (s *Session) Abort() { s.fail() }

// Prepare binds and plans one statement. paramTypes may leave types
// unspecified (0); they are then inferred from context. A nil paramTypes
// means the statement comes from a simple Query message, where $n
// parameters do not exist; the extended protocol passes a non-nil slice,
// empty when the client gave no types.
func (s *Session) Prepare(ctx context.Context, p *Parsed, paramTypes []types.OID) (*Statement, error) {
	if s.failed && !endsTransaction(p) {
		return nil, errAborted()
	}
	st, err := s.prepare(p, paramTypes)
	if err != nil {
		s.fail()
	}
	return st, err
}

func (s *Session) prepare(p *Parsed, paramTypes []types.OID) (*Statement, error) {
	st := &Statement{parsed: p, requested: paramTypes, cat: s.catalog(), asRole: s.currentRoleOID()}
	if p.Empty {
		st.kind = kindSession
		st.run = func(context.Context, *Session) ([][]types.Datum, string, error) { return nil, "", nil }
		return st, nil
	}
	b := newBinder(st.cat, s.e.reg, p.query, paramTypes, s.searchPath())
	b.acc = s.access(st.cat)
	b.pgVersion = p.version
	b.format = s.literalFormat()
	if err := s.bindStatement(st, b, p.stmt); err != nil {
		return nil, err
	}
	params, err := b.checkParams()
	if err != nil {
		return nil, err
	}
	st.paramTypes = params
	return st, nil
}

// bindStatement fills st from the parse tree: a plan for queries and DML,
// a utility function for everything else.
func (s *Session) bindStatement(st *Statement, b *binder, n *pg_query.Node) error {
	var plan planner.Node
	var err error
	switch x := n.Node.(type) {
	case *pg_query.Node_SelectStmt:
		st.kind, st.tag = kindQuery, "SELECT"
		plan, err = b.selectStmt(x.SelectStmt)
	case *pg_query.Node_InsertStmt:
		st.kind, st.tag = kindWrite, "INSERT"
		plan, err = b.insertStmt(x.InsertStmt)
	case *pg_query.Node_UpdateStmt:
		st.kind, st.tag = kindWrite, "UPDATE"
		plan, err = b.updateStmt(x.UpdateStmt)
	case *pg_query.Node_DeleteStmt:
		st.kind, st.tag = kindWrite, "DELETE"
		plan, err = b.deleteStmt(x.DeleteStmt)
	case *pg_query.Node_ExplainStmt:
		return s.bindExplain(st, b, x.ExplainStmt)
	case *pg_query.Node_CopyStmt:
		return s.bindCopy(st, b, x.CopyStmt)
	case *pg_query.Node_DeallocateStmt:
		d := x.DeallocateStmt
		st.kind, st.tag = kindSession, "DEALLOCATE"
		if d.Isall {
			st.tag = "DEALLOCATE ALL"
		}
		tag := st.tag
		st.run = func(context.Context, *Session) ([][]types.Datum, string, error) { return nil, tag, nil }
		st.discard = &discardSpec{name: d.Name, all: d.Isall}
		return nil
	default:
		if err := s.bindUtility(st, b, n); err != nil {
			return err
		}
		if d := n.GetDiscardStmt(); d != nil && d.Target == pg_query.DiscardMode_DISCARD_ALL {
			st.discard = &discardSpec{all: true}
		}
		return nil
	}
	if err != nil {
		return err
	}
	st.plan = planner.OptimizeWith(plan, b.cat, s.e.indexDefs)
	st.columns = columnsOf(plan.Schema())
	if (st.tag == "INSERT" || st.tag == "UPDATE" || st.tag == "DELETE") && len(st.columns) == 0 {
		st.columns = nil
	}
	return nil
}

func columnsOf(out []planner.OutCol) []Column {
	cols := make([]Column, len(out))
	for i, c := range out {
		cols[i] = Column{Name: c.Name, Type: c.T, TableOID: c.TableOID, Attnum: c.Attnum}
	}
	return cols
}

// Cursor is an executing statement: pull its rows with Next, then read
// its command tag.
type Cursor struct {
	s      *Session
	st     *Statement
	res    *exec.Result
	rows   [][]types.Datum // utility statements' rows
	tag    string
	done   bool
	closed bool
}

// Execute starts a prepared statement with the given arguments.
func (s *Session) Execute(ctx context.Context, st *Statement, args []types.Datum) (*Cursor, error) {
	if s.failed && !allowedWhenFailed(st) {
		return nil, errAborted()
	}
	if len(args) != len(st.paramTypes) {
		return nil, pgerr.New(pgerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d",
			len(args), len(st.paramTypes))
	}
	if st.copy != nil {
		return nil, pgerr.New(pgerr.InternalError, "sql: a COPY statement runs with CopyFrom or CopyTo, not Execute")
	}
	s.markActive(st.parsed.SQL)
	c := &Cursor{s: s, st: st}
	if st.kind == kindTxn || st.kind == kindSession {
		rows, tag, err := st.run(ctx, s)
		if err != nil {
			if st.kind == kindSession {
				s.failStatement()
			}
			return nil, err
		}
		c.rows, c.tag = rows, tag
		return c, nil
	}
	s.beginTxn()
	// A writer takes the lock first, then checks its plan against the
	// schema: DDL committed while it waited must not go unnoticed.
	if st.kind == kindWrite {
		if err := s.txn.LockForWrite(ctx); err != nil {
			s.failStatement()
			return nil, err
		}
	}
	if err := s.refresh(st); err != nil {
		s.failStatement()
		return nil, err
	}
	if st.run != nil {
		s.txn.StartStatement()
		rows, tag, err := st.run(ctx, s)
		s.txn.EndStatement()
		if err != nil {
			s.failStatement()
			return nil, err
		}
		c.rows, c.tag = rows, tag
		return c, nil
	}
	s.txn.StartStatement()
	env := &stmtEnv{s: s, ctx: ctx, start: time.Now()}
	res, err := exec.Start(ctx, st.plan, &exec.Runtime{Txn: s.txn, Env: env, Indexes: sessionIndexes{s}, Params: args, Format: s.Format()})
	if err != nil {
		s.txn.EndStatement()
		s.failStatement()
		return nil, err
	}
	c.res = res
	return c, nil
}

// literalFormat is the session's formatting settings with 'now' set, for
// reading literals at bind time.
func (s *Session) literalFormat() *types.FormatOptions {
	f := *s.Format()
	f.Now = time.Now()
	return &f
}

// refresh binds st again when the schema changed since it was prepared,
// so that a cached statement never runs against stale table descriptors.
func (s *Session) refresh(st *Statement) error {
	if st.cat == s.catalog() && st.asRole == s.currentRoleOID() {
		return nil
	}
	fresh, err := s.prepare(st.parsed, st.requested)
	if err != nil {
		return err
	}
	if !sameColumns(fresh.columns, st.columns) {
		return pgerr.New(pgerr.FeatureNotSupported, "cached plan must not change result type")
	}
	*st = *fresh
	return nil
}

func sameColumns(a, b []Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type.OID != b[i].Type.OID {
			return false
		}
	}
	return true
}

func errAborted() error {
	return pgerr.New(pgerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
}

// endsTransaction reports whether a parsed statement is one that a
// failed transaction accepts: COMMIT, ROLLBACK and their spellings.
func endsTransaction(p *Parsed) bool {
	if p.Empty {
		return true
	}
	ts := p.stmt.GetTransactionStmt()
	if ts == nil {
		return false
	}
	switch ts.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT, pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK,
		pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO, pg_query.TransactionStmtKind_TRANS_STMT_PREPARE,
		pg_query.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED, pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_PREPARED:
		return true
	}
	return false
}

// allowedWhenFailed says which statements run in a failed transaction:
// only those that end it.
func allowedWhenFailed(st *Statement) bool {
	return st.kind == kindTxn && st.tag != "BEGIN" && st.tag != "SAVEPOINT" && st.tag != "RELEASE"
}

// failStatement is fail() for errors raised while a statement runs.
func (s *Session) failStatement() { s.fail() }

// Next returns the next row, or nil at the end.
func (c *Cursor) Next(ctx context.Context) ([]types.Datum, error) {
	if c.done {
		return nil, nil
	}
	if c.res == nil {
		if len(c.rows) > 0 {
			row := c.rows[0]
			c.rows = c.rows[1:]
			return row, nil
		}
		c.finish()
		return nil, nil
	}
	row, err := c.res.Next(ctx)
	if err != nil {
		c.closeRes()
		c.done = true
		c.s.failStatement()
		return nil, err
	}
	if row == nil {
		c.finish()
		return nil, nil
	}
	return row, nil
}

func (c *Cursor) finish() {
	c.done = true
	if c.res == nil {
		return
	}
	n := c.res.Count()
	c.closeRes()
	switch c.st.tag {
	case "INSERT":
		c.tag = "INSERT 0 " + strconv.FormatInt(n, 10)
	default:
		c.tag = c.st.tag + " " + strconv.FormatInt(n, 10)
	}
}

func (c *Cursor) closeRes() {
	if c.res != nil && !c.closed {
		c.closed = true
		c.res.Close()
		if c.s.txn != nil {
			c.s.txn.EndStatement()
		}
	}
}

// Tag is the command tag, valid once Next has returned nil.
func (c *Cursor) Tag() string { return c.tag }

// Close releases the cursor; a cursor closed before its end (a portal the
// client abandoned) keeps the transaction usable.
func (c *Cursor) Close() { c.closeRes() }

// stmtEnv is the planner.Env of one statement.
type stmtEnv struct {
	s     *Session
	ctx   context.Context
	start time.Time
}

func (e *stmtEnv) StatementTime() time.Time   { return e.start }
func (e *stmtEnv) TransactionTime() time.Time { return e.s.txnStart }
func (e *stmtEnv) Setting(name string) (string, error) {
	return e.s.Setting(name)
}
func (e *stmtEnv) SetSetting(name, value string, local bool) (string, error) {
	return e.s.set(name, value, local, true)
}
func (e *stmtEnv) Format() *types.FormatOptions { return e.s.Format() }
func (e *stmtEnv) Database() string             { return e.s.database }
func (e *stmtEnv) User() string                 { return e.s.currentUser() }
func (e *stmtEnv) BackendPID() int32            { return e.s.pid }

func (e *stmtEnv) sequence(oid types.OID) (*storage.Sequence, error) {
	seq, ok := e.s.catalog().Sequence(oid)
	if !ok {
		if _, isTable := e.s.catalog().Table(oid); isTable {
			t, _ := e.s.catalog().Table(oid)
			return nil, pgerr.New(pgerr.WrongObjectType, "\"%s\" is not a sequence", t.Name)
		}
		return nil, pgerr.New(pgerr.UndefinedTable, "could not open relation with OID %d", oid)
	}
	return seq, nil
}

func (e *stmtEnv) NextVal(oid types.OID) (int64, error) {
	seq, err := e.sequence(oid)
	if err != nil {
		return 0, err
	}
	v, err := e.s.txn.NextVal(e.ctx, seq)
	if err != nil {
		return 0, err
	}
	e.s.currvals[oid] = v
	e.s.lastSeq = oid
	return v, nil
}

// LastVal implements lastval(): the value nextval last returned in this
// session, whichever sequence it came from (its currval).
func (e *stmtEnv) LastVal() (int64, error) {
	v, ok := e.s.currvals[e.s.lastSeq]
	if _, exists := e.s.catalog().Sequence(e.s.lastSeq); !ok || !exists {
		return 0, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "lastval is not yet defined in this session")
	}
	return v, nil
}

// SequenceState returns a sequence's last value and whether nextval has
// returned it, for SELECT * FROM seq and pg_sequences.
func (e *stmtEnv) SequenceState(oid types.OID) (last int64, isCalled bool, err error) {
	seq, err := e.sequence(oid)
	if err != nil {
		return 0, false, err
	}
	return e.s.txn.SequenceState(seq)
}

func (e *stmtEnv) CurrVal(oid types.OID) (int64, error) {
	seq, err := e.sequence(oid)
	if err != nil {
		return 0, err
	}
	v, ok := e.s.currvals[oid]
	if !ok {
		return 0, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "currval of sequence \"%s\" is not yet defined in this session", seq.Name)
	}
	return v, nil
}

func (e *stmtEnv) SetVal(oid types.OID, v int64, isCalled bool) (int64, error) {
	seq, err := e.sequence(oid)
	if err != nil {
		return 0, err
	}
	if err := e.s.txn.SetVal(e.ctx, seq, v, isCalled); err != nil {
		return 0, err
	}
	if isCalled {
		e.s.currvals[oid] = v
	}
	return v, nil
}

func (e *stmtEnv) Catalog() *storage.Catalog { return e.s.catalog() }
func (e *stmtEnv) SearchPath() []string      { return e.s.searchPath() }

func (e *stmtEnv) RelationOID(name string) (types.OID, error) {
	b := &binder{cat: e.s.catalog(), searchPath: e.s.searchPath()}
	oid, ok := b.relationOID("", name)
	if !ok {
		return 0, pgerr.New(pgerr.UndefinedTable, "relation \"%s\" does not exist", name)
	}
	return oid, nil
}
