package server

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// FuzzMessage sends one frontend message of every type the protocol has
// after startup, with an arbitrary body, in each state where it can
// arrive, and checks how the server takes it: the connection either ends
// with a FATAL error that is not an internal one, or it answers a probe
// query sent afterwards as if nothing had happened. Every message type
// has seeds in testdata/fuzz/FuzzMessage (TestFuzzMessageSeeds checks it;
// -update-seeds rewrites them).
//
//	go test -run '^$' -fuzz '^FuzzMessage$' ./server
func FuzzMessage(f *testing.F) {
	f.Fuzz(func(t *testing.T, which, state uint8, body []byte) {
		typ := fuzzMessageTypes[int(which)%len(fuzzMessageTypes)]
		if fakeHazard(body) {
			return
		}
		runMessage(t, typ, int(state)%numFuzzStates, body)
	})
}

// fuzzMessageTypes are the frontend messages after startup, picked by
// FuzzMessage's first argument. Unknown types end the connection at once;
// FuzzFrontendMessages sends those.
var fuzzMessageTypes = []byte{
	msgBind, msgClose, msgDescribe, msgExecute, msgFunctionCall, msgFlush, msgParse,
	msgQuery, msgSync, msgTerminate, msgCopyData, msgCopyDone, msgCopyFail,
}

// The states a fuzzed message arrives in, picked by FuzzMessage's second
// argument.
const (
	stateIdle       = iota // right after startup
	stateExtended          // after Parse and Bind, before Sync
	stateTxn               // in a transaction block that wrote
	stateFailedTxn         // in a failed transaction block
	stateCopyIn            // during COPY FROM STDIN
	stateSkipToSync        // the extended protocol skips to Sync after an error
	numFuzzStates
)

var stateNames = [numFuzzStates]string{"idle", "extended", "txn", "failed", "copyin", "skip"}

// statePrefix are the messages that put a fresh session into state.
func statePrefix(state int) []any {
	switch state {
	case stateExtended:
		return []any{
			&pgproto3.Parse{Name: "s", Query: "echo int8 text"},
			&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "s", Parameters: [][]byte{[]byte("1"), []byte("x")}},
		}
	case stateTxn:
		return []any{&pgproto3.Query{String: "begin; insert a"}}
	case stateFailedTxn:
		return []any{&pgproto3.Query{String: "begin"}, &pgproto3.Query{String: "fail 22012 division by zero"}}
	case stateCopyIn:
		return []any{&pgproto3.Query{String: "copyin 2"}}
	case stateSkipToSync:
		return []any{&pgproto3.Parse{Query: "syntax"}}
	}
	return nil
}

// probeQuery is what FuzzMessage asks at the end of a session
// that survived: "series 2" returns the rows 1 and 2.
const probeQuery = "series 2"

// fakeSeries finds the fake engine's commands that build a result in
// memory before sending it: a large count would only measure the fake.
var fakeSeries = regexp.MustCompile(`(series|failafter|copyin|copyinbin)\s+[+-]?\d{5,}`)

// fakeHazard reports whether body would make the fake engine do what no
// real session does: panic or fail with XX000 on purpose, or build a huge
// result in memory.
func fakeHazard(body []byte) bool {
	return bytes.Contains(body, []byte("panic")) || bytes.Contains(body, []byte("XX")) || fakeSeries.Match(body)
}

// frame encodes a message of type typ around body.
func frame(typ byte, body []byte) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(4+len(body)))
	return append(b, body...)
}

