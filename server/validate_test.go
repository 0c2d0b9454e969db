package server

import (
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func TestValidateBody(t *testing.T) {
	body := func(m pgproto3.FrontendMessage) []byte {
		b, err := m.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		return b[5:]
	}
	tests := []struct {
		name string
		typ  byte
		body []byte
		want string // "" for valid
	}{
		{"query", msgQuery, body(&pgproto3.Query{String: "x"}), ""},
		{"query without NUL", msgQuery, []byte("ab"), "invalid string in message"},
		{"query with trailing bytes", msgQuery, []byte("a\x00b"), "invalid message format"},
		{"parse", msgParse, body(&pgproto3.Parse{Name: "s", Query: "q", ParameterOIDs: []uint32{23, 25}}), ""},
		{"parse with missing types", msgParse, []byte("s\x00q\x00\x00\x02\x00\x00\x00\x17"), "insufficient data left in message"},
		{"bind", msgBind, body(&pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{nil, []byte("ab")}, ResultFormatCodes: []int16{0, 1}}), ""},
		{"bind without statement name", msgBind, []byte("x\x00y"), "invalid string in message"},
		{"bind with a negative length", msgBind, []byte("\x00\x00\x00\x00\x00\x01\xff\xff\xff\xfe\x00\x00"), "insufficient data left in message"},
		{"bind with a value past the end", msgBind, []byte("\x00\x00\x00\x00\x00\x01\x00\x00\x00\x09ab"), "insufficient data left in message"},
		{"describe", msgDescribe, body(&pgproto3.Describe{ObjectType: 'S', Name: "n"}), ""},
		{"empty describe", msgDescribe, nil, "no data left in message"},
		{"execute", msgExecute, body(&pgproto3.Execute{Portal: "p", MaxRows: 3}), ""},
		{"execute with trailing bytes", msgExecute, []byte("\x00\x00\x00\x00\x01\x02"), "invalid message format"},
		{"close", msgClose, body(&pgproto3.Close{ObjectType: 'P'}), ""},
		{"flush with a body", msgFlush, []byte{1}, "invalid message format"},
		{"copy fail", msgCopyFail, body(&pgproto3.CopyFail{Message: "m"}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validateBody(tt.typ, tt.body)
			got := ""
			if e != nil {
				got = e.Message
				if e.Code != "08P01" || isFatal(e) {
					t.Errorf("error %v, want ERROR 08P01", e)
				}
			}
			if got != tt.want {
				t.Errorf("validateBody = %q, want %q", got, tt.want)
			}
		})
	}
}
