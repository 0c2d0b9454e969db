package pgcatalog

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// This file prints the expressions that storage keeps as SQL text (column
// defaults, index expressions and predicates) the way PostgreSQL's
// ruleutils.c prints the expression trees it keeps instead: literals
// carry the type they were coerced to ('x'::text, '-1'::integer, but a
// bare 0), binary operators are parenthesized, SQL keywords such as
// CURRENT_DATE are upper case. pg_get_expr, pg_get_indexdef and
// information_schema.columns.column_default show this text, and clients
// compare it (GORM strips "::regclass" from nextval defaults; psql shows
// it in \d).
//
// The text comes from pg_query's deparser (see sql/ddl.go), so it is
// regular; the small parser below covers the expressions that column
// defaults and index definitions use, and text it cannot parse is shown as
// it is. Types come from the table's columns, the column a default belongs
// to (for a bare literal), and otherwise the literal's own: an unknown
// literal next to a typed operand takes that operand's type, elsewhere it
// is text, as in function arguments (PostgreSQL would take the function's
// parameter type).

// deparseSQL parses sql and prints it as ruleutils would. tbl gives the
// types of column references (nil: none), want is the type the whole
// expression is coerced to (a column default's column type; zero for
// none). In the pretty form, operators lose their outer parentheses as
// with pg_get_expr(..., true).
func deparseSQL(env planner.Env, sql string, tbl *storage.Table, want types.T, pretty bool) string {
	n, err := parseSQLExpr(sql)
	if err != nil {
		return sql
	}
	d := &deparser{env: env, tbl: tbl, pretty: pretty}
	s, _ := d.expr(n, typeRef{t: want}, 0, true)
	return s
}

// isFunctionCallSQL reports whether sql is a bare function call, which an
// index definition does not parenthesize.
func isFunctionCallSQL(sql string) bool {
	n, err := parseSQLExpr(sql)
	if err != nil {
		return false
	}
	_, ok := n.(*funcNode)
	return ok
}

// hasDefault reports whether a column has a default as PostgreSQL sees it:
// DEFAULT NULL is none.
func hasDefault(c storage.Column) bool {
	if c.Default == "" {
		return false
	}
	n, err := parseSQLExpr(c.Default)
	if err != nil {
		return true
	}
	_, isNull := n.(*nullNode)
	return !isNull
}

// columnDefault is the ruleutils text of a column's default, ok false
// when it has none.
func columnDefault(env planner.Env, tbl *storage.Table, c storage.Column) (string, bool) {
	if !hasDefault(c) {
		return "", false
	}
	return deparseSQL(env, c.Default, tbl, c.Type, false), true
}

// Parse tree.
type (
	sqlNode    any
	stringNode struct{ s string }
	numberNode struct{ s string }
	boolNode   struct{ v bool }
	nullNode   struct{}
	columnNode struct{ parts []string }
	funcNode   struct {
		name []string
		args []sqlNode
		star bool
	}
	// keywordNode is a SQL value function such as CURRENT_DATE.
	keywordNode struct {
		word string
		t    types.OID
	}
	opNode struct {
		op          string
		left, right sqlNode // left is nil for a prefix operator
	}
	logicNode struct {
		op   string // AND, OR, NOT
		args []sqlNode
	}
	nullTestNode struct {
		arg sqlNode
		not bool
	}
	castNode struct {
		arg sqlNode
		to  typeRef
	}
	arrayNode struct{ elems []sqlNode }
)

// typeRef is a type named in SQL: one of vecgres's, or only a name (t
// zero) for types vecgres lacks, printed as written.
type typeRef struct {
	t    types.T
	name string
}

func (r typeRef) known() bool { return r.t.OID != 0 }

// String renders the type as format_type does.
func (r typeRef) String() string {
	if r.known() {
		return r.t.String()
	}
	return r.name
}

// Lexer.
type sqlToken struct {
	kind byte // 'i' identifier, 'q' quoted identifier, 'n' number, 's' string, 'o' operator, 'p' punctuation, 0 end
	text string
}

