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
//
// A hash join whose right rows pass its limit (work_mem ×
// hash_mem_multiplier) becomes a Grace hash join: the right rows, those
// read and the rest, are divided among partition files ("batches") by
// the hash of their keys, then the left rows by the hash of theirs, so
// that rows that may match share a batch; each batch is then joined by a
// joinOp of its own over the two files, which divides its batch again
// (with a new hash seed) if its right rows still do not fit. Rows that
// match nothing are settled without a batch: a left row whose key is
// NULL or whose batch has no right rows is emitted null-extended at once
// by a left or full join (dropped by an inner one), and a full join's
// right rows with a NULL key are kept in a file of their own and emitted
// null-extended at the end; a batch's own unmatched rows are its joinOp's
// business, as they would be in memory. A batch whose right rows all
// share one key cannot be divided: when dividing a batch puts all its
// right rows in one batch, or after maxJoinLevel divisions, that batch is
// joined in memory beyond the limit, as PostgreSQL does with such a
// batch.
//
// A nested loop (no equality keys) keeps its right rows in memory up to
// work_mem and writes the rest to a temporary file, which it reads again
// for every left row after the rows in memory, as PostgreSQL's
// Materialize node reads its tuplestore; a full join remembers which
// right rows matched by their number.
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

	// level is the number of divisions above this join (0 for the plan's
	// join, 1 for its batches, ...); unbounded joins a batch in memory
	// whatever its size.
	level     int
	unbounded bool
	grace     *graceJoin // set once the right rows are divided
	// overflow holds a nested loop's right rows beyond work_mem, read
	// again for every left row (after the rows in memory); overflowPos is
	// the next one to read for the current row (-1: not started).
	overflow     *spillFile
	overflowRows int64
	overflowPos  int64
	stats        *joinSpillStats
}

// maxJoinLevel is the most times a batch is divided.
const maxJoinLevel = 6

// joinSpillStats counts what a hash join and its batches wrote (for
// tests).
type joinSpillStats struct {
	batches  int // batches joined
	maxLevel int // deepest division
}

// graceJoin is the state of a hash join divided into batches.
type graceJoin struct {
	rightParts, leftParts *partitions
	rightRows             int64 // right rows divided
	nullRight             *spillFile
	batches               []joinBatch
	batch                 *joinOp // the batch being joined
	nullOut               *fileOp // full join: the NULL-key right rows being emitted
	partitioned           bool    // the left rows are divided
}

