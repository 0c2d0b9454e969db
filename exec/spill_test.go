package exec

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// spillColumns is (id int8, grp int8, payload text, amount numeric).
func spillColumns() []storage.Column {
	return []storage.Column{
		{Name: "id", Type: types.TInt8, Attnum: 1},
		{Name: "grp", Type: types.TInt8, Attnum: 2},
		{Name: "payload", Type: types.TText, Attnum: 3},
		{Name: "amount", Type: types.TNumeric, Attnum: 4},
	}
}

// spillRows makes n rows: ids step apart from first (NULL every 53rd
// row, and a run of duplicates), groups of id % groups (NULL every 97th),
// payloads of varying length and amounts whose scales differ for equal
// values (1.5 and 1.50 are one group).
func spillRows(n int, first, step int, groups int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		id := fmt.Sprint(first + i*step)
		switch {
		case i%53 == 7:
			id = "NULL"
		case i%11 == 3:
			id = fmt.Sprint(first) // many rows share the first id
		}
		grp := fmt.Sprint((first + i*step) % groups)
		if i%97 == 5 {
			grp = "NULL"
		}
		amount := fmt.Sprintf("%d.5", i%300)
		if i%2 == 0 {
			amount += "0"
		}
		rows[i] = []string{id, grp, fmt.Sprintf("p%d%s", i%400, strings.Repeat("-", i%30)), amount}
	}
	return rows
}

// spillStats are what the root operator of a plan did to stay within its
// limit.
type spillStats struct {
	passes   int   // hash table passes (aggregate, DISTINCT, set operations)
	batches  int   // batches joined (hash join)
	maxLevel int   // deepest division of a hash join
	onDisk   int64 // a nested loop's right rows on disk
	late     int   // values of DISTINCT aggregates added after the input
}

