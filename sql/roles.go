package sql

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"golang.org/x/text/unicode/norm"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Roles, as PostgreSQL has them: CREATE/ALTER/DROP ROLE (and USER,
// GROUP), passwords kept only as SCRAM-SHA-256 secrets (and, when md5
// authentication is configured, the md5 hash it needs), the identity of a
// session (session_user, current_user, SET ROLE, SET SESSION
// AUTHORIZATION), and what the server needs to authenticate a login
// (Engine.LookupLogin).
//
// A data directory without any role serves every user name: a client
// whose user is not a stored role is the bootstrap superuser (OID 10)
// under the name it gave, which is how vecgres behaved before it had
// roles, and what the server's default rules allow only over loopback and
// only while no password is configured (server/hba.go). A client whose
// user is a stored role is that role, with its privileges.

// SCRAM parameters, PostgreSQL's defaults (scram_iterations,
// SCRAM_DEFAULT_SALT_LEN).
const (
	scramIterations = 4096
	scramSaltLen    = 16
	scramKeyLen     = sha256.Size
)

// SCRAMSecret is a parsed SCRAM-SHA-256 secret, PostgreSQL's
// pg_authid.rolpassword format
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" with the
// binary parts in base64.
type SCRAMSecret struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte
	ServerKey  []byte
}

// ParseSCRAMSecret parses a SCRAM-SHA-256 secret.
func ParseSCRAMSecret(s string) (*SCRAMSecret, bool) {
	scheme, rest, ok := strings.Cut(s, "$")
	if !ok || scheme != "SCRAM-SHA-256" {
		return nil, false
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, false
	}
	iterStr, saltStr, ok1 := strings.Cut(params, ":")
	storedStr, serverStr, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return nil, false
	}
	iter, err := strconv.Atoi(iterStr)
	if err != nil || iter <= 0 {
		return nil, false
	}
	salt, err1 := base64.StdEncoding.DecodeString(saltStr)
	stored, err2 := base64.StdEncoding.DecodeString(storedStr)
	server, err3 := base64.StdEncoding.DecodeString(serverStr)
	if err1 != nil || err2 != nil || err3 != nil || len(stored) != scramKeyLen || len(server) != scramKeyLen {
		return nil, false
	}
	return &SCRAMSecret{Iterations: iter, Salt: salt, StoredKey: stored, ServerKey: server}, true
}

// String renders the secret as pg_authid.rolpassword holds it.
func (sec *SCRAMSecret) String() string {
	b := base64.StdEncoding
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", sec.Iterations, b.EncodeToString(sec.Salt),
		b.EncodeToString(sec.StoredKey), b.EncodeToString(sec.ServerKey))
}

