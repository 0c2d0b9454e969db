package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// Client authentication rules, a subset of PostgreSQL's pg_hba.conf.
//
// Each non-empty line that is not a comment is a rule:
//
//	local      DATABASE  USER  METHOD
//	host       DATABASE  USER  ADDRESS  METHOD
//	hostssl    DATABASE  USER  ADDRESS  METHOD
//	hostnossl  DATABASE  USER  ADDRESS  METHOD
//
// local matches connections over the Unix socket (and in-process ones),
// host any TCP connection, hostssl only those that use TLS, hostnossl
// only those that do not. DATABASE and USER are "all" or comma-separated
// names (DATABASE may also be "sameuser"); a name in double quotes is
// taken literally. ADDRESS is "all", an address with a CIDR mask length
// (192.168.0.0/16, ::1/128), a bare address (a host), or an address
// followed by a separate netmask column. METHOD is trust, reject,
// scram-sha-256, md5 or password. The first rule that matches a
// connection decides how it authenticates; a connection no rule matches
// is refused. Host names, samehost/samenet, +group and @file references,
// include directives and per-rule options are not supported and are
// reported as errors when the file is read.

// ConnType is the first column of a rule.
type ConnType int

// Connection types.
const (
	ConnLocal ConnType = iota
	ConnHost
	ConnHostSSL
	ConnHostNoSSL
)

var connTypeNames = map[string]ConnType{"local": ConnLocal, "host": ConnHost, "hostssl": ConnHostSSL, "hostnossl": ConnHostNoSSL}

// AuthMethod is how a rule makes a client prove who it is.
type AuthMethod string

// Authentication methods, by their pg_hba.conf names.
const (
	AuthTrust    AuthMethod = "trust"
	AuthReject   AuthMethod = "reject"
	AuthSCRAM    AuthMethod = "scram-sha-256"
	AuthMD5      AuthMethod = "md5"
	AuthPassword AuthMethod = "password"
)

// HBARule is one line of the rule list.
type HBARule struct {
	Type ConnType
	// Databases and Users are the names matched; nil means all.
	// Databases may hold "sameuser" (unquoted in the file), which
	// matches the database named like the user.
	Databases []string
	Users     []string
	// Addresses is the address range of host rules; nil means all.
	Addresses *netip.Prefix
	Method    AuthMethod
	// Line is the line number in the file, for messages.
	Line int
}

// sameUser marks the "sameuser" keyword in HBARule.Databases; a quoted
// "sameuser" is stored as the plain name.
const sameUser = "\x00sameuser"

// DefaultHBA returns the rules used without a rule file: when no role has
// a password, trust over the Unix socket and from loopback addresses and
// nothing else; once a password is configured, scram-sha-256 (or md5 or
// password, whichever the role's stored password allows the client to
// answer) from anywhere.
func DefaultHBA(passwords bool) []HBARule {
	if passwords {
		return []HBARule{{Type: ConnLocal, Method: AuthSCRAM}, {Type: ConnHost, Method: AuthSCRAM}}
	}
	v4, v6 := netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")
	return []HBARule{{Type: ConnLocal, Method: AuthTrust}, {Type: ConnHost, Addresses: &v4, Method: AuthTrust},
		{Type: ConnHost, Addresses: &v6, Method: AuthTrust}}
}

// ParseHBA reads a rule file.
func ParseHBA(r io.Reader) ([]HBARule, error) {
	var rules []HBARule
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		fields, err := hbaFields(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if len(fields) == 0 {
			continue
		}
		rule, err := parseHBARule(fields)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		rule.Line = line
		rules = append(rules, rule)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return rules, nil
}

// hbaToken is one field: its text, and whether any of it was quoted.
type hbaToken struct {
	text   string
	quoted bool
}

// hbaField is a comma-separated list of tokens.
type hbaField []hbaToken

// hbaFields splits a line into white-space separated fields, each a
// comma-separated list, honouring double quotes ("" inside quotes is a
// quote) and # comments.
func hbaFields(line string) ([]hbaField, error) {
	var fields []hbaField
	var field hbaField
	var cur strings.Builder
	quoted, inQuotes, inToken := false, false, false
	endToken := func() {
		if inToken {
			field = append(field, hbaToken{cur.String(), quoted})
		}
		cur.Reset()
		quoted, inToken = false, false
	}
	endField := func() {
		endToken()
		if len(field) > 0 {
			fields = append(fields, field)
		}
		field = nil
	}
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case inQuotes && r == '"' && i+1 < len(rs) && rs[i+1] == '"':
			cur.WriteRune('"')
			i++
		case r == '"':
			inQuotes, quoted, inToken = !inQuotes, true, true
		case inQuotes:
			cur.WriteRune(r)
		case r == '#':
			endField()
			return fields, nil
		case r == ',':
			endToken()
		case r == ' ' || r == '\t' || r == '\r':
			// A comma before the space continues the field.
			if cur.Len() == 0 && !inToken && len(field) > 0 && i > 0 && rs[i-1] == ',' {
				continue
			}
			endField()
		default:
			cur.WriteRune(r)
			inToken = true
		}
	}
	if inQuotes {
		return nil, fmt.Errorf("unterminated quoted string")
	}
	endField()
	return fields, nil
}

