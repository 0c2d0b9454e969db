package slt

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// statementResult is the outcome of one SQL statement.
type statementResult struct {
	// returnsRows is set when the server described a result set (even one
	// with no rows).
	returnsRows bool
	result      resultSet
	tag         pgconn.CommandTag
}

// executor runs SQL text, which may hold several statements, and returns
// one result per statement that completed.
type executor interface {
	exec(ctx context.Context, sql string) ([]statementResult, error)
	// closed reports whether the session is gone.
	closed() bool
}

// connExecutor runs SQL with the simple query protocol, so that every
// value arrives in the server's own text format.
type connExecutor struct {
	conn *pgconn.PgConn
}

func (e connExecutor) closed() bool { return e.conn.IsClosed() }

func (e connExecutor) exec(ctx context.Context, sql string) ([]statementResult, error) {
	multi := e.conn.Exec(ctx, sql)
	var results []statementResult
	var firstErr error
	for multi.NextResult() {
		res, err := readResult(multi.ResultReader())
		results = append(results, res)
		if firstErr == nil {
			firstErr = err
		}
	}
	if err := multi.Close(); err != nil {
		return results, err
	}
	return results, firstErr
}

func readResult(reader *pgconn.ResultReader) (statementResult, error) {
	fields := reader.FieldDescriptions()
	res := statementResult{
		returnsRows: fields != nil,
		result:      resultSet{columns: len(fields)},
	}
	for reader.NextRow() {
		res.result.rows = append(res.result.rows, renderRow(reader.Values()))
	}
	var err error
	res.tag, err = reader.Close()
	return res, err
}

func renderRow(values [][]byte) []string {
	row := make([]string, len(values))
	for i, v := range values {
		row[i] = renderValue(v)
	}
	return row
}

// rowsAffected returns the row count of the last statement's command tag.
func rowsAffected(results []statementResult) int64 {
	if len(results) == 0 {
		return 0
	}
	return results[len(results)-1].tag.RowsAffected()
}

// queryResult returns the result set of the last statement that returned
// one.
func queryResult(results []statementResult) (resultSet, bool) {
	for i := len(results) - 1; i >= 0; i-- {
		if results[i].returnsRows {
			return results[i].result, true
		}
	}
	return resultSet{}, false
}

// checkError compares the error a record got with the one its pattern
// expects, and returns "" if they match or else what went wrong.
func checkError(pattern string, err error) string {
	if err == nil {
		return describeExpectedError(pattern) + ", but it succeeded"
	}
	code, message := errorCodeAndMessage(err)
	switch {
	case pattern == "":
		return ""
	case isSQLState(pattern):
		if code == pattern {
			return ""
		}
	default:
		re, compileErr := regexp.Compile(pattern)
		if compileErr != nil {
			return fmt.Sprintf("invalid error pattern %q: %v", pattern, compileErr)
		}
		if re.MatchString(message) {
			return ""
		}
	}
	return fmt.Sprintf("%s, got %s", describeExpectedError(pattern), describeError(err))
}

func describeExpectedError(pattern string) string {
	switch {
	case pattern == "":
		return "expected an error"
	case isSQLState(pattern):
		return "expected an error with SQLSTATE " + pattern
	}
	return fmt.Sprintf("expected an error matching %q", pattern)
}

// errorCodeAndMessage returns the SQLSTATE and message of a server error,
// or no code and the whole text of any other error.
func errorCodeAndMessage(err error) (code, message string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code, pgErr.Message
	}
	return "", err.Error()
}

// describeError formats a server error as "ERROR 42P01: message", with its
// detail and hint when it has them.
func describeError(err error) string {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", pgErr.Severity, pgErr.Code, pgErr.Message)
	if pgErr.Detail != "" {
		fmt.Fprintf(&b, "\nDETAIL: %s", pgErr.Detail)
	}
	if pgErr.Hint != "" {
		fmt.Fprintf(&b, "\nHINT: %s", pgErr.Hint)
	}
	return b.String()
}
