package planner

import (
	"strings"

	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// IndexDef is an index's definition bound against its table: one key
// expression per index column (a ColRef for a plain column) and the
// predicate of a partial index (nil for none). The expressions read a row
// of the table's slots, as Scan produces it.
type IndexDef struct {
	Keys      []Expr
	Predicate Expr
}

// IndexDefs binds the stored definitions (SQL text) of indexes with key
// expressions or a predicate (storage.Index.Derived). The binder
// implements it; a definition that cannot be bound makes the index unused.
type IndexDefs interface {
	IndexDef(t *storage.Table, idx *storage.Index) (*IndexDef, error)
}

// indexes is what the index rules read: the catalog the plan was bound
// against and the binder of derived indexes' definitions (nil: derived
// indexes are not used).
type indexes struct {
	cat  *storage.Catalog
	defs IndexDefs
}

// def returns idx's bound definition, or nil when it cannot be had.
func (ix *indexes) def(t *storage.Table, idx *storage.Index) *IndexDef {
	if !idx.Derived() {
		keys := make([]Expr, len(idx.Columns))
		for i, c := range idx.Columns {
			if c.Slot < 0 || c.Slot >= len(t.Columns) {
				return nil
			}
			col := t.Columns[c.Slot]
			keys[i] = &ColRef{Idx: c.Slot, T: col.Type, Name: col.Name}
		}
		return &IndexDef{Keys: keys}
	}
	if ix.defs == nil {
		return nil
	}
	d, err := ix.defs.IndexDef(t, idx)
	if err != nil || d == nil || len(d.Keys) != len(idx.Columns) {
		return nil
	}
	return d
}

// typeKind is the name of a type without its modifier ("vector",
// "halfvec", "bit"), as pgvector's operator class names begin.
func typeKind(t types.T) string {
	name, _, _ := strings.Cut(t.String(), "(")
	return name
}

// metricOperators maps the metric part of a pgvector operator class name
// to the distance operator an index of that class orders by.
var metricOperators = map[string]string{
	"l2": "<->", "ip": "<#>", "cosine": "<=>", "l1": "<+>", "hamming": "<~>", "jaccard": "<%>",
}

// opclassOrders reports whether an hnsw index of operator class opclass on
// keys of type key answers ORDER BY key op value: the class is the key
// type's ("vector_l2_ops" for vector, "bit_hamming_ops" for bit) and its
// metric is op's.
func opclassOrders(opclass string, key types.T, op string) bool {
	kind, rest, ok := strings.Cut(opclass, "_")
	if !ok || kind != typeKind(key) {
		return false
	}
	metric, ok := strings.CutSuffix(rest, "_ops")
	return ok && metricOperators[metric] == op
}

// OpclassForOperator returns the vector operator class whose HNSW index
// orders by the distance operator op.
func OpclassForOperator(op string) (string, bool) {
	for metric, o := range metricOperators {
		if o == op && metric != "hamming" && metric != "jaccard" {
			return "vector_" + metric + "_ops", true
		}
	}
	return "", false
}

// isRowConstant reports whether e has the same value for every row of a
// scan: no column, outer reference, correlated subquery or volatile
// function (a parameter is fine), so it can be evaluated once when the
// scan starts. An uncorrelated scalar subquery is such a value, as
// PostgreSQL's InitPlan: `ORDER BY embedding <-> (SELECT embedding FROM
// items WHERE id = 1) LIMIT 5` is answered from the index.
func isRowConstant(e Expr) bool {
	ok := true
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *ColRef, *OuterRef:
			ok = false
		case *Subquery:
			ok = !x.Correlated && x.Kind == ScalarSubquery
		case *Func:
			if x.Volatility == Volatile {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// Partial indexes.
//
// A partial index holds only the rows its predicate is true for, so it
// may answer a query only when every row the query wants satisfies the
// predicate: when the query's WHERE implies it. predicateImplied proves
// this for the forms below (and otherwise says no, so the index is not
// used):
//
//   - each conjunct of the predicate is implied by some conjunct of the
//     WHERE clause; a disjunct (OR) of the predicate by any one of its
//     arms;
//   - a conjunct implies itself (the same bound expression: the same
//     columns, functions, casts and constants);
//   - a comparison "e op c1" implies "e op' c2" for the same expression e
//     and constants of one type when the first range lies in the second:
//     x > 20 implies x > 10 and x >= 20 and x <> 5; x = 3 implies x <= 3,
//     x < 10 and x <> 4; and so on for <, <=, =, >=, >, <>;
//   - any such comparison of e with a constant implies e IS NOT NULL.
//
// Parameters prove nothing, as in PostgreSQL's generic plans: WHERE x >
// $1 does not imply x > 10 whatever $1 will be.

// predicateImplied reports whether the conjuncts conds imply pred.
func predicateImplied(conds []Expr, pred Expr) bool {
	if b, ok := pred.(*BoolOp); ok {
		switch b.Op {
		case And:
			for _, a := range b.Args {
				if !predicateImplied(conds, a) {
					return false
				}
			}
			return true
		case Or:
			for _, a := range b.Args {
				if predicateImplied(conds, a) {
					return true
				}
			}
		}
	}
	for _, c := range conds {
		if condImplies(c, pred) {
			return true
		}
	}
	return false
}

// condImplies reports whether one condition implies another.
func condImplies(c, p Expr) bool {
	if Equal(c, p) {
		return true
	}
	ce, cop, cv, ok := comparison(c)
	if !ok {
		return false
	}
	if n, isNull := p.(*IsNull); isNull && n.Negate {
		// A comparison is never true for NULL.
		return Equal(ce, n.Arg)
	}
	pe, pop, pv, ok := comparison(p)
	if !ok || !Equal(ce, pe) || cv.T.OID != pv.T.OID {
		return false
	}
	return rangeImplies(cop, pop, types.Compare(cv.T, cv.Value, pv.Value))
}

// comparison recognises "e op constant" or "constant op e" (turned
// around) for op among = <> < <= > >=, with a non-NULL constant.
func comparison(x Expr) (e Expr, op string, c *Const, ok bool) {
	f, isFunc := x.(*Func)
	if !isFunc || len(f.Args) != 2 {
		return nil, "", nil, false
	}
	flip := map[string]string{"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
	if _, known := flip[f.Op]; !known {
		return nil, "", nil, false
	}
	if k, isConst := f.Args[1].(*Const); isConst && k.Value != nil {
		return f.Args[0], f.Op, k, true
	}
	if k, isConst := f.Args[0].(*Const); isConst && k.Value != nil {
		return f.Args[1], flip[f.Op], k, true
	}
	return nil, "", nil, false
}

// rangeImplies reports whether "e cop c1" implies "e pop c2", where cmp
// compares c1 with c2 (-1, 0, 1).
func rangeImplies(cop, pop string, cmp int) bool {
	switch cop {
	case "=":
		switch pop {
		case "=":
			return cmp == 0
		case "<>":
			return cmp != 0
		case "<":
			return cmp < 0
		case "<=":
			return cmp <= 0
		case ">":
			return cmp > 0
		case ">=":
			return cmp >= 0
		}
	case "<":
		switch pop {
		case "<", "<=":
			return cmp <= 0
		case "<>":
			return cmp <= 0
		}
	case "<=":
		switch pop {
		case "<":
			return cmp < 0
		case "<=":
			return cmp <= 0
		case "<>":
			return cmp < 0
		}
	case ">":
		switch pop {
		case ">", ">=":
			return cmp >= 0
		case "<>":
			return cmp >= 0
		}
	case ">=":
		switch pop {
		case ">":
			return cmp > 0
		case ">=":
			return cmp >= 0
		case "<>":
			return cmp > 0
		}
	case "<>":
		return pop == "<>" && cmp == 0
	}
	return false
}

// impliedByPredicate returns the conditions of conds that the predicate
// of a partial index makes redundant for rows read from it: those equal
// to one of its conjuncts.
func impliedByPredicate(conds []Expr, pred Expr) []bool {
	out := make([]bool, len(conds))
	if pred == nil {
		return out
	}
	for i, c := range conds {
		for _, p := range conjuncts(pred) {
			if Equal(c, p) {
				out[i] = true
			}
		}
	}
	return out
}
