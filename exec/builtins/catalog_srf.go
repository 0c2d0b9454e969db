package builtins

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// SetFunction is a set-returning function, callable in FROM: Overload
// gives its signature and result (element) type, Rows its rows, one
// column each. The binder resolves calls among a name's SetFunctions as
// it does among overloads.
type SetFunction struct {
	Overload
	Rows func(env planner.Env, args []types.Datum) ([][]types.Datum, error)
}

// maxSeriesRows bounds the rows a set-returning function makes: vecgres
// computes them before the scan starts rather than one by one.
const maxSeriesRows = 10_000_000

// SetFunctions returns the set-returning functions called name.
func SetFunctions(name string) []SetFunction { return setFunctions[name] }

var setFunctions = map[string][]SetFunction{
	"generate_series": {
		series(types.Int4OID, false), series(types.Int4OID, true),
		series(types.Int8OID, false), series(types.Int8OID, true),
	},
	"unnest": {{
		Overload: Overload{Args: sig(AnyOID), RetFn: func(args []types.T) types.T {
			if e, ok := types.ElementType(args[0].OID); ok {
				return types.T{OID: e, Mod: args[0].Mod}
			}
			return args[0]
		}},
		Rows: func(_ planner.Env, a []types.Datum) ([][]types.Datum, error) {
			if a[0] == nil {
				return nil, nil
			}
			arr, err := arrayArg("unnest", a[0])
			if err != nil {
				return nil, err
			}
			rows := make([][]types.Datum, len(arr.Elems))
			for i, e := range arr.Elems {
				rows[i] = []types.Datum{e}
			}
			return rows, nil
		},
	}},
}

// series is generate_series(start, stop [, step]) over an integer type.
func series(t types.OID, step bool) SetFunction {
	args := sig(t, t)
	if step {
		args = sig(t, t, t)
	}
	return SetFunction{
		Overload: Overload{Args: args, Ret: types.Of(t)},
		Rows: func(_ planner.Env, a []types.Datum) ([][]types.Datum, error) {
			for _, v := range a {
				if v == nil {
					return nil, nil
				}
			}
			start, stop, inc := a[0].(int64), a[1].(int64), int64(1)
			if step {
				inc = a[2].(int64)
			}
			if inc == 0 {
				return nil, pgerr.New(pgerr.InvalidParameterValue, "step size cannot equal zero")
			}
			var rows [][]types.Datum
			for v := start; (inc > 0 && v <= stop) || (inc < 0 && v >= stop); v += inc {
				if len(rows) == maxSeriesRows {
					return nil, pgerr.New(pgerr.ProgramLimitExceeded, "generate_series of more than %d rows is not supported by vecgres yet", maxSeriesRows)
				}
				rows = append(rows, []types.Datum{v})
				if (inc > 0 && v > stop-inc) || (inc < 0 && v < stop-inc) {
					break // the next step would pass stop (or overflow)
				}
			}
			return rows, nil
		},
	}
}
