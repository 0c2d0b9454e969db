package planner

import (
	"context"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// TestPredicateImplied checks which WHERE clauses prove a partial index's
// predicate, for each form the planner knows and a few it must refuse.
func TestPredicateImplied(t *testing.T) {
	x := func() Expr { return col(0, types.TInt4, "x") }
	cat := func() Expr { return col(1, types.TText, "category") }
	cmp := func(o string, e Expr, v string) Expr { return op(o, types.TBool, e, i4(v)) }
	catIs := func(v string) Expr { return op("=", types.TBool, cat(), lit(types.TText, v)) }
	and := func(es ...Expr) Expr { return &BoolOp{Op: And, Args: es} }
	or := func(es ...Expr) Expr { return &BoolOp{Op: Or, Args: es} }
	tests := []struct {
		name  string
		where Expr
		pred  Expr
		want  bool
	}{
		{"same conjunct", and(catIs("x"), cmp(">", x(), "1")), catIs("x"), true},
		{"other constant", catIs("y"), catIs("x"), false},
		{"all conjuncts", and(catIs("x"), cmp(">", x(), "20")), and(catIs("x"), cmp(">", x(), "10")), true},
		{"a conjunct missing", cmp(">", x(), "20"), and(catIs("x"), cmp(">", x(), "10")), false},
		{"> narrower", cmp(">", x(), "20"), cmp(">", x(), "10"), true},
		{"> equal bound", cmp(">", x(), "10"), cmp(">", x(), "10"), true},
		{"> wider", cmp(">", x(), "5"), cmp(">", x(), "10"), false},
		{">= same bound implies >=", cmp(">=", x(), "10"), cmp(">=", x(), "10"), true},
		{">= does not imply > of its bound", cmp(">=", x(), "10"), cmp(">", x(), "10"), false},
		{"> implies >= of its bound", cmp(">", x(), "10"), cmp(">=", x(), "10"), true},
		{"< narrower", cmp("<", x(), "5"), cmp("<=", x(), "10"), true},
		{"< wider", cmp("<", x(), "50"), cmp("<", x(), "10"), false},
		{"= inside a range", cmp("=", x(), "15"), cmp(">", x(), "10"), true},
		{"= outside a range", cmp("=", x(), "5"), cmp(">", x(), "10"), false},
		{"= implies <>", cmp("=", x(), "5"), cmp("<>", x(), "10"), true},
		{"constant on the left", op("<", types.TBool, i4("20"), x()), cmp(">", x(), "10"), true},
		{"another column", cmp(">", col(2, types.TInt4, "y"), "20"), cmp(">", x(), "10"), false},
		{"IS NOT NULL from a comparison", cmp(">", x(), "1"), &IsNull{Arg: x(), Negate: true}, true},
		{"IS NULL is not implied by a comparison", cmp(">", x(), "1"), &IsNull{Arg: x()}, false},
		{"OR: one arm", cmp(">", x(), "20"), or(cmp(">", x(), "10"), &IsNull{Arg: cat()}), true},
		{"OR: no arm", catIs("x"), or(cmp(">", x(), "10"), &IsNull{Arg: cat()}), false},
		{"a parameter proves nothing", op(">", types.TBool, x(), &Param{Index: 0, T: types.TInt4}), cmp(">", x(), "10"), false},
		{"different constant types", op(">", types.TBool, x(), lit(types.TInt8, "20")), cmp(">", x(), "10"), false},
		{"functions compared whole", op("=", types.TBool, call("lower", types.TText, Immutable, cat()), lit(types.TText, "a")),
			op("=", types.TBool, call("lower", types.TText, Immutable, cat()), lit(types.TText, "a")), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := predicateImplied(conjuncts(tc.where), tc.pred); got != tc.want {
				t.Fatalf("implied = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestOpclassOrders(t *testing.T) {
	vec := types.T{OID: types.VectorOID, Mod: 3}
	tests := []struct {
		opclass string
		key     types.T
		op      string
		want    bool
	}{
		{"vector_l2_ops", vec, "<->", true},
		{"vector_cosine_ops", vec, "<=>", true},
		{"vector_cosine_ops", vec, "<->", false},
		{"vector_ip_ops", vec, "<#>", true},
		{"vector_l1_ops", vec, "<+>", true},
		{"halfvec_l2_ops", vec, "<->", false},
		{"bit_hamming_ops", vec, "<~>", false},
		{"vector_l2", vec, "<->", false},
	}
	for _, tc := range tests {
		if got := opclassOrders(tc.opclass, tc.key, tc.op); got != tc.want {
			t.Errorf("opclassOrders(%s, %s, %s) = %v, want %v", tc.opclass, tc.key, tc.op, got, tc.want)
		}
	}
}

// fakeDefs binds every derived index to fixed definitions.
type fakeDefs map[string]*IndexDef

func (f fakeDefs) IndexDef(_ *storage.Table, idx *storage.Index) (*IndexDef, error) {
	return f[idx.Name], nil
}

// TestExpressionIndexChoice checks that the hnsw and btree rules use an
// expression index only for the same expression, cast included, and a
// partial one only when the WHERE clause implies its predicate.
func TestExpressionIndexChoice(t *testing.T) {
	vec3 := types.T{OID: types.VectorOID, Mod: 3}
	vec2 := types.T{OID: types.VectorOID, Mod: 2}
	tbl := &storage.Table{Schema: "public", Name: "t", Columns: []storage.Column{
		{Name: "name", Type: types.TText, Attnum: 1}, {Name: "embedding", Type: vec3, Attnum: 2}}}
	db, err := storage.Open(storage.Options{InMemory: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	txn := db.Begin()
	defer txn.Rollback()
	if err := txn.CreateTable(ctx, tbl); err != nil {
		t.Fatal(err)
	}
	for _, idx := range []*storage.Index{
		{Schema: "public", Name: "t_sub", Table: tbl.OID, Method: "hnsw",
			Columns: []storage.IndexColumn{{Slot: -1, Expr: "subvector(embedding, 1, 2)::vector(2)", Type: &vec2, Opclass: "vector_l2_ops"}}},
		{Schema: "public", Name: "t_lower", Table: tbl.OID, Method: "btree",
			Columns: []storage.IndexColumn{{Slot: -1, Expr: "lower(name)", Type: &types.TText}}},
	} {
		if err := txn.CreateIndex(ctx, idx); err != nil {
			t.Fatal(err)
		}
	}
	cat := txn.Catalog()
	tbl, _ = cat.Table(tbl.OID)
	sub := func(to types.T) Expr {
		return &Cast{Arg: call("subvector", vec3, Immutable, col(1, vec3, "embedding"), i4("1"), i4("2")), To: to, Explicit: true}
	}
	lower := func() Expr { return call("lower", types.TText, Immutable, col(0, types.TText, "name")) }
	defs := fakeDefs{"t_sub": {Keys: []Expr{sub(vec2)}}, "t_lower": {Keys: []Expr{lower()}}}
	scan := func() *Scan {
		return &Scan{Table: tbl, Out: []OutCol{{Name: "name", T: types.TText}, {Name: "embedding", T: vec3}}}
	}
	knn := func(key Expr) Node {
		dist := op("<->", types.TFloat8, key, lit(vec2, "[1,2]"))
		proj := &Project{Input: scan(), Exprs: []Expr{col(0, types.TText, "name"), dist},
			Out: []OutCol{{Name: "name", T: types.TText}, {Name: "d", T: types.TFloat8}}}
		return &Limit{Input: &Sort{Input: proj, Keys: []SortKey{{Expr: col(1, types.TFloat8, "d")}}}, Count: lit(types.TInt8, "3")}
	}
	filter := func(cond Expr) Node { return &Filter{Input: scan(), Cond: cond} }
	uses := func(n Node, name string) bool {
		found := false
		var walk func(Node)
		walk = func(n Node) {
			switch s := n.(type) {
			case *IndexScan:
				found = found || s.Index.Name == name
			case *BtreeScan:
				found = found || s.Index.Name == name
			}
			for _, in := range Inputs(n) {
				walk(in)
			}
		}
		walk(n)
		return found
	}
	tests := []struct {
		name  string
		plan  Node
		index string
		want  bool
	}{
		{"same expression and cast", knn(sub(vec2)), "t_sub", true},
		{"another cast", knn(sub(types.T{OID: types.VectorOID, Mod: -1})), "t_sub", false},
		{"the column itself", knn(&Cast{Arg: col(1, vec3, "embedding"), To: vec2, Explicit: true}), "t_sub", false},
		{"btree on the expression", filter(op("=", types.TBool, lower(), lit(types.TText, "a"))), "t_lower", true},
		{"btree on another function", filter(op("=", types.TBool, call("upper", types.TText, Immutable, col(0, types.TText, "name")), lit(types.TText, "a"))), "t_lower", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := OptimizeWith(tc.plan, cat, defs)
			if uses(got, tc.index) != tc.want {
				t.Fatalf("uses %s = %v, want %v", tc.index, !tc.want, tc.want)
			}
			if tc.want && uses(Optimize(tc.plan, cat), tc.index) {
				t.Fatalf("Optimize without index definitions used %s", tc.index)
			}
		})
	}
}