// NewSCRAMSecret derives the secret of password with the given salt and
// iteration count (RFC 5802: SaltedPassword = Hi(password, salt, i),
// StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey =
// HMAC(SaltedPassword, "Server Key")).
func NewSCRAMSecret(password string, salt []byte, iterations int) *SCRAMSecret {
	salted := SCRAMSaltedPassword(password, salt, iterations)
	clientKey := SCRAMHMAC(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	return &SCRAMSecret{Iterations: iterations, Salt: salt, StoredKey: stored[:], ServerKey: SCRAMHMAC(salted, "Server Key")}
}

// SCRAMSaltedPassword is Hi(Normalize(password), salt, i): PBKDF2 with
// HMAC-SHA-256, the password prepared as PostgreSQL prepares it.
func SCRAMSaltedPassword(password string, salt []byte, iterations int) []byte {
	key, err := pbkdf2.Key(sha256.New, SASLPrep(password), salt, iterations, scramKeyLen)
	if err != nil {
		// Only FIPS mode refuses parameters, and these are fixed.
		panic(err)
	}
	return key
}

// SCRAMHMAC is HMAC-SHA-256(key, msg).
func SCRAMHMAC(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// SASLPrep prepares a password as PostgreSQL's pg_saslprep does before
// hashing it: a valid UTF-8 password is prepared with the SASLprep profile
// of stringprep (RFC 4013: non-ASCII spaces become spaces, characters
// "commonly mapped to nothing" are removed, NFKC normalisation); one that
// is not valid UTF-8, or that holds prohibited or unassigned characters,
// is used as it is. Go's Unicode tables are newer than stringprep's 3.2,
// so a password with characters assigned since is normalised here where
// PostgreSQL would use it raw.
func SASLPrep(password string) string {
	if !utf8.ValidString(password) {
		return password
	}
	ascii := true
	for i := 0; i < len(password); i++ {
		if password[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		// Unchanged by SASLprep, or (with control characters) refused by
		// it and so used as it is.
		return password
	}
	mapped := make([]rune, 0, len(password))
	for _, r := range password {
		switch {
		case mappedToNothing(r):
		case r != ' ' && unicode.Is(unicode.Zs, r):
			mapped = append(mapped, ' ')
		default:
			mapped = append(mapped, r)
		}
	}
	out := norm.NFKC.String(string(mapped))
	if strings.ContainsFunc(out, saslProhibited) || !bidiOK(out) {
		return password
	}
	return out
}

// mappedToNothing is stringprep's table B.1.
func mappedToNothing(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x1806, r >= 0x180B && r <= 0x180D, r >= 0x200B && r <= 0x200D,
		r == 0x2060, r >= 0xFE00 && r <= 0xFE0F, r == 0xFEFF:
		return true
	}
	return false
}

// saslProhibited covers SASLprep's prohibited output (tables C.1.2 to
// C.9) and unassigned code points.
func saslProhibited(r rune) bool {
	switch {
	case r != ' ' && unicode.Is(unicode.Zs, r), // C.1.2
		unicode.IsControl(r),                           // C.2
		unicode.Is(unicode.Co, r),                      // C.3 private use
		r&0xFFFE == 0xFFFE, r >= 0xFDD0 && r <= 0xFDEF, // C.4 non-characters
		r >= 0xFFF9 && r <= 0xFFFD, // C.6
		r >= 0x2FF0 && r <= 0x2FFB, // C.7
		r == 0x0340, r == 0x0341, r == 0x200E, r == 0x200F, r >= 0x202A && r <= 0x202E,
		r >= 0x206A && r <= 0x206F,                 // C.8
		r == 0xE0001, r >= 0xE0020 && r <= 0xE007F: // C.9
		return true
	}
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs, unicode.Cf)
}

// bidiOK is stringprep's bidirectional check (RFC 3454 section 6): a
// string with right-to-left characters holds no left-to-right ones and
// starts and ends with a right-to-left character.
func bidiOK(s string) bool {
	isRTL := func(r rune) bool {
		return unicode.In(r, unicode.Hebrew, unicode.Arabic, unicode.Syriac, unicode.Thaana)
	}
	rs := []rune(s)
	hasRTL := slices.ContainsFunc(rs, isRTL)
	if !hasRTL {
		return true
	}
	if slices.ContainsFunc(rs, func(r rune) bool { return unicode.IsLetter(r) && !isRTL(r) }) {
		return false
	}
	return isRTL(rs[0]) && isRTL(rs[len(rs)-1])
}

// newSCRAMSecret makes the secret of a new password with a random salt.
func newSCRAMSecret(password string) string {
	salt := make([]byte, scramSaltLen)
	rand.Read(salt)
	return NewSCRAMSecret(password, salt, scramIterations).String()
}

// VerifyPassword reports whether password matches the secret, as
// PostgreSQL's scram_verify_plain_password (for the "password" method).
func (sec *SCRAMSecret) VerifyPassword(password string) bool {
	salted := SCRAMSaltedPassword(password, sec.Salt, sec.Iterations)
	return hmac.Equal(SCRAMHMAC(salted, "Server Key"), sec.ServerKey)
}

// MD5Secret is PostgreSQL's md5 password hash: "md5" followed by the hex
// md5 of the password and the user name.
func MD5Secret(password, user string) string {
	sum := md5.Sum([]byte(password + user))
	return "md5" + hex.EncodeToString(sum[:])
}

// MD5Response is what a client answers to an md5 challenge with salt,
// given the stored hash: "md5" + md5(hex part of the hash + salt).
func MD5Response(secret string, salt [4]byte) string {
	sum := md5.Sum(append([]byte(strings.TrimPrefix(secret, "md5")), salt[:]...))
	return "md5" + hex.EncodeToString(sum[:])
}

// isMD5Secret reports whether s is an md5 hash as PostgreSQL stores it.
func isMD5Secret(s string) bool {
	if len(s) != 35 || !strings.HasPrefix(s, "md5") {
		return false
	}
	_, err := hex.DecodeString(s[3:])
	return err == nil
}

// LoginRole is what authenticating a user needs to know of its role.
type LoginRole struct {
	Name      string
	Superuser bool
	CanLogin  bool
	// SCRAM is the role's SCRAM-SHA-256 secret and MD5 its md5 hash; ""
	// when it has none.
	SCRAM string
	MD5   string
	// ValidUntil is when the password expires; nil means never.
	ValidUntil *time.Time
}

// HasPassword reports whether the role can authenticate with a password.
func (r LoginRole) HasPassword() bool { return r.SCRAM != "" || r.MD5 != "" }

// PasswordExpired reports whether the role's password has expired at now.
func (r LoginRole) PasswordExpired(now time.Time) bool {
	return r.ValidUntil != nil && !now.Before(*r.ValidUntil)
}

// CheckPassword reports whether password is the role's, against its SCRAM
// secret or else its md5 hash (PostgreSQL's plain_crypt_verify).
func (r LoginRole) CheckPassword(password string) bool {
	if sec, ok := ParseSCRAMSecret(r.SCRAM); ok {
		return sec.VerifyPassword(password)
	}
	if r.MD5 != "" {
		return subtle.ConstantTimeCompare([]byte(MD5Secret(password, r.Name)), []byte(r.MD5)) == 1
	}
	return false
}

// LookupLogin returns the stored role called name, for authentication.
func (e *Engine) LookupLogin(name string) (LoginRole, bool) {
	r, ok := e.db.Catalog().RoleByName(name)
	if !ok {
		return LoginRole{}, false
	}
	return LoginRole{Name: r.Name, Superuser: r.Superuser, CanLogin: r.Login, SCRAM: r.Password, MD5: r.MD5,
		ValidUntil: r.ValidUntil}, true
}

// HasPasswords reports whether any stored role has a password: the server
// then asks every client for one by default.
func (e *Engine) HasPasswords() bool {
	for _, r := range e.db.Catalog().Roles() {
		if r.Password != "" || r.MD5 != "" {
			return true
		}
	}
	return false
}

// SuperuserStatus says what EnsureSuperuser found or did.
type SuperuserStatus int

// What EnsureSuperuser did.
const (
	// SuperuserCreated: the role did not exist and was created.
	SuperuserCreated SuperuserStatus = iota
	// SuperuserExists: the role exists, is a superuser, and the password
	// given is its password.
	SuperuserExists
	// SuperuserPasswordDiffers: the role exists but the password given
	// is not its password, which was left as it is.
	SuperuserPasswordDiffers
	// SuperuserNotSuper: a role of that name exists without SUPERUSER.
	SuperuserNotSuper
)

// EnsureSuperuser creates the initial superuser, a LOGIN role with every
// attribute and the given password, unless a role of that name exists.
// An existing role is left as it is (ALTER ROLE changes it): the status
// says whether it matches. The first superuser gets OID 10, as
// PostgreSQL's bootstrap superuser.
func (e *Engine) EnsureSuperuser(ctx context.Context, name, password string) (SuperuserStatus, error) {
	if r, ok := e.LookupLogin(name); ok {
		switch {
		case !r.Superuser:
			return SuperuserNotSuper, nil
		case !r.CheckPassword(password):
			return SuperuserPasswordDiffers, nil
		}
		return SuperuserExists, nil
	}
	if err := checkRoleName(name); err != nil {
		return 0, err
	}
	tx := e.db.Begin()
	defer tx.Rollback()
	r := &storage.Role{Name: name, Superuser: true, Login: true, CreateRole: true, CreateDB: true, Replication: true,
		BypassRLS: true, ConnLimit: -1}
	if _, taken := tx.Catalog().Role(storage.BootstrapSuperuserOID); !taken {
		r.OID = storage.BootstrapSuperuserOID
	}
	e.setPassword(r, password)
	if err := tx.CreateRole(ctx, r); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	e.log.Info().Str("role", name).Msg("superuser created")
	return SuperuserCreated, nil
}

// setPassword stores password in r as PostgreSQL stores it: a password
// given already hashed (a SCRAM secret, or an md5 hash) is kept as it is;
// a clear one becomes a SCRAM secret, plus its md5 hash when the engine
// is configured for md5 authentication.
func (e *Engine) setPassword(r *storage.Role, password string) {
	r.Password, r.MD5 = "", ""
	switch {
	case password == "":
	case isMD5Secret(password):
		r.MD5 = password
	default:
		if _, ok := ParseSCRAMSecret(password); ok {
			r.Password = password
			return
		}
		r.Password = newSCRAMSecret(password)
		if e.md5Passwords {
			r.MD5 = MD5Secret(password, r.Name)
		}
	}
}

// identity is a resolved role: who a session is, or acts as.
type identity struct {
	oid   types.OID
	name  string
	super bool
	// createRole is the CREATEROLE attribute.
	createRole bool
	// known is false for a role that no longer exists: it has no
	// privileges at all.
	known bool
}

// sessionAuth is who a session authenticated as.
type sessionAuth struct {
	// login is the user name of the startup packet.
	login string
	// unstored says the login user was not a stored role when the
	// session started: it is the bootstrap superuser under that name.
	unstored bool
}

// newSessionAuth records who a new session's user is.
func (e *Engine) newSessionAuth(user string) sessionAuth {
	_, stored := e.db.Catalog().RoleByName(user)
	return sessionAuth{login: user, unstored: !stored}
}

// resolveRole returns the identity of the role called name in cat. The
// login user of a session that started as the bootstrap superuser is that
// superuser while no stored role takes its name.
func (s *Session) resolveRole(cat *storage.Catalog, name string) identity {
	if r, ok := cat.RoleByName(name); ok {
		return identity{oid: r.OID, name: r.Name, super: r.Superuser, createRole: r.CreateRole || r.Superuser, known: true}
	}
	if s.auth.unstored && name == s.auth.login {
		return identity{oid: storage.BootstrapSuperuserOID, name: name, super: true, createRole: true, known: true}
	}
	return identity{name: name}
}

// sessionUser is session_user: the login user or, after SET SESSION
// AUTHORIZATION, the user it named.
func (s *Session) sessionUser() string {
	if v := s.values["session_authorization"]; v != "" {
		return v
	}
	return s.user
}

// currentUser is current_user: the role of SET ROLE, or the session user.
func (s *Session) currentUser() string {
	if v, ok := s.values["role"]; ok && v != "none" {
		return v
	}
	return s.sessionUser()
}

// current is the identity privileges are checked against.
func (s *Session) current(cat *storage.Catalog) identity {
	return s.resolveRole(cat, s.currentUser())
}

// currentRoleOID identifies the current role for cached statements: a
// statement bound as one role is bound again for another.
func (s *Session) currentRoleOID() types.OID {
	id := s.current(s.catalog())
	if !id.known {
		return 0
	}
	return id.oid
}

// authenticatedSuper reports whether the user the session logged in as
// is a superuser, which SET SESSION AUTHORIZATION requires.
func (s *Session) authenticatedSuper() bool {
	return s.resolveRole(s.catalog(), s.auth.login).super
}

// isRoleSetting reports whether name is one of the settings that change
// who the session is.
func isRoleSetting(name string) bool {
	switch strings.ToLower(name) {
	case "role", "session_authorization":
		return true
	}
	return false
}

// setRoleSetting runs SET ROLE and SET SESSION AUTHORIZATION, which check
// the role and the right to become it before they change the setting.
// They are transactional like any SET.
func (s *Session) setRoleSetting(name, value string, local, inTxn bool) (string, error) {
	cat := s.catalog()
	lname := strings.ToLower(name)
	if lname == "role" {
		if strings.EqualFold(value, "none") {
			s.assignRole("role", "none", local, inTxn)
			return "none", nil
		}
		target := s.resolveRole(cat, value)
		if !target.known {
			return "", pgerr.New(pgerr.InvalidParameterValue, "role \"%s\" does not exist", value)
		}
		sess := s.resolveRole(cat, s.sessionUser())
		if !sess.super && target.name != sess.name {
			return "", pgerr.New(pgerr.InsufficientPrivilege, "permission denied to set role \"%s\"", value)
		}
		s.assignRole("role", target.name, local, inTxn)
		return target.name, nil
	}
	target := s.resolveRole(cat, value)
	if !target.known {
		return "", pgerr.New(pgerr.InvalidParameterValue, "role \"%s\" does not exist", value)
	}
	if !s.authenticatedSuper() && target.name != s.auth.login {
		return "", pgerr.New(pgerr.InsufficientPrivilege, "permission denied to set session authorization")
	}
	s.assignRole("session_authorization", target.name, local, inTxn)
	s.assignRole("role", "none", local, inTxn)
	return target.name, nil
}

// resetRoleSetting runs RESET ROLE and RESET SESSION AUTHORIZATION.
func (s *Session) resetRoleSetting(name string, inTxn bool) error {
	if strings.EqualFold(name, "role") {
		s.assignRole("role", "none", false, inTxn)
		return nil
	}
	s.assignRole("session_authorization", s.auth.login, false, inTxn)
	s.assignRole("role", "none", false, inTxn)
	return nil
}

// resetSessionAuthorization is DISCARD ALL's SET SESSION AUTHORIZATION
// DEFAULT, which also ends any SET ROLE.
func (s *Session) resetSessionAuthorization() {
	s.assignRole("session_authorization", s.auth.login, false, false)
	s.assignRole("role", "none", false, false)
}

func (s *Session) assignRole(name, value string, local, inTxn bool) {
	if st, ok := s.e.settings[name]; ok {
		s.assign(st, value, local, inTxn)
	}
}

// derivedSetting computes the settings that follow from who the session
// is: is_superuser.
func (s *Session) derivedSetting(st *setting) (string, bool) {
	if st.name != "is_superuser" {
		return "", false
	}
	if s.current(s.catalog()).super {
		return "on", true
	}
	return "off", true
}

// Role statements.

// bindRoleStatement prepares CREATE/ALTER/DROP ROLE, ALTER ROLE RENAME
// and GRANT/REVOKE, and reports whether n was one of them.
func (s *Session) bindRoleStatement(st *Statement, n *pg_query.Node) (bool, error) {
	run := func(tag string, f func(ctx context.Context, s *Session) error) {
		st.kind, st.tag = kindWrite, tag
		st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
			return nil, tag, f(ctx, s)
		}
	}
	switch x := n.Node.(type) {
	case *pg_query.Node_CreateRoleStmt:
		cs := x.CreateRoleStmt
		run("CREATE ROLE", func(ctx context.Context, s *Session) error { return s.createRole(ctx, cs) })
	case *pg_query.Node_AlterRoleStmt:
		as := x.AlterRoleStmt
		run("ALTER ROLE", func(ctx context.Context, s *Session) error { return s.alterRole(ctx, as) })
	case *pg_query.Node_DropRoleStmt:
		ds := x.DropRoleStmt
		run("DROP ROLE", func(ctx context.Context, s *Session) error { return s.dropRoles(ctx, ds) })
	case *pg_query.Node_RenameStmt:
		rs := x.RenameStmt
		if rs.RenameType != pg_query.ObjectType_OBJECT_ROLE {
			return false, nil
		}
		run("ALTER ROLE", func(ctx context.Context, s *Session) error { return s.renameRole(ctx, rs) })
	case *pg_query.Node_GrantStmt:
		gs := x.GrantStmt
		tag := "GRANT"
		if !gs.IsGrant {
			tag = "REVOKE"
		}
		run(tag, func(ctx context.Context, s *Session) error { return s.grant(ctx, gs) })
	case *pg_query.Node_GrantRoleStmt:
		return true, pgerr.New(pgerr.FeatureNotSupported, "role membership (GRANT role TO role) is not supported by vecgres yet")
	default:
		return false, nil
	}
	return true, nil
}

