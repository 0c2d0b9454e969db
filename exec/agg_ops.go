package exec

import (
	"context"
	"hash/maphash"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// rowSet groups rows by the values of some columns, with SQL's notion of
// "not distinct": NULLs equal each other, 1.0 equals 1.00.
type rowSet struct {
	seed    maphash.Seed
	types   []types.T
	buckets map[uint64][]int
	keys    [][]types.Datum
}

func newRowSet(ts []types.T) *rowSet {
	return &rowSet{seed: maphash.MakeSeed(), types: ts, buckets: map[uint64][]int{}}
}

// find returns the index of key's group, adding it if new.
func (s *rowSet) find(key []types.Datum) (idx int, added bool) {
	sum := s.hash(key)
	if i, ok := s.lookup(sum, key); ok {
		return i, false
	}
	return s.insert(sum, key), true
}

// hash is the hash of key with the set's seed.
func (s *rowSet) hash(key []types.Datum) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	for i, d := range key {
		if d == nil {
			h.WriteByte(0)
			continue
		}
		h.WriteByte(1)
		types.Hash(s.types[i], d, &h)
	}
	return h.Sum64()
}

// lookup finds key, whose hash is sum.
func (s *rowSet) lookup(sum uint64, key []types.Datum) (int, bool) {
	for _, i := range s.buckets[sum] {
		if s.equal(s.keys[i], key) {
			return i, true
		}
	}
	return 0, false
}

// insert adds key, whose hash is sum and which is not in the set yet.
func (s *rowSet) insert(sum uint64, key []types.Datum) int {
	s.keys = append(s.keys, key)
	s.buckets[sum] = append(s.buckets[sum], len(s.keys)-1)
	return len(s.keys) - 1
}

func (s *rowSet) equal(a, b []types.Datum) bool {
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) {
			return false
		}
		if a[i] != nil && !types.Equal(s.types[i], a[i], b[i]) {
			return false
		}
	}
	return true
}

// aggState is one aggregate of one group.
type aggState struct {
	acc  planner.Accumulator
	seen *rowSet // distinct argument values, for DISTINCT aggregates
}

// aggregateOp is a hash aggregate.
//
// Groups are kept in a hash table charged to the operator's account
// (work_mem × hash_mem_multiplier). When a row starts a group that would
// pass the limit, the groups in memory stay and keep accumulating, while
// the input rows of groups not in memory are written to partition files
// by the hash of their group key (memory_spill.go); only input rows go to
// disk, never aggregate states, so every aggregate (array_agg, DISTINCT
// and ordered ones) spills alike. When the input ends the groups in
// memory are emitted, the table is dropped, and each partition is
// aggregated the same way as a new input, with a new hash seed; a
// partition that does not fit is divided again. Each pass admits at least
// one group, so the passes end.
//
// Aggregates whose states grow with their input (array_agg, string_agg,
// DISTINCT ones) may pass the limit inside the groups already in memory;
// so that they have room, such an aggregate admits new groups only up to
// half the limit. A growing state itself never fails (PostgreSQL does not
// bound it either: the result holds it anyway); the values a DISTINCT
// aggregate remembers go, beyond the limit, to a sort (see addLate).
type aggregateOp struct {
	in     Operator
	env    planner.Env
	groups []evalFn
	calls  []*planner.AggCall
	args   [][]evalFn
	filter []evalFn
	out    *sliceOp
	scalar bool
	// groupTypes are the group key types, for hashing.
	groupTypes []types.T
	mem        *memAccount
	// groupLimit is what the groups may use before new ones spill.
	groupLimit int64
	// inWidth is the number of columns of an input row.
	inWidth int
	// pending are the partitions not aggregated yet.
	pending []*spillFile
	// passes counts the passes made (for tests).
	passes int
	// late holds, per DISTINCT aggregate, the values that found no room
	// in their group's set of values seen (see addLate).
	late []*sorter
	// lateValues counts the values kept so (for tests).
	lateValues int
}

