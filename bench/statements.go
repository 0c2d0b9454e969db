package bench

import (
	"fmt"
	"strings"
)

// The statements a run sends. Table names are checked by Validate
// (lower-case identifiers), so they need no quoting.

func createTableSQL(table string, dim int) string {
	return fmt.Sprintf("CREATE TABLE %s (id int PRIMARY KEY, embedding vector(%d))", table, dim)
}

func copySQL(table string) string {
	return fmt.Sprintf("COPY %s (id, embedding) FROM STDIN (FORMAT BINARY)", table)
}

// insertSQL inserts rows (id, embedding) pairs, parameters $1 to
// $(2*rows).
func insertSQL(table string, rows int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (id, embedding) VALUES ", table)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "($%d, $%d)", 2*i+1, 2*i+2)
	}
	return b.String()
}

func createIndexSQL(table string, m metric, hnswM, efConstruction int) string {
	return fmt.Sprintf("CREATE INDEX %s ON %s USING hnsw (embedding %s) WITH (m = %d, ef_construction = %d)",
		indexName(table), table, m.opclass(), hnswM, efConstruction)
}

// searchSQL is the query every measured search runs, its vector the
// one parameter.
func searchSQL(table string, m metric, k int) string {
	return fmt.Sprintf("SELECT id FROM %s ORDER BY embedding %s $1 LIMIT %d", table, m.operator(), k)
}

// explainSQL explains searchSQL for one query vector, given in text.
func explainSQL(table string, m metric, k int, vector []byte) string {
	return fmt.Sprintf("EXPLAIN SELECT id FROM %s ORDER BY embedding %s '%s'::vector LIMIT %d", table, m.operator(), vector, k)
}

// progressSQL reads the progress of an index build on table, where
// the server keeps pg_stat_progress_create_index.
func progressSQL(table string) string {
	return fmt.Sprintf("SELECT phase, coalesce(tuples_done, 0), coalesce(tuples_total, 0) "+
		"FROM pg_stat_progress_create_index WHERE relid = '%s'::regclass", table)
}

func indexSizeSQL(table string) string {
	return fmt.Sprintf("SELECT pg_relation_size('%s')", indexName(table))
}

// setSQL sets a run-time parameter; the value is sent as a string
// literal, which PostgreSQL accepts for settings of every type.
func setSQL(name, value string) string {
	return fmt.Sprintf("SET %s = '%s'", name, strings.ReplaceAll(value, "'", "''"))
}
