package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"
)

// copyBufferSize is how much of the COPY stream is buffered before it
// is handed to the connection.
const copyBufferSize = 256 << 10

// copyRows loads base into table, row i with id i (and attr attr[i]
// unless attr is nil), with one COPY FROM STDIN (FORMAT BINARY). sent is
// told how many rows have been handed to the connection so far.
func copyRows(ctx context.Context, conn *pgconn.PgConn, table string, base matrix[float32], attr []int32, sent func(rows int)) error {
	pr, pw := io.Pipe()
	written := make(chan struct{})
	go func() {
		defer close(written)
		pw.CloseWithError(writeCopyStream(pw, base, attr, sent))
	}()
	_, err := conn.CopyFrom(ctx, pr, copySQL(table, loadColumns(attr != nil)))
	// If the server refused the COPY, nothing reads the pipe any more:
	// closing it ends the writer.
	pr.CloseWithError(errors.New("COPY ended"))
	<-written
	return err
}

// writeCopyStream writes base as a binary COPY stream of (id,
// embedding) tuples, or (id, attr, embedding) ones unless attr is nil.
func writeCopyStream(w io.Writer, base matrix[float32], attr []int32, sent func(rows int)) error {
	bw := bufio.NewWriterSize(w, copyBufferSize)
	buf := appendCopyHeader(make([]byte, 0, 24+4*base.cols))
	ints := make([]int32, 1, 2)
	if attr != nil {
		ints = ints[:2]
	}
	for i := range base.rows() {
		ints[0] = int32(i)
		if attr != nil {
			ints[1] = attr[i]
		}
		buf = appendCopyRow(buf, ints, base.row(i))
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
		if i%1024 == 0 {
			sent(i)
		}
	}
	if _, err := bw.Write(appendCopyTrailer(buf)); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	sent(base.rows())
	return nil
}

// insertRows loads base (and attr, unless it is nil) into table with
// multi-row INSERT statements of batch rows each, every value a text
// parameter. inserted is told how many rows are in so far.
func insertRows(ctx context.Context, conn *pgconn.PgConn, table string, base matrix[float32], attr []int32, batch int, inserted func(rows int)) error {
	columns := loadColumns(attr != nil)
	params := make([][]byte, 0, len(columns)*batch)
	for start := 0; start < base.rows(); start += batch {
		end := min(start+batch, base.rows())
		params = params[:0]
		for i := start; i < end; i++ {
			params = append(params, strconv.AppendInt(nil, int64(i), 10))
			if attr != nil {
				params = append(params, strconv.AppendInt(nil, int64(attr[i]), 10))
			}
			params = append(params, appendVectorText(nil, base.row(i)))
		}
		if _, err := conn.ExecParams(ctx, insertSQL(table, columns, end-start), params, nil, nil, nil).Close(); err != nil {
			return fmt.Errorf("inserting rows %d to %d: %w", start, end-1, err)
		}
		inserted(end)
	}
	return nil
}

// isServerError reports whether err is an error the server sent, as
// opposed to a broken connection or a cancelled context.
func isServerError(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr)
}
