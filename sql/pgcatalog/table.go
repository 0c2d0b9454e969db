package pgcatalog

import (
	"slices"
	"sync"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// Column is a column of a virtual table.
type Column struct {
	Name string
	T    types.T
}

// Table is a virtual table: its shape and how to compute its rows.
type Table struct {
	Schema string
	Name   string
	// OID is the table's pg_class OID: PostgreSQL's for the system
	// catalogs, vecgres's (see oids.go) for the views.
	OID types.OID
	// Kind is 'r' for the system catalogs and 'v' for the views, as
	// pg_class.relkind.
	Kind    byte
	Columns []Column
	// Rows computes the table's rows, one value per column.
	Rows func(env planner.Env) ([][]types.Datum, error)
}

// Lookup returns the virtual table schema.name. An empty schema means
// pg_catalog, which PostgreSQL searches before the search path.
func Lookup(schema, name string) (*Table, bool) {
	if schema == "" {
		schema = "pg_catalog"
	}
	t, ok := registry().byName[schema+"."+name]
	return t, ok
}

// LookupOID returns the virtual table with pg_class OID oid.
func LookupOID(oid types.OID) (*Table, bool) {
	t, ok := registry().byOID[oid]
	return t, ok
}

// Tables returns every virtual table, ordered by OID. The caller must not
// modify the result.
func Tables() []*Table { return registry().all }

type tableSet struct {
	all    []*Table
	byName map[string]*Table
	byOID  map[types.OID]*Table
}

var (
	registryOnce sync.Once
	registrySet  *tableSet
)

// registry returns the immutable set of virtual tables, built on first
// use.
func registry() *tableSet {
	registryOnce.Do(func() { registrySet = buildRegistry() })
	return registrySet
}

func buildRegistry() *tableSet {
	var all []*Table
	all = append(all, catalogTables()...)
	all = append(all, emptyTables()...)
	all = append(all, viewTables()...)
	all = append(all, informationSchemaTables()...)
	s := &tableSet{byName: map[string]*Table{}, byOID: map[types.OID]*Table{}}
	next := firstViewOID
	for _, t := range all {
		if t.OID == 0 {
			t.OID = next
			next++
		}
		if t.Kind == 0 {
			t.Kind = 'r'
		}
		if t.Rows == nil {
			t.Rows = noRows
		}
		s.byName[t.Schema+"."+t.Name] = t
		s.byOID[t.OID] = t
	}
	slices.SortFunc(all, func(a, b *Table) int { return int(a.OID) - int(b.OID) })
	s.all = all
	return s
}

// catalogTables are the system catalogs with rows.
func catalogTables() []*Table {
	return []*Table{
		pgNamespace(), pgType(), pgClass(), pgAttribute(), pgIndex(), pgAm(), pgOpclass(), pgOpfamily(),
		pgOperator(), pgProc(), pgLanguage(), pgConstraint(), pgAttrdef(), pgDepend(), pgSequence(),
		pgDescription(), pgShdescription(), pgDatabase(), pgTablespace(), pgAuthid(), pgRoles(), pgUser(),
		pgAuthMembers(), pgSettings(), pgExtension(), pgAvailableExtensions(), pgCollation(), pgStatActivity(), pgStatProgressCreateIndex(),
	}
}

func col(name string, oid types.OID) Column { return Column{Name: name, T: types.Of(oid)} }

// Helpers that make datums of catalog column types.

func oid(o types.OID) types.Datum { return int64(o) }

func boolean(b bool) types.Datum { return b }

func integer[I ~int | ~int16 | ~int32 | ~int64](i I) types.Datum { return int64(i) }

// char is a "char" value; 0 is the empty "char".
func char(c byte) types.Datum {
	if c == 0 {
		return ""
	}
	return string([]byte{c})
}

// nullable returns s, or NULL when s is nil.
func nullable(s *string) types.Datum {
	if s == nil {
		return nil
	}
	return *s
}

// textArray returns a text[] of ss, or NULL when ss is nil.
func textArray(ss []string) types.Datum { return stringArray(types.TText, ss) }

func stringArray(elem types.T, ss []string) types.Datum {
	if ss == nil {
		return nil
	}
	elems := make([]types.Datum, len(ss))
	for i, s := range ss {
		elems[i] = s
	}
	return &types.Array{Elem: elem, Elems: elems, LowerBound: 1}
}

// intArray returns an array of integers of type elem (int2, oid, ...).
func intArray[I ~int | ~int16 | ~int32 | ~int64 | ~uint32](elem types.OID, vs []I) types.Datum {
	elems := make([]types.Datum, len(vs))
	for i, v := range vs {
		elems[i] = int64(v)
	}
	return &types.Array{Elem: types.Of(elem), Elems: elems, LowerBound: 1}
}

// aclArray is an aclitem[] value.
func aclArray(items ...string) types.Datum {
	return stringArray(types.Of(types.AclitemOID), items)
}
