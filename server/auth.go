package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Client authentication, as PostgreSQL's: the first rule of the rule list
// (Config.HBA, or DefaultHBA) that matches the connection names a method;
// trust lets the client in, reject refuses it, and password, md5 and
// scram-sha-256 ask for the role's password in clear, as an md5 digest
// salted by the server, or through a SCRAM-SHA-256 exchange (RFC 5802 and
// 7677, without channel binding). As in PostgreSQL, md5 uses SCRAM when
// the role's password is stored only as a SCRAM secret, and a user that
// does not exist or has no usable password goes through the whole
// exchange and fails like a wrong password, so that a client cannot tell
// which roles exist.

// RoleSource is what authentication needs to know about roles; the sql
// engine provides it (SQLEngine's Engine does).
type RoleSource interface {
	// LookupLogin returns the stored role called name.
	LookupLogin(name string) (sql.LoginRole, bool)
	// HasPasswords reports whether any role has a password, which
	// switches DefaultHBA from trust on loopback to passwords.
	HasPasswords() bool
}

// maxAuthToken bounds a password or SASL message, PostgreSQL's
// PG_MAX_AUTH_TOKEN_LENGTH.
const maxAuthToken = 65535

// msgPassword is the type of PasswordMessage, SASLInitialResponse and
// SASLResponse.
const msgPassword = 'p'

// scramMechanism is the only SASL mechanism offered.
const scramMechanism = "SCRAM-SHA-256"

// scramNonceLen is the length of the server's part of the nonce, in raw
// bytes, PostgreSQL's SCRAM_RAW_NONCE_LEN.
const scramNonceLen = 18

// errAuthClientLeft ends a connection whose client closed it instead of
// answering an authentication request, as psql does to prompt for a
// password; PostgreSQL logs it quietly.
var errAuthClientLeft = errors.New("client closed the connection during authentication")

// roles returns the server's role source, nil when the engine has none.
func (s *Server) roles() RoleSource {
	if s.cfg.Roles != nil {
		return s.cfg.Roles
	}
	if r, ok := s.cfg.Engine.(RoleSource); ok {
		return r
	}
	return nil
}

// hbaRules returns the rules in force for a new connection.
func (s *Server) hbaRules() []HBARule {
	if s.cfg.HBA != nil {
		return s.cfg.HBA
	}
	rs := s.roles()
	return DefaultHBA(rs != nil && rs.HasPasswords())
}

