package sql

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Memory settings.
//
// work_mem bounds each sort and hash table of a statement (package exec
// reads it): sorts, and hash tables beyond work_mem × hash_mem_multiplier,
// spill to temporary files (exec/memory.go says what still fails with
// 53200). vecgres's default is 64MB, not PostgreSQL's 4MB, so that
// ordinary queries do not spill.
//
// maintenance_work_mem is compared, as pgvector does, with the memory an
// HNSW build's graph needs: past it the build sends pgvector's NOTICE
// ("hnsw graph no longer fits into maintenance_work_mem after N tuples")
// and goes on. pgvector then goes on building on disk, slowly; vecgres
// keeps every graph in memory (it is loaded at start-up and searched
// there), so it goes on in memory, at full speed, and the detail says
// so. What bounds a build is the memory the machine has: a build whose
// graph is estimated to need more than three quarters of the memory
// available when it starts (MemAvailable, or what the cgroup still
// allows) fails at once, or as soon as its rows pass that bound, with
// 53200 instead of exhausting the server's memory.

// Defaults of the memory settings.
const (
	defaultWorkMem            = "64MB"
	defaultMaintenanceWorkMem = "64MB"
)

// memUnits are PostgreSQL's memory units, in kilobytes.
var memUnits = []struct {
	name string
	kb   int64
}{{"TB", 1 << 30}, {"GB", 1 << 20}, {"MB", 1 << 10}, {"kB", 1}}

// checkMemory validates a memory setting in kilobytes, minKB..maxKB,
// given as a number of kilobytes or with a unit (B, kB, MB, GB, TB), and
// returns the form SHOW prints: the largest unit that divides it.
func checkMemory(name string, minKB, maxKB int64) func(string) (string, error) {
	return func(v string) (string, error) {
		s := strings.TrimSpace(v)
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		n, err := strconv.ParseInt(s[:i], 10, 64)
		unit := strings.TrimSpace(s[i:])
		var kb int64
		switch {
		case err != nil:
			return "", invalidValue(name, v)
		case unit == "":
			kb = n
		case unit == "B":
			kb = (n + 1023) / 1024
		default:
			found := false
			for _, u := range memUnits {
				if unit == u.name {
					if n > maxKB/u.kb+1 {
						n = maxKB/u.kb + 1
					}
					kb, found = n*u.kb, true
				}
			}
			if !found {
				return "", invalidValue(name, v).WithHint(`Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".`)
			}
		}
		if kb < minKB || kb > maxKB {
			return "", pgerr.New(pgerr.InvalidParameterValue, "%d kB is outside the valid range for parameter \"%s\" (%d kB .. %d kB)", kb, name, minKB, maxKB)
		}
		return formatKB(kb), nil
	}
}

// formatKB prints kilobytes as SHOW prints memory settings.
func formatKB(kb int64) string {
	for _, u := range memUnits {
		if kb%u.kb == 0 {
			return strconv.FormatInt(kb/u.kb, 10) + u.name
		}
	}
	return strconv.FormatInt(kb, 10) + "kB"
}

// memorySettingBytes reads a memory setting of the session in bytes, or
// def when it cannot be read.
func (s *Session) memorySettingBytes(name, def string) int64 {
	v, err := s.Setting(name)
	if err != nil {
		v = def
	}
	canon, err := checkMemory(name, 0, 1<<41)(v)
	if err != nil {
		canon = def
	}
	for _, u := range memUnits {
		if n, ok := strings.CutSuffix(canon, u.name); ok {
			kb, _ := strconv.ParseInt(n, 10, 64)
			return kb * u.kb << 10
		}
	}
	return 0
}

// hnswNodeOverhead estimates the memory of an HNSW node besides its
// vector: its layer-0 list (2·M links of 4 bytes), upper lists (M links
// on 1/(M-1) of the nodes, on average), its record header, row id, level
// and list header, and its entry in the row id map.
func hnswNodeOverhead(m int) int64 {
	if m <= 1 {
		m = hnsw.DefaultM
	}
	return int64(8*m+4*m/(m-1)) + 96
}

// indexBuildBudget is the memory an HNSW build is expected to use,
// charged as its rows are read: past maintenance_work_mem the build
// notes it, past hardLimit (the memory the machine can give) it fails.
type indexBuildBudget struct {
	index     string
	limit     int64 // maintenance_work_mem
	hardLimit int64 // what may be used at all; 0 is no bound
	overhead  int64 // per node, besides its vector
	used      int64
	rows      int64
	dim       int
	kind      hnsw.Kind
	// passedAt is the row count at which used passed limit, 0 while not.
	passedAt int64
}

