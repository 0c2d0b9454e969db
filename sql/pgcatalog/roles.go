package pgcatalog

import (
	"slices"
	"strconv"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Roles and table privileges in the catalogs: pg_authid, pg_roles and
// pg_user list storage's roles beside the bootstrap superuser and the
// predefined roles; pg_class.relowner and relacl, and pg_tables'
// tableowner, show each table's owner and access control list.

// BootstrapNamer is what an Env offers when it knows the name of the
// bootstrap superuser (OID 10) as its session sees it: the stored role
// with that OID, or the user of a session that is that superuser without
// a stored role. Without it the name is the session's user.
type BootstrapNamer interface {
	BootstrapSuperuser() string
}

// bootstrapName is the name of role 10.
func bootstrapName(env planner.Env) string {
	if r, ok := env.Catalog().Role(BootstrapSuperuser); ok {
		return r.Name
	}
	if b, ok := env.(BootstrapNamer); ok {
		return b.BootstrapSuperuser()
	}
	return env.User()
}

// storedRole turns a storage role into a pg_authid row.
func storedRole(r *storage.Role) role {
	out := role{oid: r.OID, name: r.Name, super: r.Superuser, login: r.Login, inherit: !r.NoInherit,
		createRole: r.CreateRole, createDB: r.CreateDB, replication: r.Replication, bypassRLS: r.BypassRLS,
		connLimit: int64(r.ConnLimit), password: r.Password}
	if out.password == "" {
		out.password = r.MD5
	}
	if r.ValidUntil != nil {
		out.validUntil = *r.ValidUntil
	}
	return out
}

// superuserRole is the bootstrap superuser when no stored role has its
// OID.
func superuserRole(name string) role {
	return role{oid: BootstrapSuperuser, name: name, super: true, login: true, inherit: true, createRole: true,
		createDB: true, replication: true, bypassRLS: true, connLimit: -1}
}

// withStoredRoles returns the bootstrap superuser, the stored roles and
// the predefined ones, by OID.
func withStoredRoles(env planner.Env, predefined []role) []role {
	cat := env.Catalog()
	var out []role
	if _, ok := cat.Role(BootstrapSuperuser); !ok {
		out = append(out, superuserRole(bootstrapName(env)))
	}
	for _, r := range cat.Roles() {
		out = append(out, storedRole(r))
	}
	out = append(out, predefined...)
	slices.SortStableFunc(out, func(a, b role) int { return int(a.oid) - int(b.oid) })
	return out
}

// maskedPassword is how pg_roles shows a password: always masked, with
// a password or without, as PostgreSQL's view does.
func (r role) maskedPassword() types.Datum { return "********" }

func (r role) passwordDatum() types.Datum {
	if r.password == "" {
		return nil
	}
	return r.password
}

func (r role) validUntilDatum() types.Datum {
	if r.validUntil.IsZero() {
		return nil
	}
	return r.validUntil
}

// relationTable is the table whose owner and privileges a relation has:
// itself, or the table of an index.
func relationTable(cat *storage.Catalog, r *relation) *storage.Table {
	switch {
	case r.table != nil:
		return r.table
	case r.index != nil:
		t, _ := cat.Table(r.index.Table)
		return t
	}
	return nil
}

// withAccess sets relowner and relacl of a pg_class row.
func withAccess(env planner.Env, r *relation, row []types.Datum) []types.Datum {
	t := relationTable(env.Catalog(), r)
	if t == nil {
		return row
	}
	row[5] = oid(storage.OwnerOf(t))
	if r.table != nil && (t.ACLSet || len(t.ACL) > 0) {
		row[30] = tableACL(env, t)
	}
	return row
}

// tableACL renders a table's access control list as PostgreSQL's relacl:
// the owner's own entry first, then the grants.
func tableACL(env planner.Env, t *storage.Table) types.Datum {
	owner := roleNameOr(env, storage.OwnerOf(t))
	items := []string{owner + "=" + storage.PrivAllTable.Letters() + "/" + owner}
	for _, g := range t.ACL {
		grantee := ""
		if g.Grantee != storage.PublicOID {
			grantee = roleNameOr(env, g.Grantee)
		}
		items = append(items, grantee+"="+g.Privileges.Letters()+"/"+roleNameOr(env, g.Grantor))
	}
	return aclArray(items...)
}

// roleNameOr is the name of a role, or its OID as aclitem prints a
// dropped one.
func roleNameOr(env planner.Env, o types.OID) string {
	if name, ok := roleName(env, o); ok {
		return quoteIdent(name)
	}
	return itoa(int64(o))
}

// tableOwner is pg_tables.tableowner.
func tableOwner(env planner.Env, r *relation) string {
	if t := relationTable(env.Catalog(), r); t != nil {
		if name, ok := roleName(env, storage.OwnerOf(t)); ok {
			return name
		}
	}
	return bootstrapName(env)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
