package storage

import (
	"testing"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

func TestPrivilegesLetters(t *testing.T) {
	for _, tc := range []struct {
		p    Privileges
		want string
	}{
		{0, ""},
		{PrivSelect, "r"},
		{PrivSelect | PrivInsert, "ar"},
		{PrivDelete | PrivTruncate, "dD"},
		{PrivAllTable, "arwdDxt"},
	} {
		if got := tc.p.Letters(); got != tc.want {
			t.Errorf("%b.Letters() = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestRolesPersist(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	until := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tx := db.Begin()
	su := &Role{OID: BootstrapSuperuserOID, Name: "admin", Superuser: true, Login: true, ConnLimit: -1, Password: "SCRAM-SHA-256$4096:c2FsdA==$a:b"}
	must(t, tx.CreateRole(bg, su))
	alice := &Role{Name: "alice", Login: true, ConnLimit: 3, ValidUntil: &until}
	must(t, tx.CreateRole(bg, alice))
	if alice.OID < types.FirstUserOID {
		t.Fatalf("alice got OID %d", alice.OID)
	}
	tbl := &Table{Schema: "public", Name: "t", Owner: alice.OID, Columns: []Column{{Name: "a", Type: types.TInt4, Attnum: 1}}}
	must(t, tx.CreateTable(bg, tbl))
	must(t, tx.SetTableAccess(bg, tbl.OID, alice.OID, []Grant{{Grantee: PublicOID, Grantor: alice.OID, Privileges: PrivSelect}}))
	must(t, tx.Commit())
	must(t, db.Close())

	db = openDir(t, dir)
	defer db.Close()
	c := db.Catalog()
	got, ok := c.RoleByName("alice")
	if !ok || got.OID != alice.OID || got.ConnLimit != 3 || got.ValidUntil == nil || !got.ValidUntil.Equal(until) {
		t.Fatalf("alice after reopen: %+v", got)
	}
	if r, ok := c.Role(BootstrapSuperuserOID); !ok || r.Name != "admin" || !r.Superuser || r.Password != su.Password {
		t.Fatalf("superuser after reopen: %+v", r)
	}
	if n := len(c.Roles()); n != 2 {
		t.Fatalf("%d roles after reopen", n)
	}
	tt, _ := c.TableByName("public", "t")
	if OwnerOf(tt) != alice.OID || len(tt.ACL) != 1 || tt.ACL[0].Privileges != PrivSelect {
		t.Fatalf("table access after reopen: owner %d acl %+v", tt.Owner, tt.ACL)
	}
}

func TestRoleErrors(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	defer tx.Rollback()
	bob := &Role{Name: "bob", ConnLimit: -1}
	must(t, tx.CreateRole(bg, bob))
	wantCode(t, tx.CreateRole(bg, &Role{Name: "bob"}), pgerr.DuplicateObject)
	carol := &Role{Name: "carol"}
	must(t, tx.CreateRole(bg, carol))
	renamed := *carol
	renamed.Name = "bob"
	wantCode(t, tx.AlterRole(bg, &renamed), pgerr.DuplicateObject)
	renamed.Name = "dave"
	must(t, tx.AlterRole(bg, &renamed))
	if _, ok := tx.Catalog().RoleByName("carol"); ok {
		t.Fatal("carol still found after rename")
	}
	if r, ok := tx.Catalog().RoleByName("dave"); !ok || r.OID != carol.OID {
		t.Fatal("dave not found after rename")
	}

	tbl := &Table{Schema: "public", Name: "owned", Owner: bob.OID, Columns: []Column{{Name: "a", Type: types.TInt4, Attnum: 1}}}
	must(t, tx.CreateTable(bg, tbl))
	other := &Table{Schema: "public", Name: "shared", Columns: []Column{{Name: "a", Type: types.TInt4, Attnum: 1}}}
	must(t, tx.CreateTable(bg, other))
	must(t, tx.SetTableAccess(bg, other.OID, 0, []Grant{{Grantee: bob.OID, Grantor: BootstrapSuperuserOID, Privileges: PrivSelect}}))
	e := wantCode(t, tx.DropRole(bg, bob.OID), pgerr.DependentObjectsStillExist)
	if e.Message != `role "bob" cannot be dropped because some objects depend on it` ||
		e.Detail != "owner of table owned\nprivileges for table shared" {
		t.Fatalf("drop role error: %q / %q", e.Message, e.Detail)
	}
	must(t, tx.DropTable(bg, tbl.OID))
	must(t, tx.SetTableAccess(bg, other.OID, 0, nil))
	must(t, tx.DropRole(bg, bob.OID))
	if _, ok := tx.Catalog().RoleByName("bob"); ok {
		t.Fatal("bob still there after DROP")
	}
	wantCode(t, tx.DropRole(bg, bob.OID), pgerr.UndefinedObject)
}

func TestRolesInvisibleUntilCommit(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	must(t, tx.CreateRole(bg, &Role{Name: "eve"}))
	if _, ok := db.Catalog().RoleByName("eve"); ok {
		t.Fatal("uncommitted role visible")
	}
	tx.Rollback()
	if _, ok := db.Catalog().RoleByName("eve"); ok {
		t.Fatal("rolled back role visible")
	}
}
