package types

import (
	"bufio"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
)

var (
	update  = flag.Bool("update", false, "rewrite golden files from a PostgreSQL server (needs -psql)")
	psqlCmd = flag.String("psql", "", "psql command line for -update, e.g. 'psql -h /tmp -p 5432 -U postgres'")
)

// A golden file lists cases, one per line: tab-separated input columns and
// then the expected answer, recorded from a PostgreSQL server with
// "go test -run Golden -update -psql 'psql -h HOST -p PORT -U USER DB'".
// Blank lines and lines starting with '#' are kept as they are; a line
// "!set NAME VALUE" changes a session setting (TimeZone,
// extra_float_digits) for the lines after it. Only behaviour that
// PostgreSQL 15, the server at hand, shares with 16 and 17 is recorded;
// the rest is in the unit tests.
type goldenSuite struct {
	path   string
	inputs int
	// query returns the psql statement whose one-line answer is the
	// expected value.
	query func(in []string) string
	// eval computes vecgres's answer.
	eval func(t *testing.T, opts *FormatOptions, in []string) string
}

// goldenCase is one line of a golden file.
type goldenCase struct {
	line     int
	setting  string // "NAME VALUE" for a !set line
	in       []string
	expected string
	text     string // the line itself for comments
}

func readGolden(t *testing.T, path string, inputs int) []goldenCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []goldenCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			cases = append(cases, goldenCase{line: n, text: line})
		case strings.HasPrefix(line, "!set "):
			cases = append(cases, goldenCase{line: n, setting: strings.TrimPrefix(line, "!set ")})
		default:
			parts := strings.SplitN(line, "\t", inputs+1)
			if len(parts) < inputs {
				t.Fatalf("%s:%d: want %d tab-separated inputs and the answer", path, n, inputs)
			}
			c := goldenCase{line: n, in: parts[:inputs]}
			if len(parts) > inputs {
				c.expected = parts[inputs]
			}
			cases = append(cases, c)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func runGolden(t *testing.T, suite goldenSuite) {
	t.Helper()
	cases := readGolden(t, suite.path, suite.inputs)
	if *update {
		updateGolden(t, suite, cases)
		return
	}
	opts := DefaultFormat
	for _, c := range cases {
		switch {
		case c.setting != "":
			applySetting(t, &opts, c.setting)
		case c.in != nil:
			if got := suite.eval(t, &opts, c.in); got != c.expected {
				t.Errorf("%s:%d: %q:\n got %s\nwant %s", suite.path, c.line, c.in, got, c.expected)
			}
		}
	}
}

// parseTypeString reads a type as written in SQL: a name, optional
// modifiers in parentheses, optional [] for the array type.
func parseTypeString(t *testing.T, s string) T {
	t.Helper()
	array := strings.HasSuffix(s, "[]")
	s = strings.TrimSuffix(s, "[]")
	name, modText, hasMods := strings.Cut(s, "(")
	oid, ok := TypeByName(name)
	if !ok {
		t.Fatalf("unknown type %q", name)
	}
	var mods []int64
	if name == "char" || name == "character" {
		// SQL's unquoted char is bpchar, char(1) when without length, as
		// PostgreSQL's grammar makes it.
		oid = BpcharOID
		if !hasMods {
			mods = []int64{1}
		}
	}
	if hasMods {
		for _, m := range strings.Split(strings.TrimSuffix(modText, ")"), ",") {
			v, err := strconv.ParseInt(strings.TrimSpace(m), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			mods = append(mods, v)
		}
	}
	if array {
		if oid, ok = ArrayOf(oid); !ok {
			t.Fatalf("no array type for %q", name)
		}
	}
	typ, err := WithTypmod(oid, mods)
	if err != nil {
		t.Fatal(err)
	}
	return typ
}

// errorText renders an error as the golden files and the psql helper do.
func errorText(err error) string {
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		return "NOT A PGERR: " + err.Error()
	}
	s := "ERROR " + string(pe.Code) + " " + pe.Message
	if pe.Detail != "" {
		s += " DETAIL: " + pe.Detail
	}
	if pe.Hint != "" {
		s += " HINT: " + pe.Hint
	}
	return s
}

