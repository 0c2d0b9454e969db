package bench

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunRejectsBadConfig(t *testing.T) {
	cfg := DefaultConfig()
	if _, err := Run(context.Background(), cfg, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "dataset is required") {
		t.Errorf("Run without a dataset: %v", err)
	}
}

func TestRunDrawsEarlierReports(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, label := range []string{"vecgres", "pgvector"} {
		r := sampleReport()
		r.Label = label
		var buf bytes.Buffer
		if err := r.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, writeTemp(t, dir, label+".json", buf.Bytes()))
	}
	cfg := DefaultConfig()
	cfg.Plot = filepath.Join(dir, "plot.png")
	cfg.Compare = paths
	var out bytes.Buffer
	rep, err := Run(context.Background(), cfg, &out)
	if err != nil || rep != nil {
		t.Fatalf("Run = %v, %v", rep, err)
	}
	for _, want := range []string{"label:        vecgres", "label:        pgvector", "plot:         " + cfg.Plot} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	f, err := os.Open(cfg.Plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("%s: %v", cfg.Plot, err)
	}
}

func TestRunFailsEarly(t *testing.T) {
	dir := t.TempDir()
	writeSharedDataset(t, dir, "tiny-2-l2", "l2", 2, 20, 4, 3, 10)
	tests := []struct {
		name   string
		change func(*Config)
		err    string
	}{
		{"missing comparison", func(c *Config) { c.Compare = []string{filepath.Join(dir, "none.json")} }, "none.json"},
		{"missing dataset", func(c *Config) { c.Dataset = "absent" }, filepath.Join(dir, "absent.json")},
		// Port 1 refuses connections: the dataset and ground truth are
		// ready before the server is asked for anything.
		{"no server", func(*Config) {}, "connecting to the server"},
		{"no server, filtered", func(c *Config) { c.Selectivity = []float64{0.5, 0.05} }, "connecting to the server"},
		{"filter admits no row", func(c *Config) { c.Selectivity = []float64{0.5, 0.01} }, "selectivity 0.01 of 20 rows admits no row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.URL = "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5"
			cfg.DataDir, cfg.Dataset = dir, "tiny-2-l2"
			tt.change(&cfg)
			var out bytes.Buffer
			if _, err := Run(context.Background(), cfg, &out); err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Run: %v, want an error containing %q", err, tt.err)
			}
		})
	}
}

func TestUsesIndex(t *testing.T) {
	tests := []struct {
		plan []string
		want bool
	}{
		{[]string{"Limit  (cost=..)", "  ->  Index Scan using bench_items_embedding_idx on bench_items"}, true},
		{[]string{"Limit", "  ->  HNSW Scan on bench_items"}, true},
		{[]string{"Limit", "  ->  Sort", "        ->  Seq Scan on bench_items"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := usesIndex(tt.plan, "bench_items_embedding_idx"); got != tt.want {
			t.Errorf("usesIndex(%q) = %v, want %v", tt.plan, got, tt.want)
		}
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abcde", 5, "abcde"}, {"abcdef", 5, "ab..."}}
	for _, tt := range tests {
		if got := shorten(tt.in, tt.n); got != tt.want {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
