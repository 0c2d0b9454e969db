package sql

import (
	"math"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/storage"
)

// TestSequenceOptions checks CREATE SEQUENCE's defaults, which follow the
// type and the increment's sign, and its checks' SQLSTATEs.
func TestSequenceOptions(t *testing.T) {
	tests := []struct {
		sql                  string
		start, inc, min, max int64
		cache                int64
		code                 pgerr.Code
	}{
		{sql: "CREATE SEQUENCE s", start: 1, inc: 1, min: 1, max: math.MaxInt64, cache: 1},
		{sql: "CREATE SEQUENCE s START WITH 1 INCREMENT BY 50", start: 1, inc: 50, min: 1, max: math.MaxInt64, cache: 1},
		{sql: "CREATE SEQUENCE s AS smallint INCREMENT -1", start: -1, inc: -1, min: math.MinInt16, max: -1, cache: 1},
		{sql: "CREATE SEQUENCE s AS integer CACHE 20 MINVALUE 10", start: 10, inc: 1, min: 10, max: math.MaxInt32, cache: 20},
		{sql: "CREATE SEQUENCE s INCREMENT -3 MAXVALUE 100", start: 100, inc: -3, min: math.MinInt64, max: 100, cache: 1},
		{sql: "CREATE SEQUENCE s AS text", code: pgerr.InvalidParameterValue},
		{sql: "CREATE SEQUENCE s INCREMENT 0", code: pgerr.InvalidParameterValue},
		{sql: "CREATE SEQUENCE s MINVALUE 5 MAXVALUE 5", code: pgerr.InvalidParameterValue},
		{sql: "CREATE SEQUENCE s AS integer MAXVALUE 3000000000", code: pgerr.InvalidParameterValue},
		{sql: "CREATE SEQUENCE s START 7 MAXVALUE 6", code: pgerr.InvalidParameterValue},
		{sql: "CREATE SEQUENCE s CACHE -1", code: pgerr.InvalidParameterValue},
		{sql: "CREATE SEQUENCE s CYCLE NO CYCLE", code: pgerr.SyntaxError},
		{sql: "CREATE SEQUENCE s START 99999999999999999999", code: pgerr.NumericValueOutOfRange},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			tree, err := pg_query.Parse(tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			cs := tree.Stmts[0].Stmt.GetCreateSeqStmt()
			b := newBinder(storage.NewCatalog(), nil, tc.sql, nil, []string{"public"})
			seq := &storage.Sequence{Name: "s"}
			opts, err := sequenceOptions(b, cs.Options)
			if err == nil {
				_, err = applySequenceOptions(b, seq, opts, true)
			}
			if tc.code != "" {
				if got := pgerr.From(err); err == nil || got.Code != tc.code {
					t.Fatalf("error %v, want SQLSTATE %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if seq.Start != tc.start || seq.Increment != tc.inc || seq.Min != tc.min || seq.Max != tc.max || seq.Cache != tc.cache {
				t.Errorf("start %d inc %d min %d max %d cache %d, want %d %d %d %d %d",
					seq.Start, seq.Increment, seq.Min, seq.Max, seq.Cache, tc.start, tc.inc, tc.min, tc.max, tc.cache)
			}
		})
	}
}
