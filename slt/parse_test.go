package slt

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func parseString(text string) ([]Record, error) {
	return Parse("test.slt", strings.NewReader(text))
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []Record
	}{
		{
			name: "empty file",
			text: "",
			want: nil,
		},
		{
			name: "comments and blank lines only",
			text: "# a comment\n\n   \n  # indented comment\n",
			want: nil,
		},
		{
			name: "statement ok",
			text: "statement ok\nCREATE TABLE t (a int)\n",
			want: []Record{{Kind: KindStatement, Line: 1, SQL: "CREATE TABLE t (a int)"}},
		},
		{
			name: "multi-line SQL ends at a blank line",
			text: "\n# setup\nstatement ok\nINSERT INTO t\nVALUES (1)\n\nstatement ok\nSELECT 1\n",
			want: []Record{
				{Kind: KindStatement, Line: 3, SQL: "INSERT INTO t\nVALUES (1)"},
				{Kind: KindStatement, Line: 7, SQL: "SELECT 1"},
			},
		},
		{
			name: "CRLF line endings",
			text: "statement ok\r\nSELECT 1\r\n\r\nhalt\r\n",
			want: []Record{
				{Kind: KindStatement, Line: 1, SQL: "SELECT 1"},
				{Kind: KindHalt, Line: 4},
			},
		},
		{
			name: "statement error without pattern",
			text: "statement error\nSELECT x\n",
			want: []Record{{Kind: KindStatement, Line: 1, SQL: "SELECT x", ExpectError: true}},
		},
		{
			name: "statement error with SQLSTATE",
			text: "statement error 22P02\nSELECT 'x'::int\n",
			want: []Record{{Kind: KindStatement, Line: 1, SQL: "SELECT 'x'::int", ExpectError: true, ErrorPattern: "22P02"}},
		},
		{
			name: "statement error pattern is the rest of the line, # included",
			text: "statement error   relation \"t\" does not exist # really\nSELECT * FROM t\n",
			want: []Record{{
				Kind: KindStatement, Line: 1, SQL: "SELECT * FROM t", ExpectError: true,
				ErrorPattern: `relation "t" does not exist # really`,
			}},
		},
		{
			name: "statement count",
			text: "statement count 3\nINSERT INTO t VALUES (1), (2), (3)\n",
			want: []Record{{
				Kind: KindStatement, Line: 1, SQL: "INSERT INTO t VALUES (1), (2), (3)",
				ExpectRowCount: true, RowCount: 3,
			}},
		},
		{
			name: "query with results",
			text: "query IT\nSELECT 1, 'a'\n----\n1 a\n",
			want: []Record{{Kind: KindQuery, Line: 1, SQL: "SELECT 1, 'a'", Types: "IT", Results: []string{"1 a"}}},
		},
		{
			name: "query with sort mode and label",
			text: "query I rowsort label-1\nSELECT 1\n----\n1\n\nquery R valuesort\nSELECT 1.5\n----\n1.5\n\nquery B nosort\nSELECT true\n----\nt\n",
			want: []Record{
				{Kind: KindQuery, Line: 1, SQL: "SELECT 1", Types: "I", Sort: RowSort, Label: "label-1", Results: []string{"1"}},
				{Kind: KindQuery, Line: 6, SQL: "SELECT 1.5", Types: "R", Sort: ValueSort, Results: []string{"1.5"}},
				{Kind: KindQuery, Line: 11, SQL: "SELECT true", Types: "B", Sort: NoSort, Results: []string{"t"}},
			},
		},
		{
			name: "query without separator expects no rows",
			text: "query I\nSELECT 1 WHERE false\n\nquery I\nSELECT 1 WHERE false\n----\n",
			want: []Record{
				{Kind: KindQuery, Line: 1, SQL: "SELECT 1 WHERE false", Types: "I"},
				{Kind: KindQuery, Line: 4, SQL: "SELECT 1 WHERE false", Types: "I"},
			},
		},
		{
			name: "result lines are kept verbatim",
			text: "query T\nSELECT x\n----\n  two  spaces \n# not a comment\n",
			want: []Record{{Kind: KindQuery, Line: 1, SQL: "SELECT x", Types: "T", Results: []string{"  two  spaces ", "# not a comment"}}},
		},
		{
			name: "query error",
			text: "query error division by zero\nSELECT 1/0\n",
			want: []Record{{Kind: KindQuery, Line: 1, SQL: "SELECT 1/0", ExpectError: true, ErrorPattern: "division by zero"}},
		},
		{
			name: "hash-threshold",
			text: "hash-threshold 8\n\nquery I\nSELECT 1\n----\n1 values hashing to b026324c6904b2a9cb4b88d6d61c81d1\n",
			want: []Record{
				{Kind: KindHashThreshold, Line: 1, HashThreshold: 8},
				{Kind: KindQuery, Line: 3, SQL: "SELECT 1", Types: "I", Results: []string{"1 values hashing to b026324c6904b2a9cb4b88d6d61c81d1"}},
			},
		},
		{
			name: "unconditional halt ends parsing",
			text: "halt\n\nthis is not a directive\n",
			want: []Record{{Kind: KindHalt, Line: 1}},
		},
		{
			name: "conditional halt does not end parsing",
			text: "onlyif postgresql\nhalt\n\nstatement ok\nSELECT 1\n",
			want: []Record{
				{Kind: KindHalt, Line: 2, OnlyIf: []string{"postgresql"}},
				{Kind: KindStatement, Line: 4, SQL: "SELECT 1"},
			},
		},
		{
			name: "skipif and onlyif with comments between and after",
			text: "skipif mysql # not compatible\n# note\nskipif sqlite\nonlyif vecgres\nstatement ok\nSELECT 1\n",
			want: []Record{{
				Kind: KindStatement, Line: 5, SQL: "SELECT 1",
				SkipIf: []string{"mysql", "sqlite"}, OnlyIf: []string{"vecgres"},
			}},
		},
		{
			name: "comment after a directive",
			text: "statement ok # setup\nSELECT 1\n",
			want: []Record{{Kind: KindStatement, Line: 1, SQL: "SELECT 1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseString(tt.text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse:\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		line int
		msg  string
	}{
		{"unknown directive", "statement ok\nSELECT 1\n\nmode postgresql\n", 4, `unknown directive "mode"`},
		{"control is unknown too", "control sortmode rowsort\n", 1, `unknown directive "control"`},
		{"statement without outcome", "statement\nSELECT 1\n", 1, "statement needs ok, error, or count"},
		{"statement with unknown outcome", "statement okay\nSELECT 1\n", 1, `not "okay"`},
		{"statement ok with extra words", "statement ok now\nSELECT 1\n", 1, `unexpected "now" after statement ok`},
		{"statement count without number", "statement count\nSELECT 1\n", 1, "needs a row count"},
		{"statement count not a number", "statement count many\nSELECT 1\n", 1, `invalid row count "many"`},
		{"statement count negative", "statement count -1\nSELECT 1\n", 1, `invalid row count "-1"`},
		{"statement without SQL", "# x\nstatement ok\n\nstatement ok\nSELECT 1\n", 2, "missing SQL"},
		{"statement at end of file without SQL", "statement ok", 1, "missing SQL"},
		{"statement with results", "statement ok\nSELECT 1\n----\n1\n", 3, "unexpected ----: statement ok has no results"},
		{"invalid error pattern", "\nstatement error (unclosed\nSELECT 1\n", 2, "invalid error pattern"},
		{"query without types", "query\nSELECT 1\n", 1, "query needs column types"},
		{"query with invalid types", "query I2\nSELECT 1\n", 1, `invalid column types "I2"`},
		{"query with unknown sort mode", "query I sorted\nSELECT 1\n", 1, `unknown sort mode "sorted"`},
		{"query with too many words", "query I rowsort label extra\nSELECT 1\n", 1, `unexpected "extra"`},
		{"query without SQL", "query I\n----\n1\n", 1, "missing SQL"},
		{"query error with results", "query error\nSELECT 1\n----\n1\n", 3, "query error has no results"},
		{"hash-threshold without number", "hash-threshold\n", 1, "hash-threshold needs a number"},
		{"hash-threshold not a number", "hash-threshold ten\n", 1, `invalid hash-threshold "ten"`},
		{"hash-threshold extra word", "hash-threshold 10 20\n", 1, `unexpected "20"`},
		{"halt with extra word", "halt now\n", 1, `unexpected "now" after halt`},
		{"skipif without engine", "skipif\nstatement ok\nSELECT 1\n", 1, "skipif needs exactly one engine name"},
		{"onlyif with two engines", "onlyif a b\nstatement ok\nSELECT 1\n", 1, "onlyif needs exactly one engine name"},
		{"skipif at end of file", "statement ok\nSELECT 1\n\nskipif postgresql\n", 4, "skipif is not followed by a record"},
		{"onlyif before a blank line", "onlyif postgresql\n\nstatement ok\nSELECT 1\n", 1, "onlyif is not followed by a record"},
		{"error after a conditional halt", "skipif x\nhalt\n\nbogus\n", 4, `unknown directive "bogus"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseString(tt.text)
			var parseErr *ParseError
			if !errors.As(err, &parseErr) {
				t.Fatalf("Parse error = %v, want a *ParseError", err)
			}
			if parseErr.File != "test.slt" || parseErr.Line != tt.line {
				t.Errorf("error at %s:%d, want test.slt:%d (%v)", parseErr.File, parseErr.Line, tt.line, err)
			}
			if !strings.Contains(parseErr.Msg, tt.msg) {
				t.Errorf("error %q does not contain %q", parseErr.Msg, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "test.slt:") {
				t.Errorf("error %q does not start with file:line", err)
			}
		})
	}
}

// TestParseTestdata checks that the sample files used against a real
// server parse, so that a broken sample shows up without a server.
func TestParseTestdata(t *testing.T) {
	tests := []struct {
		path    string
		records int
	}{
		{"testdata/server/pass.slt", 30},
		{"testdata/server/fail.slt", 14},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f, err := os.Open(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			records, err := Parse(tt.path, f)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(records) != tt.records {
				t.Errorf("parsed %d records, want %d", len(records), tt.records)
			}
		})
	}
}

func TestRecordString(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{"statement ok\nSELECT 1\n", "statement ok"},
		{"statement error\nSELECT 1\n", "statement error"},
		{"statement error  42P01 \nSELECT 1\n", "statement error 42P01"},
		{"statement count 2\nSELECT 1\n", "statement count 2"},
		{"query IT\nSELECT 1\n", "query IT nosort"},
		{"query I rowsort lbl\nSELECT 1\n", "query I rowsort lbl"},
		{"query error x\nSELECT 1\n", "query error x"},
		{"hash-threshold 4\n", "hash-threshold 4"},
		{"halt\n", "halt"},
	}
	for _, tt := range tests {
		records, err := parseString(tt.text)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.text, err)
		}
		if got := records[0].String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestSkippedOn(t *testing.T) {
	tests := []struct {
		name   string
		rec    Record
		engine string
		want   bool
	}{
		{"no conditions", Record{}, "vecgres", false},
		{"skipif this engine", Record{SkipIf: []string{"VecGres"}}, "vecgres", true},
		{"skipif another engine", Record{SkipIf: []string{"postgresql"}}, "vecgres", false},
		{"onlyif this engine", Record{OnlyIf: []string{"vecgres"}}, "vecgres", false},
		{"onlyif another engine", Record{OnlyIf: []string{"postgresql"}}, "vecgres", true},
		{"onlyif both", Record{OnlyIf: []string{"vecgres", "postgresql"}}, "vecgres", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rec.skippedOn(tt.engine); got != tt.want {
				t.Errorf("skippedOn(%q) = %v, want %v", tt.engine, got, tt.want)
			}
		})
	}
}