func (b *builder) buildAggregate(n *planner.Aggregate) (Operator, error) {
	in, err := b.build(n.Input)
	if err != nil {
		return nil, err
	}
	op := &aggregateOp{in: in, env: b.rt.Env, calls: n.Aggs, scalar: len(n.Groups) == 0, mem: b.aggregateAccount(n),
		inWidth: len(n.Input.Schema())}
	op.groupLimit = op.mem.limit
	for _, a := range n.Aggs {
		if a.Distinct || growingAggs[a.Name] {
			op.groupLimit = op.mem.limit / 2
		}
	}
	for _, g := range n.Groups {
		op.groupTypes = append(op.groupTypes, g.Type())
	}
	if op.groups, err = b.c.compileAll(n.Groups); err != nil {
		in.Close()
		return nil, err
	}
	for _, a := range n.Aggs {
		args, err := b.c.compileAll(a.Args)
		if err != nil {
			in.Close()
			return nil, err
		}
		op.args = append(op.args, args)
		var filter evalFn
		if a.Filter != nil {
			if filter, err = b.c.compile(a.Filter); err != nil {
				in.Close()
				return nil, err
			}
		}
		op.filter = append(op.filter, filter)
	}
	return op, nil
}

func (a *aggregateOp) newStates() []aggState {
	states := make([]aggState, len(a.calls))
	for i, c := range a.calls {
		states[i].acc = c.New()
		if c.Distinct {
			ts := make([]types.T, len(c.Args))
			for j, e := range c.Args {
				ts[j] = e.Type()
			}
			states[i].seen = newRowSet(ts)
		}
	}
	return states
}

func (a *aggregateOp) Next(ctx context.Context) (Row, error) {
	if a.out == nil {
		if err := a.run(ctx, a.in); err != nil {
			return nil, err
		}
	}
	for {
		row, err := a.out.Next(ctx)
		if row != nil || err != nil || len(a.pending) == 0 {
			return row, err
		}
		// The next partition, as a new input.
		f := a.pending[len(a.pending)-1]
		a.pending = a.pending[:len(a.pending)-1]
		a.out = nil
		in, err := newFileOp(f, a.inWidth)
		if err != nil {
			return nil, err
		}
		err = a.run(ctx, in)
		in.Close()
		if err != nil {
			return nil, err
		}
	}
}