// runStats runs plan and returns its rows, sorted, and what its root
// operator spilled.
func runStats(t *testing.T, plan planner.Node, r *Runtime) ([]string, spillStats) {
	t.Helper()
	res, err := Start(bg, plan, r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var rows []string
	for {
		row, err := res.Next(bg)
		if err != nil {
			t.Fatal(err)
		}
		if row == nil {
			break
		}
		rows = append(rows, formatRow(plan.Schema(), row))
	}
	var st spillStats
	switch op := unwrap(res.root).(type) {
	case *aggregateOp:
		st.passes, st.late = op.passes, op.lateValues
	case *distinctOp:
		st.passes = op.passes
	case *setOpOp:
		st.passes = op.passes
		if op.union != nil {
			st.passes = op.union.passes
		}
	case *joinOp:
		st.batches, st.maxLevel, st.onDisk = op.stats.batches, op.stats.maxLevel, op.overflowRows
	default:
		t.Fatalf("root operator %T", op)
	}
	slices.Sort(rows)
	return rows, st
}

// TestHashSpill runs hash aggregates, DISTINCT, hash joins and set
// operations with PostgreSQL's least work_mem (64kB), over inputs many
// times that, and checks that they return the same rows as in memory
// (64MB), after dividing their input into partitions at least twice
// over (a partition divided again). Only ordering is allowed to differ
// (rows are compared sorted), except that array_agg keeps each group's
// input order.
func TestHashSpill(t *testing.T) {
	db := openDB(t)
	left := scanOf(createTable(t, db, "l", spillColumns(), spillRows(6000, 1, 1, 2500)...))
	right := scanOf(createTable(t, db, "r", spillColumns(), spillRows(4000, 2, 2, 700)...))
	txn := db.Begin()
	defer txn.Rollback()
	small := &Runtime{Txn: txn, Env: memEnv{settings: map[string]string{"work_mem": "64kB", "hash_mem_multiplier": "2"}}}
	large := &Runtime{Txn: txn, Env: memEnv{settings: map[string]string{"work_mem": "64MB"}}}

	id, grp, payload, amount := col(0, types.TInt8), col(1, types.TInt8), col(2, types.TText), col(3, types.TNumeric)
	// Columns of the right row in a join's combined row.
	rid, rgrp := col(4, types.TInt8), col(5, types.TInt8)
	joinOut := append(slices.Clone(left.Out), right.Out...)
	join := func(kind planner.JoinKind, extra planner.Expr) *planner.Join {
		var cond planner.Expr = binop(t, "=", id, rid)
		if extra != nil {
			cond = and(cond, extra)
		}
		return &planner.Join{Left: left, Right: right, Kind: kind, Cond: cond,
			EqLeft: []planner.Expr{id}, EqRight: []planner.Expr{col(0, types.TInt8)}, Out: joinOut}
	}
	twoKeys := &planner.Join{Left: left, Right: right, Kind: planner.FullJoin,
		Cond:   and(binop(t, "=", id, rid), binop(t, "=", grp, rgrp)),
		EqLeft: []planner.Expr{id, grp}, EqRight: []planner.Expr{col(0, types.TInt8), col(1, types.TInt8)}, Out: joinOut}
	// A join without equality keys: 150 left rows, each tested against
	// every right row.
	nestLoop := func(kind planner.JoinKind) *planner.Join {
		return &planner.Join{Left: &planner.Limit{Input: left, Count: i8(150)}, Right: right, Kind: kind,
			Cond: and(binop(t, "<", id, rid), binop(t, "<", rgrp, grp)), Out: joinOut}
	}
	countDistinct := agg(t, "count", payload)
	countDistinct.Distinct = true
	sumDistinct := agg(t, "sum", id)
	sumDistinct.Distinct = true
	project := func(in planner.Node, cols ...int) *planner.Project {
		p := &planner.Project{Input: in}
		for _, c := range cols {
			p.Exprs = append(p.Exprs, col(c, in.Schema()[c].T))
			p.Out = append(p.Out, in.Schema()[c])
		}
		return p
	}
	setOp := func(op planner.SetOpKind, all bool, cols ...int) *planner.SetOp {
		l, r := project(left, cols...), project(right, cols...)
		return &planner.SetOp{Op: op, All: all, Left: l, Right: r, Out: l.Out}
	}

	for _, tc := range []struct {
		name string
		plan planner.Node
		// hash joins: the batches joined at least; others: the passes
		// made; -1: DISTINCT aggregates' values added after the input;
		// -2: a nested loop's right rows on disk.
		atLeast int
	}{
		{"group by id", aggregateOf(left, []planner.Expr{id}, agg(t, "count"), agg(t, "sum", grp), agg(t, "max", payload)), 5},
		{"group by numeric", aggregateOf(left, []planner.Expr{amount, grp}, agg(t, "count"), agg(t, "min", id)), 5},
		{"array_agg keeps input order", aggregateOf(left, []planner.Expr{grp}, agg(t, "array_agg", id), agg(t, "count", payload)), 5},
		{"count distinct per group", aggregateOf(left, []planner.Expr{id}, countDistinct, agg(t, "avg", amount)), 5},
		{"count distinct, no groups", aggregateOf(left, nil, countDistinct, sumDistinct, agg(t, "count")), -1},
		{"count distinct, few groups", aggregateOf(left, []planner.Expr{fn(t, "mod", id, i8(3))}, countDistinct, sumDistinct), -1},
		{"distinct rows", &planner.Distinct{Input: left}, 5},
		{"distinct columns", &planner.Distinct{Input: project(left, 1, 3)}, 5},
		{"inner join", join(planner.InnerJoin, nil), 5},
		{"inner join with a filter", join(planner.InnerJoin, binop(t, "<", grp, rgrp)), 5},
		{"left join", join(planner.LeftJoin, nil), 5},
		{"left join with a filter", join(planner.LeftJoin, binop(t, "<", grp, rgrp)), 5},
		{"full join", join(planner.FullJoin, nil), 5},
		{"full join with a filter", join(planner.FullJoin, binop(t, "<", grp, rgrp)), 5},
		{"full join on two keys", twoKeys, 5},
		{"nested loop", nestLoop(planner.InnerJoin), -2},
		{"nested loop, left", nestLoop(planner.LeftJoin), -2},
		{"nested loop, full", nestLoop(planner.FullJoin), -2},
		{"union", setOp(planner.Union, false, 0, 2), 5},
		{"intersect", setOp(planner.Intersect, false, 0, 3), 5},
		{"intersect all", setOp(planner.Intersect, true, 1, 3), 5},
		{"except", setOp(planner.Except, false, 0, 3), 5},
		{"except all", setOp(planner.Except, true, 1, 3), 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, inMemory := runStats(t, tc.plan, large)
			got, spilled := runStats(t, tc.plan, small)
			t.Logf("%d rows; with 64kB: %+v", len(got), spilled)
			if inMemory.passes > 1 || inMemory.batches > 0 {
				t.Fatalf("with 64MB it spilled: %+v", inMemory)
			}
			if tc.atLeast == -2 && spilled.onDisk == 0 {
				t.Errorf("with 64kB: %+v; want right rows on disk", spilled)
			}
			if tc.atLeast == -1 && spilled.late == 0 {
				t.Errorf("with 64kB: %+v; want values added late", spilled)
			}
			if spilled.passes < tc.atLeast && spilled.batches < tc.atLeast {
				t.Errorf("with 64kB: %+v; want at least %d passes or batches", spilled, tc.atLeast)
			}
			if j, isJoin := tc.plan.(*planner.Join); isJoin && len(j.EqLeft) > 0 && spilled.maxLevel < 2 {
				t.Errorf("with 64kB the batches were not divided again: %+v", spilled)
			}
			if len(want) == 0 {
				t.Fatal("no rows: the case tests nothing")
			}
			if !slices.Equal(got, want) {
				t.Errorf("%d rows with 64kB, %d with 64MB", len(got), len(want))
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("first difference: %.100q, want %.100q", got[i], want[i])
					}
				}
			}
		})
	}
}

