package slt

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// ParseError is a syntax error in a sqllogictest file.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// resultSeparator separates a query's SQL from its expected results.
const resultSeparator = "----"

// Parse parses the records of a sqllogictest file without running them.
// name is used in error messages only. An unconditional halt ends the
// file: nothing after it is parsed.
func Parse(name string, r io.Reader) ([]Record, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := parser{name: name, lines: splitLines(string(data))}
	return p.parseAll()
}

// splitLines splits text into lines, dropping "\r" from "\r\n" endings.
func splitLines(text string) []string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = strings.TrimSuffix(line, "\r")
	}
	return lines
}

type parser struct {
	name  string
	lines []string
	next  int // index of the next line to read
}

func (p *parser) parseAll() ([]Record, error) {
	var records []Record
	for p.skipBlankAndComments() {
		rec, err := p.parseRecord()
		if err != nil {
			return nil, err
		}
		records = append(records, rec)
		if rec.Kind == KindHalt && len(rec.SkipIf) == 0 && len(rec.OnlyIf) == 0 {
			break
		}
	}
	return records, nil
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &ParseError{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) atEnd() bool { return p.next >= len(p.lines) }

// lineNumber is the 1-based number of the next line.
func (p *parser) lineNumber() int { return p.next + 1 }

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

func isComment(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " \t"), "#")
}

// skipComments advances past comment lines and reports whether a
// non-blank line follows.
func (p *parser) skipComments() bool {
	for !p.atEnd() && isComment(p.lines[p.next]) {
		p.next++
	}
	return !p.atEnd() && !isBlank(p.lines[p.next])
}

// skipBlankAndComments advances past blank and comment lines and reports
// whether a line remains.
func (p *parser) skipBlankAndComments() bool {
	for !p.atEnd() && (isBlank(p.lines[p.next]) || isComment(p.lines[p.next])) {
		p.next++
	}
	return !p.atEnd()
}

// directiveWords splits a directive line into words, dropping a trailing
// comment (a word starting with "#").
func directiveWords(line string) []string {
	words := strings.Fields(line)
	for i, w := range words {
		if strings.HasPrefix(w, "#") {
			return words[:i]
		}
	}
	return words
}

// restAfterWords returns line with its first n words removed, trimmed.
func restAfterWords(line string, n int) string {
	rest := line
	for range n {
		rest = strings.TrimLeft(rest, " \t")
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			return ""
		}
		rest = rest[i:]
	}
	return strings.TrimSpace(rest)
}

func (p *parser) parseRecord() (Record, error) {
	var rec Record
	if err := p.parseConditions(&rec); err != nil {
		return rec, err
	}
	rec.Line = p.lineNumber()
	line := p.lines[p.next]
	p.next++
	words := directiveWords(line)
	var err error
	switch words[0] {
	case "statement":
		err = p.parseStatement(&rec, line, words)
	case "query":
		err = p.parseQuery(&rec, line, words)
	case "hash-threshold":
		err = p.parseHashThreshold(&rec, words)
	case "halt":
		rec.Kind = KindHalt
		err = p.expectWords(rec.Line, words, 1)
	default:
		err = p.errorf(rec.Line, "unknown directive %q", words[0])
	}
	return rec, err
}

// parseConditions reads the skipif/onlyif lines before a directive.
func (p *parser) parseConditions(rec *Record) error {
	for p.skipComments() {
		words := directiveWords(p.lines[p.next])
		if words[0] != "skipif" && words[0] != "onlyif" {
			return nil
		}
		line := p.lineNumber()
		if len(words) != 2 {
			return p.errorf(line, "%s needs exactly one engine name", words[0])
		}
		if words[0] == "skipif" {
			rec.SkipIf = append(rec.SkipIf, words[1])
		} else {
			rec.OnlyIf = append(rec.OnlyIf, words[1])
		}
		p.next++
		if !p.skipComments() {
			return p.errorf(line, "%s is not followed by a record", words[0])
		}
	}
	return nil
}

func (p *parser) expectWords(line int, words []string, n int) error {
	if len(words) > n {
		return p.errorf(line, "unexpected %q after %s", words[n], strings.Join(words[:n], " "))
	}
	return nil
}

func (p *parser) parseStatement(rec *Record, line string, words []string) error {
	rec.Kind = KindStatement
	if len(words) < 2 {
		return p.errorf(rec.Line, "statement needs ok, error, or count")
	}
	var err error
	switch words[1] {
	case "ok":
		err = p.expectWords(rec.Line, words, 2)
	case "error":
		err = p.parseErrorPattern(rec, line)
	case "count":
		err = p.parseRowCount(rec, words)
	default:
		err = p.errorf(rec.Line, "statement needs ok, error, or count, not %q", words[1])
	}
	if err != nil {
		return err
	}
	return p.readSQLOnly(rec)
}

