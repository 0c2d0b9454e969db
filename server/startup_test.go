package server

import (
	"encoding/binary"
	"io"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// packet builds a startup-phase packet: length, code, then NUL-terminated
// strings and a final NUL when kv is given.
func packet(code uint32, kv ...string) []byte {
	b := []byte{0, 0, 0, 0}
	b = binary.BigEndian.AppendUint32(b, code)
	for _, s := range kv {
		b = append(append(b, s...), 0)
	}
	if len(kv) > 0 {
		b = append(b, 0)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

// fixLength sets the length word of a packet that was cut short.
func fixLength(b []byte) []byte {
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

const v30 = 3 << 16

var startupTail = []string{
	"ParameterStatus server_version=17.0",
	"ParameterStatus server_encoding=UTF8",
	"ParameterStatus client_encoding=UTF8",
	"ParameterStatus DateStyle=ISO, MDY",
	"ParameterStatus integer_datetimes=on",
	"ParameterStatus standard_conforming_strings=on",
	"ParameterStatus TimeZone=UTC",
}

func readyTranscript(before []string, after ...string) []string {
	out := append(append([]string{}, before...), startupTail...)
	out = append(out, after...)
	return append(out, "BackendKeyData", "ReadyForQuery I")
}

func TestStartup(t *testing.T) {
	tests := []struct {
		name     string
		packets  [][]byte // each answered 'N' except the last
		want     []string
		wantOpen bool
	}{{
		name:     "plain",
		packets:  [][]byte{packet(v30, "user", "alice", "database", "db")},
		want:     readyTranscript([]string{"AuthenticationOk"}),
		wantOpen: true,
	}, {
		name:     "ssl then startup",
		packets:  [][]byte{packet(sslRequestCode), packet(v30, "user", "alice")},
		want:     readyTranscript([]string{"AuthenticationOk"}),
		wantOpen: true,
	}, {
		name:     "gssenc and ssl then startup",
		packets:  [][]byte{packet(gssEncRequestCode), packet(sslRequestCode), packet(v30, "user", "alice")},
		want:     readyTranscript([]string{"AuthenticationOk"}),
		wantOpen: true,
	}, {
		name:     "application_name reported",
		packets:  [][]byte{packet(v30, "user", "alice", "application_name", "psql")},
		want:     readyTranscript([]string{"AuthenticationOk"}, "ParameterStatus application_name=psql"),
		wantOpen: true,
	}, {
		name:     "minor version 2 negotiated down",
		packets:  [][]byte{packet(v30|2, "user", "alice", "_pq_.opt", "x")},
		want:     readyTranscript([]string{"NegotiateProtocolVersion 196608 [_pq_.opt]", "AuthenticationOk"}),
		wantOpen: true,
	}, {
		name:    "ssl twice",
		packets: [][]byte{packet(sslRequestCode), packet(sslRequestCode)},
		want:    []string{"ErrorResponse FATAL 0A000 unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0"},
	}, {
		name:    "protocol 2",
		packets: [][]byte{packet(2 << 16)},
		want:    []string{"ErrorResponse FATAL 0A000 unsupported frontend protocol 2.0: server supports 3.0 to 3.0"},
	}, {
		name:    "no user",
		packets: [][]byte{packet(v30, "database", "db")},
		want:    []string{"ErrorResponse FATAL 28000 no PostgreSQL user name specified in startup packet"},
	}, {
		name:    "missing terminator",
		packets: [][]byte{fixLength(packet(v30, "user")[:13])},
		want:    []string{"ErrorResponse FATAL 08P01 invalid startup packet layout: expected terminator as last byte"},
	}, {
		name:    "bad options",
		packets: [][]byte{packet(v30, "user", "alice", "options", "-B 10")},
		want:    []string{"ErrorResponse FATAL 42601 invalid command-line argument for server process: -B"},
	}, {
		name:    "replication",
		packets: [][]byte{packet(v30, "user", "alice", "replication", "database")},
		want:    []string{"ErrorResponse FATAL 0A000 replication connections are not supported"},
	}, {
		name:    "length too small",
		packets: [][]byte{{0, 0, 0, 5, 0}},
	}, {
		name:    "length too large",
		packets: [][]byte{{0, 1, 0, 0, 0, 3, 0, 0}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, addr := startServer(t, &fakeEngine{})
			c := dialRaw(t, addr)
			for i, p := range tt.packets {
				c.sendRaw(p)
				if i < len(tt.packets)-1 {
					expectByte(t, c, 'N')
				}
			}
			var got []string
			if tt.wantOpen {
				got = c.untilReady()
				checkTranscript(t, got, tt.want)
				checkTranscript(t, c.simpleQuery("series 1"), []string{"RowDescription n:20/0", `DataRow "1"`, "CommandComplete SELECT 1", "ReadyForQuery I"})
				return
			}
			checkTranscript(t, c.untilClosed(), tt.want)
		})
	}
}

func expectByte(t *testing.T, c *rawClient, want byte) {
	t.Helper()
	var b [1]byte
	if _, err := io.ReadFull(c.conn, b[:]); err != nil {
		t.Fatalf("reading answer to request: %v", err)
	}
	if b[0] != want {
		t.Fatalf("answer %q, want %q", b[0], want)
	}
}

func TestStartupRefusedSession(t *testing.T) {
	eng := &fakeEngine{refuse: pgerr.New(pgerr.UndefinedDatabase, "database \"nope\" does not exist")}
	_, addr := startServer(t, eng)
	c := dialRaw(t, addr)
	c.sendRaw(packet(v30, "user", "alice", "database", "nope"))
	checkTranscript(t, c.untilClosed(), []string{
		"AuthenticationOk",
		`ErrorResponse FATAL 3D000 database "nope" does not exist`,
	})
}

func TestStartupSessionParams(t *testing.T) {
	eng := &fakeEngine{}
	_, addr := startServer(t, eng)
	c := dialRaw(t, addr)
	c.sendRaw(packet(v30, "user", "alice", "client_encoding", "UTF8", "options", `-c search_path=a\ b --work-mem=4MB -cstatement_timeout=5`))
	c.untilReady()
	eng.mu.Lock()
	got := eng.sessions[0].params
	eng.mu.Unlock()
	if got.User != "alice" || got.Database != "alice" {
		t.Errorf("user, database = %q, %q; want alice, alice", got.User, got.Database)
	}
	want := map[string]string{"client_encoding": "UTF8", "search_path": "a b", "work_mem": "4MB", "statement_timeout": "5"}
	if !maps.Equal(got.Options, want) {
		t.Errorf("options = %v, want %v", got.Options, want)
	}
}

func TestSplitCommandLine(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  -c  a=b  ", []string{"-c", "a=b"}},
		{`-c a=x\ y`, []string{"-c", "a=x y"}},
		{`a\\b`, []string{`a\b`}},
		{"\t-ca=1\n--b=2", []string{"-ca=1", "--b=2"}},
	}
	for _, tt := range tests {
		if got := splitCommandLine(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitCommandLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseCommandLineOptionsErrors(t *testing.T) {
	for _, in := range []string{"-c", "-c a", "x", "-B 1"} {
		err := parseCommandLineOptions(in, map[string]string{})
		if err == nil || !strings.Contains(err.Error(), "42601") {
			t.Errorf("parseCommandLineOptions(%q) = %v, want a 42601 error", in, err)
		}
	}
}

func TestCancelRequestClosesWithoutAnswer(t *testing.T) {
	_, addr := startServer(t, &fakeEngine{})
	c := dialRaw(t, addr)
	c.send(&pgproto3.CancelRequest{ProcessID: 1, SecretKey: []byte{1, 2, 3, 4}})
	checkTranscript(t, c.untilClosed(), nil)
}