// roleOptions are the options of CREATE ROLE and ALTER ROLE.
type roleOptions struct {
	password                                                         *string // nil: not given; "" clears
	passwordGiven                                                    bool
	login, super, inherit, createRole, createDB, replication, bypass *bool
	connLimit                                                        *int32
	validUntil                                                       *string
}

// parseRoleOptions reads the DefElems of CREATE/ALTER ROLE.
func parseRoleOptions(opts []*pg_query.Node) (*roleOptions, error) {
	o := &roleOptions{}
	for _, n := range opts {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		flag := func() *bool { b := d.Arg.GetBoolean().GetBoolval(); return &b }
		switch d.Defname {
		case "password":
			o.passwordGiven = true
			if sv := d.Arg.GetString_(); sv != nil {
				p := sv.Sval
				o.password = &p
			}
		case "canlogin":
			o.login = flag()
		case "superuser":
			o.super = flag()
		case "inherit":
			o.inherit = flag()
		case "createrole":
			o.createRole = flag()
		case "createdb":
			o.createDB = flag()
		case "isreplication":
			o.replication = flag()
		case "bypassrls":
			o.bypass = flag()
		case "connectionlimit":
			n := d.Arg.GetInteger().GetIval()
			if n < -1 {
				return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid connection limit: %d", n)
			}
			o.connLimit = &n
		case "validUntil":
			v := d.Arg.GetString_().GetSval()
			o.validUntil = &v
		case "sysid":
			// PostgreSQL ignores it with a notice.
		default:
			return nil, pgerr.New(pgerr.FeatureNotSupported, "role option %s is not supported by vecgres yet", strings.ToUpper(d.Defname))
		}
	}
	return o, nil
}