// joinBatch is one batch's right rows and left rows (nil when none).
type joinBatch struct{ left, right *spillFile }

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
		mem: b.joinAccount(n), stats: &joinSpillStats{}}
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
		size := rowSize(row) + 32
		switch {
		case j.overflow != nil:
			if err := j.addOverflow(row); err != nil {
				return err
			}
			continue
		case j.unbounded:
			j.mem.charge(size)
		default:
			if err := j.mem.grow(size); err != nil {
				if j.table != nil {
					return j.divideRight(ctx, row)
				}
				// A nested loop keeps the rest on disk.
				j.mem.used -= size
				if err := j.addOverflow(row); err != nil {
					return err
				}
				continue
			}
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
		j.matched = make([]bool, int64(len(j.rightRows))+j.overflowRows)
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

// match joins the current left row with right row r (number ri) and
// returns the joined row if the join condition holds, recording the
// match; nil if it does not.
func (j *joinOp) match(r Row, ri int64) (Row, error) {
	out := j.combine(j.cur, r)
	if j.cond != nil {
		ok, err := j.cond(out)
		if err != nil || !isTrue(ok) {
			return nil, err
		}
	}
	j.curMatched = true
	if j.matched != nil {
		j.matched[ri] = true
	}
	return out, nil
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
	if j.grace != nil {
		return j.nextGrace(ctx)
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
			j.overflowPos = -1
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
			if out, err := j.match(j.rightRows[ri], int64(ri)); out != nil || err != nil {
				return out, err
			}
		}
		if j.overflow != nil && j.overflowPos < j.overflowRows {
			out, err := j.nextOverflow(ctx)
			if err != nil || out != nil {
				return out, err
			}
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
	if j.matched != nil && j.overflow != nil {
		return j.overflowTail(ctx)
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
	if j.overflow != nil {
		j.overflow.close()
	}
	if g := j.grace; g != nil {
		g.close()
	}
}

// setOpOp runs UNION, INTERSECT and EXCEPT.
//
// UNION ALL passes both inputs; UNION passes them through a distinctOp
// (which spills as it does for DISTINCT). INTERSECT and EXCEPT count the
// rows of both inputs per distinct row in a hash table: rows of the left
// input that would start an entry beyond the limit are written to
// partition files by their hash, and so are the right rows whose entry is
// not in memory but may be in a left partition (same hash, same
// partition); right rows of no left row are dropped. When both inputs
// end the entries in memory are emitted and each pair of partitions is
// counted the same way, with a new hash seed.
type setOpOp struct {
	op          planner.SetOpKind
	all         bool
	left, right Operator
	out         *sliceOp
	types       []types.T
	concat      *concatOp   // UNION's inputs
	union       *distinctOp // UNION's distinct rows
	mem         *memAccount
	// pending are the partition pairs not counted yet.
	pending []setOpPartition
	passes  int
}

// setOpPartition is one partition's left and right rows; right is nil
// when no right row went there.
type setOpPartition struct{ left, right *spillFile }

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
	s := &setOpOp{op: n.Op, all: n.All, left: left, right: right, types: ts, mem: b.setOpAccount(n)}
	if n.Op == planner.Union {
		s.concat = &concatOp{ops: []Operator{left, right}}
		if !n.All {
			s.union = newDistinctOp(s.concat, n.Out, s.mem)
		}
	}
	return s, nil
}

func (s *setOpOp) Next(ctx context.Context) (Row, error) {
	if s.op == planner.Union {
		if s.union != nil {
			return s.union.Next(ctx)
		}
		return s.concat.Next(ctx)
	}
	if s.out == nil {
		if err := s.runCounting(ctx, s.left, s.right); err != nil {
			return nil, err
		}
	}
	for {
		row, err := s.out.Next(ctx)
		if row != nil || err != nil || len(s.pending) == 0 {
			return row, err
		}
		p := s.pending[len(s.pending)-1]
		s.pending = s.pending[:len(s.pending)-1]
		if err := s.countPartition(ctx, p); err != nil {
			return nil, err
		}
	}
}

// countPartition counts one pair of partitions into s.out.
func (s *setOpOp) countPartition(ctx context.Context, p setOpPartition) error {
	s.out = nil
	left, err := newFileOp(p.left, len(s.types))
	if err != nil {
		if p.right != nil {
			p.right.close()
		}
		return err
	}
	defer left.Close()
	var right Operator = &sliceOp{}
	if p.right != nil {
		r, err := newFileOp(p.right, len(s.types))
		if err != nil {
			return err
		}
		defer r.Close()
		right = r
	}
	return s.runCounting(ctx, left, right)
}

// runCounting computes INTERSECT and EXCEPT from per-row counts of both
// inputs, keeping the left input's order of first appearance.
func (s *setOpOp) runCounting(ctx context.Context, leftIn, rightIn Operator) error {
	s.passes++
	s.mem.used = 0
	set := newRowSet(s.types)
	var leftCount, rightCount []int
	var firsts []Row
	var leftParts, rightParts *partitions
	defer func() {
		for _, p := range []*partitions{leftParts, rightParts} {
			if p != nil {
				p.close()
			}
		}
	}()
	for {
		row, err := leftIn.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		sum := set.hash(row)
		i, found := set.lookup(sum, row)
		if !found {
			// The row, its bucket entry and index, its counts.
			cost := rowSize(row) + 40
			if leftParts != nil || len(firsts) > 0 && s.mem.used+cost > s.mem.limit {
				if leftParts == nil {
					leftParts = newPartitions(s.mem, "setop-*.tmp")
				}
				if err := leftParts.add(sum, row); err != nil {
					return err
				}
				continue
			}
			i = set.insert(sum, row)
			s.mem.charge(cost)
			leftCount, rightCount = append(leftCount, 0), append(rightCount, 0)
			firsts = append(firsts, row)
		}
		leftCount[i]++
	}
	for {
		row, err := rightIn.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		sum := set.hash(row)
		if i, found := set.lookup(sum, row); found {
			rightCount[i]++
			continue
		}
		// A row of no left row in memory counts only if a left partition
		// may hold its left rows.
		if leftParts == nil || leftParts.files[leftParts.index(sum)] == nil {
			continue
		}
		if rightParts == nil {
			rightParts = newPartitions(s.mem, "setop-*.tmp")
		}
		if err := rightParts.add(sum, row); err != nil {
			return err
		}
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
	if leftParts != nil {
		lefts, err := leftParts.drain()
		if err != nil {
			return err
		}
		rights := make([]*spillFile, len(lefts))
		if rightParts != nil {
			if rights, err = rightParts.drain(); err != nil {
				for _, f := range lefts {
					if f != nil {
						f.close()
					}
				}
				return err
			}
		}
		for i, f := range lefts {
			if f != nil {
				s.pending = append(s.pending, setOpPartition{left: f, right: rights[i]})
			}
		}
	}
	return nil
}

func (s *setOpOp) Close() {
	s.left.Close()
	s.right.Close()
	for _, p := range s.pending {
		p.left.close()
		if p.right != nil {
			p.right.close()
		}
	}
	s.pending = nil
	if s.union != nil {
		s.union.Close()
	}
}

// concatOp reads its inputs one after the other. It does not own them:
// Close leaves them to their owner.
type concatOp struct {
	ops []Operator
	cur int
}

func (c *concatOp) Next(ctx context.Context) (Row, error) {
	for c.cur < len(c.ops) {
		row, err := c.ops[c.cur].Next(ctx)
		if row != nil || err != nil {
			return row, err
		}
		c.cur++
	}
	return nil, nil
}

func (c *concatOp) Close() {}
