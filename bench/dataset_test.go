package bench

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// writeSharedDataset writes a dataset in the shared format: nBase rows
// of dim values, nQuery queries, and gt files of gtK ids for the full
// base and for its first prefix rows (ids are placeholders: these tests
// check which file is picked, not what it holds).
func writeSharedDataset(t *testing.T, dir, name, metricName string, dim, nBase, nQuery, gtK, prefix int) {
	t.Helper()
	spec := fmt.Sprintf(`{"name": %q, "dim": %d, "n_base": %d, "n_query": %d, "metric": %q, "gt_k": %d, "gt10k_prefix": %d}`,
		name, dim, nBase, nQuery, metricName, gtK, prefix)
	writeTemp(t, dir, name+".json", []byte(spec))
	seq := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(i)
		}
		return v
	}
	writeTemp(t, dir, name+".base.f32", littleEndianFloats(seq(nBase*dim)...))
	writeTemp(t, dir, name+".query.f32", littleEndianFloats(seq(nQuery*dim)...))
	writeTemp(t, dir, name+".gt.i32", littleEndianInts(make([]int32, nQuery*gtK)...))
	writeTemp(t, dir, name+".gt10k.i32", littleEndianInts(make([]int32, nQuery*gtK)...))
}

func TestLoadSharedDataset(t *testing.T) {
	dir := t.TempDir()
	writeSharedDataset(t, dir, "tiny-2-l2", "l2", 2, 20, 4, 3, 10)
	tests := []struct {
		name         string
		limit, qlim  int
		metric       string
		rows, nq     int
		truth        string // source, "" for none
		note         string
		resultMetric metric
	}{
		{"full", 0, 0, "", 20, 4, "tiny-2-l2.gt.i32", "", metricL2},
		{"limit at size", 20, 0, "", 20, 4, "tiny-2-l2.gt.i32", "", metricL2},
		{"limit above size", 50, 0, "", 20, 4, "tiny-2-l2.gt.i32", "", metricL2},
		{"prefix", 10, 2, "", 10, 2, "tiny-2-l2.gt10k.i32", "", metricL2},
		{"other limit", 15, 0, "", 15, 4, "", "not 15", metricL2},
		{"same metric", 0, 0, "euclidean", 20, 4, "tiny-2-l2.gt.i32", "", metricL2},
		{"other metric", 0, 0, "l1", 20, 4, "", "for l2, not l1", metricL1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.DataDir, cfg.Dataset, cfg.Limit, cfg.QueriesLimit, cfg.Metric = dir, "tiny-2-l2", tt.limit, tt.qlim, tt.metric
			ds, err := loadDataset(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if ds.base.rows() != tt.rows || ds.queries.rows() != tt.nq || ds.base.cols != 2 || ds.metric != tt.resultMetric {
				t.Errorf("%d rows, %d queries, %d columns, %v", ds.base.rows(), ds.queries.rows(), ds.base.cols, ds.metric)
			}
			switch {
			case tt.truth == "" && ds.truth != nil:
				t.Errorf("truth %s, want none", ds.truth.source)
			case tt.truth != "" && (ds.truth == nil || ds.truth.source != tt.truth || ds.truth.ids.rows() != tt.nq):
				t.Errorf("truth %+v, want %s with %d rows", ds.truth, tt.truth, tt.nq)
			}
			if !strings.Contains(ds.truthNote, tt.note) {
				t.Errorf("truth note %q, want it to contain %q", ds.truthNote, tt.note)
			}
		})
	}
}

func TestLoadSharedDatasetByPath(t *testing.T) {
	dir := t.TempDir()
	writeSharedDataset(t, dir, "tiny-2-cosine", "cosine", 2, 5, 1, 2, 3)
	cfg := DefaultConfig()
	cfg.Dataset = filepath.Join(dir, "tiny-2-cosine.json")
	ds, err := loadDataset(cfg)
	if err != nil || ds.name != "tiny-2-cosine" || ds.metric != metricCosine {
		t.Fatalf("loadDataset(%s) = %+v, %v", cfg.Dataset, ds, err)
	}
}

func TestLoadMissingDataset(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir, cfg.Dataset = t.TempDir(), "nope-1-l2"
	_, err := loadDataset(cfg)
	want := filepath.Join(cfg.DataDir, "nope-1-l2.json") + " does not exist"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("loadDataset of a missing dataset: %v, want an error containing %q", err, want)
	}
}

func TestLoadFileDataset(t *testing.T) {
	dir := t.TempDir()
	base := writeTemp(t, dir, "sift_base.fvecs", fvecs([]float32{0, 0}, []float32{1, 0}, []float32{2, 0}))
	queries := writeTemp(t, dir, "sift_query.fvecs", fvecs([]float32{0.9, 0}, []float32{3, 0}))
	gt := writeTemp(t, dir, "sift_groundtruth.ivecs", ivecs([]int32{1, 0}, []int32{2, 1}))
	wrongDim := writeTemp(t, dir, "q3.fvecs", fvecs([]float32{1, 2, 3}))
	tests := []struct {
		name                string
		queries, gt, metric string
		limit               int
		rows                int
		truth               bool
		note, err           string
	}{
		{"with gt", queries, gt, "l2", 0, 3, true, "", ""},
		{"limit at size", queries, gt, "l2", 3, 3, true, "", ""},
		{"limit cuts", queries, gt, "l2", 2, 2, false, "--limit 2", ""},
		{"no gt", queries, "", "l2", 0, 3, false, "no --gt", ""},
		{"no metric", queries, gt, "", 0, 0, false, "", "give --metric"},
		{"no queries", "", gt, "l2", 0, 0, false, "", "needs --queries"},
		{"dimensions differ", wrongDim, gt, "l2", 0, 0, false, "", "has 3 dimensions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Dataset, cfg.Queries, cfg.GroundTruth, cfg.Metric, cfg.Limit = base, tt.queries, tt.gt, tt.metric, tt.limit
			ds, err := loadDataset(cfg)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ds.name != "sift" || ds.base.rows() != tt.rows || (ds.truth != nil) != tt.truth || !strings.Contains(ds.truthNote, tt.note) {
				t.Errorf("name %q, %d rows, truth %v (%q)", ds.name, ds.base.rows(), ds.truth, ds.truthNote)
			}
		})
	}
}

func TestHasExt(t *testing.T) {
	if !hasExt("a/B.NPY", ".npy") || hasExt("a.npy.gz", ".npy") || !hasExt("x.fvecs", ".npy", ".fvecs") {
		t.Error("hasExt")
	}
}
