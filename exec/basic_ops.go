package exec

import (
	"context"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/storage"
)

// checkEvery is how many rows an operator may produce between checks of
// its context, so that a cancelled or timed-out statement stops soon.
const checkEvery = 1024

// scanOp reads a table in row-id order.
type scanOp struct {
	it    *storage.RowIter
	rowID bool
	n     int
}

func newScanOp(txn *storage.Txn, n *planner.Scan) (Operator, error) {
	it, err := txn.Scan(n.Table)
	if err != nil {
		return nil, err
	}
	return &scanOp{it: it, rowID: n.RowID}, nil
}

func (s *scanOp) Next(ctx context.Context) (Row, error) {
	s.n++
	if s.n%checkEvery == 0 {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
	}
	if !s.it.Next() {
		return nil, s.it.Err()
	}
	row, err := s.it.Row()
	if err != nil {
		return nil, err
	}
	if s.rowID {
		row = append(row, int64(s.it.ID()))
	}
	return row, nil
}

func (s *scanOp) Close() { s.it.Close() }

// ctxErr turns a finished context into the error PostgreSQL reports for a
// cancelled statement.
func ctxErr(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() {
		if pe := pgerr.From(cause); pe.Code != pgerr.InternalError {
			return pe
		}
	}
	return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
}

// valuesOp produces literal rows.
type valuesOp struct {
	rows [][]evalFn
	i    int
}

func (b *builder) buildValues(n *planner.Values) (Operator, error) {
	rows := make([][]evalFn, len(n.Rows))
	for i, r := range n.Rows {
		fs, err := b.c.compileAll(r)
		if err != nil {
			return nil, err
		}
		rows[i] = fs
	}
	return &valuesOp{rows: rows}, nil
}

func (v *valuesOp) Next(ctx context.Context) (Row, error) {
	if v.i >= len(v.rows) {
		return nil, nil
	}
	if v.i%checkEvery == checkEvery-1 {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
	}
	fs := v.rows[v.i]
	v.i++
	row := make(Row, len(fs))
	for i, f := range fs {
		d, err := f(nil)
		if err != nil {
			return nil, err
		}
		row[i] = d
	}
	return row, nil
}

func (v *valuesOp) Close() {}

// filterOp passes rows whose condition is true.
type filterOp struct {
	in   Operator
	cond evalFn
}

func (f *filterOp) Next(ctx context.Context) (Row, error) {
	for {
		row, err := f.in.Next(ctx)
		if err != nil || row == nil {
			return nil, err
		}
		ok, err := f.cond(row)
		if err != nil {
			return nil, err
		}
		if isTrue(ok) {
			return row, nil
		}
	}
}

func (f *filterOp) Close() { f.in.Close() }

// projectOp computes output columns.
type projectOp struct {
	in    Operator
	exprs []evalFn
}

func (p *projectOp) Next(ctx context.Context) (Row, error) {
	row, err := p.in.Next(ctx)
	if err != nil || row == nil {
		return nil, err
	}
	out := make(Row, len(p.exprs))
	for i, e := range p.exprs {
		v, err := e(row)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (p *projectOp) Close() { p.in.Close() }

// limitOp skips offset rows and passes at most count.
type limitOp struct {
	in            Operator
	offset, count int64
	hasCount      bool
	skipped, sent int64
}

func (b *builder) buildLimit(n *planner.Limit) (Operator, error) {
	count, hasCount, offset, err := b.limits(n.Count, n.Offset)
	if err != nil {
		return nil, err
	}
	in, err := b.build(n.Input)
	if err != nil {
		return nil, err
	}
	return &limitOp{in: in, offset: offset, count: count, hasCount: hasCount}, nil
}

// limits evaluates LIMIT and OFFSET, rejecting negative values as
// PostgreSQL does.
func (b *builder) limits(countE, offsetE planner.Expr) (count int64, hasCount bool, offset int64, err error) {
	count, hasCount, err = b.evalInt(countE)
	if err != nil {
		return
	}
	if hasCount && count < 0 {
		err = pgerr.New(pgerr.InvalidRowCountInLimit, "LIMIT must not be negative")
		return
	}
	offset, _, err = b.evalInt(offsetE)
	if err == nil && offset < 0 {
		err = pgerr.New(pgerr.InvalidRowCountInResultOffset, "OFFSET must not be negative")
	}
	return
}

func (l *limitOp) Next(ctx context.Context) (Row, error) {
	if l.hasCount && l.sent >= l.count {
		return nil, nil
	}
	for l.skipped < l.offset {
		row, err := l.in.Next(ctx)
		if err != nil || row == nil {
			return nil, err
		}
		l.skipped++
	}
	row, err := l.in.Next(ctx)
	if err != nil || row == nil {
		return nil, err
	}
	l.sent++
	return row, nil
}

func (l *limitOp) Close() { l.in.Close() }

// sliceOp returns rows already computed.
type sliceOp struct {
	rows []Row
	i    int
}

func (s *sliceOp) Next(context.Context) (Row, error) {
	if s.i >= len(s.rows) {
		return nil, nil
	}
	s.i++
	return s.rows[s.i-1], nil
}

func (s *sliceOp) Close() {}

// sourceOp returns the rows the runtime's Source supplies.
type sourceOp struct {
	next func(ctx context.Context) (Row, error)
}

func (s *sourceOp) Next(ctx context.Context) (Row, error) { return s.next(ctx) }

func (s *sourceOp) Close() {}
