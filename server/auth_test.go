package server

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
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// fakeRoles is a RoleSource over a fixed set of roles.
type fakeRoles struct {
	mu    sync.Mutex
	roles map[string]sql.LoginRole
}

func (f *fakeRoles) LookupLogin(name string) (sql.LoginRole, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.roles[name]
	return r, ok
}

func (f *fakeRoles) HasPasswords() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.roles {
		if r.HasPassword() {
			return true
		}
	}
	return false
}

// testRoles has alice (SCRAM secret and md5 hash, password "wonderland"),
// scrammy (SCRAM only, "s3cret"), md5only (md5 only, "old"), nologin
// ("x", NOLOGIN), expired ("late", VALID UNTIL the past) and nopass.
func testRoles() *fakeRoles {
	salt := []byte("0123456789abcdef")
	past := time.Now().Add(-time.Hour)
	scram := func(pw string) string { return sql.NewSCRAMSecret(pw, salt, 4096).String() }
	return &fakeRoles{roles: map[string]sql.LoginRole{
		"alice":   {Name: "alice", CanLogin: true, SCRAM: scram("wonderland"), MD5: sql.MD5Secret("wonderland", "alice")},
		"scrammy": {Name: "scrammy", CanLogin: true, SCRAM: scram("s3cret")},
		"md5only": {Name: "md5only", CanLogin: true, MD5: sql.MD5Secret("old", "md5only")},
		"nologin": {Name: "nologin", SCRAM: scram("x")},
		"expired": {Name: "expired", CanLogin: true, SCRAM: scram("late"), ValidUntil: &past},
		"nopass":  {Name: "nopass", CanLogin: true},
	}}
}

