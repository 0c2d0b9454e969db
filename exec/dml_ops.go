package exec

import (
	"context"
	"strings"

	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// dmlKind says what a dmlOp writes.
type dmlKind uint8

const (
	dmlInsert dmlKind = iota
	dmlUpdate
	dmlDelete
)

// dmlOp reads all of its input first, then writes, so that a statement
// never sees the rows it writes itself. It then returns the RETURNING
// rows, if any.
type dmlOp struct {
	kind      dmlKind
	rt        *Runtime
	table     *storage.Table
	in        Operator
	sets      []setFn
	returning []evalFn
	count     int64
	out       *sliceOp
	// graphs are the table's hnsw indexes, kept in step with each write.
	graphs []*storage.Index
	// materialize says the input must be read to its end before the first
	// write: it reads the table being written (UPDATE, DELETE, INSERT ...
	// SELECT from the same table), which must not see the statement's own
	// rows. Other inserts stream, so COPY never holds its rows in memory.
	materialize bool
	// conflict handles INSERT ... ON CONFLICT; nil for a plain INSERT.
	conflict *conflictOp
	// checks are the table's CHECK constraints, compiled over a table row,
	// in the order they are tested (by name, as PostgreSQL does).
	checks []checkFn
}

// checkFn is a compiled CHECK constraint.
type checkFn struct {
	name string
	eval evalFn
}

// conflictOp is what an INSERT does with a proposed row whose key is
// already in a unique index.
type conflictOp struct {
	arbiters []*storage.Index
	update   bool
	// sets and where (nil for none) are over the existing row followed by
	// the proposed one.
	sets  []setFn
	where evalFn
	// affected are the rows this statement inserted or updated: DO UPDATE
	// must not change them (again), as PostgreSQL forbids.
	affected map[storage.RowID]bool
}

type setFn struct {
	slot int
	eval evalFn
}

func (b *builder) buildDML(kind dmlKind, table *storage.Table, input planner.Node, returning []planner.Expr, checks []planner.Check) (*dmlOp, error) {
	in, err := b.build(input)
	if err != nil {
		return nil, err
	}
	ret, err := b.c.compileAll(returning)
	if err != nil {
		in.Close()
		return nil, err
	}
	materialize := kind != dmlInsert || readsTable(input, table)
	op := &dmlOp{kind: kind, rt: b.rt, table: table, in: in, returning: ret, materialize: materialize}
	for _, c := range checks {
		f, err := b.c.compile(c.Expr)
		if err != nil {
			in.Close()
			return nil, err
		}
		op.checks = append(op.checks, checkFn{name: c.Name, eval: f})
	}
	for _, idx := range b.rt.Txn.Catalog().TableIndexes(table.OID) {
		if idx.Method == "hnsw" {
			op.graphs = append(op.graphs, idx)
		}
	}
	if len(op.graphs) > 0 && b.rt.Indexes == nil {
		op.Close()
		return nil, pgerr.New(pgerr.InternalError, "exec: writes to a table with hnsw indexes need index access")
	}
	return op, nil
}

// readsTable reports whether a plan scans table.
func readsTable(n planner.Node, table *storage.Table) bool {
	switch s := n.(type) {
	case *planner.Scan:
		if s.Table.OID == table.OID {
			return true
		}
	case *planner.BtreeScan:
		if s.Table.OID == table.OID {
			return true
		}
	case *planner.IndexScan:
		if s.Table.OID == table.OID {
			return true
		}
	}
	for _, in := range planner.Inputs(n) {
		if readsTable(in, table) {
			return true
		}
	}
	return false
}

func (b *builder) buildInsert(n *planner.Insert) (Operator, error) {
	op, err := b.buildDML(dmlInsert, n.Table, n.Input, n.Returning, n.Checks)
	if err != nil || n.OnConflict == nil {
		return op, err
	}
	oc := n.OnConflict
	c := &conflictOp{arbiters: oc.Arbiters, update: oc.Update, affected: map[storage.RowID]bool{}}
	for _, s := range oc.Sets {
		f, err := b.c.compile(s.Expr)
		if err != nil {
			op.Close()
			return nil, err
		}
		c.sets = append(c.sets, setFn{slot: s.Slot, eval: f})
	}
	if oc.Where != nil {
		if c.where, err = b.c.compile(oc.Where); err != nil {
			op.Close()
			return nil, err
		}
	}
	op.conflict = c
	return op, nil
}

func (b *builder) buildUpdate(n *planner.Update) (Operator, error) {
	op, err := b.buildDML(dmlUpdate, n.Table, n.Input, n.Returning, n.Checks)
	if err != nil {
		return nil, err
	}
	for _, s := range n.Sets {
		f, err := b.c.compile(s.Expr)
		if err != nil {
			op.Close()
			return nil, err
		}
		op.sets = append(op.sets, setFn{slot: s.Slot, eval: f})
	}
	return op, nil
}

func (b *builder) buildDelete(n *planner.Delete) (Operator, error) {
	return b.buildDML(dmlDelete, n.Table, n.Input, n.Returning, nil)
}

func (d *dmlOp) Next(ctx context.Context) (Row, error) {
	if d.out == nil {
		if err := d.run(ctx); err != nil {
			return nil, err
		}
	}
	return d.out.Next(ctx)
}

func (d *dmlOp) run(ctx context.Context) error {
	next := d.in.Next
	if d.materialize {
		var input []Row
		for {
			row, err := d.in.Next(ctx)
			if err != nil {
				return err
			}
			if row == nil {
				break
			}
			input = append(input, row)
		}
		rows := &sliceOp{rows: input}
		next = rows.Next
	}
	d.out = &sliceOp{}
	nslots := len(d.table.Columns)
	for i := 0; ; i++ {
		if i%checkEvery == checkEvery-1 {
			if err := ctxErr(ctx); err != nil {
				return err
			}
		}
		row, err := next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			return nil
		}
		var written Row
		switch d.kind {
		case dmlInsert:
			if d.conflict != nil {
				written, err = d.upsert(ctx, row)
				if err == nil && written == nil {
					continue // skipped: DO NOTHING, or DO UPDATE ... WHERE false
				}
				break
			}
			written, err = d.insert(ctx, row)
		case dmlUpdate:
			written, err = d.update(ctx, row[:nslots], storage.RowID(row[nslots].(int64)), row)
		case dmlDelete:
			written = row[:nslots]
			id := storage.RowID(row[nslots].(int64))
			if err = d.rt.Txn.Delete(ctx, d.table, id, written); err == nil {
				err = d.unindex(id, written)
			}
		}
		if err != nil {
			return err
		}
		d.count++
		if len(d.returning) > 0 {
			out := make(Row, len(d.returning))
			for j, f := range d.returning {
				if out[j], err = f(written); err != nil {
					return err
				}
			}
			d.out.rows = append(d.out.rows, out)
		}
	}
}

