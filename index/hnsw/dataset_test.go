package hnsw

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// dataDir holds the real datasets with exact ground truth
// (/work/shared/data, see its README).
const dataDir = "../../../shared/data"

// dataset is one of the real datasets, read from dataDir.
type dataset struct {
	name    string
	dim     int
	metric  Metric
	base    []float32 // rows of dim floats; row i has id i
	queries []float32
	gt      []int32   // 100 ids a query, nearest first
	gtDist  []float32 // their distances
	gtK     int
}

var datasets = map[string]struct {
	dim    int
	metric Metric
}{
	"glove-6b-100-cosine":  {100, Cosine},
	"fashion-mnist-784-l2": {784, L2},
}

// loadDataset reads dataset name with at most nBase base rows (all if
// negative); small
// selects the gt10k ground truth (against the first 10,000 rows). It skips
// the test if the files are missing.
func loadDataset(tb testing.TB, name string, nBase int, small bool) *dataset {
	tb.Helper()
	info := datasets[name]
	ds := &dataset{name: name, dim: info.dim, metric: info.metric, gtK: 100}
	gt := "gt"
	if small {
		gt = "gt10k"
	}
	limit := -1
	if nBase >= 0 {
		limit = nBase * info.dim
	}
	base := readFloats(tb, filepath.Join(dataDir, name+".base.f32"), limit)
	ds.base = base
	ds.queries = readFloats(tb, filepath.Join(dataDir, name+".query.f32"), -1)
	ds.gtDist = readFloats(tb, filepath.Join(dataDir, name+"."+gt+".dist.f32"), -1)
	raw := readFile(tb, filepath.Join(dataDir, name+"."+gt+".i32"))
	ds.gt = make([]int32, len(raw)/4)
	for i := range ds.gt {
		ds.gt[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return ds
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		tb.Skipf("dataset file %s is missing", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// readFloats reads little-endian float32s, at most limit (-1: all).
func readFloats(tb testing.TB, path string, limit int) []float32 {
	tb.Helper()
	raw := readFile(tb, path)
	n := len(raw) / 4
	if limit >= 0 && limit < n {
		n = limit
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

func (ds *dataset) nBase() int    { return len(ds.base) / ds.dim }
func (ds *dataset) nQueries() int { return len(ds.queries) / ds.dim }

func (ds *dataset) row(i int) []float32   { return ds.base[i*ds.dim : (i+1)*ds.dim] }
func (ds *dataset) query(i int) []float32 { return ds.queries[i*ds.dim : (i+1)*ds.dim] }

// hits counts the results of query qi that are among its k nearest,
// tie-tolerantly: a row counts if its exact distance (recomputed in
// float64) is at most the k-th ground-truth distance plus a small
// epsilon, as ann-benchmarks counts.
func (ds *dataset) hits(qi, k int, res []Result) int {
	limit := float64(ds.gtDist[qi*ds.gtK+k-1])
	eps := 1e-5 * max(1, limit)
	h := 0
	for _, r := range res[:min(k, len(res))] {
		if ds.trueDist(ds.query(qi), ds.row(int(r.ID))) <= limit+eps {
			h++
		}
	}
	return h
}

// trueDist is the dataset's distance in float64: Euclidean for L2, one
// minus the cosine similarity for Cosine.
func (ds *dataset) trueDist(a, b []float32) float64 {
	var s, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		switch ds.metric {
		case L2:
			s += (x - y) * (x - y)
		default:
			s += x * y
			na += x * x
			nb += y * y
		}
	}
	if ds.metric == L2 {
		return math.Sqrt(s)
	}
	return 1 - s/math.Sqrt(na*nb)
}

// buildDataset builds a graph of the first n base rows with Build.
func buildDataset(tb testing.TB, ds *dataset, cfg Config, workers int) *Graph {
	tb.Helper()
	cfg.Dim, cfg.Metric = ds.dim, ds.metric
	g, err := Build(tb.Context(), cfg, func(yield func(uint64, []float32) error) error {
		for i := range ds.nBase() {
			if err := yield(uint64(i), ds.row(i)); err != nil {
				return err
			}
		}
		return nil
	}, BuildOptions{Workers: workers, Rows: ds.nBase()})
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// recall runs every query with k and ef and returns the mean recall.
func recall(tb testing.TB, g *Graph, ds *dataset, k, ef int) float64 {
	tb.Helper()
	s := NewSearcher()
	total := 0
	for qi := range ds.nQueries() {
		res, err := g.Search(s, ds.query(qi), k, ef, nil)
		if err != nil {
			tb.Fatal(err)
		}
		total += ds.hits(qi, k, res)
	}
	return float64(total) / float64(k*ds.nQueries())
}
