package sql

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func TestMemorySettings(t *testing.T) {
	s := newTestSession(t)
	tests := []struct {
		set, name, want string
		code            pgerr.Code // of SET, when it fails
	}{
		{"", "work_mem", "64MB", ""},
		{"", "maintenance_work_mem", "64MB", ""},
		{"", "hash_mem_multiplier", "2", ""},
		{"SET work_mem = '1GB'", "work_mem", "1GB", ""},
		{"SET work_mem = 100", "work_mem", "100kB", ""},
		{"SET work_mem = '1024kB'", "work_mem", "1MB", ""},
		{"SET work_mem = '65536B'", "work_mem", "64kB", ""},
		{"SET work_mem = '10'", "", "", pgerr.InvalidParameterValue},
		{"SET work_mem = 'lots'", "", "", pgerr.InvalidParameterValue},
		{"SET work_mem = '4XB'", "", "", pgerr.InvalidParameterValue},
		{"SET work_mem = '9999999TB'", "", "", pgerr.InvalidParameterValue},
		{"SET maintenance_work_mem = '8GB'", "maintenance_work_mem", "8GB", ""},
		{"SET maintenance_work_mem = '512kB'", "", "", pgerr.InvalidParameterValue},
		{"SET hash_mem_multiplier = 4", "hash_mem_multiplier", "4", ""},
		{"SET hash_mem_multiplier = 0.5", "", "", pgerr.InvalidParameterValue},
	}
	for _, tt := range tests {
		if tt.set != "" {
			_, _, err := runQuery(s, tt.set)
			if tt.code != "" {
				if pgerr.CodeOf(err) != tt.code {
					t.Errorf("%s: %v, want %s", tt.set, err, tt.code)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.set, err)
			}
		}
		rows, _, err := runQuery(s, "SHOW "+tt.name)
		if err != nil || !slices.Equal(rows, []string{tt.want}) {
			t.Errorf("after %q: SHOW %s = %v, %v; want %s", tt.set, tt.name, rows, err, tt.want)
		}
	}
}

// TestWorkMemStatements runs statements over more rows than a small
// work_mem holds: sorts and hash aggregates spill and stay exact, a window
// function (which does not spill yet) fails with 53200 and the session
// goes on.
func TestWorkMemStatements(t *testing.T) {
	s := newTestSession(t)
	mustQuery(t, s, "CREATE TABLE w (id int PRIMARY KEY, grp int, payload text)")
	mustQuery(t, s, "INSERT INTO w SELECT g, g % 10, repeat('x', 100 + g % 37) FROM generate_series(1, 3000) g")
	mustQuery(t, s, "SET work_mem = '64kB'")

	rows := mustQuery(t, s, "SELECT id FROM w ORDER BY payload DESC, id")
	if len(rows) != 3000 {
		t.Fatalf("ORDER BY returned %d rows", len(rows))
	}
	prev := ""
	for _, r := range rows {
		id, _ := strconv.Atoi(r)
		key := fmt.Sprintf("%03d/%05d", 999-(100+id%37), id)
		if key < prev {
			t.Fatalf("ORDER BY payload DESC, id is out of order at id %d", id)
		}
		prev = key
	}

	if got := mustQuery(t, s, "SELECT count(*), sum(n) FROM (SELECT id, count(*) AS n FROM w GROUP BY id) g"); !slices.Equal(got, []string{"3000|3000"}) {
		t.Errorf("GROUP BY id with work_mem 64kB (spilling): %v", got)
	}
	_, _, err := runQuery(s, "SELECT count(*) OVER (ORDER BY id) FROM w")
	pe := pgerr.From(err)
	if pe.Code != pgerr.OutOfMemory || !strings.Contains(pe.Detail, "WindowAgg") || !strings.Contains(pe.Detail, "64kB") {
		t.Fatalf("a window over 3000 rows with work_mem 64kB: %v (detail %q), want 53200 naming WindowAgg and 64kB", err, pe.Detail)
	}
	if got := mustQuery(t, s, "SELECT grp, count(*) FROM w GROUP BY grp ORDER BY grp LIMIT 2"); !slices.Equal(got, []string{"0|300", "1|300"}) {
		t.Errorf("a small GROUP BY after the failure: %v", got)
	}
	mustQuery(t, s, "RESET work_mem")
	if got := mustQuery(t, s, "SELECT count(*) FROM (SELECT id, count(*) FROM w GROUP BY id) g"); !slices.Equal(got, []string{"3000"}) {
		t.Errorf("GROUP BY id with the default work_mem: %v", got)
	}
}

