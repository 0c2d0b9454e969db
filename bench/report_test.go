package bench

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleReport() *Report {
	return &Report{
		Label:          "pgvector 0.8.6",
		Server:         "PostgreSQL 15.18",
		Extension:      "pgvector 0.8.6",
		Started:        time.Date(2025, 11, 26, 3, 0, 0, 0, time.UTC),
		Dataset:        "glove-6b-100-cosine",
		Metric:         "cosine",
		Dim:            100,
		Rows:           20000,
		Queries:        1000,
		K:              10,
		GroundTruth:    "brute force over the 20000 loaded rows in 1.20s",
		M:              16,
		EfConstruction: 64,
		Clients:        1,
		VectorFormat:   "binary",
		Settings:       []string{"maintenance_work_mem=1GB"},
		LoadMethod:     "COPY FROM STDIN (FORMAT BINARY)",
		LoadSeconds:    0.5,
		BuildSeconds:   3.25,
		IndexBytes:     15 << 20,
		Plan:           []string{"Limit", "  ->  Index Scan using bench_items_embedding_idx on bench_items"},
		Notices:        []string{"notice: n"},
		Points: []Point{
			{EfSearch: 10, Recall: 0.7512, QPS: 3012.25, P50Ms: 0.301, P99Ms: 0.6, MeanMs: 0.33},
			{EfSearch: 400, Recall: 0.9987, QPS: 250.5, P50Ms: 3.9, P99Ms: 7.25, MeanMs: 4},
		},
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	r := sampleReport()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"ef_search": 10`, `"qps": 3012.25`, `"index_bytes": 15728640`, `"load_method"`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("JSON lacks %s:\n%s", key, buf.String())
		}
	}
	path := writeTemp(t, t.TempDir(), "r.json", buf.Bytes())
	back, err := ReadReport(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("read back\n%+v\nwant\n%+v", back, r)
	}
}

func TestReadReportErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, content, err string }{
		{"empty.json", `{"label": "x", "points": []}`, "no points"},
		{"bad.json", `{"label": `, "unexpected end"},
	}
	for _, tt := range tests {
		path := writeTemp(t, dir, tt.name, []byte(tt.content))
		if _, err := ReadReport(path); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.err)
		}
	}
	if _, err := ReadReport(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("ReadReport of a missing file succeeded")
	}
}

func TestWriteText(t *testing.T) {
	var buf bytes.Buffer
	if err := sampleReport().WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	want := `label:        pgvector 0.8.6
server:       PostgreSQL 15.18; pgvector 0.8.6
dataset:      glove-6b-100-cosine, cosine, 100 dimensions, 20000 rows, 1000 queries, k=10
ground truth: brute force over the 20000 loaded rows in 1.20s
load:         0.50s with COPY FROM STDIN (FORMAT BINARY), 40000 rows/s
build:        3.25s, hnsw m=16 ef_construction=64
index size:   15.0 MiB
queries:      1000 per pass over 1 connection(s), prepared, vector parameter in binary

ef_search  recall@10        QPS    p50 ms    p99 ms
       10     0.7512     3012.2     0.301     0.600
      400     0.9987      250.5     3.900     7.250
`
	if got := buf.String(); got != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", got, want)
	}
}

func TestSummarySkippedAndFallback(t *testing.T) {
	r := &Report{LoadNote: "COPY failed (x): loading with INSERT instead"}
	tests := map[string]string{
		"load":       "load:         skipped",
		"load note":  "load:         COPY failed (x): loading with INSERT instead",
		"build":      "build:        skipped",
		"index size": "index size:   n/a",
	}
	for key, want := range tests {
		if got := r.summaryLine(key); got != want {
			t.Errorf("summaryLine(%q) = %q, want %q", key, got, want)
		}
	}
	if got := (&Report{}).summaryLine("load note"); got != "" {
		t.Errorf("load note without a note = %q", got)
	}
}

func TestFormatBytes(t *testing.T) {
	tests := map[int64]string{0: "n/a", -1: "n/a", 512: "512 B", 1024: "1.0 KiB", 7_400_000: "7.1 MiB", 3 << 30: "3.0 GiB", 5 << 40: "5.0 TiB"}
	for n, want := range tests {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDefaultLabel(t *testing.T) {
	tests := []struct{ server, extension, want string }{
		{"PostgreSQL 16.4 (vecgres 0.1.0-dev) on x86_64-pc-linux-gnu, compiled by Go, 64-bit", "pgvector 0.8.0", "vecgres 0.1.0-dev"},
		{"PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu", "pgvector 0.8.6", "pgvector 0.8.6"},
		{"PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu", "", "PostgreSQL 15.18"},
		{"15.18", "", "15.18"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := defaultLabel(tt.server, tt.extension); got != tt.want {
			t.Errorf("defaultLabel(%q, %q) = %q, want %q", tt.server, tt.extension, got, tt.want)
		}
	}
}

// sampleFilteredReport is sampleReport as a filtered run.
func sampleFilteredReport() *Report {
	r := sampleReport()
	r.GroundTruth = "unfiltered: glove-6b-100-cosine.gt.i32; filtered: brute force over the rows each of the 2 filters admits, in 0.40s"
	r.Attr = "WHERE attr < $2, attr a seeded random permutation of 0..19999, independent of the vectors; btree index on attr"
	r.AttrIndexSeconds = 0.125
	r.Plan = []string{
		"Limit  (cost=8.17..9.20 rows=10 width=12)",
		"  ->  Index Scan using bench_items_embedding_idx on bench_items  (cost=8.17..218.41 rows=20000 width=12)",
		"        Order By: (embedding <=> '[1,2]'::vector)",
	}
	r.Filters = []Filter{
		{Selectivity: 0.1, Threshold: 2000, Plan: []string{
			"Limit  (cost=8.17..9.20 rows=10 width=12)",
			"  ->  Index Scan using bench_items_embedding_idx on bench_items  (cost=8.17..218.41 rows=2000 width=12)",
			"        Order By: (embedding <=> '[1,2]'::vector)",
			"        Filter: (attr < 2000)",
		}},
		{Selectivity: 0.001, Threshold: 20, Plan: []string{
			"Limit",
			"  ->  Sort",
			"        Sort Key: ((embedding <=> '[1,2]'::vector))",
			"        ->  Index Scan using bench_items_attr_idx on bench_items",
			"              Index Cond: (attr < 20)",
		}},
	}
	r.Points = []Point{
		{EfSearch: 10, Recall: 0.8123, QPS: 3500, P50Ms: 0.25, P99Ms: 0.5, MeanMs: 0.28, MeanRows: 10},
		{Selectivity: 0.1, EfSearch: 10, Recall: 0.7512, QPS: 3012.25, P50Ms: 0.301, P99Ms: 0.6, MeanMs: 0.33, MeanRows: 10},
		{Selectivity: 0.1, EfSearch: 400, Recall: 0.9987, QPS: 250.5, P50Ms: 3.9, P99Ms: 7.25, MeanMs: 4, MeanRows: 10},
		{Selectivity: 0.001, EfSearch: 10, Recall: 0.0512, QPS: 4012.5, P50Ms: 0.2, P99Ms: 0.4, MeanMs: 0.25, MeanRows: 0.42, WrongRows: 3},
		{Selectivity: 0.001, EfSearch: 400, Recall: 0.4, QPS: 300, P50Ms: 3, P99Ms: 6, MeanMs: 3.5, MeanRows: 4.125},
	}
	return r
}

func TestWriteTextFiltered(t *testing.T) {
	var buf bytes.Buffer
	if err := sampleFilteredReport().WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	want := `label:        pgvector 0.8.6
server:       PostgreSQL 15.18; pgvector 0.8.6
dataset:      glove-6b-100-cosine, cosine, 100 dimensions, 20000 rows, 1000 queries, k=10
ground truth: unfiltered: glove-6b-100-cosine.gt.i32; filtered: brute force over the rows each of the 2 filters admits, in 0.40s
load:         0.50s with COPY FROM STDIN (FORMAT BINARY), 40000 rows/s
build:        3.25s, hnsw m=16 ef_construction=64
index size:   15.0 MiB
attr index:   0.12s, btree on attr
filter:       WHERE attr < $2, attr a seeded random permutation of 0..19999, independent of the vectors; btree index on attr
plan:         Limit <- Index Scan using bench_items_embedding_idx on bench_items
plan 0.1:     Limit <- Index Scan using bench_items_embedding_idx on bench_items
plan 0.001:   Limit <- Sort <- Index Scan using bench_items_attr_idx on bench_items
queries:      1000 per pass over 1 connection(s), prepared, vector parameter in binary, threshold in text, prepared anew for each selectivity

selectivity  ef_search  recall@10        QPS    p50 ms    p99 ms    rows
 unfiltered         10     0.8123     3500.0     0.250     0.500   10.00

        0.1         10     0.7512     3012.2     0.301     0.600   10.00
        0.1        400     0.9987      250.5     3.900     7.250   10.00

      0.001         10     0.0512     4012.5     0.200     0.400    0.42  (3 rows returned fail the filter)
      0.001        400     0.4000      300.0     3.000     6.000    4.12
`
	if got := buf.String(); got != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", got, want)
	}
}

func TestFilteredReportJSONRoundTrip(t *testing.T) {
	r := sampleFilteredReport()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"selectivity": 0.001`, `"threshold": 20`, `"mean_rows": 0.42`, `"wrong_rows": 3`, `"attr_index_seconds": 0.125`, `"attr": "WHERE`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("JSON lacks %s:\n%s", key, buf.String())
		}
	}
	back, err := ReadReport(writeTemp(t, t.TempDir(), "r.json", buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("read back\n%+v\nwant\n%+v", back, r)
	}
	// An unfiltered report names no selectivity.
	buf.Reset()
	if err := sampleReport().WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"selectivity"`, `"filters"`, `"attr"`, `"wrong_rows"`} {
		if strings.Contains(buf.String(), key) {
			t.Errorf("unfiltered JSON has %s", key)
		}
	}
}

func TestPlanSummary(t *testing.T) {
	tests := []struct {
		plan []string
		want string
	}{
		{sampleFilteredReport().Filters[0].Plan, "Limit <- Index Scan using bench_items_embedding_idx on bench_items"},
		{[]string{"Limit", "  ->  Sort", "        Sort Key: x", "        ->  Seq Scan on t", "              Filter: (attr < 5)"}, "Limit <- Sort <- Seq Scan on t"},
		{[]string{"Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)"}, "Seq Scan on t"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := planSummary(tt.plan); got != tt.want {
			t.Errorf("planSummary(%q) = %q, want %q", tt.plan, got, tt.want)
		}
	}
}