// hnswBuildBudget returns the budget of building index name with cfg.
func (s *Session) hnswBuildBudget(name string, cfg hnsw.Config) *indexBuildBudget {
	return &indexBuildBudget{
		index:     name,
		limit:     s.memorySettingBytes("maintenance_work_mem", defaultMaintenanceWorkMem),
		hardLimit: availableMemory() / 4 * 3,
		overhead:  hnswNodeOverhead(cfg.M),
		dim:       cfg.Dim,
		kind:      cfg.Kind,
	}
}

// vectorBytes is what a node's vector takes in the graph: its float32
// values and their int8 codes.
func vectorBytes(dim int) int64 { return 5 * int64(dim) }

// checkRows fails before a build of rows rows starts when its graph
// cannot fit in the memory the machine has.
func (b *indexBuildBudget) checkRows(rows int64) error {
	// A sparsevec's size is its elements', unknown before the scan: the
	// check counts the least a row takes.
	need := rows * (int64(hnsw.StoredBytes(b.kind, b.dim, 0)) + b.overhead)
	if b.hardLimit <= 0 || need <= b.hardLimit {
		return nil
	}
	return b.tooLarge(need, rows)
}

// charge counts one more row whose vector has dim dimensions. It fails
// once the graph would pass the hard limit, and remembers when it
// passed maintenance_work_mem.
func (b *indexBuildBudget) charge(dim int) error { return b.chargeBytes(vectorBytes(dim)) }

// chargeBytes counts one more row whose vector takes n bytes in the
// graph, as charge does.
func (b *indexBuildBudget) chargeBytes(n int64) error {
	b.rows++
	b.used += n + b.overhead
	if b.passedAt == 0 && b.used > b.limit {
		b.passedAt = b.rows
	}
	if b.hardLimit <= 0 || b.used <= b.hardLimit {
		return nil
	}
	return b.tooLarge(b.used, b.rows)
}

// tooLarge is the error of a build whose graph of rows rows would take
// need bytes, more than the hard limit.
func (b *indexBuildBudget) tooLarge(need, rows int64) *pgerr.Error {
	return pgerr.New(pgerr.OutOfMemory, "out of memory").
		WithDetail("The hnsw graph of index \"%s\" would need about %s for %d rows of %d dimensions; %s of memory is available to it. vecgres keeps hnsw graphs in memory.",
			b.index, formatBytes(need), rows, b.dim, formatBytes(b.hardLimit)).
		WithHint("Build the index on a machine with more memory, or index fewer rows.")
}

// passedNotice is pgvector's notice of a build that outgrew
// maintenance_work_mem, or nil.
func (b *indexBuildBudget) passedNotice() *pgerr.Error {
	if b.passedAt == 0 {
		return nil
	}
	n := pgerr.New(pgerr.SuccessfulCompletion, "hnsw graph no longer fits into maintenance_work_mem after %d tuples", b.passedAt).
		WithDetail("vecgres keeps the graph in memory and went on building it there; it holds about %s.", formatBytes(b.used)).
		WithHint("Increase maintenance_work_mem to %s or more to avoid this notice.", formatKB(roundUpMB(b.used)>>10))
	n.Severity = pgerr.SeverityNotice
	return n
}

// roundUpMB rounds bytes up to whole megabytes.
func roundUpMB(n int64) int64 { return (n + 1<<20 - 1) >> 20 << 20 }

// formatBytes prints a size for a message: in MB (rounded up) from 1MB
// on, else in kB.
func formatBytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMB", roundUpMB(n)>>20)
	}
	return fmt.Sprintf("%dkB", (n+1023)>>10)
}

// availableMemory is the memory the process may still take: the
// smallest of the system's MemAvailable and, under a cgroup v2 limit,
// memory.max - memory.current. It is 0 when neither can be read (no
// bound).
func availableMemory() int64 {
	avail := int64(0)
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
				f := strings.Fields(rest)
				if len(f) > 0 {
					if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
						avail = kb << 10
					}
				}
			}
		}
	}
	max, errMax := readInt("/sys/fs/cgroup/memory.max")
	cur, errCur := readInt("/sys/fs/cgroup/memory.current")
	if errMax == nil && errCur == nil && max > cur {
		if left := max - cur; avail == 0 || left < avail {
			avail = left
		}
	}
	return avail
}

// readInt reads a file that holds one integer ("max" is not one).
func readInt(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}
