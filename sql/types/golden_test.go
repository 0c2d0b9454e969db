package types

import (
	"bufio"
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

// goldenCase is one line of testdata/text_io.golden.
type goldenCase struct {
	line     int
	setting  string // "NAME VALUE" for a !set line
	typ      string
	input    string
	expected string
}

func readGolden(t *testing.T, path string) []goldenCase {
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
			cases = append(cases, goldenCase{line: n, expected: line})
		case strings.HasPrefix(line, "!set "):
			cases = append(cases, goldenCase{line: n, setting: strings.TrimPrefix(line, "!set ")})
		default:
			parts := strings.SplitN(line, "\t", 3)
			if len(parts) < 2 {
				t.Fatalf("%s:%d: want type<TAB>input<TAB>expected", path, n)
			}
			c := goldenCase{line: n, typ: parts[0], input: parts[1]}
			if len(parts) == 3 {
				c.expected = parts[2]
			}
			cases = append(cases, c)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// parseTypeString reads a type as written in SQL: a name, optional
// modifiers in parentheses, optional [] for the array type.
func parseTypeString(s string) (T, error) {
	array := strings.HasSuffix(s, "[]")
	s = strings.TrimSuffix(s, "[]")
	name, modText, hasMods := strings.Cut(s, "(")
	oid, ok := TypeByName(name)
	if !ok {
		return T{}, fmt.Errorf("unknown type %q", name)
	}
	var mods []int64
	if (name == "char" || name == "character") && !hasMods {
		// SQL's char without length is char(1); the binder applies it.
		mods = []int64{1}
	}
	if hasMods {
		for _, m := range strings.Split(strings.TrimSuffix(modText, ")"), ",") {
			v, err := strconv.ParseInt(strings.TrimSpace(m), 10, 64)
			if err != nil {
				return T{}, err
			}
			mods = append(mods, v)
		}
	}
	if array {
		if oid, ok = ArrayOf(oid); !ok {
			return T{}, fmt.Errorf("no array type for %q", name)
		}
	}
	return WithTypmod(oid, mods)
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

// TestTextGolden checks ParseText and AppendText against answers recorded
// from PostgreSQL.
func TestTextGolden(t *testing.T) {
	const path = "testdata/text_io.golden"
	cases := readGolden(t, path)
	if *update {
		updateGolden(t, path, cases)
		return
	}
	opts := DefaultFormat
	for _, c := range cases {
		if c.setting != "" {
			applySetting(t, &opts, c.setting)
			continue
		}
		if c.typ == "" {
			continue
		}
		typ, err := parseTypeString(c.typ)
		if err != nil {
			t.Fatalf("line %d: %v", c.line, err)
		}
		var got string
		d, err := ParseTextWith(typ, c.input, &opts)
		if err != nil {
			got = errorText(err)
		} else {
			got = FormatText(typ, d, &opts)
		}
		if got != c.expected {
			t.Errorf("line %d: %s %q:\n got %s\nwant %s", c.line, c.typ, c.input, got, c.expected)
		}
	}
}

// psqlHelper turns a value or an error into one line of text.
const psqlHelper = `
create function pg_temp.t(typ text, val text) returns text language plpgsql as $f$
declare r text; st text; msg text; det text; hint text;
begin
  execute format('select format(''%%s'', %L::%s)', val, typ) into r;
  return r;
exception when others then
  get stacked diagnostics st = returned_sqlstate, msg = message_text,
    det = pg_exception_detail, hint = pg_exception_hint;
  return 'ERROR ' || st || ' ' || msg ||
    case when det <> '' then ' DETAIL: ' || det else '' end ||
    case when hint <> '' then ' HINT: ' || hint else '' end;
end $f$;
`

func updateGolden(t *testing.T, path string, cases []goldenCase) {
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
		case c.typ != "":
			fmt.Fprintf(&sql, "select pg_temp.t($t$%s$t$, $v$%s$v$);\n", c.typ, c.input)
		}
	}
	args := strings.Fields(*psqlCmd)
	cmd := exec.Command(args[0], append(args[1:], "-XAtq", "-v", "ON_ERROR_STOP=1")...)
	cmd.Stdin = strings.NewReader(sql.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("psql: %v", err)
	}
	answers := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	var b strings.Builder
	for _, c := range cases {
		switch {
		case c.setting != "":
			b.WriteString("!set " + c.setting + "\n")
		case c.typ == "":
			b.WriteString(c.expected + "\n")
		default:
			if len(answers) == 0 {
				t.Fatal("psql returned fewer answers than cases")
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\n", c.typ, c.input, answers[0])
			answers = answers[1:]
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
