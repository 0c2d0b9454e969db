//go:build !unix

package storage

import "time"

// processCPU is unavailable here; benchmarks report 0 CPU time.
func processCPU() time.Duration { return 0 }