func lexSQL(s string) ([]sqlToken, error) {
	var out []sqlToken
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'':
			str, n, err := lexString(s[i+1:], true)
			if err != nil {
				return nil, err
			}
			out = append(out, sqlToken{'s', str})
			i += 1 + n
		case c == '\'':
			str, n, err := lexString(s[i:], false)
			if err != nil {
				return nil, err
			}
			out = append(out, sqlToken{'s', str})
			i += n
		case c == '"':
			j := i + 1
			var b strings.Builder
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("unterminated identifier")
				}
				if s[j] == '"' {
					if j+1 < len(s) && s[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, sqlToken{'q', b.String()})
			i = j + 1
		case isDigit(c) || (c == '.' && i+1 < len(s) && isDigit(s[i+1])):
			j := i
			for j < len(s) && (isDigit(s[j]) || s[j] == '.' || s[j] == '_') {
				j++
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && isDigit(s[k]) {
					for j = k; j < len(s) && isDigit(s[j]); j++ {
					}
				}
			}
			out = append(out, sqlToken{'n', strings.ReplaceAll(s[i:j], "_", "")})
			i = j
		case c == '_' || unicode.IsLetter(rune(c)) || c >= 0x80:
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '$' || isDigit(s[j]) || unicode.IsLetter(rune(s[j])) || s[j] >= 0x80) {
				j++
			}
			out = append(out, sqlToken{'i', strings.ToLower(s[i:j])})
			i = j
		case c == ':' && i+1 < len(s) && s[i+1] == ':':
			out = append(out, sqlToken{'p', "::"})
			i += 2
		case strings.IndexByte("()[],.", c) >= 0:
			out = append(out, sqlToken{'p', string(c)})
			i++
		case strings.IndexByte("+-*/<>=~!@#%^&|`?", c) >= 0:
			j := i
			for j < len(s) && strings.IndexByte("+-*/<>=~!@#%^&|`?", s[j]) >= 0 {
				j++
			}
			out = append(out, sqlToken{'o', s[i:j]})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q", c)
		}
	}
	return out, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// lexString reads a quoted string at the start of s, returning its value
// and length. escapes selects E'...' backslash escapes.
func lexString(s string, escapes bool) (string, int, error) {
	var b strings.Builder
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '\'' && j+1 < len(s) && s[j+1] == '\'':
			b.WriteByte('\'')
			j++
		case c == '\'':
			return b.String(), j + 1, nil
		case c == '\\' && escapes && j+1 < len(s):
			j++
			switch s[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			default:
				b.WriteByte(s[j])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

// Parser.
type sqlParser struct {
	toks []sqlToken
	pos  int
}

func parseSQLExpr(s string) (sqlNode, error) {
	toks, err := lexSQL(s)
	if err != nil {
		return nil, err
	}
	p := &sqlParser{toks: toks}
	n, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos].text)
	}
	return n, nil
}

func (p *sqlParser) peek() sqlToken {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return sqlToken{}
}

func (p *sqlParser) peekAt(k int) sqlToken {
	if p.pos+k < len(p.toks) {
		return p.toks[p.pos+k]
	}
	return sqlToken{}
}

func (p *sqlParser) next() sqlToken {
	t := p.peek()
	p.pos++
	return t
}

func (p *sqlParser) isKeyword(words ...string) bool {
	for k, w := range words {
		t := p.peekAt(k)
		if t.kind != 'i' || t.text != w {
			return false
		}
	}
	return true
}

func (p *sqlParser) expect(kind byte, text string) error {
	t := p.next()
	if t.kind != kind || t.text != text {
		return fmt.Errorf("expected %q", text)
	}
	return nil
}

// Binding powers, from PostgreSQL's operator precedence table.
const (
	precOr      = 1
	precAnd     = 2
	precNot     = 3
	precIs      = 4
	precCompare = 5
	precOther   = 6
	precAdd     = 8
	precMul     = 9
	precExp     = 10
	precUnary   = 11
)

func binaryPrec(op string) int {
	switch op {
	case "<", ">", "=", "<=", ">=", "<>", "!=":
		return precCompare
	case "+", "-":
		return precAdd
	case "*", "/", "%":
		return precMul
	case "^":
		return precExp
	}
	return precOther
}