// TestHNSWBuildMemory builds an HNSW index under a maintenance_work_mem
// too small for its graph: the build goes on and sends pgvector's notice.
func TestHNSWBuildMemory(t *testing.T) {
	s := newTestSession(t)
	mustQuery(t, s, "CREATE TABLE v (id int PRIMARY KEY, embedding vector(64))")
	mustQuery(t, s, "INSERT INTO v SELECT g, ('[' || repeat(g::text || ',', 63) || g::text || ']')::vector FROM generate_series(1, 3000) g")
	mustQuery(t, s, "CREATE INDEX small_graph ON v USING hnsw (embedding vector_l2_ops)")
	if n := s.TakeNotices(); len(n) != 0 {
		t.Errorf("notices of a build within maintenance_work_mem: %v", n)
	}
	mustQuery(t, s, "DROP INDEX small_graph")
	mustQuery(t, s, "SET maintenance_work_mem = '1MB'")
	s.TakeNotices()
	mustQuery(t, s, "CREATE INDEX ON v USING hnsw (embedding vector_l2_ops)")
	notices := s.TakeNotices()
	// A node takes 5·64 + 8·16 + 4·16/15 + 96 = 548 bytes: 1MB holds 1913.
	if len(notices) != 1 || notices[0].Message != "hnsw graph no longer fits into maintenance_work_mem after 1914 tuples" ||
		notices[0].Code != pgerr.SuccessfulCompletion || notices[0].Severity != pgerr.SeverityNotice {
		t.Fatalf("notices of a build beyond maintenance_work_mem: %v", notices)
	}
	if got := mustQuery(t, s, "SELECT id FROM v ORDER BY embedding <-> ('[' || repeat('7,', 63) || '7]')::vector LIMIT 1"); !slices.Equal(got, []string{"7"}) {
		t.Errorf("nearest neighbour through the index: %v", got)
	}
}

// TestHNSWBuildBudget checks the hard bound of a build: the memory the
// machine can give.
func TestHNSWBuildBudget(t *testing.T) {
	perRow := vectorBytes(100) + hnswNodeOverhead(16)
	b := &indexBuildBudget{index: "i", limit: 10 * perRow, hardLimit: 20 * perRow, overhead: hnswNodeOverhead(16), dim: 100}
	if err := b.checkRows(20); err != nil {
		t.Errorf("20 rows within a bound of 20: %v", err)
	}
	err := b.checkRows(21)
	if pe := pgerr.From(err); pe.Code != pgerr.OutOfMemory || !strings.Contains(pe.Detail, `index "i"`) || !strings.Contains(pe.Detail, "21 rows of 100 dimensions") {
		t.Errorf("21 rows beyond a bound of 20: %v (%s)", err, pe.Detail)
	}
	for i := range 20 {
		if err := b.charge(100); err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
	}
	if n := b.passedNotice(); n == nil || !strings.Contains(n.Message, "after 11 tuples") {
		t.Errorf("notice after passing maintenance_work_mem at row 11: %v", n)
	}
	if err := b.charge(100); pgerr.CodeOf(err) != pgerr.OutOfMemory {
		t.Errorf("row 21 beyond the hard bound: %v", err)
	}
	if unbounded := (&indexBuildBudget{dim: 3}); unbounded.checkRows(1<<40) != nil {
		t.Error("a budget without a hard bound refused rows")
	}
	if runtime.GOOS == "linux" && availableMemory() <= 0 {
		t.Error("availableMemory found no bound on Linux")
	}
}

func mustQuery(t *testing.T, s *Session, q string) []string {
	t.Helper()
	rows, _, err := runQuery(s, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rows
}
