package slt

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// fakeResponse is what fakeServer answers to one SQL text.
type fakeResponse struct {
	results []statementResult
	err     error
	// hangsUp makes the session end after the answer.
	hangsUp bool
}

// fakeServer is an executor that answers known SQL texts and rejects
// anything else with a syntax error.
type fakeServer struct {
	responses map[string]fakeResponse
	executed  []string
	gone      bool
}

func (s *fakeServer) exec(_ context.Context, sql string) ([]statementResult, error) {
	s.executed = append(s.executed, sql)
	resp, ok := s.responses[sql]
	if !ok {
		return nil, &pgconn.PgError{Severity: "ERROR", Code: "42601", Message: "syntax error at or near " + sql}
	}
	s.gone = resp.hangsUp
	return resp.results, resp.err
}

func (s *fakeServer) closed() bool { return s.gone }

// rowsOf is a result set of the given rows.
func rowsOf(columns int, rows ...[]string) statementResult {
	return statementResult{returnsRows: true, result: resultSet{columns: columns, rows: rows}}
}

func tagged(tag string) statementResult {
	return statementResult{tag: pgconn.NewCommandTag(tag)}
}

func answer(results ...statementResult) fakeResponse {
	return fakeResponse{results: results}
}

func serverError(code, message string) fakeResponse {
	return fakeResponse{err: &pgconn.PgError{Severity: "ERROR", Code: code, Message: message}}
}

// fakeResponses is what fakeServer answers in TestRunRecords.
var fakeResponses = map[string]fakeResponse{
	"CREATE TABLE t": answer(tagged("CREATE TABLE")),
	"INSERT 2":       answer(tagged("INSERT 0 2")),
	"INSERT 2; INSERT 1": answer(
		tagged("INSERT 0 2"), tagged("INSERT 0 1")),
	"SELECT missing": serverError("42P01", `relation "missing" does not exist`),
	"SELECT 1/0":     serverError("22012", "division by zero"),
	"SELECT pairs":   answer(rowsOf(2, []string{"2", "b"}, []string{"1", "a"})),
	"SELECT none":    answer(rowsOf(1)),
	"SET x; SELECT one; SET y": answer(
		tagged("SET"), rowsOf(1, []string{"1"}), tagged("SET")),
	"SELECT three": answer(rowsOf(1, []string{"1"}, []string{"2"}, []string{"3"})),
	"SELECT 3 2 1": answer(rowsOf(1, []string{"3"}, []string{"2"}, []string{"1"})),
}

