package slt

import (
	"fmt"
	"strings"
)

// Kind says what a record does.
type Kind int

// The kinds of record a file can hold.
const (
	// KindStatement runs SQL and checks that it succeeds, fails, or
	// affects a number of rows.
	KindStatement Kind = iota + 1
	// KindQuery runs SQL and checks the rows it returns (or its error).
	KindQuery
	// KindHashThreshold sets the file's hash threshold.
	KindHashThreshold
	// KindHalt stops the file.
	KindHalt
)

// String returns the directive that starts a record of this kind.
func (k Kind) String() string {
	switch k {
	case KindStatement:
		return "statement"
	case KindQuery:
		return "query"
	case KindHashThreshold:
		return "hash-threshold"
	case KindHalt:
		return "halt"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// SortMode says how a query's results are ordered before they are compared.
type SortMode int

// The sort modes of a query record.
const (
	// NoSort compares rows in the order the server returned them.
	NoSort SortMode = iota
	// RowSort sorts rows before comparing.
	RowSort
	// ValueSort sorts individual values before comparing.
	ValueSort
)

// String returns the sort mode as written in a query directive.
func (m SortMode) String() string {
	switch m {
	case NoSort:
		return "nosort"
	case RowSort:
		return "rowsort"
	case ValueSort:
		return "valuesort"
	}
	return fmt.Sprintf("SortMode(%d)", int(m))
}

// parseSortMode reports the sort mode a directive word names.
func parseSortMode(word string) (SortMode, bool) {
	for _, m := range []SortMode{NoSort, RowSort, ValueSort} {
		if word == m.String() {
			return m, true
		}
	}
	return NoSort, false
}

// Record is one parsed sqllogictest record. Which fields are meaningful
// depends on Kind.
type Record struct {
	Kind Kind
	// Line is the 1-based line of the record's directive (after any
	// skipif/onlyif lines).
	Line int
	// SkipIf and OnlyIf hold the engine names of the record's skipif and
	// onlyif lines, in file order.
	SkipIf []string
	OnlyIf []string

	// SQL is the statement or query text, its lines joined with "\n".
	SQL string
	// ExpectError is set by "statement error" and "query error".
	ExpectError bool
	// ErrorPattern is the text after "error": empty for any error, a
	// SQLSTATE (five digits or upper-case letters, at least one a digit),
	// or else a regular expression searched for in the error message.
	ErrorPattern string
	// ExpectRowCount and RowCount are set by "statement count N".
	ExpectRowCount bool
	RowCount       int64

	// Types is the query's column type string, one letter per column.
	Types string
	// Sort is the query's sort mode.
	Sort SortMode
	// Label is the query's optional label.
	Label string
	// Results holds the expected result lines after "----".
	Results []string

	// HashThreshold is the value of a hash-threshold record.
	HashThreshold int
}

// String returns the record's directive line, as it could be written in a
// file.
func (r Record) String() string {
	switch r.Kind {
	case KindStatement:
		return "statement " + r.statementOutcome()
	case KindQuery:
		if r.ExpectError {
			return joinWords("query", "error", r.ErrorPattern)
		}
		return joinWords("query", r.Types, r.Sort.String(), r.Label)
	case KindHashThreshold:
		return fmt.Sprintf("hash-threshold %d", r.HashThreshold)
	}
	return r.Kind.String()
}

func (r Record) statementOutcome() string {
	switch {
	case r.ExpectError:
		return joinWords("error", r.ErrorPattern)
	case r.ExpectRowCount:
		return fmt.Sprintf("count %d", r.RowCount)
	}
	return "ok"
}

// joinWords joins the non-empty words with single spaces.
func joinWords(words ...string) string {
	var kept []string
	for _, w := range words {
		if w != "" {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// skippedOn reports whether the record's skipif/onlyif lines exclude
// engine. Engine names compare case-insensitively.
func (r Record) skippedOn(engine string) bool {
	for _, e := range r.SkipIf {
		if strings.EqualFold(e, engine) {
			return true
		}
	}
	for _, e := range r.OnlyIf {
		if !strings.EqualFold(e, engine) {
			return true
		}
	}
	return false
}
