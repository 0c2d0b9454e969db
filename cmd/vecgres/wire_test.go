package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

var (
	wirePG     = flag.String("wire.pg", "", "`address` of a PostgreSQL (user postgres, trust) to replay the wire scripts against too")
	wireUpdate = flag.Bool("wire.update", false, "rewrite the wire scripts' expectations with what -wire.pg answers")
)

// TestWireScripts replays the scripts of raw protocol messages in
// testdata/wire against vecgres and compares every answer with the
// script's expectation, recorded from PostgreSQL. With -wire.pg the same
// scripts are replayed against a PostgreSQL to check the expectations
// still hold there, and -wire.update rewrites them from its answers.
func TestWireScripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "wire", "*.wire"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no wire scripts: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			script, err := parseWireScript(file)
			if err != nil {
				t.Fatal(err)
			}
			if *wirePG != "" {
				pgAnswers := script.replay(t, *wirePG)
				if *wireUpdate {
					script.record(pgAnswers)
					if err := os.WriteFile(file, []byte(script.String()), 0o644); err != nil {
						t.Fatal(err)
					}
				} else {
					script.check(t, "PostgreSQL", pgAnswers)
				}
			}
			script.check(t, "vecgres", script.replay(t, startTestInstance(t).Addr))
		})
	}
}

// wireScript is a file of blocks: messages to send, then "----", then
// the answers expected, one rendered message a line, up to a blank line.
type wireScript struct {
	header string // comment lines before the first block
	blocks []*wireBlock
}

type wireBlock struct {
	line     int
	sends    []string // the script's lines
	msgs     [][]byte // the encoded messages
	expected []string
}

func parseWireScript(path string) (*wireScript, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := &wireScript{}
	var cur *wireBlock
	inAnswers := false
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case cur == nil && (strings.HasPrefix(line, "#") || line == ""):
			if len(s.blocks) == 0 {
				s.header += line + "\n"
			}
		case line == "":
			cur, inAnswers = nil, false
		case cur == nil:
			cur = &wireBlock{line: i + 1}
			s.blocks = append(s.blocks, cur)
			fallthrough
		case !inAnswers && line != "----":
			msg, err := encodeWireLine(line)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
			}
			cur.sends = append(cur.sends, line)
			cur.msgs = append(cur.msgs, msg)
		case line == "----":
			inAnswers = true
		default:
			cur.expected = append(cur.expected, line)
		}
	}
	return s, nil
}

// encodeWireLine encodes one message line: a message type and its
// fields as pgproto3's JSON, CopyData with a Go-quoted payload, or Raw
// with hexadecimal bytes sent as they are.
func encodeWireLine(line string) ([]byte, error) {
	name, arg, _ := strings.Cut(line, " ")
	switch name {
	case "Raw":
		return hex.DecodeString(arg)
	case "CopyData":
		data, err := strconv.Unquote(arg)
		if err != nil {
			return nil, err
		}
		return (&pgproto3.CopyData{Data: []byte(data)}).Encode(nil)
	}
	msgs := map[string]pgproto3.FrontendMessage{
		"Query": &pgproto3.Query{}, "Parse": &pgproto3.Parse{}, "Bind": &pgproto3.Bind{},
		"Describe": &pgproto3.Describe{}, "Execute": &pgproto3.Execute{}, "Close": &pgproto3.Close{},
		"Sync": &pgproto3.Sync{}, "Flush": &pgproto3.Flush{}, "CopyDone": &pgproto3.CopyDone{},
		"CopyFail": &pgproto3.CopyFail{},
	}
	msg, ok := msgs[name]
	if !ok {
		return nil, fmt.Errorf("unknown message %q", name)
	}
	if arg != "" {
		if err := json.Unmarshal([]byte(arg), msg); err != nil {
			return nil, err
		}
	}
	return msg.Encode(nil)
}

// replay runs the script on one connection to addr and returns each
// block's answers: messages up to as many ReadyForQuery as the block
// sent Sync and Query messages, or up to the connection's end.
func (s *wireScript) replay(t *testing.T, addr string) [][]string {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "postgres", "database": "postgres"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, closed := readAnswers(fe, 1, true); closed {
		t.Fatal("connection closed during startup")
	}
	answers := make([][]string, len(s.blocks))
	for i, b := range s.blocks {
		for _, m := range b.msgs {
			if _, err := nc.Write(m); err != nil {
				t.Fatalf("line %d: %v", b.line, err)
			}
		}
		var closed bool
		answers[i], closed = readAnswers(fe, b.readies(), false)
		if closed {
			break
		}
	}
	return answers
}

