package builtins

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

var reg = NewRegistry()

// scalarCase is one call of a function or operator with its expected
// result, recorded from PostgreSQL 15 with pgvector 0.8 as
//
//	SELECT (<call>)::text, pg_typeof(<call>)
//
// where every argument is written as '<text>'::<type>.
type scalarCase struct {
	// sig names the overload: "abs(int2)", "+(int4,int4)", "-(int8)". An
	// operator with one argument is the prefix operator.
	sig string
	// args are the arguments' text forms.
	args []string
	// ret is pg_typeof's name of the result type ("" for errors).
	ret string
	// want is the result's text form, or "ERROR <SQLSTATE>: <message>".
	// "ERROR <SQLSTATE>" alone checks the code only. "~x" wants a float8
	// within a relative 1e-6 of x: pgvector sums float32 products in an
	// order that depends on its compiler's vectorisation, and so may
	// differ from vecgres's kernels in the last float32 bits.
	want string
}

// a is shorthand for a list of argument texts.
func a(args ...string) []string { return args }

// lookup returns the overload that sig names, with its argument types.
func lookup(t *testing.T, sig string) (*Overload, []types.T) {
	t.Helper()
	open := strings.IndexByte(sig, '(')
	if open < 0 || !strings.HasSuffix(sig, ")") {
		t.Fatalf("bad signature %q", sig)
	}
	name := sig[:open]
	var oids []types.OID
	var ts []types.T
	if list := sig[open+1 : len(sig)-1]; list != "" {
		for _, n := range strings.Split(list, ",") {
			oid, ok := types.TypeByName(n)
			if !ok {
				t.Fatalf("%s: unknown type %q", sig, n)
			}
			oids = append(oids, oid)
			ts = append(ts, types.Of(oid))
		}
	}
	var overloads []Overload
	switch {
	case strings.Trim(name, "abcdefghijklmnopqrstuvwxyz_0123456789") == "":
		overloads = reg.Function(name)
	case len(oids) == 1:
		overloads = reg.PrefixOperator(name)
	default:
		overloads = reg.BinaryOperator(name)
	}
	for i := range overloads {
		if slices.Equal(overloads[i].Args, oids) {
			return &overloads[i], ts
		}
	}
	t.Fatalf("no overload %s", sig)
	return nil, nil
}

// parseArgs converts argument texts with the types' input functions.
func parseArgs(t *testing.T, sig string, ts []types.T, texts []string) []types.Datum {
	t.Helper()
	if len(texts) != len(ts) {
		t.Fatalf("%s: %d arguments for %d types", sig, len(texts), len(ts))
	}
	out := make([]types.Datum, len(ts))
	for i, s := range texts {
		d, err := types.ParseText(ts[i], s)
		if err != nil {
			t.Fatalf("%s: argument %q: %v", sig, s, err)
		}
		out[i] = d
	}
	return out
}