// single returns the only token of a field that must hold one.
func (f hbaField) single(what string) (hbaToken, error) {
	if len(f) != 1 {
		return hbaToken{}, fmt.Errorf("multiple values specified for %s", what)
	}
	return f[0], nil
}

func parseHBARule(fields []hbaField) (HBARule, error) {
	var rule HBARule
	typ, err := fields[0].single("connection type")
	if err != nil {
		return rule, err
	}
	if typ.text == "include" || typ.text == "include_if_exists" || typ.text == "include_dir" {
		return rule, fmt.Errorf("%s is not supported", typ.text)
	}
	ct, ok := connTypeNames[typ.text]
	if !ok {
		return rule, fmt.Errorf("invalid connection type %q (want local, host, hostssl or hostnossl)", typ.text)
	}
	rule.Type = ct
	want := 4
	if ct != ConnLocal {
		want = 5
	}
	if len(fields) < want-1 {
		return rule, fmt.Errorf("end-of-line before authentication method")
	}
	if rule.Databases, err = hbaNames(fields[1], "database", true); err != nil {
		return rule, err
	}
	if rule.Users, err = hbaNames(fields[2], "role", false); err != nil {
		return rule, err
	}
	rest := fields[3:]
	if ct != ConnLocal {
		if rule.Addresses, rest, err = hbaAddress(rest); err != nil {
			return rule, err
		}
	}
	if len(rest) == 0 {
		return rule, fmt.Errorf("end-of-line before authentication method")
	}
	m, err := rest[0].single("authentication type")
	if err != nil {
		return rule, err
	}
	switch AuthMethod(m.text) {
	case AuthTrust, AuthReject, AuthSCRAM, AuthMD5, AuthPassword:
		rule.Method = AuthMethod(m.text)
	default:
		return rule, fmt.Errorf("authentication method %q is not supported (want trust, reject, scram-sha-256, md5 or password)", m.text)
	}
	if len(rest) > 1 {
		return rule, fmt.Errorf("authentication options (%s) are not supported", rest[1][0].text)
	}
	return rule, nil
}

