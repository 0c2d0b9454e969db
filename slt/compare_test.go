package slt

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"
)

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// twoByTwo is a result of two rows of two columns, in server order.
var twoByTwo = resultSet{columns: 2, rows: [][]string{{"2", "b c"}, {"1", "a"}}}

func TestCompareResults(t *testing.T) {
	tests := []struct {
		name      string
		want      []string
		mode      SortMode
		got       resultSet
		threshold int
		// mismatch lists substrings of the report; none means a match.
		mismatch []string
	}{
		{
			name: "rows in order",
			want: []string{"2 b c", "1 a"},
			got:  twoByTwo,
		},
		{
			name:     "rows out of order without sorting",
			want:     []string{"1 a", "2 b c"},
			got:      twoByTwo,
			mismatch: []string{"results differ (nosort, one row per line)", "- 1 a\n  2 b c\n+ 1 a"},
		},
		{
			name: "rowsort sorts both sides",
			want: []string{"2 b c", "1 a"},
			mode: RowSort,
			got:  twoByTwo,
		},
		{
			name: "rowsort sorted expected",
			want: []string{"1 a", "2 b c"},
			mode: RowSort,
			got:  twoByTwo,
		},
		{
			name:     "rowsort wrong value",
			want:     []string{"1 a", "2 b d"},
			mode:     RowSort,
			got:      twoByTwo,
			mismatch: []string{"results differ (rowsort, one row per line)", "  1 a\n- 2 b d\n+ 2 b c"},
		},
		{
			name: "one value per line in order",
			want: []string{"2", "b c", "1", "a"},
			got:  twoByTwo,
		},
		{
			name:     "one value per line out of order",
			want:     []string{"1", "a", "2", "b c"},
			got:      twoByTwo,
			mismatch: []string{"results differ (nosort, one value per line)", "- 1\n- a\n  2\n  b c\n+ 1\n+ a"},
		},
		{
			name: "one value per line with rowsort",
			want: []string{"2", "b c", "1", "a"},
			mode: RowSort,
			got:  twoByTwo,
		},
		{
			name: "one value per line with rowsort keeps rows together",
			want: []string{"1", "b c", "2", "a"},
			mode: RowSort,
			got:  twoByTwo,
			mismatch: []string{
				"results differ (rowsort, one value per line)",
				"  1\n- b c\n- 2\n  a\n+ 2\n+ b c",
			},
		},
		{
			name: "one value per line with valuesort",
			want: []string{"a", "b c", "2", "1"},
			mode: ValueSort,
			got:  twoByTwo,
		},
		{
			name: "valuesort one row per line compares words",
			want: []string{"a 1", "b 2 c"},
			mode: ValueSort,
			got:  twoByTwo,
		},
		{
			name:     "valuesort wrong value",
			want:     []string{"a", "b c", "2", "3"},
			mode:     ValueSort,
			got:      twoByTwo,
			mismatch: []string{"+ 1\n  2\n- 3\n  a\n  b c", "results differ (valuesort, one value per line)"},
		},
		{
			name: "single column",
			want: []string{"x y", "z"},
			got:  resultSet{columns: 1, rows: [][]string{{"x y"}, {"z"}}},
		},
		{
			name: "NULL and empty as rendered",
			want: []string{"NULL (empty)"},
			got:  resultSet{columns: 2, rows: [][]string{{renderValue(nil), renderValue([]byte{})}}},
		},
		{
			name: "no rows expected, none returned",
			want: nil,
			got:  resultSet{columns: 1},
		},
		{
			name:     "no rows expected, one returned",
			want:     nil,
			got:      resultSet{columns: 1, rows: [][]string{{"1"}}},
			mismatch: []string{"expected 0 result lines, got 1 row of 1 column (nosort)", "+ 1"},
		},
		{
			name:     "line count fits no layout",
			want:     []string{"1", "2", "3"},
			got:      twoByTwo,
			mismatch: []string{"expected 3 result lines, got 2 rows of 2 columns", "- 1\n+ 2 b c\n- 2\n+ 1 a\n- 3"},
		},
		{
			name: "hash nosort",
			want: []string{"4 values hashing to " + md5Hex("2\nb c\n1\na\n")},
			got:  twoByTwo,
		},
		{
			name: "hash rowsort",
			want: []string{"4 values hashing to " + md5Hex("1\na\n2\nb c\n")},
			mode: RowSort,
			got:  twoByTwo,
		},
		{
			name: "hash valuesort",
			want: []string{"4 values hashing to " + md5Hex("1\n2\na\nb c\n")},
			mode: ValueSort,
			got:  twoByTwo,
		},
		{
			name: "hash mismatch",
			want: []string{"4 values hashing to " + md5Hex("1\na\n2\nb c\n")},
			got:  twoByTwo,
			mismatch: []string{
				"result hash differs",
				"- 4 values hashing to " + md5Hex("1\na\n2\nb c\n"),
				"+ 4 values hashing to " + md5Hex("2\nb c\n1\na\n"),
				"actual values:\n+ 2\n+ b c\n+ 1\n+ a",
			},
		},
		{
			name:     "hash with wrong count",
			want:     []string{"3 values hashing to " + md5Hex("2\nb c\n1\na\n")},
			got:      twoByTwo,
			mismatch: []string{"result hash differs"},
		},
		{
			name:     "missing row with rowsort",
			want:     []string{"1 a", "2 b c", "3 d"},
			mode:     RowSort,
			got:      twoByTwo,
			mismatch: []string{"expected 3 result lines, got 2 rows of 2 columns (rowsort)", "  1 a\n  2 b c\n- 3 d"},
		},
		{
			name:      "full results above the threshold are compared in full",
			want:      []string{"2 b c", "1 a"},
			got:       twoByTwo,
			threshold: 3,
		},
		{
			name:      "mismatch above the threshold gives the hash",
			want:      []string{"2 b c", "1 z"},
			got:       twoByTwo,
			threshold: 3,
			mismatch:  []string{"actual as hash: 4 values hashing to " + md5Hex("2\nb c\n1\na\n")},
		},
		{
			name:      "mismatch within the threshold gives no hash",
			want:      []string{"2 b c", "1 z"},
			got:       twoByTwo,
			threshold: 4,
			mismatch:  []string{"results differ"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := compareResults(tt.want, tt.mode, tt.got, tt.threshold)
			if len(tt.mismatch) == 0 {
				if report != "" {
					t.Fatalf("unexpected mismatch:\n%s", report)
				}
				return
			}
			if report == "" {
				t.Fatal("results match, want a mismatch")
			}
			for _, part := range tt.mismatch {
				if !strings.Contains(report, part) {
					t.Errorf("report does not contain %q:\n%s", part, report)
				}
			}
			if tt.threshold == 4 && strings.Contains(report, "hashing") {
				t.Errorf("report gives a hash within the threshold:\n%s", report)
			}
		})
	}
}

