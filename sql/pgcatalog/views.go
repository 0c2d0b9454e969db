package pgcatalog

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// viewTables are pg_catalog's views that have rows in vecgres.
func viewTables() []*Table {
	return []*Table{
		{
			Schema: "pg_catalog", Name: "pg_tables", OID: 12033, Kind: 'v',
			Columns: []Column{
				col("schemaname", types.NameOID), col("tablename", types.NameOID), col("tableowner", types.NameOID),
				col("tablespace", types.NameOID), col("hasindexes", types.BoolOID), col("hasrules", types.BoolOID),
				col("hastriggers", types.BoolOID), col("rowsecurity", types.BoolOID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				var rows [][]types.Datum
				for _, r := range relations(env) {
					if r.kind == 'r' {
						rows = append(rows, []types.Datum{r.schema, r.name, tableOwner(env, r), nil, r.hasIndex, false, false, false})
					}
				}
				return rows, nil
			},
		},
		{
			Schema: "pg_catalog", Name: "pg_indexes", OID: 12043, Kind: 'v',
			Columns: []Column{
				col("schemaname", types.NameOID), col("tablename", types.NameOID), col("indexname", types.NameOID),
				col("tablespace", types.NameOID), col("indexdef", types.TextOID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				cat := env.Catalog()
				var rows [][]types.Datum
				for _, idx := range cat.Indexes() {
					tbl, ok := cat.Table(idx.Table)
					if !ok {
						continue
					}
					rows = append(rows, []types.Datum{idx.Schema, tbl.Name, idx.Name, nil, indexDef(env, idx, 0, false)})
				}
				return rows, nil
			},
		},
		{
			Schema: "pg_catalog", Name: "pg_sequences", OID: 12048, Kind: 'v',
			Columns: []Column{
				col("schemaname", types.NameOID), col("sequencename", types.NameOID), col("sequenceowner", types.NameOID),
				col("data_type", types.RegtypeOID), col("start_value", types.Int8OID), col("min_value", types.Int8OID),
				col("max_value", types.Int8OID), col("increment_by", types.Int8OID), col("cycle", types.BoolOID),
				col("cache_size", types.Int8OID), col("last_value", types.Int8OID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				var rows [][]types.Datum
				for _, s := range env.Catalog().Sequences() {
					// last_value is NULL until nextval has returned it, and
					// when the session cannot read the sequence's state.
					var last types.Datum
					if sr, ok := env.(SequenceStater); ok {
						v, called, err := sr.SequenceState(s.OID)
						if err != nil {
							return nil, err
						}
						if called {
							last = v
						}
					}
					rows = append(rows, []types.Datum{s.Schema, s.Name, superuser(env), oid(s.Type.OID), s.Start, s.Min,
						s.Max, s.Increment, s.Cycle, sequenceCache(s), last})
				}
				return rows, nil
			},
		},
		{
			Schema: "pg_catalog", Name: "pg_views", OID: 12028, Kind: 'v',
			Columns: []Column{
				col("schemaname", types.NameOID), col("viewname", types.NameOID), col("viewowner", types.NameOID),
				col("definition", types.TextOID),
			},
		},
		{
			Schema: "pg_catalog", Name: "pg_matviews", OID: 12038, Kind: 'v',
			Columns: []Column{
				col("schemaname", types.NameOID), col("matviewname", types.NameOID), col("matviewowner", types.NameOID),
				col("tablespace", types.NameOID), col("hasindexes", types.BoolOID), col("ispopulated", types.BoolOID),
				col("definition", types.TextOID),
			},
		},
		{
			Schema: "pg_catalog", Name: "pg_stat_user_tables", OID: 12161, Kind: 'v',
			Columns: []Column{
				col("relid", types.OidOID), col("schemaname", types.NameOID), col("relname", types.NameOID),
				col("seq_scan", types.Int8OID), col("seq_tup_read", types.Int8OID), col("idx_scan", types.Int8OID),
				col("idx_tup_fetch", types.Int8OID), col("n_tup_ins", types.Int8OID), col("n_tup_upd", types.Int8OID),
				col("n_tup_del", types.Int8OID), col("n_tup_hot_upd", types.Int8OID), col("n_live_tup", types.Int8OID),
				col("n_dead_tup", types.Int8OID), col("n_mod_since_analyze", types.Int8OID),
				col("n_ins_since_vacuum", types.Int8OID), col("last_vacuum", types.TimestampTZOID),
				col("last_autovacuum", types.TimestampTZOID), col("last_analyze", types.TimestampTZOID),
				col("last_autoanalyze", types.TimestampTZOID), col("vacuum_count", types.Int8OID),
				col("autovacuum_count", types.Int8OID), col("analyze_count", types.Int8OID), col("autoanalyze_count", types.Int8OID),
			},
			Rows: func(env planner.Env) ([][]types.Datum, error) {
				// vecgres keeps no statistics: every counter is zero.
				var rows [][]types.Datum
				for _, t := range env.Catalog().Tables() {
					row := []types.Datum{oid(t.OID), t.Schema, t.Name}
					for range 12 {
						row = append(row, int64(0))
					}
					row = append(row, nil, nil, nil, nil)
					for range 4 {
						row = append(row, int64(0))
					}
					rows = append(rows, row)
				}
				return rows, nil
			},
		},
	}
}
