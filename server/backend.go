package server

import (
	"context"
	"io"
	"time"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Engine opens a Session for each client connection. SQLEngine adapts
// *sql.Engine to it; tests use a small fake.
type Engine interface {
	// NewSession starts a session for a client that completed startup.
	// Its error is sent to the client as FATAL.
	NewSession(p sql.SessionParams) (Session, error)
}

// Session is the part of *sql.Session that the wire protocol drives.
type Session interface {
	// PID is the backend process id that BackendKeyData reports and
	// CancelRequest names (and pg_backend_pid() returns).
	PID() int32
	StartupParams() []sql.ParamStatus
	Parse(query string) ([]*sql.Parsed, error)
	Prepare(ctx context.Context, p *sql.Parsed, paramTypes []types.OID) (Statement, error)
	Execute(ctx context.Context, st Statement, args []types.Datum) (Cursor, error)
	CommitImplicit(ctx context.Context) error
	Status() sql.TxnStatus
	Format() *types.FormatOptions
	TakeParamChanges() []sql.ParamStatus
	TakeNotices() []*pgerr.Error
	Close()
}

// Statement is a prepared statement: what Describe reports and Bind needs.
type Statement interface {
	ParamTypes() []types.T
	// Columns is nil when the statement returns no rows.
	Columns() []sql.Column
}

// Cursor streams the rows of one execution.
type Cursor interface {
	// Next returns the next row, or nil and no error at the end.
	Next(ctx context.Context) ([]types.Datum, error)
	// Tag is the CommandComplete tag, valid once Next returned the end.
	Tag() string
	Close()
}

// Optional session abilities, found by type assertion so that a fake
// session need not have them. *sql.Session has them all.
var (
	_ aborter        = sqlSession{}
	_ statementTimer = sqlSession{}
	_ copier         = sqlSession{}
	_ settingReader  = sqlSession{}
	_ idleTimer      = sqlSession{}
	_ copyStatement  = (*sql.Statement)(nil)
	_ discarder      = (*sql.Statement)(nil)
)

// statementTimer is implemented by sessions with a statement_timeout.
type statementTimer interface {
	// StatementTimeout bounds each statement; zero means no bound.
	StatementTimeout() time.Duration
}

// SQLEngine adapts the sql package's engine to Engine.
func SQLEngine(e *sql.Engine) Engine { return sqlEngine{e} }

type sqlEngine struct{ e *sql.Engine }

func (e sqlEngine) NewSession(p sql.SessionParams) (Session, error) {
	s, err := e.e.NewSession(p)
	if err != nil {
		return nil, err
	}
	return sqlSession{s}, nil
}

// sqlSession narrows the methods that take or return statements and
// cursors to the server's interfaces; every other method is
// *sql.Session's own.
type sqlSession struct{ *sql.Session }

func (s sqlSession) Prepare(ctx context.Context, p *sql.Parsed, paramTypes []types.OID) (Statement, error) {
	st, err := s.Session.Prepare(ctx, p, paramTypes)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (s sqlSession) Execute(ctx context.Context, st Statement, args []types.Datum) (Cursor, error) {
	c, err := s.Session.Execute(ctx, st.(*sql.Statement), args)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (s sqlSession) CopyFrom(ctx context.Context, st Statement, src io.Reader) (string, error) {
	return s.Session.CopyFrom(ctx, st.(*sql.Statement), src)
}

func (s sqlSession) CopyTo(ctx context.Context, st Statement, emit func([]byte) error) (string, error) {
	return s.Session.CopyTo(ctx, st.(*sql.Statement), emit)
}