func TestHashLine(t *testing.T) {
	tests := []struct {
		values []string
		want   string
	}{
		{nil, "0 values hashing to d41d8cd98f00b204e9800998ecf8427e"},
		{[]string{"1"}, "1 values hashing to b026324c6904b2a9cb4b88d6d61c81d1"},
		{[]string{"1", "2"}, "2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0"},
	}
	for _, tt := range tests {
		if got := hashLine(tt.values); got != tt.want {
			t.Errorf("hashLine(%q) = %q, want %q", tt.values, got, tt.want)
		}
	}
}

func TestRenderValue(t *testing.T) {
	tests := []struct {
		value []byte
		want  string
	}{
		{nil, "NULL"},
		{[]byte{}, "(empty)"},
		{[]byte("NULL"), "NULL"},
		{[]byte("[1,2,3]"), "[1,2,3]"},
		{[]byte(" "), " "},
	}
	for _, tt := range tests {
		if got := renderValue(tt.value); got != tt.want {
			t.Errorf("renderValue(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

func TestReportIsCapped(t *testing.T) {
	var rows [][]string
	var want []string
	for range maxReportLines * 2 {
		rows = append(rows, []string{"x"})
		want = append(want, "y")
	}
	report := compareResults(want, NoSort, resultSet{columns: 1, rows: rows}, 0)
	if !strings.HasSuffix(report, "... (300 more lines)") {
		t.Errorf("report is not capped:\n%s", report[len(report)-200:])
	}
}

func TestDiffLines(t *testing.T) {
	tests := []struct {
		name             string
		expected, actual []string
		want             string
	}{
		{"equal", []string{"a", "b"}, []string{"a", "b"}, "  a\n  b\n"},
		{"changed line", []string{"a", "b", "c"}, []string{"a", "x", "c"}, "  a\n- b\n+ x\n  c\n"},
		{"missing line", []string{"a", "b", "c"}, []string{"a", "c"}, "  a\n- b\n  c\n"},
		{"extra line", []string{"a", "c"}, []string{"a", "b", "c"}, "  a\n+ b\n  c\n"},
		{"changed block pairs lines", []string{"a", "b"}, []string{"x", "y", "z"}, "- a\n+ x\n- b\n+ y\n+ z\n"},
		{"nothing expected", nil, []string{"a"}, "+ a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			writeDiff(&b, tt.expected, tt.actual)
			if b.String() != tt.want {
				t.Errorf("diff:\n%s\nwant:\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestDiffLinesFallsBackToPositions(t *testing.T) {
	n := 1 << 11 // n*n exceeds maxDiffCells
	expected := make([]string, n)
	actual := make([]string, n)
	for i := range n {
		expected[i] = "same"
		actual[i] = "same"
	}
	actual[0] = "other"
	lines := diffLines(expected, actual)
	if len(lines) != n+1 || lines[0] != (diffLine{'-', "same"}) || lines[1] != (diffLine{'+', "other"}) {
		t.Errorf("positional diff starts %v and has %d lines, want %d", lines[:3], len(lines), n+1)
	}
}
