package storage

import (
	"context"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Roles and table privileges.
//
// A role is a descriptor under its OID in the catalog space, like tables:
// it is created, changed and dropped in a transaction and published with
// the catalog at commit. Its password is never stored: Password holds a
// SCRAM-SHA-256 secret (PostgreSQL's rolpassword format), and MD5 the
// "md5..." hash that md5 authentication needs, which sql writes only when
// the server is configured for md5.
//
// A table's owner and its access control list live in its descriptor
// (Table.Owner, Table.ACL), as pg_class.relowner and relacl, so that a
// GRANT is a schema change like any other: statements prepared before it
// are bound again, and their privileges checked again.

// BootstrapSuperuserOID is the OID of the first superuser, as PostgreSQL's
// initdb user. A Table with Owner 0 belongs to it.
const BootstrapSuperuserOID types.OID = 10

// Role describes a role (a pg_authid row).
type Role struct {
	OID       types.OID `json:"oid"`
	Name      string    `json:"name"`
	Superuser bool      `json:"superuser,omitempty"`
	Login     bool      `json:"login,omitempty"`
	// NoInherit is PostgreSQL's NOINHERIT (INHERIT is the default).
	NoInherit   bool `json:"no_inherit,omitempty"`
	CreateRole  bool `json:"create_role,omitempty"`
	CreateDB    bool `json:"create_db,omitempty"`
	Replication bool `json:"replication,omitempty"`
	BypassRLS   bool `json:"bypass_rls,omitempty"`
	// ConnLimit is the CONNECTION LIMIT; -1 means none.
	ConnLimit int32 `json:"conn_limit"`
	// Password is the SCRAM-SHA-256 secret
	// ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"), or
	// "" when the role has no password.
	Password string `json:"password,omitempty"`
	// MD5 is "md5" followed by md5(password || name) in hex, kept only
	// when md5 authentication is configured; "" otherwise.
	MD5 string `json:"md5,omitempty"`
	// ValidUntil is when the password expires; nil means never.
	ValidUntil *time.Time `json:"valid_until,omitempty"`
}

// Privileges is a set of table privileges.
type Privileges uint16

// Table privileges, in the order of PostgreSQL's aclitem letters.
const (
	PrivInsert     Privileges = 1 << iota // a
	PrivSelect                            // r
	PrivUpdate                            // w
	PrivDelete                            // d
	PrivTruncate                          // D
	PrivReferences                        // x
	PrivTrigger                           // t

	// PrivAllTable is every table privilege, what ALL grants.
	PrivAllTable = PrivInsert | PrivSelect | PrivUpdate | PrivDelete | PrivTruncate | PrivReferences | PrivTrigger
)

// aclLetters are the aclitem letters of the privileges, bit by bit.
const aclLetters = "arwdDxt"

// Letters returns the privileges as aclitem letters ("arwdDxt" for all).
func (p Privileges) Letters() string {
	out := make([]byte, 0, len(aclLetters))
	for i := range len(aclLetters) {
		if p&(1<<i) != 0 {
			out = append(out, aclLetters[i])
		}
	}
	return string(out)
}

// PublicOID stands for PUBLIC, every role, as a Grant's grantee.
const PublicOID types.OID = 0

// Grant is one entry of a table's access control list: the privileges
// Grantee (PublicOID for PUBLIC) holds, given by Grantor.
type Grant struct {
	Grantee    types.OID  `json:"grantee"`
	Grantor    types.OID  `json:"grantor"`
	Privileges Privileges `json:"privileges"`
}

// OwnerOf returns the owner of t: Table.Owner, or the bootstrap superuser
// for tables made before owners were recorded.
func OwnerOf(t *Table) types.OID {
	if t.Owner == 0 {
		return BootstrapSuperuserOID
	}
	return t.Owner
}

// Role returns the role with the given OID.
func (c *Catalog) Role(oid types.OID) (*Role, bool) {
	r, ok := c.roles[oid]
	return r, ok
}

// RoleByName returns the role called name.
func (c *Catalog) RoleByName(name string) (*Role, bool) {
	oid, ok := c.roleNames[name]
	if !ok {
		return nil, false
	}
	return c.Role(oid)
}

// Roles returns every stored role ordered by OID.
func (c *Catalog) Roles() []*Role {
	out := make([]*Role, 0, len(c.roles))
	for _, r := range c.roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

func (c *Catalog) putRole(r *Role) {
	if c.roles == nil {
		c.roles, c.roleNames = map[types.OID]*Role{}, map[string]types.OID{}
	}
	if old, ok := c.roles[r.OID]; ok {
		delete(c.roleNames, old.Name)
	}
	c.roles[r.OID] = r
	c.roleNames[r.Name] = r.OID
}

func (c *Catalog) deleteRole(oid types.OID) {
	if r, ok := c.roles[oid]; ok {
		delete(c.roleNames, r.Name)
		delete(c.roles, oid)
	}
}

// cloneRoles copies the role maps of c into n.
func (c *Catalog) cloneRoles(n *Catalog) {
	n.roles, n.roleNames = maps.Clone(c.roles), maps.Clone(c.roleNames)
}

func copyRole(r *Role) *Role {
	cp := *r
	if r.ValidUntil != nil {
		v := *r.ValidUntil
		cp.ValidUntil = &v
	}
	return &cp
}

func errRoleExists(name string) error {
	return pgerr.New(pgerr.DuplicateObject, "role \"%s\" already exists", name)
}

// CreateRole creates a role (42710 if the name or OID is taken). An OID
// of zero is replaced by a new one; the bootstrap superuser is created
// with BootstrapSuperuserOID.
func (t *Txn) CreateRole(ctx context.Context, r *Role) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	if _, ok := c.RoleByName(r.Name); ok {
		return errRoleExists(r.Name)
	}
	if _, ok := c.Role(r.OID); ok && r.OID != 0 {
		return errRoleExists(r.Name)
	}
	if err := t.ensureOID(ctx, &r.OID); err != nil {
		return err
	}
	cp := copyRole(r)
	if err := t.putDescriptor(cp.OID, descriptor{Role: cp}); err != nil {
		return err
	}
	c.putRole(cp)
	return nil
}

// AlterRole replaces the descriptor of an existing role (same OID):
// attributes, password, rename (42710 if the new name is taken).
func (t *Txn) AlterRole(ctx context.Context, r *Role) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	old, ok := c.Role(r.OID)
	if !ok {
		return pgerr.New(pgerr.UndefinedObject, "role with OID %d does not exist", r.OID)
	}
	if other, ok := c.RoleByName(r.Name); ok && other.OID != old.OID {
		return errRoleExists(r.Name)
	}
	cp := copyRole(r)
	if err := t.putDescriptor(cp.OID, descriptor{Role: cp}); err != nil {
		return err
	}
	c.putRole(cp)
	return nil
}

