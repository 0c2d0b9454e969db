package exec

import (
	"context"
	"time"
)

// NodeStats is what EXPLAIN ANALYZE reports for one plan node.
type NodeStats struct {
	Rows int64
	// First and Total are the times from the node's first Next call until
	// it returned its first row and until it returned its end.
	First, Total time.Duration
	// Notes are what the operator tells about how it ran (the strategy
	// a filtered index scan chose, say).
	Notes   []string
	started bool
	start   time.Time
}

// instrumentedOp measures the operator it wraps.
type instrumentedOp struct {
	in    Operator
	stats *NodeStats
}

func (o *instrumentedOp) Next(ctx context.Context) (Row, error) {
	st := o.stats
	if !st.started {
		st.started, st.start = true, time.Now()
	}
	row, err := o.in.Next(ctx)
	now := time.Since(st.start)
	if row != nil {
		if st.Rows == 0 {
			st.First = now
		}
		st.Rows++
	}
	st.Total = now
	// The notes are taken after every call, not at the end only: a
	// consumer such as Limit stops pulling before its input ends.
	if n, ok := o.in.(interface{ explainNotes() []string }); ok {
		st.Notes = n.explainNotes()
	}
	return row, err
}

func (o *instrumentedOp) Close() { o.in.Close() }

// unwrap returns the operator inside an instrumentation wrapper.
func unwrap(op Operator) Operator {
	if w, ok := op.(*instrumentedOp); ok {
		return w.in
	}
	return op
}
