package hnsw

import (
	"bufio"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// TestLoadFormatV1 loads graphs that the first format's code (commit
// f5c634e, before kinds) wrote, and checks that they are exactly the
// graphs this code makes of the same rows, and keep working: the files
// in testdata/format-v1-*.graph are 250 rows of randomVectors(PCG(1, 2),
// 300, 8) built with one worker (m = 4, ef_construction = 16, seed 7) and
// written by WriteAll, then rows 250..299 inserted and rows 0, 3, ..., 27
// deleted in one committed Tx, in the store's key order.
func TestLoadFormatV1(t *testing.T) {
	for _, m := range []Metric{L2, Cosine} {
		t.Run(m.String(), func(t *testing.T) {
			// hardOnly: the files were written before soft links.
			cfg := Config{Dim: 8, Metric: m, M: 4, EfConstruction: 16, Seed: 7, hardOnly: true}
			f, err := os.Open("testdata/format-v1-" + cfg.Opclass() + ".graph")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			old := newMemStore()
			if err := fileRecords(bufio.NewReader(f))(old.Put); err != nil {
				t.Fatal(err)
			}
			if v, _ := old.m[string(metaKey(nil))]; len(v) != metaLenV1 || v[0] != formatVersionV1 {
				t.Fatalf("the file's meta record is not of format 1: %x", v)
			}
			loaded, err := Load(cfg, old.iter)
			if err != nil {
				t.Fatal(err)
			}

			r := rand.New(rand.NewPCG(1, 2))
			vecs := randomVectors(r, 300, 8)
			g, err := Build(t.Context(), cfg, func(yield func(uint64, []float32) error) error {
				for i, v := range vecs[:250] {
					if err := yield(uint64(i), v); err != nil {
						return err
					}
				}
				return nil
			}, BuildOptions{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			store := newMemStore()
			if err := g.WriteAll(store); err != nil {
				t.Fatal(err)
			}
			tx := g.Begin(store)
			for i := 250; i < 300; i++ {
				if err := tx.Insert(uint64(i), vecs[i]); err != nil {
					t.Fatal(err)
				}
			}
			for i := 0; i < 30; i += 3 {
				tx.Delete(uint64(i))
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if a, b := dumpGraph(loaded), dumpGraph(g); a != b {
				t.Fatalf("the format 1 graph loads as\n%s\nwant\n%s", a, b)
			}
			if !slices.Equal(dumpValues(loaded), dumpValues(g)) {
				t.Fatal("the format 1 graph loads other vectors")
			}
			// Every record but the meta record is the same in both formats.
			for k, v := range store.m {
				if k != string(metaKey(nil)) && string(old.m[k]) != string(v) {
					t.Fatalf("record %x differs", k)
				}
			}
			if len(store.m) != len(old.m) {
				t.Fatalf("%d records, format 1 wrote %d", len(store.m), len(old.m))
			}

			// The loaded graph takes changes, and its store (format 1
			// records and this code's) loads again.
			tx = loaded.Begin(old)
			for i := 0; i < 30; i += 3 {
				if err := tx.Insert(uint64(i), vecs[i]); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := tx.Vacuum(t.Context()); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			again, err := Load(cfg, old.iter)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := dumpGraph(again), dumpGraph(loaded); a != b {
				t.Fatalf("reloaded\n%s\nwant\n%s", a, b)
			}
			s := NewSearcher()
			for _, q := range vecs[:20] {
				want := bruteForce(loaded, vecs, func(int) bool { return true }, q, 5)
				got, err := again.Search(s, q, 5, 300, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !equalResults([][]Result{want}, [][]Result{got}) {
					t.Fatalf("search %v, want %v", got, want)
				}
			}
		})
	}
}
