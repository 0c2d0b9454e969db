package storage

import (
	"sort"
	"sync/atomic"

	"github.com/vecgres/vecgres/sql/types"
)

// RelKind says what a relation is, with pg_class.relkind's letters.
type RelKind byte

// Relation kinds.
const (
	KindTable    RelKind = 'r'
	KindIndex    RelKind = 'i'
	KindSequence RelKind = 'S'
)

// Schema is a namespace (pg_namespace row).
type Schema struct {
	OID  types.OID `json:"oid"`
	Name string    `json:"name"`
}

// Column is one attribute of a table. Attnum is 1-based and never reused:
// a dropped column keeps its number with Dropped set, as in pg_attribute.
type Column struct {
	Name    string  `json:"name"`
	Type    types.T `json:"type"`
	Attnum  int16   `json:"attnum"`
	NotNull bool    `json:"not_null,omitempty"`
	// Default is the SQL text of the DEFAULT expression ("" for none). It
	// is re-bound when used, as pg_attrdef keeps an expression tree.
	Default string `json:"default,omitempty"`
	Dropped bool   `json:"dropped,omitempty"`
}

// Table describes a table. Columns are in attnum order and include dropped
// ones; use LiveColumns for what a query sees. Row values are stored in the
// same order, one slot per Columns entry.
type Table struct {
	OID     types.OID `json:"oid"`
	Schema  string    `json:"schema"`
	Name    string    `json:"name"`
	Columns []Column  `json:"columns"`
	// PrimaryKey names the index that enforces the primary key, "" if none.
	PrimaryKey string `json:"primary_key,omitempty"`
	// Owner is the role that owns the table (0: the bootstrap superuser,
	// see OwnerOf); ACL holds the privileges granted on it (roles.go).
	Owner types.OID `json:"owner,omitempty"`
	ACL   []Grant   `json:"acl,omitempty"`
	// ACLSet is set once a GRANT or REVOKE has run on the table: its
	// pg_class.relacl is then the owner's entry and ACL, where it was
	// NULL (the default privileges) before, as in PostgreSQL.
	ACLSet bool `json:"acl_set,omitempty"`
	// Checks are the table's CHECK constraints.
	Checks []Check `json:"checks,omitempty"`
}

// Check is a CHECK constraint of a table.
type Check struct {
	// OID is the constraint's pg_constraint OID.
	OID  types.OID `json:"oid"`
	Name string    `json:"name"`
	// Expr is the SQL text of the boolean expression over the table's
	// columns; like Column.Default it is bound again where it is used.
	Expr string `json:"expr"`
	// Slots are the table slots the expression reads, in the order they
	// first appear in it (pg_constraint.conkey).
	Slots []int `json:"slots,omitempty"`
	// NotValid is set for a check added NOT VALID whose existing rows
	// have not been validated yet (pg_constraint.convalidated false); new
	// rows are checked all the same.
	NotValid bool `json:"not_valid,omitempty"`
}

// LiveColumns returns the indexes into t.Columns of the columns that are
// not dropped, in attnum order.
func (t *Table) LiveColumns() []int {
	out := make([]int, 0, len(t.Columns))
	for i := range t.Columns {
		if !t.Columns[i].Dropped {
			out = append(out, i)
		}
	}
	return out
}

// ColumnIndex returns the slot of the live column called name, or -1.
func (t *Table) ColumnIndex(name string) int {
	for i := range t.Columns {
		if !t.Columns[i].Dropped && t.Columns[i].Name == name {
			return i
		}
	}
	return -1
}

// Types returns the column types in slot order (dropped ones included), as
// the row codec needs them.
func (t *Table) Types() []types.T {
	out := make([]types.T, len(t.Columns))
	for i := range t.Columns {
		out[i] = t.Columns[i].Type
	}
	return out
}

// IndexColumn is one key column of an index: a table column (Slot >= 0)
// or, for expression indexes, an expression (Slot = -1, Expr set to its
// SQL text as pg_query deparses it, Type to its result type).
// NullsFirst is explicit: PostgreSQL's default puts NULLs first for DESC
// columns, so the binder sets it for DESC unless NULLS LAST is given.
type IndexColumn struct {
	Slot       int      `json:"slot"`
	Expr       string   `json:"expr,omitempty"`
	Type       *types.T `json:"type,omitempty"`
	Opclass    string   `json:"opclass,omitempty"`
	Desc       bool     `json:"desc,omitempty"`
	NullsFirst bool     `json:"nulls_first,omitempty"`
}

// KeyType returns the type of the column's key values: the table
// column's, or the expression's.
func (c IndexColumn) KeyType(t *Table) types.T {
	if c.Slot >= 0 && c.Slot < len(t.Columns) {
		return t.Columns[c.Slot].Type
	}
	if c.Type != nil {
		return *c.Type
	}
	return types.T{}
}

