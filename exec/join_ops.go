package exec

import (
	"context"
	"hash/maphash"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// joinOp joins its left input with its right input, which it reads once
// and keeps in memory: in a hash table on the equality keys when the plan
// has them, as a list otherwise (nested loop).
type joinOp struct {
	left, right Operator
	kind        planner.JoinKind
	cond        evalFn
	leftWidth   int
	rightWidth  int

	eqLeft, eqRight []evalFn
	keyTypes        []types.T

	loaded    bool
	rightRows []Row
	table     map[uint64][]int // hash of right keys -> right row indexes
	seed      maphash.Seed
	matched   []bool // right rows matched (full joins)

	cur        Row   // current left row
	candidates []int // right rows to try against cur
	pos        int
	curMatched bool
	tail       int // full join: next right row to check for an unmatched emit
	leftDone   bool
	// tested counts candidate pairs, to check the context now and then:
	// a join can test many pairs without reading any input.
	tested int
	mem    *memAccount // the right rows held
}

func (b *builder) buildJoin(n *planner.Join) (Operator, error) {
	left, err := b.build(n.Left)
	if err != nil {
		return nil, err
	}
	right, err := b.build(n.Right)
	if err != nil {
		left.Close()
		return nil, err
	}
	op := &joinOp{left: left, right: right, kind: n.Kind, leftWidth: len(n.Left.Schema()), rightWidth: len(n.Right.Schema()),
		mem: b.joinAccount(n)}
	fail := func(err error) (Operator, error) {
		op.Close()
		return nil, err
	}
	if n.Cond != nil {
		if op.cond, err = b.c.compile(n.Cond); err != nil {
			return fail(err)
		}
	}
	if op.eqLeft, err = b.c.compileAll(n.EqLeft); err != nil {
		return fail(err)
	}
	if op.eqRight, err = b.c.compileAll(n.EqRight); err != nil {
		return fail(err)
	}
	for _, e := range n.EqLeft {
		op.keyTypes = append(op.keyTypes, e.Type())
	}
	return op, nil
}

func (j *joinOp) load(ctx context.Context) error {
	j.loaded = true
	j.seed = maphash.MakeSeed()
	if len(j.eqRight) > 0 {
		j.table = map[uint64][]int{}
	}
	for {
		row, err := j.right.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		if err := j.mem.grow(rowSize(row) + 32); err != nil {
			return err
		}
		if j.table != nil {
			h, null, err := j.hashKeys(j.eqRight, row)
			if err != nil {
				return err
			}
			if !null {
				j.table[h] = append(j.table[h], len(j.rightRows))
			}
		}
		j.rightRows = append(j.rightRows, row)
	}
	if j.kind == planner.FullJoin {
		j.matched = make([]bool, len(j.rightRows))
	}
	return nil
}

// hashKeys hashes the key values of row; null is set when a key is NULL,
// which never equals anything.
func (j *joinOp) hashKeys(keys []evalFn, row Row) (uint64, bool, error) {
	var h maphash.Hash
	h.SetSeed(j.seed)
	for i, k := range keys {
		v, err := k(row)
		if err != nil {
			return 0, false, err
		}
		if v == nil {
			return 0, true, nil
		}
		types.Hash(j.keyTypes[i], v, &h)
	}
	return h.Sum64(), false, nil
}

func (j *joinOp) combine(l, r Row) Row {
	out := make(Row, 0, j.leftWidth+j.rightWidth)
	if l == nil {
		out = append(out, make(Row, j.leftWidth)...)
	} else {
		out = append(out, l...)
	}
	if r == nil {
		return append(out, make(Row, j.rightWidth)...)
	}
	return append(out, r...)
}

func (j *joinOp) Next(ctx context.Context) (Row, error) {
	if !j.loaded {
		if err := j.load(ctx); err != nil {
			return nil, err
		}
	}
	for !j.leftDone {
		if j.cur == nil {
			row, err := j.left.Next(ctx)
			if err != nil {
				return nil, err
			}
			if row == nil {
				j.leftDone = true
				break
			}
			j.cur, j.pos, j.curMatched = row, 0, false
			if err := j.findCandidates(); err != nil {
				return nil, err
			}
		}
		for j.pos < len(j.candidates) {
			if j.tested++; j.tested%checkEvery == 0 {
				if err := ctxErr(ctx); err != nil {
					return nil, err
				}
			}
			ri := j.candidates[j.pos]
			j.pos++
			out := j.combine(j.cur, j.rightRows[ri])
			if j.cond != nil {
				ok, err := j.cond(out)
				if err != nil {
					return nil, err
				}
				if !isTrue(ok) {
					continue
				}
			}
			j.curMatched = true
			if j.matched != nil {
				j.matched[ri] = true
			}
			return out, nil
		}
		left := j.cur
		j.cur = nil
		if !j.curMatched && j.kind != planner.InnerJoin {
			return j.combine(left, nil), nil
		}
	}
	// Full join: the right rows no left row matched.
	for j.matched != nil && j.tail < len(j.rightRows) {
		i := j.tail
		j.tail++
		if !j.matched[i] {
			return j.combine(nil, j.rightRows[i]), nil
		}
	}
	return nil, nil
}

// findCandidates lists the right rows to test against the current left
// row: those with equal keys, or all of them.
func (j *joinOp) findCandidates() error {
	if j.table == nil {
		if len(j.candidates) != len(j.rightRows) {
			j.candidates = make([]int, len(j.rightRows))
			for i := range j.candidates {
				j.candidates[i] = i
			}
		}
		return nil
	}
	h, null, err := j.hashKeys(j.eqLeft, j.cur)
	if err != nil {
		return err
	}
	if null {
		j.candidates = nil
		return nil
	}
	// Hash collisions are weeded out by Cond, which implies the keys'
	// equality.
	j.candidates = j.table[h]
	return nil
}

func (j *joinOp) Close() {
	j.left.Close()
	j.right.Close()
}

// setOpOp runs UNION, INTERSECT and EXCEPT.
type setOpOp struct {
	op          planner.SetOpKind
	all         bool
	left, right Operator
	out         *sliceOp
	types       []types.T
	leftDone    bool
	seen        *rowSet
	mem         *memAccount
}

func (b *builder) buildSetOp(n *planner.SetOp) (Operator, error) {
	left, err := b.build(n.Left)
	if err != nil {
		return nil, err
	}
	right, err := b.build(n.Right)
	if err != nil {
		left.Close()
		return nil, err
	}
	ts := make([]types.T, len(n.Out))
	for i, c := range n.Out {
		ts[i] = c.T
	}
	return &setOpOp{op: n.Op, all: n.All, left: left, right: right, types: ts, mem: b.setOpAccount(n)}, nil
}

func (s *setOpOp) Next(ctx context.Context) (Row, error) {
	if s.op == planner.Union {
		return s.nextUnion(ctx)
	}
	if s.out == nil {
		if err := s.runCounting(ctx); err != nil {
			return nil, err
		}
	}
	return s.out.Next(ctx)
}

// nextUnion streams: UNION ALL passes both inputs; UNION passes each
// distinct row once.
func (s *setOpOp) nextUnion(ctx context.Context) (Row, error) {
	if !s.all && s.seen == nil {
		s.seen = newRowSet(s.types)
	}
	for {
		in := s.left
		if s.leftDone {
			in = s.right
		}
		row, err := in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if row == nil {
			if s.leftDone {
				return nil, nil
			}
			s.leftDone = true
			continue
		}
		if s.all {
			return row, nil
		}
		_, added, err := s.seen.findCharged(row, s.mem)
		if err != nil {
			return nil, err
		}
		if added {
			return row, nil
		}
	}
}

// runCounting computes INTERSECT and EXCEPT from per-row counts of both
// inputs, keeping the left input's order of first appearance.
func (s *setOpOp) runCounting(ctx context.Context) error {
	set := newRowSet(s.types)
	var leftCount, rightCount []int
	var firsts []Row
	for {
		row, err := s.left.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		i, added, err := set.findCharged(row, s.mem)
		if err != nil {
			return err
		}
		if added {
			leftCount, rightCount = append(leftCount, 0), append(rightCount, 0)
			firsts = append(firsts, row)
		}
		leftCount[i]++
	}
	for {
		row, err := s.right.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		i, added, err := set.findCharged(row, s.mem)
		if err != nil {
			return err
		}
		if added {
			leftCount, rightCount = append(leftCount, 0), append(rightCount, 0)
			firsts = append(firsts, row)
		}
		rightCount[i]++
	}
	var rows []Row
	for i, row := range firsts {
		n := 0
		switch s.op {
		case planner.Intersect:
			n = min(leftCount[i], rightCount[i])
		case planner.Except:
			n = max(leftCount[i]-rightCount[i], 0)
		}
		if !s.all && n > 0 {
			n = 1
		}
		for ; n > 0; n-- {
			rows = append(rows, row)
		}
	}
	s.out = &sliceOp{rows: rows}
	return nil
}

func (s *setOpOp) Close() {
	s.left.Close()
	s.right.Close()
}
