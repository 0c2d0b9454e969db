package exec

import (
	"context"
	"hash/maphash"

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
	sum := h.Sum64()
	for _, i := range s.buckets[sum] {
		if s.equal(s.keys[i], key) {
			return i, false
		}
	}
	s.keys = append(s.keys, key)
	s.buckets[sum] = append(s.buckets[sum], len(s.keys)-1)
	return len(s.keys) - 1, true
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
}

func (b *builder) buildAggregate(n *planner.Aggregate) (Operator, error) {
	in, err := b.build(n.Input)
	if err != nil {
		return nil, err
	}
	op := &aggregateOp{in: in, env: b.rt.Env, calls: n.Aggs, scalar: len(n.Groups) == 0, mem: b.aggregateAccount(n)}
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
		if err := a.run(ctx); err != nil {
			return nil, err
		}
	}
	return a.out.Next(ctx)
}

func (a *aggregateOp) run(ctx context.Context) error {
	set := newRowSet(a.groupTypes)
	var states [][]aggState
	var groupKeys [][]types.Datum
	for {
		row, err := a.in.Next(ctx)
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
			idx, added, err := a.findGroup(set, key)
			if err != nil {
				return err
			}
			if added {
				states = append(states, a.newStates())
				groupKeys = append(groupKeys, key)
			}
			gi = idx
		}
		if err := a.accumulate(states[gi], row); err != nil {
			return err
		}
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
	return nil
}

func (a *aggregateOp) accumulate(states []aggState, row Row) error {
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
			_, added, err := s.findCharged(args, a.mem)
			if err != nil {
				return err
			}
			if !added {
				continue
			}
		}
		if err := a.chargeAdd(c, args); err != nil {
			return err
		}
		if err := states[i].acc.Add(a.env, args); err != nil {
			return err
		}
	}
	return nil
}

func (a *aggregateOp) Close() { a.in.Close() }

// distinctOp passes each distinct row once, in order of first arrival.
type distinctOp struct {
	in  Operator
	set *rowSet
	mem *memAccount
}

func newDistinctOp(in Operator, schema []planner.OutCol, mem *memAccount) *distinctOp {
	ts := make([]types.T, len(schema))
	for i, c := range schema {
		ts[i] = c.T
	}
	return &distinctOp{in: in, set: newRowSet(ts), mem: mem}
}

func (d *distinctOp) Next(ctx context.Context) (Row, error) {
	for {
		row, err := d.in.Next(ctx)
		if err != nil || row == nil {
			return nil, err
		}
		_, added, err := d.set.findCharged(row, d.mem)
		if err != nil {
			return nil, err
		}
		if added {
			return row, nil
		}
	}
}

func (d *distinctOp) Close() { d.in.Close() }