// Index describes a secondary index (btree or hnsw) on a table.
type Index struct {
	OID     types.OID     `json:"oid"`
	Schema  string        `json:"schema"`
	Name    string        `json:"name"`
	Table   types.OID     `json:"table"`
	Method  string        `json:"method"` // "btree" or "hnsw"
	Columns []IndexColumn `json:"columns"`
	Unique  bool          `json:"unique,omitempty"`
	Primary bool          `json:"primary,omitempty"`
	// Constraint is set on the unique index behind a UNIQUE or PRIMARY
	// KEY constraint (as opposed to CREATE UNIQUE INDEX).
	Constraint bool              `json:"constraint,omitempty"`
	Options    map[string]string `json:"options,omitempty"` // WITH (...) storage parameters
	// Predicate is the SQL text of a partial index's WHERE clause.
	Predicate string `json:"predicate,omitempty"`
	// ExprSlots are the table slots that the key expressions and the
	// predicate read (plain key columns are in Columns), so that changes
	// to those columns find the index.
	ExprSlots []int `json:"expr_slots,omitempty"`
}

// Derived reports whether the index's entries are not just table columns:
// it has an expression column or a predicate, which storage cannot
// evaluate itself (see IndexKeyer).
func (i *Index) Derived() bool {
	if i.Predicate != "" {
		return true
	}
	for _, c := range i.Columns {
		if c.Slot < 0 {
			return true
		}
	}
	return false
}

// Uses reports whether the index reads the table slot: as a key column,
// in a key expression or in its predicate.
func (i *Index) Uses(slot int) bool {
	for _, c := range i.Columns {
		if c.Slot == slot {
			return true
		}
	}
	for _, s := range i.ExprSlots {
		if s == slot {
			return true
		}
	}
	return false
}

// Sequence describes a sequence (and serial columns' sequences).
type Sequence struct {
	OID       types.OID `json:"oid"`
	Schema    string    `json:"schema"`
	Name      string    `json:"name"`
	Type      types.T   `json:"type"`
	Start     int64     `json:"start"`
	Increment int64     `json:"increment"`
	Min       int64     `json:"min"`
	Max       int64     `json:"max"`
	Cycle     bool      `json:"cycle,omitempty"`
	// Cache is CREATE SEQUENCE's CACHE, kept for the catalog (pg_sequence);
	// zero means 1. Values are reserved as storage sees fit whatever it is.
	Cache int64 `json:"cache,omitempty"`
	// OwnedByTable and OwnedBySlot tie a serial column's sequence to it, so
	// DROP TABLE drops the sequence too. Zero when not owned.
	OwnedByTable types.OID `json:"owned_by_table,omitempty"`
	OwnedBySlot  int       `json:"owned_by_slot,omitempty"`
}

// Catalog is an immutable snapshot of every schema object. A transaction
// that changes the schema works on a copy (see Clone) and publishes it when
// it commits, so readers never see a half-made change.
type Catalog struct {
	// Version increases with every committed schema change; plans cached
	// against an older version are stale.
	Version uint64

	schemas   map[string]*Schema
	tables    map[types.OID]*Table
	indexes   map[types.OID]*Index
	sequences map[types.OID]*Sequence
	// names maps "schema.name" to the OID of the relation (table, index or
	// sequence) of that name: they share one namespace per schema.
	names map[string]types.OID
	// roles and roleNames hold the roles by OID and by name (roles.go).
	roles     map[types.OID]*Role
	roleNames map[string]types.OID

	// btreeByTable caches each table's btree indexes for row writes; built
	// on first use, reset by the mutators.
	btreeByTable atomic.Pointer[map[types.OID][]*Index]
}

// NewCatalog returns a catalog with the default schemas only.
func NewCatalog() *Catalog {
	c := &Catalog{
		schemas:   map[string]*Schema{},
		tables:    map[types.OID]*Table{},
		indexes:   map[types.OID]*Index{},
		sequences: map[types.OID]*Sequence{},
		names:     map[string]types.OID{},
	}
	c.schemas["pg_catalog"] = &Schema{OID: 11, Name: "pg_catalog"}
	c.schemas["public"] = &Schema{OID: 2200, Name: "public"}
	c.schemas["information_schema"] = &Schema{OID: 13000, Name: "information_schema"}
	return c
}

// Clone returns a copy whose maps may be changed without affecting c. The
// objects themselves are shared and must be replaced, not mutated.
func (c *Catalog) Clone() *Catalog {
	n := &Catalog{
		Version:   c.Version,
		schemas:   make(map[string]*Schema, len(c.schemas)),
		tables:    make(map[types.OID]*Table, len(c.tables)),
		indexes:   make(map[types.OID]*Index, len(c.indexes)),
		sequences: make(map[types.OID]*Sequence, len(c.sequences)),
		names:     make(map[string]types.OID, len(c.names)),
	}
	for k, v := range c.schemas {
		n.schemas[k] = v
	}
	for k, v := range c.tables {
		n.tables[k] = v
	}
	for k, v := range c.indexes {
		n.indexes[k] = v
	}
	for k, v := range c.sequences {
		n.sequences[k] = v
	}
	for k, v := range c.names {
		n.names[k] = v
	}
	c.cloneRoles(n)
	return n
}

