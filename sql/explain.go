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
	if err := s.bindStatement(inner, b, es.Query); err != nil {
		return err
	}
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
			counts, elapsed, err := s.runForExplain(ctx, plan)
			if err != nil {
				return nil, "", err
			}
			total = elapsed
			opts.Actual = func(n planner.Node) (int64, float64, bool) {
				if n != plan && n != planner.Node(unprojectTop(plan)) {
					return 0, 0, false
				}
				return counts, float64(elapsed.Microseconds()) / 1000, true
			}
		}
		var rows [][]types.Datum
		for _, l := range planner.Explain(plan, opts) {
			rows = append(rows, []types.Datum{l})
		}
		if analyze {
			rows = append(rows, []types.Datum{"Execution Time: " + formatMs(total)})
		}
		return rows, "EXPLAIN", nil
	}
	return nil
}

func unprojectTop(n planner.Node) planner.Node {
	for {
		p, ok := n.(*planner.Project)
		if !ok {
			return n
		}
		n = p.Input
	}
}

// runForExplain runs a plan to its end for EXPLAIN ANALYZE and returns
// the number of rows its top produced and the time it took.
func (s *Session) runForExplain(ctx context.Context, plan planner.Node) (int64, time.Duration, error) {
	start := time.Now()
	env := &stmtEnv{s: s, ctx: ctx, start: start}
	res, err := exec.Start(ctx, plan, &exec.Runtime{Txn: s.txn, Env: env, Format: s.Format()})
	if err != nil {
		return 0, 0, err
	}
	defer res.Close()
	for {
		row, err := res.Next(ctx)
		if err != nil {
			return 0, 0, err
		}
		if row == nil {
			break
		}
	}
	return res.Count(), time.Since(start), nil
}

func formatMs(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64) + " ms"
}

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
