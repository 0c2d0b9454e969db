package exec

import (
	"context"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Operator is a running plan node: Next returns the next row, or nil when
// there are no more.
type Operator interface {
	Next(ctx context.Context) (Row, error)
	Close()
}

// Runtime is what one execution of a plan runs against.
type Runtime struct {
	Txn    *storage.Txn
	Env    planner.Env
	Params []types.Datum
	// Format is used for values in error details ("Failing row contains").
	Format *types.FormatOptions
	// Indexes gives access to HNSW graphs, for index scans and for keeping
	// indexes in step with writes.
	Indexes Indexes
	// Source supplies the rows of a RowSource node (COPY FROM STDIN); it
	// returns nil at the end.
	Source func(ctx context.Context) (Row, error)
	// Instrument measures every operator for EXPLAIN ANALYZE (see
	// Result.Stats); it costs two clock readings per row.
	Instrument bool
}

// Result is a running plan with its row count: the number of rows a
// SELECT returned or a DML statement wrote, once Next returned nil.
type Result struct {
	root Operator
	// dml is set when the root writes rows; its count is the tag's.
	dml   *dmlOp
	count int64
	stats map[planner.Node]*NodeStats
	// subplans is closed with the operators.
	subplans *subplanCache
}

// Start builds the operators for plan and returns them ready to pull.
func Start(ctx context.Context, plan planner.Node, rt *Runtime) (*Result, error) {
	b := &builder{rt: rt, c: &compiler{env: rt.Env, params: rt.Params, ctx: ctx, outer: &outerRows{}}}
	b.c.b = b
	if rt.Instrument {
		b.stats = map[planner.Node]*NodeStats{}
	}
	root, err := b.build(plan)
	if err != nil {
		b.subplans.close()
		return nil, err
	}
	res := &Result{root: root, stats: b.stats, subplans: &b.subplans}
	if d, ok := unwrap(root).(*dmlOp); ok {
		res.dml = d
	}
	return res, nil
}

// Stats returns what an instrumented run measured for plan node n; ok is
// false when the node never ran (or the run was not instrumented).
func (r *Result) Stats(n planner.Node) (NodeStats, bool) {
	st, ok := r.stats[n]
	if !ok || !st.started {
		return NodeStats{}, false
	}
	return *st, true
}

// Next returns the next result row, nil at the end.
func (r *Result) Next(ctx context.Context) (Row, error) {
	row, err := r.root.Next(ctx)
	if err != nil {
		return nil, err
	}
	if row != nil && r.dml == nil {
		r.count++
	}
	return row, nil
}

// Count is the number of rows returned (SELECT) or written (DML).
func (r *Result) Count() int64 {
	if r.dml != nil {
		return r.dml.count
	}
	return r.count
}

// Close releases the operators' resources.
func (r *Result) Close() {
	r.root.Close()
	r.subplans.close()
}

type builder struct {
	rt    *Runtime
	c     *compiler
	stats map[planner.Node]*NodeStats
	// workTables are the working tables of the recursive queries whose
	// recursive term is being built, by RecursiveUnion ID.
	workTables map[int]*workTable
	// subplans keeps the results of the statement's uncorrelated
	// subqueries (subquery.go).
	subplans subplanCache
}

// build makes the operator for n, wrapped in a measuring operator when the
// run is instrumented.
func (b *builder) build(n planner.Node) (Operator, error) {
	op, err := b.buildOp(n)
	if err != nil || b.stats == nil {
		return op, err
	}
	st := &NodeStats{}
	b.stats[n] = st
	return &instrumentedOp{in: op, stats: st}, nil
}

func (b *builder) buildOp(n planner.Node) (Operator, error) {
	switch n := n.(type) {
	case *planner.Scan:
		return newScanOp(b.rt.Txn, n)
	case *planner.Values:
		return b.buildValues(n)
	case *planner.IndexScan:
		return b.buildIndexScan(n)
	case *planner.BtreeScan:
		return b.buildBtreeScan(n)
	case *planner.VirtualScan:
		rows, err := b.virtualRows(n)
		if err != nil {
			return nil, err
		}
		out := make([]Row, len(rows))
		for i, r := range rows {
			out[i] = r
		}
		return &sliceOp{rows: out}, nil
	case *planner.RowSource:
		if b.rt.Source == nil {
			return nil, pgerr.New(pgerr.InternalError, "exec: RowSource without a source")
		}
		return &sourceOp{next: b.rt.Source}, nil
	case *planner.Filter:
		in, err := b.build(n.Input)
		if err != nil {
			return nil, err
		}
		cond, err := b.c.compile(n.Cond)
		if err != nil {
			in.Close()
			return nil, err
		}
		return &filterOp{in: in, cond: cond}, nil
	case *planner.Project:
		in, err := b.build(n.Input)
		if err != nil {
			return nil, err
		}
		exprs, err := b.c.compileAll(n.Exprs)
		if err != nil {
			in.Close()
			return nil, err
		}
		return &projectOp{in: in, exprs: exprs}, nil
	case *planner.Sort:
		in, err := b.build(n.Input)
		if err != nil {
			return nil, err
		}
		keys, err := b.sortKeys(n.Keys)
		if err != nil {
			in.Close()
			return nil, err
		}
		return &sortOp{in: in, keys: keys, mem: b.memLimits().account("Sort", false)}, nil
	case *planner.Limit:
		return b.buildLimit(n)
	case *planner.TopK:
		return b.buildTopK(n)
	case *planner.Aggregate:
		return b.buildAggregate(n)
	case *planner.Window:
		return b.buildWindow(n)
	case *planner.Distinct:
		in, err := b.build(n.Input)
		if err != nil {
			return nil, err
		}
		return newDistinctOp(in, n.Input.Schema(), b.memLimits().account("HashAggregate", true)), nil
	case *planner.Join:
		return b.buildJoin(n)
	case *planner.SetOp:
		return b.buildSetOp(n)
	case *planner.RecursiveUnion:
		return b.buildRecursiveUnion(n)
	case *planner.WorkTableScan:
		return b.buildWorkTableScan(n)
	case *planner.Insert:
		return b.buildInsert(n)
	case *planner.Update:
		return b.buildUpdate(n)
	case *planner.Delete:
		return b.buildDelete(n)
	}
	return nil, pgerr.New(pgerr.InternalError, "exec: no operator for plan node %T", n)
}

// evalInt evaluates a row-independent int8 expression (LIMIT, OFFSET).
func (b *builder) evalInt(e planner.Expr) (int64, bool, error) {
	if e == nil {
		return 0, false, nil
	}
	f, err := b.c.compile(e)
	if err != nil {
		return 0, false, err
	}
	v, err := f(nil)
	if err != nil || v == nil {
		return 0, false, err
	}
	return v.(int64), true, nil
}
