package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// watchInterval is how often a build's progress is asked for: a little
// more than redrawInterval, so that every answer is drawn.
const watchInterval = redrawInterval + 50*time.Millisecond

// buildWatcher draws the progress of an index build: from
// pg_stat_progress_create_index, read on a connection of its own, where
// the server has that view; the time spent otherwise.
type buildWatcher struct {
	stop chan struct{}
	done sync.WaitGroup
}

// watchBuild starts drawing on line; connect opens the watcher's
// connection. Call stop when the build ends.
func watchBuild(ctx context.Context, line *progressLine, table string, connect func(context.Context) (*pgconn.PgConn, error)) *buildWatcher {
	w := &buildWatcher{stop: make(chan struct{})}
	w.done.Go(func() {
		conn, err := connect(ctx)
		if err != nil {
			conn = nil
		}
		defer func() {
			if conn != nil {
				closeQuietly(conn)
			}
		}()
		ticker := time.NewTicker(watchInterval)
		defer ticker.Stop()
		for {
			var done, total int64
			var phase string
			if conn != nil {
				row, err := queryRow(ctx, conn, progressSQL(table))
				switch {
				case err == nil:
					phase = row[0]
					done, _ = strconv.ParseInt(row[1], 10, 64)
					total, _ = strconv.ParseInt(row[2], 10, 64)
				case err != errNoRows:
					closeQuietly(conn)
					conn = nil // no such view: stop asking
				}
			}
			line.update(done, total, phase)
			select {
			case <-w.stop:
				return
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	})
	return w
}

// stopAndWait ends the watcher.
func (w *buildWatcher) stopAndWait() {
	close(w.stop)
	w.done.Wait()
}

// buildIndex runs CREATE INDEX with the run's parameters.
func buildIndex(ctx context.Context, conn *pgconn.PgConn, table string, m metric, hnswM, efConstruction int) error {
	sql := createIndexSQL(table, m, hnswM, efConstruction)
	if err := execSQL(ctx, conn, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}