func (p *sqlParser) expr(minPrec int) (sqlNode, error) {
	var left sqlNode
	var err error
	switch t := p.peek(); {
	case t.kind == 'i' && t.text == "not":
		p.next()
		arg, err := p.expr(precNot)
		if err != nil {
			return nil, err
		}
		left = &logicNode{op: "NOT", args: []sqlNode{arg}}
	case t.kind == 'o' && (t.text == "-" || t.text == "+"):
		p.next()
		arg, err := p.expr(precUnary)
		if err != nil {
			return nil, err
		}
		if num, ok := arg.(*numberNode); ok && t.text == "-" {
			left = &numberNode{s: "-" + num.s}
		} else if t.text == "-" {
			left = &opNode{op: "-", right: arg}
		} else {
			left = arg
		}
	default:
		if left, err = p.primary(); err != nil {
			return nil, err
		}
	}
	for {
		t := p.peek()
		switch {
		case t.kind == 'i' && t.text == "and" && minPrec < precAnd, t.kind == 'i' && t.text == "or" && minPrec < precOr:
			p.next()
			prec := precAnd
			if t.text == "or" {
				prec = precOr
			}
			right, err := p.expr(prec)
			if err != nil {
				return nil, err
			}
			left = &logicNode{op: strings.ToUpper(t.text), args: []sqlNode{left, right}}
		case t.kind == 'i' && t.text == "is" && minPrec < precIs:
			p.next()
			not := false
			if p.isKeyword("not") {
				p.next()
				not = true
			}
			if !p.isKeyword("null") {
				return nil, fmt.Errorf("unsupported IS")
			}
			p.next()
			left = &nullTestNode{arg: left, not: not}
		case t.kind == 'o' && binaryPrec(t.text) > minPrec:
			p.next()
			right, err := p.expr(binaryPrec(t.text))
			if err != nil {
				return nil, err
			}
			op := t.text
			if op == "!=" {
				op = "<>"
			}
			left = &opNode{op: op, left: left, right: right}
		case t.kind == 'i' && (t.text == "like" || t.text == "ilike") && minPrec < precOther:
			p.next()
			right, err := p.expr(precOther)
			if err != nil {
				return nil, err
			}
			op := "~~"
			if t.text == "ilike" {
				op = "~~*"
			}
			left = &opNode{op: op, left: left, right: right}
		default:
			return left, nil
		}
	}
}

func (p *sqlParser) primary() (sqlNode, error) {
	n, err := p.atom()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == 'p' && p.peek().text == "::" {
		p.next()
		to, err := p.typeName()
		if err != nil {
			return nil, err
		}
		n = &castNode{arg: n, to: to}
	}
	return n, nil
}

// sqlValueFunctions are the SQL keywords that call a function, with their
// result types, as ruleutils prints them.
var sqlValueFunctions = map[string]types.OID{
	"current_date": types.DateOID, "current_timestamp": types.TimestampTZOID, "localtimestamp": types.TimestampOID,
	"current_time": 0, "localtime": 0, "current_user": types.NameOID, "session_user": types.NameOID,
	"current_role": types.NameOID, "user": types.NameOID, "current_catalog": types.NameOID,
	"current_schema": types.NameOID,
}

