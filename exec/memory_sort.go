package exec

import (
	"container/heap"
	"context"
	"errors"
	"slices"
	"syscall"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// External sort.
//
// A sorter keeps rows in memory until they pass its account's limit
// (work_mem), then sorts them and writes them to a temporary file as one
// run, and starts again. At the end the rows still in memory are sorted
// and merged with the runs, at most mergeFanIn at a time: when there are
// more, groups of runs are first merged into longer runs. Each record of a
// run is the keys, the row and its arrival number, written as a spillFile
// (memory_spill.go); the arrival number keeps the sort stable across
// runs. Run files close with the operator.

// mergeFanIn is the most runs merged at once.
const mergeFanIn = 64

// sorter sorts keyed rows within a memory account, spilling beyond it.
type sorter struct {
	keys []sortKey
	mem  *memAccount
	rows []*keyedRow
	runs []*runFile
	// spilled counts the bytes written to runs (for tests and logs).
	spilled int64
}

func newSorter(keys []sortKey, mem *memAccount) *sorter {
	return &sorter{keys: keys, mem: mem}
}

// add takes a row; it may write the rows held so far to a run.
func (s *sorter) add(kr *keyedRow) error {
	s.rows = append(s.rows, kr)
	s.mem.used += keyedRowSize(kr)
	if !s.mem.over() {
		return nil
	}
	run, err := s.writeRun(slices.Values(s.sortedRows()))
	if err != nil {
		return err
	}
	s.runs = append(s.runs, run)
	clear(s.rows)
	s.rows = s.rows[:0]
	s.mem.used = 0
	return nil
}

// sortedRows sorts the rows held in memory.
func (s *sorter) sortedRows() []*keyedRow {
	slices.SortFunc(s.rows, func(a, b *keyedRow) int { return compareKeyed(s.keys, a, b) })
	return s.rows
}

// finish returns the rows in order. The sorter must not be used after.
func (s *sorter) finish(ctx context.Context) (Operator, error) {
	rows := s.sortedRows()
	if len(s.runs) == 0 {
		out := make([]Row, len(rows))
		for i, kr := range rows {
			out[i] = kr.row
		}
		s.rows = nil
		return &sliceOp{rows: out}, nil
	}
	// Merge runs down to at most mergeFanIn - 1, leaving room for the rows
	// in memory.
	for len(s.runs) >= mergeFanIn {
		group := s.runs[:mergeFanIn]
		m, err := s.newMerge(ctx, group, nil)
		if err != nil {
			return nil, err
		}
		run, err := s.writeRun(m.all())
		if err == nil {
			err = m.err
		}
		m.Close()
		if err != nil {
			return nil, err
		}
		s.runs = append(s.runs[mergeFanIn:], run)
	}
	m, err := s.newMerge(ctx, s.runs, rows)
	s.runs, s.rows = nil, nil
	return m, err
}

// close releases the runs of a sorter that is not finished.
func (s *sorter) close() {
	for _, r := range s.runs {
		r.close()
	}
	s.runs, s.rows = nil, nil
}

// runFile is one sorted run on disk: each record is the keys, the row and
// its arrival number.
type runFile struct {
	file  *spillFile
	nkeys int
}

// writeRun writes rows, which are in order, to a new run file.
func (s *sorter) writeRun(rows func(yield func(*keyedRow) bool)) (*runFile, error) {
	f, err := newSpillFile(s.mem, "sort-*.tmp", runBufSize)
	if err != nil {
		return nil, err
	}
	run := &runFile{file: f, nkeys: len(s.keys)}
	var vals []types.Datum
	for kr := range rows {
		vals = append(append(append(vals[:0], kr.keys...), kr.row...), kr.seq)
		if err := f.write(vals); err != nil {
			run.close()
			return nil, err
		}
		clear(vals)
	}
	s.spilled += f.size
	if err := f.rewind(32 << 10); err != nil {
		run.close()
		return nil, err
	}
	return run, nil
}

// next reads the run's next row, nil at its end.
func (r *runFile) next() (*keyedRow, error) {
	vals, err := r.file.read(r.nkeys + 1)
	if err != nil || vals == nil {
		return nil, err
	}
	seq, _ := vals[len(vals)-1].(int64)
	return &keyedRow{keys: vals[:r.nkeys:r.nkeys], row: vals[r.nkeys : len(vals)-1 : len(vals)-1], seq: seq}, nil
}

func (r *runFile) close() { r.file.close() }

// tempFileError reports a failed operation on a temporary file, with
// PostgreSQL's code for a full disk.
func tempFileError(op string, err error) *pgerr.Error {
	code := pgerr.IOError
	if errors.Is(err, syscall.ENOSPC) {
		code = pgerr.DiskFull
	}
	return pgerr.New(code, "could not %s temporary file: %v", op, err)
}

// mergeOp merges sorted runs and sorted rows in memory into one order.
type mergeOp struct {
	keys  []sortKey
	ctx   context.Context
	runs  []*runFile
	mem   []*keyedRow // sorted rows still in memory
	heads mergeHeap
	n     int
	err   error
}

// mergeSource is the current row of one input of a merge: a run, or the
// rows in memory (run == -1).
type mergeSource struct {
	row *keyedRow
	run int
}

func (s *sorter) newMerge(ctx context.Context, runs []*runFile, mem []*keyedRow) (*mergeOp, error) {
	m := &mergeOp{keys: s.keys, ctx: ctx, runs: runs, mem: mem, heads: mergeHeap{keys: s.keys}}
	for i := range runs {
		if err := m.refill(i); err != nil {
			m.Close()
			return nil, err
		}
	}
	if err := m.refill(-1); err != nil {
		m.Close()
		return nil, err
	}
	heap.Init(&m.heads)
	return m, nil
}

// refill pushes the next row of input i onto the heap, if it has one.
func (m *mergeOp) refill(i int) error {
	var kr *keyedRow
	if i < 0 {
		if len(m.mem) == 0 {
			return nil
		}
		kr = m.mem[0]
		m.mem[0] = nil
		m.mem = m.mem[1:]
	} else {
		var err error
		if kr, err = m.runs[i].next(); err != nil || kr == nil {
			return err
		}
	}
	m.heads.srcs = append(m.heads.srcs, mergeSource{row: kr, run: i})
	return nil
}

// nextKeyed returns the smallest remaining row, nil at the end.
func (m *mergeOp) nextKeyed() (*keyedRow, error) {
	if m.n++; m.n%checkEvery == 0 {
		if err := ctxErr(m.ctx); err != nil {
			return nil, err
		}
	}
	if m.heads.Len() == 0 {
		return nil, nil
	}
	top := heap.Pop(&m.heads).(mergeSource)
	n := m.heads.Len()
	if err := m.refill(top.run); err != nil {
		return nil, err
	}
	if m.heads.Len() > n {
		heap.Fix(&m.heads, n)
	}
	return top.row, nil
}

func (m *mergeOp) Next(ctx context.Context) (Row, error) {
	m.ctx = ctx
	kr, err := m.nextKeyed()
	if err != nil || kr == nil {
		return nil, err
	}
	return kr.row, nil
}

// all yields the merged rows, stopping at the first error (kept in m.err).
func (m *mergeOp) all() func(yield func(*keyedRow) bool) {
	return func(yield func(*keyedRow) bool) {
		for {
			kr, err := m.nextKeyed()
			if err != nil {
				m.err = err
				return
			}
			if kr == nil || !yield(kr) {
				return
			}
		}
	}
}

func (m *mergeOp) Close() {
	for _, r := range m.runs {
		r.close()
	}
	m.runs, m.mem, m.heads.srcs = nil, nil, nil
}

// mergeHeap is a min-heap of the inputs' current rows.
type mergeHeap struct {
	keys []sortKey
	srcs []mergeSource
}

func (h *mergeHeap) Len() int { return len(h.srcs) }
func (h *mergeHeap) Less(i, j int) bool {
	return compareKeyed(h.keys, h.srcs[i].row, h.srcs[j].row) < 0
}
func (h *mergeHeap) Swap(i, j int) { h.srcs[i], h.srcs[j] = h.srcs[j], h.srcs[i] }
func (h *mergeHeap) Push(x any)    { h.srcs = append(h.srcs, x.(mergeSource)) }
func (h *mergeHeap) Pop() any {
	last := h.srcs[len(h.srcs)-1]
	h.srcs = h.srcs[:len(h.srcs)-1]
	return last
}

// sortAll reads all of in and returns its rows in the keys' order, within
// the limits (the sort operator).
func sortAll(ctx context.Context, in Operator, keys []sortKey, mem *memAccount) (Operator, error) {
	s := newSorter(keys, mem)
	var seq int64
	for {
		row, err := in.Next(ctx)
		if err != nil {
			s.close()
			return nil, err
		}
		if row == nil {
			break
		}
		k, err := evalKeys(keys, row)
		if err != nil {
			s.close()
			return nil, err
		}
		if err := s.add(&keyedRow{keys: k, row: row, seq: seq}); err != nil {
			s.close()
			return nil, err
		}
		seq++
	}
	out, err := s.finish(ctx)
	if err != nil {
		s.close()
	}
	return out, err
}

// sortRest turns a top-k whose heap outgrew work_mem into an external
// sort of the heap's rows and the rest of the input (arrival numbers from
// seq on), followed by the OFFSET and LIMIT.
func (t *topKOp) sortRest(ctx context.Context, seq int64) error {
	t.mem.used = 0
	s := newSorter(t.keys, t.mem)
	rows := t.heap.rows
	t.heap.rows = nil
	for _, kr := range rows {
		if err := s.add(kr); err != nil {
			s.close()
			return err
		}
	}
	for {
		row, err := t.in.Next(ctx)
		if err != nil {
			s.close()
			return err
		}
		if row == nil {
			break
		}
		k, err := evalKeys(t.keys, row)
		if err != nil {
			s.close()
			return err
		}
		if err := s.add(&keyedRow{keys: k, row: row, seq: seq}); err != nil {
			s.close()
			return err
		}
		seq++
	}
	out, err := s.finish(ctx)
	if err != nil {
		s.close()
		return err
	}
	t.out = &limitOp{in: out, offset: t.offset, count: t.count, hasCount: t.hasCount}
	return nil
}
