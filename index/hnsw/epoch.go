package hnsw

import (
	"runtime"
	"sync/atomic"
	"time"
)

// epochs is a two-phase reader registry, the grace-period half of RCU: a
// search enters before it reads any node and exits when done; wait returns
// once every search that entered before it began has exited. Slots that
// Vacuum or a rollback take out of the graph are reused only after such a
// wait, so no search ever reads a node while it is being overwritten.
type epochs struct {
	cur    atomic.Uint64
	active [2]struct {
		n atomic.Int64
		_ [56]byte // own cache line
	}
}

// enter registers a reader and returns the token to pass to exit.
func (e *epochs) enter() uint64 {
	for {
		c := e.cur.Load()
		e.active[c&1].n.Add(1)
		if e.cur.Load() == c {
			return c
		}
		e.active[c&1].n.Add(-1)
	}
}

func (e *epochs) exit(token uint64) { e.active[token&1].n.Add(-1) }

// wait flips the epoch and waits until the readers of the old one are
// gone. Only one goroutine may wait at a time (the writer).
func (e *epochs) wait() {
	c := e.cur.Load()
	// Readers of the epoch before c used the other counter; a previous
	// wait drained them, so after the flip that counter only gains new
	// readers and c's counter only loses old ones.
	e.cur.Store(c + 1)
	for spins := 0; e.active[c&1].n.Load() != 0; spins++ {
		if spins < 100 {
			runtime.Gosched()
		} else {
			time.Sleep(50 * time.Microsecond)
		}
	}
}
