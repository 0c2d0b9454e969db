package sql

import (
	"context"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgcatalog"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Table privileges, as PostgreSQL checks them: the owner of a table (the
// role that created it) and superusers may do anything with it; other
// roles what GRANT gave them or PUBLIC. The binder checks them when it
// resolves a table for reading (SELECT), inserting, updating or deleting,
// before anything runs; the catalog tables stay readable by everyone,
// except pg_authid, which holds password secrets. A statement prepared as
// one role is bound again when it runs as another (Statement.asRole), and
// after any GRANT or REVOKE, which change the catalog.
//
// What vecgres does not check: schema privileges (any role may create
// tables in any schema, as before PostgreSQL 15), sequence privileges
// (nextval works for anyone who may insert), column privileges and
// grant options (refused), and role membership (refused).

// SQLSTATEs of GRANT and REVOKE warnings.
const (
	privilegeNotGranted pgerr.Code = "01007"
	privilegeNotRevoked pgerr.Code = "01006"
	invalidGrantOp      pgerr.Code = "0LP01"
)

// access is what the binder checks privileges against; a nil *access
// (a superuser) allows everything.
type access struct {
	id identity
}

// access returns the checker for the session's current role, nil when
// that role is a superuser.
func (s *Session) access(cat *storage.Catalog) *access {
	id := s.current(cat)
	if id.super {
		return nil
	}
	return &access{id: id}
}

// tablePrivileges returns what id holds on t.
func tablePrivileges(t *storage.Table, id identity) storage.Privileges {
	if id.super || id.known && storage.OwnerOf(t) == id.oid {
		return storage.PrivAllTable
	}
	var have storage.Privileges
	for _, g := range t.ACL {
		if g.Grantee == storage.PublicOID || id.known && g.Grantee == id.oid {
			have |= g.Privileges
		}
	}
	return have
}

// errPermissionDenied is PostgreSQL's aclcheck_error for a table.
func errPermissionDenied(t *storage.Table) error {
	return pgerr.New(pgerr.InsufficientPrivilege, "permission denied for table %s", t.Name)
}

// checkTable fails with 42501 unless the current role holds need on t.
func (b *binder) checkTable(t *storage.Table, need storage.Privileges) error {
	if b.acc == nil || tablePrivileges(t, b.acc.id)&need == need {
		return nil
	}
	return errPermissionDenied(t)
}

// checkOwner fails with 42501 unless the current role owns t (or is a
// superuser): DROP, ALTER, CREATE INDEX, VACUUM.
func (b *binder) checkOwner(t *storage.Table) error {
	if b.acc == nil || b.acc.id.known && storage.OwnerOf(t) == b.acc.id.oid {
		return nil
	}
	return pgerr.New(pgerr.InsufficientPrivilege, "must be owner of table %s", t.Name)
}

// checkVirtual guards the catalog tables that PostgreSQL does not let
// everyone read: pg_authid.
func (b *binder) checkVirtual(vt *pgcatalog.Table) error {
	if b.acc == nil || vt.Name != "pg_authid" {
		return nil
	}
	return pgerr.New(pgerr.InsufficientPrivilege, "permission denied for table %s", vt.Name)
}

// checkReads adds SELECT to a write's privileges when the statement reads
// the table's columns: in WHERE, RETURNING or the new values.
func (b *binder) checkReads(t *storage.Table, need storage.Privileges, where *pg_query.Node, returning []*pg_query.Node, values []planner.Expr) error {
	if where != nil || len(returning) > 0 || slices.ContainsFunc(values, readsColumns) {
		need |= storage.PrivSelect
	}
	return b.checkTable(t, need)
}

// readsColumns reports whether e refers to a column of its input.
func readsColumns(e planner.Expr) bool {
	found := false
	planner.Walk(e, func(x planner.Expr) bool {
		if _, ok := x.(*planner.ColRef); ok {
			found = true
		}
		return !found
	})
	return found
}

// checkRelationOwner guards DROP of a table or an index (whose owner is
// its table's).
func (s *Session) checkRelationOwner(cat *storage.Catalog, oid types.OID) error {
	acc := s.access(cat)
	if acc == nil {
		return nil
	}
	b := &binder{acc: acc}
	if t, ok := cat.Table(oid); ok {
		return b.checkOwner(t)
	}
	if idx, ok := cat.Index(oid); ok {
		if t, ok := cat.Table(idx.Table); ok && b.checkOwner(t) != nil {
			return pgerr.New(pgerr.InsufficientPrivilege, "must be owner of index %s", idx.Name)
		}
	}
	return nil
}

// GRANT and REVOKE.

// tablePrivilegeNames maps privilege keywords to privileges.
var tablePrivilegeNames = map[string]storage.Privileges{
	"select": storage.PrivSelect, "insert": storage.PrivInsert, "update": storage.PrivUpdate,
	"delete": storage.PrivDelete, "truncate": storage.PrivTruncate, "references": storage.PrivReferences,
	"trigger": storage.PrivTrigger,
}

// grantPrivileges reads the privilege list of GRANT/REVOKE on tables;
// none means ALL.
func grantPrivileges(list []*pg_query.Node) (storage.Privileges, error) {
	if len(list) == 0 {
		return storage.PrivAllTable, nil
	}
	var privs storage.Privileges
	for _, n := range list {
		ap := n.GetAccessPriv()
		if ap == nil {
			continue
		}
		if len(ap.Cols) > 0 {
			return 0, pgerr.New(pgerr.FeatureNotSupported, "column privileges are not supported by vecgres yet")
		}
		p, ok := tablePrivilegeNames[ap.PrivName]
		if !ok {
			return 0, pgerr.New(invalidGrantOp, "invalid privilege type %s for table", strings.ToUpper(ap.PrivName))
		}
		privs |= p
	}
	return privs, nil
}

// grant runs GRANT and REVOKE on tables. On schemas, sequences, databases
// and functions, whose privileges vecgres does not check (everyone holds
// them), GRANT is accepted and does nothing; REVOKE is refused, since it
// could not take anything away.
func (s *Session) grant(ctx context.Context, gs *pg_query.GrantStmt) error {
	if gs.Objtype != pg_query.ObjectType_OBJECT_TABLE {
		if gs.IsGrant {
			return nil
		}
		return pgerr.New(pgerr.FeatureNotSupported, "REVOKE on %s is not supported by vecgres: it does not check those privileges",
			strings.ToLower(strings.TrimPrefix(gs.Objtype.String(), "OBJECT_"))+"s")
	}
	if gs.GrantOption {
		return pgerr.New(pgerr.FeatureNotSupported, "grant options are not supported by vecgres yet")
	}
	privs, err := grantPrivileges(gs.Privileges)
	if err != nil {
		return err
	}
	cat := s.txn.Catalog()
	grantees, err := s.grantees(cat, gs.Grantees)
	if err != nil {
		return err
	}
	tables, err := s.grantTables(cat, gs)
	if err != nil {
		return err
	}
	me := s.current(cat)
	for _, t := range tables {
		if err := s.grantOn(ctx, t, me, grantees, privs, gs.IsGrant); err != nil {
			return err
		}
	}
	return nil
}

// grantees resolves the roles of GRANT ... TO / REVOKE ... FROM.
func (s *Session) grantees(cat *storage.Catalog, list []*pg_query.Node) ([]types.OID, error) {
	var out []types.OID
	for _, n := range list {
		rs := n.GetRoleSpec()
		if rs == nil {
			continue
		}
		if rs.Roletype == pg_query.RoleSpecType_ROLESPEC_PUBLIC {
			out = append(out, storage.PublicOID)
			continue
		}
		id := s.resolveRole(cat, s.roleSpecName(rs))
		if !id.known {
			return nil, errRoleMissing(id.name)
		}
		out = append(out, id.oid)
	}
	return out, nil
}

// grantTables resolves the tables of GRANT ... ON [TABLE] t, ... or ON ALL
// TABLES IN SCHEMA s, ...
func (s *Session) grantTables(cat *storage.Catalog, gs *pg_query.GrantStmt) ([]*storage.Table, error) {
	var out []*storage.Table
	if gs.Targtype == pg_query.GrantTargetType_ACL_TARGET_ALL_IN_SCHEMA {
		for _, n := range gs.Objects {
			schema := n.GetString_().GetSval()
			if _, ok := cat.Schema(schema); !ok {
				return nil, pgerr.New(pgerr.InvalidSchemaName, "schema \"%s\" does not exist", schema)
			}
			for _, t := range cat.Tables() {
				if t.Schema == schema {
					out = append(out, t)
				}
			}
		}
		return out, nil
	}
	if gs.Targtype != pg_query.GrantTargetType_ACL_TARGET_OBJECT {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "ALTER DEFAULT PRIVILEGES is not supported by vecgres yet")
	}
	b := &binder{cat: cat, searchPath: s.searchPath()}
	for _, n := range gs.Objects {
		rv := n.GetRangeVar()
		if rv == nil {
			continue
		}
		t, err := b.resolveTable(rv)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// grantOn applies one GRANT or REVOKE to one table. Only its owner (or a
// superuser) may: another role that holds privileges on it gets
// PostgreSQL's warning that nothing was granted, one that holds none an
// error.
func (s *Session) grantOn(ctx context.Context, t *storage.Table, me identity, grantees []types.OID, privs storage.Privileges, isGrant bool) error {
	owner := storage.OwnerOf(t)
	if !me.super && !(me.known && me.oid == owner) {
		if tablePrivileges(t, me) == 0 {
			return errPermissionDenied(t)
		}
		if isGrant {
			s.warning(privilegeNotGranted, "no privileges were granted for \"%s\"", t.Name)
		} else {
			s.warning(privilegeNotRevoked, "no privileges could be revoked for \"%s\"", t.Name)
		}
		return nil
	}
	acl := append([]storage.Grant{}, t.ACL...)
	for _, g := range grantees {
		if g == owner {
			continue // the owner holds every privilege
		}
		acl = changeGrant(acl, g, owner, privs, isGrant)
	}
	if t.ACLSet && slices.Equal(acl, t.ACL) {
		return nil
	}
	// Even a GRANT or REVOKE that changes nothing makes the list
	// explicit, as in PostgreSQL.
	return s.txn.SetTableAccess(ctx, t.OID, t.Owner, acl)
}

// changeGrant adds or removes privs of grantee in acl.
func changeGrant(acl []storage.Grant, grantee, grantor types.OID, privs storage.Privileges, isGrant bool) []storage.Grant {
	i := slices.IndexFunc(acl, func(g storage.Grant) bool { return g.Grantee == grantee })
	switch {
	case i < 0 && isGrant:
		return append(acl, storage.Grant{Grantee: grantee, Grantor: grantor, Privileges: privs})
	case i < 0:
		return acl
	case isGrant:
		acl[i].Privileges |= privs
	default:
		acl[i].Privileges &^= privs
		if acl[i].Privileges == 0 {
			acl = slices.Delete(acl, i, i+1)
		}
	}
	return acl
}

// has_table_privilege, through builtins.PrivilegeChecker.

// RoleOID resolves a role name for has_table_privilege (42704 if none).
func (e *stmtEnv) RoleOID(name string) (types.OID, error) {
	id := e.s.resolveRole(e.s.catalog(), name)
	if !id.known {
		return 0, errRoleMissing(name)
	}
	return id.oid, nil
}

// CurrentRoleOID is the current user's role.
func (e *stmtEnv) CurrentRoleOID() (types.OID, error) {
	return e.RoleOID(e.s.currentUser())
}

// HasTablePrivilege answers has_table_privilege(role, table, privs) from
// the same data the binder checks. privs is a comma-separated list, any
// of which suffices; WITH GRANT OPTION is held only by owners and
// superusers. Catalog tables are readable by everyone but pg_authid.
func (e *stmtEnv) HasTablePrivilege(role, table types.OID, privs string) (bool, error) {
	need, grantOption, err := parsePrivilegeText(privs)
	if err != nil {
		return false, err
	}
	cat := e.s.catalog()
	id := e.s.roleByOID(cat, role)
	t, ok := cat.Table(table)
	if !ok {
		return virtualTablePrivilege(id, table, need), nil
	}
	if grantOption && !(id.super || id.known && storage.OwnerOf(t) == id.oid) {
		return false, nil
	}
	return tablePrivileges(t, id)&need != 0, nil
}

// virtualTablePrivilege is what a role holds on a catalog table: SELECT,
// apart from pg_authid, and nothing more unless it is a superuser.
func virtualTablePrivilege(id identity, table types.OID, need storage.Privileges) bool {
	if id.super {
		return true
	}
	vt, ok := pgcatalog.LookupOID(table)
	return ok && vt.Name != "pg_authid" && need&storage.PrivSelect != 0
}

// roleByOID resolves a role by OID; the bootstrap superuser OID is a
// superuser even when no stored role has it.
func (s *Session) roleByOID(cat *storage.Catalog, oid types.OID) identity {
	if r, ok := cat.Role(oid); ok {
		return identity{oid: r.OID, name: r.Name, super: r.Superuser, createRole: r.CreateRole || r.Superuser, known: true}
	}
	if oid == storage.BootstrapSuperuserOID {
		return identity{oid: oid, super: true, createRole: true, known: true}
	}
	return identity{oid: oid}
}

// parsePrivilegeText reads has_table_privilege's privilege list.
func parsePrivilegeText(text string) (storage.Privileges, bool, error) {
	var need storage.Privileges
	grantOption := false
	for _, part := range strings.Split(text, ",") {
		word := strings.ToLower(strings.Join(strings.Fields(part), " "))
		if w, ok := strings.CutSuffix(word, " with grant option"); ok {
			word, grantOption = w, true
		}
		p, ok := tablePrivilegeNames[word]
		if !ok {
			return 0, false, pgerr.New(pgerr.InvalidParameterValue, "unrecognized privilege type: \"%s\"", strings.TrimSpace(part))
		}
		need |= p
	}
	return need, grantOption, nil
}

// copyPrivilege is what COPY needs: INSERT to load, SELECT to unload.
func copyPrivilege(from bool) storage.Privileges {
	if from {
		return storage.PrivInsert
	}
	return storage.PrivSelect
}

// setExprs returns the new values of an UPDATE's SET items.
func setExprs(sets []planner.SetItem) []planner.Expr {
	out := make([]planner.Expr, len(sets))
	for i, s := range sets {
		out[i] = s.Expr
	}
	return out
}

// checkSelect fails with 42501 unless the current role may read t.
func (b *binder) checkSelect(t *storage.Table) error { return b.checkTable(t, storage.PrivSelect) }

// SessionUser is session_user, for builtins.SessionUserer.
func (e *stmtEnv) SessionUser() string { return e.s.sessionUser() }

// changeOwner runs ALTER TABLE ... OWNER TO role. The caller has checked
// that the current role owns the table; a role that is not a superuser
// may only give it to itself (vecgres has no role membership). Grants by
// the old owner become the new owner's, and the new owner's own grants
// merge into its ownership, as PostgreSQL's aclnewowner does.
func (s *Session) changeOwner(ctx context.Context, t *storage.Table, spec *pg_query.RoleSpec) error {
	cat := s.txn.Catalog()
	var target identity
	if spec.Roletype == pg_query.RoleSpecType_ROLESPEC_PUBLIC {
		return errRoleMissing("public")
	}
	target = s.resolveRole(cat, s.roleSpecName(spec))
	if !target.known {
		return errRoleMissing(target.name)
	}
	old := storage.OwnerOf(t)
	if target.oid == old {
		return nil
	}
	if me := s.current(cat); !me.super && !(me.known && me.oid == target.oid) {
		return pgerr.New(pgerr.InsufficientPrivilege, "must be member of role \"%s\"", target.name)
	}
	var acl []storage.Grant
	for _, g := range t.ACL {
		if g.Grantor == old {
			g.Grantor = target.oid
		}
		if g.Grantee == old {
			g.Grantee = target.oid
		}
		if g.Grantee == target.oid {
			continue
		}
		if i := slices.IndexFunc(acl, func(x storage.Grant) bool { return x.Grantee == g.Grantee && x.Grantor == g.Grantor }); i >= 0 {
			acl[i].Privileges |= g.Privileges
			continue
		}
		acl = append(acl, g)
	}
	return s.txn.SetTableAccess(ctx, t.OID, target.oid, acl)
}
