package sql

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgcatalog"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// CREATE SEQUENCE and ALTER SEQUENCE. The sequence itself (nextval's
// position, its durability) lives in storage; this file turns the
// statements' options into a storage.Sequence with PostgreSQL's defaults
// and checks, in the order PostgreSQL makes them, so that the first error
// reported is the same.

// seqOptions are the options of one CREATE or ALTER SEQUENCE, by name.
type seqOptions map[string]*pg_query.DefElem

// sequenceOptions collects a statement's options; an option given twice is
// 42601, as in PostgreSQL.
func sequenceOptions(b *binder, opts []*pg_query.Node) (seqOptions, error) {
	out := seqOptions{}
	for _, n := range opts {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		if _, dup := out[d.Defname]; dup {
			return nil, b.errAt(d.Location, pgerr.SyntaxError, "conflicting or redundant options")
		}
		switch d.Defname {
		case "as", "increment", "minvalue", "maxvalue", "start", "restart", "cache", "cycle", "owned_by":
		default:
			return nil, b.errAt(d.Location, pgerr.FeatureNotSupported, "sequence option \"%s\" is not supported by vecgres yet", d.Defname)
		}
		out[d.Defname] = d
	}
	return out, nil
}

// int64Arg reads an option's numeric value.
func int64Arg(b *binder, d *pg_query.DefElem) (int64, error) {
	switch a := d.Arg.GetNode().(type) {
	case *pg_query.Node_Integer:
		return int64(a.Integer.Ival), nil
	case *pg_query.Node_Float:
		v, err := strconv.ParseInt(a.Float.Fval, 10, 64)
		if err != nil {
			return 0, b.errAt(d.Location, pgerr.NumericValueOutOfRange, "value \"%s\" is out of range for type bigint", a.Float.Fval)
		}
		return v, nil
	}
	return 0, b.errAt(d.Location, pgerr.SyntaxError, "%s requires a numeric value", d.Defname)
}