func hbaRules(t *testing.T, text string) []HBARule {
	t.Helper()
	rules, err := ParseHBA(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// connectAs tries to log in with pgx and returns the error.
func connectAs(t *testing.T, connString string, tlsConfig *tls.Config) error {
	t.Helper()
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		t.Fatal(err)
	}
	if tlsConfig != nil {
		cfg.TLSConfig = tlsConfig
		cfg.Fallbacks = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, "series 1").Scan(&n); err != nil {
		t.Fatalf("query after login: %v", err)
	}
	return nil
}

// checkLogin compares a login's outcome with the SQLSTATE and message
// wanted ("" for success).
func checkLogin(t *testing.T, what string, err error, wantCode pgerr.Code, wantMsg string) {
	t.Helper()
	if wantCode == "" {
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
		return
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Errorf("%s: error %v, want %s", what, err, wantCode)
		return
	}
	if pe.Code != string(wantCode) || pe.Message != wantMsg || pe.Severity != "FATAL" {
		t.Errorf("%s: %s %s %q, want FATAL %s %q", what, pe.Severity, pe.Code, pe.Message, wantCode, wantMsg)
	}
}

func TestPasswordAuthentication(t *testing.T) {
	roles := testRoles()
	_, addr := startServer(t, &fakeEngine{}, func(c *Config) {
		c.Roles = roles
		c.HBA = hbaRules(t, "host scram all all scram-sha-256\nhost md5 all all md5\nhost password all all password\nhost rejected all all reject\n")
	})
	failed := func(user string) string { return fmt.Sprintf("password authentication failed for user %q", user) }
	for _, tc := range []struct {
		database, user, password string
		wantCode                 pgerr.Code
		wantMsg                  string
	}{
		{"scram", "alice", "wonderland", "", ""},
		{"scram", "alice", "wrong", pgerr.InvalidPassword, failed("alice")},
		{"scram", "scrammy", "s3cret", "", ""},
		{"scram", "md5only", "old", pgerr.InvalidPassword, failed("md5only")}, // no SCRAM secret
		{"scram", "ghost", "boo", pgerr.InvalidPassword, failed("ghost")},
		{"scram", "nopass", "anything", pgerr.InvalidPassword, failed("nopass")},
		{"scram", "expired", "late", pgerr.InvalidPassword, failed("expired")},
		{"scram", "nologin", "x", pgerr.InvalidAuthorizationSpec, `role "nologin" is not permitted to log in`},
		{"md5", "alice", "wonderland", "", ""},
		{"md5", "alice", "Wonderland", pgerr.InvalidPassword, failed("alice")},
		{"md5", "md5only", "old", "", ""},
		{"md5", "scrammy", "s3cret", "", ""}, // md5 falls back to SCRAM
		{"md5", "scrammy", "nope", pgerr.InvalidPassword, failed("scrammy")},
		{"md5", "ghost", "boo", pgerr.InvalidPassword, failed("ghost")},
		{"password", "alice", "wonderland", "", ""},
		{"password", "md5only", "old", "", ""},
		{"password", "scrammy", "s3cret", "", ""},
		{"password", "scrammy", "s3cret ", pgerr.InvalidPassword, failed("scrammy")},
		{"password", "ghost", "boo", pgerr.InvalidPassword, failed("ghost")},
		{"rejected", "alice", "wonderland", pgerr.InvalidAuthorizationSpec,
			`pg_hba.conf rejects connection for host "127.0.0.1", user "alice", database "rejected", no encryption`},
		{"other", "alice", "wonderland", pgerr.InvalidAuthorizationSpec,
			`no pg_hba.conf entry for host "127.0.0.1", user "alice", database "other", no encryption`},
	} {
		u := url.URL{Scheme: "postgres", User: url.UserPassword(tc.user, tc.password), Host: addr, Path: tc.database,
			RawQuery: "sslmode=disable"}
		err := connectAs(t, u.String(), nil)
		checkLogin(t, fmt.Sprintf("%s as %s/%q", tc.database, tc.user, tc.password), err, tc.wantCode, tc.wantMsg)
	}
}

func TestDefaultRulesFollowPasswords(t *testing.T) {
	roles := &fakeRoles{roles: map[string]sql.LoginRole{"bob": {Name: "bob", CanLogin: true}}}
	_, addr := startServer(t, &fakeEngine{}, func(c *Config) { c.Roles = roles })
	// No password anywhere: loopback is trusted, whoever the user is.
	checkLogin(t, "trust", connectAs(t, "postgres://bob@"+addr+"/db?sslmode=disable", nil), "", "")
	checkLogin(t, "trust", connectAs(t, "postgres://anyone@"+addr+"/db?sslmode=disable", nil), "", "")
	// A password configured: everyone must give one.
	roles.mu.Lock()
	roles.roles["bob"] = sql.LoginRole{Name: "bob", CanLogin: true, SCRAM: sql.NewSCRAMSecret("pw", []byte("salt"), 4096).String()}
	roles.mu.Unlock()
	checkLogin(t, "scram", connectAs(t, "postgres://bob:pw@"+addr+"/db?sslmode=disable", nil), "", "")
	checkLogin(t, "no password", connectAs(t, "postgres://bob:@"+addr+"/db?sslmode=disable", nil),
		pgerr.InvalidPassword, `password authentication failed for user "bob"`)
	checkLogin(t, "other user", connectAs(t, "postgres://anyone:pw@"+addr+"/db?sslmode=disable", nil),
		pgerr.InvalidPassword, `password authentication failed for user "anyone"`)
}

// TestSCRAMMalformed drives the SASL exchange by hand.
func TestSCRAMMalformed(t *testing.T) {
	roles := testRoles()
	_, addr := startServer(t, &fakeEngine{}, func(c *Config) {
		c.Roles = roles
		c.HBA = hbaRules(t, "host all all all scram-sha-256")
	})
	for _, tc := range []struct {
		name     string
		initial  pgproto3.FrontendMessage
		wantCode pgerr.Code
		wantMsg  string
	}{
		{"wrong mechanism", &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-1", Data: []byte("n,,n=,r=abc")},
			pgerr.ProtocolViolation, "client selected an invalid SASL authentication mechanism"},
		{"no gs2 header", &pgproto3.SASLInitialResponse{AuthMechanism: scramMechanism, Data: []byte("x,,n=,r=abc")},
			pgerr.ProtocolViolation, "malformed SCRAM message"},
		{"channel binding", &pgproto3.SASLInitialResponse{AuthMechanism: scramMechanism, Data: []byte("p=tls-server-end-point,,n=,r=abc")},
			pgerr.ProtocolViolation, "channel binding is not supported by vecgres"},
		{"no nonce", &pgproto3.SASLInitialResponse{AuthMechanism: scramMechanism, Data: []byte("n,,n=")},
			pgerr.ProtocolViolation, "malformed SCRAM message"},
		{"a query instead", &pgproto3.Query{String: "series 1"},
			pgerr.ProtocolViolation, "expected SASL response, got message type 81"},
	} {
		c := dialRaw(t, addr)
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber,
			Parameters: map[string]string{"user": "alice", "database": "db"}})
		msg, err := c.fe.Receive()
		if _, ok := msg.(*pgproto3.AuthenticationSASL); !ok || err != nil {
			t.Fatalf("%s: got %T %v, want AuthenticationSASL", tc.name, msg, err)
		}
		c.send(tc.initial)
		msg, err = c.fe.Receive()
		e, ok := msg.(*pgproto3.ErrorResponse)
		if !ok || e.Code != string(tc.wantCode) || e.Message != tc.wantMsg || e.Severity != "FATAL" {
			t.Errorf("%s: got %#v %v, want FATAL %s %q", tc.name, msg, err, tc.wantCode, tc.wantMsg)
		}
		c.conn.Close()
	}
}

