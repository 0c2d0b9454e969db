package exec

import (
	"context"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// TestInstrument checks what an instrumented run measures per plan node:
// the rows each produced, nothing for nodes that never ran, and the
// EXPLAIN ANALYZE text built from it.
func TestInstrument(t *testing.T) {
	db := openDB(t)
	tbl := numbersTable(t, db, 100)
	txn := db.Begin()
	defer txn.Rollback()
	scan := scanOf(tbl)
	id := col(0, types.TInt4)
	// SELECT id FROM numbers WHERE id % 10 = 0 ORDER BY id DESC LIMIT 3
	filter := &planner.Filter{Input: scan, Cond: binop(t, "=", binop(t, "%", id, i4("10")), i4("0"))}
	proj := &planner.Project{Input: filter, Exprs: []planner.Expr{id}, Out: []planner.OutCol{{Name: "id", T: types.TInt4}}}
	topk := &planner.TopK{Input: proj, Keys: []planner.SortKey{key(0, types.TInt4, true, true)}, Count: i8(3)}

	r := rt(txn)
	r.Instrument = true
	res, err := Start(bg, topk, r)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		row, err := res.Next(bg)
		if err != nil {
			t.Fatal(err)
		}
		if row == nil {
			break
		}
		got = append(got, formatRow(topk.Schema(), row))
	}
	res.Close()
	wantRows(t, "rows", got, "90", "80", "70")
	for _, tc := range []struct {
		node planner.Node
		rows int64
	}{{scan, 100}, {filter, 10}, {proj, 10}, {topk, 3}} {
		st, ok := res.Stats(tc.node)
		if !ok {
			t.Errorf("%T: no stats", tc.node)
			continue
		}
		if st.Rows != tc.rows {
			t.Errorf("%T: %d rows, want %d", tc.node, st.Rows, tc.rows)
		}
		if st.First > st.Total || st.First < 0 {
			t.Errorf("%T: first row at %v, end at %v", tc.node, st.First, st.Total)
		}
	}
	if _, ok := res.Stats(&planner.Limit{}); ok {
		t.Error("stats for a node not in the plan")
	}

	lines := planner.Explain(topk, planner.ExplainOptions{Actual: func(n planner.Node) (int64, float64, float64, bool) {
		st, ok := res.Stats(n)
		return st.Rows, float64(st.First.Microseconds()) / 1000, float64(st.Total.Microseconds()) / 1000, ok
	}})
	text := strings.Join(lines, "\n")
	for _, want := range []string{"Limit (actual time=", "rows=3 loops=1)", "Seq Scan on numbers (actual time=", "rows=10 loops=1)"} {
		if !strings.Contains(text, want) {
			t.Errorf("EXPLAIN ANALYZE lacks %q:\n%s", want, text)
		}
	}

	// LIMIT 0 never pulls from its input: the scan never ran.
	lim := &planner.Limit{Input: scan, Count: i8(0)}
	res, err = Start(bg, lim, r)
	if err != nil {
		t.Fatal(err)
	}
	if row, err := res.Next(bg); row != nil || err != nil {
		t.Fatalf("LIMIT 0: %v, %v", row, err)
	}
	res.Close()
	if st, ok := res.Stats(lim); !ok || st.Rows != 0 {
		t.Errorf("Limit: %+v, %v", st, ok)
	}
	if _, ok := res.Stats(scan); ok {
		t.Error("the scan under LIMIT 0 has stats")
	}

	// Without instrumentation there are no stats.
	r.Instrument = false
	res, err = Start(bg, scan, r)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = res.Next(bg)
	res.Close()
	if _, ok := res.Stats(scan); ok {
		t.Error("stats without Instrument")
	}
}

// notingOp returns rows forever and tells what it did from its first
// row on, as a filtered index scan tells its strategy.
type notingOp struct{ notes []string }

func (o *notingOp) Next(context.Context) (Row, error) {
	o.notes = []string{"Filter Strategy: example"}
	return Row{int32(1)}, nil
}
func (o *notingOp) Close()                 {}
func (o *notingOp) explainNotes() []string { return o.notes }

// TestInstrumentNotesUnderLimit checks that an operator's notes reach
// its stats when its consumer stops pulling before its end, as LIMIT
// stops an index scan.
func TestInstrumentNotesUnderLimit(t *testing.T) {
	st := &NodeStats{}
	op := &instrumentedOp{in: &notingOp{}, stats: st}
	for range 3 {
		if row, err := op.Next(bg); row == nil || err != nil {
			t.Fatalf("Next: %v, %v", row, err)
		}
	}
	op.Close()
	if len(st.Notes) != 1 || st.Notes[0] != "Filter Strategy: example" {
		t.Errorf("notes %q, want the operator's note", st.Notes)
	}
}
