package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/sql/types"
)

// ExplainOptions control EXPLAIN's output.
type ExplainOptions struct {
	Verbose bool
	// Actual, when set, gives per-node measurements (EXPLAIN ANALYZE).
	Actual func(n Node) (rows int64, ms float64, ok bool)
}

// Explain renders a plan as PostgreSQL's text EXPLAIN format: one line
// per node, children under "->", node details indented below.
func Explain(n Node, opts ExplainOptions) []string {
	var lines []string
	explainNode(n, 0, opts, &lines)
	return lines
}

func explainNode(n Node, depth int, opts ExplainOptions, lines *[]string) {
	title, details := describe(n)
	if opts.Actual != nil {
		if rows, ms, ok := opts.Actual(n); ok {
			title += fmt.Sprintf(" (actual time=%.3f..%.3f rows=%d loops=1)", ms, ms, rows)
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
	for _, d := range details {
		*lines = append(*lines, pad+d)
	}
	for _, in := range explainInputs(n) {
		explainNode(in, depth+1, opts, lines)
	}
}

// explainInputs are the children EXPLAIN shows: projections are folded
// into their input, as PostgreSQL shows target lists only with VERBOSE.
func explainInputs(n Node) []Node {
	var out []Node
	for _, in := range Inputs(n) {
		for {
			p, ok := in.(*Project)
			if !ok {
				break
			}
			in = p.Input
		}
		out = append(out, in)
	}
	return out
}

func describe(n Node) (string, []string) {
	switch n := n.(type) {
	case *Scan:
		title := "Seq Scan on " + n.Table.Name
		if n.Alias != "" && n.Alias != n.Table.Name {
			title += " " + n.Alias
		}
		return title, nil
	case *Values:
		if len(n.Rows) == 1 && len(n.Out) == 0 {
			return "Result", nil
		}
		return "Values Scan on \"*VALUES*\"", nil
	case *Filter:
		title, details := describe(unproject(n.Input))
		if _, isScan := unproject(n.Input).(*Scan); isScan {
			return title, append(details, "Filter: "+FormatExpr(n.Cond, unproject(n.Input).Schema()))
		}
		return "Result", []string{"Filter: " + FormatExpr(n.Cond, n.Input.Schema())}
	case *Project:
		return describe(n.Input)
	case *Sort:
		return "Sort", []string{"Sort Key: " + sortKeys(n.Keys, n.Input.Schema(), n.Input)}
	case *Limit:
		return "Limit", nil
	case *TopK:
		return "Limit", []string{"->  Sort (top-N heapsort)", "      Sort Key: " + sortKeys(n.Keys, n.Input.Schema(), n.Input)}
	case *Aggregate:
		if len(n.Groups) == 0 {
			return "Aggregate", nil
		}
		keys := make([]string, len(n.Groups))
		for i, g := range n.Groups {
			keys[i] = FormatExpr(g, n.Input.Schema())
		}
		return "HashAggregate", []string{"Group Key: " + strings.Join(keys, ", ")}
	case *Distinct:
		return "HashAggregate", nil
	case *Insert:
		return "Insert on " + n.Table.Name, nil
	case *Update:
		return "Update on " + n.Table.Name, nil
	case *Delete:
		return "Delete on " + n.Table.Name, nil
	}
	return fmt.Sprintf("%T", n), nil
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
func sortKeys(keys []SortKey, schema []OutCol, input Node) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		e := k.Expr
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
