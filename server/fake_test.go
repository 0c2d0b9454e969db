package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// fakeEngine is a stand-in for the sql engine with a tiny command
// language, one command per statement (statements split at ';'):
//
//	series N            one int8 column "n" with rows 1..N
//	failafter N         like series, then division_by_zero after N rows
//	echo T...           parameters of the named types, returned as one row
//	fail CODE MESSAGE   fails with that SQLSTATE when executed
//	insert X            records X, committed with the transaction
//	notice MESSAGE      sends a NOTICE
//	set NAME VALUE      reports a changed setting
//	begincommitfail     makes the next implicit commit fail
//	begin|commit|rollback
//	fatal               fails with a FATAL error
//	copyin N            COPY FROM STDIN of N text columns, one row a line;
//	                    a line "bad" fails it (copyinbin: binary format)
//	copyout             COPY TO STDOUT of the lines "1" and "2"
//	sleep               blocks until cancelled
//	panic               panics
//	anything with "syntax" fails to parse; "--" starts an empty statement
type fakeEngine struct {
	mu        sync.Mutex
	committed []string
	noSleep   bool         // sleep fails at once instead (for fuzzing)
	refuse    *pgerr.Error // NewSession's error, if set
	sessions  []*fakeSession
	started   chan struct{} // receives when a sleep begins, if non-nil
	// idleTimeout is every session's idle_in_transaction_session_timeout.
	idleTimeout time.Duration
}

func (e *fakeEngine) NewSession(p sql.SessionParams) (Session, error) {
	if e.refuse != nil {
		return nil, e.refuse
	}
	e.mu.Lock()
	s := &fakeSession{eng: e, params: p, status: sql.TxnIdle, pid: int32(100 + len(e.sessions)), idleTimeout: e.idleTimeout}
	e.sessions = append(e.sessions, s)
	e.mu.Unlock()
	return s, nil
}

func (e *fakeEngine) committedRows() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.committed...)
}

type fakeSession struct {
	eng     *fakeEngine
	pid     int32
	params  sql.SessionParams
	status  sql.TxnStatus
	pending []string
	notices []*pgerr.Error
	changes []sql.ParamStatus
	closed  bool

	commitFails bool
	timeout     time.Duration
	idleTimeout time.Duration
}

func (s *fakeSession) StatementTimeout() time.Duration { return s.timeout }

func (s *fakeSession) IdleInTransactionSessionTimeout() time.Duration { return s.idleTimeout }

func (s *fakeSession) CopyFrom(ctx context.Context, st Statement, src io.Reader) (string, error) {
	sc := bufio.NewScanner(src)
	n := 0
	for sc.Scan() {
		if sc.Text() == "bad" {
			return "", s.fail(pgerr.New(pgerr.BadCopyFileFormat, "bad copy line %d", n+1))
		}
		s.pending = append(s.pending, "copy:"+sc.Text())
		n++
	}
	if err := sc.Err(); err != nil {
		s.Abort()
		return "", err
	}
	return fmt.Sprintf("COPY %d", n), nil
}

func (s *fakeSession) CopyTo(ctx context.Context, st Statement, emit func([]byte) error) (string, error) {
	for _, line := range []string{"1\n", "2\n"} {
		if err := emit([]byte(line)); err != nil {
			return "", err
		}
	}
	return "COPY 2", nil
}

func (s *fakeSession) PID() int32 { return s.pid }

func (s *fakeSession) StartupParams() []sql.ParamStatus {
	ps := []sql.ParamStatus{
		{Name: "server_version", Value: "17.0"},
		{Name: "server_encoding", Value: "UTF8"},
		{Name: "client_encoding", Value: "UTF8"},
		{Name: "DateStyle", Value: "ISO, MDY"},
		{Name: "integer_datetimes", Value: "on"},
		{Name: "standard_conforming_strings", Value: "on"},
		{Name: "TimeZone", Value: "UTC"},
	}
	if app, ok := s.params.Options["application_name"]; ok {
		ps = append(ps, sql.ParamStatus{Name: "application_name", Value: app})
	}
	return ps
}

func (s *fakeSession) Parse(query string) ([]*sql.Parsed, error) {
	if i := strings.Index(query, "syntax"); i >= 0 {
		return nil, &pgerr.Error{Code: pgerr.SyntaxError, Message: `syntax error at or near "syntax"`, Position: int32(i + 1)}
	}
	var out []*sql.Parsed
	for part := range strings.SplitSeq(query, ";") {
		part = strings.TrimSpace(part)
		if strings.HasPrefix(part, "--") {
			part = ""
		}
		out = append(out, &sql.Parsed{SQL: part, Empty: part == ""})
	}
	return out, nil
}

type fakeStatement struct {
	words   []string
	params  []types.T
	columns []sql.Column

	copyDir    sql.CopyDirection
	copyBinary bool
	copyCols   int
}

func (st *fakeStatement) Copy() (sql.CopyDirection, bool, int) {
	return st.copyDir, st.copyBinary, st.copyCols
}

func (st *fakeStatement) ParamTypes() []types.T { return st.params }
func (st *fakeStatement) Columns() []sql.Column { return st.columns }

var int8Column = []sql.Column{{Name: "n", Type: types.TInt8}}

