package server

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func prefix(s string) *netip.Prefix {
	p := netip.MustParsePrefix(s)
	return &p
}

func TestParseHBA(t *testing.T) {
	for _, tc := range []struct {
		line string
		want HBARule
	}{
		{"local all all trust", HBARule{Type: ConnLocal, Method: AuthTrust}},
		{"host all all 127.0.0.1/32 scram-sha-256  # loopback", HBARule{Type: ConnHost, Addresses: prefix("127.0.0.1/32"), Method: AuthSCRAM}},
		{"hostssl app,\"All\" alice,bob 10.1.2.3/8 md5", HBARule{Type: ConnHostSSL, Databases: []string{"app", "All"},
			Users: []string{"alice", "bob"}, Addresses: prefix("10.0.0.0/8"), Method: AuthMD5}},
		{"hostnossl sameuser all 192.168.1.0 255.255.255.0 password", HBARule{Type: ConnHostNoSSL, Databases: []string{sameUser},
			Addresses: prefix("192.168.1.0/24"), Method: AuthPassword}},
		{"host \"sameuser\" \"all\" all reject", HBARule{Type: ConnHost, Databases: []string{"sameuser"}, Users: []string{"all"}, Method: AuthReject}},
		{"host all all ::1/128 trust", HBARule{Type: ConnHost, Addresses: prefix("::1/128"), Method: AuthTrust}},
		{"host all all 10.0.0.5 trust", HBARule{Type: ConnHost, Addresses: prefix("10.0.0.5/32"), Method: AuthTrust}},
	} {
		rules, err := ParseHBA(strings.NewReader("# comment\n\n" + tc.line + "\n"))
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		tc.want.Line = 3
		if len(rules) != 1 || !reflect.DeepEqual(rules[0], tc.want) {
			t.Errorf("%q: got %+v, want %+v", tc.line, rules, tc.want)
		}
	}
}

func TestParseHBAErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"hostgssenc all all all trust", "invalid connection type"},
		{"host all all 127.0.0.1/32", "end-of-line before authentication method"},
		{"host all all db.example.com trust", "host names are not supported"},
		{"host all all 127.0.0.1/32 peer", `authentication method "peer" is not supported`},
		{"host all all 127.0.0.1/32 md5 clientcert=verify-full", "authentication options"},
		{"local all +admins trust", "role groups"},
		{"local samerole all trust", `database keyword "samerole"`},
		{"host all all samenet trust", `address keyword "samenet"`},
		{"host all all 10.0.0.1 255.0.255.0 trust", "invalid IP mask"},
		{"include other.conf", "include is not supported"},
		{"local \"all all trust", "unterminated quoted string"},
	} {
		_, err := ParseHBA(strings.NewReader("local all all trust\n" + tc.line))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "line 2: ") {
			t.Errorf("%q: error %v, want line 2 and %q", tc.line, err, tc.want)
		}
	}
}

func TestMatchHBA(t *testing.T) {
	rules, err := ParseHBA(strings.NewReader(`
local     all      all                  trust
hostssl   all      admin  0.0.0.0/0     scram-sha-256
host      all      admin  all           reject
hostnossl app      all    10.0.0.0/8    md5
host      sameuser all    192.168.0.0/16 password
host      all      all    ::1/128       trust
`))
	if err != nil {
		t.Fatal(err)
	}
	remote := func(addr string, tls bool) peer { return peer{addr: netip.MustParseAddr(addr), tls: tls} }
	for _, tc := range []struct {
		name           string
		p              peer
		user, database string
		wantLine       int // 0: no rule
	}{
		{"unix socket", peer{local: true}, "x", "y", 2},
		{"admin over TLS", remote("8.8.8.8", true), "admin", "app", 3},
		{"admin in clear", remote("10.1.1.1", false), "admin", "app", 4},
		{"admin over TLS from IPv6 (0.0.0.0/0 is IPv4)", remote("2001:db8::1", true), "admin", "app", 4},
		{"app from 10/8", remote("10.1.1.1", false), "bob", "app", 5},
		{"app from 10/8 over TLS", remote("10.1.1.1", true), "bob", "app", 0},
		{"sameuser", remote("192.168.3.4", false), "bob", "bob", 6},
		{"not sameuser", remote("192.168.3.4", false), "bob", "app2", 0},
		{"IPv6 loopback", remote("::1", false), "bob", "x", 7},
		{"nothing", remote("8.8.8.8", false), "bob", "x", 0},
	} {
		r := matchHBA(rules, tc.p, tc.user, tc.database)
		got := 0
		if r != nil {
			got = r.Line
		}
		if got != tc.wantLine {
			t.Errorf("%s: rule of line %d, want %d", tc.name, got, tc.wantLine)
		}
	}
}

func TestDefaultHBA(t *testing.T) {
	lo, remote := peer{addr: netip.MustParseAddr("127.0.0.1")}, peer{addr: netip.MustParseAddr("192.0.2.1")}
	for _, tc := range []struct {
		passwords  bool
		p          peer
		wantMethod AuthMethod // "": refused
	}{
		{false, lo, AuthTrust},
		{false, peer{local: true}, AuthTrust},
		{false, peer{addr: netip.MustParseAddr("::1")}, AuthTrust},
		{false, remote, ""},
		{true, lo, AuthSCRAM},
		{true, peer{local: true}, AuthSCRAM},
		{true, remote, AuthSCRAM},
	} {
		r := matchHBA(DefaultHBA(tc.passwords), tc.p, "u", "d")
		var got AuthMethod
		if r != nil {
			got = r.Method
		}
		if got != tc.wantMethod {
			t.Errorf("passwords=%v %+v: method %q, want %q", tc.passwords, tc.p, got, tc.wantMethod)
		}
	}
	if TrustsRemote(DefaultHBA(false)) {
		t.Error("the default rules trust beyond loopback")
	}
	if rules, _ := ParseHBA(strings.NewReader("host all all 0.0.0.0/0 trust")); !TrustsRemote(rules) {
		t.Error("trust from 0.0.0.0/0 is not reported")
	}
}
