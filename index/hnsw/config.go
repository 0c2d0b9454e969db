package hnsw

import (
	"math"
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Limits and defaults of the index options, as pgvector defines them for
// its hnsw access method (except MaxDim, see there).
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

	// MaxDim is the largest dimension the graph indexes: the vector type's
	// own limit. pgvector stops at 2,000 because an element must fit in an
	// 8 kB page; vecgres keeps vectors in memory and has no such limit.
	MaxDim = 16000

	// maxLevel caps the random level of a node. With M = 2 (the steepest
	// decay allowed) a level above it has a probability below 2e-5 a node.
	maxLevel = 16
)

// Metric is the distance an index orders by: one per pgvector operator class.
type Metric uint8

// The metrics. The zero Metric is invalid.
const (
	// L2 is vector_l2_ops (`<->`). The graph orders by squared distance.
	L2 Metric = iota + 1
	// InnerProduct is vector_ip_ops (`<#>`, the negative inner product).
	InnerProduct
	// Cosine is vector_cosine_ops (`<=>`). Vectors are normalised when
	// they enter the graph (as pgvector does) and ordered by their negative
	// inner product; zero vectors cannot be indexed.
	Cosine
	// L1 is vector_l1_ops (`<+>`).
	L1
)

var metricNames = [...]string{
	L2:           "vector_l2_ops",
	InnerProduct: "vector_ip_ops",
	Cosine:       "vector_cosine_ops",
	L1:           "vector_l1_ops",
}

// String returns the operator class name of m, e.g. "vector_l2_ops".
func (m Metric) String() string {
	if m.valid() {
		return metricNames[m]
	}
	return "Metric(" + strconv.Itoa(int(m)) + ")"
}

func (m Metric) valid() bool { return m >= L2 && m <= L1 }

// MetricByOpclass returns the metric of a pgvector operator class name
// (vector_l2_ops, vector_ip_ops, vector_cosine_ops, vector_l1_ops).
func MetricByOpclass(name string) (Metric, bool) {
	for m, n := range metricNames {
		if n != "" && n == name {
			return Metric(m), true
		}
	}
	return 0, false
}

// Config describes a graph. The zero values of M and EfConstruction mean
// their defaults; Dim and Metric must be set.
type Config struct {
	// Dim is the number of dimensions of every vector, 1..MaxDim.
	Dim int
	// Metric is the operator class's distance.
	Metric Metric
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
}

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
	if c.Dim > MaxDim {
		return pgerr.New(pgerr.ProgramLimitExceeded,
			"column cannot have more than %d dimensions for hnsw index", MaxDim)
	}
	if c.EfConstruction/2 < c.M {
		return pgerr.New(pgerr.InvalidParameterValue, "ef_construction must be greater than or equal to 2 * m")
	}
	if !c.Metric.valid() {
		return pgerr.New(pgerr.InternalError, "hnsw: invalid metric %d", int(c.Metric))
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