// apply sets the options on r.
func (o *roleOptions) apply(s *Session, r *storage.Role) error {
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.Login, o.login)
	set(&r.Superuser, o.super)
	set(&r.CreateRole, o.createRole)
	set(&r.CreateDB, o.createDB)
	set(&r.Replication, o.replication)
	set(&r.BypassRLS, o.bypass)
	if o.inherit != nil {
		r.NoInherit = !*o.inherit
	}
	if o.connLimit != nil {
		r.ConnLimit = *o.connLimit
	}
	if o.validUntil != nil {
		t, err := parseValidUntil(s, *o.validUntil)
		if err != nil {
			return err
		}
		r.ValidUntil = t
	}
	if o.passwordGiven {
		p := ""
		if o.password != nil {
			p = *o.password
		}
		if o.password != nil && p == "" {
			s.notice(pgerr.SuccessfulCompletion, "empty string is not a valid password, clearing password")
		}
		s.e.setPassword(r, p)
	}
	return nil
}

// parseValidUntil reads VALID UNTIL; 'infinity' means never.
func parseValidUntil(s *Session, v string) (*time.Time, error) {
	if strings.EqualFold(strings.TrimSpace(v), "infinity") {
		return nil, nil
	}
	d, err := types.ParseTextWith(types.TTimestampTZ, v, s.literalFormat())
	if err != nil {
		return nil, err
	}
	t, ok := d.(time.Time)
	if !ok || t.Equal(types.InfinityTime) {
		return nil, nil
	}
	return &t, nil
}

