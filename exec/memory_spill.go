package exec

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"os"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Temporary files of rows.
//
// Everything an operator writes to disk — a sort's runs, the partitions
// of a hash aggregate, DISTINCT, a set operation or a hash join — is a
// spillFile: a sequence of records, each the number of values and the
// length of their encoding (two uvarints) followed by the values in
// storage's row encoding (storage.AppendRow), which is self-describing
// and exact for every value a row may hold. Files are made in the data
// directory's temporary directory and unlinked at once, so a crash leaves
// nothing behind; they are written through, then read back once.

// spillBufSize is the buffer of a partition file being written or read;
// a run being written has a larger one (runBufSize).
const (
	spillBufSize = 8 << 10
	runBufSize   = 64 << 10
)

// spillFile is one temporary file of rows.
type spillFile struct {
	f    *os.File
	w    *bufio.Writer
	r    *bufio.Reader
	mem  *memAccount // for the error of a row that cannot be written
	enc  []byte
	buf  []byte
	rows int64 // records written
	// size counts the bytes written.
	size int64
}

// newSpillFile creates a temporary file for the operator of mem, written
// through a buffer of bufSize bytes.
func newSpillFile(mem *memAccount, pattern string, bufSize int) (*spillFile, error) {
	f, err := os.CreateTemp(mem.limits.tempDir, pattern)
	if err != nil {
		return nil, tempFileError("create", err)
	}
	// Unlinked at once: the open file lives until it is closed, and a crash
	// leaves nothing behind.
	_ = os.Remove(f.Name())
	return &spillFile{f: f, w: bufio.NewWriterSize(f, bufSize), mem: mem}, nil
}

// write appends one record of vals.
func (s *spillFile) write(vals []types.Datum) error {
	var err error
	if s.enc, err = storage.AppendRow(s.enc[:0], vals); err != nil {
		e := s.mem.exceeded()
		e.Detail += " Its rows cannot be written to a temporary file: " + pgerr.From(err).Message
		return e
	}
	var hdr [2 * binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(vals)))
	n += binary.PutUvarint(hdr[n:], uint64(len(s.enc)))
	if _, err := s.w.Write(hdr[:n]); err != nil {
		return tempFileError("write to", err)
	}
	if _, err := s.w.Write(s.enc); err != nil {
		return tempFileError("write to", err)
	}
	s.rows++
	s.size += int64(n + len(s.enc))
	return nil
}

// endWrite flushes what is written and drops the write buffer.
func (s *spillFile) endWrite() error {
	if s.w == nil {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return tempFileError("write to", err)
	}
	s.w, s.enc = nil, nil
	return nil
}

// rewind ends the writing and makes the file readable from its start
// through a buffer of bufSize bytes; it may be called again to read the
// file again.
func (s *spillFile) rewind(bufSize int) error {
	if err := s.endWrite(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return tempFileError("seek in", err)
	}
	if s.r != nil {
		s.r.Reset(s.f)
	} else {
		s.r = bufio.NewReaderSize(s.f, bufSize)
	}
	return nil
}

// read returns the next record's values, nil at the end. A record of
// fewer than minVals values is a damaged file.
func (s *spillFile) read(minVals int) ([]types.Datum, error) {
	nvals, err := binary.ReadUvarint(s.r)
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, tempFileError("read from", err)
	}
	size, err := binary.ReadUvarint(s.r)
	if err != nil || size > 1<<31 || nvals < uint64(minVals) {
		return nil, tempFileError("read from", errors.Join(err, io.ErrUnexpectedEOF))
	}
	if uint64(cap(s.buf)) < size {
		s.buf = make([]byte, size)
	}
	b := s.buf[:size]
	if _, err := io.ReadFull(s.r, b); err != nil {
		return nil, tempFileError("read from", err)
	}
	return storage.DecodeRow(b, int(nvals))
}

func (s *spillFile) close() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// fileOp reads back the rows of a spill file; it owns the file.
type fileOp struct {
	file  *spillFile
	width int
	n     int
}

// newFileOp rewinds file and reads it as an operator of rows of width
// values.
func newFileOp(file *spillFile, width int) (*fileOp, error) {
	if err := file.rewind(spillBufSize); err != nil {
		file.close()
		return nil, err
	}
	return &fileOp{file: file, width: width}, nil
}

func (o *fileOp) Next(ctx context.Context) (Row, error) {
	if o.n++; o.n%checkEvery == 0 {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
	}
	vals, err := o.file.read(o.width)
	if err != nil || vals == nil {
		return nil, err
	}
	return vals[:o.width:o.width], nil
}

func (o *fileOp) Close() { o.file.close() }

// Partitioning.
//
// A hash operator that reaches its limit divides what it cannot hold
// among spillFanOut partition files by a hash of the row's key; rows of
// equal keys land in the same partition, so each partition is then
// processed on its own as the operator's input was, again within the
// limit (and divided again when it does not fit). Each pass hashes with a
// seed of its own (a hash table's seed is made with it), so that a
// partition's rows spread over the next level's partitions.

// spillFanOut is the number of partitions a pass divides its overflow
// into: enough that a few levels handle inputs many times the limit, few
// enough that the write buffers stay small beside the limit (4 for
// PostgreSQL's least work_mem, 32 from 2MB on).
func spillFanOut(limit int64) int {
	return int(min(max(limit/(4*spillBufSize), 4), 32))
}

// partitions are the files one pass divides rows among.
type partitions struct {
	files []*spillFile // nil until a row goes there
	mem   *memAccount
	name  string // the files' name pattern
}

func newPartitions(mem *memAccount, name string) *partitions {
	return &partitions{files: make([]*spillFile, spillFanOut(mem.limit)), mem: mem, name: name}
}

// index is the partition of hash h.
func (p *partitions) index(h uint64) int {
	i, _ := bits.Mul64(h, uint64(len(p.files)))
	return int(i)
}

// add writes row to the partition of hash h.
func (p *partitions) add(h uint64, row Row) error {
	i := p.index(h)
	f := p.files[i]
	if f == nil {
		var err error
		if f, err = newSpillFile(p.mem, p.name, spillBufSize); err != nil {
			return err
		}
		p.files[i] = f
	}
	return f.write(row)
}

// drain ends the writing of every partition and returns their files (nil
// for an empty one), which the caller then owns.
func (p *partitions) drain() ([]*spillFile, error) {
	files := p.files
	p.files = make([]*spillFile, len(files))
	for _, f := range files {
		if f == nil {
			continue
		}
		if err := f.endWrite(); err != nil {
			for _, f := range files {
				if f != nil {
					f.close()
				}
			}
			return nil, err
		}
	}
	return files, nil
}

// close releases the files not taken.
func (p *partitions) close() {
	for i, f := range p.files {
		if f != nil {
			f.close()
			p.files[i] = nil
		}
	}
}
