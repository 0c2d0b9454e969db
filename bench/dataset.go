package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// dataset is what a run measures against: the base rows to load, the
// queries, and, when one applies to the loaded rows, the ground truth.
type dataset struct {
	name    string
	metric  metric
	base    matrix[float32]
	queries matrix[float32]
	// truth is nil when no ground truth applies to the loaded rows;
	// truthNote then says why.
	truth     *groundTruth
	truthNote string
}

// groundTruth holds, for each query, the ids of its nearest base rows,
// nearest first.
type groundTruth struct {
	ids matrix[int32]
	// source says where it came from, for the report.
	source string
}

// datasetSpec is the part of a shared dataset's NAME.json that a run
// uses (see ../shared/data/README.md).
type datasetSpec struct {
	Name        string `json:"name"`
	Dim         int    `json:"dim"`
	NBase       int    `json:"n_base"`
	NQuery      int    `json:"n_query"`
	Metric      string `json:"metric"`
	GTK         int    `json:"gt_k"`
	GT10kPrefix int    `json:"gt10k_prefix"`
}

// loadDataset reads the dataset cfg names, applying Limit,
// QueriesLimit and Metric.
func loadDataset(cfg Config) (*dataset, error) {
	var ds *dataset
	var err error
	switch name := cfg.Dataset; {
	case hasExt(name, ".fvecs", ".npy"):
		ds, err = loadFileDataset(cfg)
	case hasExt(name, ".json"):
		ds, err = loadSharedDataset(name, cfg.Limit, cfg.QueriesLimit)
	default:
		ds, err = loadSharedDataset(filepath.Join(cfg.DataDir, name+".json"), cfg.Limit, cfg.QueriesLimit)
	}
	if err != nil {
		return nil, err
	}
	if err := ds.applyMetric(cfg.Metric); err != nil {
		return nil, err
	}
	return ds, nil
}

// applyMetric makes the flag's metric, if any, the dataset's. A ground
// truth made for another metric no longer applies.
func (ds *dataset) applyMetric(flag string) error {
	if flag == "" {
		if ds.metric == 0 {
			return fmt.Errorf("dataset %s: no metric known; give --metric", ds.name)
		}
		return nil
	}
	m, err := parseMetric(flag)
	if err != nil {
		return err
	}
	if ds.metric != 0 && m != ds.metric && ds.truth != nil {
		ds.truth = nil
		ds.truthNote = fmt.Sprintf("the shipped ground truth is for %s, not %s", ds.metric, m)
	}
	ds.metric = m
	return nil
}

// loadSharedDataset reads a dataset in the shared format: a JSON
// description and headerless little-endian files beside it.
func loadSharedDataset(specPath string, limit, queriesLimit int) (*dataset, error) {
	raw, err := os.ReadFile(specPath)
	if errors.Is(err, fs.ErrNotExist) {
		abs, _ := filepath.Abs(specPath)
		return nil, fmt.Errorf("dataset %s: %s does not exist (is --data-dir right?)",
			strings.TrimSuffix(filepath.Base(specPath), ".json"), abs)
	}
	if err != nil {
		return nil, err
	}
	var spec datasetSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", specPath, err)
	}
	if spec.Name == "" {
		spec.Name = strings.TrimSuffix(filepath.Base(specPath), ".json")
	}
	if spec.Dim <= 0 {
		return nil, fmt.Errorf("%s: dim %d", specPath, spec.Dim)
	}
	m, err := parseMetric(spec.Metric)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", specPath, err)
	}
	file := func(suffix string) string { return filepath.Join(filepath.Dir(specPath), spec.Name+suffix) }
	ds := &dataset{name: spec.Name, metric: m}
	if ds.base, err = readRaw[float32](file(".base.f32"), spec.Dim, limit); err != nil {
		return nil, err
	}
	if ds.queries, err = readRaw[float32](file(".query.f32"), spec.Dim, queriesLimit); err != nil {
		return nil, err
	}
	truthFile, note := spec.truthFileFor(ds.base.rows())
	if truthFile == "" {
		ds.truthNote = note
		return ds, nil
	}
	ids, err := readRaw[int32](file(truthFile), spec.GTK, queriesLimit)
	if err != nil {
		return nil, err
	}
	ds.truth = &groundTruth{ids: ids, source: spec.Name + truthFile}
	return ds, nil
}

// truthFileFor returns the suffix of the ground-truth file that holds
// for the first rows base rows, or why there is none.
func (s datasetSpec) truthFileFor(rows int) (suffix, note string) {
	switch {
	case s.GTK <= 0:
		return "", "the dataset ships no ground truth"
	case rows == s.NBase:
		return ".gt.i32", ""
	case rows == s.GT10kPrefix:
		return ".gt10k.i32", ""
	}
	return "", fmt.Sprintf("the shipped ground truth is for %d or %d rows, not %d", s.NBase, s.GT10kPrefix, rows)
}

// loadFileDataset reads a base file, a query file and, optionally, a
// ground-truth file, each in .fvecs/.ivecs or .npy format.
func loadFileDataset(cfg Config) (*dataset, error) {
	if cfg.Queries == "" {
		return nil, fmt.Errorf("dataset %s: a file dataset needs --queries", cfg.Dataset)
	}
	name := strings.TrimSuffix(filepath.Base(cfg.Dataset), filepath.Ext(cfg.Dataset))
	ds := &dataset{name: strings.TrimSuffix(name, "_base")}
	// One row more than the limit tells whether the limit cut the file.
	readLimit := cfg.Limit
	if readLimit > 0 {
		readLimit++
	}
	base, err := readMatrix[float32](cfg.Dataset, readLimit)
	if err != nil {
		return nil, err
	}
	cut := cfg.Limit > 0 && base.rows() > cfg.Limit
	ds.base = base.prefix(cfg.Limit)
	if ds.queries, err = readMatrix[float32](cfg.Queries, cfg.QueriesLimit); err != nil {
		return nil, err
	}
	if ds.queries.cols != ds.base.cols {
		return nil, fmt.Errorf("%s has %d dimensions, %s has %d", cfg.Queries, ds.queries.cols, cfg.Dataset, ds.base.cols)
	}
	switch {
	case cfg.GroundTruth == "":
		ds.truthNote = "no --gt file was given"
	case cut:
		ds.truthNote = fmt.Sprintf("--limit %d loads only part of the base the --gt file is for", cfg.Limit)
	default:
		ids, err := readMatrix[int32](cfg.GroundTruth, cfg.QueriesLimit)
		if err != nil {
			return nil, err
		}
		ds.truth = &groundTruth{ids: ids, source: filepath.Base(cfg.GroundTruth)}
	}
	return ds, nil
}

// readMatrix reads a .npy file, or a .fvecs (float32) or .ivecs (int32)
// file, by its extension.
func readMatrix[T element](path string, maxRows int) (matrix[T], error) {
	vecs := "." + vecsLetter[T]() + "vecs"
	switch {
	case hasExt(path, ".npy"):
		return readNpy[T](path, maxRows)
	case hasExt(path, vecs):
		return readVecs[T](path, maxRows)
	}
	return matrix[T]{}, fmt.Errorf("%s: want a .npy or %s file of %s", path, vecs, elementName[T]())
}

// hasExt reports whether path ends in one of exts, ignoring case.
func hasExt(path string, exts ...string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	for _, e := range exts {
		if ext == e {
			return true
		}
	}
	return false
}
