package bench

import "testing"

func TestStatements(t *testing.T) {
	tests := []struct{ got, want string }{
		{createTableSQL("items", 100, false), "CREATE TABLE items (id int PRIMARY KEY, embedding vector(100))"},
		{createTableSQL("items", 3, true), "CREATE TABLE items (id int PRIMARY KEY, attr int NOT NULL, embedding vector(3))"},
		{copySQL("items", loadColumns(false)), "COPY items (id, embedding) FROM STDIN (FORMAT BINARY)"},
		{copySQL("items", loadColumns(true)), "COPY items (id, attr, embedding) FROM STDIN (FORMAT BINARY)"},
		{insertSQL("items", loadColumns(false), 1), "INSERT INTO items (id, embedding) VALUES ($1, $2)"},
		{insertSQL("items", loadColumns(false), 3), "INSERT INTO items (id, embedding) VALUES ($1, $2), ($3, $4), ($5, $6)"},
		{insertSQL("items", loadColumns(true), 2), "INSERT INTO items (id, attr, embedding) VALUES ($1, $2, $3), ($4, $5, $6)"},
		{createIndexSQL("items", metricCosine, 16, 64),
			"CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"},
		{createIndexSQL("t", metricL1, 8, 40), "CREATE INDEX t_embedding_idx ON t USING hnsw (embedding vector_l1_ops) WITH (m = 8, ef_construction = 40)"},
		{searchSQL("items", metricL2, 10), "SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10"},
		{searchSQL("items", metricInnerProduct, 1), "SELECT id FROM items ORDER BY embedding <#> $1 LIMIT 1"},
		{filteredSearchSQL("items", metricCosine, 10), "SELECT id FROM items WHERE attr < $2 ORDER BY embedding <=> $1 LIMIT 10"},
		{explainSQL("items", metricCosine, 5, []byte("[1,2]")), "EXPLAIN SELECT id FROM items ORDER BY embedding <=> '[1,2]'::vector LIMIT 5"},
		{explainFilteredSQL("items", metricL2, 5, []byte("[1,2]"), 150),
			"EXPLAIN SELECT id FROM items WHERE attr < 150 ORDER BY embedding <-> '[1,2]'::vector LIMIT 5"},
		{createAttrIndexSQL("items"), "CREATE INDEX items_attr_idx ON items (attr)"},
		{attrChecksumSQL("items"), "SELECT sum(id::bigint * attr) FROM items"},
		{progressSQL("items"), "SELECT phase, coalesce(tuples_done, 0), coalesce(tuples_total, 0) FROM pg_stat_progress_create_index WHERE relid = 'items'::regclass"},
		{indexSizeSQL("items"), "SELECT pg_relation_size('items_embedding_idx')"},
		{setSQL("maintenance_work_mem", "1GB"), "SET maintenance_work_mem = '1GB'"},
		{setSQL("search_path", "o'brien"), "SET search_path = 'o''brien'"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got  %s\nwant %s", tt.got, tt.want)
		}
	}
}