func (p *sqlParser) atom() (sqlNode, error) {
	t := p.next()
	switch t.kind {
	case 's':
		return &stringNode{s: t.text}, nil
	case 'n':
		return &numberNode{s: t.text}, nil
	case 'p':
		if t.text == "(" {
			n, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			return n, p.expect('p', ")")
		}
	case 'q', 'i':
		if t.kind == 'i' {
			switch t.text {
			case "true", "false":
				return &boolNode{v: t.text == "true"}, nil
			case "null":
				return &nullNode{}, nil
			case "array":
				return p.array()
			case "cast":
				return p.cast()
			}
			if rt, ok := sqlValueFunctions[t.text]; ok && !(p.peek().kind == 'p' && p.peek().text == "(") {
				return &keywordNode{word: strings.ToUpper(t.text), t: rt}, nil
			}
			// A typed literal: type 'text'.
			if p.peek().kind == 's' || (p.peek().kind == 'i' && p.peekAt(1).kind == 's') {
				p.pos--
				save := p.pos
				if to, err := p.typeName(); err == nil && p.peek().kind == 's' {
					return &castNode{arg: &stringNode{s: p.next().text}, to: to}, nil
				}
				p.pos = save + 1
			}
		}
		parts := []string{t.text}
		for p.peek().kind == 'p' && p.peek().text == "." {
			p.next()
			nt := p.next()
			if nt.kind != 'i' && nt.kind != 'q' {
				return nil, fmt.Errorf("bad name")
			}
			parts = append(parts, nt.text)
		}
		if p.peek().kind == 'p' && p.peek().text == "(" {
			p.next()
			f := &funcNode{name: parts}
			if p.peek().kind == 'o' && p.peek().text == "*" {
				p.next()
				f.star = true
			}
			for !(p.peek().kind == 'p' && p.peek().text == ")") {
				if len(f.args) > 0 {
					if err := p.expect('p', ","); err != nil {
						return nil, err
					}
				}
				a, err := p.expr(0)
				if err != nil {
					return nil, err
				}
				f.args = append(f.args, a)
			}
			p.next()
			return f, nil
		}
		return &columnNode{parts: parts}, nil
	}
	return nil, fmt.Errorf("unexpected %q", t.text)
}

func (p *sqlParser) array() (sqlNode, error) {
	if err := p.expect('p', "["); err != nil {
		return nil, err
	}
	a := &arrayNode{}
	for !(p.peek().kind == 'p' && p.peek().text == "]") {
		if len(a.elems) > 0 {
			if err := p.expect('p', ","); err != nil {
				return nil, err
			}
		}
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		a.elems = append(a.elems, e)
	}
	p.next()
	return a, nil
}

func (p *sqlParser) cast() (sqlNode, error) {
	if err := p.expect('p', "("); err != nil {
		return nil, err
	}
	arg, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if !p.isKeyword("as") {
		return nil, fmt.Errorf("expected AS")
	}
	p.next()
	to, err := p.typeName()
	if err != nil {
		return nil, err
	}
	return &castNode{arg: arg, to: to}, p.expect('p', ")")
}

// typeName reads a type name with its modifiers and array bounds.
func (p *sqlParser) typeName() (typeRef, error) {
	var words []string
	t := p.next()
	if t.kind != 'i' && t.kind != 'q' {
		return typeRef{}, fmt.Errorf("expected a type name")
	}
	words = append(words, t.text)
	if p.peek().kind == 'p' && p.peek().text == "." {
		p.next()
		words = []string{p.next().text} // the schema does not matter here
	}
	switch words[0] {
	case "double":
		if p.isKeyword("precision") {
			p.next()
			words = append(words, "precision")
		}
	case "character", "char", "bit":
		if p.isKeyword("varying") {
			p.next()
			words = append(words, "varying")
		}
	}
	var mods []int64
	if p.peek().kind == 'p' && p.peek().text == "(" {
		p.next()
		for {
			n := p.next()
			v, err := strconv.ParseInt(n.text, 10, 32)
			if n.kind != 'n' || err != nil {
				return typeRef{}, fmt.Errorf("bad type modifier")
			}
			mods = append(mods, v)
			if p.peek().kind == 'p' && p.peek().text == "," {
				p.next()
				continue
			}
			break
		}
		if err := p.expect('p', ")"); err != nil {
			return typeRef{}, err
		}
	}
	if words[0] == "timestamp" || words[0] == "time" {
		switch {
		case p.isKeyword("with", "time", "zone"):
			p.pos += 3
			words = append(words, "with", "time", "zone")
		case p.isKeyword("without", "time", "zone"):
			p.pos += 3
			words = append(words, "without", "time", "zone")
		}
	}
	name := strings.Join(words, " ")
	array := false
	for p.peek().kind == 'p' && p.peek().text == "[" {
		p.next()
		if p.peek().kind == 'n' {
			p.next()
		}
		if err := p.expect('p', "]"); err != nil {
			return typeRef{}, err
		}
		array = true
	}
	lookup := name
	switch name {
	case "char", "character":
		lookup = "bpchar"
		if mods == nil {
			mods = []int64{1}
		}
	case "timestamp", "timestamp without time zone":
		lookup = "timestamp"
	case "timestamp with time zone":
		lookup = "timestamptz"
	}
	o, ok := types.TypeByName(lookup)
	if !ok {
		if array {
			name += "[]"
		}
		return typeRef{name: name}, nil
	}
	rt, err := types.WithTypmod(o, mods)
	if err != nil {
		return typeRef{}, err
	}
	if array {
		arr, ok := types.ArrayOf(rt.OID)
		if !ok {
			return typeRef{}, fmt.Errorf("no array type")
		}
		rt = types.T{OID: arr, Mod: rt.Mod}
	}
	return typeRef{t: rt}, nil
}