// run aggregates one input (the operator's, or a partition) into a.out,
// adding the partitions of the groups it could not hold to a.pending.
func (a *aggregateOp) run(ctx context.Context, in Operator) error {
	a.passes++
	a.mem.used = 0
	set := newRowSet(a.groupTypes)
	var states [][]aggState
	var groupKeys [][]types.Datum
	var parts *partitions
	defer func() {
		if parts != nil {
			parts.close()
		}
		a.closeLate()
	}()
	for {
		row, err := in.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		gi := 0
		if a.scalar {
			if states == nil {
				states = [][]aggState{a.newStates()}
			}
		} else {
			key := make([]types.Datum, len(a.groups))
			for i, g := range a.groups {
				if key[i], err = g(row); err != nil {
					return err
				}
			}
			sum := set.hash(key)
			idx, found := set.lookup(sum, key)
			if !found {
				// The key, its bucket entry and index, its states.
				cost := rowSize(key) + 24 + int64(len(a.calls))*aggStateSize
				if parts != nil || len(groupKeys) > 0 && a.mem.used+cost > a.groupLimit {
					if parts == nil {
						parts = newPartitions(a.mem, "hashagg-*.tmp")
					}
					if err := parts.add(sum, row); err != nil {
						return err
					}
					continue
				}
				idx = set.insert(sum, key)
				a.mem.charge(cost)
				states = append(states, a.newStates())
				groupKeys = append(groupKeys, key)
			}
			gi = idx
		}
		if err := a.accumulate(gi, states[gi], row); err != nil {
			return err
		}
	}
	if err := a.addLateValues(ctx, states); err != nil {
		return err
	}
	if a.scalar {
		// A query without GROUP BY yields one row even for no input.
		if states == nil {
			states = [][]aggState{a.newStates()}
		}
		groupKeys = [][]types.Datum{nil}
	}
	rows := make([]Row, len(states))
	for i, st := range states {
		out := make(Row, 0, len(a.groups)+len(a.calls))
		out = append(out, groupKeys[i]...)
		for _, s := range st {
			v, err := s.acc.Result(a.env)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		rows[i] = out
	}
	a.out = &sliceOp{rows: rows}
	if parts != nil {
		files, err := parts.drain()
		if err != nil {
			return err
		}
		for _, f := range files {
			if f != nil {
				a.pending = append(a.pending, f)
			}
		}
	}
	return nil
}

// accumulate adds row to the states of group gi.
func (a *aggregateOp) accumulate(gi int, states []aggState, row Row) error {
	for i, c := range a.calls {
		if f := a.filter[i]; f != nil {
			ok, err := f(row)
			if err != nil {
				return err
			}
			if !isTrue(ok) {
				continue
			}
		}
		args := make([]types.Datum, len(a.args[i]))
		skip := false
		for j, e := range a.args[i] {
			v, err := e(row)
			if err != nil {
				return err
			}
			if v == nil && c.Strict {
				skip = true
			}
			args[j] = v
		}
		if skip {
			continue
		}
		if s := states[i].seen; s != nil {
			sum := s.hash(args)
			if _, found := s.lookup(sum, args); found {
				continue
			}
			// The values, their bucket entry and index.
			cost := rowSize(args) + 24
			if a.mem.used+cost > a.mem.limit {
				if err := a.addLate(i, gi, args); err != nil {
					return err
				}
				continue
			}
			s.insert(sum, args)
			a.mem.charge(cost)
		}
		a.chargeAdd(c, args)
		if err := states[i].acc.Add(a.env, args); err != nil {
			return err
		}
	}
	return nil
}

func (a *aggregateOp) Close() {
	a.in.Close()
	for _, f := range a.pending {
		f.close()
	}
	a.pending = nil
}

// distinctOp passes each distinct row once, as it first arrives.
//
// It remembers the rows passed in a hash table within its account. Once
// a new row would pass the limit, new rows are written to partition files
// by their hash instead (rows already seen are still dropped); when the
// input ends the table is dropped and each partition is read as a new
// input the same way, with a new hash seed, so that its rows, none of
// which were passed yet, are passed once each.
type distinctOp struct {
	in    Operator
	types []types.T
	set   *rowSet
	mem   *memAccount
	// cur is the partition being read (nil while reading in).
	cur     *fileOp
	parts   *partitions // the overflow of the current pass
	pending []*spillFile
	passes  int
	done    bool
}

func newDistinctOp(in Operator, schema []planner.OutCol, mem *memAccount) *distinctOp {
	ts := make([]types.T, len(schema))
	for i, c := range schema {
		ts[i] = c.T
	}
	return &distinctOp{in: in, types: ts, set: newRowSet(ts), mem: mem, passes: 1}
}

func (d *distinctOp) Next(ctx context.Context) (Row, error) {
	for !d.done {
		var row Row
		var err error
		if d.cur != nil {
			row, err = d.cur.Next(ctx)
		} else {
			row, err = d.in.Next(ctx)
		}
		if err != nil {
			return nil, err
		}
		if row == nil {
			more, err := d.nextPass()
			if err != nil {
				return nil, err
			}
			d.done = !more
			continue
		}
		sum := d.set.hash(row)
		if _, found := d.set.lookup(sum, row); found {
			continue
		}
		// The row, its bucket entry and its index.
		cost := rowSize(row) + 24
		if d.parts != nil || len(d.set.keys) > 0 && d.mem.used+cost > d.mem.limit {
			if d.parts == nil {
				d.parts = newPartitions(d.mem, "distinct-*.tmp")
			}
			if err := d.parts.add(sum, row); err != nil {
				return nil, err
			}
			continue
		}
		d.set.insert(sum, row)
		d.mem.charge(cost)
		return row, nil
	}
	return nil, nil
}

// nextPass starts reading the next partition; it reports false when none
// is left.
func (d *distinctOp) nextPass() (bool, error) {
	if d.parts != nil {
		files, err := d.parts.drain()
		d.parts = nil
		if err != nil {
			return false, err
		}
		for _, f := range files {
			if f != nil {
				d.pending = append(d.pending, f)
			}
		}
	}
	if d.cur != nil {
		d.cur.Close()
		d.cur = nil
	}
	if len(d.pending) == 0 {
		return false, nil
	}
	f := d.pending[len(d.pending)-1]
	d.pending = d.pending[:len(d.pending)-1]
	cur, err := newFileOp(f, len(d.types))
	if err != nil {
		return false, err
	}
	d.cur, d.set, d.passes = cur, newRowSet(d.types), d.passes+1
	d.mem.used = 0
	return true, nil
}

func (d *distinctOp) Close() {
	d.in.Close()
	if d.cur != nil {
		d.cur.Close()
	}
	if d.parts != nil {
		d.parts.close()
	}
	for _, f := range d.pending {
		f.close()
	}
	d.cur, d.parts, d.pending = nil, nil, nil
}

// DISTINCT aggregates beyond the limit.
//
// A DISTINCT aggregate remembers the values it was given per group. When
// a new value would pass the limit, it is not added then: the group
// number and the value go to a sort of their own (which spills as sorts
// do), and when the pass's input ends the sorted values are added to
// their groups, each once, unless the group's set holds it. Such values
// are added after the others, in sorted order.

// addLate keeps the values of DISTINCT aggregate call for group gi.
func (a *aggregateOp) addLate(call, gi int, args []types.Datum) error {
	if a.late == nil {
		a.late = make([]*sorter, len(a.calls))
	}
	s := a.late[call]
	if s == nil {
		keys := []sortKey{{cmp: builtins.CompareFunc(types.TInt8)}}
		for _, e := range a.calls[call].Args {
			keys = append(keys, sortKey{cmp: builtins.CompareFunc(e.Type())})
		}
		s = newSorter(keys, a.mem.limits.account("Sort", false))
		a.late[call] = s
	}
	a.lateValues++
	vals := append([]types.Datum{int64(gi)}, args...)
	// The row is the keys: the sort returns rows.
	return s.add(&keyedRow{keys: vals, row: vals, seq: int64(len(s.rows))})
}

// addLateValues adds the values kept by addLate to their groups' states.
func (a *aggregateOp) addLateValues(ctx context.Context, states [][]aggState) error {
	for call, s := range a.late {
		if s == nil {
			continue
		}
		a.late[call] = nil
		sorted, err := s.finish(ctx)
		if err != nil {
			s.close()
			return err
		}
		err = a.addSorted(ctx, call, sorted, states)
		sorted.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// addSorted adds the sorted late values of one DISTINCT aggregate.
func (a *aggregateOp) addSorted(ctx context.Context, call int, sorted Operator, states [][]aggState) error {
	var prev Row
	for {
		row, err := sorted.Next(ctx)
		if err != nil || row == nil {
			return err
		}
		gi, args := int(row[0].(int64)), row[1:]
		st := &states[gi][call]
		if prev != nil && prev[0] == row[0] && st.seen.equal(prev[1:], args) {
			continue
		}
		prev = row
		if _, found := st.seen.lookup(st.seen.hash(args), args); found {
			continue
		}
		a.chargeAdd(a.calls[call], args)
		if err := st.acc.Add(a.env, args); err != nil {
			return err
		}
	}
}

// closeLate drops the late values of a pass that failed.
func (a *aggregateOp) closeLate() {
	for i, s := range a.late {
		if s != nil {
			s.close()
			a.late[i] = nil
		}
	}
}
