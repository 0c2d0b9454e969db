package hnsw

import (
	"math"
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Limits and defaults of the index options, as pgvector defines them for
// its hnsw access method (except the dimension limits, see MaxDim).
const (
	DefaultM = 16
	MinM     = 2
	MaxM     = 100

	DefaultEfConstruction = 64
	MinEfConstruction     = 4
	MaxEfConstruction     = 1000

	// DefaultEfSearch, MinEfSearch and MaxEfSearch bound the GUC
	// hnsw.ef_search; DefaultMaxScanTuples is hnsw.max_scan_tuples's default.
	DefaultEfSearch      = 40
	MinEfSearch          = 1
	MaxEfSearch          = 1000
	DefaultMaxScanTuples = 20000

	// MaxDim is the largest dimension the graph indexes for vector and
	// halfvec: the vector type's own limit. pgvector stops at 2,000
	// (vector) and 4,000 (halfvec) because an element must fit in an
	// 8 kB page; vecgres keeps vectors in memory and has no such limit.
	MaxDim = 16000
	// MaxBitDim is the longest bit string the graph indexes, as pgvector.
	MaxBitDim = 64000
	// MaxSparseDim is the largest dimension of a sparsevec column, the
	// type's own limit (pgvector's too).
	MaxSparseDim = 1000000000
	// MaxSparseNNZ is the most non-zero elements a sparsevec the graph
	// indexes may have, as pgvector (whose limit comes from its page
	// size; vecgres keeps pgvector's so that the same rows are indexable).
	MaxSparseNNZ = 1000

	// maxLevel caps the random level of a node. With M = 2 (the steepest
	// decay allowed) a level above it has a probability below 2e-5 a node.
	maxLevel = 16
)

// Kind is the element type of an index's column: one per pgvector type.
type Kind uint8

// The kinds. The zero Kind is Vector, so that a Config that does not say
// is the float32 graph it always was.
const (
	// Vector is pgvector's vector: float32 elements.
	Vector Kind = iota
	// Halfvec is pgvector's halfvec: float16 elements, stored as float16
	// (half of Vector's memory) and widened to float32 exactly for every
	// distance, as pgvector does.
	Halfvec
	// Sparsevec is pgvector's sparsevec: sorted zero-based indices and
	// their float32 values; Config.Dim is the column's dimensions.
	Sparsevec
	// Bit is PostgreSQL's bit(n) with pgvector's operators: n bits packed
	// eight a byte, the first the high bit of byte 0; Config.Dim is n.
	Bit
)

var kindNames = [...]string{Vector: "vector", Halfvec: "halfvec", Sparsevec: "sparsevec", Bit: "bit"}

// String returns the SQL type name of k, e.g. "halfvec".
func (k Kind) String() string {
	if k.valid() {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

func (k Kind) valid() bool { return k <= Bit }

// MaxDim returns the largest Config.Dim the graph takes for kind k.
func (k Kind) MaxDim() int {
	switch k {
	case Bit:
		return MaxBitDim
	case Sparsevec:
		return MaxSparseDim
	}
	return MaxDim
}

// Metric is the distance an index orders by. With a Kind it makes one
// pgvector operator class (see OpclassInfo).
type Metric uint8

// The metrics. The zero Metric is invalid.
const (
	// L2 is the Euclidean distance (`<->`): *_l2_ops. The graph orders
	// by the squared distance.
	L2 Metric = iota + 1
	// InnerProduct is the negative inner product (`<#>`): *_ip_ops.
	InnerProduct
	// Cosine is the cosine distance (`<=>`): *_cosine_ops. Zero vectors
	// cannot be indexed. Vector graphs normalise vectors when they enter
	// (as pgvector does) and order by their negative inner product;
	// Halfvec and Sparsevec graphs keep the values as given (float16
	// rounding would otherwise change them) and divide by the norms.
	Cosine
	// L1 is the taxicab distance (`<+>`): *_l1_ops.
	L1
	// Hamming is the number of differing bits (`<~>`): bit_hamming_ops.
	Hamming
	// Jaccard is 1 - |a∧b|/|a∨b| (`<%>`): bit_jaccard_ops.
	Jaccard
)

var metricNames = [...]string{
	L2:           "l2",
	InnerProduct: "ip",
	Cosine:       "cosine",
	L1:           "l1",
	Hamming:      "hamming",
	Jaccard:      "jaccard",
}

// String returns the short name of m as it appears in operator class
// names, e.g. "cosine".
func (m Metric) String() string {
	if m.valid() {
		return metricNames[m]
	}
	return "Metric(" + strconv.Itoa(int(m)) + ")"
}

func (m Metric) valid() bool { return m >= L2 && m <= Jaccard }

// accepts reports whether kind k has metric m: the bit kinds Hamming and
// Jaccard, every other kind L2, InnerProduct, Cosine and L1.
func (k Kind) accepts(m Metric) bool {
	if k == Bit {
		return m == Hamming || m == Jaccard
	}
	return m >= L2 && m <= L1
}

// Opclass returns the name of the pgvector operator class of kind k and
// metric m, e.g. "halfvec_cosine_ops", or "" if there is none.
func Opclass(k Kind, m Metric) string {
	if !k.valid() || !m.valid() || !k.accepts(m) {
		return ""
	}
	return kindNames[k] + "_" + metricNames[m] + "_ops"
}

// OpclassInfo returns the metric and the element kind of a pgvector
// operator class of the hnsw access method: vector_l2_ops,
// vector_ip_ops, vector_cosine_ops, vector_l1_ops, the same four for
// halfvec and sparsevec, bit_hamming_ops and bit_jaccard_ops. Names are
// matched exactly (lower case, as PostgreSQL stores them).
func OpclassInfo(name string) (Metric, Kind, bool) {
	kind, rest, ok := strings.Cut(name, "_")
	if !ok {
		return 0, 0, false
	}
	for k, kn := range kindNames {
		if kn != kind {
			continue
		}
		for m, mn := range metricNames {
			if mn != "" && rest == mn+"_ops" && Kind(k).accepts(Metric(m)) {
				return Metric(m), Kind(k), true
			}
		}
	}
	return 0, 0, false
}

// MetricByOpclass returns the metric of a pgvector operator class name
// (any that OpclassInfo knows; it also tells the element kind).
func MetricByOpclass(name string) (Metric, bool) {
	m, _, ok := OpclassInfo(name)
	return m, ok
}

// Config describes a graph. The zero values of M and EfConstruction mean
// their defaults; Dim and Metric must be set, and Kind for every type but
// vector.
type Config struct {
	// Dim is the column's dimensions, 1..Kind.MaxDim(): the number of
	// elements of a vector or halfvec, the dimensions of a sparsevec,
	// the length in bits of a bit string.
	Dim int
	// Metric is the operator class's distance.
	Metric Metric
	// Kind is the column's element type; the zero value is Vector.
	Kind Kind
	// M is the number of links a node keeps on the upper layers (2·M on
	// layer 0), MinM..MaxM; default DefaultM.
	M int
	// EfConstruction is the beam width of the searches that insertion
	// runs, MinEfConstruction..MaxEfConstruction and at least 2·M; default
	// DefaultEfConstruction.
	EfConstruction int
	// Seed seeds the random levels. A node's level is a function of Seed
	// and its row id only, so a graph built one row at a time is the same
	// every time whatever else happens.
	Seed uint64

	// hardOnly builds lists without soft links (insert.go), as the code
	// before them did: the format tests compare graphs that code wrote
	// with graphs built from the same rows now.
	hardOnly bool
}

// Opclass returns the name of c's operator class, or "" if Kind and
// Metric make none.
func (c Config) Opclass() string { return Opclass(c.Kind, c.Metric) }

// withDefaults returns c with its zero options replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.M == 0 {
		c.M = DefaultM
	}
	if c.EfConstruction == 0 {
		c.EfConstruction = DefaultEfConstruction
	}
	return c
}

// Validate checks c (with defaults applied) and returns the error pgvector
// raises for the first problem, as a *pgerr.Error.
func (c Config) Validate() error {
	c = c.withDefaults()
	if err := checkBounds("m", c.M, MinM, MaxM); err != nil {
		return err
	}
	if err := checkBounds("ef_construction", c.EfConstruction, MinEfConstruction, MaxEfConstruction); err != nil {
		return err
	}
	if c.Dim < 1 {
		return pgerr.New(pgerr.InvalidParameterValue, "column does not have dimensions")
	}
	if !c.Kind.valid() {
		return pgerr.New(pgerr.InternalError, "hnsw: invalid kind %d", int(c.Kind))
	}
	if lim := c.Kind.MaxDim(); c.Dim > lim {
		return pgerr.New(pgerr.ProgramLimitExceeded,
			"column cannot have more than %d dimensions for hnsw index", lim)
	}
	if c.EfConstruction/2 < c.M {
		return pgerr.New(pgerr.InvalidParameterValue, "ef_construction must be greater than or equal to 2 * m")
	}
	if !c.Metric.valid() {
		return pgerr.New(pgerr.InternalError, "hnsw: invalid metric %d", int(c.Metric))
	}
	if !c.Kind.accepts(c.Metric) {
		return pgerr.New(pgerr.InternalError, "hnsw: no %s operator class for %s", c.Metric, c.Kind)
	}
	return nil
}

// SetOption applies one storage parameter of CREATE INDEX ... WITH (name =
// value) to c, checking it as PostgreSQL's reloptions check pgvector's
// integer options: the value is parsed as an integer and must lie within
// the option's bounds. The cross-check of ef_construction against m is
// Validate's, as in pgvector (it runs when the build starts).
func (c *Config) SetOption(name, value string) error {
	var lo, hi int
	var dst *int
	switch strings.ToLower(name) {
	case "m":
		lo, hi, dst = MinM, MaxM, &c.M
	case "ef_construction":
		lo, hi, dst = MinEfConstruction, MaxEfConstruction, &c.EfConstruction
	default:
		return pgerr.New(pgerr.InvalidParameterValue, "unrecognized parameter %q", name)
	}
	v, ok := parseInt(value)
	if !ok {
		return pgerr.New(pgerr.InvalidParameterValue, "invalid value for integer option %q: %s", strings.ToLower(name), value)
	}
	if v < lo || v > hi {
		e := pgerr.New(pgerr.InvalidParameterValue, "value %s out of bounds for option %q", value, strings.ToLower(name))
		e.Detail = "Valid values are between \"" + strconv.Itoa(lo) + "\" and \"" + strconv.Itoa(hi) + "\"."
		return e
	}
	*dst = v
	return nil
}

func checkBounds(name string, v, lo, hi int) error {
	if v >= lo && v <= hi {
		return nil
	}
	e := pgerr.New(pgerr.InvalidParameterValue, "value %d out of bounds for option %q", v, name)
	e.Detail = "Valid values are between \"" + strconv.Itoa(lo) + "\" and \"" + strconv.Itoa(hi) + "\"."
	return e
}

// parseInt parses an integer option value as PostgreSQL's parse_int does
// for unitless options: surrounding spaces allowed, decimal, 0x hex or 0
// octal, or a decimal fraction rounded to the nearest integer.
func parseInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if v, ok := parseBased(s); ok {
		return v, true
	}
	if v, err := strconv.ParseInt(s, 10, 32); err == nil {
		return int(v), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || strings.ContainsAny(s, "xXpP_") {
		return 0, false
	}
	f = math.RoundToEven(f)
	if f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// parseBased parses C's 0x (hex) and leading-zero (octal) integer forms.
func parseBased(s string) (int, bool) {
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v uint64
	var err error
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		v, err = strconv.ParseUint(s[2:], 16, 32)
	case len(s) > 1 && s[0] == '0' && !strings.ContainsAny(s, ".eE"):
		v, err = strconv.ParseUint(s[1:], 8, 32)
	default:
		return 0, false
	}
	if err != nil || strings.Contains(s, "_") || v > math.MaxInt32 {
		return 0, false
	}
	if neg {
		return -int(v), true
	}
	return int(v), true
}