// runMessage runs one fuzzed message in state and checks the outcome.
func runMessage(t *testing.T, typ byte, state int, body []byte) {
	input := encode(fuzzStartup)
	input = append(input, encode(statePrefix(state)...)...)
	input = append(input, frame(typ, body)...)
	if state == stateCopyIn {
		input = append(input, encode(&pgproto3.CopyFail{Message: "fuzz"})...)
	}
	input = append(input, encode(&pgproto3.Sync{}, &pgproto3.Query{String: "rollback"},
		&pgproto3.Query{String: probeQuery}, &pgproto3.Terminate{})...)
	got, err := converse(input)
	if err != nil {
		t.Fatalf("type '%c' in state %s, body %q: %v\nreceived: %q", typ, stateNames[state], body, err, got)
	}
	if err := checkAnswer(typ, got); err != nil {
		t.Fatalf("type '%c' in state %s, body %q: %v\nreceived: %q", typ, stateNames[state], body, err, got)
	}
}

// converse feeds input to a new connection of a server over the fake
// engine and returns what it answered, one line per message, until the
// server closed the connection.
func converse(input []byte) ([]string, error) {
	srv, err := New(Config{Engine: &fakeEngine{noSleep: true}, StartupTimeout: fuzzDeadline, MaxMessageSize: 1 << 20})
	if err != nil {
		return nil, err
	}
	client, server := net.Pipe()
	defer client.Close()
	client.SetDeadline(time.Now().Add(fuzzDeadline))
	srv.start(server)
	// The server may stop reading early (after a FATAL): the write then
	// fails, which is fine.
	go client.Write(input)
	var got []string
	fe := pgproto3.NewFrontend(client, io.Discard)
	for {
		msg, err := fe.Receive()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.ErrClosedPipe) {
				break
			}
			return got, fmt.Errorf("reading the answer: %w", err)
		}
		got = append(got, describeBackend(msg))
	}
	finished := make(chan struct{})
	go func() {
		srv.active.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(fuzzDeadline):
		return got, fmt.Errorf("connection still running after %v", fuzzDeadline)
	}
	return got, nil
}

