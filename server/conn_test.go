package server

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// TestBrokenConnectionLeavesOthersAlone breaks one connection in each of
// the ways a client can, and checks that it alone is closed, with the
// expected FATAL, while a second connection goes on working.
func TestBrokenConnectionLeavesOthersAlone(t *testing.T) {
	bigQuery := append([]byte{'Q', 0, 0, 0, 0}, strings.Repeat("x", 2000)...)
	bigQuery = append(bigQuery, 0)
	binary.BigEndian.PutUint32(bigQuery[1:], uint32(len(bigQuery)-1))
	tests := []struct {
		name string
		raw  []byte
		want []string
	}{{
		name: "oversized message",
		raw:  bigQuery,
		want: []string{"ErrorResponse FATAL 08P01 invalid message length"},
	}, {
		name: "oversized small message",
		raw:  []byte{'S', 0, 0, 0x30, 0},
		want: []string{"ErrorResponse FATAL 08P01 invalid message length"},
	}, {
		name: "length below header size",
		raw:  []byte{'Q', 0, 0, 0, 3},
		want: []string{"ErrorResponse FATAL 08P01 invalid message length"},
	}, {
		name: "negative length",
		raw:  []byte{'Q', 0xff, 0xff, 0xff, 0xf0},
		want: []string{"ErrorResponse FATAL 08P01 invalid message length"},
	}, {
		name: "unknown message type",
		raw:  []byte{'x', 0, 0, 0, 4},
		want: []string{"ErrorResponse FATAL 08P01 invalid frontend message type 120"},
	}, {
		name: "password message after startup",
		raw:  []byte{'p', 0, 0, 0, 5, 0},
		want: []string{"ErrorResponse FATAL 08P01 invalid frontend message type 112"},
	}, {
		name: "truncated message",
		raw:  []byte{'Q', 0, 0, 0, 10, 'a'},
	}, {
		name: "terminate",
		raw:  []byte{'X', 0, 0, 0, 4},
	}, {
		name: "fatal error in a query",
		raw:  encode(&pgproto3.Query{String: "fatal"}),
		want: []string{"ErrorResponse FATAL 57P01 terminating connection due to administrator command"},
	}, {
		name: "fatal error in an execute",
		raw:  encode(&pgproto3.Parse{Query: "fatal"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}),
		want: []string{"ParseComplete", "BindComplete", "ErrorResponse FATAL 57P01 terminating connection due to administrator command"},
	}, {
		name: "panic in the session",
		raw:  []byte{'Q', 0, 0, 0, 10, 'p', 'a', 'n', 'i', 'c', 0},
		want: []string{"ErrorResponse FATAL XX000 internal error: fake session panic"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, addr := startServer(t, &fakeEngine{}, func(c *Config) { c.MaxMessageSize = 1024 })
			good := connectRaw(t, addr)
			bad := connectRaw(t, addr)
			bad.sendRaw(tt.raw)
			if tt.name == "truncated message" {
				bad.conn.(interface{ CloseWrite() error }).CloseWrite()
			}
			checkTranscript(t, bad.untilClosed(), tt.want)
			checkTranscript(t, good.simpleQuery("series 1"), []string{"RowDescription n:20/0", `DataRow "1"`, "CommandComplete SELECT 1", "ReadyForQuery I"})
		})
	}
}

// connectWithKey connects and returns the pid and secret of a new connection.
func connectWithKey(t *testing.T, addr string) (*rawClient, uint32, []byte) {
	t.Helper()
	c := dialRaw(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
	for {
		msg, err := c.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.BackendKeyData:
			pid, key := m.ProcessID, append([]byte(nil), m.SecretKey...)
			c.untilReady()
			return c, pid, key
		case *pgproto3.ErrorResponse:
			t.Fatalf("startup failed: %s", m.Message)
		}
	}
}

func sendCancel(t *testing.T, addr string, pid uint32, key []byte) {
	t.Helper()
	c := dialRaw(t, addr)
	c.send(&pgproto3.CancelRequest{ProcessID: pid, SecretKey: key})
	checkTranscript(t, c.untilClosed(), nil)
}