// DropRole drops a role. It fails with 2BP01 while the role owns a table
// or holds privileges on one, as PostgreSQL's DROP ROLE does.
func (t *Txn) DropRole(ctx context.Context, oid types.OID) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	r, ok := c.Role(oid)
	if !ok {
		return pgerr.New(pgerr.UndefinedObject, "role with OID %d does not exist", oid)
	}
	if details := c.roleDependents(oid); len(details) > 0 {
		e := pgerr.New(dependentObjectsStillExist, "role \"%s\" cannot be dropped because some objects depend on it", r.Name)
		e.Detail = joinLines(details)
		return e
	}
	if err := t.deleteDescriptor(oid); err != nil {
		return err
	}
	c.deleteRole(oid)
	return nil
}

// roleDependents describes what depends on role oid, as DROP ROLE's
// detail lists it: tables it owns, then tables it has privileges on.
func (c *Catalog) roleDependents(oid types.OID) []string {
	var owned, privileged []string
	for _, tbl := range c.Tables() {
		if OwnerOf(tbl) == oid {
			owned = append(owned, "owner of table "+tbl.Name)
		}
		if slices.ContainsFunc(tbl.ACL, func(g Grant) bool { return g.Grantee == oid }) {
			privileged = append(privileged, "privileges for table "+tbl.Name)
		}
	}
	return append(owned, privileged...)
}

func joinLines(lines []string) string {
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "\n"
		}
		out += l
	}
	return out
}

// SetTableAccess replaces the owner and access control list of an
// existing table: GRANT, REVOKE and ALTER TABLE ... OWNER TO. A non-nil
// acl, even empty, marks the list as set (Table.ACLSet); a nil one keeps
// the mark as it was.
func (t *Txn) SetTableAccess(ctx context.Context, table types.OID, owner types.OID, acl []Grant) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	tbl, ok := c.Table(table)
	if !ok {
		return pgerr.New(pgerr.UndefinedTable, "relation with OID %d does not exist", table)
	}
	cp := copyTable(tbl)
	cp.Owner = owner
	cp.ACL = slices.Clone(acl)
	cp.ACLSet = tbl.ACLSet || acl != nil
	if err := t.putDescriptor(cp.OID, descriptor{Table: cp}); err != nil {
		return err
	}
	c.putTable(cp)
	return nil
}
