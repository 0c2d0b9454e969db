package sql

import (
	"context"
	"fmt"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/exec"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// alterTable runs ALTER TABLE with the subcommands migrations use: ADD /
// DROP / RENAME COLUMN, SET / DROP DEFAULT, SET / DROP NOT NULL, ALTER
// COLUMN TYPE (on columns without indexes), ADD / DROP CONSTRAINT for
// primary keys and unique constraints. Each subcommand sees the table as
// the previous one left it; all run in the statement's transaction.
func (s *Session) alterTable(ctx context.Context, b *binder, as *pg_query.AlterTableStmt) error {
	if as.Objtype != pg_query.ObjectType_OBJECT_TABLE {
		return b.unsupported(as.Relation.Location, "ALTER of this kind of object")
	}
	t, ok := b.lookupRelation(as.Relation.Schemaname, as.Relation.Relname)
	if !ok {
		if as.MissingOk {
			s.notice(pgerr.SuccessfulCompletion, "relation \"%s\" does not exist, skipping", as.Relation.Relname)
			return nil
		}
		return b.errAt(as.Relation.Location, pgerr.UndefinedTable, "relation \"%s\" does not exist", as.Relation.Relname)
	}
	if err := b.checkOwner(t); err != nil {
		return err
	}
	for _, n := range as.Cmds {
		cmd := n.GetAlterTableCmd()
		cur, _ := s.txn.Catalog().Table(t.OID)
		if err := s.alterTableCmd(ctx, b, cur, cmd); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) alterTableCmd(ctx context.Context, b *binder, t *storage.Table, cmd *pg_query.AlterTableCmd) error {
	switch cmd.Subtype {
	case pg_query.AlterTableType_AT_AddColumn:
		return s.addColumn(ctx, b, t, cmd.Def.GetColumnDef(), cmd.MissingOk)
	case pg_query.AlterTableType_AT_DropColumn:
		return s.dropColumn(ctx, t, cmd.Name, cmd.MissingOk)
	case pg_query.AlterTableType_AT_ColumnDefault:
		return s.setDefault(ctx, b, t, cmd.Name, cmd.Def)
	case pg_query.AlterTableType_AT_SetNotNull:
		return s.setNotNull(ctx, t, cmd.Name, true)
	case pg_query.AlterTableType_AT_DropNotNull:
		return s.setNotNull(ctx, t, cmd.Name, false)
	case pg_query.AlterTableType_AT_AlterColumnType:
		return s.alterColumnType(ctx, b, t, cmd.Name, cmd.Def.GetColumnDef())
	case pg_query.AlterTableType_AT_AddConstraint:
		c := cmd.Def.GetConstraint()
		if c.Contype == pg_query.ConstrType_CONSTR_CHECK {
			return s.addChecks(ctx, b, t, []checkSpec{newCheckSpec(c)}, true)
		}
		spec, err := tableConstraint(b, c)
		if err != nil {
			return err
		}
		if spec.primary && t.PrimaryKey != "" {
			return pgerr.New(pgerr.InvalidTableDefinition, "multiple primary keys for table \"%s\" are not allowed", t.Name)
		}
		if spec.primary {
			if err := s.requireNotNull(ctx, t, spec.columns); err != nil {
				return err
			}
			cur, _ := s.txn.Catalog().Table(t.OID)
			t = cur
		}
		return s.createConstraintIndex(ctx, b, t, spec, map[string]bool{})
	case pg_query.AlterTableType_AT_ValidateConstraint:
		return s.validateConstraint(ctx, t, cmd.Name)
	case pg_query.AlterTableType_AT_DropConstraint:
		return s.dropConstraint(ctx, t, cmd.Name, cmd.MissingOk)
	case pg_query.AlterTableType_AT_ChangeOwner:
		return s.changeOwner(ctx, t, cmd.Newowner)
	}
	return b.unsupported(-1, "this form of ALTER TABLE")
}

// column returns the slot of a live column, with PostgreSQL's error.
func column(t *storage.Table, name string) (int, error) {
	slot := t.ColumnIndex(name)
	if slot < 0 {
		return 0, pgerr.New(pgerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, t.Name)
	}
	return slot, nil
}

// replaceTable stores a changed copy of t's descriptor.
func (s *Session) replaceTable(ctx context.Context, t *storage.Table, change func(c *storage.Table)) (*storage.Table, error) {
	s.indexes().schemaChanged(t.OID)
	c := *t
	c.Columns = append([]storage.Column(nil), t.Columns...)
	change(&c)
	if err := s.txn.AlterTable(ctx, &c); err != nil {
		return nil, err
	}
	cur, _ := s.txn.Catalog().Table(t.OID)
	return cur, nil
}

func (s *Session) addColumn(ctx context.Context, b *binder, t *storage.Table, cd *pg_query.ColumnDef, ifNotExists bool) error {
	if t.ColumnIndex(cd.Colname) >= 0 {
		if ifNotExists {
			s.notice(pgerr.DuplicateColumn, "column \"%s\" of relation \"%s\" already exists, skipping", cd.Colname, t.Name)
			return nil
		}
		return pgerr.New(pgerr.DuplicateColumn, "column \"%s\" of relation \"%s\" already exists", cd.Colname, t.Name)
	}
	col, serial, specs, checks, err := s.columnDef(b, t, cd)
	if err != nil {
		return err
	}
	if len(t.Columns) >= maxColumns {
		return pgerr.New(pgerr.TooManyColumns, "tables can have at most %d columns", maxColumns)
	}
	col.Attnum = int16(len(t.Columns) + 1)
	if serial {
		seq := &storage.Sequence{Schema: t.Schema, Name: chooseName(s.txn.Catalog(), t.Schema, map[string]bool{}, t.Name, col.Name, "seq"),
			Type: col.Type, Start: 1, Increment: 1, Min: 1, Max: serialMax(col.Type), OwnedByTable: t.OID, OwnedBySlot: len(t.Columns)}
		if err := s.txn.CreateSequence(ctx, seq); err != nil {
			return err
		}
		col.Default = fmt.Sprintf("nextval('%s.%s'::regclass)", quoteLiteralName(t.Schema), quoteLiteralName(seq.Name))
		col.NotNull = true
	}
	nt, err := s.replaceTable(ctx, t, func(c *storage.Table) { c.Columns = append(c.Columns, col) })
	if err != nil {
		return err
	}
	// Existing rows get the default (computed per row, so a sequence or a
	// volatile function gives each row its own value); without one they
	// read NULL, which NOT NULL then refuses.
	slot := len(nt.Columns) - 1
	if col.Default != "" {
		if err := s.rewriteColumn(ctx, nt, nt, slot, nil); err != nil {
			return err
		}
	} else if col.NotNull {
		if err := s.requireNotNull(ctx, nt, []string{col.Name}); err != nil {
			return err
		}
	}
	for _, sp := range specs {
		cur, _ := s.txn.Catalog().Table(t.OID)
		if err := s.createConstraintIndex(ctx, b, cur, sp, map[string]bool{}); err != nil {
			return err
		}
	}
	cur, _ := s.txn.Catalog().Table(t.OID)
	return s.addChecks(ctx, b, cur, checks, true)
}

func serialMax(t types.T) int64 {
	switch t.OID {
	case types.Int2OID:
		return 1<<15 - 1
	case types.Int8OID:
		return 1<<63 - 1
	}
	return 1<<31 - 1
}

// rewriteColumn sets slot of every row: to expr evaluated over the old
// row when expr is given (ALTER COLUMN TYPE ... USING), else to the
// column's default. The rows are read as t describes them and written as
// to does (the same table but for the slot's type, which ALTER COLUMN
// TYPE changes: a numeric read as numeric is written as an integer).
func (s *Session) rewriteColumn(ctx context.Context, t, to *storage.Table, slot int, expr planner.Expr) error {
	b := newBinder(s.txn.Catalog(), s.e.reg, "", nil, s.searchPath())
	if expr == nil {
		d, err := b.columnDefault(t, slot)
		if err != nil {
			return err
		}
		expr = d
	}
	sets := []planner.SetItem{{Slot: slot, Expr: expr}}
	plan := &planner.Update{Table: to, Input: &planner.Scan{Table: t, RowID: true, Out: scanSchema(t, true)}, Sets: sets}
	env := &stmtEnv{s: s, ctx: ctx}
	res, err := exec.Start(ctx, plan, &exec.Runtime{Txn: s.txn, Env: env, Indexes: sessionIndexes{s}, Format: s.Format()})
	if err != nil {
		return err
	}
	defer res.Close()
	for {
		row, err := res.Next(ctx)
		if err != nil || row == nil {
			return err
		}
	}
}

// requireNotNull fails as PostgreSQL does when a column about to become
// NOT NULL holds a NULL.
func (s *Session) requireNotNull(ctx context.Context, t *storage.Table, cols []string) error {
	slots := make([]int, len(cols))
	for i, c := range cols {
		slot, err := column(t, c)
		if err != nil {
			return err
		}
		slots[i] = slot
	}
	it, err := s.txn.Scan(t)
	if err != nil {
		return err
	}
	defer it.Close()
	for it.Next() {
		row, err := it.Row()
		if err != nil {
			return err
		}
		for i, slot := range slots {
			if slot >= len(row) || row[slot] == nil {
				return pgerr.New(pgerr.NotNullViolation, "column \"%s\" of relation \"%s\" contains null values", cols[i], t.Name)
			}
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	_, err = s.replaceTable(ctx, t, func(c *storage.Table) {
		for _, slot := range slots {
			c.Columns[slot].NotNull = true
		}
	})
	return err
}

func (s *Session) setNotNull(ctx context.Context, t *storage.Table, name string, notNull bool) error {
	slot, err := column(t, name)
	if err != nil {
		return err
	}
	if notNull {
		return s.requireNotNull(ctx, t, []string{name})
	}
	for _, idx := range s.txn.Catalog().TableIndexes(t.OID) {
		if idx.Primary {
			for _, c := range idx.Columns {
				if c.Slot == slot {
					return pgerr.New(pgerr.InvalidTableDefinition, "column \"%s\" is in a primary key", name)
				}
			}
		}
	}
	_, err = s.replaceTable(ctx, t, func(c *storage.Table) { c.Columns[slot].NotNull = false })
	return err
}

func (s *Session) setDefault(ctx context.Context, b *binder, t *storage.Table, name string, def *pg_query.Node) error {
	slot, err := column(t, name)
	if err != nil {
		return err
	}
	text := ""
	if def != nil {
		if text, err = deparseExpr(def, b.pgVersion); err != nil {
			return err
		}
	}
	nt, err := s.replaceTable(ctx, t, func(c *storage.Table) { c.Columns[slot].Default = text })
	if err != nil {
		return err
	}
	if text != "" {
		// The default must bind to the column's type now, not at the
		// next INSERT.
		_, err = newBinder(s.txn.Catalog(), s.e.reg, "", nil, s.searchPath()).columnDefault(nt, slot)
	}
	return err
}

func (s *Session) dropColumn(ctx context.Context, t *storage.Table, name string, ifExists bool) error {
	slot := t.ColumnIndex(name)
	if slot < 0 {
		if ifExists {
			s.notice(pgerr.SuccessfulCompletion, "column \"%s\" of relation \"%s\" does not exist, skipping", name, t.Name)
			return nil
		}
		return pgerr.New(pgerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, t.Name)
	}
	// Indexes on the column (or on expressions of it) go with it, as in
	// PostgreSQL.
	for _, idx := range indexesUsing(s.txn.Catalog(), t, slot) {
		if idx.Method == "hnsw" {
			s.indexes().dropped[idx.OID] = true
		}
		if err := s.txn.DropIndex(ctx, idx.OID); err != nil {
			return err
		}
	}
	cur, _ := s.txn.Catalog().Table(t.OID)
	for _, seq := range s.txn.Catalog().Sequences() {
		if seq.OwnedByTable == t.OID && seq.OwnedBySlot == slot {
			if err := s.txn.DropSequence(ctx, seq.OID); err != nil {
				return err
			}
		}
	}
	_, err := s.replaceTable(ctx, cur, func(c *storage.Table) {
		// CHECK constraints that read the column go with it, as in
		// PostgreSQL (also those that read other columns too).
		c.Checks = slices.DeleteFunc(slices.Clone(c.Checks), func(ck storage.Check) bool { return slices.Contains(ck.Slots, slot) })
		col := &c.Columns[slot]
		col.Dropped, col.NotNull, col.Default = true, false, ""
		col.Name = fmt.Sprintf("........pg.dropped.%d........", col.Attnum)
		if c.PrimaryKey != "" {
			if _, _, ok := s.txn.Catalog().RelationOID(c.Schema, c.PrimaryKey); !ok {
				c.PrimaryKey = ""
			}
		}
	})
	return err
}

func (s *Session) alterColumnType(ctx context.Context, b *binder, t *storage.Table, name string, cd *pg_query.ColumnDef) error {
	slot, err := column(t, name)
	if err != nil {
		return err
	}
	if idxs := indexesUsing(s.txn.Catalog(), t, slot); len(idxs) > 0 {
		return pgerr.New(pgerr.FeatureNotSupported, "ALTER COLUMN TYPE on a column with an index (\"%s\") is not supported by vecgres yet", idxs[0].Name).
			WithHint("Drop the index, change the type, and create the index again.")
	}
	to, err := b.resolveTypeName(cd.TypeName)
	if err != nil {
		return err
	}
	old := t.Columns[slot]
	ref := &planner.ColRef{Idx: slot, T: old.Type, Name: old.Name}
	var conv planner.Expr = ref
	if cd.RawDefault != nil {
		// USING expression, over the old row.
		if conv, err = b.expr(cd.RawDefault, tableScope(t, "", false)); err != nil {
			return err
		}
		if conv, err = b.mustCoerce(conv, to, types.CastAssignment, location(cd.RawDefault)); err != nil {
			return err
		}
	} else {
		out, ok, err := b.coerce(ref, to, types.CastAssignment, -1)
		if err != nil {
			return err
		}
		if !ok {
			return pgerr.New(pgerr.DatatypeMismatch, "column \"%s\" cannot be cast automatically to type %s", name, to).
				WithHint("You might need to specify \"USING %s::%s\".", name, strings.ToLower(to.String()))
		}
		conv = out
	}
	// Store the new type, then rewrite the rows: read with the old
	// descriptor (the expression reads the old value), written with the
	// new one.
	nt, err := s.replaceTable(ctx, t, func(c *storage.Table) { c.Columns[slot].Type = to })
	if err != nil {
		return err
	}
	if err := s.rewriteColumn(ctx, t, nt, slot, conv); err != nil {
		return err
	}
	if nt.Columns[slot].Default != "" {
		if _, err = newBinder(s.txn.Catalog(), s.e.reg, "", nil, s.searchPath()).columnDefault(nt, slot); err != nil {
			return err
		}
	}
	// The CHECK constraints that read the column must bind to its new
	// type, and the rewritten rows must pass them.
	var checks []storage.Check
	for _, c := range nt.Checks {
		if slices.Contains(c.Slots, slot) {
			if _, err := bindStoredExpr(s.txn.Catalog(), s.e.reg, nt, c.Expr); err != nil {
				return err
			}
			checks = append(checks, c)
		}
	}
	return s.validateChecks(ctx, nt, checks)
}

func (s *Session) dropConstraint(ctx context.Context, t *storage.Table, name string, ifExists bool) error {
	for i, c := range t.Checks {
		if c.Name == name {
			_, err := s.replaceTable(ctx, t, func(c *storage.Table) { c.Checks = slices.Delete(slices.Clone(c.Checks), i, i+1) })
			return err
		}
	}
	for _, idx := range s.txn.Catalog().TableIndexes(t.OID) {
		if idx.Name != name || !(idx.Primary || idx.Unique && isConstraintIndex(s.txn.Catalog(), idx)) {
			continue
		}
		if err := s.txn.DropIndex(ctx, idx.OID); err != nil {
			return err
		}
		if idx.Primary {
			cur, _ := s.txn.Catalog().Table(t.OID)
			_, err := s.replaceTable(ctx, cur, func(c *storage.Table) { c.PrimaryKey = "" })
			return err
		}
		return nil
	}
	if ifExists {
		s.notice(pgerr.SuccessfulCompletion, "constraint \"%s\" of relation \"%s\" does not exist, skipping", name, t.Name)
		return nil
	}
	return pgerr.New(pgerr.UndefinedObject, "constraint \"%s\" of relation \"%s\" does not exist", name, t.Name)
}

// rename runs ALTER TABLE ... RENAME [COLUMN] and ALTER INDEX / SEQUENCE
// ... RENAME TO.
func (s *Session) rename(ctx context.Context, b *binder, rs *pg_query.RenameStmt) error {
	switch rs.RenameType {
	case pg_query.ObjectType_OBJECT_COLUMN:
		t, ok := b.lookupRelation(rs.Relation.Schemaname, rs.Relation.Relname)
		if !ok {
			if rs.MissingOk {
				return nil
			}
			return b.errAt(rs.Relation.Location, pgerr.UndefinedTable, "relation \"%s\" does not exist", rs.Relation.Relname)
		}
		slot, err := column(t, rs.Subname)
		if err != nil {
			return err
		}
		if t.ColumnIndex(rs.Newname) >= 0 {
			return pgerr.New(pgerr.DuplicateColumn, "column \"%s\" of relation \"%s\" already exists", rs.Newname, t.Name)
		}
		// CHECK constraints that read the column name it by its new name.
		checks := slices.Clone(t.Checks)
		for i := range checks {
			if slices.Contains(checks[i].Slots, slot) {
				if checks[i].Expr, err = renameColumnRefs(checks[i].Expr, rs.Subname, rs.Newname, b.pgVersion); err != nil {
					return err
				}
			}
		}
		nt, err := s.replaceTable(ctx, t, func(c *storage.Table) { c.Columns[slot].Name, c.Checks = rs.Newname, checks })
		if err != nil {
			return err
		}
		return s.renameIndexColumns(ctx, nt, slot, rs.Subname, rs.Newname, b.pgVersion)
	case pg_query.ObjectType_OBJECT_TABLE:
		t, ok := b.lookupRelation(rs.Relation.Schemaname, rs.Relation.Relname)
		if !ok {
			if rs.MissingOk {
				s.notice(pgerr.SuccessfulCompletion, "relation \"%s\" does not exist, skipping", rs.Relation.Relname)
				return nil
			}
			return b.errAt(rs.Relation.Location, pgerr.UndefinedTable, "relation \"%s\" does not exist", rs.Relation.Relname)
		}
		if _, _, exists := s.txn.Catalog().RelationOID(t.Schema, rs.Newname); exists {
			return pgerr.New(pgerr.DuplicateTable, "relation \"%s\" already exists", rs.Newname)
		}
		_, err := s.replaceTable(ctx, t, func(c *storage.Table) { c.Name = rs.Newname })
		return err
	case pg_query.ObjectType_OBJECT_INDEX:
		schema := rs.Relation.Schemaname
		if schema == "" {
			schema = "public"
			for _, sc := range s.searchPath() {
				if _, _, ok := s.txn.Catalog().RelationOID(sc, rs.Relation.Relname); ok {
					schema = sc
					break
				}
			}
		}
		oid, kind, ok := s.txn.Catalog().RelationOID(schema, rs.Relation.Relname)
		if !ok || kind != storage.KindIndex {
			if rs.MissingOk {
				return nil
			}
			return pgerr.New(pgerr.UndefinedTable, "relation \"%s\" does not exist", rs.Relation.Relname)
		}
		if _, _, exists := s.txn.Catalog().RelationOID(schema, rs.Newname); exists {
			return pgerr.New(pgerr.DuplicateTable, "relation \"%s\" already exists", rs.Newname)
		}
		idx, _ := s.txn.Catalog().Index(oid)
		c := *idx
		c.Name = rs.Newname
		return s.txn.AlterIndex(ctx, &c)
	case pg_query.ObjectType_OBJECT_SEQUENCE:
		return s.renameSequence(ctx, b, rs)
	}
	return b.unsupported(-1, "this form of RENAME")
}
