package pgcatalog

import (
	"strings"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Namer resolves catalog object names for a session: it is the
// types.Namer of the session's FormatOptions, through which the reg*
// types' input and output functions read and print names, and the
// builtins.SystemCatalog through which the catalog functions
// (pg_get_indexdef, pg_table_is_visible, ...) reach this package.
//
// The choice: a reg* value is an OID (an int64 datum like oid's), and its
// name is looked up when it is printed or read, as PostgreSQL's regclassout
// and regclassin look it up in the system catalogs, so the text follows the
// catalog and the search path of the moment (a relation that the search
// path does not find is printed schema-qualified, a dropped one as its
// number). Values never carry names, so comparisons, hashing, casts to oid
// and the binary format stay those of oid.
type Namer struct {
	// env is the session's view: its catalog, search path and user, read
	// at each call.
	env planner.Env
}

// NewNamer returns the Namer of the session that env describes. env's
// Catalog, SearchPath and User are called each time a name is resolved.
func NewNamer(env planner.Env) *Namer { return &Namer{env: env} }

var _ builtins.SystemCatalog = (*Namer)(nil)

// RegName implements types.Namer.
func (n *Namer) RegName(t types.OID, o types.OID) (string, bool) {
	env := n.env
	switch t {
	case types.RegclassOID:
		r, ok := relationByOID(env, o)
		if !ok {
			return "", false
		}
		if relationVisible(env, r.schema, r.name) {
			return quoteIdent(r.name), true
		}
		return quoteIdent(r.schema) + "." + quoteIdent(r.name), true
	case types.RegtypeOID:
		if _, ok := types.Lookup(o); !ok {
			return "", false
		}
		return typeDisplayName(env, o), true
	case types.RegprocOID, types.RegprocedureOID:
		p, ok := builtinRows().procByOID[o]
		if !ok {
			return "", false
		}
		name := quoteIdent(p.Name)
		visible := namespaceVisible(env, p.Namespace)
		if t == types.RegprocOID {
			if !visible || len(visibleProcs(env, p.Name)) != 1 {
				name = quoteIdent(namespaceName(env, p.Namespace)) + "." + name
			}
			return name, true
		}
		if !visible {
			name = quoteIdent(namespaceName(env, p.Namespace)) + "." + name
		}
		args := make([]string, len(p.ArgTypes))
		for i, a := range p.ArgTypes {
			args[i] = typeDisplayName(env, a)
		}
		return name + "(" + strings.Join(args, ",") + ")", true
	case types.RegoperOID, types.RegoperatorOID:
		op, ok := builtinRows().opByOID[o]
		if !ok {
			return "", false
		}
		if t == types.RegoperOID {
			return op.Name, true
		}
		left, right := "NONE", typeDisplayName(env, op.Right)
		if op.Left != 0 {
			left = typeDisplayName(env, op.Left)
		}
		return op.Name + "(" + left + "," + right + ")", true
	case types.RegnamespaceOID:
		for _, s := range schemas(env.Catalog()) {
			if s.OID == o {
				return quoteIdent(s.Name), true
			}
		}
	case types.RegroleOID:
		if name, ok := roleName(env, o); ok {
			return quoteIdent(name), true
		}
	case types.RegcollationOID:
		for _, c := range collations {
			if c.oid == o {
				return quoteIdent(c.name), true
			}
		}
	}
	return "", false
}

// RegOID implements types.Namer.
func (n *Namer) RegOID(t types.OID, text string) (types.OID, error) {
	env := n.env
	switch t {
	case types.RegtypeOID:
		return typeByText(text)
	case types.RegprocedureOID, types.RegoperatorOID:
		return n.signatureOID(t, text)
	}
	names, err := parseNameList(text)
	if err != nil {
		return 0, err
	}
	switch t {
	case types.RegclassOID:
		if len(names) > 3 {
			return 0, errImproperName(text)
		}
		if len(names) == 3 {
			names = names[1:]
		}
		if o, ok := relationByName(env, names); ok {
			return o, nil
		}
		return 0, pgerr.New(pgerr.UndefinedTable, "relation \"%s\" does not exist", strings.Join(names, "."))
	case types.RegprocOID:
		procs := procsByName(env, names)
		switch len(procs) {
		case 0:
			return 0, pgerr.New(pgerr.UndefinedFunction, "function \"%s\" does not exist", text)
		case 1:
			return procs[0].OID, nil
		}
		return 0, pgerr.New(pgerr.AmbiguousFunction, "more than one function named \"%s\"", text)
	case types.RegoperOID:
		var found []*operatorRow
		for _, o := range builtinRows().operators {
			if o.Name == names[len(names)-1] && namespaceVisible(env, o.Namespace) {
				found = append(found, o)
			}
		}
		switch len(found) {
		case 0:
			return 0, pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s", text)
		case 1:
			return found[0].OID, nil
		}
		return 0, pgerr.New(pgerr.AmbiguousFunction, "more than one operator named %s", text)
	case types.RegnamespaceOID:
		if len(names) != 1 {
			return 0, errInvalidName()
		}
		for _, s := range schemas(env.Catalog()) {
			if s.Name == names[0] {
				return s.OID, nil
			}
		}
		return 0, pgerr.New(pgerr.InvalidSchemaName, "schema \"%s\" does not exist", names[0])
	case types.RegroleOID:
		if len(names) != 1 {
			return 0, errInvalidName()
		}
		for _, r := range roles(env) {
			if r.name == names[0] {
				return r.oid, nil
			}
		}
		return 0, pgerr.New(pgerr.UndefinedObject, "role \"%s\" does not exist", names[0])
	case types.RegcollationOID:
		name := names[len(names)-1]
		for _, c := range collations {
			if c.name == name {
				return c.oid, nil
			}
		}
		return 0, pgerr.New(pgerr.UndefinedObject, "collation \"%s\" for encoding \"UTF8\" does not exist", text)
	}
	return 0, pgerr.New(pgerr.FeatureNotSupported, "type %s is not supported", types.TypeName(t))
}

func errImproperName(text string) error {
	return pgerr.New(pgerr.SyntaxError, "improper relation name (too many dotted names): %s", text)
}

func errInvalidName() error { return pgerr.New(pgerr.InvalidName, "invalid name syntax") }

// parseNameList splits a possibly qualified name as stringToQualifiedNameList
// does: dots separate the parts, a double-quoted part keeps its case, an
// unquoted one is folded to lower case.
func parseNameList(s string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		var part strings.Builder
		if i < len(s) && s[i] == '"' {
			closed := false
			for i++; i < len(s) && !closed; i++ {
				switch {
				case s[i] == '"' && i+1 < len(s) && s[i+1] == '"':
					part.WriteByte('"')
					i++
				case s[i] == '"':
					closed = true
				default:
					part.WriteByte(s[i])
				}
			}
			if !closed || part.Len() == 0 {
				return nil, errInvalidName()
			}
			out = append(out, part.String())
		} else {
			for ; i < len(s) && s[i] != '.' && s[i] != ' '; i++ {
				part.WriteByte(s[i])
			}
			if part.Len() == 0 {
				return nil, errInvalidName()
			}
			out = append(out, strings.ToLower(part.String()))
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		if s[i] != '.' {
			return nil, errInvalidName()
		}
		i++
	}
}

// relationByName finds a relation by a possibly qualified name, along the
// search path (pg_catalog first) when unqualified.
func relationByName(env planner.Env, names []string) (types.OID, bool) {
	cat := env.Catalog()
	find := func(schema, name string) (types.OID, bool) {
		if vt, ok := Lookup(schema, name); ok && (schema == "pg_catalog" || schema == "information_schema") {
			return vt.OID, true
		}
		if o, _, ok := cat.RelationOID(schema, name); ok {
			return o, true
		}
		return 0, false
	}
	if len(names) == 2 {
		return find(names[0], names[1])
	}
	for _, s := range effectiveSearchPath(env.SearchPath()) {
		if o, ok := find(s, names[0]); ok {
			return o, true
		}
	}
	return 0, false
}

// typeByText is regtypein: a type name as SQL writes it, with modifiers
// and array bounds, optionally qualified.
func typeByText(text string) (types.OID, error) {
	toks, err := lexSQL(text)
	if err != nil || len(toks) == 0 {
		return 0, pgerr.New(pgerr.SyntaxError, "invalid type name \"%s\"", text)
	}
	if len(toks) >= 3 && toks[1].kind == 'p' && toks[1].text == "." {
		switch toks[0].text {
		case "pg_catalog", "public":
			toks = toks[2:]
		default:
			return 0, pgerr.New(pgerr.UndefinedObject, "type \"%s\" does not exist", text)
		}
	}
	p := &sqlParser{toks: toks}
	ref, err := p.typeName()
	if err != nil || p.pos != len(toks) {
		return 0, pgerr.New(pgerr.SyntaxError, "invalid type name \"%s\"", text)
	}
	if ref.known() {
		return ref.t.OID, nil
	}
	for o, name := range map[types.OID]string{1560: "bit", 1561: "bit[]"} {
		if ref.name == name {
			return o, nil
		}
	}
	return 0, pgerr.New(pgerr.UndefinedObject, "type \"%s\" does not exist", strings.TrimSpace(text))
}

// signatureOID is regprocedurein and regoperatorin: name(type, ...).
func (n *Namer) signatureOID(t types.OID, text string) (types.OID, error) {
	open := strings.IndexByte(text, '(')
	if open < 0 || !strings.HasSuffix(strings.TrimSpace(text), ")") {
		return 0, pgerr.New(pgerr.InvalidTextRepresentation, "expected a left parenthesis")
	}
	inner := strings.TrimSpace(text)
	inner = inner[open+1 : len(inner)-1]
	var args []types.OID
	if strings.TrimSpace(inner) != "" {
		for _, a := range strings.Split(inner, ",") {
			a = strings.TrimSpace(a)
			if t == types.RegoperatorOID && strings.EqualFold(a, "none") {
				args = append(args, 0)
				continue
			}
			o, err := typeByText(a)
			if err != nil {
				return 0, err
			}
			args = append(args, o)
		}
	}
	name := strings.TrimSpace(text[:open])
	if t == types.RegoperatorOID {
		for _, o := range builtinRows().operators {
			if o.Name == name && len(args) == 2 && o.Left == args[0] && o.Right == args[1] {
				return o.OID, nil
			}
		}
		return 0, pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s", text)
	}
	names, err := parseNameList(name)
	if err != nil {
		return 0, err
	}
	for _, p := range procsByName(n.env, names) {
		if equalOIDs(p.ArgTypes, args) {
			return p.OID, nil
		}
	}
	return 0, pgerr.New(pgerr.UndefinedFunction, "function %s does not exist", text)
}

func equalOIDs(a, b []types.OID) bool {
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

// procsByName returns the functions a possibly qualified name finds.
func procsByName(env planner.Env, names []string) []*procRow {
	name := names[len(names)-1]
	if len(names) == 1 {
		return visibleProcs(env, name)
	}
	var out []*procRow
	for _, p := range builtinRows().procByName[name] {
		if namespaceName(env, p.Namespace) == names[len(names)-2] {
			out = append(out, p)
		}
	}
	return out
}

// visibleProcs returns the functions called name in the schemas of the
// search path.
func visibleProcs(env planner.Env, name string) []*procRow {
	var out []*procRow
	for _, p := range builtinRows().procByName[name] {
		if namespaceVisible(env, p.Namespace) {
			out = append(out, p)
		}
	}
	return out
}

// namespaceName returns the name of the schema with OID o.
func namespaceName(env planner.Env, o types.OID) string {
	for _, s := range schemas(env.Catalog()) {
		if s.OID == o {
			return s.Name
		}
	}
	return ""
}

// namespaceVisible reports whether schema o is on the search path
// (pg_catalog always is).
func namespaceVisible(env planner.Env, o types.OID) bool {
	name := namespaceName(env, o)
	for _, s := range effectiveSearchPath(env.SearchPath()) {
		if s == name {
			return true
		}
	}
	return false
}

// typeDisplayName is format_type_be: the type's SQL name, qualified when
// its schema is not on the search path.
func typeDisplayName(env planner.Env, o types.OID) string {
	if _, ok := types.Lookup(o); !ok {
		if o == 1560 {
			return "bit"
		}
		return "???"
	}
	name := types.TypeName(o)
	base := o
	if e, ok := types.ElemOf(o); ok {
		base = e
	}
	if ns := typeNamespace(base); !namespaceVisible(env, ns) {
		name = quoteIdent(namespaceName(env, ns)) + "." + name
	}
	return name
}

// Visible implements builtins.SystemCatalog.
func (n *Namer) Visible(env planner.Env, class, o types.OID) (visible, exists bool) {
	switch class {
	case classPgClass:
		r, ok := relationByOID(env, o)
		if !ok {
			return false, false
		}
		return relationVisible(env, r.schema, r.name), true
	case classPgType:
		if _, ok := types.Lookup(o); !ok {
			return false, false
		}
		return namespaceVisible(env, typeNamespace(o)), true
	case classPgProc:
		p, ok := builtinRows().procByOID[o]
		if !ok {
			return false, false
		}
		return namespaceVisible(env, p.Namespace), true
	case classPgOperator:
		op, ok := builtinRows().opByOID[o]
		if !ok {
			return false, false
		}
		return namespaceVisible(env, op.Namespace), true
	case classPgOpclass:
		c, ok := builtinRows().classByOID[o]
		if !ok {
			return false, false
		}
		return namespaceVisible(env, c.Namespace), true
	case classPgOpfamily:
		for _, f := range builtinRows().families {
			if f.OID == o {
				return namespaceVisible(env, f.Namespace), true
			}
		}
	case 3456:
		for _, c := range collations {
			if c.oid == o {
				return true, true
			}
		}
	}
	return false, false
}

// FunctionText implements builtins.SystemCatalog.
func (n *Namer) FunctionText(env planner.Env, o types.OID, what byte) (string, bool) {
	p, ok := builtinRows().procByOID[o]
	if !ok {
		return "", false
	}
	switch what {
	case 'a':
		return p.Arguments, true
	case 'i':
		return p.IdentityArgs, true
	}
	return p.Result, true
}

// IndexDef implements builtins.SystemCatalog.
func (n *Namer) IndexDef(env planner.Env, o types.OID, column int, pretty bool) (string, bool) {
	idx, ok := env.Catalog().Index(o)
	if !ok {
		return "", false
	}
	if column > len(idx.Columns) || column < 0 {
		return "", true
	}
	return indexDef(env, idx, column, pretty), true
}

// ConstraintDef implements builtins.SystemCatalog.
func (n *Namer) ConstraintDef(env planner.Env, o types.OID, pretty bool) (string, bool) {
	c, ok := constraintByOID(env.Catalog(), o)
	if !ok {
		if ck, ok := checkByOID(env.Catalog(), o); ok {
			return ck.def(env, pretty), true
		}
		return "", false
	}
	return constraintDef(c), true
}

// Expr implements builtins.SystemCatalog. The pg_node_tree columns hold
// expressions as ruleutils prints them (not PostgreSQL's node trees), so
// the plain form is the text itself; the pretty form prints it again
// without the outer parentheses.
func (n *Namer) Expr(env planner.Env, tree string, relid types.OID, pretty bool) string {
	if !pretty {
		return tree
	}
	tbl, _ := env.Catalog().Table(relid)
	return deparseSQL(env, tree, tbl, types.T{}, true)
}

// Description implements builtins.SystemCatalog.
func (n *Namer) Description(env planner.Env, objoid, classoid types.OID, subid int32, shared bool) (string, bool) {
	if shared {
		if classoid != classPgDatabase {
			return "", false
		}
		for _, d := range databases(env) {
			if d.oid == objoid && d.comment != "" {
				return d.comment, true
			}
		}
		return "", false
	}
	for _, d := range descriptions() {
		if d.objoid == objoid && (classoid == 0 || d.classoid == classoid) && d.subid == subid {
			return d.text, true
		}
	}
	return "", false
}

// SerialSequence implements builtins.SystemCatalog.
func (n *Namer) SerialSequence(env planner.Env, table, column string) (string, bool, error) {
	o, err := n.RegOID(types.RegclassOID, table)
	if err != nil {
		return "", false, err
	}
	cat := env.Catalog()
	tbl, ok := cat.Table(o)
	if !ok {
		return "", false, nil
	}
	slot := tbl.ColumnIndex(column)
	if slot < 0 {
		return "", false, pgerr.New(pgerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", column, tbl.Name)
	}
	for _, s := range cat.Sequences() {
		if s.OwnedByTable == tbl.OID && s.OwnedBySlot == slot {
			return quoteIdent(s.Schema) + "." + quoteIdent(s.Name), true, nil
		}
	}
	return "", false, nil
}

// RelationKind implements builtins.SystemCatalog.
func (n *Namer) RelationKind(env planner.Env, o types.OID) byte {
	if r, ok := relationByOID(env, o); ok {
		return r.kind
	}
	return 0
}

// Describe implements builtins.SystemCatalog: pg_describe_object's text.
func (n *Namer) Describe(env planner.Env, classid, objid types.OID, subid int32) (string, bool) {
	data := builtinRows()
	amName := func(o types.OID) string {
		for _, am := range accessMethods {
			if am.oid == o {
				return am.name
			}
		}
		return "???"
	}
	switch classid {
	case classPgClass:
		r, ok := relationByOID(env, objid)
		if !ok {
			return "", false
		}
		kind := map[byte]string{'r': "table", 'i': "index", 'S': "sequence", 'v': "view"}[r.kind]
		name, _ := n.RegName(types.RegclassOID, objid)
		s := kind + " " + name
		if subid > 0 {
			for _, a := range r.attrs {
				if int32(a.num) == subid {
					s = kind + " " + name + " column " + a.name
				}
			}
		}
		return s, true
	case classPgType:
		if _, ok := types.Lookup(objid); !ok {
			return "", false
		}
		return "type " + typeDisplayName(env, objid), true
	case classPgProc:
		name, ok := n.RegName(types.RegprocedureOID, objid)
		if !ok {
			return "", false
		}
		if p := data.procByOID[objid]; p.Kind == "a" {
			return "aggregate " + name, true
		}
		return "function " + name, true
	case classPgOperator:
		name, ok := n.RegName(types.RegoperatorOID, objid)
		return "operator " + name, ok
	case classPgOpclass:
		if c, ok := data.classByOID[objid]; ok {
			return "operator class " + c.Name + " for access method " + amName(c.Method), true
		}
	case classPgOpfamily:
		for _, f := range data.families {
			if f.OID == objid {
				return "operator family " + f.Name + " for access method " + amName(f.Method), true
			}
		}
	case classPgAm:
		for _, am := range accessMethods {
			if am.oid == objid {
				return "access method " + am.name, true
			}
		}
	case classPgNamespace:
		name, ok := n.RegName(types.RegnamespaceOID, objid)
		return "schema " + name, ok
	case classPgExtension:
		for _, e := range extensions {
			if e.oid == objid {
				return "extension " + e.name, true
			}
		}
	case classPgConstraint:
		if c, ok := constraintByOID(env.Catalog(), objid); ok {
			name, _ := n.RegName(types.RegclassOID, c.table.OID)
			return "constraint " + c.index.Name + " on table " + name, true
		}
		if c, ok := checkByOID(env.Catalog(), objid); ok {
			name, _ := n.RegName(types.RegclassOID, c.table.OID)
			return "constraint " + c.check.Name + " on table " + name, true
		}
	}
	return "", false
}
