package server

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

func TestResultFormats(t *testing.T) {
	tests := []struct {
		codes    []int16
		ncols    int
		want     []int16
		wantCode pgerr.Code
	}{
		{codes: nil, ncols: 3, want: nil},
		{codes: []int16{1}, ncols: 3, want: []int16{1, 1, 1}},
		{codes: []int16{0, 1}, ncols: 2, want: []int16{0, 1}},
		{codes: []int16{1}, ncols: 0, want: nil},
		{codes: []int16{0, 1}, ncols: 3, wantCode: pgerr.ProtocolViolation},
		{codes: []int16{2}, ncols: 2, want: []int16{2, 2}},
	}
	for _, tt := range tests {
		got, err := resultFormats(tt.codes, tt.ncols)
		if pgerr.CodeOf(errOrNil(err)) != tt.wantCode || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("resultFormats(%v, %d) = %v, %v; want %v, %s", tt.codes, tt.ncols, got, err, tt.want, tt.wantCode)
		}
	}
}

// errOrNil keeps a nil *pgerr.Error from becoming a non-nil error.
func errOrNil(e *pgerr.Error) error {
	if e == nil {
		return nil
	}
	return e
}

func TestDecodeParams(t *testing.T) {
	int8s := []types.T{types.TInt8, types.TInt8}
	tests := []struct {
		name     string
		ptypes   []types.T
		codes    []int16
		values   [][]byte
		want     []types.Datum
		wantCode pgerr.Code
	}{
		{name: "none", want: nil},
		{name: "text", ptypes: int8s, values: [][]byte{[]byte("1"), []byte("-2")}, want: []types.Datum{int64(1), int64(-2)}},
		{name: "null", ptypes: int8s, values: [][]byte{nil, []byte("3")}, want: []types.Datum{nil, int64(3)}},
		{name: "binary for all", ptypes: int8s, codes: []int16{1}, values: [][]byte{{0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 1, 0}}, want: []types.Datum{int64(1), int64(256)}},
		{name: "mixed", ptypes: int8s, codes: []int16{0, 1}, values: [][]byte{[]byte("5"), {0, 0, 0, 0, 0, 0, 0, 6}}, want: []types.Datum{int64(5), int64(6)}},
		{name: "bad text", ptypes: int8s, values: [][]byte{[]byte("x"), nil}, wantCode: pgerr.InvalidTextRepresentation},
		{name: "short binary", ptypes: int8s, codes: []int16{1}, values: [][]byte{{1, 2}, nil}, wantCode: pgerr.ProtocolViolation},
		{name: "bad format", ptypes: int8s, codes: []int16{3}, values: [][]byte{[]byte("1"), nil}, wantCode: pgerr.InvalidParameterValue},
		{name: "bad format of a NULL", ptypes: int8s, codes: []int16{0, 3}, values: [][]byte{[]byte("1"), nil}, wantCode: pgerr.InvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeParams(tt.ptypes, tt.codes, tt.values, func() *types.FormatOptions { return &types.DefaultFormat })
			if code := pgerr.CodeOf(errOrNil(err)); code != tt.wantCode {
				t.Fatalf("error %v, want code %q", err, tt.wantCode)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestRowsTagFor(t *testing.T) {
	tests := []struct {
		tag  string
		rows int
		want string
	}{
		{"SELECT 10", 3, "SELECT 3"},
		{"INSERT 0 10", 3, "INSERT 0 3"},
		{"UPDATE 5", 2, "UPDATE 2"},
		{"DELETE 1", 0, "DELETE 0"},
		{"FETCH 2", 2, "FETCH 2"},
		{"SHOW", 1, "SHOW"},
		{"EXPLAIN", 4, "EXPLAIN"},
	}
	for _, tt := range tests {
		if got := rowsTagFor(tt.tag, tt.rows); got != tt.want {
			t.Errorf("rowsTagFor(%q, %d) = %q, want %q", tt.tag, tt.rows, got, tt.want)
		}
	}
}

var dataRowColumns = []sql.Column{
	{Name: "id", Type: types.TInt8},
	{Name: "title", Type: types.TText},
	{Name: "embedding", Type: types.VectorOf(4)},
	{Name: "missing", Type: types.TFloat8},
}

var dataRowValues = []types.Datum{int64(42), "hello", types.Vector{1, 2.5, -3, 0}, nil}

// TestAppendDataRow checks the hand-written DataRow encoding against
// pgproto3's decoder, in text and binary.
func TestAppendDataRow(t *testing.T) {
	tests := []struct {
		name    string
		formats []int16
		want    [][]byte
	}{
		{name: "text", want: [][]byte{[]byte("42"), []byte("hello"), []byte("[1,2.5,-3,0]"), nil}},
		{name: "binary", formats: []int16{1, 1, 1, 1}, want: [][]byte{
			{0, 0, 0, 0, 0, 0, 0, 42}, []byte("hello"),
			{0, 4, 0, 0, 0x3f, 0x80, 0, 0, 0x40, 0x20, 0, 0, 0xc0, 0x40, 0, 0, 0, 0, 0, 0},
			nil,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &conn{}
			if err := c.appendDataRow(dataRowColumns, tt.formats, dataRowValues, nil); err != nil {
				t.Fatal(err)
			}
			if c.out[0] != 'D' {
				t.Fatalf("message type %q", c.out[0])
			}
			var row pgproto3.DataRow
			if err := row.Decode(c.out[5:]); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(row.Values, tt.want) {
				t.Errorf("values %q, want %q", row.Values, tt.want)
			}
		})
	}
}

func TestAppendDataRowDoesNotAllocate(t *testing.T) {
	c := &conn{}
	formats := []int16{0, 0, 1, 0}
	allocs := testing.AllocsPerRun(100, func() {
		c.out = c.out[:0]
		if err := c.appendDataRow(dataRowColumns, formats, dataRowValues, nil); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("appendDataRow allocates %v times per row", allocs)
	}
}

func TestAppendDataRowErrorLeavesNoPartialMessage(t *testing.T) {
	c := &conn{out: []byte("previous")}
	cols := []sql.Column{{Name: "x", Type: types.TInt8}}
	err := c.appendDataRow(cols, []int16{1}, []types.Datum{struct{}{}}, nil)
	if err == nil {
		t.Fatal("no error for a value without a binary form")
	}
	if string(c.out) != "previous" {
		t.Errorf("output %q after a failed row", c.out)
	}
	if err := c.appendDataRow(cols, nil, []types.Datum{int64(1), int64(2)}, nil); err == nil {
		t.Error("no error for a row wider than its columns")
	}
}

func BenchmarkSimpleQueryRows(b *testing.B) {
	_, addr := startServer(b, &fakeEngine{})
	c := connectRaw(b, addr)
	b.ReportAllocs()
	for b.Loop() {
		c.send(&pgproto3.Query{String: "series 1000"})
		for {
			msg, err := c.fe.Receive()
			if err != nil {
				b.Fatal(err)
			}
			if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
				break
			}
		}
	}
}