// sequenceTypeRange returns the values a sequence of type t can take.
func sequenceTypeRange(t types.OID) (lo, hi int64) {
	switch t {
	case types.Int2OID:
		return math.MinInt16, math.MaxInt16
	case types.Int4OID:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// applySequenceOptions sets seq's parameters from opts as PostgreSQL's
// CREATE (init) or ALTER SEQUENCE does: unspecified limits and start follow
// the type and the increment's sign. It returns the RESTART position when
// one was asked for.
func applySequenceOptions(b *binder, seq *storage.Sequence, opts seqOptions, init bool) (restart *int64, err error) {
	invalid := func(format string, args ...any) error {
		return pgerr.New(pgerr.InvalidParameterValue, format, args...)
	}
	if init {
		seq.Type, seq.Increment, seq.Cache = types.TInt8, 1, 1
	}
	resetMax, resetMin := false, false
	if d := opts["as"]; d != nil {
		t, err := b.resolveTypeName(d.Arg.GetTypeName())
		if err != nil {
			return nil, err
		}
		if t.OID != types.Int2OID && t.OID != types.Int4OID && t.OID != types.Int8OID {
			return nil, invalid("sequence type must be smallint, integer, or bigint")
		}
		if !init {
			// Limits that were the old type's bounds follow the new type.
			lo, hi := sequenceTypeRange(seq.Type.OID)
			resetMax, resetMin = seq.Max == hi, seq.Min == lo
		}
		seq.Type = types.Of(t.OID)
	}
	if d := opts["increment"]; d != nil {
		if seq.Increment, err = int64Arg(b, d); err != nil {
			return nil, err
		}
		if seq.Increment == 0 {
			return nil, invalid("INCREMENT must not be zero")
		}
	}
	if d := opts["cycle"]; d != nil {
		seq.Cycle = d.Arg.GetBoolean().GetBoolval()
	}
	lo, hi := sequenceTypeRange(seq.Type.OID)
	typeName := types.TypeName(seq.Type.OID)
	if d := opts["maxvalue"]; d != nil && d.Arg != nil {
		if seq.Max, err = int64Arg(b, d); err != nil {
			return nil, err
		}
	} else if init || d != nil || resetMax {
		seq.Max = hi
		if seq.Increment < 0 {
			seq.Max = -1
		}
	}
	if seq.Max < lo || seq.Max > hi {
		return nil, invalid("MAXVALUE (%d) is out of range for sequence data type %s", seq.Max, typeName)
	}
	if d := opts["minvalue"]; d != nil && d.Arg != nil {
		if seq.Min, err = int64Arg(b, d); err != nil {
			return nil, err
		}
	} else if init || d != nil || resetMin {
		seq.Min = 1
		if seq.Increment < 0 {
			seq.Min = lo
		}
	}
	if seq.Min < lo || seq.Min > hi {
		return nil, invalid("MINVALUE (%d) is out of range for sequence data type %s", seq.Min, typeName)
	}
	if seq.Min >= seq.Max {
		return nil, invalid("MINVALUE (%d) must be less than MAXVALUE (%d)", seq.Min, seq.Max)
	}
	if d := opts["start"]; d != nil {
		if seq.Start, err = int64Arg(b, d); err != nil {
			return nil, err
		}
	} else if init {
		seq.Start = seq.Min
		if seq.Increment < 0 {
			seq.Start = seq.Max
		}
	}
	if seq.Start < seq.Min {
		return nil, invalid("START value (%d) cannot be less than MINVALUE (%d)", seq.Start, seq.Min)
	}
	if seq.Start > seq.Max {
		return nil, invalid("START value (%d) cannot be greater than MAXVALUE (%d)", seq.Start, seq.Max)
	}
	if d := opts["restart"]; d != nil {
		v := seq.Start
		if d.Arg != nil {
			if v, err = int64Arg(b, d); err != nil {
				return nil, err
			}
		}
		if v < seq.Min {
			return nil, invalid("RESTART value (%d) cannot be less than MINVALUE (%d)", v, seq.Min)
		}
		if v > seq.Max {
			return nil, invalid("RESTART value (%d) cannot be greater than MAXVALUE (%d)", v, seq.Max)
		}
		restart = &v
	}
	if d := opts["cache"]; d != nil {
		if seq.Cache, err = int64Arg(b, d); err != nil {
			return nil, err
		}
		if seq.Cache <= 0 {
			return nil, invalid("CACHE (%d) must be greater than zero", seq.Cache)
		}
	}
	return restart, nil
}

// applyOwnedBy sets seq's owning column from OWNED BY table.column or
// OWNED BY NONE.
func applyOwnedBy(b *binder, cat *storage.Catalog, seq *storage.Sequence, d *pg_query.DefElem) error {
	names := stringsOf(d.Arg.GetList().GetItems())
	if len(names) == 1 && names[0] == "none" {
		seq.OwnedByTable, seq.OwnedBySlot = 0, 0
		return nil
	}
	if len(names) < 2 || len(names) > 3 {
		return pgerr.New(pgerr.SyntaxError, "invalid OWNED BY option").
			WithHint("Specify OWNED BY table.column or OWNED BY NONE.")
	}
	schema, table, column := "", names[len(names)-2], names[len(names)-1]
	if len(names) == 3 {
		schema = names[0]
	}
	t, ok := b.lookupRelation(schema, table)
	if !ok {
		schemas := b.searchPath
		if schema != "" {
			schemas = []string{schema}
		}
		for _, sc := range schemas {
			if _, _, other := cat.RelationOID(sc, table); other {
				return pgerr.New(pgerr.WrongObjectType, "sequence cannot be owned by relation \"%s\"", table).
					WithDetail("This operation is not supported for %ss.", relationKindName(cat, sc, table))
			}
		}
		return pgerr.New(pgerr.UndefinedTable, "relation \"%s\" does not exist", qualifiedName(schema, table))
	}
	if t.Schema != seq.Schema {
		return pgerr.New(pgerr.ObjectNotInPrerequisiteState, "sequence must be in same schema as table it is linked to")
	}
	slot := t.ColumnIndex(column)
	if slot < 0 {
		return pgerr.New(pgerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", column, t.Name)
	}
	seq.OwnedByTable, seq.OwnedBySlot = t.OID, slot
	return nil
}

// relationKindName names the kind of relation schema.name for messages.
func relationKindName(cat *storage.Catalog, schema, name string) string {
	_, kind, _ := cat.RelationOID(schema, name)
	return kindWord(kind)
}

// createSequence runs CREATE SEQUENCE.
func (s *Session) createSequence(ctx context.Context, b *binder, cs *pg_query.CreateSeqStmt) error {
	rv := cs.Sequence
	if rv.Relpersistence == "t" {
		return b.unsupported(rv.Location, "CREATE TEMPORARY SEQUENCE")
	}
	schema, err := s.schemaToCreateIn(b, rv)
	if err != nil {
		return err
	}
	cat := s.txn.Catalog()
	if _, _, exists := cat.RelationOID(schema, rv.Relname); exists && cs.IfNotExists {
		s.notice(pgerr.DuplicateTable, "relation \"%s\" already exists, skipping", rv.Relname)
		return nil
	}
	opts, err := sequenceOptions(b, cs.Options)
	if err != nil {
		return err
	}
	if d := opts["restart"]; d != nil {
		return b.errAt(d.Location, pgerr.SyntaxError, "option \"restart\" not recognized")
	}
	seq := &storage.Sequence{Schema: schema, Name: rv.Relname}
	if _, err := applySequenceOptions(b, seq, opts, true); err != nil {
		return err
	}
	if _, _, exists := cat.RelationOID(schema, rv.Relname); exists {
		return pgerr.New(pgerr.DuplicateTable, "relation \"%s\" already exists", rv.Relname)
	}
	if d := opts["owned_by"]; d != nil {
		if err := applyOwnedBy(b, cat, seq, d); err != nil {
			return err
		}
	}
	return s.txn.CreateSequence(ctx, seq)
}

// alterSequence runs ALTER SEQUENCE. RESTART sets the position as setval
// does: like nextval it is not undone if the transaction rolls back.
func (s *Session) alterSequence(ctx context.Context, b *binder, as *pg_query.AlterSeqStmt) error {
	cat := s.txn.Catalog()
	oid, found, err := s.sequenceToAlter(cat, as.Sequence, as.MissingOk)
	if err != nil || !found {
		return err
	}
	old, _ := cat.Sequence(oid)
	opts, err := sequenceOptions(b, as.Options)
	if err != nil {
		return err
	}
	seq := *old
	restart, err := applySequenceOptions(b, &seq, opts, false)
	if err != nil {
		return err
	}
	if d := opts["owned_by"]; d != nil {
		if err := applyOwnedBy(b, cat, &seq, d); err != nil {
			return err
		}
	}
	if err := s.txn.AlterSequence(ctx, &seq); err != nil {
		return err
	}
	if restart != nil {
		return s.txn.SetVal(ctx, &seq, *restart, false)
	}
	return nil
}

// sequenceScan binds a sequence named in FROM (SELECT * FROM seq): one row
// of last_value, log_cnt and is_called, read when the statement runs. ok is
// false when rv names no sequence. log_cnt (the values PostgreSQL's WAL has
// logged ahead) is always 0: storage reserves values its own way.
func (b *binder) sequenceScan(rv *pg_query.RangeVar, alias string, colAliases []string) (planner.Node, *scope, bool, error) {
	schemas := b.searchPath
	if rv.Schemaname != "" {
		schemas = []string{rv.Schemaname}
	}
	for _, sc := range schemas {
		oid, kind, found := b.cat.RelationOID(sc, rv.Relname)
		if !found {
			continue
		}
		if kind != storage.KindSequence {
			return nil, nil, false, nil
		}
		vt := &pgcatalog.Table{Schema: sc, Name: rv.Relname, Kind: 'S',
			Columns: []pgcatalog.Column{
				{Name: "last_value", T: types.TInt8}, {Name: "log_cnt", T: types.TInt8}, {Name: "is_called", T: types.TBool},
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				sr, ok := env.(pgcatalog.SequenceStater)
				if !ok {
					return nil, pgerr.New(pgerr.FeatureNotSupported, "cannot read sequence \"%s\" here", rv.Relname)
				}
				last, called, err := sr.SequenceState(oid)
				if err != nil {
					return nil, err
				}
				return [][]types.Datum{{last, int64(0), called}}, nil
			},
		}
		node, scope, err := b.virtualScan(vt, alias, colAliases, rv.Location)
		return node, scope, true, err
	}
	return nil, nil, false, nil
}

// sequenceDefault is a column whose default uses a sequence.
type sequenceDefault struct {
	table *storage.Table
	slot  int
}

// defaultsUsing returns the column defaults that name sequence oid
// (nextval('s') and the like): the objects PostgreSQL records as depending
// on it.
func (s *Session) defaultsUsing(cat *storage.Catalog, oid types.OID) []sequenceDefault {
	b := newBinder(cat, s.e.reg, "", nil, s.searchPath())
	var out []sequenceDefault
	for _, t := range cat.Tables() {
		for slot, c := range t.Columns {
			if c.Dropped || c.Default == "" {
				continue
			}
			e, err := b.columnDefault(t, slot)
			if err != nil {
				continue
			}
			uses := false
			planner.Walk(e, func(x planner.Expr) bool {
				if k, ok := x.(*planner.Const); ok && k.T.OID == types.RegclassOID && k.Value == int64(oid) {
					uses = true
				}
				return !uses
			})
			if uses {
				out = append(out, sequenceDefault{table: t, slot: slot})
			}
		}
	}
	return out
}

// dropSequence drops a sequence; the column defaults that use it stop it
// (2BP01) unless CASCADE, which drops those defaults too.
func (s *Session) dropSequence(ctx context.Context, cat *storage.Catalog, oid types.OID, name string, cascade bool) error {
	deps := s.defaultsUsing(cat, oid)
	var lines []string
	for _, d := range deps {
		lines = append(lines, fmt.Sprintf("default value for column %s of table %s", d.table.Columns[d.slot].Name, d.table.Name))
	}
	if len(deps) > 0 && !cascade {
		detail := make([]string, len(lines))
		for i, l := range lines {
			detail[i] = l + " depends on sequence " + name
		}
		return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop sequence %s because other objects depend on it", name).
			WithDetail("%s", strings.Join(detail, "\n")).
			WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	switch len(lines) {
	case 0:
	case 1:
		s.notice(pgerr.SuccessfulCompletion, "drop cascades to %s", lines[0])
	default:
		n := pgerr.New(pgerr.SuccessfulCompletion, "drop cascades to %d other objects", len(lines)).
			WithDetail("%s", "drop cascades to "+strings.Join(lines, "\ndrop cascades to "))
		n.Severity = pgerr.SeverityNotice
		s.notices = append(s.notices, n)
	}
	for _, d := range deps {
		cur, ok := s.txn.Catalog().Table(d.table.OID)
		if !ok {
			continue
		}
		slot := d.slot
		if _, err := s.replaceTable(ctx, cur, func(c *storage.Table) { c.Columns[slot].Default = "" }); err != nil {
			return err
		}
	}
	return s.txn.DropSequence(ctx, oid)
}

// sequenceToAlter finds the sequence an ALTER SEQUENCE names, on the
// search path unless qualified, and checks that the session owns it. A
// missing one is PostgreSQL's error, or with IF EXISTS (missingOk) its
// notice and found false.
func (s *Session) sequenceToAlter(cat *storage.Catalog, rv *pg_query.RangeVar, missingOk bool) (oid types.OID, found bool, err error) {
	schemas := s.searchPath()
	if rv.Schemaname != "" {
		schemas = []string{rv.Schemaname}
	}
	var kind storage.RelKind
	for _, sc := range schemas {
		if oid, kind, found = cat.RelationOID(sc, rv.Relname); found {
			break
		}
	}
	if !found {
		if missingOk {
			s.notice(pgerr.SuccessfulCompletion, "relation \"%s\" does not exist, skipping", rv.Relname)
			return 0, false, nil
		}
		return 0, false, pgerr.New(pgerr.UndefinedTable, "relation \"%s\" does not exist", qualifiedName(rv.Schemaname, rv.Relname))
	}
	if kind != storage.KindSequence {
		return 0, false, pgerr.New(pgerr.WrongObjectType, "\"%s\" is not a sequence", rv.Relname)
	}
	return oid, true, s.checkRelationOwner(cat, oid)
}

// renameSequence runs ALTER SEQUENCE ... RENAME TO. Column defaults hold
// their text, not the sequence's OID as PostgreSQL's do, so the defaults
// that name the sequence are rewritten to the new name.
func (s *Session) renameSequence(ctx context.Context, b *binder, rs *pg_query.RenameStmt) error {
	cat := s.txn.Catalog()
	oid, found, err := s.sequenceToAlter(cat, rs.Relation, rs.MissingOk)
	if err != nil || !found {
		return err
	}
	old, _ := cat.Sequence(oid)
	if _, _, exists := cat.RelationOID(old.Schema, rs.Newname); exists {
		return pgerr.New(pgerr.DuplicateTable, "relation \"%s\" already exists", rs.Newname)
	}
	deps := s.defaultsUsing(cat, oid)
	// The defaults are rewritten while the old name still resolves.
	newDefaults := make([]string, len(deps))
	for i, d := range deps {
		text, err := renameInDefault(b, d.table.Columns[d.slot].Default, oid, old.Schema, rs.Newname)
		if err != nil {
			return err
		}
		newDefaults[i] = text
	}
	seq := *old
	seq.Name = rs.Newname
	if err := s.txn.AlterSequence(ctx, &seq); err != nil {
		return err
	}
	for i, d := range deps {
		cur, ok := s.txn.Catalog().Table(d.table.OID)
		if !ok {
			continue
		}
		slot, text := d.slot, newDefaults[i]
		if _, err := s.replaceTable(ctx, cur, func(c *storage.Table) { c.Columns[slot].Default = text }); err != nil {
			return err
		}
	}
	return nil
}

// renameInDefault rewrites the string constants of a default expression
// that name sequence oid to schema.newName.
func renameInDefault(b *binder, def string, oid types.OID, schema, newName string) (string, error) {
	tree, err := pg_query.Parse("SELECT " + def)
	if err != nil {
		return "", pgerr.New(pgerr.DataCorrupted, "cannot parse a column default: %s", err.Error())
	}
	val := tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if c, ok := m.Interface().(*pg_query.A_Const); ok {
			if sv := c.GetSval(); sv != nil {
				if e, _, err := b.regclassConst(sv.Sval, -1); err == nil {
					if k, ok := e.(*planner.Const); ok && k.Value == int64(oid) {
						sv.Sval = quoteLiteralName(schema) + "." + quoteLiteralName(newName)
					}
				}
			}
			return
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Kind() == protoreflect.MessageKind:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					walk(l.Get(i).Message())
				}
			case fd.Kind() == protoreflect.MessageKind && !fd.IsMap():
				walk(v.Message())
			}
			return true
		})
	}
	walk(val.ProtoReflect())
	return deparseExpr(val, b.pgVersion)
}
