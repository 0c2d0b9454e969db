package main

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/bench"
)

// writeFvecs writes vectors in TEXMEX .fvecs form.
func writeFvecs(t *testing.T, path string, vecs [][]float32) {
	t.Helper()
	var b bytes.Buffer
	for _, v := range vecs {
		_ = binary.Write(&b, binary.LittleEndian, int32(len(v)))
		for _, x := range v {
			_ = binary.Write(&b, binary.LittleEndian, math.Float32bits(x))
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBenchFiltered runs vecgres bench --selectivity end to end against a
// vecgres started in the process, on 2,000 generated vectors: the
// unfiltered baseline, then each filter, every query answered with k
// rows the filter admits, and the selective filter's answers exact.
func TestBenchFiltered(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(8, 8))
	randomVecs := func(n int) [][]float32 {
		out := make([][]float32, n)
		for i := range out {
			out[i] = make([]float32, 8)
			for j := range out[i] {
				out[i][j] = float32(r.NormFloat64())
			}
		}
		return out
	}
	writeFvecs(t, filepath.Join(dir, "base.fvecs"), randomVecs(2000))
	writeFvecs(t, filepath.Join(dir, "query.fvecs"), randomVecs(30))
	report := filepath.Join(dir, "report.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{"bench", "--dataset", filepath.Join(dir, "base.fvecs"), "--queries", filepath.Join(dir, "query.fvecs"),
		"--metric", "l2", "--selectivity", "0.5,0.01", "--ef-search", "40", "--json", report}, &stdout, &stderr, envMap(nil))
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr.String(), stdout.String())
	}
	rep, err := bench.ReadReport(report)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Filters) != 2 || len(rep.Points) != 3 {
		t.Fatalf("%d filters, %d points; want 2 filters and 3 points (the baseline first):\n%s", len(rep.Filters), len(rep.Points), stdout.String())
	}
	for i, want := range []float64{0, 0.5, 0.01} {
		p := rep.Points[i]
		if p.Selectivity != want || p.MeanRows != 10 || p.WrongRows != 0 {
			t.Errorf("point %d: selectivity %v, %v rows a query, %d rows failing the filter; want %v, 10, 0", i, p.Selectivity, p.MeanRows, p.WrongRows, want)
		}
	}
	if p := rep.Points[2]; p.Recall != 1 {
		t.Errorf("20 rows pass attr < 20: recall %v, want the exact answer", p.Recall)
	}
	if p := rep.Points[1]; p.Recall < 0.9 {
		t.Errorf("half the rows pass: recall %v", p.Recall)
	}
	if !strings.Contains(stdout.String(), "unfiltered") {
		t.Errorf("the table has no unfiltered row:\n%s", stdout.String())
	}
}
