package bench

import (
	"fmt"
	"strings"
)

// The statements a run sends. Table names are checked by Validate
// (lower-case identifiers), so they need no quoting.

// createTableSQL creates the table: with attr, between id and
// embedding, for a filtered run.
func createTableSQL(table string, dim int, withAttr bool) string {
	attr := ""
	if withAttr {
		attr = "attr int NOT NULL, "
	}
	return fmt.Sprintf("CREATE TABLE %s (id int PRIMARY KEY, %sembedding vector(%d))", table, attr, dim)
}

// loadColumns are the columns a run loads, in the order of the COPY
// stream and the INSERT parameters.
func loadColumns(withAttr bool) []string {
	if withAttr {
		return []string{"id", "attr", "embedding"}
	}
	return []string{"id", "embedding"}
}

func copySQL(table string, columns []string) string {
	return fmt.Sprintf("COPY %s (%s) FROM STDIN (FORMAT BINARY)", table, strings.Join(columns, ", "))
}

// insertSQL inserts rows rows of the columns, parameters $1 to
// $(len(columns)*rows).
func insertSQL(table string, columns []string, rows int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(columns, ", "))
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range columns {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", i*len(columns)+c+1)
		}
		b.WriteByte(')')
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

// filteredSearchSQL is the query every measured filtered search runs,
// its vector the first parameter and the threshold on attr the second.
func filteredSearchSQL(table string, m metric, k int) string {
	return fmt.Sprintf("SELECT id FROM %s WHERE attr < $2 ORDER BY embedding %s $1 LIMIT %d", table, m.operator(), k)
}

// explainSQL explains searchSQL for one query vector, given in text.
func explainSQL(table string, m metric, k int, vector []byte) string {
	return fmt.Sprintf("EXPLAIN SELECT id FROM %s ORDER BY embedding %s '%s'::vector LIMIT %d", table, m.operator(), vector, k)
}

// explainFilteredSQL explains filteredSearchSQL for one query vector,
// given in text, and one threshold.
func explainFilteredSQL(table string, m metric, k int, vector []byte, threshold int32) string {
	return fmt.Sprintf("EXPLAIN SELECT id FROM %s WHERE attr < %d ORDER BY embedding %s '%s'::vector LIMIT %d",
		table, threshold, m.operator(), vector, k)
}

func createAttrIndexSQL(table string) string {
	return fmt.Sprintf("CREATE INDEX %s ON %s (attr)", attrIndexName(table), table)
}

// attrChecksumSQL returns the sum over rows of id · attr, in decimal,
// as attrChecksum computes it.
func attrChecksumSQL(table string) string {
	return fmt.Sprintf("SELECT sum(id::bigint * attr) FROM %s", table)
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
