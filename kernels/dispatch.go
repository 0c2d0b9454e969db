package kernels

import (
	"fmt"
	"os"
	"strings"
)

// EnvVar is the environment variable that forces a kernel set at start-up:
// "purego", "avx2" or "avx512". A set the CPU or the build cannot run is
// refused in favour of the best one that can, and Reason says so.
const EnvVar = "VECGRES_KERNELS"

// set is one implementation of every kernel. Its functions trust their
// callers: the exported functions check lengths before calling them.
type set struct {
	name string
	// needs names the CPU features the set requires, for Reason.
	needs string

	l2Squared func(a, b []float32) float32
	dot       func(a, b []float32) float32
	l1        func(a, b []float32) float32
	cosine    func(a, b []float32) (dot, normA, normB float32)

	l2SquaredBatch func(dst, q, vecs []float32)
	dotBatch       func(dst, q, vecs []float32)
	l1Batch        func(dst, q, vecs []float32)
	// cosineBatch writes the dot product with q and the squared norm of
	// each vector as two float32s packed into dst[i] (see packSums).
	cosineBatch func(dst []float64, q, vecs []float32)

	l2SquaredF16 func(a, b []Float16) float32
	dotF16       func(a, b []Float16) float32
	l1F16        func(a, b []Float16) float32
	cosineF16    func(a, b []Float16) (dot, normA, normB float32)

	l2SquaredBatchF16 func(dst []float32, q, vecs []Float16)
	dotBatchF16       func(dst []float32, q, vecs []Float16)
	l1BatchF16        func(dst []float32, q, vecs []Float16)
	cosineBatchF16    func(dst []float64, q, vecs []Float16)

	// encodeF16 and decodeF16 convert len(src) elements; len(dst) == len(src).
	encodeF16 func(dst []Float16, src []float32)
	decodeF16 func(dst []float32, src []Float16)

	hamming func(a, b []byte) uint64
	jaccard func(a, b []byte) (and, or uint64)
}

// active is the set in use and reason how it was chosen. They are written
// once, by init, and only read afterwards: this is the one piece of
// package-level mutable state that vecgres allows (DESIGN.md §7).
var (
	active *set
	reason string
)

func init() {
	active, reason = choose(os.Getenv(EnvVar), supportedSets())
}

// Name reports the kernel set in use: "purego", "avx2" or "avx512".
func Name() string { return active.name }

// Reason explains in one sentence how the kernel set in use was chosen, for
// the server's start-up log, for example
// "avx2: best set this CPU supports (AVX2, FMA, F16C, POPCNT)" or
// "avx2: VECGRES_KERNELS=avx512 asks for a set this CPU or build cannot run; using the best one".
func Reason() string { return reason }

// Available lists the names of the kernel sets this CPU and build can run,
// best first. The last is always "purego".
func Available() []string {
	sets := supportedSets()
	names := make([]string, len(sets))
	for i, s := range sets {
		names[i] = s.name
	}
	return names
}

// knownSets lists the values EnvVar accepts on any CPU.
const knownSets = "avx512, avx2, purego"

// choose picks the set named by env from supported (best first, never
// empty), or the best one when env is empty, unknown or not supported.
func choose(env string, supported []*set) (*set, string) {
	best := supported[0]
	env = strings.TrimSpace(strings.ToLower(env))
	if env == "" {
		return best, fmt.Sprintf("%s: best set this CPU supports (%s)", best.name, best.needs)
	}
	for _, s := range supported {
		if s.name == env {
			return s, fmt.Sprintf("%s: chosen by %s=%s", s.name, EnvVar, env)
		}
	}
	switch env {
	case "avx512", "avx2", "purego":
		return best, fmt.Sprintf("%s: %s=%s asks for a set this CPU or build cannot run; using the best one (%s)",
			best.name, EnvVar, env, best.needs)
	}
	return best, fmt.Sprintf("%s: %s=%q is not a kernel set (want one of %s); using the best one (%s)",
		best.name, EnvVar, env, knownSets, best.needs)
}

// supportedSets returns the sets this CPU and build can run, best first,
// ending with purego.
func supportedSets() []*set {
	return append(acceleratedSets(), newPuregoSet())
}

// newPuregoSet returns the portable implementation, used on every CPU
// without an accelerated set and under the purego build tag.
func newPuregoSet() *set {
	return &set{
		name:  "purego",
		needs: "no CPU features",

		l2Squared: l2SquaredGo,
		dot:       dotGo,
		l1:        l1Go,
		cosine:    cosineGo,

		l2SquaredBatch: func(dst, q, vecs []float32) { batchGo(dst, q, vecs, l2SquaredGo) },
		dotBatch:       func(dst, q, vecs []float32) { batchGo(dst, q, vecs, dotGo) },
		l1Batch:        func(dst, q, vecs []float32) { batchGo(dst, q, vecs, l1Go) },
		cosineBatch:    cosineBatchGo,

		l2SquaredF16: l2SquaredF16Go,
		dotF16:       dotF16Go,
		l1F16:        l1F16Go,
		cosineF16:    cosineF16Go,

		l2SquaredBatchF16: func(dst []float32, q, vecs []Float16) { batchGo(dst, q, vecs, l2SquaredF16Go) },
		dotBatchF16:       func(dst []float32, q, vecs []Float16) { batchGo(dst, q, vecs, dotF16Go) },
		l1BatchF16:        func(dst []float32, q, vecs []Float16) { batchGo(dst, q, vecs, l1F16Go) },
		cosineBatchF16:    cosineBatchF16Go,

		encodeF16: encodeF16Go,
		decodeF16: decodeF16Go,

		hamming: hammingGo,
		jaccard: jaccardGo,
	}
}
