package bench

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestWatchBuildWithoutProgressView(t *testing.T) {
	// A watcher whose connection fails still draws the time spent, and
	// stops when told.
	var buf bytes.Buffer
	line := &progressLine{w: &buf, label: "build", start: time.Now()}
	failing := func(context.Context) (*pgconn.PgConn, error) { return nil, errors.New("refused") }
	w := watchBuild(context.Background(), line, "items", failing)
	w.stopAndWait()
	const drawn = "\rbuild  0:00\rbuild  0:00"
	if got := buf.String(); got == "" || strings.ReplaceAll(got, drawn, "") != "" {
		t.Errorf("the watcher drew %q, want %q", got, drawn)
	}
}

func TestWatchBuildStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	line := &progressLine{start: time.Now()}
	w := watchBuild(ctx, line, "items", func(context.Context) (*pgconn.PgConn, error) { return nil, errors.New("no") })
	cancel()
	done := make(chan struct{})
	go func() { w.done.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher did not stop when its context ended")
	}
}