// checkRoleName refuses the names PostgreSQL reserves.
func checkRoleName(name string) error {
	switch {
	case strings.HasPrefix(name, "pg_"):
		return pgerr.New(pgerr.ReservedName, "role name \"%s\" is reserved", name).
			WithDetail("Role names starting with \"pg_\" are reserved.")
	case name == "public", name == "none":
		return pgerr.New(pgerr.ReservedName, "role name \"%s\" is reserved", name)
	}
	return nil
}

func errRoleMissing(name string) error {
	return pgerr.New(pgerr.UndefinedObject, "role \"%s\" does not exist", name)
}

// createRole runs CREATE ROLE / USER / GROUP.
func (s *Session) createRole(ctx context.Context, cs *pg_query.CreateRoleStmt) error {
	cat := s.txn.Catalog()
	me := s.current(cat)
	if !me.createRole {
		return pgerr.New(pgerr.InsufficientPrivilege, "permission denied to create role").
			WithDetail("Only roles with the CREATEROLE attribute may create roles.")
	}
	if err := checkRoleName(cs.Role); err != nil {
		return err
	}
	opts, err := parseRoleOptions(cs.Options)
	if err != nil {
		return err
	}
	if err := checkCreateAttributes(me, opts); err != nil {
		return err
	}
	if _, ok := cat.RoleByName(cs.Role); ok {
		return pgerr.New(pgerr.DuplicateObject, "role \"%s\" already exists", cs.Role)
	}
	r := &storage.Role{Name: cs.Role, ConnLimit: -1, Login: cs.StmtType == pg_query.RoleStmtType_ROLESTMT_USER}
	if err := opts.apply(s, r); err != nil {
		return err
	}
	return s.txn.CreateRole(ctx, r)
}

