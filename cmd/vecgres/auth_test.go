package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/server"
)

// startAuthInstance runs vecgres with the serve flags given (as the
// binary reads them), so that the flags are tested with the server.
func startAuthInstance(t *testing.T, args ...string) *instance {
	t.Helper()
	cfg, err := parseServeFlags(append([]string{"--listen", "127.0.0.1:0"}, args...), os.Stderr, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	in, err := startInstance(instanceConfig{Listen: cfg.Listen, DataDir: t.TempDir(), Logger: log, Auth: cfg.Auth})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := in.Stop(ctx); err != nil {
			t.Errorf("stopping vecgres: %v", err)
		}
	})
	return in
}

func writeTestFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// pgURL is a connection URL for user with password to database.
func pgURL(addr, user, password, database, query string) string {
	u := url.URL{Scheme: "postgres", Host: addr, Path: database, RawQuery: query}
	if password != "" {
		u.User = url.UserPassword(user, password)
	} else {
		u.User = url.User(user)
	}
	return u.String()
}

func connectURL(t *testing.T, connString string) (*pgx.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

// wantPgError checks err's SQLSTATE and message.
func wantPgError(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code || pe.Message != message {
		t.Errorf("%s: error %v, want %s %q", what, err, code, message)
	}
}

func execOK(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestAuthenticationEndToEnd: the initial superuser from --auth-file, an
// --hba-file with one database per method, roles made with CREATE ROLE
// logging in with pgx, and GRANT/REVOKE deciding what they see.
func TestAuthenticationEndToEnd(t *testing.T) {
	hba := writeTestFile(t, "hba.conf", `
# one database per method
host  scramdb     all  127.0.0.1/32  scram-sha-256
host  md5db       all  127.0.0.1/32  md5
host  passworddb  all  127.0.0.1/32  password
host  closed      all  all           reject
host  all         all  127.0.0.1/32  scram-sha-256
`)
	authFile := writeTestFile(t, "auth", "admin:s3cret admin\n")
	in := startAuthInstance(t, "--hba-file", hba, "--auth-file", authFile)
	admin, err := connectURL(t, pgURL(in.Addr, "admin", "s3cret admin", "app", "sslmode=disable"))
	if err != nil {
		t.Fatal(err)
	}
	execOK(t, admin, "CREATE ROLE bob LOGIN PASSWORD 'b0b'")
	execOK(t, admin, "CREATE ROLE carol NOLOGIN PASSWORD 'c'")
	execOK(t, admin, "CREATE TABLE secrets (id int, s text)")
	execOK(t, admin, "INSERT INTO secrets VALUES (1, 'x')")
	var secret string
	if err := admin.QueryRow(context.Background(), "SELECT rolpassword FROM pg_authid WHERE rolname = 'bob'").Scan(&secret); err != nil ||
		!strings.HasPrefix(secret, "SCRAM-SHA-256$4096:") || strings.Contains(secret, "b0b") {
		t.Errorf("stored password %q, %v: want a SCRAM secret", secret, err)
	}

	failed := func(user string) string { return fmt.Sprintf("password authentication failed for user %q", user) }
	for _, tc := range []struct {
		user, password, database string
		code, message            string
	}{
		{"admin", "s3cret admin", "scramdb", "", ""},
		{"admin", "wrong", "scramdb", "28P01", failed("admin")},
		{"bob", "b0b", "scramdb", "", ""},
		{"bob", "b0b", "md5db", "", ""},
		{"bob", "b0b", "passworddb", "", ""},
		{"bob", "b0b", "other", "", ""},
		{"bob", "B0B", "scramdb", "28P01", failed("bob")},
		{"bob", "B0B", "md5db", "28P01", failed("bob")},
		{"bob", "B0B", "passworddb", "28P01", failed("bob")},
		{"nobody", "x", "scramdb", "28P01", failed("nobody")},
		{"carol", "c", "scramdb", "28000", `role "carol" is not permitted to log in`},
		{"bob", "b0b", "closed", "28000", `pg_hba.conf rejects connection for host "127.0.0.1", user "bob", database "closed", no encryption`},
	} {
		what := fmt.Sprintf("%s/%q to %s", tc.user, tc.password, tc.database)
		conn, err := connectURL(t, pgURL(in.Addr, tc.user, tc.password, tc.database, "sslmode=disable"))
		if tc.code != "" {
			wantPgError(t, what, err, tc.code, tc.message)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		var user string
		if err := conn.QueryRow(context.Background(), "SELECT current_user").Scan(&user); err != nil || user != tc.user {
			t.Errorf("%s: current_user %q, %v", what, user, err)
		}
	}

	// What bob may do follows GRANT and REVOKE, in his open session.
	bob, err := connectURL(t, pgURL(in.Addr, "bob", "b0b", "app", "sslmode=disable"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if b, a := bob.PgConn().ParameterStatus("is_superuser"), admin.PgConn().ParameterStatus("is_superuser"); b != "off" || a != "on" {
		t.Errorf("is_superuser reported %q to bob and %q to admin, want off and on", b, a)
	}
	if got := bob.PgConn().ParameterStatus("session_authorization"); got != "bob" {
		t.Errorf("session_authorization reported %q to bob", got)
	}
	denied := func(what string, err error) {
		t.Helper()
		wantPgError(t, what, err, "42501", "permission denied for table secrets")
	}
	var n int
	denied("SELECT before GRANT", bob.QueryRow(ctx, "SELECT count(*) FROM secrets").Scan(&n))
	execOK(t, admin, "GRANT SELECT, INSERT ON secrets TO bob")
	if err := bob.QueryRow(ctx, "SELECT count(*) FROM secrets").Scan(&n); err != nil || n != 1 {
		t.Errorf("SELECT after GRANT: %d, %v", n, err)
	}
	if _, err := bob.Exec(ctx, "INSERT INTO secrets VALUES ($1, $2)", 2, "y"); err != nil {
		t.Errorf("INSERT after GRANT: %v", err)
	}
	_, err = bob.Exec(ctx, "DELETE FROM secrets")
	denied("DELETE without DELETE", err)
	// A statement prepared while allowed is checked again after REVOKE.
	if _, err := bob.Prepare(ctx, "count", "SELECT count(*) FROM secrets"); err != nil {
		t.Fatal(err)
	}
	execOK(t, admin, "REVOKE SELECT ON secrets FROM bob")
	denied("prepared SELECT after REVOKE", bob.QueryRow(ctx, "count").Scan(&n))
	var priv bool
	if err := admin.QueryRow(ctx, "SELECT has_table_privilege('bob', 'secrets', 'INSERT')").Scan(&priv); err != nil || !priv {
		t.Errorf("has_table_privilege(bob, INSERT) = %v, %v", priv, err)
	}
	// A new password takes effect at the next login.
	execOK(t, admin, "ALTER ROLE bob PASSWORD 'new'")
	_, err = connectURL(t, pgURL(in.Addr, "bob", "b0b", "app", "sslmode=disable"))
	wantPgError(t, "old password", err, "28P01", failed("bob"))
	if _, err := connectURL(t, pgURL(in.Addr, "bob", "new", "md5db", "sslmode=disable")); err != nil {
		t.Errorf("new password over md5: %v", err)
	}
}

// TestDefaultAuthentication: without flags, loopback clients are trusted
// until a role has a password; then everyone needs one.
func TestDefaultAuthentication(t *testing.T) {
	in := startAuthInstance(t)
	conn, err := connectURL(t, pgURL(in.Addr, "me", "", "db", "sslmode=disable"))
	if err != nil {
		t.Fatal(err)
	}
	execOK(t, conn, "CREATE ROLE admin SUPERUSER LOGIN PASSWORD 'pw'")
	_, err = connectURL(t, pgURL(in.Addr, "me", "", "db", "sslmode=disable"))
	wantPgError(t, "trust after a password was set", err, "28P01", `password authentication failed for user "me"`)
	if _, err := connectURL(t, pgURL(in.Addr, "admin", "pw", "db", "sslmode=disable")); err != nil {
		t.Errorf("SCRAM: %v", err)
	}
}

// TestPsqlAuthentication logs in with psql over each method and shows
// privileges with \dp.
func TestPsqlAuthentication(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatalf("the psql client is needed for this test and was not found: %v (install postgresql-client)", err)
	}
	hba := writeTestFile(t, "hba.conf", "host md5db all 127.0.0.1/32 md5\nhost passworddb all 127.0.0.1/32 password\nhost all all 127.0.0.1/32 scram-sha-256\n")
	in := startAuthInstance(t, "--hba-file", hba, "--superuser", "postgres", "--superuser-password", "pg pw")
	setup := "CREATE ROLE alice LOGIN PASSWORD 'al1ce'; CREATE TABLE t (a int); GRANT SELECT ON t TO alice; GRANT INSERT, DELETE ON t TO PUBLIC"
	if out, err := runPsql(psql, pgURL(in.Addr, "postgres", "pg pw", "app", "sslmode=disable"), "-w", "-v", "ON_ERROR_STOP=1", "-c", setup); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, db := range []string{"scramdb", "md5db", "passworddb"} {
		out, err := runPsql(psql, pgURL(in.Addr, "alice", "al1ce", db, "sslmode=disable"), "-w", "-At", "-c", "SELECT current_user, count(*) FROM t")
		if err != nil || string(out) != "alice|0\n" {
			t.Errorf("psql to %s: %v\n%s", db, err, out)
		}
		out, err = runPsql(psql, pgURL(in.Addr, "alice", "wrong", db, "sslmode=disable"), "-w", "-At", "-c", "SELECT 1")
		if err == nil || !strings.Contains(string(out), `FATAL:  password authentication failed for user "alice"`) {
			t.Errorf("psql to %s with a wrong password: %v\n%s", db, err, out)
		}
	}
	out, err := runPsql(psql, pgURL(in.Addr, "alice", "al1ce", "app", "sslmode=disable"), "-w", "-c", `\dp t`)
	// As PostgreSQL 15 prints it for the same objects.
	want := `                                Access privileges
 Schema | Name | Type  |     Access privileges     | Column privileges | Policies 
--------+------+-------+---------------------------+-------------------+----------
 public | t    | table | postgres=arwdDxt/postgres+|                   | 
        |      |       | alice=r/postgres         +|                   | 
        |      |       | =ad/postgres              |                   | 
(1 row)

`
	if err != nil || string(out) != want {
		t.Errorf("\\dp t: %v\n%s\nwant\n%s", err, out, want)
	}
	out, err = runPsql(psql, pgURL(in.Addr, "alice", "al1ce", "app", "sslmode=disable"), "-w", "-c", "DELETE FROM t; UPDATE t SET a = 1")
	if err == nil || !strings.Contains(string(out), "ERROR:  permission denied for table t") {
		t.Errorf("UPDATE without the privilege: %v\n%s", err, out)
	}
}

// testCA is a certificate authority and a server certificate for
// 127.0.0.1 and localhost that it signed, in PEM files.
type testCA struct {
	caFile, certFile, keyFile string
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vecgres test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return testCA{caFile: write("ca.crt", "CERTIFICATE", caDER), certFile: write("server.crt", "CERTIFICATE", der),
		keyFile: write("server.key", "PRIVATE KEY", keyDER)}
}

// TestTLSEndToEnd: --tls-cert/--tls-key/--tls-required with pgx, psql
// and node-postgres, sslmode=require and verify-full.
func TestTLSEndToEnd(t *testing.T) {
	ca := newTestCA(t)
	in := startAuthInstance(t, "--tls-cert", ca.certFile, "--tls-key", ca.keyFile, "--tls-required",
		"--superuser", "admin", "--superuser-password", "pw")
	_, port, _ := net.SplitHostPort(in.Addr)
	verifyFull := "sslmode=verify-full&sslrootcert=" + url.QueryEscape(ca.caFile)
	for _, tc := range []struct {
		name, url string
		wantErr   string // "" for success
	}{
		{"require", pgURL(in.Addr, "admin", "pw", "db", "sslmode=require"), ""},
		{"verify-full by name", pgURL("localhost:"+port, "admin", "pw", "db", verifyFull), ""},
		{"verify-full by address", pgURL(in.Addr, "admin", "pw", "db", verifyFull), ""},
		{"clear", pgURL(in.Addr, "admin", "pw", "db", "sslmode=disable"),
			`no pg_hba.conf entry for host "127.0.0.1", user "admin", database "db", no encryption`},
	} {
		conn, err := connectURL(t, tc.url)
		if tc.wantErr != "" {
			wantPgError(t, tc.name, err, "28000", tc.wantErr)
			continue
		}
		if err != nil {
			t.Errorf("pgx %s: %v", tc.name, err)
			continue
		}
		if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
			t.Errorf("pgx %s: the connection is a %T, not TLS", tc.name, conn.PgConn().Conn())
		}
		if err := conn.QueryRow(context.Background(), "SELECT 1").Scan(new(int)); err != nil {
			t.Errorf("pgx %s: %v", tc.name, err)
		}
	}
	other := newTestCA(t)
	if _, err := connectURL(t, pgURL(in.Addr, "admin", "pw", "db", "sslmode=verify-full&sslrootcert="+url.QueryEscape(other.caFile))); err == nil {
		t.Error("verify-full accepted a certificate from another CA")
	}

	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatalf("the psql client is needed for this test and was not found: %v (install postgresql-client)", err)
	}
	for _, tc := range []struct {
		name, url, want string
	}{
		{"require", pgURL(in.Addr, "admin", "pw", "db", "sslmode=require"), "t\n"},
		{"verify-full", pgURL("localhost:"+port, "admin", "pw", "db", verifyFull), "t\n"},
	} {
		// pg_stat_ssl is not there; sslinfo's ssl_is_used neither: psql's
		// own \conninfo says whether the connection is encrypted.
		out, err := runPsql(psql, tc.url, "-w", "-At", "-c", "SELECT true", "-c", `\conninfo`)
		if err != nil || !strings.HasPrefix(string(out), tc.want) || !strings.Contains(string(out), "SSL connection (protocol: TLSv1.3") {
			t.Errorf("psql %s: %v\n%s", tc.name, err, out)
		}
	}
	out, err := runPsql(psql, pgURL(in.Addr, "admin", "pw", "db", "sslmode=disable"), "-w", "-c", "SELECT 1")
	if err == nil || !strings.Contains(string(out), `no pg_hba.conf entry for host "127.0.0.1", user "admin", database "db", no encryption`) {
		t.Errorf("psql without TLS: %v\n%s", err, out)
	}
	out, err = runPsql(psql, pgURL(in.Addr, "admin", "pw", "db", "sslmode=verify-full&sslrootcert="+url.QueryEscape(other.caFile)), "-w", "-c", "SELECT 1")
	if err == nil || !strings.Contains(string(out), "certificate verify failed") {
		t.Errorf("psql verify-full with another CA: %v\n%s", err, out)
	}

	checkNodeTLS(t, port, ca.caFile)
}

// checkNodeTLS connects node-postgres with the CA, verifying the server's
// certificate and name, when node and compat/node's modules are there.
func checkNodeTLS(t *testing.T, port, caFile string) {
	node, err := exec.LookPath("node")
	modules, _ := filepath.Abs(filepath.Join("..", "..", "compat", "node", "node_modules"))
	if _, statErr := os.Stat(filepath.Join(modules, "pg")); err != nil || statErr != nil {
		t.Logf("node-postgres not checked: node %v, compat/node/node_modules/pg %v (run compat/run to install it)", err, statErr)
		return
	}
	script := `
const fs = require('fs');
const { Client } = require('pg');
(async () => {
  const c = new Client({ host: 'localhost', port: +process.argv[1], user: 'admin', password: 'pw', database: 'db',
    ssl: { ca: fs.readFileSync(process.argv[2]), rejectUnauthorized: true } });
  await c.connect();
  const r = await c.query("SELECT current_user AS u");
  console.log(r.rows[0].u, c.connection.stream.encrypted === true, c.connection.stream.authorized === true);
  await c.end();
})().catch(e => { console.error(e.message); process.exit(1); });
`
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "-e", script, port, caFile)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "admin true true\n" {
		t.Errorf("node-postgres over TLS: %v\n%s", err, out)
	}
}

func TestWarnIfExposed(t *testing.T) {
	trustAll, err := server.ParseHBA(strings.NewReader("host all all 0.0.0.0/0 trust"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		listen    string
		cfg       authConfig
		passwords bool
		want      string // "" for no warning
	}{
		{"127.0.0.1:5433", authConfig{}, false, ""},
		{"localhost:5433", authConfig{HBA: trustAll}, false, ""},
		{"0.0.0.0:5433", authConfig{}, false, "no role has a password, so clients from other hosts are refused"},
		{":5433", authConfig{}, true, ""},
		{"0.0.0.0:5433", authConfig{HBA: trustAll}, true, "a trust rule in --hba-file lets clients from other hosts in"},
	} {
		var buf strings.Builder
		warnIfExposed(tc.listen, tc.cfg, tc.passwords, zerolog.New(&buf).Level(zerolog.WarnLevel))
		got := buf.String()
		if tc.want == "" && got != "" || tc.want != "" && (!strings.Contains(got, tc.want) || !strings.Contains(got, `"level":"warn"`)) {
			t.Errorf("%s %+v passwords=%v: logged %q, want %q", tc.listen, tc.cfg, tc.passwords, got, tc.want)
		}
	}
}

func TestAuthFlagErrors(t *testing.T) {
	ca := newTestCA(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-required"}, "--tls-required needs --tls-cert and --tls-key"},
		{[]string{"--tls-cert", ca.certFile}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", ca.certFile, "--tls-key", ca.certFile}, "--tls-cert/--tls-key"},
		{[]string{"--hba-file", writeTestFile(t, "hba", "host all all 10.0.0.0/8 ident\n")}, `line 1: authentication method "ident" is not supported`},
		{[]string{"--hba-file", "/nonexistent/hba"}, "--hba-file"},
		{[]string{"--auth-file", writeTestFile(t, "auth", "just-a-password\n")}, "want a 'name:password' line"},
	} {
		_, err := parseServeFlags(tc.args, io.Discard, func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.args, err, tc.want)
		}
	}
	cfg, err := parseServeFlags(nil, io.Discard, envMap(map[string]string{"VECGRES_SUPERUSER_PASSWORD": "pw", "VECGRES_SUPERUSER": "root"}))
	if err != nil || cfg.Auth.Superuser != "root" || cfg.Auth.SuperuserPassword != "pw" {
		t.Errorf("superuser from the environment: %+v, %v", cfg.Auth, err)
	}
}