func TestRunRecords(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		engine string
		stop   bool
		want   Result
		// failures lists a substring of each failure's message, in order.
		failures []string
		// executed, when set, is the SQL the server must have run.
		executed []string
	}{
		{
			name: "statement ok",
			text: "statement ok\nCREATE TABLE t\n\nstatement ok\nSELECT missing\n",
			want: Result{Passed: 1, Failed: 1},
			failures: []string{
				`expected success, got ERROR 42P01: relation "missing" does not exist`,
			},
		},
		{
			name: "statement error",
			text: "statement error\nSELECT missing\n\n" +
				"statement error 42P01\nSELECT missing\n\n" +
				"statement error relation \"\\w+\" does not\nSELECT missing\n\n" +
				"statement error\nCREATE TABLE t\n\n" +
				"statement error 22012\nSELECT missing\n\n" +
				"statement error permission\nSELECT missing\n",
			want: Result{Passed: 3, Failed: 3},
			failures: []string{
				"expected an error, but it succeeded",
				`expected an error with SQLSTATE 22012, got ERROR 42P01: relation "missing" does not exist`,
				`expected an error matching "permission", got ERROR 42P01`,
			},
		},
		{
			name: "statement count uses the last statement",
			text: "statement count 2\nINSERT 2\n\nstatement count 1\nINSERT 2; INSERT 1\n\nstatement count 3\nINSERT 2\n",
			want: Result{Passed: 2, Failed: 1},
			failures: []string{
				"expected 3 rows affected, got 2",
			},
		},
		{
			name: "queries",
			text: "query IT\nSELECT pairs\n----\n2 b\n1 a\n\n" +
				"query IT rowsort\nSELECT pairs\n----\n1 a\n2 b\n\n" +
				"query I\nSELECT none\n\n" +
				"query I\nSET x; SELECT one; SET y\n----\n1\n\n" +
				"query I\nSELECT pairs\n----\n2 b\n1 a\n\n" +
				"query I\nCREATE TABLE t\n\n" +
				"query IT\nSELECT missing\n----\n1 a\n\n" +
				"query IT\nSELECT pairs\n----\n1 a\n2 b\n",
			want: Result{Passed: 4, Failed: 4},
			failures: []string{
				`query returned 2 columns, but its types "I" declare 1`,
				"expected rows, but the statement returns no result set",
				`expected success, got ERROR 42P01`,
				"results differ (nosort, one row per line)",
			},
		},
		{
			name: "query error",
			text: "query error division\nSELECT 1/0\n\nquery error 22012\nSELECT pairs\n",
			want: Result{Passed: 1, Failed: 1},
			failures: []string{
				"expected an error with SQLSTATE 22012, but it succeeded",
			},
		},
		{
			name: "failures do not stop the file",
			text: "statement ok\nSELECT missing\n\nstatement ok\nSELECT missing\n\nstatement ok\nCREATE TABLE t\n",
			want: Result{Passed: 1, Failed: 2},
			failures: []string{
				"expected success", "expected success",
			},
		},
		{
			name: "StopOnFailure stops the file",
			text: "statement ok\nSELECT missing\n\nstatement ok\nCREATE TABLE t\n",
			stop: true,
			want: Result{Failed: 1},
			failures: []string{
				"expected success",
			},
			executed: []string{"SELECT missing"},
		},
		{
			name: "skipif and onlyif with the default engine",
			text: "skipif vecgres\nstatement ok\nSELECT missing\n\n" +
				"onlyif postgresql\nstatement ok\nSELECT missing\n\n" +
				"onlyif vecgres\nstatement ok\nCREATE TABLE t\n\n" +
				"skipif postgresql\nstatement ok\nINSERT 2\n",
			want:     Result{Passed: 2, Skipped: 2},
			executed: []string{"CREATE TABLE t", "INSERT 2"},
		},
		{
			name:   "skipif and onlyif with another engine",
			engine: "PostgreSQL",
			text: "skipif vecgres\nstatement ok\nCREATE TABLE t\n\n" +
				"onlyif postgresql\nstatement ok\nINSERT 2\n\n" +
				"onlyif vecgres\nstatement ok\nSELECT missing\n",
			want:     Result{Passed: 2, Skipped: 1},
			executed: []string{"CREATE TABLE t", "INSERT 2"},
		},
		{
			name: "halt",
			text: "statement ok\nCREATE TABLE t\n\nskipif vecgres\nhalt\n\n" +
				"statement ok\nINSERT 2\n\nonlyif vecgres\nhalt\n\nstatement ok\nSELECT missing\n",
			want:     Result{Passed: 2, Skipped: 1},
			executed: []string{"CREATE TABLE t", "INSERT 2"},
		},
		{
			name: "hash-threshold adds the hash to reports",
			text: "query I\nSELECT three\n----\n1\n2\n4\n\n" +
				"hash-threshold 2\n\nquery I\nSELECT three\n----\n1\n2\n4\n\n" +
				"query I\nSELECT three\n----\n1\n2\n3\n\n" +
				"query I valuesort\nSELECT 3 2 1\n----\n" + hashLine([]string{"1", "2", "3"}) + "\n",
			want: Result{Passed: 2, Failed: 2},
			failures: []string{
				"- 4\n+ 3",
				"actual as hash: " + hashLine([]string{"1", "2", "3"}),
			},
		},
		{
			name: "queries with the same label",
			text: "query I rowsort same\nSELECT three\n----\n1\n2\n3\n\n" +
				"query I rowsort same\nSELECT 3 2 1\n----\n1\n2\n3\n\n" +
				"query I nosort same\nSELECT 3 2 1\n----\n3\n2\n1\n",
			want: Result{Passed: 2, Failed: 1},
			failures: []string{
				`results differ from those of line 1, which has the same label "same"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records, err := parseString(tt.text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			server := &fakeServer{responses: fakeResponses}
			opts := Options{Engine: tt.engine, StopOnFailure: tt.stop}
			got, err := runRecords(context.Background(), "test.slt", records, server, opts)
			if err != nil {
				t.Fatalf("runRecords: %v", err)
			}
			if got.Passed != tt.want.Passed || got.Failed != tt.want.Failed || got.Skipped != tt.want.Skipped {
				t.Errorf("got %d passed, %d failed, %d skipped; want %d, %d, %d\n%v",
					got.Passed, got.Failed, got.Skipped, tt.want.Passed, tt.want.Failed, tt.want.Skipped, got.Failures)
			}
			checkFailures(t, got.Failures, tt.failures)
			if tt.executed != nil && !slices.Equal(server.executed, tt.executed) {
				t.Errorf("executed %q, want %q", server.executed, tt.executed)
			}
		})
	}
}

func checkFailures(t *testing.T, failures []Failure, want []string) {
	t.Helper()
	if len(failures) != len(want) {
		t.Errorf("%d failures, want %d: %v", len(failures), len(want), failures)
		return
	}
	for i, f := range failures {
		if f.File != "test.slt" || f.Line == 0 || f.SQL == "" {
			t.Errorf("failure %d lacks its place or SQL: %#v", i, f)
		}
		if !strings.Contains(f.Message, want[i]) {
			t.Errorf("failure %d message does not contain %q:\n%s", i, want[i], f.Message)
		}
	}
}

func TestRunRecordsStopsWhenTheConnectionIsLost(t *testing.T) {
	records, err := parseString("statement ok\nSELECT crash\n\nstatement ok\nCREATE TABLE t\n")
	if err != nil {
		t.Fatal(err)
	}
	server := &fakeServer{responses: map[string]fakeResponse{
		"SELECT crash": {err: errors.New("unexpected EOF"), hangsUp: true},
	}}
	got, err := runRecords(context.Background(), "test.slt", records, server, Options{})
	if err == nil || !strings.Contains(err.Error(), "test.slt:1: connection to the server was lost") {
		t.Errorf("error = %v, want the connection lost at test.slt:1", err)
	}
	if got.Failed != 1 || len(server.executed) != 1 {
		t.Errorf("failed %d, executed %q; want 1 failure and 1 statement", got.Failed, server.executed)
	}
}

func TestRunRecordsStopsWhenCanceled(t *testing.T) {
	records, err := parseString("statement ok\nCREATE TABLE t\n")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	server := &fakeServer{responses: fakeResponses}
	_, err = runRecords(ctx, "test.slt", records, server, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if len(server.executed) != 0 {
		t.Errorf("executed %q after cancellation", server.executed)
	}
}

func TestRunRecordsOutput(t *testing.T) {
	text := "statement ok\nCREATE TABLE t\n\nskipif vecgres\nstatement ok\nINSERT 2\n\nquery I\nSELECT three\n----\n1\n"
	records, err := parseString(text)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		verbose bool
		want    string
	}{
		{
			name: "quiet",
			want: "test.slt:8: expected 1 result line, got 3 rows of 1 column (nosort); - expected, + actual:\n" +
				"    SELECT three\n" +
				"  1\n+ 2\n+ 3\n" +
				"test.slt: 1 passed, 1 failed, 1 skipped\n",
		},
		{
			name:    "verbose",
			verbose: true,
			want: "test.slt:1: statement ok\n" +
				"test.slt:5: skipped: statement ok\n" +
				"test.slt:8: query I nosort\n" +
				"test.slt:8: expected 1 result line, got 3 rows of 1 column (nosort); - expected, + actual:\n" +
				"    SELECT three\n" +
				"  1\n+ 2\n+ 3\n" +
				"test.slt: 1 passed, 1 failed, 1 skipped\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			opts := Options{Out: &out, Verbose: tt.verbose}
			if _, err := runRecords(context.Background(), "test.slt", records, &fakeServer{responses: fakeResponses}, opts); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", out.String(), tt.want)
			}
		})
	}
}

// unreachableURL names a local port that nothing listens on.
const unreachableURL = "postgres://user@127.0.0.1:1/db?connect_timeout=5&sslmode=disable"

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunFileErrors(t *testing.T) {
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing file", filepath.Join(t.TempDir(), "missing.slt"), "no such file"},
		{"parse error before connecting", writeFile(t, "bad.slt", "statement ok\nSELECT 1\n\nbogus\n"), `bad.slt:4: unknown directive "bogus"`},
		{"connection refused", writeFile(t, "good.slt", "statement ok\nSELECT 1\n"), "good.slt: connect:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RunFile(context.Background(), unreachableURL, tt.path, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
			if got.Passed+got.Failed != 0 {
				t.Errorf("result %+v, want nothing run", got)
			}
		})
	}
}

func TestRunGoesOnAfterAFileError(t *testing.T) {
	first := writeFile(t, "first.slt", "bogus\n")
	second := writeFile(t, "second.slt", "halt\n")
	_, err := Run(context.Background(), unreachableURL, []string{first, second}, Options{})
	for _, want := range []string{"first.slt:1: unknown directive", "second.slt: connect:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v, want one containing %q", err, want)
		}
	}
}

func TestCheckError(t *testing.T) {
	pgErr := &pgconn.PgError{Severity: "ERROR", Code: "22P02", Message: `invalid input syntax for type integer: "x"`, Detail: "some detail"}
	tests := []struct {
		name    string
		pattern string
		err     error
		want    string
	}{
		{"any error", "", pgErr, ""},
		{"any error, none", "", nil, "expected an error, but it succeeded"},
		{"SQLSTATE", "22P02", pgErr, ""},
		{"wrong SQLSTATE", "42601", pgErr, "expected an error with SQLSTATE 42601, got ERROR 22P02: invalid input syntax for type integer: \"x\"\nDETAIL: some detail"},
		{"regexp", `^invalid input syntax for type \w+`, pgErr, ""},
		{"regexp on the message only", "ERROR", pgErr, `expected an error matching "ERROR", got ERROR 22P02`},
		{"regexp on another error", "connection reset", errors.New("read: connection reset by peer"), ""},
		{"SQLSTATE on another error", "08006", errors.New("read: connection reset by peer"), "got read: connection reset by peer"},
		{"invalid regexp", "(", pgErr, "invalid error pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkError(tt.pattern, tt.err)
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("checkError(%q, %v) = %q, want %q", tt.pattern, tt.err, got, tt.want)
			}
		})
	}
}

func TestIsSQLState(t *testing.T) {
	tests := map[string]bool{
		"22P02": true, "42601": true, "XX000": true, "HV00A": true,
		"ERROR": false, "22p02": false, "2201": false, "220122": false, "22 02": false,
	}
	for pattern, want := range tests {
		if got := isSQLState(pattern); got != want {
			t.Errorf("isSQLState(%q) = %v, want %v", pattern, got, want)
		}
	}
}

func TestFailureString(t *testing.T) {
	tests := []struct {
		failure Failure
		want    string
	}{
		{
			Failure{File: "a.slt", Line: 3, SQL: "SELECT 1", Message: "expected an error, but it succeeded"},
			"a.slt:3: expected an error, but it succeeded\n    SELECT 1",
		},
		{
			Failure{File: "a.slt", Line: 7, SQL: "SELECT a\nFROM t", Message: "results differ:\n- 1\n+ 2"},
			"a.slt:7: results differ:\n    SELECT a\n    FROM t\n- 1\n+ 2",
		},
	}
	for _, tt := range tests {
		if got := tt.failure.String(); got != tt.want {
			t.Errorf("String() =\n%s\nwant\n%s", got, tt.want)
		}
	}
}

func TestSummary(t *testing.T) {
	var total Result
	total.add(Result{Passed: 3, Failed: 1, Skipped: 2, Failures: []Failure{{Line: 1}}})
	total.add(Result{Passed: 2, Failed: 1, Failures: []Failure{{Line: 2}}})
	if got, want := total.Summary(), "5 passed, 2 failed"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	if total.Skipped != 2 || len(total.Failures) != 2 {
		t.Errorf("added result %+v", total)
	}
}