func (d *dmlOp) insert(ctx context.Context, row Row) (Row, error) {
	if err := d.checkRow(row); err != nil {
		return nil, err
	}
	id, err := d.rt.Txn.Insert(ctx, d.table, row)
	if err != nil {
		return nil, err
	}
	return row, d.index(id, row)
}

func (d *dmlOp) update(ctx context.Context, old Row, id storage.RowID, input Row) (Row, error) {
	updated := make(Row, len(old))
	copy(updated, old)
	for _, s := range d.sets {
		v, err := s.eval(input)
		if err != nil {
			return nil, err
		}
		updated[s.slot] = v
	}
	if err := d.checkRow(updated); err != nil {
		return nil, err
	}
	if err := d.rt.Txn.Update(ctx, d.table, id, old, updated); err != nil {
		return nil, err
	}
	return updated, d.reindex(id, old, updated)
}

// upsert writes one proposed row of INSERT ... ON CONFLICT: it looks for
// the row holding its key in each arbiter index; when there is one, DO
// NOTHING skips the proposed row and DO UPDATE updates the existing row
// (if WHERE holds); otherwise the row is inserted. It returns the row
// written, or nil when nothing was. A conflict in a unique index that is
// not an arbiter fails with 23505, except for DO NOTHING without a conflict
// target, which skips the row.
func (d *dmlOp) upsert(ctx context.Context, row Row) (Row, error) {
	c := d.conflict
	if err := d.checkRow(row); err != nil {
		return nil, err
	}
	for _, idx := range c.arbiters {
		id, found, err := d.rt.Txn.ConflictingRow(ctx, d.table, idx, row)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		if !c.update {
			return nil, nil
		}
		return d.updateConflicting(ctx, id, row)
	}
	id, err := d.rt.Txn.Insert(ctx, d.table, row)
	if err != nil {
		if !c.update && len(c.arbiters) == 0 && pgerr.CodeOf(err) == pgerr.UniqueViolation {
			return nil, nil
		}
		return nil, err
	}
	if c.update {
		c.affected[id] = true
	}
	return row, d.index(id, row)
}