// privilegedAttributes are the attributes only a superuser may give or
// change, as in PostgreSQL 16.
func privilegedAttributes(o *roleOptions) []struct {
	name string
	set  *bool
} {
	return []struct {
		name string
		set  *bool
	}{{"SUPERUSER", o.super}, {"REPLICATION", o.replication}, {"BYPASSRLS", o.bypass}}
}

// checkCreateAttributes refuses SUPERUSER, REPLICATION and BYPASSRLS in
// CREATE ROLE to roles that are not superusers.
func checkCreateAttributes(me identity, o *roleOptions) error {
	if me.super {
		return nil
	}
	for _, a := range privilegedAttributes(o) {
		if a.set != nil && *a.set {
			return pgerr.New(pgerr.InsufficientPrivilege, "permission denied to create role").
				WithDetail("Only roles with the %s attribute may create roles with the %s attribute.", a.name, a.name)
		}
	}
	return nil
}

// checkAlterAttributes refuses changes of SUPERUSER, REPLICATION and
// BYPASSRLS by roles that are not superusers.
func checkAlterAttributes(me identity, o *roleOptions) error {
	if me.super {
		return nil
	}
	for _, a := range privilegedAttributes(o) {
		if a.set != nil {
			return pgerr.New(pgerr.InsufficientPrivilege, "permission denied to alter role").
				WithDetail("Only roles with the %s attribute may change the %s attribute.", a.name, a.name)
		}
	}
	return nil
}