func TestCancelRequest(t *testing.T) {
	eng := &fakeEngine{started: make(chan struct{}, 1)}
	_, addr := startServer(t, eng)
	c, pid, key := connectWithKey(t, addr)
	other, otherPID, _ := connectWithKey(t, addr)
	if pid != 100 || otherPID != 101 {
		t.Fatalf("pids %d and %d, want the sessions' own 100 and 101", pid, otherPID)
	}
	c.send(&pgproto3.Query{String: "sleep"})
	<-eng.started
	sendCancel(t, addr, pid, []byte{9, 9, 9, 9})
	sendCancel(t, addr, otherPID, key)
	sendCancel(t, addr, pid, key)
	checkTranscript(t, c.untilReady(), []string{"ErrorResponse ERROR 57014 canceling statement due to user request", "ReadyForQuery I"})
	checkTranscript(t, c.simpleQuery("series 0"), []string{"RowDescription n:20/0", "CommandComplete SELECT 0", "ReadyForQuery I"})
	checkTranscript(t, other.simpleQuery("series 0"), []string{"RowDescription n:20/0", "CommandComplete SELECT 0", "ReadyForQuery I"})
}

func TestShutdownEndsIdleSessions(t *testing.T) {
	srv, addr := startServer(t, &fakeEngine{})
	idle := connectRaw(t, addr)
	inTxn := connectRaw(t, addr)
	inTxn.simpleQuery("begin")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, c := range []*rawClient{idle, inTxn} {
		checkTranscript(t, c.untilClosed(), []string{"ErrorResponse FATAL 57P01 terminating connection due to administrator command"})
	}
	if nc, err := net.DialTimeout("tcp", addr, testTimeout); err == nil {
		nc.Close()
		t.Error("server still accepts connections after Shutdown")
	}
}

// TestShutdownWaitsForBusySessions checks that a running statement may
// finish before its session is ended.
func TestShutdownWaitsForBusySessions(t *testing.T) {
	eng := &fakeEngine{started: make(chan struct{}, 1)}
	srv, addr := startServer(t, eng)
	busy, pid, key := connectWithKey(t, addr)
	busy.send(&pgproto3.Query{String: "sleep"})
	<-eng.started
	shutdown := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		shutdown <- srv.Shutdown(ctx)
	}()
	time.Sleep(20 * time.Millisecond)
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned %v while a statement ran", err)
	default:
	}
	srv.cancel(pid, key)
	checkTranscript(t, busy.untilClosed(), []string{
		"ErrorResponse ERROR 57014 canceling statement due to user request",
		"ReadyForQuery I",
		"ErrorResponse FATAL 57P01 terminating connection due to administrator command",
	})
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// TestShutdownDeadlineCancelsStatements checks that Shutdown gives up on a
// statement that outlives its context, cancelling it.
func TestShutdownDeadlineCancelsStatements(t *testing.T) {
	eng := &fakeEngine{started: make(chan struct{}, 1)}
	srv, addr := startServer(t, eng)
	busy := connectRaw(t, addr)
	busy.send(&pgproto3.Query{String: "sleep"})
	<-eng.started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v, want DeadlineExceeded", err)
	}
	busy.untilClosed()
}

// TestIdleInTransactionTimeout ends a session that waits for its next
// command inside a transaction block for longer than
// idle_in_transaction_session_timeout, and only such a session.
func TestIdleInTransactionTimeout(t *testing.T) {
	_, addr := startServer(t, &fakeEngine{idleTimeout: 50 * time.Millisecond})
	idle := connectRaw(t, addr)
	inTxn := connectRaw(t, addr)
	failed := connectRaw(t, addr)
	checkTranscript(t, inTxn.simpleQuery("begin"), []string{"CommandComplete BEGIN", "ReadyForQuery T"})
	// One message: the session is idle only once it has answered.
	failed.simpleQuery("begin; fail 22012 division by zero")
	for _, c := range []*rawClient{inTxn, failed} {
		checkTranscript(t, c.untilClosed(), []string{"ErrorResponse FATAL 25P03 terminating connection due to idle-in-transaction timeout"})
	}
	// The idle session outlived them, and the timeout does not bound
	// statements.
	checkTranscript(t, idle.simpleQuery("series 1"), []string{"RowDescription n:20/0", `DataRow "1"`, "CommandComplete SELECT 1", "ReadyForQuery I"})
}

// TestShutdownEndsSessionsWaitingInTransaction checks that a read bounded
// by idle_in_transaction_session_timeout is still interrupted at once by
// Shutdown.
func TestShutdownEndsSessionsWaitingInTransaction(t *testing.T) {
	srv, addr := startServer(t, &fakeEngine{idleTimeout: time.Hour})
	inTxn := connectRaw(t, addr)
	inTxn.simpleQuery("begin")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	checkTranscript(t, inTxn.untilClosed(), []string{"ErrorResponse FATAL 57P01 terminating connection due to administrator command"})
}
