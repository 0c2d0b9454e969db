package exec

import (
	"context"
	"io"
)

// A nested loop's right rows beyond work_mem: see joinOp.

// addOverflow writes a right row that does not fit in memory.
func (j *joinOp) addOverflow(row Row) error {
	if j.overflow == nil {
		f, err := newSpillFile(j.mem, "nestloop-*.tmp", spillBufSize)
		if err != nil {
			return err
		}
		j.overflow = f
	}
	j.overflowRows++
	return j.overflow.write(row)
}

// nextOverflow returns the next joined row of the current left row and
// the right rows on disk, nil when they are all tested.
func (j *joinOp) nextOverflow(ctx context.Context) (Row, error) {
	if j.overflowPos < 0 {
		if err := j.overflow.rewind(spillBufSize); err != nil {
			return nil, err
		}
		j.overflowPos = 0
	}
	for j.overflowPos < j.overflowRows {
		if j.tested++; j.tested%checkEvery == 0 {
			if err := ctxErr(ctx); err != nil {
				return nil, err
			}
		}
		r, err := j.readOverflow()
		if err != nil {
			return nil, err
		}
		ri := int64(len(j.rightRows)) + j.overflowPos
		j.overflowPos++
		if out, err := j.match(r, ri); out != nil || err != nil {
			return out, err
		}
	}
	return nil, nil
}

// readOverflow reads the next right row on disk.
func (j *joinOp) readOverflow() (Row, error) {
	vals, err := j.overflow.read(j.rightWidth)
	if err == nil && vals == nil {
		err = tempFileError("read from", io.ErrUnexpectedEOF)
	}
	if err != nil {
		return nil, err
	}
	return vals[:j.rightWidth:j.rightWidth], nil
}

// overflowTail returns a full join's next right row on disk that no left
// row matched, nil at the end. j.tail counts on from the rows in memory.
func (j *joinOp) overflowTail(ctx context.Context) (Row, error) {
	if j.tail == len(j.rightRows) {
		if err := j.overflow.rewind(spillBufSize); err != nil {
			return nil, err
		}
	}
	for int64(j.tail) < int64(len(j.rightRows))+j.overflowRows {
		if j.tested++; j.tested%checkEvery == 0 {
			if err := ctxErr(ctx); err != nil {
				return nil, err
			}
		}
		i := j.tail
		j.tail++
		r, err := j.readOverflow()
		if err != nil {
			return nil, err
		}
		if !j.matched[i] {
			return j.combine(nil, r), nil
		}
	}
	return nil, nil
}
