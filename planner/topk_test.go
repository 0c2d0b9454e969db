package planner

import (
	"testing"

	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// itemsTable is (id int4, name text, v vector(3), price numeric).
func itemsTable() *storage.Table {
	return &storage.Table{OID: 16400, Schema: "public", Name: "items", Columns: []storage.Column{
		{Name: "id", Type: types.TInt4, Attnum: 1, NotNull: true},
		{Name: "name", Type: types.TText, Attnum: 2},
		{Name: "v", Type: types.VectorOf(3), Attnum: 3},
		{Name: "price", Type: types.TNumeric, Attnum: 4},
	}}
}

func scanOf(tbl *storage.Table) *Scan {
	out := make([]OutCol, len(tbl.Columns))
	for i, c := range tbl.Columns {
		out[i] = OutCol{Name: c.Name, T: c.Type, TableOID: tbl.OID, Attnum: c.Attnum}
	}
	return &Scan{Table: tbl, Out: out}
}

func i8(v int64) *Const { return &Const{Value: v, T: types.TInt8} }

func byID() []SortKey {
	return []SortKey{{Expr: col(0, types.TInt4, "id"), Cmp: func(a, b types.Datum) int { return types.Compare(types.TInt4, a, b) }}}
}

// TestSortLimitToTopK checks the rule through Optimize: where it applies,
// and that the tree given to Optimize is left as it was.
func TestSortLimitToTopK(t *testing.T) {
	scan := scanOf(itemsTable())
	keys := byID()
	count, offset := i8(10), i8(5)

	t.Run("limit over sort", func(t *testing.T) {
		sort := &Sort{Input: scan, Keys: keys}
		lim := &Limit{Input: sort, Count: count, Offset: offset}
		got := Optimize(lim, nil)
		tk, ok := got.(*TopK)
		if !ok {
			t.Fatalf("got %T, want *TopK", got)
		}
		if tk.Input != scan || tk.Count != count || tk.Offset != offset || len(tk.Keys) != 1 || tk.Keys[0].Expr != keys[0].Expr {
			t.Errorf("TopK = %+v", tk)
		}
		// The input tree is unchanged.
		if lim.Input != sort || lim.Count != count || lim.Offset != offset || sort.Input != scan || len(sort.Keys) != 1 {
			t.Errorf("Optimize changed its input: %+v %+v", lim, sort)
		}
		if !sameSchema(got.Schema(), lim.Schema()) {
			t.Errorf("schema changed: %v -> %v", lim.Schema(), got.Schema())
		}
	})

	t.Run("the rule alone", func(t *testing.T) {
		sort := &Sort{Input: scan, Keys: keys}
		lim := &Limit{Input: sort, Count: count, Offset: offset}
		got, changed := sortLimitToTopK(lim)
		if _, ok := got.(*TopK); !ok || !changed {
			t.Fatalf("got %T, %v", got, changed)
		}
		if lim.Input != sort || lim.Count != count || lim.Offset != offset || sort.Input != scan || len(sort.Keys) != 1 {
			t.Errorf("the rule changed its input: %+v %+v", lim, sort)
		}
		if got, changed := sortLimitToTopK(sort); got != sort || changed {
			t.Errorf("the rule applied to a Sort: %T, %v", got, changed)
		}
	})

	t.Run("without offset", func(t *testing.T) {
		got := Optimize(&Limit{Input: &Sort{Input: scan, Keys: keys}, Count: count}, nil)
		if tk, ok := got.(*TopK); !ok || tk.Offset != nil || tk.Count != count {
			t.Errorf("got %+v", got)
		}
	})

	for _, tc := range []struct {
		name string
		plan Node
	}{
		// OFFSET alone or LIMIT ALL needs every row sorted.
		{"offset only", &Limit{Input: &Sort{Input: scan, Keys: keys}, Offset: offset}},
		{"limit without sort", &Limit{Input: scan, Count: count}},
		{"sort without limit", &Sort{Input: scan, Keys: keys}},
		// The Sort must be the Limit's input itself.
		{"project between", &Limit{Input: &Project{Input: &Sort{Input: scan, Keys: keys},
			Exprs: []Expr{col(0, types.TInt4, "id")}, Out: scan.Out[:1]}, Count: count}},
		{"filter between", &Limit{Input: &Filter{Input: &Sort{Input: scan, Keys: keys},
			Cond: lit(types.TBool, "true")}, Count: count}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := shape(tc.plan)
			got := Optimize(tc.plan, nil)
			if s := shape(got); s != before {
				t.Errorf("plan %s became %s", before, s)
			}
			if s := shape(tc.plan); s != before {
				t.Errorf("input changed from %s to %s", before, s)
			}
		})
	}

	t.Run("nested and under other nodes", func(t *testing.T) {
		inner := &Limit{Input: &Sort{Input: scan, Keys: keys}, Count: count}
		outer := &Filter{
			Input: &Limit{Input: &Sort{Input: &Project{Input: inner, Exprs: []Expr{col(0, types.TInt4, "id")}, Out: scan.Out[:1]},
				Keys: keys}, Count: i8(3)},
			Cond: lit(types.TBool, "true"),
		}
		before := shape(outer)
		got := Optimize(outer, nil)
		if want := "Filter(TopK(Project(TopK(Scan))))"; shape(got) != want {
			t.Errorf("got %s, want %s", shape(got), want)
		}
		if shape(outer) != before {
			t.Errorf("input changed: %s", shape(outer))
		}
		// Optimizing again changes nothing.
		if again := Optimize(got, nil); shape(again) != shape(got) {
			t.Errorf("second Optimize: %s", shape(again))
		}
	})
}

func sameSchema(a, b []OutCol) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// shape renders a plan's node types, inputs in parentheses.
func shape(n Node) string {
	var s string
	switch n.(type) {
	case *Scan:
		s = "Scan"
	case *Values:
		s = "Values"
	case *Filter:
		s = "Filter"
	case *Project:
		s = "Project"
	case *Sort:
		s = "Sort"
	case *Limit:
		s = "Limit"
	case *TopK:
		s = "TopK"
	case *Aggregate:
		s = "Aggregate"
	case *Distinct:
		s = "Distinct"
	default:
		s = "?"
	}
	ins := Inputs(n)
	if len(ins) == 0 {
		return s
	}
	s += "("
	for i, in := range ins {
		if i > 0 {
			s += ", "
		}
		s += shape(in)
	}
	return s + ")"
}