// deparser prints a parse tree as ruleutils does.
type deparser struct {
	env    planner.Env
	tbl    *storage.Table
	pretty bool
}

// expr prints n, coerced to want when n is an untyped literal, and
// returns its type. parent is the binding power of the enclosing operator
// (for the pretty form's parentheses), top whether n is the whole
// expression.
func (d *deparser) expr(n sqlNode, want typeRef, parent int, top bool) (string, typeRef) {
	switch n := n.(type) {
	case *stringNode:
		if !want.known() && want.name == "" {
			want = typeRef{t: types.TText}
		}
		// The literal becomes a constant of the type, without its
		// modifier (a length coercion would apply that).
		label := want
		if label.known() {
			label.t.Mod = -1
		}
		return d.constant(n.s, label), want
	case *numberNode:
		t := numberType(n.s)
		return d.constant(n.s, typeRef{t: t}), typeRef{t: t}
	case *boolNode:
		if n.v {
			return "true", typeRef{t: types.TBool}
		}
		return "false", typeRef{t: types.TBool}
	case *nullNode:
		if want.known() || want.name != "" {
			return "NULL::" + want.String(), want
		}
		return "NULL", want
	case *keywordNode:
		return n.word, typeRef{t: types.Of(n.t)}
	case *columnNode:
		parts := make([]string, len(n.parts))
		for i, p := range n.parts {
			parts[i] = quoteIdent(p)
		}
		var t typeRef
		if d.tbl != nil {
			if i := d.tbl.ColumnIndex(n.parts[len(n.parts)-1]); i >= 0 {
				t = typeRef{t: d.tbl.Columns[i].Type}
			}
		}
		return strings.Join(parts, "."), t
	case *castNode:
		if s, ok := n.arg.(*stringNode); ok {
			to := n.to
			if to.known() {
				to.t.Mod = -1
			}
			return d.constant(s.s, to), n.to
		}
		if _, ok := n.arg.(*nullNode); ok {
			return "NULL::" + n.to.String(), n.to
		}
		arg, _ := d.expr(n.arg, typeRef{}, precUnary+2, false)
		return d.castText(arg, n.arg, n.to), n.to
	case *funcNode:
		return d.function(n)
	case *arrayNode:
		elems := make([]string, len(n.elems))
		var et typeRef
		for i, e := range n.elems {
			var t typeRef
			elems[i], t = d.expr(e, typeRef{}, 0, false)
			if i == 0 {
				et = t
			}
		}
		rt := typeRef{}
		if et.known() {
			if arr, ok := types.ArrayOf(et.t.OID); ok {
				rt = typeRef{t: types.Of(arr)}
			}
		}
		return "ARRAY[" + strings.Join(elems, ", ") + "]", rt
	case *opNode:
		return d.operator(n, parent, top)
	case *logicNode:
		prec := map[string]int{"AND": precAnd, "OR": precOr, "NOT": precNot}[n.op]
		var s string
		if n.op == "NOT" {
			arg, _ := d.expr(n.args[0], typeRef{t: types.TBool}, prec, false)
			s = "NOT " + arg
		} else {
			l, _ := d.expr(n.args[0], typeRef{t: types.TBool}, prec, false)
			r, _ := d.expr(n.args[1], typeRef{t: types.TBool}, prec, false)
			s = l + " " + n.op + " " + r
		}
		return d.paren(s, prec, parent, top), typeRef{t: types.TBool}
	case *nullTestNode:
		arg, _ := d.expr(n.arg, typeRef{}, precIs, false)
		s := arg + " IS NULL"
		if n.not {
			s = arg + " IS NOT NULL"
		}
		return d.paren(s, precIs, parent, top), typeRef{t: types.TBool}
	}
	return "", typeRef{}
}