// updateConflicting is DO UPDATE on the existing row id that the proposed
// row conflicts with.
func (d *dmlOp) updateConflicting(ctx context.Context, id storage.RowID, proposed Row) (Row, error) {
	c := d.conflict
	if c.affected[id] {
		return nil, pgerr.New(pgerr.CardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time").
			WithHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
	}
	old, found, err := d.rt.Txn.Get(d.table, id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, pgerr.New(pgerr.InternalError, "exec: row %d of %s named by a unique index is missing", id, d.table.Name)
	}
	both := make(Row, 0, 2*len(old))
	both = append(append(both, old...), proposed...)
	if c.where != nil {
		ok, err := c.where(both)
		if err != nil {
			return nil, err
		}
		if ok != true {
			return nil, nil
		}
	}
	updated := make(Row, len(old))
	copy(updated, old)
	for _, s := range c.sets {
		v, err := s.eval(both)
		if err != nil {
			return nil, err
		}
		updated[s.slot] = v
	}
	if err := d.checkRow(updated); err != nil {
		return nil, err
	}
	if err := d.rt.Txn.Update(ctx, d.table, id, old, updated); err != nil {
		return nil, err
	}
	c.affected[id] = true
	return updated, d.reindex(id, old, updated)
}

// indexDatum returns the value a row gives an hnsw index: its indexed
// column, or for an expression index the expression's value; nil when the
// row is not in a partial index.
func (d *dmlOp) indexDatum(idx *storage.Index, row Row) (types.Datum, error) {
	if !idx.Derived() {
		return row[idx.Columns[0].Slot], nil
	}
	key, in, err := d.rt.Txn.IndexKey(d.table, idx, row)
	if err != nil || !in {
		return nil, err
	}
	return key[0], nil
}

// indexValue returns the value (vector, halfvec, sparsevec or bit
// string) a row gives an hnsw index, and whether the index holds it: NULLs
// are not indexed (nor rows outside a partial index's predicate), nor zero
// vectors under cosine distance (pgvector's rule: they have no
// direction).
func (d *dmlOp) indexValue(idx *storage.Index, row Row) (hnsw.Value, bool, error) {
	datum, err := d.indexDatum(idx, row)
	if err != nil {
		return hnsw.Value{}, false, err
	}
	v, ok := HNSWIndexed(idx.Columns[0].Opclass, datum)
	return v, ok, nil
}

// index adds a new row to the table's hnsw indexes.
func (d *dmlOp) index(id storage.RowID, row Row) error {
	if len(d.graphs) > 0 {
		d.rt.Indexes.RowWritten(d.table, id, row)
	}
	for _, idx := range d.graphs {
		v, ok, err := d.indexValue(idx, row)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		tx, err := d.rt.Indexes.Writer(idx)
		if err != nil {
			return err
		}
		if err := tx.InsertValue(uint64(id), v); err != nil {
			return err
		}
	}
	return nil
}

// unindex takes a deleted row out of the table's hnsw indexes.
func (d *dmlOp) unindex(id storage.RowID, row Row) error {
	if len(d.graphs) > 0 {
		d.rt.Indexes.RowWritten(d.table, id, nil)
	}
	for _, idx := range d.graphs {
		_, ok, err := d.indexValue(idx, row)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		tx, err := d.rt.Indexes.Writer(idx)
		if err != nil {
			return err
		}
		if err := tx.Delete(uint64(id)); err != nil {
			return err
		}
	}
	return nil
}

// reindex moves an updated row in the indexes whose value changed, and
// adds it to or removes it from partial indexes whose predicate it now
// satisfies or no longer does.
func (d *dmlOp) reindex(id storage.RowID, old, updated Row) error {
	if len(d.graphs) > 0 {
		d.rt.Indexes.RowWritten(d.table, id, updated)
	}
	for _, idx := range d.graphs {
		ov, oldIn, err := d.indexValue(idx, old)
		if err != nil {
			return err
		}
		nv, newIn, err := d.indexValue(idx, updated)
		if err != nil {
			return err
		}
		if !oldIn && !newIn || oldIn && newIn && ov.Equal(nv) {
			continue
		}
		tx, err := d.rt.Indexes.Writer(idx)
		if err != nil {
			return err
		}
		if oldIn {
			if err := tx.Delete(uint64(id)); err != nil {
				return err
			}
		}
		if newIn {
			if err := tx.InsertValue(uint64(id), nv); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRow enforces the table's NOT NULL columns, then its CHECK
// constraints, as PostgreSQL's ExecConstraints does.
func (d *dmlOp) checkRow(row Row) error {
	if err := d.checkNotNull(row); err != nil {
		return err
	}
	for _, c := range d.checks {
		v, err := c.eval(row)
		if err != nil {
			return err
		}
		if v == false {
			e := pgerr.New(pgerr.CheckViolation, "new row for relation \"%s\" violates check constraint \"%s\"", d.table.Name, c.name)
			e = e.WithDetail("Failing row contains %s.", FormatRow(d.table, row, d.rt.Format))
			e.Schema, e.Table, e.Constraint = d.table.Schema, d.table.Name, c.name
			return e
		}
	}
	return nil
}

// checkNotNull enforces NOT NULL columns with PostgreSQL's message.
func (d *dmlOp) checkNotNull(row Row) error {
	for i := range d.table.Columns {
		c := &d.table.Columns[i]
		if c.NotNull && !c.Dropped && row[i] == nil {
			e := pgerr.New(pgerr.NotNullViolation,
				"null value in column \"%s\" of relation \"%s\" violates not-null constraint", c.Name, d.table.Name)
			e = e.WithDetail("Failing row contains %s.", FormatRow(d.table, row, d.rt.Format))
			e.Schema, e.Table, e.Column = d.table.Schema, d.table.Name, c.Name
			return e
		}
	}
	return nil
}

// FormatRow renders a table row as PostgreSQL's error details do:
// "(1, null, abc)".
func FormatRow(t *storage.Table, row Row, f *types.FormatOptions) string {
	var b strings.Builder
	b.WriteByte('(')
	first := true
	for i := range t.Columns {
		if t.Columns[i].Dropped {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		if row[i] == nil {
			b.WriteString("null")
			continue
		}
		b.Write(types.AppendText(nil, t.Columns[i].Type, row[i], f))
	}
	b.WriteByte(')')
	return b.String()
}

func (d *dmlOp) Close() { d.in.Close() }
