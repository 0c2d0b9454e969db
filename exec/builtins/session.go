package builtins

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// ServerVersion is the PostgreSQL version vecgres reports to clients, and
// VecgresVersion its own.
const (
	ServerVersion    = "16.4"
	ServerVersionNum = "160004"
	VecgresVersion   = "0.1.0"
)

func stable(ret types.T, f func(env planner.Env) (types.Datum, error)) Overload {
	return Overload{Ret: ret, Volatility: planner.Stable,
		Impl: func(env planner.Env, _ []types.Datum) (types.Datum, error) { return f(env) }}
}

func addSession(r *Registry) {
	txnTime := stable(types.TTimestampTZ, func(env planner.Env) (types.Datum, error) { return env.TransactionTime(), nil })
	r.addFunc("now", txnTime)
	r.addFunc("transaction_timestamp", txnTime)
	r.addFunc("statement_timestamp", stable(types.TTimestampTZ, func(env planner.Env) (types.Datum, error) {
		return env.StatementTime(), nil
	}))
	clock := stable(types.TTimestampTZ, func(env planner.Env) (types.Datum, error) { return env.StatementTime(), nil })
	clock.Volatility = planner.Volatile
	r.addFunc("clock_timestamp", clock)
	r.addFunc("version", stable(types.TText, func(planner.Env) (types.Datum, error) {
		return "PostgreSQL " + ServerVersion + " (vecgres " + VecgresVersion + ") on x86_64-pc-linux-gnu, compiled by Go, 64-bit", nil
	}))
	r.addFunc("current_database", stable(types.TName, func(env planner.Env) (types.Datum, error) { return env.Database(), nil }))
	for _, name := range []string{"current_user", "user", "current_role"} {
		r.addFunc(name, stable(types.TName, func(env planner.Env) (types.Datum, error) { return env.User(), nil }))
	}
	r.addFunc("session_user", stable(types.TName, func(env planner.Env) (types.Datum, error) { return sessionUser(env), nil }))
	r.addFunc("current_schema", stable(types.TName, func(env planner.Env) (types.Datum, error) {
		// The first schema of the search path that exists; NULL if none.
		cat := env.Catalog()
		for _, name := range env.SearchPath() {
			if _, ok := cat.Schema(name); ok {
				return name, nil
			}
		}
		return nil, nil
	}))
	r.addFunc("pg_backend_pid", stable(types.TInt4, func(env planner.Env) (types.Datum, error) {
		return int64(env.BackendPID()), nil
	}))
	r.addFunc("current_setting", Overload{Args: sig(types.TextOID), Ret: types.TText, Volatility: planner.Stable,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) { return env.Setting(str(a[0])) }})
	r.addFunc("current_setting", Overload{Args: sig(types.TextOID, types.BoolOID), Ret: types.TText, Volatility: planner.Stable,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			v, err := env.Setting(str(a[0]))
			if err != nil && a[1].(bool) {
				return nil, nil
			}
			return v, err
		}})
	r.addFunc("set_config", Overload{Args: sig(types.TextOID, types.TextOID, types.BoolOID), Ret: types.TText,
		Volatility: planner.Volatile,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			return env.SetSetting(str(a[0]), str(a[1]), a[2].(bool))
		}})
	seqOID := func(d types.Datum) types.OID { return types.OID(d.(int64)) }
	r.addFunc("nextval", Overload{Args: sig(types.RegclassOID), Ret: types.TInt8, Volatility: planner.Volatile,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) { return wrapInt(env.NextVal(seqOID(a[0]))) }})
	r.addFunc("currval", Overload{Args: sig(types.RegclassOID), Ret: types.TInt8, Volatility: planner.Volatile,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) { return wrapInt(env.CurrVal(seqOID(a[0]))) }})
	r.addFunc("lastval", Overload{Ret: types.TInt8, Volatility: planner.Volatile,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			lv, ok := env.(lastValer)
			if !ok {
				return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "lastval is not yet defined in this session")
			}
			return wrapInt(lv.LastVal())
		}})
	r.addFunc("setval", Overload{Args: sig(types.RegclassOID, types.Int8OID), Ret: types.TInt8, Volatility: planner.Volatile,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			return wrapInt(env.SetVal(seqOID(a[0]), a[1].(int64), true))
		}})
	r.addFunc("setval", Overload{Args: sig(types.RegclassOID, types.Int8OID, types.BoolOID), Ret: types.TInt8, Volatility: planner.Volatile,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			return wrapInt(env.SetVal(seqOID(a[0]), a[1].(int64), a[2].(bool)))
		}})
}

// lastValer is the session's lastval(), asked of an Env that has one.
type lastValer interface {
	LastVal() (int64, error)
}

func wrapInt(v int64, err error) (types.Datum, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}
