package slt

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// resultSet is what a query returned, each value already rendered by
// renderValue.
type resultSet struct {
	columns int
	rows    [][]string
}

// How SQL NULL and the empty string are written in expected results.
const (
	nullValue  = "NULL"
	emptyValue = "(empty)"
)

// maxReportLines caps the result lines shown in one mismatch report.
const maxReportLines = 100

// renderValue returns a value as expected results write it: the server's
// own text, NULL for SQL NULL, and (empty) for the empty string.
func renderValue(v []byte) string {
	switch {
	case v == nil:
		return nullValue
	case len(v) == 0:
		return emptyValue
	}
	return string(v)
}

// hashLinePattern matches expected results written as a hash.
var hashLinePattern = regexp.MustCompile(`^\d+ values hashing to [0-9a-f]{32}$`)

// hashLine returns the "N values hashing to H" line for values, where H is
// the hex MD5 of the values, each followed by "\n".
func hashLine(values []string) string {
	h := md5.New()
	for _, v := range values {
		h.Write([]byte(v))
		h.Write([]byte("\n"))
	}
	return fmt.Sprintf("%d values hashing to %s", len(values), hex.EncodeToString(h.Sum(nil)))
}

// orderedValues returns the values of rows in the order sqllogictest
// hashes them: row by row, after sorting as mode says.
func orderedValues(rows [][]string, mode SortMode) []string {
	switch mode {
	case RowSort:
		return slices.Concat(sortRows(rows)...)
	case ValueSort:
		return sortedCopy(slices.Concat(rows...))
	}
	return slices.Concat(rows...)
}

// sortRows returns a copy of rows sorted value by value.
func sortRows(rows [][]string) [][]string {
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, slices.Compare[[]string])
	return sorted
}

func sortedCopy(lines []string) []string {
	sorted := slices.Clone(lines)
	slices.Sort(sorted)
	return sorted
}

// chunk splits values into rows of n values.
func chunk(values []string, n int) [][]string {
	var rows [][]string
	for row := range slices.Chunk(values, n) {
		rows = append(rows, row)
	}
	return rows
}

// renderRows joins each row's values with single spaces.
func renderRows(rows [][]string) []string {
	lines := make([]string, len(rows))
	for i, row := range rows {
		lines[i] = strings.Join(row, " ")
	}
	return lines
}

// sortedWords splits lines at single spaces and sorts the pieces.
func sortedWords(lines []string) []string {
	var words []string
	for _, line := range lines {
		words = append(words, strings.Split(line, " ")...)
	}
	slices.Sort(words)
	return words
}

// compareResults compares a query's expected result lines with the
// result it got, sorted as mode says. It returns "" if they match and
// otherwise a report of the difference. hashThreshold (0: none) only
// decides whether the report also gives the actual hash line.
//
// The expected lines may be a single hash line, one row per line (values
// joined with single spaces), or one value per line; the layout is the
// one whose line count matches the result.
func compareResults(want []string, mode SortMode, got resultSet, hashThreshold int) string {
	values := orderedValues(got.rows, mode)
	if len(want) == 1 && hashLinePattern.MatchString(want[0]) {
		return compareHash(want[0], values)
	}
	var expected, actual []string
	var layout string
	switch {
	case len(want) == len(got.rows):
		layout = "one row per line"
		expected, actual = rowLayout(want, got.rows, mode)
	case len(want) == len(values) && got.columns > 0:
		layout = "one value per line"
		expected, actual = valueLayout(want, got.columns, values, mode)
	default:
		return countMismatch(want, got, mode, hashThreshold)
	}
	if slices.Equal(expected, actual) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "results differ (%s, %s); - expected, + actual:\n", mode, layout)
	writeDiff(&b, expected, actual)
	writeHashHint(&b, values, hashThreshold)
	return report(&b)
}

// rowLayout returns the lines to compare when each expected line is a row.
func rowLayout(want []string, rows [][]string, mode SortMode) (expected, actual []string) {
	actual = renderRows(rows)
	switch mode {
	case RowSort:
		return sortedCopy(want), sortedCopy(actual)
	case ValueSort:
		return sortedWords(want), sortedWords(actual)
	}
	return want, actual
}

// valueLayout returns the lines to compare when each expected line is a
// value; values are the actual values as orderedValues returns them.
func valueLayout(want []string, columns int, values []string, mode SortMode) (expected, actual []string) {
	switch mode {
	case RowSort:
		return slices.Concat(sortRows(chunk(want, columns))...), values
	case ValueSort:
		return sortedCopy(want), values
	}
	return want, values
}

func compareHash(want string, values []string) string {
	got := hashLine(values)
	if got == want {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "result hash differs:\n- %s\n+ %s\nactual values:\n", want, got)
	writeLines(&b, "+ ", values)
	return report(&b)
}