// roleSpecName resolves a RoleSpec of ALTER ROLE or GRANT to a role name.
func (s *Session) roleSpecName(rs *pg_query.RoleSpec) string {
	switch rs.Roletype {
	case pg_query.RoleSpecType_ROLESPEC_CURRENT_USER, pg_query.RoleSpecType_ROLESPEC_CURRENT_ROLE:
		return s.currentUser()
	case pg_query.RoleSpecType_ROLESPEC_SESSION_USER:
		return s.sessionUser()
	}
	return rs.Rolename
}

// alterRole runs ALTER ROLE / USER ... [WITH] options.
func (s *Session) alterRole(ctx context.Context, as *pg_query.AlterRoleStmt) error {
	cat := s.txn.Catalog()
	name := s.roleSpecName(as.Role)
	old, ok := cat.RoleByName(name)
	if !ok {
		return errRoleMissing(name)
	}
	opts, err := parseRoleOptions(as.Options)
	if err != nil {
		return err
	}
	if err := s.checkAlterRole(s.current(cat), old, opts); err != nil {
		return err
	}
	r := *old
	if err := opts.apply(s, &r); err != nil {
		return err
	}
	return s.txn.AlterRole(ctx, &r)
}

// checkAlterRole applies PostgreSQL 16's rules for ALTER ROLE, without
// ADMIN options: superusers alter anyone; CREATEROLE roles alter roles
// that are not superusers; anyone may change their own password.
func (s *Session) checkAlterRole(me identity, target *storage.Role, o *roleOptions) error {
	if me.super {
		return nil
	}
	denied := func(format string, args ...any) error {
		return pgerr.New(pgerr.InsufficientPrivilege, "permission denied to alter role").WithDetail(format, args...)
	}
	if target.Superuser {
		return denied("Only roles with the %s attribute may alter roles with the %s attribute.", "SUPERUSER", "SUPERUSER")
	}
	if err := checkAlterAttributes(me, o); err != nil {
		return err
	}
	onlyPassword := o.login == nil && o.inherit == nil && o.createRole == nil && o.createDB == nil &&
		o.connLimit == nil && o.validUntil == nil
	if me.createRole || target.OID == me.oid && onlyPassword {
		return nil
	}
	return denied("Only roles with the %s attribute and the %s option on role \"%s\" may alter this role.", "CREATEROLE", "ADMIN", target.Name)
}