// answer renders a result or an error.
func answer(t T, d Datum, err error, opts *FormatOptions) string {
	if err != nil {
		return errorText(err)
	}
	return FormatText(t, d, opts)
}

func applySetting(t *testing.T, opts *FormatOptions, setting string) {
	t.Helper()
	name, value, _ := strings.Cut(setting, " ")
	switch name {
	case "TimeZone":
		loc, err := time.LoadLocation(value)
		if err != nil {
			t.Fatal(err)
		}
		opts.Location = loc
	case "extra_float_digits":
		v, err := strconv.Atoi(value)
		if err != nil {
			t.Fatal(err)
		}
		opts.ExtraFloatDigits = v
	default:
		t.Fatalf("unknown setting %q", name)
	}
}

// TestTextGolden checks ParseText and AppendText: type, input.
func TestTextGolden(t *testing.T) {
	runGolden(t, goldenSuite{
		path:   "testdata/text_io.golden",
		inputs: 2,
		query: func(in []string) string {
			return pgQuery(sqlLiteral(in[1]) + "::" + in[0])
		},
		eval: func(t *testing.T, opts *FormatOptions, in []string) string {
			typ := parseTypeString(t, in[0])
			d, err := ParseTextWith(typ, in[1], opts)
			return answer(typ, d, err, opts)
		},
	})
}

// TestBinaryGolden checks AppendBinary and ParseBinary against the send
// functions: type, input; the answer is the hex of the binary form.
func TestBinaryGolden(t *testing.T) {
	runGolden(t, goldenSuite{
		path:   "testdata/binary.golden",
		inputs: 2,
		query: func(in []string) string {
			return pgQuery("encode(" + sendFunction(in[0]) + "(" + sqlLiteral(in[1]) + "::" + in[0] + "), 'hex')")
		},
		eval: func(t *testing.T, opts *FormatOptions, in []string) string {
			typ := parseTypeString(t, in[0])
			d, err := ParseTextWith(typ, in[1], opts)
			if err != nil {
				t.Fatalf("%q: %v", in, err)
			}
			b, err := AppendBinary(nil, typ, d)
			if err != nil {
				return errorText(err)
			}
			back, err := ParseBinary(typ, b)
			if err != nil {
				t.Errorf("%q: ParseBinary: %v", in, err)
			} else if !Equal(typ, d, back) || FormatText(typ, d, opts) != FormatText(typ, back, opts) {
				t.Errorf("%q: binary round trip gave %s", in, FormatText(typ, back, opts))
			}
			return hex.EncodeToString(b)
		},
	})
}

// sendFunction names the send function of a type written in SQL.
func sendFunction(typ string) string {
	if strings.HasSuffix(typ, "[]") {
		return "array_send"
	}
	name, _, _ := strings.Cut(typ, "(")
	switch name {
	case "varchar":
		return "varcharsend"
	case "bpchar":
		return "bpcharsend"
	case "\"char\"":
		return "charsend"
	case "timestamptz", "timestamp":
		return name + "_send"
	case "date", "json", "jsonb":
		return name + "_send"
	case "numeric":
		return "numeric_send"
	}
	return name + "send"
}

// TestCastGolden checks CastContextOf and CastWith: from type, value, to
// type, and e (explicit cast) or a (assignment to a column).
func TestCastGolden(t *testing.T) {
	runGolden(t, goldenSuite{
		path:   "testdata/cast.golden",
		inputs: 4,
		query: func(in []string) string {
			value := sqlLiteral(in[1]) + "::" + in[0]
			if in[3] == "a" {
				return "select pg_temp.a($q$" + in[2] + "$q$, $q$" + value + "$q$);\n"
			}
			return pgQuery("(" + value + ")::" + in[2])
		},
		eval: func(t *testing.T, opts *FormatOptions, in []string) string {
			from, to := parseTypeString(t, in[0]), parseTypeString(t, in[2])
			d, err := ParseTextWith(from, in[1], opts)
			if err != nil {
				t.Fatalf("%q: %v", in, err)
			}
			explicit := in[3] == "e"
			ctx, ok := CastContextOf(from.OID, to.OID)
			switch {
			case explicit && !ok:
				return fmt.Sprintf("ERROR 42846 cannot cast type %s to %s", from, to)
			case !explicit && (!ok || ctx == CastExplicit):
				return fmt.Sprintf("ERROR 42804 column \"c\" is of type %s but expression is of type %s"+
					" HINT: You will need to rewrite or cast the expression.", TypeName(to.OID), TypeName(from.OID))
			}
			v, err := CastWith(d, from, to, explicit, opts)
			return answer(to, v, err, opts)
		},
	})
}

