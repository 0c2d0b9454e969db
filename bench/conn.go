package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// connect opens a connection to url and applies settings, each
// "name=value", with SET. The server's notices go to notices.
func connect(ctx context.Context, url string, settings []string, notices *noticeLog) (*pgconn.PgConn, error) {
	config, err := pgconn.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("server URL: %w", err)
	}
	config.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices.add(n) }
	conn, err := pgconn.ConnectConfig(ctx, config)
	if err != nil {
		return nil, err
	}
	for _, s := range settings {
		name, value, err := parseSetting(s)
		if err == nil {
			err = execSQL(ctx, conn, setSQL(name, value))
		}
		if err != nil {
			conn.Close(ctx)
			return nil, fmt.Errorf("--set %s: %w", s, err)
		}
	}
	return conn, nil
}

// execSQL runs sql with the simple query protocol and discards its
// results.
func execSQL(ctx context.Context, conn *pgconn.PgConn, sql string) error {
	_, err := conn.Exec(ctx, sql).ReadAll()
	return err
}

// errNoRows is queryRow's error for a query that returned no row.
var errNoRows = errors.New("no rows")

// queryRow runs sql with the simple query protocol and returns its first
// row, each value in text form ("" for NULL).
func queryRow(ctx context.Context, conn *pgconn.PgConn, sql string) ([]string, error) {
	results, err := conn.Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(results) == 0 || len(results[0].Rows) == 0 {
		return nil, errNoRows
	}
	row := make([]string, len(results[0].Rows[0]))
	for i, v := range results[0].Rows[0] {
		row[i] = string(v)
	}
	return row, nil
}

// queryLines returns the first column of every row of sql, as EXPLAIN's
// lines.
func queryLines(ctx context.Context, conn *pgconn.PgConn, sql string) ([]string, error) {
	results, err := conn.Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, res := range results {
		for _, row := range res.Rows {
			if len(row) > 0 {
				lines = append(lines, string(row[0]))
			}
		}
	}
	return lines, nil
}

// noticeLog collects the distinct notices and warnings of every
// connection of a run, for printing between phases.
type noticeLog struct {
	mu      sync.Mutex
	seen    map[string]bool
	pending []string
}

func (l *noticeLog) add(n *pgconn.Notice) {
	text := strings.ToLower(n.Severity) + ": " + n.Message
	if n.Detail != "" {
		text += " (" + n.Detail + ")"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if !l.seen[text] {
		l.seen[text] = true
		l.pending = append(l.pending, text)
	}
}

// take returns the notices added since the last take.
func (l *noticeLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.pending
	l.pending = nil
	return p
}

// closeTimeout bounds how long closing a connection waits for the
// server.
const closeTimeout = 2 * time.Second

// closeQuietly closes conn, even when the run's context is done.
func closeQuietly(conn *pgconn.PgConn) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	conn.Close(ctx)
}
