package exec

import (
	"testing"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// eval computes e as SELECT e does, over a one-row input whose columns are
// the given constants.
func eval(t *testing.T, e planner.Expr, input ...planner.Expr) (string, error) {
	t.Helper()
	out := make([]planner.OutCol, len(input))
	for i, c := range input {
		out[i] = planner.OutCol{T: c.Type()}
	}
	vals := &planner.Values{Rows: [][]planner.Expr{input}, Out: out}
	rows, err := run(t, &planner.Project{Input: vals, Exprs: []planner.Expr{e}, Out: []planner.OutCol{{T: e.Type()}}}, rt(nil))
	if err != nil {
		return "", err
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	return rows[0], nil
}

func and(args ...planner.Expr) planner.Expr {
	return &planner.BoolOp{Op: planner.And, Args: args}
}

func or(args ...planner.Expr) planner.Expr {
	return &planner.BoolOp{Op: planner.Or, Args: args}
}

func not(arg planner.Expr) planner.Expr {
	return &planner.BoolOp{Op: planner.Not, Args: []planner.Expr{arg}}
}

func TestThreeValuedLogic(t *testing.T) {
	T, F, N := trueC, falseC, nullB
	// 1/0 = 1 fails if evaluated: it shows which operands are skipped.
	boom := binop(t, "=", binop(t, "/", i4("1"), i4("0")), i4("1"))
	eq := binop(t, "=", i4("0"), i4("0")).Impl
	in := func(x planner.Expr, neg bool, list ...planner.Expr) planner.Expr {
		return &planner.InList{Arg: x, List: list, Eq: eq, Negate: neg}
	}
	when := func(c, r planner.Expr) planner.When { return planner.When{Cond: c, Result: r} }
	for _, tc := range []struct {
		name string
		e    planner.Expr
		want string
	}{
		{"T AND T", and(T, T), "t"},
		{"T AND N", and(T, N), "NULL"},
		{"N AND F", and(N, F), "f"},
		{"F AND N", and(F, N), "f"},
		{"N AND N", and(N, N), "NULL"},
		{"T AND T AND F", and(T, T, F), "f"},
		{"T OR N", or(T, N), "t"},
		{"N OR T", or(N, T), "t"},
		{"F OR N", or(F, N), "NULL"},
		{"F OR F", or(F, F), "f"},
		{"N OR N", or(N, N), "NULL"},
		{"NOT T", not(T), "f"},
		{"NOT N", not(N), "NULL"},
		{"NOT (F OR N)", not(or(F, N)), "NULL"},
		// AND stops at false and OR at true.
		{"F AND error", and(F, boom), "f"},
		{"T OR error", or(T, boom), "t"},

		{"1 IN (1, NULL)", in(i4("1"), false, i4("1"), i4("NULL")), "t"},
		{"2 IN (1, NULL)", in(i4("2"), false, i4("1"), i4("NULL")), "NULL"},
		{"2 IN (1, 3)", in(i4("2"), false, i4("1"), i4("3")), "f"},
		{"NULL IN (1, 2)", in(i4("NULL"), false, i4("1"), i4("2")), "NULL"},
		{"1 NOT IN (1, NULL)", in(i4("1"), true, i4("1"), i4("NULL")), "f"},
		{"2 NOT IN (1, NULL)", in(i4("2"), true, i4("1"), i4("NULL")), "NULL"},
		{"3 NOT IN (1, 2)", in(i4("3"), true, i4("1"), i4("2")), "t"},
		{"NULL NOT IN (1)", in(i4("NULL"), true, i4("1")), "NULL"},
		{"column IN", in(col(0, types.TInt4), false, i4("5"), col(1, types.TInt4)), "t"},

		{"CASE WHEN NULL", &planner.Case{Whens: []planner.When{when(N, i4("1"))}, Else: i4("2"), T: types.TInt4}, "2"},
		{"CASE without ELSE", &planner.Case{Whens: []planner.When{when(F, i4("1")), when(N, i4("2"))}, T: types.TInt4}, "NULL"},
		{"CASE first true arm", &planner.Case{Whens: []planner.When{when(F, i4("1")), when(T, i4("2")), when(T, i4("3"))}, T: types.TInt4}, "2"},
		// Arms after the chosen one, and results of arms not chosen, are
		// not evaluated.
		{"CASE skips later arms", &planner.Case{Whens: []planner.When{when(T, i4("1")), when(boom, i4("2"))}, T: types.TInt4}, "1"},
		{"CASE skips results", &planner.Case{Whens: []planner.When{when(F, binop(t, "/", i4("1"), i4("0")))}, Else: i4("0"), T: types.TInt4}, "0"},

		{"COALESCE", &planner.Coalesce{Args: []planner.Expr{i4("NULL"), i4("2"), binop(t, "/", i4("1"), i4("0"))}, T: types.TInt4}, "2"},
		{"COALESCE of NULLs", &planner.Coalesce{Args: []planner.Expr{i4("NULL"), i4("NULL")}, T: types.TInt4}, "NULL"},
		{"IS NULL", &planner.IsNull{Arg: i4("NULL")}, "t"},
		{"IS NOT NULL of NULL", &planner.IsNull{Arg: i4("NULL"), Negate: true}, "f"},
		{"IS NULL of a value", &planner.IsNull{Arg: i4("0")}, "f"},

		// Strict functions give NULL for a NULL argument without being called.
		{"NULL + 1", binop(t, "+", i4("NULL"), i4("1")), "NULL"},
		{"NULL / 0", binop(t, "/", i4("NULL"), i4("0")), "NULL"},
		{"lpad(NULL, 1, x)", fn(t, "lpad", lit(types.TText, "NULL"), i4("1"), lit(types.TText, "x")), "NULL"},
		{"ARRAY[1, NULL]", &planner.ArrayExpr{Elems: []planner.Expr{i4("1"), i4("NULL")}, T: types.Of(types.Int4ArrayOID)}, "{1,NULL}"},
		{"cast", &planner.Cast{Arg: lit(types.TText, " 12 "), To: types.TInt4, Explicit: true}, "12"},
		{"cast of NULL", &planner.Cast{Arg: lit(types.TText, "NULL"), To: types.TInt4}, "NULL"},
		{"explicit cast truncates", &planner.Cast{Arg: lit(types.TText, "abcd"), To: types.VarcharOf(2), Explicit: true}, "ab"},
	} {
		got, err := eval(t, tc.e, i4("5"), i4("5"))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, got, tc.want)
		}
	}

	// All operands of AND are evaluated when none is false: the error
	// comes out, as in PostgreSQL.
	for name, e := range map[string]planner.Expr{
		"N AND error":      and(N, boom),
		"F OR error":       or(F, boom),
		"IN with an error": in(i4("2"), false, i4("1"), binop(t, "/", i4("1"), i4("0"))),
	} {
		_, err := eval(t, e)
		wantErr(t, name, err, pgerr.DivisionByZero, "division by zero")
	}
	_, err := eval(t, &planner.Cast{Arg: lit(types.TText, "abc"), To: types.TInt4, Explicit: true})
	wantErr(t, "'abc'::int4", err, pgerr.InvalidTextRepresentation, `invalid input syntax for type integer: "abc"`)
	_, err = eval(t, &planner.Cast{Arg: lit(types.TText, "abcd"), To: types.VarcharOf(2)})
	wantErr(t, "implicit cast to varchar(2)", err, pgerr.StringDataRightTruncation, "value too long for type character varying(2)")
}

// TestStrictness checks that a strict function is not called with NULL
// arguments and a non-strict one is.
func TestStrictness(t *testing.T) {
	calls := 0
	impl := func(_ planner.Env, args []types.Datum) (types.Datum, error) {
		calls++
		for _, a := range args {
			if a == nil {
				return "saw NULL", nil
			}
		}
		return "no NULL", nil
	}
	for _, n := range []int{1, 2, 3} {
		for _, strict := range []bool{true, false} {
			args := make([]planner.Expr, n)
			for i := range args {
				args[i] = i4("1")
			}
			args[n-1] = i4("NULL")
			f := &planner.Func{Name: "f", Args: args, T: types.TText, Impl: impl, Strict: strict, Volatility: planner.Immutable}
			calls = 0
			got, err := eval(t, f)
			if err != nil {
				t.Fatal(err)
			}
			want, wantCalls := "saw NULL", 1
			if strict {
				want, wantCalls = "NULL", 0
			}
			if got != want || calls != wantCalls {
				t.Errorf("%d args, strict %v: %s after %d calls, want %s after %d", n, strict, got, calls, want, wantCalls)
			}
		}
	}
}
