package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/sql/types"
)

// ExplainOptions control EXPLAIN's output.
type ExplainOptions struct {
	// Actual, when set, gives per-node measurements (EXPLAIN ANALYZE):
	// the rows a plan node produced and the time until its first and its
	// last row, in milliseconds. ok is false for a node that never ran.
	Actual func(n Node) (rows int64, firstMs, totalMs float64, ok bool)
	// Notes, when set, gives what a node told about how it ran, shown
	// under its line.
	Notes func(n Node) []string
}

// Explain renders a plan as PostgreSQL's text EXPLAIN format (as with
// COSTS OFF): one line per node, children under "->", node details
// indented below.
func Explain(n Node, opts ExplainOptions) []string {
	var lines []string
	display(n, exprFormatter{qualify: hasJoin(n)}).write(0, opts, &lines)
	return lines
}

func hasJoin(n Node) bool {
	if _, ok := n.(*Join); ok {
		return true
	}
	for _, in := range Inputs(n) {
		if hasJoin(in) {
			return true
		}
	}
	return false
}

// explainNode is one line of EXPLAIN with its details and children. Plan
// nodes and displayed nodes differ a little: projections are not shown,
// a filter is a detail of the scan under it, and TopK shows as PostgreSQL
// shows its top-N sort, a Limit over a Sort.
type explainNode struct {
	title    string
	details  []string
	children []*explainNode
	// plan is the plan node whose measurements this line shows.
	plan Node
}

func (e *explainNode) write(depth int, opts ExplainOptions, lines *[]string) {
	title := e.title
	if opts.Actual != nil && e.plan != nil {
		if rows, first, total, ok := opts.Actual(e.plan); ok {
			title += fmt.Sprintf(" (actual time=%.3f..%.3f rows=%d loops=1)", first, total, rows)
		} else {
			title += " (never executed)"
		}
	}
	if depth == 0 {
		*lines = append(*lines, title)
	} else {
		*lines = append(*lines, strings.Repeat(" ", 2+6*(depth-1))+"->  "+title)
	}
	pad := strings.Repeat(" ", 2+6*depth)
	for _, d := range e.details {
		*lines = append(*lines, pad+d)
	}
	if opts.Notes != nil && e.plan != nil {
		for _, d := range opts.Notes(e.plan) {
			*lines = append(*lines, pad+d)
		}
	}
	for _, c := range e.children {
		c.write(depth+1, opts, lines)
	}
}