// TestHashJoinOneKey joins right rows that all share one key and do not
// fit: dividing them cannot help, so the batch is joined in memory
// beyond the limit, after one division, rather than divided forever.
func TestHashJoinOneKey(t *testing.T) {
	db := openDB(t)
	var rows [][]string
	for i := range 3000 {
		rows = append(rows, []string{"7", fmt.Sprint(i), strings.Repeat("x", 50), "1"})
	}
	tbl := scanOf(createTable(t, db, "same", spillColumns(), rows...))
	few := &planner.Limit{Input: tbl, Count: i8(3)}
	txn := db.Begin()
	defer txn.Rollback()
	small := &Runtime{Txn: txn, Env: memEnv{settings: map[string]string{"work_mem": "64kB"}}}
	plan := &planner.Join{Left: few, Right: tbl, Kind: planner.InnerJoin, Cond: binop(t, "=", col(0, types.TInt8), col(4, types.TInt8)),
		EqLeft: []planner.Expr{col(0, types.TInt8)}, EqRight: []planner.Expr{col(0, types.TInt8)}, Out: append(slices.Clone(tbl.Out), tbl.Out...)}
	got, st := runStats(t, plan, small)
	if len(got) != 3*3000 {
		t.Errorf("%d rows, want %d", len(got), 3*3000)
	}
	if st.maxLevel != 1 || st.batches != 1 {
		t.Errorf("%+v; want one batch of one division", st)
	}
}

// sampleEvery is how often the memory test measures the live heap.
const sampleEvery = 20_000

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestSpillingAggregateMemory aggregates 200,000 groups (some 40MB of
// groups in memory) with work_mem 1MB and checks that the aggregate's
// account never passed its limit and that the live heap, measured every
// 20,000 input and output rows, grew by a few MB only.
func TestSpillingAggregateMemory(t *testing.T) {
	const n = 200_000
	in := &rowGenerator{n: n}
	out := []planner.OutCol{{T: types.TInt8}, {T: types.TInt8}, {T: types.TText}}
	plan := aggregateOf(&planner.RowSource{Out: out}, []planner.Expr{col(0, types.TInt8)}, agg(t, "count"), agg(t, "max", col(2, types.TText)))
	r := &Runtime{Env: memEnv{settings: map[string]string{"work_mem": "1MB", "hash_mem_multiplier": "2"}}, Source: in.Next}
	in.startHeap = liveHeap()
	res, err := Start(bg, plan, r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	seen := 0
	for {
		row, err := res.Next(bg)
		if err != nil {
			t.Fatal(err)
		}
		if row == nil {
			break
		}
		if seen++; seen%sampleEvery == 0 {
			in.sample()
		}
	}
	if seen != n {
		t.Fatalf("%d groups, want %d", seen, n)
	}
	op := unwrap(res.root).(*aggregateOp)
	if op.passes < 10 {
		t.Errorf("%d passes: the aggregate did not spill as planned", op.passes)
	}
	if op.mem.peak > op.mem.limit {
		t.Errorf("the account reached %d bytes, beyond its limit of %d", op.mem.peak, op.mem.limit)
	}
	// In memory the groups alone take some 40MB; spilling, the table holds
	// 2MB and the partitions' buffers a few hundred kB.
	grew := int64(in.peakHeap) - int64(in.startHeap)
	t.Logf("%d passes; the live heap grew by %d kB at most", op.passes, grew>>10)
	if grew > 8<<20 {
		t.Errorf("the live heap grew by %d MB", grew>>20)
	}
}

// rowGenerator yields n rows (i, i % 3, a 100-byte text) without holding
// them, measuring the live heap every sampleEvery rows.
type rowGenerator struct {
	n, i                int
	startHeap, peakHeap uint64
}

func (g *rowGenerator) Next(context.Context) (Row, error) {
	if g.i >= g.n {
		return nil, nil
	}
	g.i++
	if g.i%sampleEvery == 0 {
		g.sample()
	}
	return Row{int64(g.i), int64(g.i % 3), fmt.Sprintf("%0100d", g.i)}, nil
}

func (g *rowGenerator) Close() {}

// sample records the live heap.
func (g *rowGenerator) sample() { g.peakHeap = max(g.peakHeap, liveHeap()) }