// readies counts the ReadyForQuery messages a block's messages call for:
// one per Query and per Sync, except a Sync among COPY data, which the
// server ignores.
func (b *wireBlock) readies() int {
	n := 0
	inCopy := false
	for _, line := range b.sends {
		name, _, _ := strings.Cut(line, " ")
		switch name {
		case "CopyData":
			inCopy = true
		case "CopyDone", "CopyFail":
			inCopy = false
		case "Query":
			n++
		case "Sync":
			if !inCopy {
				n++
			}
		}
	}
	return n
}

// readAnswers renders messages until n ReadyForQuery or the end of the
// connection, which it reports. At startup, settings are skipped: they
// differ between servers by design.
func readAnswers(fe *pgproto3.Frontend, n int, startup bool) ([]string, bool) {
	var out []string
	for n > 0 {
		msg, err := fe.Receive()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return append(out, "<timeout>"), true
			}
			return append(out, "<closed>"), true
		}
		switch msg.(type) {
		case *pgproto3.ReadyForQuery:
			n--
		case *pgproto3.BackendKeyData, *pgproto3.AuthenticationOk:
			continue
		case *pgproto3.ParameterStatus:
			if startup {
				continue
			}
		}
		out = append(out, renderWire(msg))
	}
	return out, false
}

// renderWire writes a backend message as one line.
func renderWire(msg pgproto3.BackendMessage) string {
	switch m := msg.(type) {
	case *pgproto3.RowDescription:
		var cols []string
		for _, f := range m.Fields {
			cols = append(cols, fmt.Sprintf("%s:%d/%d/%d", f.Name, f.DataTypeOID, f.TypeModifier, f.Format))
		}
		return "RowDescription " + strings.Join(cols, " ")
	case *pgproto3.DataRow:
		var vals []string
		for _, v := range m.Values {
			if v == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, strconv.Quote(string(v)))
			}
		}
		return "DataRow " + strings.Join(vals, " ")
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.ErrorResponse:
		return "ErrorResponse " + renderError(m.Severity, m.Code, m.Message, m.Position, m.Detail)
	case *pgproto3.NoticeResponse:
		return "NoticeResponse " + renderError(m.Severity, m.Code, m.Message, m.Position, m.Detail)
	case *pgproto3.ParameterStatus:
		return fmt.Sprintf("ParameterStatus %s=%s", m.Name, m.Value)
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("ParameterDescription %v", m.ParameterOIDs)
	case *pgproto3.CopyInResponse:
		return fmt.Sprintf("CopyInResponse %d %v", m.OverallFormat, m.ColumnFormatCodes)
	case *pgproto3.CopyOutResponse:
		return fmt.Sprintf("CopyOutResponse %d %v", m.OverallFormat, m.ColumnFormatCodes)
	case *pgproto3.CopyData:
		return "CopyData " + strconv.Quote(string(m.Data))
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3.")
}

func renderError(severity, code, message string, position int32, detail string) string {
	s := fmt.Sprintf("%s %s %s", severity, code, message)
	if position != 0 {
		s += fmt.Sprintf(" @%d", position)
	}
	if detail != "" {
		s += " detail=" + strconv.Quote(detail)
	}
	return s
}

// check compares a replay's answers with the expectations.
func (s *wireScript) check(t *testing.T, server string, answers [][]string) {
	t.Helper()
	for i, b := range s.blocks {
		got := strings.Join(answers[i], "\n")
		if want := strings.Join(b.expected, "\n"); got != want {
			t.Errorf("%s, block at line %d:\n%s\ngot:\n  %s\nwant:\n  %s", server, b.line,
				strings.Join(b.sends, "\n"), strings.ReplaceAll(got, "\n", "\n  "), strings.ReplaceAll(want, "\n", "\n  "))
		}
	}
}

func (s *wireScript) record(answers [][]string) {
	for i, b := range s.blocks {
		b.expected = answers[i]
	}
}

func (s *wireScript) String() string {
	var sb strings.Builder
	sb.WriteString(s.header)
	for i, b := range s.blocks {
		if i > 0 {
			sb.WriteString("\n")
		}
		for _, line := range b.sends {
			sb.WriteString(line + "\n")
		}
		sb.WriteString("----\n")
		for _, line := range b.expected {
			sb.WriteString(line + "\n")
		}
	}
	return sb.String()
}