// testCerts makes a CA and a certificate for 127.0.0.1 and localhost
// signed by it, in PEM files under dir.
type testCerts struct {
	caFile, certFile, keyFile string
	pool                      *x509.CertPool
	serverCert                tls.Certificate
}

func newTestCerts(t *testing.T) testCerts {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vecgres test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
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
	tc := testCerts{caFile: write("ca.crt", "CERTIFICATE", caDER), certFile: write("server.crt", "CERTIFICATE", der),
		keyFile: write("server.key", "EC PRIVATE KEY", keyDER), pool: x509.NewCertPool()}
	tc.pool.AddCert(ca)
	tc.serverCert, err = tls.LoadX509KeyPair(tc.certFile, tc.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return tc
}

func TestTLS(t *testing.T) {
	certs := newTestCerts(t)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{certs.serverCert}, MinVersion: tls.VersionTLS12}
	roles := testRoles()
	_, addr := startServer(t, &fakeEngine{}, func(c *Config) {
		c.Roles = roles
		c.TLS = serverTLS
		c.HBA = hbaRules(t, "hostssl db all all scram-sha-256\nhostnossl cleartext all all trust")
	})
	_, port, _ := net.SplitHostPort(addr)
	verifyFull := fmt.Sprintf("postgres://alice:wonderland@localhost:%s/db?sslmode=verify-full&sslrootcert=%s", port, certs.caFile)
	for _, tc := range []struct {
		name, url string
		wantCode  pgerr.Code
		wantMsg   string
	}{
		{"require", "postgres://alice:wonderland@" + addr + "/db?sslmode=require", "", ""},
		{"verify-full by name", verifyFull, "", ""},
		{"verify-full by address", fmt.Sprintf("postgres://alice:wonderland@127.0.0.1:%s/db?sslmode=verify-full&sslrootcert=%s", port, certs.caFile), "", ""},
		{"require, wrong password", "postgres://alice:nope@" + addr + "/db?sslmode=require", pgerr.InvalidPassword,
			`password authentication failed for user "alice"`},
		{"hostssl refuses clear", "postgres://alice:wonderland@" + addr + "/db?sslmode=disable", pgerr.InvalidAuthorizationSpec,
			`no pg_hba.conf entry for host "127.0.0.1", user "alice", database "db", no encryption`},
		{"hostnossl refuses TLS", "postgres://alice:wonderland@" + addr + "/cleartext?sslmode=require", pgerr.InvalidAuthorizationSpec,
			`no pg_hba.conf entry for host "127.0.0.1", user "alice", database "cleartext", SSL encryption`},
		{"hostnossl in clear", "postgres://alice@" + addr + "/cleartext?sslmode=disable", "", ""},
	} {
		checkLogin(t, tc.name, connectAs(t, tc.url, nil), tc.wantCode, tc.wantMsg)
	}
	// verify-full fails against a CA that did not sign the certificate.
	other := newTestCerts(t)
	err := connectAs(t, fmt.Sprintf("postgres://alice:wonderland@localhost:%s/db?sslmode=verify-full&sslrootcert=%s", port, other.caFile), nil)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("verify-full with a foreign CA: %v", err)
	}
}

func TestTLSRequired(t *testing.T) {
	certs := newTestCerts(t)
	_, addr := startServer(t, &fakeEngine{}, func(c *Config) {
		c.TLS = &tls.Config{Certificates: []tls.Certificate{certs.serverCert}}
		c.TLSRequired = true
	})
	checkLogin(t, "TLS", connectAs(t, "postgres://bob@"+addr+"/db?sslmode=require", nil), "", "")
	checkLogin(t, "clear", connectAs(t, "postgres://bob@"+addr+"/db?sslmode=disable", nil), pgerr.InvalidAuthorizationSpec,
		`no pg_hba.conf entry for host "127.0.0.1", user "bob", database "db", no encryption`)
	if _, err := New(Config{Engine: &fakeEngine{}, TLSRequired: true}); err == nil {
		t.Error("TLSRequired without TLS accepted")
	}
}

// TestTLSRefusesEarlyData: bytes sent after SSLRequest, before the
// handshake, end the connection.
func TestTLSRefusesEarlyData(t *testing.T) {
	certs := newTestCerts(t)
	_, addr := startServer(t, &fakeEngine{}, func(c *Config) {
		c.TLS = &tls.Config{Certificates: []tls.Certificate{certs.serverCert}}
	})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(testTimeout))
	early := append(packet(sslRequestCode), packet(v30, "user", "mallory")...)
	if _, err := nc.Write(early); err != nil {
		t.Fatal(err)
	}
	fe := pgproto3.NewFrontend(nc, nc)
	msg, err := fe.Receive()
	e, ok := msg.(*pgproto3.ErrorResponse)
	if !ok || e.Code != string(pgerr.ProtocolViolation) || e.Message != "received unencrypted data after SSL request" {
		t.Errorf("got %#v, %v", msg, err)
	}
}