// authenticate decides whether the client may log in as user to
// database, asking for a password when its rule says so.
func (c *conn) authenticate(user, database string) error {
	p := peerOf(c.netConn.RemoteAddr(), c.tlsConn != nil)
	if c.srv.cfg.TLSRequired && !p.local && !p.tls {
		return c.authFailed(fatal(pgerr.InvalidAuthorizationSpec,
			"no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", %s", p.host(), user, database, p.encryption()),
			"TLS is required")
	}
	rule := matchHBA(c.srv.hbaRules(), p, user, database)
	if rule == nil {
		return c.authFailed(fatal(pgerr.InvalidAuthorizationSpec,
			"no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", %s", p.host(), user, database, p.encryption()),
			"no matching rule")
	}
	var role sql.LoginRole
	var stored bool
	if rs := c.srv.roles(); rs != nil {
		role, stored = rs.LookupLogin(user)
	}
	switch rule.Method {
	case AuthTrust:
	case AuthReject:
		return c.authFailed(fatal(pgerr.InvalidAuthorizationSpec,
			"pg_hba.conf rejects connection for host \"%s\", user \"%s\", database \"%s\", %s", p.host(), user, database, p.encryption()),
			"rejected by rule")
	default:
		ok, err := c.passwordExchange(rule.Method, user, role, stored)
		if err != nil {
			return err
		}
		if !ok {
			return c.authFailed(fatal(pgerr.InvalidPassword, "password authentication failed for user \"%s\"", user),
				"wrong password, unknown role or no password")
		}
	}
	if stored && !role.CanLogin {
		return c.authFailed(fatal(pgerr.InvalidAuthorizationSpec, "role \"%s\" is not permitted to log in", user), "role is NOLOGIN")
	}
	c.log.Debug().Str("user", user).Str("method", string(rule.Method)).Int("rule", rule.Line).Msg("authenticated")
	return nil
}

// authFailed logs why a client was refused (PostgreSQL logs more than it
// tells the client) and returns the error for the client.
func (c *conn) authFailed(e *pgerr.Error, why string) error {
	c.log.Info().Str("error", e.Message).Str("reason", why).Msg("authentication failed")
	return e
}

// passwordExchange runs the password, md5 or SCRAM exchange of method and
// reports whether the client proved it knows role's password. A missing
// role, or one without a password of the kind needed, fails only after
// the exchange.
func (c *conn) passwordExchange(method AuthMethod, user string, role sql.LoginRole, stored bool) (bool, error) {
	usable := stored && role.HasPassword() && !role.PasswordExpired(time.Now())
	switch method {
	case AuthPassword:
		c.send(&pgproto3.AuthenticationCleartextPassword{})
		pw, err := c.readPassword()
		if err != nil {
			return false, err
		}
		return usable && role.CheckPassword(pw), nil
	case AuthMD5:
		if role.MD5 == "" && role.SCRAM != "" {
			return c.scramExchange(user, role.SCRAM, usable)
		}
		var salt [4]byte
		rand.Read(salt[:])
		c.send(&pgproto3.AuthenticationMD5Password{Salt: salt})
		answer, err := c.readPassword()
		if err != nil {
			return false, err
		}
		want := sql.MD5Response(role.MD5, salt)
		return usable && role.MD5 != "" && subtle.ConstantTimeCompare([]byte(answer), []byte(want)) == 1, nil
	default:
		return c.scramExchange(user, role.SCRAM, usable && role.SCRAM != "")
	}
}

// readAuthMessage reads the client's answer to an authentication request:
// a 'p' message of at most maxAuthToken bytes. errAuthClientLeft when the
// client hung up instead.
func (c *conn) readAuthMessage(expected string) ([]byte, error) {
	if err := c.flush(); err != nil {
		return nil, err
	}
	var hdr [5]byte
	if _, err := io.ReadFull(c.rd, hdr[:1]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errAuthClientLeft
		}
		return nil, err
	}
	if hdr[0] != msgPassword {
		return nil, protocolViolation("expected %s response, got message type %d", expected, hdr[0])
	}
	if _, err := io.ReadFull(c.rd, hdr[1:]); err != nil {
		return nil, eofIsUnexpected(err)
	}
	n := int64(int32(binary.BigEndian.Uint32(hdr[1:]))) - 4
	if n < 0 || n > maxAuthToken {
		return nil, protocolViolation("invalid %s packet size", expected)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.rd, body); err != nil {
		return nil, eofIsUnexpected(err)
	}
	return body, nil
}

// readPassword reads a PasswordMessage: a password in clear or an md5
// answer.
func (c *conn) readPassword() (string, error) {
	body, err := c.readAuthMessage("password")
	if err != nil {
		return "", err
	}
	pw, rest, ok := cutCString(body)
	if !ok || len(rest) != 0 {
		return "", protocolViolation("invalid password packet size")
	}
	if pw == "" {
		return "", c.authFailed(fatal(pgerr.InvalidPassword, "empty password returned by client"), "empty password")
	}
	return pw, nil
}

// errMalformedSCRAM is PostgreSQL's answer to a SCRAM message that does not
// parse.
func errMalformedSCRAM(detail string) error {
	e := protocolViolation("malformed SCRAM message")
	e.Detail = detail
	return e
}

// scramExchange runs SCRAM-SHA-256 against secret (PostgreSQL's
// rolpassword format) and reports whether the client's proof is right.
// When usable is false, or the secret does not parse, the exchange runs
// with a made-up secret and fails at the end.
func (c *conn) scramExchange(user, secret string, usable bool) (bool, error) {
	sec, ok := sql.ParseSCRAMSecret(secret)
	if !ok || !usable {
		sec, usable = c.srv.mockSCRAMSecret(user), false
	}
	c.send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{scramMechanism}})
	body, err := c.readAuthMessage("SASL")
	if err != nil {
		return false, err
	}
	mech, rest, ok := cutCString(body)
	if !ok || len(rest) < 4 {
		return false, protocolViolation("invalid SASL initial response")
	}
	if mech != scramMechanism {
		return false, protocolViolation("client selected an invalid SASL authentication mechanism")
	}
	dataLen := int32(binary.BigEndian.Uint32(rest))
	data := rest[4:]
	if dataLen < 0 || int(dataLen) != len(data) {
		return false, protocolViolation("invalid SASL initial response")
	}
	first, err := parseClientFirst(string(data))
	if err != nil {
		return false, err
	}
	nonce := make([]byte, scramNonceLen)
	rand.Read(nonce)
	fullNonce := first.nonce + base64.StdEncoding.EncodeToString(nonce)
	serverFirst := "r=" + fullNonce + ",s=" + base64.StdEncoding.EncodeToString(sec.Salt) + ",i=" + strconv.Itoa(sec.Iterations)
	c.send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})

	final, err := c.readAuthMessage("SASL")
	if err != nil {
		return false, err
	}
	withoutProof, proof, err := parseClientFinal(string(final), first.gs2Header, fullNonce)
	if err != nil {
		return false, err
	}
	authMessage := first.bare + "," + serverFirst + "," + withoutProof
	clientSignature := sql.SCRAMHMAC(sec.StoredKey, authMessage)
	if len(proof) != len(clientSignature) {
		return false, errMalformedSCRAM("Malformed proof in client-final-message.")
	}
	clientKey := make([]byte, len(proof))
	for i := range proof {
		clientKey[i] = proof[i] ^ clientSignature[i]
	}
	storedKey := sha256.Sum256(clientKey)
	if !usable || !hmac.Equal(storedKey[:], sec.StoredKey) {
		return false, nil
	}
	serverSignature := sql.SCRAMHMAC(sec.ServerKey, authMessage)
	c.send(&pgproto3.AuthenticationSASLFinal{Data: []byte("v=" + base64.StdEncoding.EncodeToString(serverSignature))})
	return true, nil
}