// paren parenthesizes an operator's text: always in the plain form (as
// ruleutils does), in the pretty form only where the enclosing operator
// binds tighter.
func (d *deparser) paren(s string, prec, parent int, top bool) string {
	if d.pretty {
		if top || prec > parent {
			return s
		}
		return "(" + s + ")"
	}
	return "(" + s + ")"
}

// castText prints a cast of an expression: (arg)::type, or arg::type in the
// pretty form when arg needs no parentheses.
func (d *deparser) castText(arg string, n sqlNode, to typeRef) string {
	simple := false
	switch n.(type) {
	case *columnNode, *funcNode, *numberNode, *keywordNode:
		simple = true
	}
	if d.pretty && simple && !strings.HasPrefix(arg, "-") {
		return arg + "::" + to.String()
	}
	return "(" + arg + ")::" + to.String()
}

// numberType is the type PostgreSQL gives a numeric literal.
func numberType(s string) types.T {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if i >= -1<<31 && i < 1<<31 {
			return types.TInt4
		}
		return types.TInt8
	}
	return types.TNumeric
}

// constant prints a literal of type t as get_const_expr does: the value's
// text in its type's output form, quoted, with the type appended, except
// for non-negative integers, numbers with a fraction and booleans.
func (d *deparser) constant(text string, t typeRef) string {
	if !t.known() {
		return quoteLiteral(text) + "::" + t.name
	}
	var format *types.FormatOptions
	if d.env != nil {
		format = d.env.Format()
	}
	v, err := types.ParseTextWith(types.Of(t.t.OID), text, format)
	if err != nil {
		return quoteLiteral(text) + "::" + t.String()
	}
	out := types.FormatText(t.t, v, format)
	switch t.t.OID {
	case types.BoolOID:
		if v.(bool) {
			return "true"
		}
		return "false"
	case types.Int4OID:
		if !strings.HasPrefix(out, "-") {
			return out
		}
	case types.NumericOID:
		if out != "" && isDigit(out[0]) && strings.ContainsAny(out, "eE.") && t.t.Mod < 0 {
			return out
		}
	case types.UnknownOID:
		return quoteLiteral(out)
	}
	return quoteLiteral(out) + "::" + t.String()
}

// numericRank orders the numeric types for the implicit casts between
// them; the integer types compare with each other without casts.
func numericRank(o types.OID) int {
	switch o {
	case types.Int2OID, types.Int4OID, types.Int8OID:
		return 1
	case types.NumericOID:
		return 2
	case types.Float4OID:
		return 3
	case types.Float8OID:
		return 4
	}
	return 0
}

