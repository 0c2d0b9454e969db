package exec

import (
	"context"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// workTable holds the rows a recursive query's previous iteration
// produced, which its WorkTableScan reads.
type workTable struct {
	rows []Row
}

// recursiveUnionOp evaluates WITH RECURSIVE (planner.RecursiveUnion). It
// returns rows as they are produced: the non-recursive term's, then each
// iteration's, building the recursive term's operators afresh for every
// iteration over the rows of the one before. With UNION (distinct) a row
// already produced is dropped, so that a cycle in the data ends the
// recursion as in PostgreSQL.
//
// Memory: the rows of the iteration being produced (the next working
// table) and, for UNION, every distinct row produced are charged to the
// operator's account, and a statement that passes work_mem (× hash_mem_
// multiplier for UNION) fails with 53200 instead of exhausting the
// process. PostgreSQL spills the working table to disk instead; vecgres
// does not yet.
type recursiveUnionOp struct {
	b    *builder
	node *planner.RecursiveUnion
	wt   *workTable
	cur  Operator
	// init is true while cur is the non-recursive term.
	init bool
	// next collects the rows of the iteration in progress; nextSize and
	// wtSize are what next's and the working table's rows are charged
	// (UNION ALL: with UNION the set of rows seen holds them all).
	next             []Row
	nextSize, wtSize int64
	seen             *rowSet
	mem              *memAccount
	done             bool
}

func (b *builder) buildRecursiveUnion(n *planner.RecursiveUnion) (Operator, error) {
	init, err := b.build(n.Init)
	if err != nil {
		return nil, err
	}
	op := &recursiveUnionOp{b: b, node: n, wt: &workTable{}, cur: init, init: true,
		mem: b.memLimits().account("Recursive Union", n.Distinct)}
	if n.Distinct {
		ts := make([]types.T, len(n.Out))
		for i, c := range n.Out {
			ts[i] = c.T
		}
		op.seen = newRowSet(ts)
	}
	return op, nil
}

func (r *recursiveUnionOp) Next(ctx context.Context) (Row, error) {
	for !r.done {
		if r.cur == nil {
			if len(r.next) == 0 {
				r.done = true
				break
			}
			// The rows just produced become the working table.
			r.mem.charge(-r.wtSize)
			r.wt.rows, r.next = r.next, nil
			r.wtSize, r.nextSize = r.nextSize, 0
			step, err := r.b.withWorkTable(r.node.ID, r.wt, func() (Operator, error) { return r.b.build(r.node.Step) })
			if err != nil {
				return nil, err
			}
			r.cur = step
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row, err := r.cur.Next(ctx)
		if err != nil {
			return nil, err
		}
		if row == nil {
			r.cur.Close()
			r.cur, r.init = nil, false
			continue
		}
		size := rowSize(row)
		if r.seen != nil {
			if _, added := r.seen.find(row); !added {
				continue
			}
			// The set keeps the row for as long as the query runs.
		} else {
			r.nextSize += size
		}
		if err := r.mem.grow(size); err != nil {
			return nil, err
		}
		r.next = append(r.next, row)
		return row, nil
	}
	return nil, nil
}

func (r *recursiveUnionOp) Close() {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
}

// withWorkTable builds operators with the WorkTableScan of recursive
// query id reading wt.
func (b *builder) withWorkTable(id int, wt *workTable, build func() (Operator, error)) (Operator, error) {
	if b.workTables == nil {
		b.workTables = map[int]*workTable{}
	}
	prev, had := b.workTables[id]
	b.workTables[id] = wt
	defer func() {
		if had {
			b.workTables[id] = prev
		} else {
			delete(b.workTables, id)
		}
	}()
	return build()
}

// buildWorkTableScan returns the rows of the working table as it is when
// the scan is built (one iteration's).
func (b *builder) buildWorkTableScan(n *planner.WorkTableScan) (Operator, error) {
	wt, ok := b.workTables[n.ID]
	if !ok {
		return nil, pgerr.New(pgerr.InternalError, "exec: WorkTable Scan on %s outside its recursive query", n.Name)
	}
	return &sliceOp{rows: wt.rows}, nil
}