// display builds the EXPLAIN tree of a plan node.
func display(n Node, fm exprFormatter) *explainNode {
	n = unproject(n)
	kids := func(in ...Node) []*explainNode {
		out := make([]*explainNode, len(in))
		for i, x := range in {
			out[i] = display(x, fm)
		}
		return out
	}
	switch n := n.(type) {
	case *Scan:
		title := "Seq Scan on " + n.Table.Name
		if n.Alias != "" && n.Alias != n.Table.Name {
			title += " " + n.Alias
		}
		return &explainNode{title: title, plan: n}
	case *Values:
		// PostgreSQL plans a VALUES list of one row as a Result.
		if len(n.Rows) == 1 {
			return &explainNode{title: "Result", plan: n}
		}
		return &explainNode{title: "Values Scan on \"*VALUES*\"", plan: n}
	case *Filter:
		in := display(n.Input, fm)
		cond := "Filter: " + fm.format(n.Cond, unproject(n.Input).Schema())
		switch unproject(n.Input).(type) {
		case *Scan, *BtreeScan:
			in.details = append(in.details, cond)
			in.plan = n
			return in
		}
		// HAVING is a filter of the aggregate, over its groups and calls.
		if _, isAgg := n.Input.(*Aggregate); isAgg {
			schema, _ := displaySchema(n.Input, fm)
			in.details = append(in.details, "Filter: "+fm.format(n.Cond, schema))
			in.plan = n
			return in
		}
		return &explainNode{title: "Result", details: []string{cond}, children: []*explainNode{in}, plan: n}
	case *Sort:
		return &explainNode{title: "Sort", details: []string{"Sort Key: " + sortKeys(n.Keys, n.Input, fm)},
			children: kids(n.Input), plan: n}
	case *Limit:
		return &explainNode{title: "Limit", children: kids(n.Input), plan: n}
	case *TopK:
		sort := &explainNode{title: "Sort", details: []string{"Sort Key: " + sortKeys(n.Keys, n.Input, fm)},
			children: kids(n.Input), plan: n}
		return &explainNode{title: "Limit", children: []*explainNode{sort}, plan: n}
	case *Aggregate:
		if len(n.Groups) == 0 {
			return &explainNode{title: "Aggregate", children: kids(n.Input), plan: n}
		}
		keys := make([]string, len(n.Groups))
		for i, g := range n.Groups {
			keys[i] = fm.format(g, unproject(n.Input).Schema())
		}
		return &explainNode{title: "HashAggregate", details: []string{"Group Key: " + strings.Join(keys, ", ")},
			children: kids(n.Input), plan: n}
	case *Window:
		return displayWindow(n, fm)
	case *Distinct:
		// Grouped by every column: the projected expressions.
		var keys []string
		if p, ok := n.Input.(*Project); ok {
			schema, _ := displaySchema(p.Input, fm)
			for _, e := range p.Exprs {
				keys = append(keys, fm.format(e, schema))
			}
		} else {
			schema, _ := displaySchema(n.Input, fm)
			for _, c := range schema {
				keys = append(keys, c.Name)
			}
		}
		return &explainNode{title: "HashAggregate", details: []string{"Group Key: " + strings.Join(keys, ", ")},
			children: kids(n.Input), plan: n}
	case *Join:
		kind := map[JoinKind]string{InnerJoin: "", LeftJoin: " Left Join", FullJoin: " Full Join"}[n.Kind]
		schema := append(append([]OutCol{}, unproject(n.Left).Schema()...), unproject(n.Right).Schema()...)
		if len(n.EqLeft) > 0 {
			conds := make([]string, len(n.EqLeft))
			for i := range n.EqLeft {
				conds[i] = "(" + fm.format(n.EqLeft[i], n.Left.Schema()) + " = " + fm.format(n.EqRight[i], n.Right.Schema()) + ")"
			}
			title := "Hash Join"
			if kind != "" {
				title = "Hash" + kind
			}
			return &explainNode{title: title, details: []string{"Hash Cond: " + strings.Join(conds, " AND ")},
				children: kids(n.Left, n.Right), plan: n}
		}
		var details []string
		if n.Cond != nil {
			details = []string{"Join Filter: " + fm.format(n.Cond, schema)}
		}
		return &explainNode{title: "Nested Loop" + kind, details: details, children: kids(n.Left, n.Right), plan: n}
	case *RecursiveUnion:
		return &explainNode{title: "Recursive Union", children: kids(n.Init, n.Step), plan: n}
	case *WorkTableScan:
		return &explainNode{title: "WorkTable Scan on " + n.Name, plan: n}
	case *SetOp:
		switch {
		case n.Op == Union && n.All:
			return &explainNode{title: "Append", children: kids(n.Left, n.Right), plan: n}
		case n.Op == Union:
			return &explainNode{title: "HashAggregate", children: []*explainNode{{title: "Append", children: kids(n.Left, n.Right)}}, plan: n}
		case n.Op == Intersect:
			return &explainNode{title: "HashSetOp Intersect", children: kids(n.Left, n.Right), plan: n}
		}
		return &explainNode{title: "HashSetOp Except", children: kids(n.Left, n.Right), plan: n}
	case *IndexScan:
		title := "Index Scan using " + n.Index.Name + " on " + n.Table.Name
		if n.Alias != "" && n.Alias != n.Table.Name {
			title += " " + n.Alias
		}
		key := n.Key
		if key == nil {
			key = &ColRef{Idx: n.Index.Columns[0].Slot, Name: n.Table.Columns[n.Index.Columns[0].Slot].Name}
		}
		details := []string{"Order By: (" + fm.format(key, n.Out) + " " + n.Op + " " + fm.format(n.Query, nil) + ")"}
		if n.Predicate != nil {
			details = append(details, indexPredicate(fm.format(n.Predicate, n.Out)))
		}
		if n.Filter != nil {
			details = append(details, "Filter: "+fm.format(n.Filter, n.Out))
		}
		return &explainNode{title: title, details: details, plan: n}
	case *BtreeScan:
		title := "Index Scan using " + n.Index.Name + " on " + n.Table.Name
		if n.Alias != "" && n.Alias != n.Table.Name {
			title += " " + n.Alias
		}
		var conds []string
		for _, c := range n.Conds {
			conds = append(conds, fm.format(c, n.Out))
		}
		var details []string
		if len(conds) > 0 {
			details = append(details, "Index Cond: "+strings.Join(conds, " AND "))
		}
		if n.Predicate != nil {
			details = append(details, indexPredicate(fm.format(n.Predicate, n.Out)))
		}
		return &explainNode{title: title, details: details, plan: n}
	case *VirtualScan:
		title := "Function Scan on " + n.Name
		if n.Alias != "" {
			title += " " + n.Alias
		}
		return &explainNode{title: title, plan: n}
	case *RowSource:
		return &explainNode{title: "Function Scan on copy_from_stdin", plan: n}
	case *Insert:
		return &explainNode{title: "Insert on " + n.Table.Name, children: kids(n.Input), plan: n}
	case *Update:
		return &explainNode{title: "Update on " + n.Table.Name, children: kids(n.Input), plan: n}
	case *Delete:
		return &explainNode{title: "Delete on " + n.Table.Name, children: kids(n.Input), plan: n}
	}
	return &explainNode{title: fmt.Sprintf("%T", n), plan: n}
}

