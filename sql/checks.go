package sql

import (
	"context"
	"fmt"
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/vecgres/vecgres/exec"
	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// checkSpec is a CHECK constraint written in CREATE TABLE or ALTER TABLE
// ADD CONSTRAINT, not yet bound.
type checkSpec struct {
	name string // "" when PostgreSQL is to choose it
	expr *pg_query.Node
	loc  int32
	// notValid is ALTER TABLE ADD ... NOT VALID: the rows already there
	// are not validated.
	notValid bool
}

// newCheckSpec reads a CHECK constraint's clause.
func newCheckSpec(c *pg_query.Constraint) checkSpec {
	return checkSpec{name: c.Conname, expr: c.RawExpr, loc: c.Location, notValid: c.SkipValidation}
}

// bindCheckExpr binds a CHECK expression over the table's columns, with
// PostgreSQL's errors for what it may not hold, and returns it coerced to
// boolean.
func bindCheckExpr(b *binder, t *storage.Table, n *pg_query.Node) (planner.Expr, error) {
	var err error
	walkParseTree(n.ProtoReflect(), func(m protoreflect.Message) bool {
		switch x := m.Interface().(type) {
		case *pg_query.SubLink:
			err = b.errAt(x.Location, pgerr.FeatureNotSupported, "cannot use subquery in check constraint")
		case *pg_query.FuncCall:
			if x.Over != nil {
				err = b.errAt(x.Location, pgerr.WindowingError, "window functions are not allowed in check constraints")
			}
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	saved := b.aggNotAllowed
	b.aggNotAllowed = "check constraints"
	e, err := b.expr(n, tableScope(t, "", false))
	b.aggNotAllowed = saved
	if err != nil {
		return nil, err
	}
	return b.boolArg(e, location(n), "CHECK")
}

// addChecks binds the CHECK constraints specs on table t, names those
// without a name as PostgreSQL's ChooseConstraintName does
// (table_column_check when the expression reads one column, table_check
// otherwise, with a number appended until the name is free among the
// schema's constraints) and stores them with the table. When validate is
// set the table's rows must all pass those not marked NOT VALID (ALTER
// TABLE ADD); CREATE TABLE passes false, and its checks are valid even
// when marked NOT VALID, as in PostgreSQL.
func (s *Session) addChecks(ctx context.Context, b *binder, t *storage.Table, specs []checkSpec, validate bool) error {
	if len(specs) == 0 {
		return nil
	}
	cat := s.txn.Catalog()
	taken := map[string]bool{}
	var added []storage.Check
	for _, sp := range specs {
		e, err := bindCheckExpr(b, t, sp.expr)
		if err != nil {
			return err
		}
		text, err := deparseExpr(sp.expr, b.pgVersion)
		if err != nil {
			return err
		}
		slots := slotsInOrder(e)
		name := sp.name
		if name == "" {
			column := ""
			if len(slots) == 1 {
				column = t.Columns[slots[0]].Name
			}
			name = chooseConstraintName(cat, t.Schema, taken, t.Name, column)
		} else {
			if taken[name] {
				return pgerr.New(pgerr.DuplicateObject, "check constraint \"%s\" already exists", name)
			}
			dup := false
			for _, c := range t.Checks {
				dup = dup || c.Name == name
			}
			for _, idx := range cat.TableIndexes(t.OID) {
				dup = dup || idx.Name == name && isConstraintIndex(cat, idx)
			}
			if dup {
				return pgerr.New(pgerr.DuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", name, t.Name)
			}
			taken[name] = true
		}
		oid, err := s.txn.AllocOID(ctx)
		if err != nil {
			return err
		}
		added = append(added, storage.Check{OID: oid, Name: name, Expr: text, Slots: slots, NotValid: validate && sp.notValid})
	}
	if validate {
		var toValidate []storage.Check
		for _, c := range added {
			if !c.NotValid {
				toValidate = append(toValidate, c)
			}
		}
		if err := s.validateChecks(ctx, t, toValidate); err != nil {
			return err
		}
	}
	cur, _ := s.txn.Catalog().Table(t.OID)
	_, err := s.replaceTable(ctx, cur, func(c *storage.Table) {
		c.Checks = append(slices.Clone(c.Checks), added...)
	})
	return err
}

// validateChecks fails as PostgreSQL does when a row of t makes one of
// checks false.
func (s *Session) validateChecks(ctx context.Context, t *storage.Table, checks []storage.Check) error {
	bound, err := bindChecks(s.txn.Catalog(), s.e.reg, t, checks)
	if err != nil {
		return err
	}
	env := &stmtEnv{s: s, ctx: ctx}
	for _, c := range bound {
		// The rows where the check IS FALSE: NOT coalesce(check, true).
		isFalse := &planner.BoolOp{Op: planner.Not, Args: []planner.Expr{
			&planner.Coalesce{Args: []planner.Expr{c.Expr, &planner.Const{Value: true, T: types.TBool}}, T: types.TBool}}}
		plan := &planner.Filter{Input: &planner.Scan{Table: t, Out: scanSchema(t, false)}, Cond: isFalse}
		res, err := exec.Start(ctx, plan, &exec.Runtime{Txn: s.txn, Env: env, Indexes: sessionIndexes{s}, Format: s.Format()})
		if err != nil {
			return err
		}
		row, err := res.Next(ctx)
		res.Close()
		if err != nil {
			return err
		}
		if row != nil {
			e := pgerr.New(pgerr.CheckViolation, "check constraint \"%s\" of relation \"%s\" is violated by some row", c.Name, t.Name)
			e.Schema, e.Table, e.Constraint = t.Schema, t.Name, c.Name
			return e
		}
	}
	return nil
}

// validateConstraint is ALTER TABLE VALIDATE CONSTRAINT: a check added
// NOT VALID is validated against the table's rows and marked valid.
func (s *Session) validateConstraint(ctx context.Context, t *storage.Table, name string) error {
	for i, c := range t.Checks {
		if c.Name != name {
			continue
		}
		if !c.NotValid {
			return nil
		}
		if err := s.validateChecks(ctx, t, []storage.Check{c}); err != nil {
			return err
		}
		_, err := s.replaceTable(ctx, t, func(nt *storage.Table) {
			nt.Checks = slices.Clone(nt.Checks)
			nt.Checks[i].NotValid = false
		})
		return err
	}
	cat := s.txn.Catalog()
	for _, idx := range cat.TableIndexes(t.OID) {
		if idx.Name == name && isConstraintIndex(cat, idx) {
			return pgerr.New(pgerr.WrongObjectType, "constraint \"%s\" of relation \"%s\" is not a foreign key or check constraint", name, t.Name)
		}
	}
	return pgerr.New(pgerr.UndefinedObject, "constraint \"%s\" of relation \"%s\" does not exist", name, t.Name)
}

// slotsInOrder returns the table slots an expression reads, each once, in
// the order they first appear.
func slotsInOrder(e planner.Expr) []int {
	var out []int
	planner.Walk(e, func(x planner.Expr) bool {
		if c, ok := x.(*planner.ColRef); ok && !slices.Contains(out, c.Idx) {
			out = append(out, c.Idx)
		}
		return true
	})
	return out
}

// constraintNameTaken reports whether a constraint of schema (a CHECK, or
// the index behind a PRIMARY KEY or UNIQUE constraint) is called name.
func constraintNameTaken(cat *storage.Catalog, schema, name string) bool {
	for _, t := range cat.Tables() {
		if t.Schema != schema {
			continue
		}
		for _, c := range t.Checks {
			if c.Name == name {
				return true
			}
		}
	}
	for _, idx := range cat.Indexes() {
		if idx.Schema == schema && idx.Name == name && isConstraintIndex(cat, idx) {
			return true
		}
	}
	return false
}

// chooseConstraintName picks a CHECK constraint's name as PostgreSQL's
// ChooseConstraintName: table_column_check (table_check without a
// column), truncated to 63 bytes, with a number after "check" until it is
// free.
func chooseConstraintName(cat *storage.Catalog, schema string, taken map[string]bool, table, column string) string {
	for n := 0; ; n++ {
		sfx := "check"
		if n > 0 {
			sfx = fmt.Sprintf("check%d", n)
		}
		parts := []string{table}
		if column != "" {
			parts = append(parts, column)
		}
		name := truncateName(parts, sfx)
		if !taken[name] && !constraintNameTaken(cat, schema, name) {
			taken[name] = true
			return name
		}
	}
}

// bindChecks binds stored CHECK constraints of t, sorted by name: the
// order PostgreSQL tests them in.
func bindChecks(cat *storage.Catalog, reg *builtins.Registry, t *storage.Table, checks []storage.Check) ([]planner.Check, error) {
	if len(checks) == 0 {
		return nil, nil
	}
	out := make([]planner.Check, 0, len(checks))
	for _, c := range checks {
		e, err := bindStoredExpr(cat, reg, t, c.Expr)
		if err != nil {
			return nil, pgerr.New(pgerr.DataCorrupted, "cannot bind check constraint \"%s\" of relation \"%s\": %s", c.Name, t.Name, pgerr.From(err).Message)
		}
		out = append(out, planner.Check{Name: c.Name, Expr: e})
	}
	slices.SortFunc(out, func(a, b planner.Check) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out, nil
}
