package pgcatalog

import (
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
	Schema  string
	Name    string
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
	t, ok := tables[schema+"."+name]
	return t, ok
}

// tables is the immutable set of virtual tables by qualified name.
var tables = buildTables()

func buildTables() map[string]*Table {
	m := map[string]*Table{}
	for _, t := range []*Table{pgNamespace(), pgType()} {
		m[t.Schema+"."+t.Name] = t
	}
	return m
}

func col(name string, oid types.OID) Column { return Column{Name: name, T: types.Of(oid)} }

func oid(o types.OID) types.Datum { return int64(o) }

func boolean(b bool) types.Datum { return b }
