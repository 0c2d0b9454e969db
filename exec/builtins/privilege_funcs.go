package builtins

import (
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// PrivilegeChecker is what an Env offers when it knows roles and table
// privileges (sql's statement environment does): has_table_privilege
// answers from it. Without it every privilege is held, as by the one
// superuser of a vecgres without roles.
type PrivilegeChecker interface {
	// RoleOID resolves a role name (42704 when there is none).
	RoleOID(name string) (types.OID, error)
	// CurrentRoleOID is the role of current_user.
	CurrentRoleOID() (types.OID, error)
	// HasTablePrivilege reports whether role holds any of privs, a
	// has_table_privilege privilege list ("SELECT, INSERT"), on table.
	HasTablePrivilege(role, table types.OID, privs string) (bool, error)
}

// SessionUserer is what an Env offers when session_user can differ from
// current_user (after SET ROLE); without it both are Env.User.
type SessionUserer interface {
	SessionUser() string
}

func sessionUser(env planner.Env) string {
	if s, ok := env.(SessionUserer); ok {
		return s.SessionUser()
	}
	return env.User()
}

// hasTablePrivilege implements has_table_privilege([role,] table, privs):
// the role as a name or an OID, the table as a name or an OID.
func hasTablePrivilege(env planner.Env, a []types.Datum) (types.Datum, error) {
	pc, ok := env.(PrivilegeChecker)
	if !ok {
		return true, nil
	}
	var role types.OID
	var err error
	if len(a) == 3 {
		switch v := a[0].(type) {
		case string:
			role, err = pc.RoleOID(v)
		case int64:
			role = types.OID(v)
		}
		a = a[1:]
	} else {
		role, err = pc.CurrentRoleOID()
	}
	if err != nil {
		return nil, err
	}
	var table types.OID
	switch v := a[0].(type) {
	case string:
		if table, err = tableOID(env, v); err != nil {
			return nil, err
		}
	case int64:
		table = types.OID(v)
	}
	privs, _ := a[1].(string)
	return pc.HasTablePrivilege(role, table, privs)
}

// tableOID resolves a table name as regclass input does, catalog tables
// included.
func tableOID(env planner.Env, name string) (types.OID, error) {
	if f := env.Format(); f != nil && f.Namer != nil {
		return f.Namer.RegOID(types.RegclassOID, name)
	}
	return env.RelationOID(name)
}
