package server

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func TestExtendedQuery(t *testing.T) {
	int8Bin := []byte{0, 0, 0, 0, 0, 0, 0, 42}
	tests := []struct {
		name          string
		msgs          []pgproto3.FrontendMessage
		want          []string
		wantCommitted []string
	}{{
		name: "parse bind describe execute",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "series 2"},
			&pgproto3.Bind{},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete", "RowDescription n:20/0",
			`DataRow "1"`, `DataRow "2"`, "CommandComplete SELECT 2", "ReadyForQuery I",
		},
	}, {
		name: "row limit suspends and resumes",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "series 5"},
			&pgproto3.Bind{},
			&pgproto3.Execute{MaxRows: 2},
			&pgproto3.Execute{MaxRows: 2},
			&pgproto3.Execute{MaxRows: 2},
			&pgproto3.Execute{MaxRows: 2},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete",
			`DataRow "1"`, `DataRow "2"`, "PortalSuspended",
			`DataRow "3"`, `DataRow "4"`, "PortalSuspended",
			`DataRow "5"`, "CommandComplete SELECT 1",
			"CommandComplete SELECT 0",
			"ReadyForQuery I",
		},
	}, {
		name: "limit equal to the rows left still suspends, as PostgreSQL",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "series 2"},
			&pgproto3.Bind{},
			&pgproto3.Execute{MaxRows: 2},
			&pgproto3.Execute{MaxRows: 2},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete",
			`DataRow "1"`, `DataRow "2"`, "PortalSuspended",
			"CommandComplete SELECT 0", "ReadyForQuery I",
		},
	}, {
		name: "describe statement",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "s", Query: "echo int8 text"},
			&pgproto3.Describe{ObjectType: 'S', Name: "s"},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", "ParameterDescription [20 25]", "RowDescription p1:20/0,p2:25/0", "ReadyForQuery I"},
	}, {
		name: "describe statement without rows",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "insert a"},
			&pgproto3.Describe{ObjectType: 'S'},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", "ParameterDescription []", "NoData", "ReadyForQuery I"},
	}, {
		name: "text and binary parameters and results",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "echo int8 text int8"},
			&pgproto3.Bind{
				ParameterFormatCodes: []int16{1, 0, 0},
				Parameters:           [][]byte{int8Bin, []byte("hi"), nil},
				ResultFormatCodes:    []int16{1, 0, 0},
			},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete", "RowDescription p1:20/1,p2:25/0,p3:20/0",
			`DataRow "\x00\x00\x00\x00\x00\x00\x00*","hi",NULL`, "CommandComplete SELECT 1", "ReadyForQuery I",
		},
	}, {
		name: "one format for all",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "echo int8 int8"},
			&pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{int8Bin, int8Bin}, ResultFormatCodes: []int16{0}},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", "BindComplete", `DataRow "42","42"`, "CommandComplete SELECT 1", "ReadyForQuery I"},
	}, {
		name: "wrong parameter count, then skip to Sync",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "echo int8 int8"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("1")}},
			&pgproto3.Execute{},
			&pgproto3.Parse{Query: "series 1"},
			&pgproto3.Sync{},
			&pgproto3.Parse{Query: "series 1"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete",
			`ErrorResponse ERROR 08P01 bind message supplies 1 parameters, but prepared statement "" requires 2`,
			"ReadyForQuery I",
			"ParseComplete", "BindComplete", `DataRow "1"`, "CommandComplete SELECT 1", "ReadyForQuery I",
		},
	}, {
		name: "parameter formats count mismatch",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "echo int8 int8 int8"},
			&pgproto3.Bind{ParameterFormatCodes: []int16{0, 0}, Parameters: [][]byte{nil, nil, nil}},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", "ErrorResponse ERROR 08P01 bind message has 2 parameter formats but 3 parameters", "ReadyForQuery I"},
	}, {
		name: "result formats count mismatch",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "series 1"},
			&pgproto3.Bind{ResultFormatCodes: []int16{0, 1}},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", "ErrorResponse ERROR 08P01 bind message has 2 result formats but query has 1 columns", "ReadyForQuery I"},
	}, {
		name: "bad format code",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "echo int8"},
			&pgproto3.Bind{ParameterFormatCodes: []int16{7}, Parameters: [][]byte{[]byte("1")}},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", "ErrorResponse ERROR 22023 unsupported format code: 7", "ReadyForQuery I"},
	}, {
		name: "bad result format code fails at the first row",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "series 1"},
			&pgproto3.Bind{ResultFormatCodes: []int16{7}},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", "BindComplete", "RowDescription n:20/7", "ErrorResponse ERROR 22023 unsupported format code: 7", "ReadyForQuery I"},
	}, {
		name: "bad binary parameter",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "echo int4"},
			&pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 0, 1}}},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", "ErrorResponse ERROR 22P03 incorrect binary data format in bind parameter 1", "ReadyForQuery I"},
	}, {
		name: "bad text parameter",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "echo int8"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("x")}},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", `ErrorResponse ERROR 22P02 invalid input syntax for type bigint: "x"`, "ReadyForQuery I"},
	}, {
		name: "execution error, then skip to Sync",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "failafter 1"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Query{String: "series 1"},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete", `DataRow "1"`, "ErrorResponse ERROR 22012 division by zero", "ReadyForQuery I",
		},
	}, {
		name: "server error rolls back the implicit transaction",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "insert a"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Execute{Portal: "nope"},
			&pgproto3.Sync{},
			&pgproto3.Parse{Query: "insert b"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete", "CommandComplete INSERT 0 1",
			`ErrorResponse ERROR 34000 portal "nope" does not exist`, "ReadyForQuery I",
			"ParseComplete", "BindComplete", "CommandComplete INSERT 0 1", "ReadyForQuery I",
		},
		wantCommitted: []string{"b"},
	}, {
		name: "named statements",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "s", Query: "series 1"},
			&pgproto3.Parse{Name: "s", Query: "series 2"},
			&pgproto3.Sync{},
			&pgproto3.Bind{PreparedStatement: "s"},
			&pgproto3.Execute{},
			&pgproto3.Close{ObjectType: 'S', Name: "s"},
			&pgproto3.Close{ObjectType: 'S', Name: "never"},
			&pgproto3.Bind{PreparedStatement: "s"},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", `ErrorResponse ERROR 42P05 prepared statement "s" already exists`, "ReadyForQuery I",
			"BindComplete", `DataRow "1"`, "CommandComplete SELECT 1", "CloseComplete", "CloseComplete",
			`ErrorResponse ERROR 26000 prepared statement "s" does not exist`, "ReadyForQuery I",
		},
	}, {
		name: "unnamed statement replaced by the next Parse",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "series 1"},
			&pgproto3.Parse{Query: "series 2"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", "ParseComplete", "BindComplete", `DataRow "1"`, `DataRow "2"`, "CommandComplete SELECT 2", "ReadyForQuery I"},
	}, {
		name: "missing unnamed statement",
		msgs: []pgproto3.FrontendMessage{&pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Sync{}},
		want: []string{"ErrorResponse ERROR 26000 unnamed prepared statement does not exist", "ReadyForQuery I"},
	}, {
		name: "named portals",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "series 3"},
			&pgproto3.Bind{DestinationPortal: "a"},
			&pgproto3.Bind{DestinationPortal: "b"},
			&pgproto3.Execute{Portal: "a", MaxRows: 1},
			&pgproto3.Execute{Portal: "b", MaxRows: 1},
			&pgproto3.Close{ObjectType: 'P', Name: "a"},
			&pgproto3.Execute{Portal: "b"},
			&pgproto3.Bind{DestinationPortal: "b"},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete", "BindComplete",
			`DataRow "1"`, "PortalSuspended", `DataRow "1"`, "PortalSuspended", "CloseComplete",
			`DataRow "2"`, `DataRow "3"`, "CommandComplete SELECT 2",
			`ErrorResponse ERROR 42P03 cursor "b" already exists`, "ReadyForQuery I",
		},
	}, {
		name: "portals end with the transaction",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "series 3"},
			&pgproto3.Bind{},
			&pgproto3.Execute{MaxRows: 1},
			&pgproto3.Sync{},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete", `DataRow "1"`, "PortalSuspended", "ReadyForQuery I",
			`ErrorResponse ERROR 34000 portal "" does not exist`, "ReadyForQuery I",
		},
	}, {
		name: "portals live on in a transaction block",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Query{String: "begin"},
			&pgproto3.Parse{Query: "series 3"},
			&pgproto3.Bind{},
			&pgproto3.Execute{MaxRows: 1},
			&pgproto3.Sync{},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
			&pgproto3.Query{String: "rollback"},
		},
		want: []string{
			"CommandComplete BEGIN", "ReadyForQuery T",
			"ParseComplete", "BindComplete", `DataRow "1"`, "PortalSuspended", "ReadyForQuery T",
			`DataRow "2"`, `DataRow "3"`, "CommandComplete SELECT 2", "ReadyForQuery T",
			"CommandComplete ROLLBACK", "ReadyForQuery I",
		},
	}, {
		name: "statement without rows runs once",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "insert a"},
			&pgproto3.Bind{},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete", "NoData", "CommandComplete INSERT 0 1",
			`ErrorResponse ERROR 55000 portal "" cannot be run`, "ReadyForQuery I",
		},
	}, {
		name: "multiple commands",
		msgs: []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "series 1; series 2"}, &pgproto3.Sync{}},
		want: []string{"ErrorResponse ERROR 42601 cannot insert multiple commands into a prepared statement", "ReadyForQuery I"},
	}, {
		name: "empty query",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "  "},
			&pgproto3.Bind{},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{"ParseComplete", "BindComplete", "NoData", "EmptyQueryResponse", "ReadyForQuery I"},
	}, {
		name: "syntax error in Parse",
		msgs: []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "a syntax"}, &pgproto3.Bind{}, &pgproto3.Sync{}},
		want: []string{`ErrorResponse ERROR 42601 syntax error at or near "syntax" @3`, "ReadyForQuery I"},
	}, {
		name: "flush sends without Sync",
		msgs: []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "series 1"}, &pgproto3.Flush{}},
		want: []string{"ParseComplete"},
	}, {
		name: "notices and settings",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "notice hi"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Parse{Query: "set DateStyle German"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Sync{},
		},
		want: []string{
			"ParseComplete", "BindComplete", "NoticeResponse NOTICE 00000 hi", "CommandComplete DO",
			"ParseComplete", "BindComplete", "CommandComplete SET",
			"ParameterStatus DateStyle=German", "ReadyForQuery I",
		},
	}, {
		name: "invalid describe and close subtypes",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Describe{ObjectType: 'X'}, &pgproto3.Sync{},
			&pgproto3.Close{ObjectType: 'Y'}, &pgproto3.Sync{},
		},
		want: []string{
			"ErrorResponse ERROR 08P01 invalid DESCRIBE message subtype 88", "ReadyForQuery I",
			"ErrorResponse ERROR 08P01 invalid CLOSE message subtype 89", "ReadyForQuery I",
		},
	}, {
		name: "function call refused",
		msgs: []pgproto3.FrontendMessage{&pgproto3.FunctionCall{Function: 1}, &pgproto3.Sync{}},
		want: []string{"ErrorResponse ERROR 0A000 fastpath function calls are not supported", "ReadyForQuery I"},
	}, {
		name: "copy messages outside COPY are ignored",
		msgs: []pgproto3.FrontendMessage{&pgproto3.CopyData{Data: []byte("x")}, &pgproto3.CopyDone{}, &pgproto3.Sync{}},
		want: []string{"ReadyForQuery I"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := &fakeEngine{}
			_, addr := startServer(t, eng)
			c := connectRaw(t, addr)
			c.send(tt.msgs...)
			var got []string
			for range tt.want {
				got = append(got, c.receive())
			}
			checkTranscript(t, got, tt.want)
			checkTranscript(t, c.simpleQuery("series 0"), []string{"RowDescription n:20/0", "CommandComplete SELECT 0", "ReadyForQuery I"})
			if committed := eng.committedRows(); !reflect.DeepEqual(committed, tt.wantCommitted) {
				t.Errorf("committed %q, want %q", committed, tt.wantCommitted)
			}
		})
	}
}

// TestMalformedBodyIsAnError checks PostgreSQL's behaviour for a message
// whose framing is intact but whose contents do not parse: an ERROR, and
// the session goes on.
func TestMalformedBodyIsAnError(t *testing.T) {
	_, addr := startServer(t, &fakeEngine{})
	c := connectRaw(t, addr)
	c.sendRaw([]byte{'B', 0, 0, 0, 7, 'x', 0, 'y'})
	c.send(&pgproto3.Sync{})
	checkTranscript(t, c.untilReady(), []string{"ErrorResponse ERROR 08P01 invalid string in message", "ReadyForQuery I"})
	checkTranscript(t, c.simpleQuery("series 0"), []string{"RowDescription n:20/0", "CommandComplete SELECT 0", "ReadyForQuery I"})
}