// clientFirst is a parsed client-first-message.
type clientFirst struct {
	// gs2Header is the channel binding flag and authzid part, "n,," or
	// "y,,", which the client repeats in its final message.
	gs2Header string
	// bare is the message after the header, part of the AuthMessage.
	bare  string
	nonce string
}

// parseClientFirst parses "gs2-header client-first-message-bare".
func parseClientFirst(msg string) (clientFirst, error) {
	var cf clientFirst
	switch {
	case strings.HasPrefix(msg, "n,"), strings.HasPrefix(msg, "y,"):
		// n: the client does not support channel binding; y: it does but
		// thinks the server does not, which is true.
	case strings.HasPrefix(msg, "p="):
		return cf, protocolViolation("channel binding is not supported by vecgres")
	default:
		return cf, errMalformedSCRAM("Unexpected channel-binding flag in client-first-message.")
	}
	authzid, afterAuthzid, ok := strings.Cut(msg[2:], ",")
	if !ok {
		return cf, errMalformedSCRAM("Comma expected in client-first-message.")
	}
	if authzid != "" {
		return cf, pgerr.New(pgerr.FeatureNotSupported, "client uses authorization identity, but it is not supported")
	}
	cf.gs2Header = msg[:len(msg)-len(afterAuthzid)]
	cf.bare = afterAuthzid
	attrs := strings.Split(afterAuthzid, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "n=") {
		if len(attrs) > 0 && strings.HasPrefix(attrs[0], "m=") {
			return cf, pgerr.New(pgerr.FeatureNotSupported, "client requires an unsupported SCRAM extension")
		}
		return cf, errMalformedSCRAM("Expected attribute \"n\" in client-first-message.")
	}
	// The user name in the message is ignored: the startup packet's is
	// the one authenticated, as in PostgreSQL.
	if !strings.HasPrefix(attrs[1], "r=") || len(attrs[1]) == 2 {
		return cf, errMalformedSCRAM("Expected attribute \"r\" in client-first-message.")
	}
	cf.nonce = attrs[1][2:]
	for _, r := range cf.nonce {
		if r < 0x21 || r > 0x7e || r == ',' {
			return cf, errMalformedSCRAM("Invalid nonce in client-first-message.")
		}
	}
	return cf, nil
}

// parseClientFinal parses "c=<binding>,r=<nonce>[,...],p=<proof>" and
// returns the message without its proof and the decoded proof.
func parseClientFinal(msg, gs2Header, nonce string) (string, []byte, error) {
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return "", nil, errMalformedSCRAM("Expected attribute \"p\" in client-final-message.")
	}
	withoutProof, proofText := msg[:i], msg[i+3:]
	attrs := strings.Split(withoutProof, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "c=") {
		return "", nil, errMalformedSCRAM("Expected attribute \"c\" in client-final-message.")
	}
	binding, err := base64.StdEncoding.DecodeString(attrs[0][2:])
	if err != nil || !bytes.Equal(binding, []byte(gs2Header)) {
		return "", nil, protocolViolation("SCRAM channel binding check failed")
	}
	if !strings.HasPrefix(attrs[1], "r=") {
		return "", nil, errMalformedSCRAM("Expected attribute \"r\" in client-final-message.")
	}
	if attrs[1][2:] != nonce {
		return "", nil, errMalformedSCRAM("Nonce does not match.")
	}
	proof, err := base64.StdEncoding.DecodeString(proofText)
	if err != nil {
		return "", nil, errMalformedSCRAM("Malformed proof in client-final-message.")
	}
	return withoutProof, proof, nil
}

// mockSCRAMSecret is the secret a failing exchange runs with: its salt is
// derived from the user name and a key drawn at start-up, so that asking
// twice for a missing role gives the same salt, as for a real one.
func (s *Server) mockSCRAMSecret(user string) *sql.SCRAMSecret {
	mac := hmac.New(sha256.New, s.mockKey[:])
	mac.Write([]byte(user))
	salt := mac.Sum(nil)[:16]
	return &sql.SCRAMSecret{Iterations: 4096, Salt: salt, StoredKey: make([]byte, sha256.Size),
		ServerKey: make([]byte, sha256.Size)}
}

// LookupLogin makes SQLEngine's Engine a RoleSource.
func (e sqlEngine) LookupLogin(name string) (sql.LoginRole, bool) { return e.e.LookupLogin(name) }

// HasPasswords makes SQLEngine's Engine a RoleSource.
func (e sqlEngine) HasPasswords() bool { return e.e.HasPasswords() }
