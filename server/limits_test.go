package server

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// waitFor polls cond until it holds, failing the test after testTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after %v", what, testTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMaxConnections(t *testing.T) {
	eng := &fakeEngine{started: make(chan struct{}, 1)}
	srv, addr := startServer(t, eng, func(c *Config) { c.MaxConnections = 2 })

	first := connectRaw(t, addr)
	second := dialRaw(t, addr)
	second.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "bob"}})
	var pid uint32
	var secret []byte
	for {
		msg, err := second.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if kd, ok := msg.(*pgproto3.BackendKeyData); ok {
			pid, secret = kd.ProcessID, append([]byte(nil), kd.SecretKey...)
		}
		if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
	if got := srv.Sessions(); got != 2 {
		t.Errorf("Sessions() = %d with two sessions open, want 2", got)
	}

	// A third client is refused after its startup packet, with
	// PostgreSQL's error.
	third := dialRaw(t, addr)
	third.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "carol"}})
	checkTranscript(t, third.untilClosed(), []string{"ErrorResponse FATAL 53300 sorry, too many clients already"})

	// SSLRequest is answered and CancelRequest served at the limit: they
	// take no slot.
	ssl := dialRaw(t, addr)
	ssl.sendRaw(packet(sslRequestCode))
	var answer [1]byte
	if _, err := ssl.conn.Read(answer[:]); err != nil || answer[0] != 'N' {
		t.Fatalf("SSLRequest at the limit: answer %q, %v", answer[:], err)
	}
	second.send(&pgproto3.Query{String: "sleep"})
	<-eng.started
	cancel := dialRaw(t, addr)
	cancel.send(&pgproto3.CancelRequest{ProcessID: pid, SecretKey: secret})
	checkTranscript(t, second.untilReady(), []string{"ErrorResponse ERROR 57014 canceling statement due to user request", "ReadyForQuery I"})

	// A slot is free again once a session ends.
	first.send(&pgproto3.Terminate{})
	first.untilClosed()
	waitFor(t, "the first session's slot", func() bool { return srv.Sessions() == 1 })
	fourth := connectRaw(t, addr)
	checkTranscript(t, fourth.simpleQuery("series 1"), []string{"RowDescription n:20/0", `DataRow "1"`, "CommandComplete SELECT 1", "ReadyForQuery I"})

	second.conn.Close()
	fourth.conn.Close()
	waitFor(t, "every slot", func() bool { return srv.Sessions() == 0 })
}

func TestConfigValidateMaxConnections(t *testing.T) {
	tests := []struct {
		n    int
		want int // after defaults; -1 for a Validate error
	}{
		{0, DefaultMaxConnections},
		{1, 1},
		{maxConnectionsLimit, maxConnectionsLimit},
		{-1, -1},
		{maxConnectionsLimit + 1, -1},
	}
	for _, tt := range tests {
		cfg := Config{Engine: &fakeEngine{}, MaxConnections: tt.n}.withDefaults()
		err := cfg.Validate()
		if (err != nil) != (tt.want == -1) {
			t.Errorf("MaxConnections %d: Validate() = %v", tt.n, err)
		}
		if err == nil && cfg.MaxConnections != tt.want {
			t.Errorf("MaxConnections %d became %d, want %d", tt.n, cfg.MaxConnections, tt.want)
		}
	}
}

// writeRecorder is a net.Conn that records the largest single Write: the
// server writes its whole pending output in one call.
type writeRecorder struct {
	net.Conn
	largest atomic.Int64
	total   atomic.Int64
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	if n := int64(len(p)); n > w.largest.Load() {
		w.largest.Store(n)
	}
	w.total.Add(int64(len(p)))
	return w.Conn.Write(p)
}

// TestOutputBoundedWhenClientDoesNotRead runs a query with a large result
// for a client that reads nothing: the server must block in Write with a
// bounded amount pending rather than buffer the result.
func TestOutputBoundedWhenClientDoesNotRead(t *testing.T) {
	srv, err := New(Config{Engine: &fakeEngine{}})
	if err != nil {
		t.Fatal(err)
	}
	client, server := net.Pipe()
	defer client.Close()
	rec := &writeRecorder{Conn: server}
	srv.start(rec)
	client.SetDeadline(time.Now().Add(testTimeout))
	go client.Write(encode(fuzzStartup, &pgproto3.Query{String: "series 100000"}, &pgproto3.Terminate{}))

	// net.Pipe has no buffer: until the client reads, the server's first
	// Write of the result blocks. Give it time to (wrongly) pile up more.
	time.Sleep(100 * time.Millisecond)
	var rows int
	fe := pgproto3.NewFrontend(client, nil)
	for {
		msg, err := fe.Receive()
		if err != nil {
			break
		}
		if _, ok := msg.(*pgproto3.DataRow); ok {
			rows++
		}
		if rows%1000 == 0 {
			// Read slowly now and then, so that the server runs ahead.
			time.Sleep(time.Millisecond)
		}
	}
	if rows != 100000 {
		t.Fatalf("received %d rows, want 100000", rows)
	}
	// One DataRow of "series" is at most 20 bytes.
	if got, limit := rec.largest.Load(), int64(flushThreshold+64); got > limit {
		t.Errorf("the server wrote %d bytes at once (of %d in all), more than flushThreshold plus a row (%d)", got, rec.total.Load(), limit)
	}
}