func (s *fakeSession) Prepare(ctx context.Context, p *sql.Parsed, paramTypes []types.OID) (Statement, error) {
	if s.status == sql.TxnFailed && p.SQL != "rollback" {
		return nil, s.fail(pgerr.New(pgerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block"))
	}
	st := &fakeStatement{words: strings.Fields(p.SQL)}
	if len(st.words) == 0 {
		st.words = []string{""}
	}
	switch st.words[0] {
	case "series", "failafter":
		st.columns = int8Column
	case "echo":
		for i, name := range st.words[1:] {
			oid, ok := types.TypeByName(name)
			if !ok {
				return nil, s.fail(pgerr.New(pgerr.UndefinedObject, "type \"%s\" does not exist", name))
			}
			st.params = append(st.params, types.Of(oid))
			st.columns = append(st.columns, sql.Column{Name: fmt.Sprintf("p%d", i+1), Type: types.Of(oid)})
		}
	case "copyin", "copyinbin":
		st.copyDir, st.copyBinary = sql.CopyIn, st.words[0] == "copyinbin"
		if len(st.words) > 1 {
			st.copyCols, _ = strconv.Atoi(st.words[1])
		}
		st.copyCols = max(st.copyCols, 0)
	case "copyout":
		st.copyDir, st.copyCols = sql.CopyOut, 1
	case "begincommitfail", "fatal", "fail", "insert", "notice", "set", "begin", "commit", "rollback", "sleep", "panic":
	default:
		return nil, s.fail(pgerr.New(pgerr.SyntaxError, "unknown command %q", st.words[0]))
	}
	return st, nil
}

// fail ends the transaction as a statement error does.
func (s *fakeSession) fail(e *pgerr.Error) *pgerr.Error {
	s.Abort()
	return e
}

// Abort implements aborter.
func (s *fakeSession) Abort() {
	s.pending = nil
	if s.status == sql.TxnActive {
		s.status = sql.TxnFailed
	}
}

func (s *fakeSession) Execute(ctx context.Context, stmt Statement, args []types.Datum) (Cursor, error) {
	st := stmt.(*fakeStatement)
	arg := func(i int) string {
		if i < len(st.words) {
			return st.words[i]
		}
		return ""
	}
	cur := &fakeCursor{s: s}
	switch st.words[0] {
	case "series", "failafter":
		n, _ := strconv.Atoi(arg(1))
		for i := 1; i <= n; i++ {
			cur.rows = append(cur.rows, []types.Datum{int64(i)})
		}
		cur.tag = "SELECT " + strconv.Itoa(n)
		if st.words[0] == "failafter" {
			cur.err = pgerr.New(pgerr.DivisionByZero, "division by zero")
		}
	case "echo":
		cur.rows = [][]types.Datum{args}
		cur.tag = "SELECT 1"
	case "fail":
		return nil, s.fail(pgerr.New(pgerr.Code(arg(1)), "%s", strings.Join(st.words[min(2, len(st.words)):], " ")))
	case "insert":
		s.pending = append(s.pending, arg(1))
		cur.tag = "INSERT 0 1"
	case "fatal":
		return nil, fatal(pgerr.AdminShutdown, "terminating connection due to administrator command")
	case "begincommitfail":
		s.commitFails = true
		cur.tag = "DO"
	case "notice":
		s.notices = append(s.notices, &pgerr.Error{Severity: pgerr.SeverityNotice, Code: pgerr.SuccessfulCompletion, Message: strings.Join(st.words[1:], " ")})
		cur.tag = "DO"
	case "set":
		if arg(1) == "statement_timeout" {
			ms, _ := strconv.Atoi(arg(2))
			s.timeout = time.Duration(ms) * time.Millisecond
		} else {
			s.changes = append(s.changes, sql.ParamStatus{Name: arg(1), Value: arg(2)})
		}
		cur.tag = "SET"
	case "begin":
		s.status = sql.TxnActive
		cur.tag = "BEGIN"
	case "commit":
		s.commit()
		s.status = sql.TxnIdle
		cur.tag = "COMMIT"
	case "rollback":
		s.pending = nil
		s.status = sql.TxnIdle
		cur.tag = "ROLLBACK"
	case "sleep":
		if s.eng.noSleep {
			return nil, s.fail(pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout"))
		}
		if s.eng.started != nil {
			s.eng.started <- struct{}{}
		}
		<-ctx.Done()
		return nil, s.fail(pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request"))
	case "panic":
		panic("fake session panic")
	}
	return cur, nil
}

func (s *fakeSession) commit() {
	s.eng.mu.Lock()
	s.eng.committed = append(s.eng.committed, s.pending...)
	s.eng.mu.Unlock()
	s.pending = nil
}

func (s *fakeSession) CommitImplicit(ctx context.Context) error {
	if s.commitFails {
		s.commitFails = false
		s.pending = nil
		return pgerr.New(pgerr.SerializationFailure, "could not serialize access")
	}
	if s.status == sql.TxnIdle {
		s.commit()
	}
	return nil
}

func (s *fakeSession) Status() sql.TxnStatus        { return s.status }
func (s *fakeSession) Format() *types.FormatOptions { return nil }

func (s *fakeSession) TakeParamChanges() []sql.ParamStatus {
	c := s.changes
	s.changes = nil
	return c
}

func (s *fakeSession) TakeNotices() []*pgerr.Error {
	n := s.notices
	s.notices = nil
	return n
}

func (s *fakeSession) Close() {
	s.pending = nil
	s.closed = true
}

type fakeCursor struct {
	s    *fakeSession
	rows [][]types.Datum
	err  error
	tag  string
}

func (c *fakeCursor) Next(ctx context.Context) ([]types.Datum, error) {
	if len(c.rows) == 0 {
		if c.err != nil {
			return nil, c.s.fail(pgerr.From(c.err))
		}
		return nil, nil
	}
	row := c.rows[0]
	c.rows = c.rows[1:]
	return row, nil
}

func (c *fakeCursor) Tag() string { return c.tag }
func (c *fakeCursor) Close()      {}