// checkResult compares a result (or error) with a wanted text.
func checkResult(t *testing.T, what string, ret types.T, got types.Datum, err error, want string) {
	t.Helper()
	if wantErr, ok := strings.CutPrefix(want, "ERROR "); ok {
		code, msg, withMsg := strings.Cut(wantErr, ": ")
		switch {
		case err == nil:
			t.Errorf("%s = %s, want error %s", what, formatDatum(ret, got), wantErr)
		case string(pgerr.CodeOf(err)) != code || withMsg && pgerr.From(err).Message != msg:
			pe := pgerr.From(err)
			t.Errorf("%s: error %s: %s, want %s", what, pe.Code, pe.Message, wantErr)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: unexpected error %v, want %s", what, err, want)
		return
	}
	if approx, ok := strings.CutPrefix(want, "~"); ok {
		w, err := strconv.ParseFloat(approx, 64)
		if err != nil {
			t.Fatalf("%s: bad want %q", what, want)
		}
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-6*math.Abs(w) {
			t.Errorf("%s = %s, want about %s", what, formatDatum(ret, got), approx)
		}
		return
	}
	if s := formatDatum(ret, got); s != want {
		t.Errorf("%s = %s, want %s", what, s, want)
	}
}

func formatDatum(t types.T, d types.Datum) string {
	if d == nil {
		return "NULL"
	}
	return string(types.AppendText(nil, t, d, nil))
}

// runScalarCases calls each case's overload on its arguments.
func runScalarCases(t *testing.T, cases []scalarCase) {
	t.Helper()
	for _, tc := range cases {
		o, ts := lookup(t, tc.sig)
		ret := o.ResultType(ts)
		what := tc.sig + "(" + strings.Join(tc.args, ", ") + ")"
		if tc.ret != "" && ret.String() != tc.ret {
			t.Errorf("%s: result type %s, want %s", tc.sig, ret, tc.ret)
		}
		args := parseArgs(t, tc.sig, ts, tc.args)
		orig := slices.Clone(args)
		got, err := o.Impl(testEnv{}, args)
		checkResult(t, what, ret, got, err, tc.want)
		for i := range args {
			if formatDatum(ts[i], args[i]) != formatDatum(ts[i], orig[i]) {
				t.Errorf("%s changed its argument %d", what, i+1)
			}
		}
	}
}

// testEnv is an Env for functions that use little of one. It embeds a nil
// planner.Env so that it keeps satisfying the interface as that grows:
// methods not defined here panic.
type testEnv struct{ planner.Env }

func (testEnv) StatementTime() time.Time                           { return time.Unix(1700000000, 0) }
func (testEnv) TransactionTime() time.Time                         { return time.Unix(1600000000, 0) }
func (testEnv) Setting(name string) (string, error)                { return "", errUnknownSetting(name) }
func (testEnv) SetSetting(_, v string, _ bool) (string, error)     { return v, nil }
func (testEnv) NextVal(types.OID) (int64, error)                   { return 1, nil }
func (testEnv) CurrVal(types.OID) (int64, error)                   { return 1, nil }
func (testEnv) SetVal(_ types.OID, v int64, _ bool) (int64, error) { return v, nil }
func (testEnv) Format() *types.FormatOptions                       { return &types.DefaultFormat }
func (testEnv) Database() string                                   { return "db" }
func (testEnv) User() string                                       { return "alice" }
func (testEnv) BackendPID() int32                                  { return 42 }
func (testEnv) SearchPath() []string                               { return []string{"public"} }
func (testEnv) Catalog() *storage.Catalog                          { return storage.NewCatalog() }

func errUnknownSetting(name string) error {
	return pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
}

// TestRegistryComplete checks every overload of every kind: an
// implementation, a result type, a known volatility, and argument types
// that exist.
func TestRegistryComplete(t *testing.T) {
	kinds := map[string]map[string][]Overload{"operator": reg.binary, "prefix operator": reg.prefix, "function": reg.funcs}
	total := 0
	for kind, m := range kinds {
		if len(m) == 0 {
			t.Errorf("no %ss registered", kind)
		}
		for name, os := range m {
			if name == "" || name != strings.ToLower(name) {
				t.Errorf("%s %q: names are lower case", kind, name)
			}
			for i := range os {
				o := &os[i]
				total++
				what := kind + " " + name + argList(o.Args)
				if o.Impl == nil {
					t.Errorf("%s: nil Impl", what)
				}
				switch o.Volatility {
				case planner.Immutable, planner.Stable, planner.Volatile:
				default:
					t.Errorf("%s: volatility %q", what, o.Volatility)
				}
				switch kind {
				case "operator":
					if len(o.Args) != 2 {
						t.Errorf("%s: %d arguments", what, len(o.Args))
					}
				case "prefix operator":
					if len(o.Args) != 1 {
						t.Errorf("%s: %d arguments", what, len(o.Args))
					}
				}
				ts := make([]types.T, len(o.Args))
				for j, oid := range o.Args {
					if _, ok := types.Lookup(oid); !ok {
						t.Errorf("%s: unknown argument type %d", what, oid)
					}
					ts[j] = types.Of(oid)
				}
				if ret := o.ResultType(ts); ret.OID == 0 {
					t.Errorf("%s: no result type", what)
				} else if _, ok := types.Lookup(ret.OID); !ok {
					t.Errorf("%s: unknown result type %d", what, ret.OID)
				}
			}
			// Two overloads with the same arguments would make resolution
			// depend on registration order.
			for i := range os {
				for j := i + 1; j < len(os); j++ {
					if slices.Equal(os[i].Args, os[j].Args) && os[i].Variadic == os[j].Variadic {
						t.Errorf("%s %s%s registered twice", kind, name, argList(os[i].Args))
					}
				}
			}
		}
	}
	for name, os := range reg.aggs {
		for i := range os {
			o := &os[i]
			total++
			what := "aggregate " + name + argList(o.Args)
			if o.New == nil {
				t.Errorf("%s: nil New", what)
				continue
			}
			ts := make([]types.T, len(o.Args))
			for j, oid := range o.Args {
				ts[j] = types.Of(oid)
				if oid == AnyOID {
					ts[j] = types.TInt4 // any concrete type will do
				}
			}
			if ret := o.ResultType(ts); ret.OID == 0 {
				t.Errorf("%s: no result type", what)
			}
			if acc := o.New(ts)(); acc == nil {
				t.Errorf("%s: New made a nil accumulator", what)
			}
		}
	}
	if total < 300 {
		t.Errorf("only %d overloads registered", total)
	}
}

func argList(oids []types.OID) string {
	names := make([]string, len(oids))
	for i, oid := range oids {
		names[i] = types.TypeName(oid)
	}
	return "(" + strings.Join(names, ",") + ")"
}

func TestRegistryUnknownNames(t *testing.T) {
	for _, name := range []string{"", "no_such_function", "ABS", "<<<>>>", "l2_distancex"} {
		if got := reg.Function(name); len(got) != 0 {
			t.Errorf("Function(%q) = %d overloads", name, len(got))
		}
		if got := reg.BinaryOperator(name); len(got) != 0 {
			t.Errorf("BinaryOperator(%q) = %d overloads", name, len(got))
		}
		if got := reg.PrefixOperator(name); len(got) != 0 {
			t.Errorf("PrefixOperator(%q) = %d overloads", name, len(got))
		}
		if got := reg.Aggregate(name); len(got) != 0 {
			t.Errorf("Aggregate(%q) = %d overloads", name, len(got))
		}
	}
	// Names of one kind are not found as another.
	if got := reg.Function("+"); len(got) != 0 {
		t.Errorf("Function(+) = %d overloads", len(got))
	}
	if got := reg.Aggregate("abs"); len(got) != 0 {
		t.Errorf("Aggregate(abs) = %d overloads", len(got))
	}
	if got := reg.Function("count"); len(got) != 0 {
		t.Errorf("Function(count) = %d overloads", len(got))
	}
	if got := reg.PrefixOperator("<->"); len(got) != 0 {
		t.Errorf("PrefixOperator(<->) = %d overloads", len(got))
	}
}

// TestRegistryKnownNames checks that what the rest of vecgres relies on is
// there.
func TestRegistryKnownNames(t *testing.T) {
	for _, name := range []string{"+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=", "||", "~~", "~~*", "!~~", "!~~*",
		"~", "~*", "!~", "!~*", "<->", "<#>", "<=>", "<+>", "&", "|", "#", "^"} {
		if len(reg.BinaryOperator(name)) == 0 {
			t.Errorf("no operator %s", name)
		}
	}
	for _, name := range []string{"count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "string_agg", "array_agg"} {
		if len(reg.Aggregate(name)) == 0 {
			t.Errorf("no aggregate %s", name)
		}
	}
	// Every distance operator has the distance DistanceOfOperator gives.
	for _, op := range []string{"<->", "<#>", "<=>", "<+>"} {
		if _, ok := DistanceOfOperator(op); !ok {
			t.Errorf("DistanceOfOperator(%s) not found", op)
		}
	}
	if _, ok := DistanceOfOperator("<~>"); ok {
		t.Error("DistanceOfOperator(<~>) found for vector")
	}
	for _, op := range []string{"=", "<>", "<", "<=", ">", ">=", "!="} {
		if !IsComparison(op) {
			t.Errorf("IsComparison(%s) = false", op)
		}
	}
	for _, op := range []string{"+", "<->", "~~", ""} {
		if IsComparison(op) {
			t.Errorf("IsComparison(%s) = true", op)
		}
	}
}