func (d *deparser) operator(n *opNode, parent int, top bool) (string, typeRef) {
	prec := binaryPrec(n.op)
	if n.left == nil {
		arg, t := d.expr(n.right, typeRef{}, precUnary, false)
		return d.paren("- "+arg, precUnary, parent, top), t
	}
	_, leftUntyped := n.left.(*stringNode)
	_, rightUntyped := n.right.(*stringNode)
	// An untyped literal takes the other operand's type.
	var lt, rt typeRef
	var ls, rs string
	switch {
	case leftUntyped && !rightUntyped:
		rs, rt = d.expr(n.right, typeRef{}, prec, false)
		ls, lt = d.expr(n.left, rt, prec, false)
	default:
		ls, lt = d.expr(n.left, typeRef{}, prec, false)
		want := lt
		if r, ok := jsonOperators[n.op]; ok && isJSON(lt) {
			// The key or path operand of a json operator is text.
			want = typeRef{t: r.operand}
		}
		rs, rt = d.expr(n.right, want, prec, false)
	}
	if r, ok := jsonOperators[n.op]; ok && isJSON(lt) {
		result := lt
		if r.text {
			result = typeRef{t: types.TText}
		}
		return d.paren(ls+" "+n.op+" "+rs, prec, parent, top), result
	}
	// Mixed numeric types: the narrower operand is cast, and the cast
	// shows (ruleutils shows implicit casts below operators).
	result := lt
	if lr, rr := numericRank(lt.t.OID), numericRank(rt.t.OID); lr > 0 && rr > 0 && lr != rr {
		if lr < rr {
			ls, result = d.castText(ls, n.left, typeRef{t: types.Of(rt.t.OID)}), rt
		} else {
			rs = d.castText(rs, n.right, typeRef{t: types.Of(lt.t.OID)})
		}
	}
	if prec == precCompare || n.op == "~~" || n.op == "~~*" {
		result = typeRef{t: types.TBool}
	}
	return d.paren(ls+" "+n.op+" "+rs, prec, parent, top), result
}

// jsonOperators are the json and jsonb operators that take a key or a
// path: the type an untyped right operand takes, and whether the result
// is text (->>, #>>) rather than the left operand's type.
var jsonOperators = map[string]struct {
	operand types.T
	text    bool
}{
	"->": {types.TText, false}, "->>": {types.TText, true},
	"#>": {types.T{OID: types.TextArrayOID, Mod: -1}, false}, "#>>": {types.T{OID: types.TextArrayOID, Mod: -1}, true},
}

func isJSON(t typeRef) bool { return t.t.OID == types.JSONOID || t.t.OID == types.JSONBOID }

// functionResults gives the result types of functions that defaults use,
// for the casts around them.
var functionResults = map[string]types.OID{
	"now": types.TimestampTZOID, "nextval": types.Int8OID, "lower": types.TextOID, "upper": types.TextOID,
	"random": types.Float8OID, "clock_timestamp": types.TimestampTZOID, "statement_timestamp": types.TimestampTZOID,
	"transaction_timestamp": types.TimestampTZOID,
}

func (d *deparser) function(n *funcNode) (string, typeRef) {
	name := n.name[len(n.name)-1]
	args := make([]string, len(n.args))
	for i, a := range n.args {
		want := typeRef{t: types.TText}
		if name == "nextval" || name == "currval" {
			want = typeRef{t: types.Of(types.RegclassOID)}
		}
		args[i], _ = d.expr(a, want, 0, false)
	}
	if n.star {
		args = []string{"*"}
	}
	parts := make([]string, len(n.name))
	for i, p := range n.name {
		parts[i] = quoteIdent(p)
	}
	if len(parts) == 2 && (parts[0] == "pg_catalog" || parts[0] == "public") {
		parts = parts[1:]
	}
	return strings.Join(parts, ".") + "(" + strings.Join(args, ", ") + ")", typeRef{t: types.Of(functionResults[name])}
}

// quoteIdent quotes an identifier when it needs it, as quote_ident does.
func quoteIdent(s string) string { return builtins.QuoteIdent(s) }

// quoteLiteral quotes a string literal, doubling quotes, as ruleutils'
// simple_quote_literal does with standard_conforming_strings on.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// relationVisible reports whether the search path finds the relation
// schema.name by its name alone.
func relationVisible(env planner.Env, schema, name string) bool {
	for _, s := range effectiveSearchPath(env.SearchPath()) {
		if s == schema {
			return true
		}
		if s == "pg_catalog" {
			if _, ok := Lookup("pg_catalog", name); ok {
				return false
			}
		}
		if _, _, ok := env.Catalog().RelationOID(s, name); ok {
			return false
		}
	}
	return false
}

// effectiveSearchPath is the search path with pg_catalog first unless it
// is listed, as PostgreSQL searches it.
func effectiveSearchPath(path []string) []string {
	for _, s := range path {
		if s == "pg_catalog" {
			return path
		}
	}
	return append([]string{"pg_catalog"}, path...)
}
