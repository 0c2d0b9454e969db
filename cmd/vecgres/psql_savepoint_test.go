package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPsqlOnErrorRollback runs a script through psql with
// ON_ERROR_ROLLBACK on, which wraps every statement of a transaction
// block in a savepoint and rolls back to it when the statement fails: the
// failing statements' rows are gone, the others' committed.
func TestPsqlOnErrorRollback(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatalf("the psql client is needed for this test and was not found: %v (install postgresql-client)", err)
	}
	conn := drvTarget(t)
	script := `\set ON_ERROR_ROLLBACK on
DROP TABLE IF EXISTS sp_psql;
CREATE TABLE sp_psql (id int PRIMARY KEY, embedding vector(2));
CREATE INDEX ON sp_psql USING hnsw (embedding vector_l2_ops);
BEGIN;
INSERT INTO sp_psql VALUES (1, '[1,1]');
INSERT INTO sp_psql VALUES (2, '[2,2]'), (1, '[0,0]');
INSERT INTO sp_psql VALUES (3, '[3,3]');
SELECT 1/0;
INSERT INTO sp_psql VALUES (4, '[0.5,0.5]');
COMMIT;
SELECT string_agg(id::text, ',') AS ids FROM (SELECT id FROM sp_psql ORDER BY id) s;
SELECT string_agg(id::text, ',') AS nearest FROM (SELECT id FROM sp_psql ORDER BY embedding <-> '[0,0]' LIMIT 10) n;
`
	path := filepath.Join(t.TempDir(), "script.sql")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runPsql(psql, conn, "-At", "-f", path)
	text := string(out)
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, text)
	}
	for _, want := range []string{"duplicate key value violates unique constraint", "division by zero", "COMMIT\n1,3,4\n4,1,3"} {
		if !strings.Contains(text, want) {
			t.Errorf("psql output lacks %q:\n%s", want, text)
		}
	}
}