// describeBackend summarises a backend message; pgproto3 reuses them.
func describeBackend(msg pgproto3.BackendMessage) string {
	switch m := msg.(type) {
	case *pgproto3.ErrorResponse:
		return fmt.Sprintf("Error %s %s %s", m.Severity, m.Code, m.Message)
	case *pgproto3.DataRow:
		vals := make([]string, len(m.Values))
		for i, v := range m.Values {
			vals[i] = string(v)
		}
		return "DataRow " + strings.Join(vals, ",")
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ReadyForQuery:
		return fmt.Sprintf("ReadyForQuery %c", m.TxStatus)
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3.")
}

// checkAnswer applies FuzzMessage's oracle to what the server answered.
func checkAnswer(typ byte, got []string) error {
	for _, m := range got {
		if strings.HasPrefix(m, "Error") && strings.Contains(m, " XX000 ") {
			return errors.New("internal error")
		}
	}
	if len(got) == 0 {
		return errors.New("no answer at all")
	}
	last := got[len(got)-1]
	if strings.HasPrefix(last, "Error FATAL ") {
		return nil
	}
	if typ == msgTerminate && !slices.Contains(got, "CommandComplete SELECT 2") {
		return nil // the fuzzed Terminate ended the session before the probe
	}
	want := []string{"DataRow 2", "CommandComplete SELECT 2", "ReadyForQuery I"}
	if len(got) < len(want) || !slices.Equal(got[len(got)-len(want):], want) {
		return fmt.Errorf("the session neither ended with FATAL nor answered %q with %q", probeQuery, want)
	}
	return nil
}

// messageSeed is one checked-in seed of FuzzMessage.
type messageSeed struct {
	typ    byte
	states []int
	body   []byte
}

// bodyOf encodes msg and strips its type and length.
func bodyOf(msg pgproto3.FrontendMessage) []byte {
	b, err := msg.Encode(nil)
	if err != nil {
		panic(err)
	}
	return b[5:]
}

// messageSeeds are FuzzMessage's seeds: well-formed and broken bodies of
// every message type, each in the states where it means most.
func messageSeeds() []messageSeed {
	ext := []int{stateIdle, stateExtended, stateSkipToSync}
	txn := []int{stateIdle, stateTxn, stateFailedTxn}
	cp := []int{stateCopyIn, stateIdle}
	all := []int{stateIdle, stateExtended, stateTxn, stateFailedTxn, stateCopyIn, stateSkipToSync}
	return []messageSeed{
		{msgBind, ext, bodyOf(&pgproto3.Bind{DestinationPortal: "q", PreparedStatement: "s",
			ParameterFormatCodes: []int16{1, 0}, Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 0, 1}, []byte("x")}, ResultFormatCodes: []int16{1}})},
		{msgBind, ext, bodyOf(&pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{nil, nil}})},
		{msgBind, ext, bodyOf(&pgproto3.Bind{PreparedStatement: "nope"})},
		{msgBind, ext, []byte("q\x00s\x00\x00\x01\x00\x02\x00\x02\xff\xff\xff\xff\x00\x00\x00\x09")},
		{msgClose, ext, bodyOf(&pgproto3.Close{ObjectType: 'S', Name: "s"})},
		{msgClose, ext, bodyOf(&pgproto3.Close{ObjectType: 'P', Name: "p"})},
		{msgClose, ext, []byte("X\x00")},
		{msgDescribe, ext, bodyOf(&pgproto3.Describe{ObjectType: 'S', Name: "s"})},
		{msgDescribe, ext, bodyOf(&pgproto3.Describe{ObjectType: 'P', Name: "p"})},
		{msgDescribe, ext, []byte("P")},
		{msgExecute, ext, bodyOf(&pgproto3.Execute{Portal: "p", MaxRows: 1})},
		{msgExecute, ext, bodyOf(&pgproto3.Execute{Portal: "p"})},
		{msgExecute, ext, []byte("p\x00\xff\xff\xff\xff")},
		{msgFunctionCall, ext, bodyOf(&pgproto3.FunctionCall{Function: 1598, ArgFormatCodes: []uint16{0}, Arguments: [][]byte{[]byte("1")}})},
		{msgFlush, ext, nil},
		{msgFlush, ext, []byte{0}},
		{msgParse, ext, bodyOf(&pgproto3.Parse{Name: "t", Query: "echo int4 text", ParameterOIDs: []uint32{23, 25}})},
		{msgParse, ext, bodyOf(&pgproto3.Parse{Name: "s", Query: "series 1"})},
		{msgParse, ext, bodyOf(&pgproto3.Parse{Query: "begin; insert b"})},
		{msgParse, ext, []byte("\x00copyin 1\x00\x00\x01")},
		{msgQuery, txn, bodyOf(&pgproto3.Query{String: "series 1"})},
		{msgQuery, txn, bodyOf(&pgproto3.Query{String: "commit; insert b; notice hi; set a b"})},
		{msgQuery, txn, bodyOf(&pgproto3.Query{String: "copyout"})},
		{msgQuery, txn, bodyOf(&pgproto3.Query{String: "copyin 1"})},
		{msgQuery, txn, bodyOf(&pgproto3.Query{String: "set statement_timeout 1; sleep"})},
		{msgQuery, txn, bodyOf(&pgproto3.Query{String: "failafter 1; syntax"})},
		{msgQuery, txn, []byte("series 1")},
		{msgSync, all, nil},
		{msgSync, all, []byte("x")},
		{msgTerminate, all, nil},
		{msgCopyData, cp, []byte("a\tb\n")},
		{msgCopyData, cp, []byte("bad\n")},
		{msgCopyDone, cp, nil},
		{msgCopyFail, cp, bodyOf(&pgproto3.CopyFail{Message: "client gave up"})},
		{msgCopyFail, cp, []byte("no terminator")},
	}
}