func (p *parser) parseRowCount(rec *Record, words []string) error {
	if len(words) < 3 {
		return p.errorf(rec.Line, "statement count needs a row count")
	}
	n, err := strconv.ParseInt(words[2], 10, 64)
	if err != nil || n < 0 {
		return p.errorf(rec.Line, "invalid row count %q", words[2])
	}
	rec.ExpectRowCount = true
	rec.RowCount = n
	return p.expectWords(rec.Line, words, 3)
}

// parseErrorPattern reads the pattern after "statement error" or
// "query error": the rest of the line, comments included.
func (p *parser) parseErrorPattern(rec *Record, line string) error {
	rec.ExpectError = true
	rec.ErrorPattern = restAfterWords(line, 2)
	if rec.ErrorPattern == "" || isSQLState(rec.ErrorPattern) {
		return nil
	}
	if _, err := regexp.Compile(rec.ErrorPattern); err != nil {
		return p.errorf(rec.Line, "invalid error pattern: %v", err)
	}
	return nil
}

func (p *parser) parseQuery(rec *Record, line string, words []string) error {
	rec.Kind = KindQuery
	if len(words) < 2 {
		return p.errorf(rec.Line, "query needs column types")
	}
	if words[1] == "error" {
		if err := p.parseErrorPattern(rec, line); err != nil {
			return err
		}
		return p.readSQLOnly(rec)
	}
	if err := p.parseQueryOptions(rec, words); err != nil {
		return err
	}
	var hasResults bool
	var err error
	rec.SQL, hasResults, err = p.readSQL(rec.Line)
	if err != nil || !hasResults {
		return err
	}
	rec.Results = p.readResults()
	return nil
}

// parseQueryOptions reads "query <types> [sort mode] [label]".
func (p *parser) parseQueryOptions(rec *Record, words []string) error {
	rec.Types = words[1]
	if !isColumnTypes(rec.Types) {
		return p.errorf(rec.Line, "invalid column types %q: want one letter per column", rec.Types)
	}
	if len(words) > 2 {
		mode, ok := parseSortMode(words[2])
		if !ok {
			return p.errorf(rec.Line, "unknown sort mode %q: want nosort, rowsort, or valuesort", words[2])
		}
		rec.Sort = mode
	}
	if len(words) > 3 {
		rec.Label = words[3]
	}
	return p.expectWords(rec.Line, words, 4)
}

func isColumnTypes(types string) bool {
	for _, c := range types {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return types != ""
}

func (p *parser) parseHashThreshold(rec *Record, words []string) error {
	rec.Kind = KindHashThreshold
	if len(words) < 2 {
		return p.errorf(rec.Line, "hash-threshold needs a number")
	}
	n, err := strconv.Atoi(words[1])
	if err != nil || n < 0 {
		return p.errorf(rec.Line, "invalid hash-threshold %q", words[1])
	}
	rec.HashThreshold = n
	return p.expectWords(rec.Line, words, 2)
}

// readSQLOnly reads the SQL of a record that has no expected results.
func (p *parser) readSQLOnly(rec *Record) error {
	var hasResults bool
	var err error
	rec.SQL, hasResults, err = p.readSQL(rec.Line)
	if err == nil && hasResults {
		err = p.errorf(p.next, "unexpected %s: %s has no results", resultSeparator, rec)
	}
	return err
}

// readSQL reads SQL lines up to a blank line, the end of the file, or the
// result separator, which it consumes and reports.
func (p *parser) readSQL(directiveLine int) (sql string, hasResults bool, err error) {
	var lines []string
	for !p.atEnd() && !isBlank(p.lines[p.next]) {
		line := p.lines[p.next]
		p.next++
		if strings.TrimRight(line, " \t") == resultSeparator {
			hasResults = true
			break
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return "", false, p.errorf(directiveLine, "missing SQL")
	}
	return strings.Join(lines, "\n"), hasResults, nil
}

// readResults reads expected result lines up to a blank line or the end
// of the file.
func (p *parser) readResults() []string {
	var results []string
	for !p.atEnd() && !isBlank(p.lines[p.next]) {
		results = append(results, p.lines[p.next])
		p.next++
	}
	return results
}

// isSQLState reports whether an error pattern is a SQLSTATE: five digits
// or upper-case ASCII letters, at least one of them a digit (so that a
// word such as "ERROR" stays a regular expression).
func isSQLState(pattern string) bool {
	if len(pattern) != 5 {
		return false
	}
	hasDigit := false
	for _, c := range pattern {
		switch {
		case c >= '0' && c <= '9':
			hasDigit = true
		case c < 'A' || c > 'Z':
			return false
		}
	}
	return hasDigit
}
