package exec

import (
	"context"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// btreeScanOp reads a table's rows through a btree index: the entries the
// key prefix and bounds select, each row read from the snapshot.
type btreeScanOp struct {
	rt    *Runtime
	n     *planner.BtreeScan
	c     *compiler
	it    *storage.IndexIter
	empty bool
	count int
}

func (b *builder) buildBtreeScan(n *planner.BtreeScan) (Operator, error) {
	return &btreeScanOp{rt: b.rt, n: n, c: b.c}, nil
}

// open evaluates the key values and starts the index scan. A NULL key
// value matches nothing (col = NULL is never true).
func (o *btreeScanOp) open() error {
	eval := func(e planner.Expr) (types.Datum, error) {
		f, err := o.c.compile(e)
		if err != nil {
			return nil, err
		}
		return f(nil)
	}
	var span storage.IndexSpan
	for _, e := range o.n.Prefix {
		v, err := eval(e)
		if err != nil {
			return err
		}
		if v == nil {
			o.empty = true
			return nil
		}
		span.Prefix = append(span.Prefix, v)
	}
	for _, b := range []struct {
		bound *planner.Bound
		dst   **storage.Bound
	}{{o.n.Lo, &span.Lo}, {o.n.Hi, &span.Hi}} {
		if b.bound == nil {
			continue
		}
		v, err := eval(b.bound.Expr)
		if err != nil {
			return err
		}
		if v == nil {
			o.empty = true
			return nil
		}
		*b.dst = &storage.Bound{Value: v, Inclusive: b.bound.Inclusive}
	}
	it, err := o.rt.Txn.IndexScan(o.n.Index, span)
	if err != nil {
		return err
	}
	o.it = it
	return nil
}

func (o *btreeScanOp) Next(ctx context.Context) (Row, error) {
	if o.it == nil && !o.empty {
		if err := o.open(); err != nil {
			return nil, err
		}
	}
	if o.empty {
		return nil, nil
	}
	for o.it.Next() {
		if o.count++; o.count%checkEvery == 0 {
			if err := ctxErr(ctx); err != nil {
				return nil, err
			}
		}
		id := o.it.RowID()
		row, found, err := o.rt.Txn.Get(o.n.Table, id)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		if o.n.RowID {
			row = append(row, int64(id))
		}
		return row, nil
	}
	return nil, o.it.Err()
}

func (o *btreeScanOp) Close() {
	if o.it != nil {
		o.it.Close()
	}
}
