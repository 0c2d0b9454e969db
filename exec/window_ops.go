package exec

import (
	"context"
	"slices"
	"sort"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Window functions (PostgreSQL's WindowAgg).
//
// windowOp reads all its input, charging the rows it holds to work_mem
// (53200 beyond it: it does not spill), then for each distinct window
// ordering sorts the rows by partition and order keys, walks the
// partitions and computes every function over that window. Rows come out
// in the order of the last window sorted, followed by the functions'
// results.

// windowSort is one partition-and-order sort shared by the functions
// whose windows order rows alike.
type windowSort struct {
	keys  []sortKey // partition keys, then order keys
	nPart int
	funcs []int // indexes into windowOp.funcs
}

// windowFuncRun is one compiled window function.
type windowFuncRun struct {
	f        *planner.WindowFunc
	args     []evalFn
	filter   evalFn
	startOff evalFn
	endOff   evalFn
	// start and end are the ROWS and GROUPS frame offsets, startVal and
	// endVal the RANGE ones, evaluated when the operator starts.
	start, end       int64
	startVal, endVal types.Datum
}

type windowOp struct {
	in    Operator
	env   planner.Env
	sorts []*windowSort
	funcs []*windowFuncRun
	mem   *memAccount
	out   *sliceOp
}

func (b *builder) buildWindow(n *planner.Window) (Operator, error) {
	in, err := b.build(n.Input)
	if err != nil {
		return nil, err
	}
	op := &windowOp{in: in, env: b.rt.Env, mem: b.memLimits().account("WindowAgg", false)}
	fail := func(err error) (Operator, error) {
		in.Close()
		return nil, err
	}
	for i, f := range n.Funcs {
		r := &windowFuncRun{f: f}
		args := f.Args
		if f.Agg != nil {
			args = f.Agg.Args
			if f.Agg.Filter != nil {
				if r.filter, err = b.c.compile(f.Agg.Filter); err != nil {
					return fail(err)
				}
			}
		}
		if r.args, err = b.c.compileAll(args); err != nil {
			return fail(err)
		}
		if o := f.Spec.Frame.Start.Offset; o != nil {
			if r.startOff, err = b.c.compile(o); err != nil {
				return fail(err)
			}
		}
		if o := f.Spec.Frame.End.Offset; o != nil {
			if r.endOff, err = b.c.compile(o); err != nil {
				return fail(err)
			}
		}
		op.funcs = append(op.funcs, r)
		shared := false
		for _, s := range op.sorts {
			if n.Funcs[s.funcs[0]].Spec.SameOrdering(f.Spec) {
				s.funcs = append(s.funcs, i)
				shared = true
				break
			}
		}
		if shared {
			continue
		}
		keys, err := b.sortKeys(append(append([]planner.SortKey{}, f.Spec.Partition...), f.Spec.Order...))
		if err != nil {
			return fail(err)
		}
		op.sorts = append(op.sorts, &windowSort{keys: keys, nPart: len(f.Spec.Partition), funcs: []int{i}})
	}
	return op, nil
}

func (w *windowOp) Next(ctx context.Context) (Row, error) {
	if w.out == nil {
		if err := w.run(ctx); err != nil {
			return nil, err
		}
	}
	return w.out.Next(ctx)
}

func (w *windowOp) Close() { w.in.Close() }

// frameOffset evaluates a frame offset once, as PostgreSQL does.
func frameOffset(f evalFn, which string, mode planner.FrameMode) (types.Datum, error) {
	if f == nil {
		return nil, nil
	}
	v, err := f(nil)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, pgerr.New(pgerr.NullValueNotAllowed, "frame %s offset must not be null", which)
	}
	negative := false
	switch x := v.(type) {
	case int64:
		negative = x < 0
	case float64:
		negative = x < 0 || x != x
	case *types.Decimal:
		negative = x.Negative && !x.IsZero() || x.Form != 0
	case types.Interval:
		negative = types.CompareInterval(x, types.Interval{}) < 0
	}
	if negative {
		if mode == planner.FrameRange {
			return nil, pgerr.New(pgerr.Code("22013"), "invalid preceding or following size in window function")
		}
		return nil, pgerr.New(pgerr.Code("22013"), "frame %s offset must not be negative", which)
	}
	return v, nil
}

func (w *windowOp) run(ctx context.Context) error {
	for _, f := range w.funcs {
		var err error
		mode := f.f.Spec.Frame.Mode
		if f.startVal, err = frameOffset(f.startOff, "starting", mode); err != nil {
			return err
		}
		if f.endVal, err = frameOffset(f.endOff, "ending", mode); err != nil {
			return err
		}
		if v, ok := f.startVal.(int64); ok && mode != planner.FrameRange {
			f.start = v
		}
		if v, ok := f.endVal.(int64); ok && mode != planner.FrameRange {
			f.end = v
		}
	}
	var rows []Row
	for {
		row, err := w.in.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		if err := w.mem.grow(rowSize(row) + int64(ifaceSize*len(w.funcs))); err != nil {
			return err
		}
		rows = append(rows, row)
	}
	results := make([][]types.Datum, len(rows))
	for i := range results {
		results[i] = make([]types.Datum, len(w.funcs))
	}
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	for _, s := range w.sorts {
		keyed := make([]*keyedRow, len(rows))
		for i, row := range rows {
			keys, err := evalKeys(s.keys, row)
			if err != nil {
				return err
			}
			keyed[i] = &keyedRow{keys: keys, row: row, seq: int64(i)}
			if err := w.mem.grow(rowSize(keys) + 48); err != nil {
				return err
			}
		}
		slices.SortFunc(keyed, func(a, b *keyedRow) int { return compareKeyed(s.keys, a, b) })
		for lo := 0; lo < len(keyed); {
			if err := ctx.Err(); err != nil {
				return err
			}
			hi := lo + 1
			for hi < len(keyed) && sameKeys(s.keys[:s.nPart], keyed[lo].keys[:s.nPart], keyed[hi].keys[:s.nPart]) {
				hi++
			}
			p := newWindowPartition(keyed[lo:hi], s)
			for _, fi := range s.funcs {
				if err := w.compute(w.funcs[fi], p, results, fi); err != nil {
					return err
				}
			}
			lo = hi
		}
		for i, kr := range keyed {
			order[i] = int(kr.seq)
		}
	}
	out := make([]Row, len(rows))
	for i, idx := range order {
		r := make(Row, 0, len(rows[idx])+len(w.funcs))
		r = append(r, rows[idx]...)
		out[i] = append(r, results[idx]...)
	}
	w.out = &sliceOp{rows: out}
	return nil
}

// sameKeys reports whether two key tuples are equal (NULLs equal each
// other).
func sameKeys(keys []sortKey, a, b []types.Datum) bool {
	return compareKeyed(keys, &keyedRow{keys: a}, &keyedRow{keys: b}) == 0
}

// windowPartition is one partition's rows in window order with their
// peer groups.
type windowPartition struct {
	rows []*keyedRow
	// group[i] is row i's peer group; groupStart[g] and groupEnd[g]
	// (exclusive) are a group's rows.
	group      []int
	groupStart []int
	groupEnd   []int
	// keyIdx is the index of the first ORDER BY key in a row's keys and
	// orderKey that key, for RANGE offsets.
	keyIdx   int
	orderKey *sortKey
}

func newWindowPartition(rows []*keyedRow, s *windowSort) *windowPartition {
	p := &windowPartition{rows: rows, group: make([]int, len(rows)), keyIdx: s.nPart}
	order := s.keys[s.nPart:]
	if len(order) > 0 {
		p.orderKey = &order[0]
	}
	for i := range rows {
		if i == 0 || !sameKeys(order, rows[i-1].keys[s.nPart:], rows[i].keys[s.nPart:]) {
			if i > 0 {
				p.groupEnd = append(p.groupEnd, i)
			}
			p.groupStart = append(p.groupStart, i)
		}
		p.group[i] = len(p.groupStart) - 1
	}
	if len(rows) > 0 {
		p.groupEnd = append(p.groupEnd, len(rows))
	}
	return p
}

// frame returns row i's frame as positions [s, e] (empty when s > e).
func (p *windowPartition) frame(f *windowFuncRun, i int) (int, int, error) {
	fr := f.f.Spec.Frame
	if fr.Mode == planner.FrameRange && (f.startVal != nil || f.endVal != nil) {
		return p.rangeFrame(f, i)
	}
	s, e := p.rowsFrame(f, i)
	return s, e, nil
}

// rowsFrame is frame for ROWS and GROUPS frames, and RANGE frames
// without offsets.
func (p *windowPartition) rowsFrame(f *windowFuncRun, i int) (int, int) {
	fr := f.f.Spec.Frame
	n := len(p.rows)
	g := p.group[i]
	ng := len(p.groupStart)
	var s, e int
	switch fr.Start.Kind {
	case planner.UnboundedPreceding:
		s = 0
	case planner.CurrentRow:
		s = i
		if fr.Mode != planner.FrameRows {
			s = p.groupStart[g]
		}
	case planner.OffsetPreceding:
		if fr.Mode == planner.FrameGroups {
			s = p.groupStart[max(0, g-clampOffset(f.start, ng))]
		} else {
			s = max(0, i-clampOffset(f.start, n))
		}
	case planner.OffsetFollowing:
		if fr.Mode == planner.FrameGroups {
			if g+clampOffset(f.start, ng) >= ng {
				s = n
			} else {
				s = p.groupStart[g+clampOffset(f.start, ng)]
			}
		} else {
			s = min(n, i+clampOffset(f.start, n))
		}
	case planner.UnboundedFollowing:
		s = n
	}
	switch fr.End.Kind {
	case planner.UnboundedFollowing:
		e = n - 1
	case planner.CurrentRow:
		e = i
		if fr.Mode != planner.FrameRows {
			e = p.groupEnd[g] - 1
		}
	case planner.OffsetPreceding:
		if fr.Mode == planner.FrameGroups {
			if g-clampOffset(f.end, ng) < 0 {
				e = -1
			} else {
				e = p.groupEnd[g-clampOffset(f.end, ng)] - 1
			}
		} else {
			e = max(-1, i-clampOffset(f.end, n))
		}
	case planner.OffsetFollowing:
		if fr.Mode == planner.FrameGroups {
			e = p.groupEnd[min(ng-1, g+clampOffset(f.end, ng))] - 1
		} else {
			e = min(n-1, i+clampOffset(f.end, n))
		}
	case planner.UnboundedPreceding:
		e = -1
	}
	return s, e
}

// clampOffset bounds a frame offset by the partition's size, which it
// never needs to exceed.
func clampOffset(off int64, n int) int {
	if off > int64(n) {
		return n
	}
	return int(off)
}

// excluded reports whether the frame exclusion leaves row j out of row
// i's frame.
func (p *windowPartition) excluded(x planner.FrameExclusion, i, j int) bool {
	switch x {
	case planner.ExcludeCurrentRow:
		return i == j
	case planner.ExcludeGroup:
		return p.group[i] == p.group[j]
	case planner.ExcludeTies:
		return i != j && p.group[i] == p.group[j]
	}
	return false
}

// compute sets function f's (index fi) value for every row of p.
func (w *windowOp) compute(f *windowFuncRun, p *windowPartition, results [][]types.Datum, fi int) error {
	n := len(p.rows)
	set := func(i int, v types.Datum) { results[p.rows[i].seq][fi] = v }
	arg := func(k, i int) (types.Datum, error) { return f.args[k](p.rows[i].row) }
	if f.f.Agg != nil {
		return w.computeAggregate(f, p, set)
	}
	switch f.f.Name {
	case "row_number":
		for i := range n {
			set(i, int64(i+1))
		}
	case "rank":
		for i := range n {
			set(i, int64(p.groupStart[p.group[i]]+1))
		}
	case "dense_rank":
		for i := range n {
			set(i, int64(p.group[i]+1))
		}
	case "percent_rank":
		for i := range n {
			v := 0.0
			if n > 1 {
				v = float64(p.groupStart[p.group[i]]) / float64(n-1)
			}
			set(i, v)
		}
	case "cume_dist":
		for i := range n {
			set(i, float64(p.groupEnd[p.group[i]])/float64(n))
		}
	case "ntile":
		if n == 0 {
			return nil
		}
		v, err := arg(0, 0)
		if err != nil || v == nil {
			return err
		}
		buckets := v.(int64)
		if buckets <= 0 {
			return pgerr.New(pgerr.Code("22014"), "argument of ntile must be greater than zero")
		}
		// The first n % buckets buckets hold one row more than the others.
		per, extra := int64(n)/buckets, int64(n)%buckets
		bucket, left := int64(1), per
		if extra > 0 {
			left++
		}
		for i := range n {
			if left == 0 {
				bucket++
				left = per
				if bucket <= extra {
					left++
				}
			}
			set(i, bucket)
			left--
		}
	case "lag", "lead":
		for i := range n {
			off := int64(1)
			if len(f.args) > 1 {
				v, err := arg(1, i)
				if err != nil {
					return err
				}
				if v == nil {
					continue
				}
				off = v.(int64)
			}
			if f.f.Name == "lag" {
				off = -off
			}
			j := int64(i) + off
			var v types.Datum
			var err error
			switch {
			case j >= 0 && j < int64(n):
				v, err = arg(0, int(j))
			case len(f.args) > 2:
				v, err = arg(2, i)
			}
			if err != nil {
				return err
			}
			set(i, v)
		}
	case "first_value", "last_value", "nth_value":
		for i := range n {
			nth := int64(1)
			if f.f.Name == "nth_value" {
				v, err := arg(1, i)
				if err != nil {
					return err
				}
				if v == nil {
					continue
				}
				if nth = v.(int64); nth <= 0 {
					return pgerr.New(pgerr.Code("22016"), "argument of nth_value must be greater than zero")
				}
			}
			s, e, err := p.frame(f, i)
			if err != nil {
				return err
			}
			step := 1
			if f.f.Name == "last_value" {
				s, e, step = e, s, -1
			}
			found := -1
			for j := s; (step > 0 && j <= e) || (step < 0 && j >= e); j += step {
				if p.excluded(f.f.Spec.Frame.Exclude, i, j) {
					continue
				}
				if nth--; nth == 0 {
					found = j
					break
				}
			}
			if found >= 0 {
				v, err := arg(0, found)
				if err != nil {
					return err
				}
				set(i, v)
			}
		}
	default:
		return pgerr.New(pgerr.FeatureNotSupported, "window function %s is not supported", f.f.Name)
	}
	return nil
}

// computeAggregate computes an aggregate over each row's frame. A frame
// that starts at the partition's first row and excludes nothing grows
// row by row, so one accumulator serves the whole partition; any other
// frame is folded afresh for each row.
func (w *windowOp) computeAggregate(f *windowFuncRun, p *windowPartition, set func(int, types.Datum)) error {
	call := f.f.Agg
	fr := f.f.Spec.Frame
	add := func(acc planner.Accumulator, j int) error {
		row := p.rows[j].row
		if f.filter != nil {
			ok, err := f.filter(row)
			if err != nil {
				return err
			}
			if ok != true {
				return nil
			}
		}
		args := make([]types.Datum, len(f.args))
		for k, a := range f.args {
			v, err := a(row)
			if err != nil {
				return err
			}
			if v == nil && call.Strict {
				return nil
			}
			args[k] = v
		}
		return acc.Add(w.env, args)
	}
	if fr.Start.Kind == planner.UnboundedPreceding && fr.Exclude == planner.ExcludeNoOthers {
		acc := call.New()
		added := 0 // rows [0, added) are in acc
		for i := range p.rows {
			_, e, err := p.frame(f, i)
			if err != nil {
				return err
			}
			for ; added <= e; added++ {
				if err := add(acc, added); err != nil {
					return err
				}
			}
			v, err := acc.Result(w.env)
			if err != nil {
				return err
			}
			set(i, v)
		}
		return nil
	}
	for i := range p.rows {
		acc := call.New()
		s, e, err := p.frame(f, i)
		if err != nil {
			return err
		}
		for j := s; j <= e; j++ {
			if p.excluded(fr.Exclude, i, j) {
				continue
			}
			if err := add(acc, j); err != nil {
				return err
			}
		}
		v, err := acc.Result(w.env)
		if err != nil {
			return err
		}
		set(i, v)
	}
	return nil
}

// rangeFrame is frame for a RANGE frame with an offset: the rows whose
// ORDER BY key lies within the offset of the current row's. A row whose
// key is NULL has its NULL peers as the offset bounds' rows; rows with
// NULL keys are never within an offset of a non-NULL key.
func (p *windowPartition) rangeFrame(f *windowFuncRun, i int) (int, int, error) {
	fr := f.f.Spec.Frame
	n := len(p.rows)
	g := p.group[i]
	key := func(j int) types.Datum { return p.rows[j].keys[p.keyIdx] }
	k := key(i)
	// The rows with non-NULL keys are [lo, hi): NULLs sort at one end.
	lo, hi := 0, n
	for lo < n && key(lo) == nil {
		lo++
	}
	for hi > lo && key(hi-1) == nil {
		hi--
	}
	ok := p.orderKey
	dir := 1
	if ok.desc {
		dir = -1
	}
	// bound returns the key value at an offset from k, before (preceding)
	// or after the current row in window order.
	bound := func(off types.Datum, preceding bool) (types.Datum, error) {
		return f.f.Spec.Frame.Shift(k, off, preceding == (dir > 0))
	}
	// first returns the first position in [lo, hi) whose key is past b
	// (strictly when strict is set), in window order.
	first := func(b types.Datum, strict bool) int {
		return lo + sort.Search(hi-lo, func(x int) bool {
			c := dir * ok.cmp(key(lo+x), b)
			if strict {
				return c > 0
			}
			return c >= 0
		})
	}
	var s, e int
	switch fr.Start.Kind {
	case planner.UnboundedPreceding:
		s = 0
	case planner.CurrentRow:
		s = p.groupStart[g]
	case planner.UnboundedFollowing:
		s = n
	default:
		if k == nil {
			s = p.groupStart[g]
			break
		}
		b, err := bound(f.startVal, fr.Start.Kind == planner.OffsetPreceding)
		if err != nil {
			return 0, 0, err
		}
		s = first(b, false)
	}
	switch fr.End.Kind {
	case planner.UnboundedFollowing:
		e = n - 1
	case planner.CurrentRow:
		e = p.groupEnd[g] - 1
	case planner.UnboundedPreceding:
		e = -1
	default:
		if k == nil {
			e = p.groupEnd[g] - 1
			break
		}
		b, err := bound(f.endVal, fr.End.Kind == planner.OffsetPreceding)
		if err != nil {
			return 0, 0, err
		}
		e = first(b, true) - 1
	}
	return s, e, nil
}
