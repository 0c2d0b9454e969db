package slt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DefaultEngine is the engine name that skipif and onlyif lines are
// matched against when Options.Engine is empty.
const DefaultEngine = "vecgres"

// Options control a run.
type Options struct {
	// Out receives progress and failure reports (nil: discard).
	Out io.Writer
	// Verbose prints every record as it runs.
	Verbose bool
	// StopOnFailure stops a file at its first failing record.
	StopOnFailure bool
	// Engine is the name that skipif and onlyif lines are matched
	// against, case-insensitively ("": DefaultEngine). Pass "postgresql"
	// when running against PostgreSQL.
	Engine string
}

func (o Options) engine() string {
	if o.Engine == "" {
		return DefaultEngine
	}
	return o.Engine
}

func (o Options) out() io.Writer {
	if o.Out == nil {
		return io.Discard
	}
	return o.Out
}

// Failure is a record that did not behave as its file expects.
type Failure struct {
	File string
	Line int
	// SQL is the record's SQL text.
	SQL string
	// Message says what was expected and what happened instead; for
	// results, a line-by-line diff of expected against actual.
	Message string
}

// String formats the failure as "file:line: " and the message's first
// line, then the SQL, indented, then the rest of the message.
func (f Failure) String() string {
	headline, rest, _ := strings.Cut(f.Message, "\n")
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: %s\n", f.File, f.Line, headline)
	for line := range strings.SplitSeq(f.SQL, "\n") {
		fmt.Fprintf(&b, "    %s\n", line)
	}
	if rest != "" {
		b.WriteString(rest + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Result counts the records of one or more files.
type Result struct {
	Passed int
	Failed int
	// Skipped counts records excluded by skipif/onlyif. Summary leaves it
	// out.
	Skipped  int
	Failures []Failure
}

// Summary returns "N passed, M failed".
func (r Result) Summary() string {
	return fmt.Sprintf("%d passed, %d failed", r.Passed, r.Failed)
}

func (r *Result) add(other Result) {
	r.Passed += other.Passed
	r.Failed += other.Failed
	r.Skipped += other.Skipped
	r.Failures = append(r.Failures, other.Failures...)
}

// Run runs the files in order, each with RunFile, and adds up their
// results. A file that cannot be run does not stop the others (unless ctx
// is done); the returned error joins the errors of all such files.
func Run(ctx context.Context, url string, paths []string, opts Options) (Result, error) {
	var total Result
	var errs []error
	for _, path := range paths {
		res, err := RunFile(ctx, url, path, opts)
		total.add(res)
		if err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return total, errors.Join(errs...)
}

// RunFile parses the file at path, then runs its records in order on a
// fresh connection to url (a URL or keyword/value string, as pgx.Connect
// takes), closed at the end. A record that fails is reported in the
// result and to opts.Out; the error is for a file that cannot be read or
// parsed, a failed connection, a lost connection, or ctx being done.
func RunFile(ctx context.Context, url, path string, opts Options) (Result, error) {
	records, err := parseFile(path)
	if err != nil {
		return Result{}, err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return Result{}, fmt.Errorf("%s: connect: %w", path, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return runRecords(ctx, path, records, connExecutor{conn: conn.PgConn()}, opts)
}

func parseFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f)
}

// runRecords runs parsed records with exec and reports the file's result
// to opts.Out.
func runRecords(ctx context.Context, path string, records []Record, exec executor, opts Options) (Result, error) {
	r := fileRunner{
		path:   path,
		exec:   exec,
		opts:   opts,
		out:    opts.out(),
		labels: make(map[string]labelledResult),
	}
	err := r.run(ctx, records)
	fmt.Fprintf(r.out, "%s: %s%s\n", path, r.result.Summary(), skippedSuffix(r.result.Skipped))
	return r.result, err
}

func skippedSuffix(skipped int) string {
	if skipped == 0 {
		return ""
	}
	return fmt.Sprintf(", %d skipped", skipped)
}

// fileRunner runs one file's records and keeps the state they share.
type fileRunner struct {
	path          string
	exec          executor
	opts          Options
	out           io.Writer
	hashThreshold int
	labels        map[string]labelledResult
	result        Result
}

// labelledResult is the result hash of the first query with a label.
type labelledResult struct {
	line int
	hash string
}

func (r *fileRunner) run(ctx context.Context, records []Record) error {
	for _, rec := range records {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s:%d: %w", r.path, rec.Line, err)
		}
		if rec.skippedOn(r.opts.engine()) {
			r.result.Skipped++
			r.verbosef("%s:%d: skipped: %s", r.path, rec.Line, rec)
			continue
		}
		r.verbosef("%s:%d: %s", r.path, rec.Line, rec)
		switch rec.Kind {
		case KindHalt:
			return nil
		case KindHashThreshold:
			r.hashThreshold = rec.HashThreshold
			continue
		}
		stop, err := r.runChecked(ctx, rec)
		if stop || err != nil {
			return err
		}
	}
	return nil
}

// runChecked runs a statement or query record and counts its outcome. It
// reports whether the file must stop, and an error if it cannot go on.
func (r *fileRunner) runChecked(ctx context.Context, rec Record) (stop bool, err error) {
	message := r.check(ctx, rec)
	if err := ctx.Err(); err != nil {
		return true, fmt.Errorf("%s:%d: %w", r.path, rec.Line, err)
	}
	if message == "" {
		r.result.Passed++
	} else {
		r.fail(rec, message)
	}
	if r.exec.closed() {
		return true, fmt.Errorf("%s:%d: connection to the server was lost", r.path, rec.Line)
	}
	return message != "" && r.opts.StopOnFailure, nil
}

func (r *fileRunner) verbosef(format string, args ...any) {
	if r.opts.Verbose {
		fmt.Fprintf(r.out, format+"\n", args...)
	}
}

func (r *fileRunner) fail(rec Record, message string) {
	f := Failure{File: r.path, Line: rec.Line, SQL: rec.SQL, Message: message}
	r.result.Failed++
	r.result.Failures = append(r.result.Failures, f)
	fmt.Fprintln(r.out, f)
}

// check runs a record and returns "" if it behaved as expected, or else
// what went wrong.
func (r *fileRunner) check(ctx context.Context, rec Record) string {
	results, err := r.exec.exec(ctx, rec.SQL)
	switch {
	case rec.ExpectError:
		return checkError(rec.ErrorPattern, err)
	case err != nil:
		return "expected success, got " + describeError(err)
	case rec.Kind == KindQuery:
		return r.checkQuery(rec, results)
	case rec.ExpectRowCount:
		return checkRowCount(rec.RowCount, results)
	}
	return ""
}

func checkRowCount(want int64, results []statementResult) string {
	if got := rowsAffected(results); got != want {
		return fmt.Sprintf("expected %d rows affected, got %d", want, got)
	}
	return ""
}

func (r *fileRunner) checkQuery(rec Record, results []statementResult) string {
	got, ok := queryResult(results)
	if !ok {
		return "expected rows, but the statement returns no result set"
	}
	if got.columns != len(rec.Types) {
		return fmt.Sprintf("query returned %s, but its types %q declare %d",
			count(got.columns, "column"), rec.Types, len(rec.Types))
	}
	if message := compareResults(rec.Results, rec.Sort, got, r.hashThreshold); message != "" {
		return message
	}
	return r.checkLabel(rec, got)
}

// checkLabel checks that queries sharing a label return the same values:
// the first one with a label sets the hash the others must match.
func (r *fileRunner) checkLabel(rec Record, got resultSet) string {
	if rec.Label == "" {
		return ""
	}
	hash := hashLine(orderedValues(got.rows, rec.Sort))
	first, seen := r.labels[rec.Label]
	if !seen {
		r.labels[rec.Label] = labelledResult{line: rec.Line, hash: hash}
		return ""
	}
	if first.hash == hash {
		return ""
	}
	return fmt.Sprintf("results differ from those of line %d, which has the same label %q:\n- %s\n+ %s",
		first.line, rec.Label, first.hash, hash)
}
