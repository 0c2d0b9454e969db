package bench

import "testing"

func TestStatements(t *testing.T) {
	tests := []struct{ got, want string }{
		{createTableSQL("items", 100), "CREATE TABLE items (id int PRIMARY KEY, embedding vector(100))"},
		{copySQL("items"), "COPY items (id, embedding) FROM STDIN (FORMAT BINARY)"},
		{insertSQL("items", 1), "INSERT INTO items (id, embedding) VALUES ($1, $2)"},
		{insertSQL("items", 3), "INSERT INTO items (id, embedding) VALUES ($1, $2), ($3, $4), ($5, $6)"},
		{createIndexSQL("items", metricCosine, 16, 64),
			"CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"},
		{createIndexSQL("t", metricL1, 8, 40), "CREATE INDEX t_embedding_idx ON t USING hnsw (embedding vector_l1_ops) WITH (m = 8, ef_construction = 40)"},
		{searchSQL("items", metricL2, 10), "SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10"},
		{searchSQL("items", metricInnerProduct, 1), "SELECT id FROM items ORDER BY embedding <#> $1 LIMIT 1"},
		{explainSQL("items", metricCosine, 5, []byte("[1,2]")), "EXPLAIN SELECT id FROM items ORDER BY embedding <=> '[1,2]'::vector LIMIT 5"},
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
