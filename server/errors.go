package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Causes with which statement contexts are cancelled; they are what the
// client sees when the statement stops because of the cancellation.
var (
	errQueryCanceled     = pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
	errStatementTimeout  = pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
	errAdminShutdown     = fatal(pgerr.AdminShutdown, "terminating connection due to administrator command")
	errIdleInTransaction = fatal(pgerr.IdleInTransactionSessionTimeout, "terminating connection due to idle-in-transaction timeout")
)

// fatal returns a FATAL error: sending it ends the connection.
func fatal(code pgerr.Code, format string, args ...any) *pgerr.Error {
	e := pgerr.New(code, format, args...)
	e.Severity = pgerr.SeverityFatal
	return e
}

// protocolViolation is a FATAL 08P01 error for a client that broke the
// framing of the protocol; the connection cannot go on.
func protocolViolation(format string, args ...any) *pgerr.Error {
	return fatal(pgerr.ProtocolViolation, format, args...)
}

// invalidMessage is the ERROR 08P01 PostgreSQL raises for a well-framed
// message whose contents do not parse; the session goes on.
func invalidMessage(format string, args ...any) *pgerr.Error {
	return pgerr.New(pgerr.ProtocolViolation, format, args...)
}

func isFatal(e *pgerr.Error) bool {
	return e.Severity == pgerr.SeverityFatal || e.Severity == "PANIC"
}

// toPgError converts err into what the client is sent. A statement that
// failed because its context was cancelled reports the cancellation's
// cause (57014, or FATAL 57P01 at shutdown). Errors without a SQLSTATE are
// bugs, sent as internal_error (and logged by sendError).
func (c *conn) toPgError(ctx context.Context, err error) *pgerr.Error {
	if ctx != nil && ctx.Err() != nil && isCancellation(err) {
		var cause *pgerr.Error
		if errors.As(context.Cause(ctx), &cause) {
			return cause
		}
	}
	return pgerr.From(err)
}

// isCancellation reports whether err is how a statement reports that its
// context ended.
func isCancellation(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || pgerr.CodeOf(err) == pgerr.QueryCanceled
}

// errorResponse renders e as an ErrorResponse.
func errorResponse(e *pgerr.Error) *pgproto3.ErrorResponse {
	sev := e.SeverityOrError()
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                string(e.Code),
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            e.Position,
		Where:               e.Where,
		SchemaName:          e.Schema,
		TableName:           e.Table,
		ColumnName:          e.Column,
		DataTypeName:        e.DataType,
		ConstraintName:      e.Constraint,
	}
}

// noticeResponse renders a NOTICE or WARNING as a NoticeResponse.
func noticeResponse(e *pgerr.Error) *pgproto3.NoticeResponse {
	r := errorResponse(e)
	if e.Severity == "" {
		r.Severity, r.SeverityUnlocalized = pgerr.SeverityNotice, pgerr.SeverityNotice
	}
	if r.Code == "" {
		r.Code = string(pgerr.SuccessfulCompletion)
	}
	return (*pgproto3.NoticeResponse)(r)
}

// panicError is what a client is told when its session panicked.
func panicError(v any) *pgerr.Error {
	return fatal(pgerr.InternalError, "internal error: %s", fmt.Sprint(v))
}
