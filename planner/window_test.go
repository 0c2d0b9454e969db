package planner

import (
	"testing"

	"github.com/vecgres/vecgres/sql/types"
)

// TestWindowBelowTopK checks which windows move below ORDER BY ... LIMIT:
// only those ordered like the query, without partitions, whose values
// depend on preceding rows alone.
func TestWindowBelowTopK(t *testing.T) {
	scan := scanOf(itemsTable())
	width := len(scan.Out)
	order := byID()
	byPrice := []SortKey{{Expr: col(3, types.TNumeric, "price"), Cmp: func(a, b types.Datum) int { return types.Compare(types.TNumeric, a, b) }}}
	rowsFrame := func(start, end BoundKind, excl FrameExclusion) Frame {
		f := Frame{Mode: FrameRows, Start: FrameBound{Kind: start}, End: FrameBound{Kind: end}, Exclude: excl}
		if start == OffsetPreceding {
			f.Start.Offset = i8(2)
		}
		if end == OffsetPreceding || end == OffsetFollowing {
			f.End.Offset = i8(1)
		}
		return f
	}
	defaultFrame := Frame{Mode: FrameRange, Start: FrameBound{Kind: UnboundedPreceding}, End: FrameBound{Kind: CurrentRow}}
	agg := &AggCall{Name: "sum", T: types.TInt8}
	tests := []struct {
		name  string
		fn    *WindowFunc
		moves bool
	}{
		{"rank", &WindowFunc{Name: "rank", Spec: &WindowSpec{Order: order, Frame: defaultFrame}}, true},
		{"row_number", &WindowFunc{Name: "row_number", Spec: &WindowSpec{Order: order, Frame: defaultFrame}}, true},
		{"dense_rank", &WindowFunc{Name: "dense_rank", Spec: &WindowSpec{Order: order, Frame: defaultFrame}}, true},
		{"lag", &WindowFunc{Name: "lag", Args: []Expr{col(0, types.TInt4, "id")}, Spec: &WindowSpec{Order: order, Frame: defaultFrame}}, true},
		{"lag with a negative offset reads later rows", &WindowFunc{Name: "lag", Args: []Expr{col(0, types.TInt4, "id"), &Const{Value: int64(-1), T: types.TInt4}}, Spec: &WindowSpec{Order: order, Frame: defaultFrame}}, false},
		{"lead", &WindowFunc{Name: "lead", Args: []Expr{col(0, types.TInt4, "id")}, Spec: &WindowSpec{Order: order, Frame: defaultFrame}}, false},
		{"ntile counts the partition", &WindowFunc{Name: "ntile", Args: []Expr{i8(3)}, Spec: &WindowSpec{Order: order, Frame: defaultFrame}}, false},
		{"cume_dist counts the partition", &WindowFunc{Name: "cume_dist", Spec: &WindowSpec{Order: order, Frame: defaultFrame}}, false},
		{"percent_rank counts the partition", &WindowFunc{Name: "percent_rank", Spec: &WindowSpec{Order: order, Frame: defaultFrame}}, false},
		{"aggregate over the default frame sees later peers", &WindowFunc{Name: "sum", Agg: agg, Spec: &WindowSpec{Order: order, Frame: defaultFrame}}, false},
		{"aggregate over ROWS up to the current row", &WindowFunc{Name: "sum", Agg: agg, Spec: &WindowSpec{Order: order, Frame: rowsFrame(UnboundedPreceding, CurrentRow, ExcludeNoOthers)}}, true},
		{"aggregate over ROWS 2 PRECEDING AND 1 PRECEDING", &WindowFunc{Name: "sum", Agg: agg, Spec: &WindowSpec{Order: order, Frame: rowsFrame(OffsetPreceding, OffsetPreceding, ExcludeCurrentRow)}}, true},
		{"aggregate over ROWS to 1 FOLLOWING", &WindowFunc{Name: "sum", Agg: agg, Spec: &WindowSpec{Order: order, Frame: rowsFrame(UnboundedPreceding, OffsetFollowing, ExcludeNoOthers)}}, false},
		{"ROWS excluding ties", &WindowFunc{Name: "first_value", Args: []Expr{col(0, types.TInt4, "id")}, Spec: &WindowSpec{Order: order, Frame: rowsFrame(UnboundedPreceding, CurrentRow, ExcludeTies)}}, false},
		{"partitioned", &WindowFunc{Name: "rank", Spec: &WindowSpec{Partition: byPrice, Order: order, Frame: defaultFrame}}, false},
		{"ordered otherwise", &WindowFunc{Name: "rank", Spec: &WindowSpec{Order: byPrice, Frame: defaultFrame}}, false},
		{"descending", &WindowFunc{Name: "rank", Spec: &WindowSpec{Order: []SortKey{{Expr: order[0].Expr, Cmp: order[0].Cmp, Desc: true, NullsFirst: true}}, Frame: defaultFrame}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := append(append([]OutCol{}, scan.Out...), OutCol{Name: tc.fn.Name, T: types.TInt8})
			win := &Window{Input: scan, Funcs: []*WindowFunc{tc.fn}, Out: out}
			proj := &Project{Input: win, Exprs: []Expr{col(0, types.TInt4, "id"), col(width, types.TInt8, tc.fn.Name)},
				Out: []OutCol{{Name: "id", T: types.TInt4}, {Name: tc.fn.Name, T: types.TInt8}}}
			topk := &TopK{Input: proj, Keys: []SortKey{{Expr: col(0, types.TInt4, "id"), Cmp: order[0].Cmp}}, Count: i8(3), Offset: i8(1)}
			got, moved := windowBelowTopK(topk)
			if moved != tc.moves {
				t.Fatalf("moved = %v, want %v", moved, tc.moves)
			}
			if !moved {
				if got != Node(topk) {
					t.Errorf("a rule that does not apply returned %T", got)
				}
				return
			}
			lim, ok := got.(*Limit)
			if !ok || lim.Count != topk.Count || lim.Offset != topk.Offset {
				t.Fatalf("got %T %+v, want the query's Limit", got, got)
			}
			w := lim.Input.(*Project).Input.(*Window)
			inner, ok := w.Input.(*TopK)
			if !ok || inner.Input != scan || inner.Offset != nil || !w.InputOrdered {
				t.Fatalf("window input %T %+v, want a TopK of LIMIT+OFFSET rows over the scan", w.Input, w.Input)
			}
			if v, err := inner.Count.(*Func).Impl(nil, []types.Datum{int64(3), int64(1)}); err != nil || v != int64(4) {
				t.Errorf("inner count = %v, %v; want LIMIT + OFFSET = 4", v, err)
			}
			if !Equal(inner.Keys[0].Expr, order[0].Expr) {
				t.Errorf("inner key %v, want the scan's id", inner.Keys[0].Expr)
			}
		})
	}
}