// indexPredicate is the line that says why a partial index could be
// used: the query's WHERE implies its predicate. PostgreSQL's EXPLAIN
// does not show it.
func indexPredicate(pred string) string {
	return "Index Predicate: " + pred + " (implied by the WHERE clause)"
}

// unproject skips projections, whose expressions EXPLAIN shows inside the
// keys and filters that use them.
func unproject(n Node) Node {
	for {
		p, ok := n.(*Project)
		if !ok {
			return n
		}
		n = p.Input
	}
}

// sortKeys renders sort keys, replacing references to projected columns
// with the expressions they compute.
func sortKeys(keys []SortKey, input Node, fm exprFormatter) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		e := k.Expr
		schema, computed := displaySchema(input, fm)
		if p, ok := input.(*Project); ok {
			if c, ok := e.(*ColRef); ok && c.Idx < len(p.Exprs) {
				e = p.Exprs[c.Idx]
				schema, computed = displaySchema(p.Input, fm)
			}
		}
		s := fm.format(e, schema)
		if c, isCol := e.(*ColRef); !isCol || c.Idx < len(computed) && computed[c.Idx] {
			s = "(" + s + ")"
		}
		if k.Desc {
			s += " DESC"
			if !k.NullsFirst {
				s += " NULLS LAST"
			}
		} else if k.NullsFirst {
			s += " NULLS FIRST"
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

// displaySchema returns the columns of n's rows as EXPLAIN names them in
// the expressions of the nodes above, and which of them are computed
// values (that a sort key shows in parentheses). An aggregate's columns
// are its group expressions and its calls: "count(*)", "sum(price)".
func displaySchema(n Node, fm exprFormatter) ([]OutCol, []bool) {
	schema := n.Schema()
	computed := make([]bool, len(schema))
	agg, ok := n.(*Aggregate)
	if !ok || len(schema) != len(agg.Groups)+len(agg.Aggs) {
		return schema, computed
	}
	in := unproject(agg.Input).Schema()
	out := append([]OutCol(nil), schema...)
	for i, g := range agg.Groups {
		out[i].Name = fm.format(g, in)
		_, isCol := g.(*ColRef)
		computed[i] = !isCol
	}
	for j, a := range agg.Aggs {
		i := len(agg.Groups) + j
		out[i].Name, computed[i] = aggCallText(a, in, fm), true
	}
	return out, computed
}

// aggCallText renders an aggregate call as PostgreSQL's EXPLAIN does:
// count(*), count(DISTINCT id), max(price) FILTER (WHERE (id > 1)).
func aggCallText(a *AggCall, schema []OutCol, fm exprFormatter) string {
	args := "*"
	if !a.Star {
		parts := make([]string, len(a.Args))
		for i, x := range a.Args {
			parts[i] = fm.format(x, schema)
		}
		args = strings.Join(parts, ", ")
		if a.Distinct {
			args = "DISTINCT " + args
		}
	}
	s := a.Name + "(" + args + ")"
	if a.Filter != nil {
		s += " FILTER (WHERE " + fm.format(a.Filter, schema) + ")"
	}
	return s
}

// FormatExpr renders an expression as PostgreSQL's EXPLAIN and
// pg_get_expr do: column names, literals with their type, operators in
// parentheses.
func FormatExpr(e Expr, schema []OutCol) string {
	return exprFormatter{}.format(e, schema)
}

// exprFormatter renders expressions; qualify prefixes column names with
// their table, as EXPLAIN does in plans that join.
type exprFormatter struct {
	qualify bool
}

func (f exprFormatter) format(e Expr, schema []OutCol) string {
	FormatExpr := f.format
	switch e := e.(type) {
	case *ColRef:
		if f.qualify && strings.Contains(e.Name, ".") {
			return e.Name
		}
		if e.Idx < len(schema) {
			return schema[e.Idx].Name
		}
		return e.Name
	case *Const:
		return formatConst(e)
	case *Param:
		return "$" + strconv.Itoa(e.Index+1)
	case *Func:
		args := make([]string, len(e.Args))
		for i, a := range e.Args {
			args[i] = FormatExpr(a, schema)
		}
		if e.Op != "" {
			if len(args) == 1 {
				return "(" + e.Op + " " + args[0] + ")"
			}
			return "(" + args[0] + " " + e.Op + " " + args[1] + ")"
		}
		return e.Name + "(" + strings.Join(args, ", ") + ")"
	case *Cast:
		return "(" + FormatExpr(e.Arg, schema) + ")::" + e.To.String()
	case *BoolOp:
		if e.Op == Not {
			return "(NOT " + FormatExpr(e.Args[0], schema) + ")"
		}
		sep := " AND "
		if e.Op == Or {
			sep = " OR "
		}
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			parts[i] = FormatExpr(a, schema)
		}
		return "(" + strings.Join(parts, sep) + ")"
	case *IsNull:
		if e.Negate {
			return "(" + FormatExpr(e.Arg, schema) + " IS NOT NULL)"
		}
		return "(" + FormatExpr(e.Arg, schema) + " IS NULL)"
	case *Coalesce:
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			parts[i] = FormatExpr(a, schema)
		}
		return "COALESCE(" + strings.Join(parts, ", ") + ")"
	case *InList:
		parts := make([]string, len(e.List))
		for i, a := range e.List {
			parts[i] = FormatExpr(a, schema)
		}
		op := "= ANY"
		if e.Negate {
			op = "<> ALL"
		}
		return "(" + FormatExpr(e.Arg, schema) + " " + op + " (ARRAY[" + strings.Join(parts, ", ") + "]))"
	case *Case:
		var sb strings.Builder
		sb.WriteString("CASE")
		for _, w := range e.Whens {
			sb.WriteString(" WHEN " + FormatExpr(w.Cond, schema) + " THEN " + FormatExpr(w.Result, schema))
		}
		if e.Else != nil {
			sb.WriteString(" ELSE " + FormatExpr(e.Else, schema))
		}
		sb.WriteString(" END")
		return sb.String()
	case *ArrayExpr:
		parts := make([]string, len(e.Elems))
		for i, a := range e.Elems {
			parts[i] = FormatExpr(a, schema)
		}
		return "ARRAY[" + strings.Join(parts, ", ") + "]"
	case *OuterRef:
		return e.Name
	case *Subquery:
		switch e.Kind {
		case ExistsSubquery:
			return "(EXISTS (SubPlan))"
		case AnySubquery, AllSubquery:
			quant, op := "ANY", e.Op
			if e.Kind == AllSubquery {
				quant = "ALL"
			}
			if op == "" {
				op = "="
			}
			test := ""
			if len(e.Tests) == 1 {
				test = FormatExpr(e.Tests[0], schema)
			} else {
				parts := make([]string, len(e.Tests))
				for i, t := range e.Tests {
					parts[i] = FormatExpr(t, schema)
				}
				test = "ROW(" + strings.Join(parts, ", ") + ")"
			}
			return "(" + quant + " (" + test + " " + op + " (SubPlan)))"
		case ArraySubquery:
			return "(ARRAY(SubPlan))"
		}
		return "(SubPlan)"
	}
	return fmt.Sprintf("%T", e)
}

func formatConst(c *Const) string {
	if c.Value == nil {
		return "NULL::" + c.T.String()
	}
	text := string(types.AppendText(nil, c.T, c.Value, nil))
	switch c.T.OID {
	case types.Int4OID:
		// Negative ones need quotes to re-parse as one constant.
		if !strings.HasPrefix(text, "-") {
			return text
		}
		return "'" + text + "'::" + c.T.String()
	case types.NumericOID:
		// Bare only when the text reads back as a numeric literal: not an
		// integer (which would be int4), not negative, NaN or Infinity.
		if text[0] >= '0' && text[0] <= '9' && strings.ContainsAny(text, "eE.") {
			return text
		}
		return "'" + text + "'::" + c.T.String()
	case types.BoolOID:
		if text == "t" {
			return "true"
		}
		return "false"
	}
	return "'" + strings.ReplaceAll(text, "'", "''") + "'::" + c.T.String()
}
