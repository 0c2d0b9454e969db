package pgcatalog

import (
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// information_schema's views, computed as PostgreSQL's definitions in
// information_schema.sql compute them. Their columns have the base types
// of the SQL-standard domains PostgreSQL declares (sql_identifier is name,
// character_data varchar, cardinal_number int4, yes_or_no varchar): vecgres
// has no domains, so a client sees those types' OIDs in the row
// description.

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

// notNullName is the name information_schema gives a NOT NULL column's
// implicit check constraint.
func notNullName(namespace, table types.OID, attnum int16) string {
	return strconv.FormatUint(uint64(namespace), 10) + "_" + strconv.FormatUint(uint64(table), 10) + "_" +
		strconv.Itoa(int(attnum)) + "_not_null"
}

func informationSchemaTables() []*Table {
	const is = "information_schema"
	return []*Table{
		{
			Schema: is, Name: "schemata", Kind: 'v',
			Columns: []Column{
				col("catalog_name", types.NameOID), col("schema_name", types.NameOID), col("schema_owner", types.NameOID),
				col("default_character_set_catalog", types.NameOID), col("default_character_set_schema", types.NameOID),
				col("default_character_set_name", types.NameOID), col("sql_path", types.VarcharOID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				var rows [][]types.Datum
				for _, s := range schemas(env.Catalog()) {
					owner := superuser(env)
					if s.Name == "public" {
						owner = "pg_database_owner"
					}
					rows = append(rows, []types.Datum{env.Database(), s.Name, owner, nil, nil, nil, nil})
				}
				return rows, nil
			},
		},
		{
			Schema: is, Name: "tables", Kind: 'v',
			Columns: []Column{
				col("table_catalog", types.NameOID), col("table_schema", types.NameOID), col("table_name", types.NameOID),
				col("table_type", types.VarcharOID), col("self_referencing_column_name", types.NameOID),
				col("reference_generation", types.VarcharOID), col("user_defined_type_catalog", types.NameOID),
				col("user_defined_type_schema", types.NameOID), col("user_defined_type_name", types.NameOID),
				col("is_insertable_into", types.VarcharOID), col("is_typed", types.VarcharOID),
				col("commit_action", types.VarcharOID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				var rows [][]types.Datum
				for _, r := range relations(env) {
					var kind string
					switch r.kind {
					case 'r':
						kind = "BASE TABLE"
					case 'v':
						kind = "VIEW"
					default:
						continue
					}
					insertable := r.kind == 'r' && r.table != nil
					rows = append(rows, []types.Datum{env.Database(), r.schema, r.name, kind, nil, nil, nil, nil, nil,
						yesNo(insertable), "NO", nil})
				}
				return rows, nil
			},
		},
		{
			Schema: is, Name: "columns", Kind: 'v',
			Columns: []Column{
				col("table_catalog", types.NameOID), col("table_schema", types.NameOID), col("table_name", types.NameOID),
				col("column_name", types.NameOID), col("ordinal_position", types.Int4OID), col("column_default", types.VarcharOID),
				col("is_nullable", types.VarcharOID), col("data_type", types.VarcharOID),
				col("character_maximum_length", types.Int4OID), col("character_octet_length", types.Int4OID),
				col("numeric_precision", types.Int4OID), col("numeric_precision_radix", types.Int4OID),
				col("numeric_scale", types.Int4OID), col("datetime_precision", types.Int4OID),
				col("interval_type", types.VarcharOID), col("interval_precision", types.Int4OID),
				col("character_set_catalog", types.NameOID), col("character_set_schema", types.NameOID),
				col("character_set_name", types.NameOID), col("collation_catalog", types.NameOID),
				col("collation_schema", types.NameOID), col("collation_name", types.NameOID), col("domain_catalog", types.NameOID),
				col("domain_schema", types.NameOID), col("domain_name", types.NameOID), col("udt_catalog", types.NameOID),
				col("udt_schema", types.NameOID), col("udt_name", types.NameOID), col("scope_catalog", types.NameOID),
				col("scope_schema", types.NameOID), col("scope_name", types.NameOID), col("maximum_cardinality", types.Int4OID),
				col("dtd_identifier", types.NameOID), col("is_self_referencing", types.VarcharOID),
				col("is_identity", types.VarcharOID), col("identity_generation", types.VarcharOID),
				col("identity_start", types.VarcharOID), col("identity_increment", types.VarcharOID),
				col("identity_maximum", types.VarcharOID), col("identity_minimum", types.VarcharOID),
				col("identity_cycle", types.VarcharOID), col("is_generated", types.VarcharOID),
				col("generation_expression", types.VarcharOID), col("is_updatable", types.VarcharOID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				var rows [][]types.Datum
				for _, r := range relations(env) {
					if r.kind != 'r' && r.kind != 'v' {
						continue
					}
					for _, a := range r.attrs {
						if a.dropped {
							continue
						}
						var def types.Datum
						if r.table != nil {
							if c := r.table.ColumnIndex(a.name); c >= 0 {
								if d, ok := columnDefault(env, r.table, r.table.Columns[c]); ok {
									def = d
								}
							}
						}
						rows = append(rows, columnsRow(env, r, a, def))
					}
				}
				return rows, nil
			},
		},
		{
			Schema: is, Name: "table_constraints", Kind: 'v',
			Columns: []Column{
				col("constraint_catalog", types.NameOID), col("constraint_schema", types.NameOID),
				col("constraint_name", types.NameOID), col("table_catalog", types.NameOID), col("table_schema", types.NameOID),
				col("table_name", types.NameOID), col("constraint_type", types.VarcharOID), col("is_deferrable", types.VarcharOID),
				col("initially_deferred", types.VarcharOID), col("enforced", types.VarcharOID),
				col("nulls_distinct", types.VarcharOID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				cat := env.Catalog()
				db := env.Database()
				var rows [][]types.Datum
				for _, c := range constraints(cat, 0) {
					kind := "UNIQUE"
					if c.kind == 'p' {
						kind = "PRIMARY KEY"
					}
					rows = append(rows, []types.Datum{db, c.table.Schema, c.index.Name, db, c.table.Schema, c.table.Name,
						kind, "NO", "NO", "YES", "YES"})
				}
				for _, c := range checkConstraints(cat, 0) {
					rows = append(rows, []types.Datum{db, c.table.Schema, c.check.Name, db, c.table.Schema, c.table.Name,
						"CHECK", "NO", "NO", "YES", nil})
				}
				forNotNull(cat, func(t *storage.Table, ns types.OID, col storage.Column) {
					rows = append(rows, []types.Datum{db, t.Schema, notNullName(ns, t.OID, col.Attnum), db, t.Schema, t.Name,
						"CHECK", "NO", "NO", "YES", nil})
				})
				return rows, nil
			},
		},
		{
			Schema: is, Name: "check_constraints", Kind: 'v',
			Columns: []Column{
				col("constraint_catalog", types.NameOID), col("constraint_schema", types.NameOID),
				col("constraint_name", types.NameOID), col("check_clause", types.VarcharOID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				var rows [][]types.Datum
				for _, c := range checkConstraints(env.Catalog(), 0) {
					// PostgreSQL shows pg_get_constraintdef from its 7th
					// character on.
					rows = append(rows, []types.Datum{env.Database(), c.table.Schema, c.check.Name,
						strings.TrimPrefix(c.def(env, false), "CHECK ")})
				}
				forNotNull(env.Catalog(), func(t *storage.Table, ns types.OID, col storage.Column) {
					rows = append(rows, []types.Datum{env.Database(), t.Schema, notNullName(ns, t.OID, col.Attnum),
						quoteIdent(col.Name) + " IS NOT NULL"})
				})
				return rows, nil
			},
		},
		{
			Schema: is, Name: "key_column_usage", Kind: 'v',
			Columns: []Column{
				col("constraint_catalog", types.NameOID), col("constraint_schema", types.NameOID),
				col("constraint_name", types.NameOID), col("table_catalog", types.NameOID), col("table_schema", types.NameOID),
				col("table_name", types.NameOID), col("column_name", types.NameOID), col("ordinal_position", types.Int4OID),
				col("position_in_unique_constraint", types.Int4OID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				db := env.Database()
				var rows [][]types.Datum
				for _, c := range constraints(env.Catalog(), 0) {
					for i, ic := range c.index.Columns {
						if ic.Slot < 0 || ic.Slot >= len(c.table.Columns) {
							continue
						}
						rows = append(rows, []types.Datum{db, c.table.Schema, c.index.Name, db, c.table.Schema, c.table.Name,
							c.table.Columns[ic.Slot].Name, integer(i + 1), nil})
					}
				}
				return rows, nil
			},
		},
		{
			Schema: is, Name: "constraint_column_usage", Kind: 'v',
			Columns: []Column{
				col("table_catalog", types.NameOID), col("table_schema", types.NameOID), col("table_name", types.NameOID),
				col("column_name", types.NameOID), col("constraint_catalog", types.NameOID), col("constraint_schema", types.NameOID),
				col("constraint_name", types.NameOID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				db := env.Database()
				var rows [][]types.Datum
				for _, c := range constraints(env.Catalog(), 0) {
					for _, ic := range c.index.Columns {
						if ic.Slot < 0 || ic.Slot >= len(c.table.Columns) {
							continue
						}
						rows = append(rows, []types.Datum{db, c.table.Schema, c.table.Name, c.table.Columns[ic.Slot].Name,
							db, c.table.Schema, c.index.Name})
					}
				}
				for _, c := range checkConstraints(env.Catalog(), 0) {
					for _, slot := range c.check.Slots {
						if slot < len(c.table.Columns) {
							rows = append(rows, []types.Datum{db, c.table.Schema, c.table.Name, c.table.Columns[slot].Name,
								db, c.table.Schema, c.check.Name})
						}
					}
				}
				return rows, nil
			},
		},
		{
			Schema: is, Name: "sequences", Kind: 'v',
			Columns: []Column{
				col("sequence_catalog", types.NameOID), col("sequence_schema", types.NameOID), col("sequence_name", types.NameOID),
				col("data_type", types.VarcharOID), col("numeric_precision", types.Int4OID),
				col("numeric_precision_radix", types.Int4OID), col("numeric_scale", types.Int4OID),
				col("start_value", types.VarcharOID), col("minimum_value", types.VarcharOID), col("maximum_value", types.VarcharOID),
				col("increment", types.VarcharOID), col("cycle_option", types.VarcharOID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				var rows [][]types.Datum
				for _, s := range env.Catalog().Sequences() {
					prec, _, _ := numericFacts(s.Type)
					rows = append(rows, []types.Datum{env.Database(), s.Schema, s.Name, types.TypeName(s.Type.OID), prec,
						int64(2), int64(0), strconv.FormatInt(s.Start, 10), strconv.FormatInt(s.Min, 10),
						strconv.FormatInt(s.Max, 10), strconv.FormatInt(s.Increment, 10), yesNo(s.Cycle)})
				}
				return rows, nil
			},
		},
		{
			Schema: is, Name: "views", Kind: 'v',
			Columns: []Column{
				col("table_catalog", types.NameOID), col("table_schema", types.NameOID), col("table_name", types.NameOID),
				col("view_definition", types.VarcharOID), col("check_option", types.VarcharOID),
				col("is_updatable", types.VarcharOID), col("is_insertable_into", types.VarcharOID),
				col("is_trigger_updatable", types.VarcharOID), col("is_trigger_deletable", types.VarcharOID),
				col("is_trigger_insertable_into", types.VarcharOID),
			},
		},
		{
			Schema: is, Name: "referential_constraints", Kind: 'v',
			Columns: []Column{
				col("constraint_catalog", types.NameOID), col("constraint_schema", types.NameOID),
				col("constraint_name", types.NameOID), col("unique_constraint_catalog", types.NameOID),
				col("unique_constraint_schema", types.NameOID), col("unique_constraint_name", types.NameOID),
				col("match_option", types.VarcharOID), col("update_rule", types.VarcharOID), col("delete_rule", types.VarcharOID),
			},
		},
	}
}

// forNotNull calls fn for every NOT NULL column of every table.
func forNotNull(cat *storage.Catalog, fn func(t *storage.Table, namespace types.OID, c storage.Column)) {
	for _, t := range cat.Tables() {
		ns := namespaceOID(cat, t.Schema)
		for _, c := range t.Columns {
			if c.NotNull && !c.Dropped {
				fn(t, ns, c)
			}
		}
	}
}

// numericFacts returns information_schema's numeric_precision,
// numeric_precision_radix and numeric_scale of a type (NULLs for others).
func numericFacts(t types.T) (precision, radix, scale types.Datum) {
	switch t.OID {
	case types.Int2OID:
		return int64(16), int64(2), int64(0)
	case types.Int4OID:
		return int64(32), int64(2), int64(0)
	case types.Int8OID:
		return int64(64), int64(2), int64(0)
	case types.Float4OID:
		return int64(24), int64(2), nil
	case types.Float8OID:
		return int64(53), int64(2), nil
	case types.NumericOID:
		if p, s, ok := t.NumericTypmod(); ok {
			return int64(p), int64(10), int64(s)
		}
		return nil, int64(10), nil
	}
	return nil, nil, nil
}

func columnsRow(env planner.Env, r *relation, a attribute, def types.Datum) []types.Datum {
	db := env.Database()
	t := a.t
	info, _ := types.Lookup(t.OID)
	dataType := types.TypeName(t.OID)
	udtSchema := "pg_catalog"
	if typeNamespace(t.OID) == PublicNamespace {
		udtSchema = "public"
	}
	switch {
	case types.IsArray(t.OID):
		dataType = "ARRAY"
	case udtSchema != "pg_catalog":
		dataType = "USER-DEFINED"
	}
	var charMax, charOctets types.Datum
	switch t.OID {
	case types.VarcharOID, types.BpcharOID:
		if n := t.VarcharLen(); n >= 0 {
			charMax, charOctets = int64(n), int64(n*4)
		} else {
			charOctets = int64(1073741824)
		}
	case types.TextOID:
		charOctets = int64(1073741824)
	}
	precision, radix, scale := numericFacts(t)
	var datetime types.Datum
	switch t.OID {
	case types.DateOID:
		datetime = int64(0)
	case types.TimestampOID, types.TimestampTZOID:
		datetime = int64(6)
		if t.Mod >= 0 {
			datetime = int64(t.Mod)
		}
	}
	udtName := ""
	if info != nil {
		udtName = info.Name
	}
	return []types.Datum{
		db, r.schema, r.name,
		a.name, integer(a.num), def,
		yesNo(!a.notNull), dataType,
		charMax, charOctets,
		precision, radix,
		scale, datetime,
		nil, nil,
		nil, nil,
		nil, nil,
		nil, nil, nil,
		nil, nil, db,
		udtSchema, udtName, nil,
		nil, nil, nil,
		strconv.Itoa(int(a.num)), "NO",
		"NO", nil,
		nil, nil,
		nil, nil,
		"NO", "NEVER",
		nil, yesNo(r.kind == 'r' && r.table != nil),
	}
}
