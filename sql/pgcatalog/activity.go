package pgcatalog

import (
	"time"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// Backend describes one session for pg_stat_activity.
type Backend struct {
	PID             int32
	User, Database  string
	ApplicationName string
	// State is "active", "idle", "idle in transaction" or
	// "idle in transaction (aborted)".
	State                               string
	Query                               string
	BackendStart, XactStart, QueryStart time.Time
	StateChange                         time.Time
}

// IndexBuild describes a running CREATE INDEX for
// pg_stat_progress_create_index.
type IndexBuild struct {
	PID          int32
	Table, Index types.OID
	Phase        string
	TuplesDone   int64
	TuplesTotal  int64
}

// ActivityReporter is what a statement's Env offers when the server can
// describe every session, not only the statement's own.
type ActivityReporter interface {
	Backends() []Backend
	IndexBuilds() []IndexBuild
}

// backends returns every session's description, or just the statement's
// own when the Env cannot report the others.
func backends(env planner.Env) []Backend {
	if r, ok := env.(ActivityReporter); ok {
		return r.Backends()
	}
	app, _ := env.Setting("application_name")
	return []Backend{{PID: env.BackendPID(), User: env.User(), Database: env.Database(), ApplicationName: app,
		State: "active", BackendStart: env.TransactionTime(), XactStart: env.TransactionTime(),
		QueryStart: env.StatementTime(), StateChange: env.StatementTime()}}
}

func timeOrNull(t time.Time) types.Datum {
	if t.IsZero() {
		return nil
	}
	return t
}

func pgStatProgressCreateIndex() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_stat_progress_create_index", OID: 12313, Kind: 'v',
		Columns: []Column{
			col("pid", types.Int4OID), col("datid", types.OidOID), col("datname", types.NameOID),
			col("relid", types.OidOID), col("index_relid", types.OidOID), col("command", types.TextOID),
			col("phase", types.TextOID), col("lockers_total", types.Int8OID), col("lockers_done", types.Int8OID),
			col("current_locker_pid", types.Int8OID), col("blocks_total", types.Int8OID), col("blocks_done", types.Int8OID),
			col("tuples_total", types.Int8OID), col("tuples_done", types.Int8OID),
			col("partitions_total", types.Int8OID), col("partitions_done", types.Int8OID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			r, ok := env.(ActivityReporter)
			if !ok {
				return nil, nil
			}
			var rows [][]types.Datum
			for _, b := range r.IndexBuilds() {
				rows = append(rows, []types.Datum{
					int64(b.PID), oid(currentDatabaseOID(env)), env.Database(),
					oid(b.Table), oid(b.Index), "CREATE INDEX",
					b.Phase, int64(0), int64(0),
					int64(0), int64(0), int64(0),
					b.TuplesTotal, b.TuplesDone,
					int64(0), int64(0),
				})
			}
			return rows, nil
		},
	}
}
