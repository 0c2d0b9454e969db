package sql

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/storage"
)

// Secrets made by PostgreSQL 15 (CREATE ROLE ... PASSWORD, then
// pg_authid.rolpassword).
var postgresSecrets = []struct {
	password, secret string
}{
	{"pencil", "SCRAM-SHA-256$4096:yGYENDh7UVWPKMSraHY1Qg==$/Xa8DT8HpGlLNmrd6GH9eNvBvhpN4nt93vyPxbz+JfM=:HwD5kggUakayGRQ6VSW/zHHlMTW9no3DnCyqXDIvwfY="},
	// SASLprep maps U+210C to H: the secret must follow.
	{"pässwörd ℌ", "SCRAM-SHA-256$4096:YG4Y4HDdVaPJ5UW4bRiWaQ==$TKJgWs/wUB0j7B9HAN3W97beLw9J7NAJlGfih8cR6WI=:BkyOjIHC3y2X1JCz36rukH04aYVcUJefen/hye/0z2A="},
}

func TestSCRAMSecretMatchesPostgreSQL(t *testing.T) {
	for _, tc := range postgresSecrets {
		sec, ok := ParseSCRAMSecret(tc.secret)
		if !ok {
			t.Fatalf("cannot parse %s", tc.secret)
		}
		if got := NewSCRAMSecret(tc.password, sec.Salt, sec.Iterations).String(); got != tc.secret {
			t.Errorf("secret of %q:\n got %s\nwant %s", tc.password, got, tc.secret)
		}
		if !sec.VerifyPassword(tc.password) {
			t.Errorf("VerifyPassword(%q) = false", tc.password)
		}
		if sec.VerifyPassword(tc.password + "x") {
			t.Errorf("VerifyPassword accepts a wrong password")
		}
	}
}

// RFC 7677's example: SaltedPassword of "pencil" with its salt gives the
// ClientKey and ServerKey behind its ClientProof and ServerSignature.
func TestSCRAMKeysRFC7677(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	sec := NewSCRAMSecret("pencil", salt, 4096)
	authMessage := "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	if got := base64.StdEncoding.EncodeToString(SCRAMHMAC(sec.ServerKey, authMessage)); got != "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Errorf("ServerSignature = %s", got)
	}
	proof, _ := base64.StdEncoding.DecodeString("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	sig := SCRAMHMAC(sec.StoredKey, authMessage)
	clientKey := make([]byte, len(proof))
	for i := range proof {
		clientKey[i] = proof[i] ^ sig[i]
	}
	if got := NewSCRAMSecret("pencil", salt, 4096).StoredKey; string(sha256Sum(clientKey)) != string(got) {
		t.Errorf("ClientProof does not lead back to StoredKey")
	}
}

func TestParseSCRAMSecretRejects(t *testing.T) {
	good := postgresSecrets[0].secret
	for _, s := range []string{
		"", "pencil", "md5cf170e54b3b535a2f036094707c1d126",
		strings.Replace(good, "SCRAM-SHA-256", "SCRAM-SHA-1", 1),
		strings.Replace(good, "4096", "x", 1),
		strings.Replace(good, "4096", "0", 1),
		good[:len(good)-4],
		strings.Replace(good, "$", ":", 1),
	} {
		if _, ok := ParseSCRAMSecret(s); ok {
			t.Errorf("ParseSCRAMSecret(%q) accepted", s)
		}
	}
}

func TestMD5Secrets(t *testing.T) {
	if got := MD5Secret("pencil", "vg_vec2"); got != "md5cf170e54b3b535a2f036094707c1d126" {
		t.Fatalf("MD5Secret = %s", got)
	}
	// A client hashes the hash again with the salt (libpq's pg_md5_encrypt
	// twice); an empty salt check keeps the arithmetic honest.
	salt := [4]byte{1, 2, 3, 4}
	r := MD5Response("md5cf170e54b3b535a2f036094707c1d126", salt)
	if len(r) != 35 || !strings.HasPrefix(r, "md5") || r == MD5Response("md5cf170e54b3b535a2f036094707c1d126", [4]byte{}) {
		t.Fatalf("MD5Response = %s", r)
	}
	role := LoginRole{Name: "vg_vec2", MD5: "md5cf170e54b3b535a2f036094707c1d126"}
	if !role.CheckPassword("pencil") || role.CheckPassword("Pencil") {
		t.Fatal("CheckPassword with an md5 hash")
	}
}