func countMismatch(want []string, got resultSet, mode SortMode, hashThreshold int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "expected %s, got %s of %s (%s); - expected, + actual:\n",
		count(len(want), "result line"), count(len(got.rows), "row"), count(got.columns, "column"), mode)
	expected, actual := rowLayout(want, got.rows, mode)
	writeDiff(&b, expected, actual)
	writeHashHint(&b, orderedValues(got.rows, mode), hashThreshold)
	return report(&b)
}

// maxDiffCells bounds the work of the line diff: larger comparisons are
// shown line by line instead.
const maxDiffCells = 1 << 20

// diffLine is one line of a diff: op is ' ' (in both), '-' (expected
// only) or '+' (actual only).
type diffLine struct {
	op   byte
	text string
}

// writeDiff writes a diff of expected against actual: lines in both with
// "  ", lines only expected with "- ", lines only actual with "+ ".
func writeDiff(b *strings.Builder, expected, actual []string) {
	lines := diffLines(expected, actual)
	for i, line := range lines {
		if i == maxReportLines {
			fmt.Fprintf(b, "... (%d more lines)\n", len(lines)-i)
			return
		}
		fmt.Fprintf(b, "%c %s\n", line.op, line.text)
	}
}

// diffLines returns a shortest diff of the two line lists (by longest
// common subsequence), or a position-by-position one when they are too
// long for that.
func diffLines(expected, actual []string) []diffLine {
	if len(expected)*len(actual) > maxDiffCells {
		return positionalDiff(expected, actual)
	}
	// common[i][j] is the length of the longest common subsequence of
	// expected[i:] and actual[j:].
	common := make([][]int, len(expected)+1)
	for i := range common {
		common[i] = make([]int, len(actual)+1)
	}
	for i := len(expected) - 1; i >= 0; i-- {
		for j := len(actual) - 1; j >= 0; j-- {
			if expected[i] == actual[j] {
				common[i][j] = common[i+1][j+1] + 1
			} else {
				common[i][j] = max(common[i+1][j], common[i][j+1])
			}
		}
	}
	var lines, removed, added []diffLine
	i, j := 0, 0
	for i < len(expected) || j < len(actual) {
		switch {
		case i < len(expected) && j < len(actual) && expected[i] == actual[j]:
			lines = append(interleave(lines, removed, added), diffLine{' ', expected[i]})
			removed, added = removed[:0], added[:0]
			i++
			j++
		case j == len(actual) || (i < len(expected) && common[i+1][j] >= common[i][j+1]):
			removed = append(removed, diffLine{'-', expected[i]})
			i++
		default:
			added = append(added, diffLine{'+', actual[j]})
			j++
		}
	}
	return interleave(lines, removed, added)
}

// interleave appends a changed block to lines, pairing each removed line
// with the added line in the same place, so that a changed row reads as
// "- expected" then "+ actual".
func interleave(lines, removed, added []diffLine) []diffLine {
	for k := range max(len(removed), len(added)) {
		if k < len(removed) {
			lines = append(lines, removed[k])
		}
		if k < len(added) {
			lines = append(lines, added[k])
		}
	}
	return lines
}

// positionalDiff compares the lines at each position.
func positionalDiff(expected, actual []string) []diffLine {
	var lines []diffLine
	for i := range max(len(expected), len(actual)) {
		want, hasWant := lineAt(expected, i)
		got, hasGot := lineAt(actual, i)
		if hasWant && hasGot && want == got {
			lines = append(lines, diffLine{' ', want})
			continue
		}
		if hasWant {
			lines = append(lines, diffLine{'-', want})
		}
		if hasGot {
			lines = append(lines, diffLine{'+', got})
		}
	}
	return lines
}

func lineAt(lines []string, i int) (string, bool) {
	if i < len(lines) {
		return lines[i], true
	}
	return "", false
}

// writeLines writes lines with a prefix, at most maxReportLines of them.
func writeLines(b *strings.Builder, prefix string, lines []string) {
	for i, line := range lines {
		if i == maxReportLines {
			fmt.Fprintf(b, "... (%d more lines)\n", len(lines)-i)
			return
		}
		fmt.Fprintf(b, "%s%s\n", prefix, line)
	}
}

// writeHashHint gives the actual hash line when the result has more values
// than the hash threshold, so that it can be pasted into the file.
func writeHashHint(b *strings.Builder, values []string, hashThreshold int) {
	if hashThreshold > 0 && len(values) > hashThreshold {
		fmt.Fprintf(b, "actual as hash: %s\n", hashLine(values))
	}
}

// report returns what b holds without its final newline.
func report(b *strings.Builder) string {
	return strings.TrimSuffix(b.String(), "\n")
}

// count returns "1 noun" or "n nouns".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
