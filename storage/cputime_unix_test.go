//go:build unix

package storage

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, so benchmarks can
// report cost per row that does not depend on how busy the machine is.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