func qualified(schema, name string) string { return schema + "." + name }

// Schema returns the schema called name.
func (c *Catalog) Schema(name string) (*Schema, bool) {
	s, ok := c.schemas[name]
	return s, ok
}

// Schemas returns every schema, ordered by OID.
func (c *Catalog) Schemas() []*Schema {
	out := make([]*Schema, 0, len(c.schemas))
	for _, s := range c.schemas {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// RelationOID returns the OID and kind of the relation schema.name.
func (c *Catalog) RelationOID(schema, name string) (types.OID, RelKind, bool) {
	oid, ok := c.names[qualified(schema, name)]
	if !ok {
		return 0, 0, false
	}
	return oid, c.KindOf(oid), true
}

// KindOf returns the kind of the relation oid, 0 if there is none.
func (c *Catalog) KindOf(oid types.OID) RelKind {
	switch {
	case c.tables[oid] != nil:
		return KindTable
	case c.indexes[oid] != nil:
		return KindIndex
	case c.sequences[oid] != nil:
		return KindSequence
	}
	return 0
}

// Table returns the table with the given OID.
func (c *Catalog) Table(oid types.OID) (*Table, bool) {
	t, ok := c.tables[oid]
	return t, ok
}

// TableByName returns the table schema.name.
func (c *Catalog) TableByName(schema, name string) (*Table, bool) {
	oid, ok := c.names[qualified(schema, name)]
	if !ok {
		return nil, false
	}
	return c.Table(oid)
}

// Index returns the index with the given OID.
func (c *Catalog) Index(oid types.OID) (*Index, bool) {
	i, ok := c.indexes[oid]
	return i, ok
}

// Sequence returns the sequence with the given OID.
func (c *Catalog) Sequence(oid types.OID) (*Sequence, bool) {
	s, ok := c.sequences[oid]
	return s, ok
}

// Tables returns every table ordered by OID.
func (c *Catalog) Tables() []*Table {
	out := make([]*Table, 0, len(c.tables))
	for _, t := range c.tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// Indexes returns every index ordered by OID.
func (c *Catalog) Indexes() []*Index {
	out := make([]*Index, 0, len(c.indexes))
	for _, i := range c.indexes {
		out = append(out, i)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// Sequences returns every sequence ordered by OID.
func (c *Catalog) Sequences() []*Sequence {
	out := make([]*Sequence, 0, len(c.sequences))
	for _, s := range c.sequences {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// TableIndexes returns the indexes on table, ordered by OID (so the
// primary key, made with the table, comes first).
func (c *Catalog) TableIndexes(table types.OID) []*Index {
	var out []*Index
	for _, i := range c.indexes {
		if i.Table == table {
			out = append(out, i)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// btreeIndexes returns the btree indexes of table ordered by OID; the
// slice is shared and must not be modified.
func (c *Catalog) btreeIndexes(table types.OID) []*Index {
	if m := c.btreeByTable.Load(); m != nil {
		return (*m)[table]
	}
	m := map[types.OID][]*Index{}
	for _, i := range c.Indexes() {
		if isBtree(i) {
			m[i.Table] = append(m[i.Table], i)
		}
	}
	c.btreeByTable.Store(&m)
	return m[table]
}

// The mutators below are for storage's transaction code and for tests:
// they change c in place, so call them only on a Clone that nobody else
// can see yet.

func (c *Catalog) putSchema(s *Schema) { c.schemas[s.Name] = s }

func (c *Catalog) deleteSchema(name string) { delete(c.schemas, name) }

func (c *Catalog) putTable(t *Table) {
	if old, ok := c.tables[t.OID]; ok {
		delete(c.names, qualified(old.Schema, old.Name))
	}
	c.tables[t.OID] = t
	c.names[qualified(t.Schema, t.Name)] = t.OID
}

func (c *Catalog) putIndex(i *Index) {
	c.btreeByTable.Store(nil)
	if old, ok := c.indexes[i.OID]; ok {
		delete(c.names, qualified(old.Schema, old.Name))
	}
	c.indexes[i.OID] = i
	c.names[qualified(i.Schema, i.Name)] = i.OID
}

func (c *Catalog) putSequence(s *Sequence) {
	if old, ok := c.sequences[s.OID]; ok {
		delete(c.names, qualified(old.Schema, old.Name))
	}
	c.sequences[s.OID] = s
	c.names[qualified(s.Schema, s.Name)] = s.OID
}

func (c *Catalog) deleteRelation(oid types.OID) {
	c.btreeByTable.Store(nil)
	var schema, name string
	switch {
	case c.tables[oid] != nil:
		schema, name = c.tables[oid].Schema, c.tables[oid].Name
		delete(c.tables, oid)
	case c.indexes[oid] != nil:
		schema, name = c.indexes[oid].Schema, c.indexes[oid].Name
		delete(c.indexes, oid)
	case c.sequences[oid] != nil:
		schema, name = c.sequences[oid].Schema, c.sequences[oid].Name
		delete(c.sequences, oid)
	default:
		return
	}
	delete(c.names, qualified(schema, name))
}