// hbaNames reads the database or user column: nil for all.
func hbaNames(f hbaField, what string, database bool) ([]string, error) {
	var names []string
	for _, tok := range f {
		switch {
		case tok.quoted:
			names = append(names, tok.text)
		case tok.text == "all":
			return nil, nil
		case database && tok.text == "sameuser":
			names = append(names, sameUser)
		case database && (tok.text == "samerole" || tok.text == "samegroup" || tok.text == "replication"):
			return nil, fmt.Errorf("database keyword %q is not supported", tok.text)
		case strings.HasPrefix(tok.text, "+"):
			return nil, fmt.Errorf("role groups (%s) are not supported", tok.text)
		case strings.HasPrefix(tok.text, "@"):
			return nil, fmt.Errorf("file references (%s) are not supported", tok.text)
		default:
			names = append(names, tok.text)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no %s name", what)
	}
	return names, nil
}

// hbaAddress reads the address column, and a netmask column after a bare
// address, and returns the fields after them.
func hbaAddress(fields []hbaField) (*netip.Prefix, []hbaField, error) {
	tok, err := fields[0].single("host name")
	if err != nil {
		return nil, nil, err
	}
	if !tok.quoted && tok.text == "all" {
		return nil, fields[1:], nil
	}
	if !tok.quoted && (tok.text == "samehost" || tok.text == "samenet") {
		return nil, nil, fmt.Errorf("address keyword %q is not supported", tok.text)
	}
	if strings.Contains(tok.text, "/") {
		p, err := netip.ParsePrefix(tok.text)
		if err != nil {
			return nil, nil, fmt.Errorf("invalid IP address %q: %v", tok.text, err)
		}
		p = p.Masked()
		return &p, fields[1:], nil
	}
	addr, err := netip.ParseAddr(tok.text)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid IP address %q (host names are not supported)", tok.text)
	}
	bits := addr.BitLen()
	rest := fields[1:]
	if len(rest) > 1 {
		// ADDRESS NETMASK METHOD
		if maskTok, err := rest[0].single("netmask"); err == nil {
			if mask, err := netip.ParseAddr(maskTok.text); err == nil {
				ones, ok := maskBits(mask)
				if !ok || mask.BitLen() != addr.BitLen() {
					return nil, nil, fmt.Errorf("invalid IP mask %q", maskTok.text)
				}
				bits, rest = ones, rest[1:]
			}
		}
	}
	p := netip.PrefixFrom(addr, bits).Masked()
	return &p, rest, nil
}

// maskBits returns the length of a contiguous netmask.
func maskBits(mask netip.Addr) (int, bool) {
	ones, bits := net.IPMask(mask.AsSlice()).Size()
	if ones == 0 && bits == 0 && !mask.IsUnspecified() {
		return 0, false
	}
	return ones, true
}

// peer is what a rule is matched against: how the client came.
type peer struct {
	// local: over the Unix socket or in-process; addr is then invalid.
	local bool
	addr  netip.Addr
	tls   bool
}

// peerOf classifies a connection's remote address.
func peerOf(a net.Addr, tls bool) peer {
	if tcp, ok := a.(*net.TCPAddr); ok {
		ap := tcp.AddrPort()
		return peer{addr: ap.Addr().Unmap(), tls: tls}
	}
	return peer{local: true, tls: tls}
}

// host is how PostgreSQL names the client in authentication messages.
func (p peer) host() string {
	if p.local {
		return "[local]"
	}
	return p.addr.String()
}

// encryption is the end of "no pg_hba.conf entry" messages.
func (p peer) encryption() string {
	if p.tls {
		return "SSL encryption"
	}
	return "no encryption"
}

// isLoopback reports whether the client is on this machine.
func (p peer) isLoopback() bool { return p.local || p.addr.IsLoopback() }

// matches reports whether rule applies to a connection from p for user
// and database.
func (r *HBARule) matches(p peer, user, database string) bool {
	switch r.Type {
	case ConnLocal:
		if !p.local {
			return false
		}
	case ConnHost, ConnHostSSL, ConnHostNoSSL:
		if p.local || r.Type == ConnHostSSL && !p.tls || r.Type == ConnHostNoSSL && p.tls {
			return false
		}
		if r.Addresses != nil && !r.Addresses.Contains(p.addr) {
			return false
		}
	}
	if r.Users != nil && !slices.Contains(r.Users, user) {
		return false
	}
	if r.Databases != nil && !slices.ContainsFunc(r.Databases, func(d string) bool {
		return d == database || d == sameUser && database == user
	}) {
		return false
	}
	return true
}

// matchHBA returns the first rule of rules for the connection, or nil.
func matchHBA(rules []HBARule, p peer, user, database string) *HBARule {
	for i := range rules {
		if rules[i].matches(p, user, database) {
			return &rules[i]
		}
	}
	return nil
}

// TrustsRemote reports whether rules let a client from beyond loopback in
// without a password, which deserves a warning at start-up.
func TrustsRemote(rules []HBARule) bool {
	for _, r := range rules {
		if r.Type == ConnLocal || r.Method != AuthTrust {
			continue
		}
		if r.Addresses == nil || !r.Addresses.Addr().IsLoopback() || r.Addresses.Bits() < 8 {
			return true
		}
	}
	return false
}

// UsesMethod reports whether any rule authenticates with m.
func UsesMethod(rules []HBARule, m AuthMethod) bool {
	return slices.ContainsFunc(rules, func(r HBARule) bool { return r.Method == m })
}
