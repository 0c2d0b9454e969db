package server

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// fuzzDeadline is how long one input may keep a connection busy.
const fuzzDeadline = 5 * time.Second

// runConn feeds input to a fresh connection of a server with the fake
// engine, reads everything it answers, and fails if it does not finish.
// A panic would crash the test binary: the connection recovers its own.
func runConn(t *testing.T, input []byte) {
	srv, err := New(Config{Engine: &fakeEngine{noSleep: true}, StartupTimeout: fuzzDeadline, MaxMessageSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	client, server := net.Pipe()
	defer client.Close()
	srv.start(server)
	finished := make(chan struct{})
	go func() {
		srv.active.Wait()
		close(finished)
	}()
	go io.Copy(io.Discard, client)
	go func() {
		client.Write(input)
		client.Close()
	}()
	select {
	case <-finished:
	case <-time.After(fuzzDeadline):
		t.Fatalf("connection still running after %v on input %q", fuzzDeadline, input)
	}
}

func encode(msgs ...any) []byte {
	var b []byte
	for _, m := range msgs {
		switch m := m.(type) {
		case pgproto3.FrontendMessage:
			var err error
			if b, err = m.Encode(b); err != nil {
				panic(err)
			}
		case []byte:
			b = append(b, m...)
		}
	}
	return b
}

var fuzzStartup = &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}}

func FuzzStartup(f *testing.F) {
	f.Add(encode(fuzzStartup))
	f.Add(encode(&pgproto3.SSLRequest{}, fuzzStartup))
	f.Add(encode(&pgproto3.GSSEncRequest{}, &pgproto3.SSLRequest{}, fuzzStartup, &pgproto3.Query{String: "series 2"}))
	f.Add(encode(&pgproto3.CancelRequest{ProcessID: 1, SecretKey: []byte{1, 2, 3, 4}}))
	f.Add(packet(v30|5, "user", "u", "_pq_.x", "1", "options", `-c a=b\ c`))
	f.Add(packet(2 << 16))
	f.Add([]byte{0, 0, 0, 8, 4, 210, 22, 47})
	f.Fuzz(func(t *testing.T, input []byte) {
		if fakeHazard(input) {
			return
		}
		runConn(t, input)
	})
}

func FuzzFrontendMessages(f *testing.F) {
	f.Add(encode(&pgproto3.Query{String: "series 3; insert a"}, &pgproto3.Terminate{}))
	f.Add(encode(
		&pgproto3.Parse{Name: "s", Query: "echo int8 text"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s"},
		&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1, 0}, Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 0, 1}, []byte("x")}, ResultFormatCodes: []int16{1}},
		&pgproto3.Execute{MaxRows: 1},
		&pgproto3.Execute{},
		&pgproto3.Close{ObjectType: 'P'},
		&pgproto3.Sync{},
	))
	f.Add(encode(&pgproto3.Parse{Query: "failafter 2"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Flush{}, &pgproto3.Sync{}))
	f.Add(encode(&pgproto3.Query{String: "begin; insert a"}, &pgproto3.Query{String: "fail 22012 x"}, &pgproto3.Query{String: "rollback"}))
	f.Add(encode(&pgproto3.Query{String: "panic"}))
	f.Add(encode(&pgproto3.Query{String: "copyin 2"}, &pgproto3.CopyData{Data: []byte("a\nb")}, &pgproto3.CopyDone{}, &pgproto3.Query{String: "copyout"}))
	f.Add(encode(&pgproto3.Query{String: "set statement_timeout 1; sleep"}))
	f.Add([]byte{'B', 0, 0, 0, 7, 'x', 0, 'y', 'S', 0, 0, 0, 4})
	f.Add([]byte{'Q', 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, input []byte) {
		if fakeHazard(input) {
			return
		}
		runConn(t, append(encode(fuzzStartup), input...))
	})
}
