package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// searchStatement is the name the search query is prepared under on
// every connection; a filtered run prepares it again for each
// selectivity, under this name and a number.
const searchStatement = "vecgres_bench_search"

// searcher runs the query set over one or more connections with the
// extended protocol: the search query is prepared once per connection,
// and each query binds its vector as the first parameter, then the
// searcher's other arguments in text, and asks for the ids in binary.
type searcher struct {
	conns  []*pgconn.PgConn
	params [][]byte // one encoded vector per query
	format int16    // of params

	statement string   // what the passes execute
	args      [][]byte // the parameters after the vector, in text

	// Filled by each pass, per query.
	found   [][]int64
	latency []time.Duration
}

// newSearcher returns a searcher of params over conns; prepare gives it
// a statement.
func newSearcher(conns []*pgconn.PgConn, params [][]byte, format int16, k int) *searcher {
	s := &searcher{
		conns:   conns,
		params:  params,
		format:  format,
		found:   make([][]int64, len(params)),
		latency: make([]time.Duration, len(params)),
	}
	for i := range s.found {
		s.found[i] = make([]int64, 0, k)
	}
	return s
}

// prepare prepares sql as name on every connection, and makes it, with
// args after each query's vector, what the passes run.
func (s *searcher) prepare(ctx context.Context, name, sql string, args [][]byte) error {
	for _, conn := range s.conns {
		if _, err := conn.Prepare(ctx, name, sql, nil); err != nil {
			return fmt.Errorf("preparing %s: %w", sql, err)
		}
	}
	s.statement, s.args = name, args
	return nil
}

// setEfSearch sets hnsw.ef_search on every connection.
func (s *searcher) setEfSearch(ctx context.Context, ef int) error {
	for _, conn := range s.conns {
		if err := execSQL(ctx, conn, fmt.Sprintf("SET hnsw.ef_search = %d", ef)); err != nil {
			return fmt.Errorf("SET hnsw.ef_search = %d: %w", ef, err)
		}
	}
	return nil
}

// pass runs every query once, the connections taking the next query as
// they become free, and returns the wall time from the first query sent
// to the last answer read. The first error stops the pass.
func (s *searcher) pass(ctx context.Context) (time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	formats := make([]int16, 1+len(s.args)) // text, but for the vector
	formats[0] = s.format
	start := time.Now()
	for _, conn := range s.conns {
		wg.Go(func() {
			params := make([][]byte, 1+len(s.args))
			copy(params[1:], s.args)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(s.params) {
					return
				}
				params[0] = s.params[i]
				if err := s.query(ctx, conn, i, params, formats); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), firstErr
}

// resultFormats asks for every result column in binary.
var resultFormats = []int16{binaryFormat}

// query runs query i and records its ids and latency.
func (s *searcher) query(ctx context.Context, conn *pgconn.PgConn, i int, params [][]byte, formats []int16) error {
	ids := s.found[i][:0]
	var decodeErr error
	start := time.Now()
	rr := conn.ExecPrepared(ctx, s.statement, params, formats, resultFormats)
	for rr.NextRow() {
		id, err := decodeID(rr.Values()[0])
		if err != nil && decodeErr == nil {
			decodeErr = err
		}
		ids = append(ids, id)
	}
	_, err := rr.Close()
	s.latency[i] = time.Since(start)
	s.found[i] = ids
	if err != nil {
		return fmt.Errorf("query %d: %w", i, err)
	}
	return decodeErr
}
