package sql

import (
	"context"
	"strconv"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/exec"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// bindExplain prepares EXPLAIN [ANALYZE] [VERBOSE] for a query or DML.
func (s *Session) bindExplain(st *Statement, b *binder, es *pg_query.ExplainStmt) error {
	analyze := false
	for _, o := range es.Options {
		d := o.GetDefElem()
		switch d.Defname {
		case "analyze":
			analyze = defElemBool(d)
		case "verbose", "costs", "buffers", "timing", "summary", "settings", "wal":
		case "format":
			if f := d.Arg.GetString_().GetSval(); f != "text" {
				return b.errAt(d.Location, pgerr.FeatureNotSupported, "EXPLAIN format %s is not supported by vecgres yet", f)
			}
		default:
			return b.errAt(d.Location, pgerr.SyntaxError, "unrecognized EXPLAIN option \"%s\"", d.Defname)
		}
	}
	inner := &Statement{parsed: st.parsed, cat: st.cat}
	planStart := time.Now()
	if err := s.bindStatement(inner, b, es.Query); err != nil {
		return err
	}
	planning := time.Since(planStart)
	if inner.plan == nil {
		return b.errAt(-1, pgerr.FeatureNotSupported, "EXPLAIN of this statement is not supported")
	}
	st.kind = inner.kind
	if !analyze && st.kind == kindWrite {
		st.kind = kindQuery
	}
	st.tag = "EXPLAIN"
	st.columns = []Column{{Name: "QUERY PLAN", Type: types.TText}}
	plan := inner.plan
	st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
		opts := planner.ExplainOptions{}
		var total time.Duration
		if analyze {
			res, elapsed, err := s.runForExplain(ctx, plan)
			if err != nil {
				return nil, "", err
			}
			total = elapsed
			opts.Actual = func(n planner.Node) (int64, float64, float64, bool) {
				st, ok := res.Stats(n)
				return st.Rows, millis(st.First), millis(st.Total), ok
			}
			opts.Notes = func(n planner.Node) []string {
				st, _ := res.Stats(n)
				return st.Notes
			}
		}
		var rows [][]types.Datum
		for _, l := range planner.Explain(plan, opts) {
			rows = append(rows, []types.Datum{l})
		}
		if analyze {
			rows = append(rows, []types.Datum{"Planning Time: " + strconv.FormatFloat(millis(planning), 'f', 3, 64) + " ms"})
			rows = append(rows, []types.Datum{"Execution Time: " + strconv.FormatFloat(millis(total), 'f', 3, 64) + " ms"})
		}
		return rows, "EXPLAIN", nil
	}
	return nil
}

// runForExplain runs a plan to its end, instrumented, for EXPLAIN ANALYZE.
func (s *Session) runForExplain(ctx context.Context, plan planner.Node) (*exec.Result, time.Duration, error) {
	start := time.Now()
	env := &stmtEnv{s: s, ctx: ctx, start: start}
	res, err := exec.Start(ctx, plan, &exec.Runtime{Txn: s.txn, Env: env, Indexes: sessionIndexes{s}, Format: s.Format(), Instrument: true})
	if err != nil {
		return nil, 0, err
	}
	defer res.Close()
	for {
		row, err := res.Next(ctx)
		if err != nil {
			return nil, 0, err
		}
		if row == nil {
			break
		}
	}
	return res, time.Since(start), nil
}

func millis(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func defElemBool(d *pg_query.DefElem) bool {
	if d.Arg == nil {
		return true
	}
	if c := d.Arg.GetAConst(); c != nil {
		switch v := c.Val.(type) {
		case *pg_query.A_Const_Boolval:
			return v.Boolval.Boolval
		case *pg_query.A_Const_Ival:
			return v.Ival.Ival != 0
		case *pg_query.A_Const_Sval:
			b, _ := checkBool(v.Sval.Sval)
			return b == "on"
		}
	}
	if s := d.Arg.GetString_(); s != nil {
		b, _ := checkBool(s.Sval)
		return b == "on"
	}
	return true
}