// TestNumericGolden checks numeric arithmetic: operation, a, b.
func TestNumericGolden(t *testing.T) {
	runGolden(t, goldenSuite{
		path:   "testdata/numeric.golden",
		inputs: 3,
		query: func(in []string) string {
			a, b := sqlLiteral(in[1])+"::numeric", sqlLiteral(in[2])+"::numeric"
			switch in[0] {
			case "round", "trunc":
				return pgQuery(in[0] + "(" + a + ", " + in[2] + ")")
			case "sqrt", "abs":
				return pgQuery(in[0] + "(" + a + ")")
			case "neg":
				return pgQuery("-" + a)
			case "avg":
				return pgQuery("(select avg(x) from unnest(" + sqlLiteral("{"+in[1]+"}") + "::" + in[2] + "[]) x)")
			}
			return pgQuery(a + " " + in[0] + " " + b)
		},
		eval: func(t *testing.T, opts *FormatOptions, in []string) string {
			r, err := evalNumeric(t, in)
			if err != nil {
				return errorText(err)
			}
			return FormatText(TNumeric, r, opts)
		},
	})
}

func mustNumeric(t *testing.T, s string) *Decimal {
	t.Helper()
	d, err := ParseText(TNumeric, s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return d.(*Decimal)
}

func evalNumeric(t *testing.T, in []string) (*Decimal, error) {
	if in[0] == "avg" {
		sum := NumericFromInt64(0)
		items := strings.Split(in[1], ",")
		for _, item := range items {
			var err error
			if sum, err = NumericAdd(sum, mustNumeric(t, item)); err != nil {
				return nil, err
			}
		}
		return NumericAvgDiv(sum, int64(len(items)))
	}
	a := mustNumeric(t, in[1])
	switch in[0] {
	case "round", "trunc":
		scale, err := strconv.Atoi(in[2])
		if err != nil {
			t.Fatal(err)
		}
		if in[0] == "round" {
			return NumericRound(a, int32(scale))
		}
		return NumericTrunc(a, int32(scale))
	case "sqrt":
		return NumericSqrt(a)
	case "abs":
		return NumericAbs(a), nil
	case "neg":
		return NumericNeg(a), nil
	}
	b := mustNumeric(t, in[2])
	switch in[0] {
	case "+":
		return NumericAdd(a, b)
	case "-":
		return NumericSub(a, b)
	case "*":
		return NumericMul(a, b)
	case "/":
		return NumericDiv(a, b)
	case "%":
		return NumericMod(a, b)
	}
	t.Fatalf("unknown operation %q", in[0])
	return nil, nil
}

// TestCompareGolden checks Compare, Equal and Hash: type, a, b; the answer
// is the sign of the comparison.
func TestCompareGolden(t *testing.T) {
	runGolden(t, goldenSuite{
		path:   "testdata/compare.golden",
		inputs: 3,
		query: func(in []string) string {
			a, b := sqlLiteral(in[1])+"::"+in[0], sqlLiteral(in[2])+"::"+in[0]
			return pgQuery("case when " + a + " < " + b + " then -1 when " + a + " = " + b +
				" then 0 when " + a + " > " + b + " then 1 end")
		},
		eval: func(t *testing.T, opts *FormatOptions, in []string) string {
			typ := parseTypeString(t, in[0])
			a, err := ParseTextWith(typ, in[1], opts)
			if err != nil {
				t.Fatalf("%q: %v", in, err)
			}
			b, err := ParseTextWith(typ, in[2], opts)
			if err != nil {
				t.Fatalf("%q: %v", in, err)
			}
			c := Compare(typ, a, b)
			if back := Compare(typ, b, a); back != -c {
				t.Errorf("%q: Compare(a, b) = %d but Compare(b, a) = %d", in, c, back)
			}
			if Equal(typ, a, b) != (c == 0) {
				t.Errorf("%q: Equal disagrees with Compare = %d", in, c)
			}
			if c == 0 && hashOf(typ, a) != hashOf(typ, b) {
				t.Errorf("%q: equal values hash differently", in)
			}
			return strconv.Itoa(c)
		},
	})
}

// psqlHelper defines pg_temp.e(sql), which runs a query returning one
// value and renders the value (with its type's output function) or the
// error as one line of text, and pg_temp.a(typ, expr), which stores expr
// into a column of type typ (an assignment cast) and renders the result.
const psqlHelper = `
create function pg_temp.err(st text, msg text, det text, hint text) returns text language sql as $f$
  select 'ERROR ' || st || ' ' || msg ||
    case when det <> '' then ' DETAIL: ' || det else '' end ||
    case when hint <> '' then ' HINT: ' || hint else '' end
$f$;
create function pg_temp.e(q text) returns text language plpgsql as $f$
declare r text; st text; msg text; det text; hint text;
begin
  execute format('select format(''%%s'', (%s))', q) into r;
  return coalesce(r, 'NULL');
exception when others then
  get stacked diagnostics st = returned_sqlstate, msg = message_text,
    det = pg_exception_detail, hint = pg_exception_hint;
  return pg_temp.err(st, msg, det, hint);
end $f$;
create function pg_temp.a(typ text, q text) returns text language plpgsql as $f$
declare r text; st text; msg text; det text; hint text;
begin
  drop table if exists pg_temp._a;
  execute format('create temp table _a (c %s)', typ);
  execute format('insert into pg_temp._a values (%s)', q);
  execute 'select format(''%s'', c) from pg_temp._a' into r;
  return coalesce(r, 'NULL');
exception when others then
  get stacked diagnostics st = returned_sqlstate, msg = message_text,
    det = pg_exception_detail, hint = pg_exception_hint;
  return pg_temp.err(st, msg, det, hint);
end $f$;
`

// sqlLiteral quotes s as a standard SQL string literal.
func sqlLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// pgQuery returns the psql statement whose one-line answer is the
// expected value of expr.
func pgQuery(expr string) string { return "select pg_temp.e($q$" + expr + "$q$);\n" }

func updateGolden(t *testing.T, suite goldenSuite, cases []goldenCase) {
	if *psqlCmd == "" {
		t.Fatal("-update needs -psql")
	}
	var sql strings.Builder
	sql.WriteString(psqlHelper)
	for _, c := range cases {
		switch {
		case c.setting != "":
			name, value, _ := strings.Cut(c.setting, " ")
			fmt.Fprintf(&sql, "set %s = '%s';\n", name, value)
		case c.in != nil:
			sql.WriteString(suite.query(c.in))
		}
	}
	args := strings.Fields(*psqlCmd)
	cmd := exec.Command(args[0], append(args[1:], "-XAtq", "-v", "ON_ERROR_STOP=1")...)
	cmd.Stdin = strings.NewReader(sql.String())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("psql: %v: %s", err, stderr.String())
	}
	answers := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	var b strings.Builder
	for _, c := range cases {
		switch {
		case c.setting != "":
			b.WriteString("!set " + c.setting + "\n")
		case c.in == nil:
			b.WriteString(c.text + "\n")
		default:
			if len(answers) == 0 {
				t.Fatal("psql returned fewer answers than cases")
			}
			b.WriteString(strings.Join(c.in, "\t") + "\t" + answers[0] + "\n")
			answers = answers[1:]
		}
	}
	if err := os.WriteFile(suite.path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
