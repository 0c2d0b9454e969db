package sql

import (
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// TestCheckViolationFields checks the fields of a CHECK violation (as
// PostgreSQL 15 sends them: code, message, DETAIL, schema, table and
// constraint names), NOT NULL being tested first, and that the checks,
// with a renamed column, are enforced again after a restart (their
// stored text is bound anew).
func TestCheckViolationFields(t *testing.T) {
	dir := t.TempDir()
	s, closeAll := openSessionAt(t, dir)
	mustRun(t, s, `CREATE TABLE ck (id int NOT NULL, n int CHECK (n >= 0), CONSTRAINT small CHECK (n + id < 100))`)
	mustRun(t, s, `INSERT INTO ck VALUES (1, 1)`)
	mustRun(t, s, `ALTER TABLE ck RENAME COLUMN n TO num`)
	closeAll()

	s, closeAll = openSessionAt(t, dir)
	defer closeAll()
	tests := []struct {
		query, message, detail, constraint string
		code                               pgerr.Code
	}{
		{`INSERT INTO ck VALUES (2, -1)`, `new row for relation "ck" violates check constraint "ck_n_check"`,
			"Failing row contains (2, -1).", "ck_n_check", pgerr.CheckViolation},
		{`INSERT INTO ck VALUES (NULL, -1)`, `null value in column "id" of relation "ck" violates not-null constraint`,
			"Failing row contains (null, -1).", "", pgerr.NotNullViolation},
		{`UPDATE ck SET num = 99`, `new row for relation "ck" violates check constraint "small"`,
			"Failing row contains (1, 99).", "small", pgerr.CheckViolation},
		{`ALTER TABLE ck ADD CONSTRAINT two CHECK (num = 2)`, `check constraint "two" of relation "ck" is violated by some row`,
			"", "two", pgerr.CheckViolation},
		{`ALTER TABLE ck DROP CONSTRAINT nope`, `constraint "nope" of relation "ck" does not exist`,
			"", "", pgerr.UndefinedObject},
	}
	for _, tc := range tests {
		e := execErr(t, s, tc.query, tc.code, tc.message)
		if e.Detail != tc.detail || e.Constraint != tc.constraint {
			t.Errorf("%s: detail %q constraint %q, want %q %q", tc.query, e.Detail, e.Constraint, tc.detail, tc.constraint)
		}
		if tc.constraint != "" && (e.Schema != "public" || e.Table != "ck") {
			t.Errorf("%s: schema %q table %q", tc.query, e.Schema, e.Table)
		}
	}
	mustRun(t, s, `INSERT INTO ck VALUES (2, 3)`)
}

// TestCopyChecks checks that COPY FROM tests each row against the table's
// CHECK constraints, and that a failing row writes none of the rows.
func TestCopyChecks(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `CREATE TABLE ck (id int, n int CHECK (n >= 0))`)
	_, err := copyIn(s, `COPY ck FROM STDIN`, "1\t5\n2\t-3\n")
	e := pgerr.From(err)
	if err == nil || e.Code != pgerr.CheckViolation || e.Message != `new row for relation "ck" violates check constraint "ck_n_check"` ||
		e.Detail != "Failing row contains (2, -3)." || e.Constraint != "ck_n_check" {
		t.Fatalf("COPY with a failing row: %v (detail %q, constraint %q)", err, e.Detail, e.Constraint)
	}
	if _, err := copyIn(s, `COPY ck FROM STDIN`, "1\t5\n2\t\\N\n"); err != nil {
		t.Fatal(err)
	}
	if got := mustRun(t, s, `SELECT count(*) FROM ck`); len(got) != 1 || got[0] != "2" {
		t.Fatalf("rows after COPY: %v, want [2]", got)
	}
}
