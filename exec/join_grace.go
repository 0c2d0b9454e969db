package exec

import (
	"context"

	"github.com/vecgres/vecgres/planner"
)

// Grace hash join: see joinOp.

// divideRight turns a hash join whose right rows passed its limit into a
// Grace hash join: the right rows held, row (the one that did not fit)
// and the rest of the right input go to batches by their keys' hash.
func (j *joinOp) divideRight(ctx context.Context, row Row) error {
	g := &graceJoin{rightParts: newPartitions(j.mem, "hashjoin-*.tmp")}
	j.grace = g
	j.stats.maxLevel = max(j.stats.maxLevel, j.level+1)
	put := func(r Row) error {
		h, null, err := j.hashKeys(j.eqRight, r)
		if err != nil {
			return err
		}
		if null {
			// Matches nothing: only a full join emits it.
			if j.kind != planner.FullJoin {
				return nil
			}
			if g.nullRight == nil {
				if g.nullRight, err = newSpillFile(j.mem, "hashjoin-*.tmp", spillBufSize); err != nil {
					return err
				}
			}
			return g.nullRight.write(r)
		}
		g.rightRows++
		return g.rightParts.add(h, r)
	}
	for i, r := range j.rightRows {
		if err := put(r); err != nil {
			return err
		}
		j.rightRows[i] = nil
	}
	j.rightRows, j.table = nil, nil
	j.mem.used = 0
	if err := put(row); err != nil {
		return err
	}
	for {
		r, err := j.right.Next(ctx)
		if err != nil {
			return err
		}
		if r == nil {
			return nil
		}
		if err := put(r); err != nil {
			return err
		}
	}
}

// nextGrace returns the next row of a Grace hash join: first the left
// rows that match nothing (while the left rows are divided), then the
// batches' rows, then a full join's right rows with NULL keys.
func (j *joinOp) nextGrace(ctx context.Context) (Row, error) {
	g := j.grace
	for !g.partitioned {
		row, err := j.left.Next(ctx)
		if err != nil {
			return nil, err
		}
		if row == nil {
			g.partitioned = true
			if err := g.makeBatches(j.kind); err != nil {
				return nil, err
			}
			break
		}
		h, null, err := j.hashKeys(j.eqLeft, row)
		if err != nil {
			return nil, err
		}
		if !null && g.rightParts.files[g.rightParts.index(h)] != nil {
			if g.leftParts == nil {
				g.leftParts = newPartitions(j.mem, "hashjoin-*.tmp")
			}
			if err := g.leftParts.add(h, row); err != nil {
				return nil, err
			}
			continue
		}
		// No right row can match it.
		if j.kind != planner.InnerJoin {
			return j.combine(row, nil), nil
		}
	}
	for g.batch != nil || len(g.batches) > 0 {
		if g.batch == nil {
			b := g.batches[len(g.batches)-1]
			g.batches = g.batches[:len(g.batches)-1]
			batch, err := j.newBatch(b, g.rightRows)
			if err != nil {
				return nil, err
			}
			g.batch = batch
		}
		row, err := g.batch.Next(ctx)
		if row != nil || err != nil {
			return row, err
		}
		g.batch.Close()
		g.batch = nil
	}
	if g.nullRight != nil {
		f := g.nullRight
		g.nullRight = nil
		out, err := newFileOp(f, j.rightWidth)
		if err != nil {
			return nil, err
		}
		g.nullOut = out
	}
	if g.nullOut != nil {
		row, err := g.nullOut.Next(ctx)
		if err != nil {
			return nil, err
		}
		if row != nil {
			return j.combine(nil, row), nil
		}
		g.nullOut.Close()
		g.nullOut = nil
	}
	return nil, nil
}

// makeBatches pairs the right and left partitions: a batch needs right
// rows, and left rows too unless a full join must emit its right rows.
func (g *graceJoin) makeBatches(kind planner.JoinKind) error {
	rights, err := g.rightParts.drain()
	if err != nil {
		return err
	}
	lefts := make([]*spillFile, len(rights))
	if g.leftParts != nil {
		if lefts, err = g.leftParts.drain(); err != nil {
			for _, f := range rights {
				if f != nil {
					f.close()
				}
			}
			return err
		}
	}
	for i, right := range rights {
		b := joinBatch{left: lefts[i], right: right}
		switch {
		case b.right == nil:
			// Its left rows were emitted or dropped as they came.
		case b.left == nil && kind != planner.FullJoin:
			b.right.close()
		default:
			g.batches = append(g.batches, b)
		}
	}
	return nil
}

// newBatch makes the join of one batch; divided is the number of right
// rows the batches were made of.
func (j *joinOp) newBatch(b joinBatch, divided int64) (*joinOp, error) {
	right, err := newFileOp(b.right, j.rightWidth)
	if err != nil {
		if b.left != nil {
			b.left.close()
		}
		return nil, err
	}
	var left Operator = &sliceOp{}
	if b.left != nil {
		l, err := newFileOp(b.left, j.leftWidth)
		if err != nil {
			right.Close()
			return nil, err
		}
		left = l
	}
	j.stats.batches++
	return &joinOp{left: left, right: right, kind: j.kind, cond: j.cond, leftWidth: j.leftWidth, rightWidth: j.rightWidth,
		eqLeft: j.eqLeft, eqRight: j.eqRight, keyTypes: j.keyTypes,
		mem:   j.mem.limits.account(j.mem.op, true),
		level: j.level + 1,
		// Dividing again cannot help a batch that holds every right row
		// (one key), and the levels are bounded.
		unbounded: b.right.rows == divided || j.level+1 >= maxJoinLevel,
		stats:     j.stats}, nil
}

func (g *graceJoin) close() {
	g.rightParts.close()
	if g.leftParts != nil {
		g.leftParts.close()
	}
	for _, b := range g.batches {
		b.right.close()
		if b.left != nil {
			b.left.close()
		}
	}
	g.batches = nil
	if g.batch != nil {
		g.batch.Close()
		g.batch = nil
	}
	if g.nullRight != nil {
		g.nullRight.close()
	}
	if g.nullOut != nil {
		g.nullOut.Close()
	}
}