// startupSeeds are FuzzStartup's checked-in seeds: every kind of packet a
// connection may begin with, well-formed and broken.
func startupSeeds() map[string][]byte {
	return map[string][]byte{
		"startup":          encode(fuzzStartup),
		"startup-params":   packet(v30, "user", "u", "database", "d", "application_name", "a", "client_encoding", "UTF8", "DateStyle", "ISO"),
		"startup-options":  packet(v30, "user", "u", "options", `-c search_path=a\ b --work_mem=8MB`),
		"startup-minor":    packet(v30|5, "user", "u", "_pq_.x", "1"),
		"startup-v2":       packet(2<<16, "user", "u"),
		"startup-v4":       packet(4<<16, "user", "u"),
		"startup-nouser":   packet(v30, "database", "d"),
		"startup-replica":  packet(v30, "user", "u", "replication", "database"),
		"startup-noterm":   fixLength(packet(v30, "user", "u")[:13]),
		"startup-short":    {0, 0, 0, 4},
		"startup-long":     {0, 0, 0x27, 0x15, 0, 3, 0, 0},
		"ssl-then-startup": encode(&pgproto3.SSLRequest{}, fuzzStartup, &pgproto3.Query{String: "series 1"}),
		"gss-ssl-startup":  encode(&pgproto3.GSSEncRequest{}, &pgproto3.SSLRequest{}, fuzzStartup),
		"ssl-twice":        encode(&pgproto3.SSLRequest{}, &pgproto3.SSLRequest{}),
		"cancel":           encode(&pgproto3.CancelRequest{ProcessID: 100, SecretKey: []byte{1, 2, 3, 4}}),
		"cancel-short":     packet(cancelRequestCode, "x"),
	}
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the checked-in fuzz seeds of FuzzMessage and FuzzStartup")

// corpusFile is a file of Go's fuzzing corpus format for the values.
func corpusFile(values ...any) []byte {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, v := range values {
		switch v := v.(type) {
		case uint8:
			fmt.Fprintf(&b, "byte(%d)\n", v)
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		default:
			panic(fmt.Sprintf("corpusFile: %T", v))
		}
	}
	return []byte(b.String())
}

// wantSeedFiles lists the checked-in seed files by path.
func wantSeedFiles() map[string][]byte {
	files := map[string][]byte{}
	for i, s := range messageSeeds() {
		which := uint8(slices.Index(fuzzMessageTypes, s.typ))
		for _, st := range s.states {
			name := fmt.Sprintf("seed-%c-%02d-%s", s.typ, i, stateNames[st])
			if s.typ >= 'a' {
				name = fmt.Sprintf("seed-lower%c-%02d-%s", s.typ, i, stateNames[st]) // case-insensitive file systems
			}
			files[filepath.Join("testdata", "fuzz", "FuzzMessage", name)] = corpusFile(which, uint8(st), s.body)
		}
	}
	for name, b := range startupSeeds() {
		files[filepath.Join("testdata", "fuzz", "FuzzStartup", "seed-"+name)] = corpusFile(b)
	}
	return files
}

// TestFuzzMessageSeeds checks that the checked-in seeds are current and
// cover every frontend message type in every state, and runs them
// through FuzzMessage's oracle.
func TestFuzzMessageSeeds(t *testing.T) {
	files := wantSeedFiles()
	if *updateSeeds {
		for path, b := range files {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for path, want := range files {
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is missing or stale (go test ./server -run TestFuzzMessageSeeds -update-seeds): %v", path, err)
		}
	}
	covered := map[byte]bool{}
	states := map[int]bool{}
	for _, s := range messageSeeds() {
		covered[s.typ] = true
		for _, st := range s.states {
			states[st] = true
		}
	}
	for _, typ := range fuzzMessageTypes {
		if !covered[typ] {
			t.Errorf("no seed for message type '%c'", typ)
		}
	}
	if len(states) != numFuzzStates {
		t.Errorf("seeds cover %d of %d states", len(states), numFuzzStates)
	}
	for _, s := range messageSeeds() {
		for _, st := range s.states {
			runMessage(t, s.typ, st, s.body)
		}
	}
}
