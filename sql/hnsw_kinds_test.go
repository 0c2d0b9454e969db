package sql

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/storage"
)

// openEngineAt opens the data directory dir and a session on it; the
// engine logs to log. close ends both.
func openEngineAt(t *testing.T, dir string, log *bytes.Buffer) (s *Session, close func()) {
	t.Helper()
	// The engine loads indexes in parallel: writes to the buffer are
	// serialised.
	logger := zerolog.New(zerolog.SyncWriter(log))
	db, err := storage.Open(storage.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(EngineConfig{DB: db, Logger: logger})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	s, err = e.NewSession(SessionParams{User: "test", Database: "test"})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return s, func() {
		s.Close()
		db.Close()
	}
}

// TestHNSWKindsReload builds hnsw indexes of every halfvec, sparsevec and
// bit operator class, changes them with INSERT, UPDATE, DELETE and
// VACUUM, restarts the engine on the same data directory, and checks that
// every index is loaded (not rebuilt) and answers its ORDER BY ... LIMIT
// query with the rows and order of the exact query.
func TestHNSWKindsReload(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	s, closeEngine := openEngineAt(t, dir, &log)
	mustQuery(t, s, "CREATE TABLE kinds (id int PRIMARY KEY, h halfvec(16), s sparsevec(1000), b bit(40))")
	// 300 rows of distinct values; every tenth row has NULLs, and row 5 a
	// zero halfvec and an empty sparsevec, which cosine indexes skip.
	mustQuery(t, s, `INSERT INTO kinds
		SELECT i,
			CASE WHEN i = 5 THEN ARRAY(SELECT 0::real FROM generate_series(1, 16))::halfvec
				ELSE ARRAY(SELECT ((i * 37 + j * 11) % 23 - 11)::real / 4 FROM generate_series(1, 16) AS j)::halfvec END,
			CASE WHEN i = 5 THEN '{}/1000'::sparsevec
				ELSE ('{' || ((i * 13) % 499 + 1)::text || ':' || (i % 13 + 1)::text || ',' || (500 + i)::text || ':' || (i % 5 + 1)::text || '}/1000')::sparsevec END,
			(i * 2654435761 % 1099511627776)::bit(40)
		FROM generate_series(1, 300) AS g(i)`)
	mustQuery(t, s, "UPDATE kinds SET h = NULL, s = NULL, b = NULL WHERE id % 10 = 0")
	type probe struct{ opclass, col, op, query string }
	probes := []probe{
		{"halfvec_l2_ops", "h", "<->", "'[1,2,3,4,5,6,7,8,-1,-2,-3,-4,-5,-6,-7,-8]'"},
		{"halfvec_ip_ops", "h", "<#>", "'[1,2,3,4,5,6,7,8,-1,-2,-3,-4,-5,-6,-7,-8]'"},
		{"halfvec_cosine_ops", "h", "<=>", "'[1,2,3,4,5,6,7,8,-1,-2,-3,-4,-5,-6,-7,-8]'"},
		{"halfvec_l1_ops", "h", "<+>", "'[1,2,3,4,5,6,7,8,-1,-2,-3,-4,-5,-6,-7,-8]'"},
		{"sparsevec_l2_ops", "s", "<->", "'{2:3,9:2,16:1}/1000'"},
		{"sparsevec_ip_ops", "s", "<#>", "'{2:3,9:2,16:1}/1000'"},
		{"sparsevec_cosine_ops", "s", "<=>", "'{2:3,9:2,16:1}/1000'"},
		{"sparsevec_l1_ops", "s", "<+>", "'{2:3,9:2,16:1}/1000'"},
		{"bit_hamming_ops", "b", "<~>", "B'1011001110001111000011111000001111110000'"},
		{"bit_jaccard_ops", "b", "<%>", "B'1011001110001111000011111000001111110000'"},
	}
	for _, p := range probes {
		mustQuery(t, s, fmt.Sprintf("CREATE INDEX kinds_%s ON kinds USING hnsw (%s %s)", p.opclass, p.col, p.opclass))
	}
	mustQuery(t, s, `INSERT INTO kinds VALUES (301, '[1,2,3,4,5,6,7,8,-1,-2,-3,-4,-5,-6,-7,-9]',
		'{2:3,9:2,16:1.5}/1000', B'1011001110001111000011111000001111110001')`)
	mustQuery(t, s, "UPDATE kinds SET h = '[-1,-2,-3,-4,-5,-6,-7,-8,1,2,3,4,5,6,7,8]', s = '{999:1}/1000', b = ~b WHERE id % 7 = 3")
	mustQuery(t, s, "DELETE FROM kinds WHERE id % 11 = 4")
	mustQuery(t, s, "VACUUM kinds")
	mustQuery(t, s, "SET hnsw.ef_search = 400")

	// answers returns each probe's index scan (ids and distances) after
	// checking that it uses the index and gives the exact query's rows.
	answers := func(s *Session) [][]string {
		var out [][]string
		for _, p := range probes {
			dist := fmt.Sprintf("%s %s %s", p.col, p.op, p.query)
			q := fmt.Sprintf("SELECT id, %s FROM kinds ORDER BY %s LIMIT 8", dist, dist)
			plan := strings.Join(mustQuery(t, s, "EXPLAIN (COSTS OFF) "+q), "\n")
			if !strings.Contains(plan, "Index Scan using kinds_"+p.opclass) {
				t.Fatalf("%s: not an index scan:\n%s", p.opclass, plan)
			}
			got := mustQuery(t, s, q)
			// The exact query: a sort of every indexed row (the expression
			// is no index key), ties broken as the index does not promise,
			// so distances are compared in order and ids as sets per tie.
			exact := mustQuery(t, s, fmt.Sprintf("SELECT id, %s FROM kinds WHERE %s IS NOT NULL ORDER BY (%s) + 0 LIMIT 8", dist, p.col, dist))
			if p.opclass == "halfvec_cosine_ops" || p.opclass == "sparsevec_cosine_ops" {
				exact = mustQuery(t, s, fmt.Sprintf("SELECT id, %s FROM kinds WHERE %s IS NOT NULL AND id <> 5 ORDER BY (%s) + 0 LIMIT 8", dist, p.col, dist))
			}
			if !sameRanking(got, exact) {
				t.Fatalf("%s: index scan\n%v\nexact\n%v", p.opclass, got, exact)
			}
			out = append(out, got)
		}
		return out
	}
	before := answers(s)
	closeEngine()

	log.Reset()
	s, closeEngine = openEngineAt(t, dir, &log)
	defer closeEngine()
	logs := log.String()
	for _, p := range probes {
		if !strings.Contains(logs, `"index":"kinds_`+p.opclass+`"`) {
			t.Fatalf("index kinds_%s was not loaded at start-up:\n%s", p.opclass, logs)
		}
	}
	if strings.Contains(logs, "hnsw index built") {
		t.Fatalf("an index was rebuilt at start-up:\n%s", logs)
	}
	mustQuery(t, s, "SET hnsw.ef_search = 400")
	after := answers(s)
	for i := range before {
		if !slices.Equal(before[i], after[i]) {
			t.Fatalf("%s after restart:\n%v\nbefore\n%v", probes[i].opclass, after[i], before[i])
		}
	}
}

// sameRanking reports whether two "id|distance" result lists have the
// same distances in order and, within each run of equal distances, the
// same ids.
func sameRanking(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	split := func(r string) (string, string) {
		id, d, _ := strings.Cut(r, "|")
		return id, d
	}
	for i := 0; i < len(a); {
		_, d := split(a[i])
		j := i
		var ia, ib []string
		for ; j < len(a); j++ {
			ida, da := split(a[j])
			idb, db := split(b[j])
			if da != d || db != d {
				break
			}
			ia, ib = append(ia, ida), append(ib, idb)
		}
		if j == i {
			return false
		}
		// A run cut by the LIMIT may hold different ids of that distance.
		slices.Sort(ia)
		slices.Sort(ib)
		if j < len(a) && !slices.Equal(ia, ib) {
			return false
		}
		i = j
	}
	return true
}

// TestHNSWBudgetOfKinds checks that an hnsw build is charged what the
// graph keeps of each row, not its dimensions: rows of a sparsevec of a
// billion dimensions with one element each are indexed (charged as
// vectors of that many dimensions, five rows were refused as out of
// memory).
func TestHNSWBudgetOfKinds(t *testing.T) {
	s := newTestSession(t)
	mustQuery(t, s, "CREATE TABLE sp (id int, s sparsevec(1000000000))")
	mustQuery(t, s, "INSERT INTO sp SELECT i, ('{' || (i * 1000)::text || ':1}/1000000000')::sparsevec FROM generate_series(1, 50) AS g(i)")
	mustQuery(t, s, "CREATE INDEX sp_l2 ON sp USING hnsw (s sparsevec_l2_ops)")
	if got := mustQuery(t, s, "SELECT id FROM sp ORDER BY s <-> '{3000:1}/1000000000' LIMIT 1"); !slices.Equal(got, []string{"3"}) {
		t.Fatalf("nearest = %v, want [3]", got)
	}
}
