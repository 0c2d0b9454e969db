package sql

import (
	"context"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

func TestTablePrivileges(t *testing.T) {
	e, admin := newRolesEngine(t, false)
	mustRun(t, admin, "CREATE ROLE bob LOGIN; CREATE ROLE carol LOGIN; CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1, 'x')")
	bob := newSessionOf(t, e, "bob")
	denied := func(q string) {
		t.Helper()
		execErr(t, bob, q, pgerr.InsufficientPrivilege, "permission denied for table t")
	}
	for _, tc := range []struct {
		grant   string   // run by admin first
		allowed []string // bob may
		denied  []string // bob may not
	}{
		{"", nil, []string{"SELECT * FROM t", "SELECT 1 FROM pg_class c JOIN t ON true", "INSERT INTO t VALUES (2, 'b')",
			"UPDATE t SET a = 1", "DELETE FROM t", "COPY t TO STDOUT"}},
		{"GRANT SELECT ON t TO bob", []string{"SELECT * FROM t", "SELECT (SELECT count(*) FROM t)"},
			[]string{"INSERT INTO t VALUES (2, 'b')", "DELETE FROM t"}},
		{"REVOKE ALL ON TABLE t FROM bob; GRANT INSERT, UPDATE ON t TO bob", []string{"INSERT INTO t VALUES (3, 'c')", "UPDATE t SET b = 'y'"},
			[]string{"SELECT * FROM t", "INSERT INTO t VALUES (4, 'd') RETURNING a", "UPDATE t SET a = a + 1", "UPDATE t SET b = 'z' WHERE a = 1"}},
		{"REVOKE UPDATE ON t FROM bob; GRANT SELECT, DELETE ON t TO PUBLIC", []string{"SELECT a FROM t", "DELETE FROM t WHERE a = 3"},
			[]string{"UPDATE t SET b = 'y'"}},
		{"REVOKE ALL ON t FROM PUBLIC, bob", nil, []string{"SELECT * FROM t", "INSERT INTO t VALUES (5, 'e')"}},
	} {
		if tc.grant != "" {
			mustRun(t, admin, tc.grant)
		}
		for _, q := range tc.allowed {
			mustRun(t, bob, q)
		}
		for _, q := range tc.denied {
			denied(q)
		}
	}
	// Catalog tables stay readable, but not the one with password secrets.
	mustRun(t, bob, "SELECT relname FROM pg_class WHERE relname = 't'")
	execErr(t, bob, "SELECT * FROM pg_authid", pgerr.InsufficientPrivilege, "permission denied for table pg_authid")
	// Only the owner may drop, alter, index or grant.
	execErr(t, bob, "DROP TABLE t", pgerr.InsufficientPrivilege, "must be owner of table t")
	execErr(t, bob, "CREATE INDEX ON t (a)", pgerr.InsufficientPrivilege, "must be owner of table t")
	execErr(t, bob, "ALTER TABLE t ADD COLUMN c int", pgerr.InsufficientPrivilege, "must be owner of table t")
	execErr(t, bob, "GRANT SELECT ON t TO bob", pgerr.InsufficientPrivilege, "permission denied for table t")
	mustRun(t, admin, "GRANT SELECT ON t TO bob")
	mustRun(t, bob, "GRANT SELECT ON t TO carol")
	if n := bob.TakeNotices(); len(n) != 1 || n[0].Message != `no privileges were granted for "t"` || n[0].Code != privilegeNotGranted {
		t.Fatalf("notices %v", n)
	}
	// A role owns what it creates.
	mustRun(t, bob, "CREATE TABLE mine (x int); INSERT INTO mine VALUES (1); GRANT SELECT ON mine TO carol")
	carol := newSessionOf(t, e, "carol")
	mustRun(t, carol, "SELECT * FROM mine")
	execErr(t, carol, "DELETE FROM mine", pgerr.InsufficientPrivilege, "permission denied for table mine")
	mustRun(t, admin, "DELETE FROM mine")
	e1 := execErr(t, admin, "DROP ROLE bob", pgerr.DependentObjectsStillExist, `role "bob" cannot be dropped because some objects depend on it`)
	if e1.Detail != "owner of table mine\nprivileges for table t" {
		t.Fatalf("detail %q", e1.Detail)
	}
	execErr(t, admin, "GRANT SELECT ON t TO nobody", pgerr.UndefinedObject, `role "nobody" does not exist`)
	execErr(t, admin, "GRANT USAGE ON t TO bob", invalidGrantOp, "invalid privilege type USAGE for table")
	mustRun(t, admin, "GRANT USAGE ON SCHEMA public TO bob; GRANT ALL ON ALL TABLES IN SCHEMA public TO carol")
	mustRun(t, carol, "DELETE FROM t")
	rows := mustRun(t, admin, "SELECT relacl FROM pg_class WHERE relname = 't'")
	if len(rows) != 1 || rows[0] != "{admin=arwdDxt/admin,bob=r/admin,carol=arwdDxt/admin}" {
		t.Fatalf("relacl %v", rows)
	}
}

func TestPrivilegesRecheckedForAnotherRole(t *testing.T) {
	e, admin := newRolesEngine(t, false)
	mustRun(t, admin, "CREATE ROLE bob; CREATE TABLE t (a int)")
	ctx := context.Background()
	parsed, err := admin.Parse("SELECT * FROM t")
	if err != nil {
		t.Fatal(err)
	}
	st, err := admin.Prepare(ctx, parsed[0], []types.OID{})
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, admin, "SET ROLE bob")
	_, err = admin.Execute(ctx, st, nil)
	if pgerr.CodeOf(err) != pgerr.InsufficientPrivilege {
		t.Fatalf("prepared as a superuser, run as bob: %v", err)
	}
	admin.CommitImplicit(ctx)
	mustRun(t, admin, "RESET ROLE")
	c, err := admin.Execute(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	_ = e
}

func TestHasTablePrivilege(t *testing.T) {
	e, admin := newRolesEngine(t, false)
	mustRun(t, admin, "CREATE ROLE bob; CREATE TABLE t (a int); GRANT SELECT ON t TO bob")
	for _, tc := range []struct{ query, want string }{
		{"SELECT has_table_privilege('bob', 't', 'select')", "t"},
		{"SELECT has_table_privilege('bob', 't', 'INSERT')", "f"},
		{"SELECT has_table_privilege('bob', 't', 'insert, select')", "t"},
		{"SELECT has_table_privilege('bob', 't', 'select with grant option')", "f"},
		{"SELECT has_table_privilege('t', 'delete')", "t"},
		{"SELECT has_table_privilege('bob', 'pg_class', 'select')", "t"},
		{"SELECT has_table_privilege('bob', 'pg_authid', 'select')", "f"},
		{"SELECT has_table_privilege('bob', 't'::regclass, 'select')", "t"},
	} {
		if rows := mustRun(t, admin, tc.query); len(rows) != 1 || rows[0] != tc.want {
			t.Errorf("%s = %v, want %s", tc.query, rows, tc.want)
		}
	}
	execErr(t, admin, "SELECT has_table_privilege('bob', 't', 'frob')", pgerr.InvalidParameterValue, `unrecognized privilege type: "frob"`)
	execErr(t, admin, "SELECT has_table_privilege('nobody', 't', 'select')", pgerr.UndefinedObject, `role "nobody" does not exist`)
	bob := newSessionOf(t, e, "bob")
	if rows := mustRun(t, bob, "SELECT has_table_privilege('t', 'select'), has_table_privilege('t', 'update')"); rows[0] != "t|f" {
		t.Errorf("bob's own privileges: %v", rows)
	}
}
