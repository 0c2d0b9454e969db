package sql

import (
	"errors"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Parsed is one statement of a query string, parsed but not yet bound.
type Parsed struct {
	// SQL is the statement's own text.
	SQL string
	// Empty is true for an empty statement (only whitespace or comments).
	Empty bool
	stmt  *pg_query.Node
	// query is the whole string the statement came from, so that error
	// positions count characters from its start, as PostgreSQL's do.
	query string
	// version is the parser's PostgreSQL version, needed to deparse
	// parts of the tree again.
	version int32
}

// Parse splits query into its statements. A syntax error anywhere fails
// the whole string, as in PostgreSQL, with the position of the error.
func Parse(query string) ([]*Parsed, error) {
	tree, err := pg_query.Parse(query)
	if err != nil {
		return nil, syntaxError(query, err)
	}
	out := make([]*Parsed, 0, len(tree.Stmts))
	for _, raw := range tree.Stmts {
		start := int(raw.StmtLocation)
		end := len(query)
		if raw.StmtLen > 0 {
			end = start + int(raw.StmtLen)
		}
		text := strings.TrimSpace(query[start:end])
		out = append(out, &Parsed{SQL: text, stmt: raw.Stmt, query: query, Empty: raw.Stmt == nil, version: tree.Version})
	}
	if len(out) == 0 {
		out = append(out, &Parsed{Empty: true, query: query, version: tree.Version})
	}
	return out, nil
}

// syntaxError converts pg_query's error into PostgreSQL's 42601 error.
func syntaxError(query string, err error) error {
	var pe *parser.Error
	if errors.As(err, &pe) {
		e := pgerr.New(pgerr.SyntaxError, "%s", pe.Message)
		if pe.Cursorpos > 0 {
			// pg_query's cursor position is 1-based in bytes.
			e.Position = charPosition(query, pe.Cursorpos-1)
		}
		// A few grammar errors are not 42601 in PostgreSQL.
		if strings.HasPrefix(pe.Message, "unterminated") {
			e.Code = pgerr.SyntaxError
		}
		return e
	}
	return pgerr.New(pgerr.SyntaxError, "%s", err.Error())
}

// charPosition converts a 0-based byte offset in query into PostgreSQL's
// 1-based character position.
func charPosition(query string, byteOffset int) int32 {
	if byteOffset < 0 {
		return 0
	}
	if byteOffset > len(query) {
		byteOffset = len(query)
	}
	return int32(utf8.RuneCountInString(query[:byteOffset])) + 1
}
