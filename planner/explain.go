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
}

// Explain renders a plan as PostgreSQL's text EXPLAIN format (as with
// COSTS OFF): one line per node, children under "->", node details
// indented below.
func Explain(n Node, opts ExplainOptions) []string {
	var lines []string
	display(n).write(0, opts, &lines)
	return lines
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
	for _, c := range e.children {
		c.write(depth+1, opts, lines)
	}
}

// display builds the EXPLAIN tree of a plan node.
func display(n Node) *explainNode {
	n = unproject(n)
	kids := func(in ...Node) []*explainNode {
		out := make([]*explainNode, len(in))
		for i, x := range in {
			out[i] = display(x)
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
		if len(n.Rows) == 1 && len(n.Out) == 0 {
			return &explainNode{title: "Result", plan: n}
		}
		return &explainNode{title: "Values Scan on \"*VALUES*\"", plan: n}
	case *Filter:
		in := display(n.Input)
		cond := "Filter: " + FormatExpr(n.Cond, unproject(n.Input).Schema())
		if _, isScan := unproject(n.Input).(*Scan); isScan {
			in.details = append(in.details, cond)
			in.plan = n
			return in
		}
		return &explainNode{title: "Result", details: []string{cond}, children: []*explainNode{in}, plan: n}
	case *Sort:
		return &explainNode{title: "Sort", details: []string{"Sort Key: " + sortKeys(n.Keys, n.Input)},
			children: kids(n.Input), plan: n}
	case *Limit:
		return &explainNode{title: "Limit", children: kids(n.Input), plan: n}
	case *TopK:
		sort := &explainNode{title: "Sort", details: []string{"Sort Key: " + sortKeys(n.Keys, n.Input)},
			children: kids(n.Input), plan: n}
		return &explainNode{title: "Limit", children: []*explainNode{sort}, plan: n}
	case *Aggregate:
		if len(n.Groups) == 0 {
			return &explainNode{title: "Aggregate", children: kids(n.Input), plan: n}
		}
		keys := make([]string, len(n.Groups))
		for i, g := range n.Groups {
			keys[i] = FormatExpr(g, unproject(n.Input).Schema())
		}
		return &explainNode{title: "HashAggregate", details: []string{"Group Key: " + strings.Join(keys, ", ")},
			children: kids(n.Input), plan: n}
	case *Distinct:
		return &explainNode{title: "HashAggregate", children: kids(n.Input), plan: n}
	case *Insert:
		return &explainNode{title: "Insert on " + n.Table.Name, children: kids(n.Input), plan: n}
	case *Update:
		return &explainNode{title: "Update on " + n.Table.Name, children: kids(n.Input), plan: n}
	case *Delete:
		return &explainNode{title: "Delete on " + n.Table.Name, children: kids(n.Input), plan: n}
	}
	return &explainNode{title: fmt.Sprintf("%T", n), plan: n}
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
func sortKeys(keys []SortKey, input Node) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		e := k.Expr
		schema := input.Schema()
		if p, ok := input.(*Project); ok {
			if c, ok := e.(*ColRef); ok && c.Idx < len(p.Exprs) {
				e = p.Exprs[c.Idx]
				schema = p.Input.Schema()
			}
		}
		s := FormatExpr(e, schema)
		if _, isCol := e.(*ColRef); !isCol {
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

// FormatExpr renders an expression as PostgreSQL's EXPLAIN and
// pg_get_expr do: column names, literals with their type, operators in
// parentheses.
func FormatExpr(e Expr, schema []OutCol) string {
	switch e := e.(type) {
	case *ColRef:
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
	}
	return fmt.Sprintf("%T", e)
}

func formatConst(c *Const) string {
	if c.Value == nil {
		return "NULL::" + c.T.String()
	}
	text := string(types.AppendText(nil, c.T, c.Value, nil))
	switch c.T.OID {
	case types.Int4OID, types.NumericOID:
		if !strings.HasPrefix(text, "-") {
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
