package server

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func TestCopy(t *testing.T) {
	data := func(s string) *pgproto3.CopyData { return &pgproto3.CopyData{Data: []byte(s)} }
	tests := []struct {
		name          string
		msgs          []pgproto3.FrontendMessage
		want          []string
		wantCommitted []string
	}{{
		name: "copy in",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Query{String: "copyin 2"},
			data("a\nb"), data("\nc\n"), &pgproto3.CopyDone{},
		},
		want: []string{
			"CopyInResponse 0 [0 0]", "CommandComplete COPY 3", "ReadyForQuery I",
		},
		wantCommitted: []string{"copy:a", "copy:b", "copy:c"},
	}, {
		name: "binary copy in",
		msgs: []pgproto3.FrontendMessage{&pgproto3.Query{String: "copyinbin 3"}, &pgproto3.CopyDone{}},
		want: []string{"CopyInResponse 1 [1 1 1]", "CommandComplete COPY 0", "ReadyForQuery I"},
	}, {
		name: "copy in then more statements",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Query{String: "insert x; copyin 1; series 1"},
			data("a\n"), &pgproto3.CopyDone{},
		},
		want: []string{
			"CommandComplete INSERT 0 1", "CopyInResponse 0 [0]", "CommandComplete COPY 1",
			"RowDescription n:20/0", `DataRow "1"`, "CommandComplete SELECT 1", "ReadyForQuery I",
		},
		wantCommitted: []string{"x", "copy:a"},
	}, {
		name: "client fails the copy",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Query{String: "copyin 1"},
			data("a\n"), &pgproto3.CopyFail{Message: "oops"},
		},
		want: []string{"CopyInResponse 0 [0]", "ErrorResponse ERROR 57014 COPY from stdin failed: oops", "ReadyForQuery I"},
	}, {
		name: "bad row; the rest of the data is ignored",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Query{String: "copyin 1"},
			data("a\nbad\n"), data("more\n"), &pgproto3.CopyDone{},
		},
		want: []string{"CopyInResponse 0 [0]", "ErrorResponse ERROR 22P04 bad copy line 2", "ReadyForQuery I"},
	}, {
		name: "flush and sync are ignored during copy in",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Query{String: "copyin 1"},
			data("a\n"), &pgproto3.Flush{}, &pgproto3.Sync{}, &pgproto3.CopyDone{},
		},
		want:          []string{"CopyInResponse 0 [0]", "CommandComplete COPY 1", "ReadyForQuery I"},
		wantCommitted: []string{"copy:a"},
	}, {
		name: "copy out",
		msgs: []pgproto3.FrontendMessage{&pgproto3.Query{String: "copyout"}},
		want: []string{
			"CopyOutResponse 0 [0]", `CopyData "1\n"`, `CopyData "2\n"`, "CopyDone", "CommandComplete COPY 2", "ReadyForQuery I",
		},
	}, {
		name: "extended copy in",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "copyin 1"},
			&pgproto3.Bind{},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			data("a\n"), &pgproto3.CopyDone{},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete", "NoData", "CopyInResponse 0 [0]", "CommandComplete COPY 1", "ReadyForQuery I",
		},
		wantCommitted: []string{"copy:a"},
	}, {
		name: "extended copy out",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "copyout"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete", "CopyOutResponse 0 [0]", `CopyData "1\n"`, `CopyData "2\n"`, "CopyDone",
			"CommandComplete COPY 2", "ReadyForQuery I",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := &fakeEngine{}
			_, addr := startServer(t, eng)
			c := connectRaw(t, addr)
			c.send(tt.msgs...)
			checkTranscript(t, c.untilReady(), tt.want)
			checkTranscript(t, c.simpleQuery("series 0"), []string{"RowDescription n:20/0", "CommandComplete SELECT 0", "ReadyForQuery I"})
			if committed := eng.committedRows(); !reflect.DeepEqual(committed, tt.wantCommitted) {
				t.Errorf("committed %q, want %q", committed, tt.wantCommitted)
			}
		})
	}
}

// TestCopyInterrupted checks that a message with no place in a COPY ends
// the connection after its error, as PostgreSQL does.
func TestCopyInterrupted(t *testing.T) {
	eng := &fakeEngine{}
	_, addr := startServer(t, eng)
	c := connectRaw(t, addr)
	c.send(&pgproto3.Query{String: "copyin 1"}, &pgproto3.CopyData{Data: []byte("a\n")}, &pgproto3.Query{String: "series 1"})
	checkTranscript(t, c.untilClosed(), []string{
		"CopyInResponse 0 [0]",
		"ErrorResponse ERROR 08P01 unexpected message type 0x51 during COPY from stdin",
		"ErrorResponse FATAL 08P01 terminating connection because protocol synchronization was lost",
	})
	if committed := eng.committedRows(); len(committed) != 0 {
		t.Errorf("committed %q", committed)
	}
}

func TestCopyConnectionLost(t *testing.T) {
	_, addr := startServer(t, &fakeEngine{})
	c := connectRaw(t, addr)
	c.send(&pgproto3.Query{String: "copyin 1"}, &pgproto3.CopyData{Data: []byte("a\n")})
	if got := c.receive(); got != "CopyInResponse 0 [0]" {
		t.Fatalf("got %s", got)
	}
	c.sendRaw([]byte{'d', 0, 0, 0, 3})
	checkTranscript(t, c.untilClosed(), []string{"ErrorResponse FATAL 08P01 invalid message length"})
}

func TestStatementTimeout(t *testing.T) {
	_, addr := startServer(t, &fakeEngine{})
	c := connectRaw(t, addr)
	checkTranscript(t, c.simpleQuery("set statement_timeout 20; sleep; insert never"), []string{
		"CommandComplete SET", "ErrorResponse ERROR 57014 canceling statement due to statement timeout", "ReadyForQuery I",
	})
	c.send(&pgproto3.Parse{Query: "sleep"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	checkTranscript(t, c.untilReady(), []string{
		"ParseComplete", "BindComplete", "ErrorResponse ERROR 57014 canceling statement due to statement timeout", "ReadyForQuery I",
	})
}