// renameRole runs ALTER ROLE name RENAME TO new.
func (s *Session) renameRole(ctx context.Context, rs *pg_query.RenameStmt) error {
	cat := s.txn.Catalog()
	old, ok := cat.RoleByName(rs.Subname)
	if !ok {
		return errRoleMissing(rs.Subname)
	}
	switch {
	case old.Name == s.sessionUser():
		return pgerr.New(pgerr.FeatureNotSupported, "session user cannot be renamed")
	case old.Name == s.currentUser():
		return pgerr.New(pgerr.FeatureNotSupported, "current user cannot be renamed")
	}
	if err := checkRoleName(rs.Newname); err != nil {
		return err
	}
	if _, taken := cat.RoleByName(rs.Newname); taken {
		return pgerr.New(pgerr.DuplicateObject, "role \"%s\" already exists", rs.Newname)
	}
	me := s.current(cat)
	if !me.createRole || old.Superuser && !me.super {
		return pgerr.New(pgerr.InsufficientPrivilege, "permission denied to rename role").
			WithDetail("Only roles with the %s attribute and the %s option on role \"%s\" may rename this role.", "CREATEROLE", "ADMIN", old.Name)
	}
	r := *old
	r.Name = rs.Newname
	if r.MD5 != "" {
		// The md5 hash is salted with the name.
		r.MD5 = ""
		s.notice(pgerr.SuccessfulCompletion, "MD5 password cleared because of role rename")
	}
	return s.txn.AlterRole(ctx, &r)
}

// dropRoles runs DROP ROLE [IF EXISTS] name, ...
func (s *Session) dropRoles(ctx context.Context, ds *pg_query.DropRoleStmt) error {
	for _, n := range ds.Roles {
		rs := n.GetRoleSpec()
		if rs == nil {
			continue
		}
		if err := s.dropRole(ctx, s.roleSpecName(rs), ds.MissingOk); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) dropRole(ctx context.Context, name string, missingOK bool) error {
	cat := s.txn.Catalog()
	me := s.current(cat)
	if !me.createRole {
		return pgerr.New(pgerr.InsufficientPrivilege, "permission denied to drop role").
			WithDetail("Only roles with the %s attribute and the %s option on the target roles may drop roles.", "CREATEROLE", "ADMIN")
	}
	r, ok := cat.RoleByName(name)
	if !ok {
		if missingOK {
			s.notice(pgerr.SuccessfulCompletion, "role \"%s\" does not exist, skipping", name)
			return nil
		}
		return errRoleMissing(name)
	}
	switch {
	case r.Name == s.currentUser():
		return pgerr.New(pgerr.ObjectInUse, "current user cannot be dropped")
	case r.Name == s.sessionUser():
		return pgerr.New(pgerr.ObjectInUse, "session user cannot be dropped")
	case r.OID == storage.BootstrapSuperuserOID:
		return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop role %s because it is required by the database system", r.Name)
	case r.Superuser && !me.super:
		return pgerr.New(pgerr.InsufficientPrivilege, "permission denied to drop role").
			WithDetail("Only roles with the %s attribute may drop roles with the %s attribute.", "SUPERUSER", "SUPERUSER")
	}
	return s.txn.DropRole(ctx, r.OID)
}

// BootstrapSuperuser names role 10 in the catalogs when no stored role
// has that OID (pgcatalog.BootstrapNamer): the user of a session that is
// that superuser, else PostgreSQL's usual name for it.
func (e *stmtEnv) BootstrapSuperuser() string {
	if e.s.auth.unstored {
		return e.s.auth.login
	}
	return "postgres"
}
