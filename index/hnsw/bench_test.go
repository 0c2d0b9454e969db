package hnsw

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

var graphCache = flag.String("graphcache", "", "directory where benchmarks keep the graphs they build, to load them next time (delete it after changing how graphs are built)")

// benchConfig is pgvector's default index: m = 16, ef_construction = 64.
var benchConfig = Config{M: 16, EfConstruction: 64, Seed: 1}

// benchEfs are the ef_search values BenchmarkSearch measures.
var benchEfs = map[string][]int{
	"glove-6b-100-cosine":  {40, 80, 120, 160, 200, 240, 260, 320},
	"fashion-mnist-784-l2": {10, 20, 30, 40, 80},
}

// benchGraph returns the graph of the whole dataset, built with all cores
// or loaded from -graphcache.
func benchGraph(b *testing.B, ds *dataset) *Graph {
	b.Helper()
	cfg := benchConfig
	cfg.Dim, cfg.Metric = ds.dim, ds.metric
	path := ""
	if *graphCache != "" {
		path = filepath.Join(*graphCache, fmt.Sprintf("%s-%d-m%d-efc%d-seed%d.graph", ds.name, ds.nBase(), cfg.M, cfg.EfConstruction, cfg.Seed))
		if f, err := os.Open(path); err == nil {
			defer f.Close()
			g, err := Load(cfg, fileRecords(bufio.NewReaderSize(f, 1<<20)))
			if err != nil {
				b.Fatal(err)
			}
			return g
		}
	}
	g := buildDataset(b, ds, cfg, 0)
	if path != "" {
		if err := writeGraphFile(g, path); err != nil {
			b.Fatal(err)
		}
	}
	return g
}

// writeGraphFile writes g's records to path as length-prefixed pairs.
func writeGraphFile(g *Graph, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := g.WriteAll(fileStore{w}); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type fileStore struct{ w *bufio.Writer }

func (s fileStore) Put(key, value []byte) error {
	var hdr [8]byte
	binary.LittleEndian.PutUint32(hdr[:], uint32(len(key)))
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(value)))
	s.w.Write(hdr[:])
	s.w.Write(key)
	_, err := s.w.Write(value)
	return err
}

func (s fileStore) Delete([]byte) error { return nil }

func fileRecords(r io.Reader) func(yield func(key, value []byte) error) error {
	return func(yield func(key, value []byte) error) error {
		var hdr [8]byte
		var buf []byte
		for {
			if _, err := io.ReadFull(r, hdr[:]); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			kl, vl := binary.LittleEndian.Uint32(hdr[:]), binary.LittleEndian.Uint32(hdr[4:])
			buf = append(buf[:0], make([]byte, kl+vl)...)
			if _, err := io.ReadFull(r, buf); err != nil {
				return err
			}
			if err := yield(buf[:kl], buf[kl:]); err != nil {
				return err
			}
		}
	}
}

func shortName(name string) string { return strings.SplitN(name, "-", 2)[0] }

// BenchmarkSearch measures single-threaded searches (k = 10) over the
// whole datasets, reporting recall@10, queries per second of wall time and
// of CPU time (steadier on a shared machine).
func BenchmarkSearch(b *testing.B) {
	for _, name := range []string{"glove-6b-100-cosine", "fashion-mnist-784-l2"} {
		b.Run(shortName(name), func(b *testing.B) {
			ds := loadDataset(b, name, -1, false)
			g := benchGraph(b, ds)
			for _, ef := range benchEfs[name] {
				b.Run(fmt.Sprintf("ef=%d", ef), func(b *testing.B) {
					rec := recall(b, g, ds, 10, ef)
					s := NewSearcher()
					g.Search(s, ds.query(0), 10, ef, nil) // size the buffers
					nq := ds.nQueries()
					b.ReportAllocs()
					b.ResetTimer()
					c0 := cpuTime()
					for i := 0; b.Loop(); i++ {
						g.Search(s, ds.query(i%nq), 10, ef, nil)
					}
					cpu := cpuTime() - c0
					b.ReportMetric(rec, "recall")
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "qps")
					b.ReportMetric(float64(b.N)/cpu.Seconds(), "cpu-qps")
				})
			}
		})
	}
}

// BenchmarkBuild measures building the whole datasets' graphs with one
// worker and with all cores, reporting wall and CPU seconds.
func BenchmarkBuild(b *testing.B) {
	for _, name := range []string{"glove-6b-100-cosine", "fashion-mnist-784-l2"} {
		b.Run(shortName(name), func(b *testing.B) {
			ds := loadDataset(b, name, -1, false)
			for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
				b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
					cfg := benchConfig
					cfg.Dim, cfg.Metric = ds.dim, ds.metric
					var cpu time.Duration
					var g *Graph
					for b.Loop() {
						c0 := cpuTime()
						g = buildDataset(b, ds, cfg, workers)
						cpu += cpuTime() - c0
					}
					b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/build")
					b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/build")
					b.ReportMetric(float64(g.Stats().Bytes())/(1<<20), "MiB")
				})
			}
		})
	}
}

// BenchmarkLoad measures Load of the whole GloVe graph from in-memory
// records (what opening a data directory does, less the storage scan).
func BenchmarkLoad(b *testing.B) {
	ds := loadDataset(b, "glove-6b-100-cosine", -1, false)
	g := benchGraph(b, ds)
	store := newMemStore()
	if err := g.WriteAll(store); err != nil {
		b.Fatal(err)
	}
	// Iterate a pre-sorted slice, as a storage scan in key order would.
	type rec struct{ k, v []byte }
	var recs []rec
	store.iter(func(k, v []byte) error {
		recs = append(recs, rec{k, v})
		return nil
	})
	iter := func(yield func(k, v []byte) error) error {
		for _, r := range recs {
			if err := yield(r.k, r.v); err != nil {
				return err
			}
		}
		return nil
	}
	b.ResetTimer()
	var loaded *Graph
	for b.Loop() {
		var err error
		if loaded, err = Load(g.Config(), iter); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(recs)), "records")
	b.ReportMetric(float64(loaded.Stats().Bytes())/(1<<20), "MiB")
}

// BenchmarkScan measures the iterative scan that index scans run (Scan,
// then Next until k rows), which BenchmarkSearch's one-shot Search does
// not: the scan also keeps what it drops, to resume from.
func BenchmarkScan(b *testing.B) {
	ds := loadDataset(b, "glove-6b-100-cosine", -1, false)
	g := benchGraph(b, ds)
	for _, ef := range []int{40, 260} {
		b.Run(fmt.Sprintf("glove/ef=%d", ef), func(b *testing.B) {
			s := NewSearcher()
			nq := ds.nQueries()
			b.ReportAllocs()
			c0 := cpuTime()
			for i := 0; b.Loop(); i++ {
				if err := s.Scan(g, ds.query(i%nq), ScanOptions{EfSearch: ef}); err != nil {
					b.Fatal(err)
				}
				for n := 0; n < 10; {
					res := s.Next()
					if len(res) == 0 {
						break
					}
					n += len(res)
				}
				s.End()
			}
			b.ReportMetric(float64(b.N)/(cpuTime()-c0).Seconds(), "cpu-qps")
		})
	}
}