// newRolesEngine opens an in-memory engine and a superuser session on it.
func newRolesEngine(t *testing.T, md5 bool) (*Engine, *Session) {
	t.Helper()
	db, err := storage.Open(storage.Options{InMemory: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e, err := NewEngine(EngineConfig{DB: db, Logger: zerolog.Nop(), MD5Passwords: md5})
	if err != nil {
		t.Fatal(err)
	}
	return e, newSessionOf(t, e, "admin")
}

func newSessionOf(t *testing.T, e *Engine, user string) *Session {
	t.Helper()
	s, err := e.NewSession(SessionParams{User: user, Database: "db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// mustRun runs statements that must succeed.
func mustRun(t *testing.T, s *Session, query string) []string {
	t.Helper()
	rows, _, err := runQuery(s, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return rows
}

// execErr runs a statement that must fail with code and message.
func execErr(t *testing.T, s *Session, query string, code pgerr.Code, message string) *pgerr.Error {
	t.Helper()
	_, _, err := runQuery(s, query)
	if err == nil {
		t.Fatalf("%s: no error, want %s", query, code)
	}
	e := pgerr.From(err)
	if e.Code != code || e.Message != message {
		t.Fatalf("%s: got %s %q, want %s %q", query, e.Code, e.Message, code, message)
	}
	return e
}

func TestRoleDDL(t *testing.T) {
	e, admin := newRolesEngine(t, false)
	mustRun(t, admin, "CREATE USER alice PASSWORD 'secret'")
	mustRun(t, admin, "CREATE ROLE reader")
	mustRun(t, admin, "ALTER ROLE reader WITH LOGIN CONNECTION LIMIT 5 VALID UNTIL '2100-01-01'")
	execErr(t, admin, "CREATE ROLE alice", pgerr.DuplicateObject, `role "alice" already exists`)
	execErr(t, admin, "ALTER ROLE nobody PASSWORD 'x'", pgerr.UndefinedObject, `role "nobody" does not exist`)
	execErr(t, admin, "DROP ROLE nobody", pgerr.UndefinedObject, `role "nobody" does not exist`)
	mustRun(t, admin, "DROP ROLE IF EXISTS nobody")
	if n := admin.TakeNotices(); len(n) != 1 || n[0].Message != `role "nobody" does not exist, skipping` {
		t.Fatalf("notices %v", n)
	}
	e1 := execErr(t, admin, "CREATE ROLE pg_x", pgerr.ReservedName, `role name "pg_x" is reserved`)
	if e1.Detail != `Role names starting with "pg_" are reserved.` {
		t.Fatalf("detail %q", e1.Detail)
	}

	alice, ok := e.LookupLogin("alice")
	if !ok || !alice.CanLogin || alice.Superuser || !strings.HasPrefix(alice.SCRAM, "SCRAM-SHA-256$4096:") || alice.MD5 != "" {
		t.Fatalf("alice: %+v", alice)
	}
	if !alice.CheckPassword("secret") || alice.CheckPassword("Secret") {
		t.Fatal("alice's password")
	}
	if !e.HasPasswords() {
		t.Fatal("HasPasswords = false")
	}
	mustRun(t, admin, "ALTER USER alice PASSWORD ''")
	if n := admin.TakeNotices(); len(n) != 1 || n[0].Message != "empty string is not a valid password, clearing password" {
		t.Fatalf("notices %v", n)
	}
	if r, _ := e.LookupLogin("alice"); r.HasPassword() {
		t.Fatal("empty password did not clear")
	}
	mustRun(t, admin, "ALTER ROLE alice PASSWORD 'md5cf170e54b3b535a2f036094707c1d126'")
	if r, _ := e.LookupLogin("alice"); r.MD5 != "md5cf170e54b3b535a2f036094707c1d126" || r.SCRAM != "" {
		t.Fatalf("pre-hashed md5 password: %+v", r)
	}
	mustRun(t, admin, "ALTER ROLE alice RENAME TO alicia")
	if n := admin.TakeNotices(); len(n) != 1 || n[0].Message != "MD5 password cleared because of role rename" {
		t.Fatalf("notices %v", n)
	}
	mustRun(t, admin, "DROP USER alicia, reader")
	if _, ok := e.LookupLogin("reader"); ok {
		t.Fatal("reader still there")
	}
}

func TestMD5PasswordsKeptWhenConfigured(t *testing.T) {
	e, admin := newRolesEngine(t, true)
	mustRun(t, admin, "CREATE ROLE vg_vec2 LOGIN PASSWORD 'pencil'")
	r, _ := e.LookupLogin("vg_vec2")
	if r.MD5 != "md5cf170e54b3b535a2f036094707c1d126" || r.SCRAM == "" {
		t.Fatalf("%+v", r)
	}
}

func TestEnsureSuperuser(t *testing.T) {
	e, _ := newRolesEngine(t, false)
	ctx := context.Background()
	for _, tc := range []struct {
		name, password string
		want           SuperuserStatus
	}{
		{"root", "one", SuperuserCreated},
		{"root", "one", SuperuserExists},
		{"root", "two", SuperuserPasswordDiffers},
	} {
		got, err := e.EnsureSuperuser(ctx, tc.name, tc.password)
		if err != nil || got != tc.want {
			t.Fatalf("EnsureSuperuser(%s, %s) = %v, %v; want %v", tc.name, tc.password, got, err, tc.want)
		}
	}
	r, ok := e.db.Catalog().RoleByName("root")
	if !ok || r.OID != storage.BootstrapSuperuserOID || !r.Superuser || !r.Login {
		t.Fatalf("root: %+v", r)
	}
	s := newSessionOf(t, e, "root")
	mustRun(t, s, "CREATE ROLE plain")
	if got, err := e.EnsureSuperuser(ctx, "plain", "x"); err != nil || got != SuperuserNotSuper {
		t.Fatalf("EnsureSuperuser(plain) = %v, %v", got, err)
	}
	execErr(t, s, "DROP ROLE plain, root", pgerr.ObjectInUse, "current user cannot be dropped")
}

func TestRolePermissions(t *testing.T) {
	e, admin := newRolesEngine(t, false)
	mustRun(t, admin, "CREATE ROLE bob LOGIN PASSWORD 'b'; CREATE ROLE carol LOGIN CREATEROLE; CREATE ROLE boss SUPERUSER")
	bob := newSessionOf(t, e, "bob")
	carol := newSessionOf(t, e, "carol")
	e1 := execErr(t, bob, "CREATE ROLE x", pgerr.InsufficientPrivilege, "permission denied to create role")
	if e1.Detail != "Only roles with the CREATEROLE attribute may create roles." {
		t.Fatalf("detail %q", e1.Detail)
	}
	mustRun(t, bob, "ALTER ROLE bob PASSWORD 'new'")
	execErr(t, bob, "ALTER ROLE bob CREATEDB", pgerr.InsufficientPrivilege, "permission denied to alter role")
	execErr(t, bob, "ALTER ROLE bob SUPERUSER", pgerr.InsufficientPrivilege, "permission denied to alter role")
	execErr(t, bob, "DROP ROLE carol", pgerr.InsufficientPrivilege, "permission denied to drop role")
	mustRun(t, carol, "CREATE ROLE made_by_carol")
	execErr(t, carol, "CREATE ROLE super2 SUPERUSER", pgerr.InsufficientPrivilege, "permission denied to create role")
	execErr(t, carol, "ALTER ROLE boss PASSWORD 'x'", pgerr.InsufficientPrivilege, "permission denied to alter role")
	execErr(t, carol, "DROP ROLE boss", pgerr.InsufficientPrivilege, "permission denied to drop role")
	mustRun(t, carol, "ALTER ROLE bob CONNECTION LIMIT 2; DROP ROLE made_by_carol")
	if r, _ := e.LookupLogin("bob"); !r.CheckPassword("new") {
		t.Fatal("bob's own password change")
	}
}

func TestSetRole(t *testing.T) {
	e, admin := newRolesEngine(t, false)
	mustRun(t, admin, "CREATE ROLE bob LOGIN; CREATE ROLE carol LOGIN")
	for _, tc := range []struct{ query, want string }{
		{"SELECT current_user, session_user", "admin|admin"},
		{"SHOW is_superuser", "on"},
		{"SET ROLE bob; SELECT current_user, session_user", "bob|admin"},
		{"SHOW role", "bob"},
		{"SHOW is_superuser", "off"},
		{"RESET ROLE; SELECT current_user", "admin"},
		{"BEGIN; SET ROLE carol; ROLLBACK; SELECT current_user", "admin"},
		{"SET SESSION AUTHORIZATION bob; SELECT current_user, session_user", "bob|bob"},
		{"SET ROLE NONE; SHOW role", "none"},
		{"RESET SESSION AUTHORIZATION; SELECT current_user, session_user", "admin|admin"},
	} {
		rows := mustRun(t, admin, tc.query)
		if len(rows) != 1 || rows[0] != tc.want {
			t.Errorf("%s: %v, want %s", tc.query, rows, tc.want)
		}
	}
	execErr(t, admin, "SET ROLE nobody", pgerr.InvalidParameterValue, `role "nobody" does not exist`)
	bob := newSessionOf(t, e, "bob")
	execErr(t, bob, "SET ROLE carol", pgerr.InsufficientPrivilege, `permission denied to set role "carol"`)
	execErr(t, bob, "SET SESSION AUTHORIZATION carol", pgerr.InsufficientPrivilege, "permission denied to set session authorization")
	mustRun(t, bob, "SET ROLE bob")
	// A superuser who became someone else may come back: SET SESSION
	// AUTHORIZATION checks the user who logged in.
	mustRun(t, admin, "SET SESSION AUTHORIZATION bob; SET SESSION AUTHORIZATION carol; RESET SESSION AUTHORIZATION")
	mustRun(t, admin, "SET ROLE bob; DISCARD ALL")
	if rows := mustRun(t, admin, "SELECT current_user"); rows[0] != "admin" {
		t.Fatalf("after DISCARD ALL: %v", rows)
	}
}

func sha256Sum(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}
