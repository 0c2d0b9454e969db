package bench

import (
	"bytes"
	"reflect"
	"testing"
)

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	cfg, err := ParseFlags([]string{
		"--url", "postgres://x", "--dataset", "d.fvecs", "--queries", "q.fvecs", "--gt", "g.ivecs",
		"--metric", "ip", "--limit", "100", "--queries-limit", "7", "--table", "t", "--drop=false",
		"--skip-load", "--skip-build", "--batch", "50", "--m", "8", "--ef-construction", "32",
		"--ef-search", "5, 50", "--k", "3", "--clients", "4", "--warmup=false", "--vector-format", "text",
		"--set", "a=1", "--set", "b=2", "--label", "L", "--json", "r.json", "--plot", "p.png",
		"--compare", "a.json,,b.json", "--selectivity", "0.5, 0.01,1e-3", "--attr-index", "--filter-correlated",
	}, &stderr)
	if err != nil {
		t.Fatalf("ParseFlags: %v (%s)", err, stderr.String())
	}
	want := Config{
		URL: "postgres://x", Dataset: "d.fvecs", DataDir: DefaultDataDir, Queries: "q.fvecs", GroundTruth: "g.ivecs",
		Metric: "ip", Limit: 100, QueriesLimit: 7, Table: "t", Drop: false, SkipLoad: true, SkipBuild: true,
		BatchSize: 50, M: 8, EfConstruction: 32, EfSearch: []int{5, 50}, K: 3, Clients: 4, Warmup: false,
		VectorFormat: "text", Settings: []string{"a=1", "b=2"}, Label: "L", JSON: "r.json", Plot: "p.png",
		Compare: []string{"a.json", "b.json"}, Selectivity: []float64{0.5, 0.01, 0.001}, AttrIndex: true, FilterCorrelated: true,
		Progress: &stderr,
	}
	if !equalConfigs(cfg, want) {
		t.Errorf("ParseFlags =\n%+v\nwant\n%+v", cfg, want)
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	var stderr bytes.Buffer
	cfg, err := ParseFlags(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Progress = &stderr
	if !equalConfigs(cfg, want) {
		t.Errorf("ParseFlags(nil) =\n%+v\nwant\n%+v", cfg, want)
	}
}

func TestParseFlagsErrors(t *testing.T) {
	tests := [][]string{
		{"--ef-search", "10,x"},
		{"--selectivity", "0.1,half"},
		{"--k", "ten"},
		{"--nope"},
		{"stray"},
	}
	for _, args := range tests {
		var stderr bytes.Buffer
		if _, err := ParseFlags(args, &stderr); err == nil {
			t.Errorf("ParseFlags(%q) succeeded", args)
		}
	}
}

func equalConfigs(a, b Config) bool { return reflect.DeepEqual(a, b) }
