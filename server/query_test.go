package server

import (
	"reflect"
	"testing"
)

func TestSimpleQuery(t *testing.T) {
	tests := []struct {
		name          string
		queries       []string
		want          []string
		wantCommitted []string
	}{{
		name:    "rows",
		queries: []string{"series 3"},
		want: []string{
			"RowDescription n:20/0", `DataRow "1"`, `DataRow "2"`, `DataRow "3"`, "CommandComplete SELECT 3", "ReadyForQuery I",
		},
	}, {
		name:    "several statements",
		queries: []string{"series 1; insert a;insert b"},
		want: []string{
			"RowDescription n:20/0", `DataRow "1"`, "CommandComplete SELECT 1",
			"CommandComplete INSERT 0 1", "CommandComplete INSERT 0 1", "ReadyForQuery I",
		},
		wantCommitted: []string{"a", "b"},
	}, {
		name:    "empty",
		queries: []string{""},
		want:    []string{"EmptyQueryResponse", "ReadyForQuery I"},
	}, {
		name:    "only semicolons",
		queries: []string{" ;  ; "},
		want:    []string{"EmptyQueryResponse", "ReadyForQuery I"},
	}, {
		name:    "empty statements between others produce nothing",
		queries: []string{"series 0;; ;series 0"},
		want: []string{
			"RowDescription n:20/0", "CommandComplete SELECT 0",
			"RowDescription n:20/0", "CommandComplete SELECT 0", "ReadyForQuery I",
		},
	}, {
		name:    "error stops the rest and rolls back",
		queries: []string{"insert a; fail 22012 division by zero; insert b"},
		want: []string{
			"CommandComplete INSERT 0 1", "ErrorResponse ERROR 22012 division by zero", "ReadyForQuery I",
		},
	}, {
		name:    "error while streaming rows",
		queries: []string{"failafter 2"},
		want: []string{
			"RowDescription n:20/0", `DataRow "1"`, `DataRow "2"`, "ErrorResponse ERROR 22012 division by zero", "ReadyForQuery I",
		},
	}, {
		name:    "syntax error runs nothing",
		queries: []string{"insert a; syntax"},
		want:    []string{`ErrorResponse ERROR 42601 syntax error at or near "syntax" @11`, "ReadyForQuery I"},
	}, {
		name:    "session survives errors",
		queries: []string{"fail 42P01 no such table", "series 1"},
		want: []string{
			"ErrorResponse ERROR 42P01 no such table", "ReadyForQuery I",
			"RowDescription n:20/0", `DataRow "1"`, "CommandComplete SELECT 1", "ReadyForQuery I",
		},
	}, {
		name:    "notice before its CommandComplete",
		queries: []string{"notice hello there; series 0"},
		want: []string{
			"NoticeResponse NOTICE 00000 hello there", "CommandComplete DO",
			"RowDescription n:20/0", "CommandComplete SELECT 0", "ReadyForQuery I",
		},
	}, {
		name:    "changed settings reported before ReadyForQuery",
		queries: []string{"set application_name x; series 0"},
		want: []string{
			"CommandComplete SET", "RowDescription n:20/0", "CommandComplete SELECT 0",
			"ParameterStatus application_name=x", "ReadyForQuery I",
		},
	}, {
		name:    "failed commit is the last statement's error",
		queries: []string{"insert a; begincommitfail"},
		want: []string{
			"CommandComplete INSERT 0 1", "ErrorResponse ERROR 40001 could not serialize access", "ReadyForQuery I",
		},
	}, {
		name:    "transaction block",
		queries: []string{"begin; insert a", "fail 23505 duplicate key", "series 1", "rollback", "begin", "insert b", "commit"},
		want: []string{
			"CommandComplete BEGIN", "CommandComplete INSERT 0 1", "ReadyForQuery T",
			"ErrorResponse ERROR 23505 duplicate key", "ReadyForQuery E",
			"ErrorResponse ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block", "ReadyForQuery E",
			"CommandComplete ROLLBACK", "ReadyForQuery I",
			"CommandComplete BEGIN", "ReadyForQuery T",
			"CommandComplete INSERT 0 1", "ReadyForQuery T",
			"CommandComplete COMMIT", "ReadyForQuery I",
		},
		wantCommitted: []string{"b"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := &fakeEngine{}
			_, addr := startServer(t, eng)
			c := connectRaw(t, addr)
			var got []string
			for _, q := range tt.queries {
				got = append(got, c.simpleQuery(q)...)
			}
			checkTranscript(t, got, tt.want)
			if committed := eng.committedRows(); !reflect.DeepEqual(committed, tt.wantCommitted) {
				t.Errorf("committed %q, want %q", committed, tt.wantCommitted)
			}
		})
	}
}
