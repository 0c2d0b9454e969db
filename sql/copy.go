package sql

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/exec"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// CopyDirection says whether a statement is COPY FROM STDIN, COPY TO
// STDOUT, or not a COPY.
type CopyDirection uint8

// Copy directions.
const (
	NotCopy CopyDirection = iota
	CopyIn
	CopyOut
)

// CopyFormat is COPY's data format.
type CopyFormat uint8

// Copy formats.
const (
	CopyText CopyFormat = iota
	CopyCSV
	CopyBinary
)

// copySpec is a bound COPY statement.
type copySpec struct {
	dir    CopyDirection
	format CopyFormat
	table  *storage.Table
	// slots are the table columns the data holds, in order.
	slots     []int
	delimiter byte
	null      string
	header    bool
	quote     byte
	escape    byte
	// query is the plan of COPY (SELECT ...) TO STDOUT, or of the table's
	// rows for COPY table TO STDOUT.
	query planner.Node
	types []types.T
}

// Copy describes a COPY statement for the server: its direction, whether
// its data is binary, and how many columns each row has.
func (st *Statement) Copy() (dir CopyDirection, binaryFormat bool, columns int) {
	if st.copy == nil {
		return NotCopy, false, 0
	}
	return st.copy.dir, st.copy.format == CopyBinary, len(st.copy.types)
}

// bindCopy prepares COPY ... FROM STDIN and COPY ... TO STDOUT.
func (s *Session) bindCopy(st *Statement, b *binder, cs *pg_query.CopyStmt) error {
	if cs.Filename != "" || cs.IsProgram {
		return pgerr.New(pgerr.InsufficientPrivilege, "COPY to or from a file or program is not supported by vecgres").
			WithHint("Use COPY ... FROM STDIN or TO STDOUT, as psql's \\copy does.")
	}
	spec := &copySpec{dir: CopyOut, delimiter: '\t', null: `\N`, quote: '"', escape: '"'}
	if cs.IsFrom {
		spec.dir = CopyIn
	}
	if err := spec.applyOptions(cs.Options); err != nil {
		return err
	}
	if cs.WhereClause != nil {
		return b.unsupported(location(cs.WhereClause), "COPY ... WHERE")
	}
	st.kind, st.tag, st.copy = kindWrite, "COPY", spec
	if cs.Query != nil {
		if spec.dir == CopyIn {
			return b.errAt(-1, pgerr.SyntaxError, "COPY FROM does not support a query")
		}
		plan, err := b.selectStmt(cs.Query.GetSelectStmt())
		if err != nil {
			return err
		}
		st.kind = kindQuery
		spec.query = planner.OptimizeWith(plan, b.cat, s.e.indexDefs)
		for _, c := range plan.Schema() {
			spec.types = append(spec.types, c.T)
		}
		return nil
	}
	t, err := b.resolveTable(cs.Relation)
	if err != nil {
		return err
	}
	if err := b.checkTable(t, copyPrivilege(cs.IsFrom)); err != nil {
		return err
	}
	spec.table = t
	if len(cs.Attlist) == 0 {
		spec.slots = t.LiveColumns()
	} else {
		seen := map[int]bool{}
		for _, name := range stringsOf(cs.Attlist) {
			slot := t.ColumnIndex(name)
			if slot < 0 {
				return pgerr.New(pgerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, t.Name)
			}
			if seen[slot] {
				return pgerr.New(pgerr.DuplicateColumn, "column \"%s\" specified more than once", name)
			}
			seen[slot] = true
			spec.slots = append(spec.slots, slot)
		}
	}
	for _, slot := range spec.slots {
		spec.types = append(spec.types, t.Columns[slot].Type)
	}
	if spec.dir == CopyOut {
		st.kind = kindQuery
		exprs := make([]planner.Expr, len(spec.slots))
		out := make([]planner.OutCol, len(spec.slots))
		for i, slot := range spec.slots {
			c := t.Columns[slot]
			exprs[i] = &planner.ColRef{Idx: slot, T: c.Type, Name: c.Name}
			out[i] = planner.OutCol{Name: c.Name, T: c.Type}
		}
		spec.query = &planner.Project{Input: &planner.Scan{Table: t, Out: scanSchema(t, false)}, Exprs: exprs, Out: out}
		return nil
	}
	// COPY FROM: an INSERT whose rows come from the data stream, with
	// defaults for the columns the data does not have.
	srcCols := make([]planner.OutCol, len(spec.slots))
	values := make([]planner.Expr, len(spec.slots))
	for i, slot := range spec.slots {
		c := t.Columns[slot]
		srcCols[i] = planner.OutCol{Name: c.Name, T: c.Type}
		values[i] = &planner.ColRef{Idx: i, T: c.Type, Name: c.Name}
	}
	row, err := b.fullRow(t, spec.slots, values, nil)
	if err != nil {
		return err
	}
	checks, err := bindChecks(b.cat, b.reg, t, t.Checks)
	if err != nil {
		return err
	}
	st.plan = &planner.Insert{Table: t, Input: &planner.Project{Input: &planner.RowSource{Out: srcCols}, Exprs: row,
		Out: scanSchema(t, false)}, Checks: checks}
	return nil
}

func (spec *copySpec) applyOptions(opts []*pg_query.Node) error {
	seenNull := false
	for _, o := range opts {
		d := o.GetDefElem()
		arg := defElemString(d)
		switch d.Defname {
		case "format":
			switch strings.ToLower(arg) {
			case "text":
				spec.format = CopyText
			case "csv":
				spec.format = CopyCSV
			case "binary":
				spec.format = CopyBinary
			default:
				return pgerr.New(pgerr.InvalidParameterValue, "COPY format \"%s\" not recognized", arg)
			}
		case "delimiter":
			if len(arg) != 1 {
				return pgerr.New(pgerr.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
			}
			spec.delimiter = arg[0]
		case "null":
			spec.null, seenNull = arg, true
		case "header":
			spec.header = arg == "" || defElemBool(d)
		case "quote":
			if len(arg) != 1 {
				return pgerr.New(pgerr.FeatureNotSupported, "COPY quote must be a single one-byte character")
			}
			spec.quote = arg[0]
		case "escape":
			if len(arg) != 1 {
				return pgerr.New(pgerr.FeatureNotSupported, "COPY escape must be a single one-byte character")
			}
			spec.escape = arg[0]
		case "freeze", "encoding":
			// FREEZE has no meaning here; only UTF8 exists.
		default:
			return pgerr.New(pgerr.SyntaxError, "option \"%s\" not recognized", d.Defname)
		}
	}
	if spec.format == CopyCSV {
		if !seenNull {
			spec.null = ""
		}
		if spec.delimiter == '\t' && !hasOption(opts, "delimiter") {
			spec.delimiter = ','
		}
	}
	if spec.format == CopyBinary && (hasOption(opts, "delimiter") || seenNull) {
		return pgerr.New(pgerr.SyntaxError, "cannot specify DELIMITER or NULL in BINARY mode")
	}
	if spec.header && spec.format != CopyCSV && spec.format != CopyText {
		return pgerr.New(pgerr.FeatureNotSupported, "cannot specify HEADER in BINARY mode")
	}
	return nil
}

func hasOption(opts []*pg_query.Node, name string) bool {
	for _, o := range opts {
		if o.GetDefElem().GetDefname() == name {
			return true
		}
	}
	return false
}

func defElemString(d *pg_query.DefElem) string {
	if d.Arg == nil {
		return ""
	}
	if s := d.Arg.GetString_(); s != nil {
		return s.Sval
	}
	if c := d.Arg.GetAConst(); c != nil {
		switch v := c.Val.(type) {
		case *pg_query.A_Const_Sval:
			return v.Sval.Sval
		case *pg_query.A_Const_Ival:
			return strconv.Itoa(int(v.Ival.Ival))
		case *pg_query.A_Const_Boolval:
			if v.Boolval.Boolval {
				return "true"
			}
			return "false"
		}
	}
	if i := d.Arg.GetInteger(); i != nil {
		return strconv.Itoa(int(i.Ival))
	}
	if f := d.Arg.GetFloat(); f != nil {
		return f.Fval
	}
	if tn := d.Arg.GetTypeName(); tn != nil {
		names := stringsOf(tn.Names)
		return names[len(names)-1]
	}
	if b := d.Arg.GetBoolean(); b != nil {
		if b.Boolval {
			return "true"
		}
		return "false"
	}
	return ""
}

// CopyFrom runs COPY ... FROM STDIN with the data read from src (the
// CopyData payloads, in order; io.EOF after CopyDone; any other error,
// such as the client's CopyFail, aborts the COPY). Rows are inserted as
// they are decoded; a bad row fails the whole COPY, and nothing of it is
// kept. It returns the command tag.
func (s *Session) CopyFrom(ctx context.Context, st *Statement, src io.Reader) (string, error) {
	tag, err := s.copyFrom(ctx, st, src)
	if err != nil {
		s.fail()
	}
	return tag, err
}

func (s *Session) copyFrom(ctx context.Context, st *Statement, src io.Reader) (string, error) {
	if s.failed {
		return "", pgerr.New(pgerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	spec := st.copy
	if spec == nil || spec.dir != CopyIn {
		return "", pgerr.New(pgerr.InternalError, "sql: CopyFrom on a statement that is not COPY FROM STDIN")
	}
	s.beginTxn()
	if err := s.refresh(st); err != nil {
		return "", err
	}
	spec = st.copy
	if err := s.txn.LockForWrite(ctx); err != nil {
		return "", err
	}
	dec := newCopyDecoder(spec, src, s.literalFormat())
	env := &stmtEnv{s: s, ctx: ctx, start: time.Now()}
	res, err := exec.Start(ctx, st.plan, &exec.Runtime{Txn: s.txn, Env: env, Indexes: sessionIndexes{s}, Format: s.Format(), Source: dec.next})
	if err != nil {
		return "", err
	}
	defer res.Close()
	for {
		row, err := res.Next(ctx)
		if err != nil {
			return "", dec.context(err)
		}
		if row == nil {
			break
		}
	}
	return "COPY " + strconv.FormatInt(res.Count(), 10), nil
}

// copyDecoder turns COPY data into rows of the target columns' types.
type copyDecoder struct {
	spec *copySpec
	r    *bufio.Reader
	line int
	// column is the name of the column being decoded, for error context.
	column string
	value  string
	// text is the current line of text or CSV data, which the context of
	// an error about the whole row quotes.
	text []byte
	done bool
	// binary format state
	sawHeader bool
	format    *types.FormatOptions
}

func newCopyDecoder(spec *copySpec, src io.Reader, format *types.FormatOptions) *copyDecoder {
	return &copyDecoder{spec: spec, r: bufio.NewReaderSize(src, 64<<10), format: format}
}

// context adds PostgreSQL's CONTEXT to an error raised while a row was
// decoded or inserted, in the forms of its CopyFromErrorCallback: the
// column and its text ("COPY t, line 3, column a: "x""), the column alone
// in binary format, or the whole line of text for an error about the row.
// Unique violations name only the line: PostgreSQL finds them when it
// flushes its buffered rows, when the line's text is gone.
func (d *copyDecoder) context(err error) error {
	pe := pgerr.From(err)
	name := d.spec.table.Name
	switch {
	case d.column != "" && d.spec.format == CopyBinary:
		return pe.WithWhere("COPY %s, line %d, column %s", name, d.line, d.column)
	case d.column != "":
		return pe.WithWhere("COPY %s, line %d, column %s: \"%s\"", name, d.line, d.column, d.value)
	case d.text != nil && pe.Code != pgerr.UniqueViolation:
		return pe.WithWhere("COPY %s, line %d: \"%s\"", name, d.line, d.text)
	}
	return pe.WithWhere("COPY %s, line %d", name, d.line)
}

func (d *copyDecoder) next(ctx context.Context) (exec.Row, error) {
	if d.done {
		return nil, nil
	}
	if d.spec.format == CopyBinary {
		return d.nextBinary()
	}
	for {
		line, err := d.readLine()
		if err != nil {
			return nil, err
		}
		if line == nil {
			d.done = true
			return nil, nil
		}
		if d.line == 1 && d.spec.header {
			continue
		}
		if d.spec.format == CopyText && string(line) == `\.` {
			d.done = true
			return nil, nil
		}
		var fields []*string
		if d.spec.format == CopyCSV {
			if fields, err = d.splitCSV(line); err != nil {
				return nil, err
			}
		} else {
			fields = d.splitText(line)
		}
		return d.convert(fields)
	}
}

// readLine returns the next line without its terminator, or nil at the
// end of the data. A CSV line may span several physical lines inside
// quotes.
func (d *copyDecoder) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := d.r.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if len(chunk) == 0 && errors.Is(err, io.EOF) {
			if line == nil {
				return nil, nil
			}
			d.line++
			d.text = line
			return nil, pgerr.New(pgerr.BadCopyFileFormat, "unterminated CSV quoted field")
		}
		line = append(line, chunk...)
		if d.spec.format == CopyCSV && unbalancedQuotes(line, d.spec.quote, d.spec.escape) && err == nil {
			continue
		}
		d.line++
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		d.text = line
		return line, nil
	}
}

func unbalancedQuotes(line []byte, quote, escape byte) bool {
	in := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case in && c == escape && escape != quote && i+1 < len(line):
			i++
		case c == quote:
			if in && escape == quote && i+1 < len(line) && line[i+1] == quote {
				i++
				continue
			}
			in = !in
		}
	}
	return in
}

// splitText splits a text-format line into fields, undoing backslash
// escapes; nil stands for NULL.
func (d *copyDecoder) splitText(line []byte) []*string {
	var fields []*string
	var cur []byte
	raw := 0 // bytes of the raw field, to compare with the NULL marker
	start := 0
	flush := func(end int) {
		if string(line[start:end]) == d.spec.null {
			fields = append(fields, nil)
		} else {
			s := string(cur)
			fields = append(fields, &s)
		}
		cur, raw, start = cur[:0], 0, end+1
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		raw++
		if c == d.spec.delimiter {
			flush(i)
			continue
		}
		if c != '\\' || i+1 >= len(line) {
			cur = append(cur, c)
			continue
		}
		i++
		e := line[i]
		switch e {
		case 'b':
			cur = append(cur, '\b')
		case 'f':
			cur = append(cur, '\f')
		case 'n':
			cur = append(cur, '\n')
		case 'r':
			cur = append(cur, '\r')
		case 't':
			cur = append(cur, '\t')
		case 'v':
			cur = append(cur, '\v')
		case 'x':
			n, used := parseBase(line[i+1:], 16, 2)
			if used == 0 {
				cur = append(cur, 'x')
			} else {
				cur = append(cur, byte(n))
				i += used
			}
		default:
			if e >= '0' && e <= '7' {
				n, used := parseBase(line[i:], 8, 3)
				cur = append(cur, byte(n))
				i += used - 1
			} else {
				cur = append(cur, e)
			}
		}
	}
	flush(len(line))
	return fields
}

func parseBase(b []byte, base, maxDigits int) (int, int) {
	n, used := 0, 0
	for used < maxDigits && used < len(b) {
		v := strings.IndexByte("0123456789abcdef", lowerByte(b[used]))
		if v < 0 || v >= base {
			break
		}
		n = n*base + v
		used++
	}
	return n, used
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// splitCSV splits a CSV line; an unquoted field equal to the NULL string
// is NULL, a quoted one never is.
func (d *copyDecoder) splitCSV(line []byte) ([]*string, error) {
	q, esc, delim := d.spec.quote, d.spec.escape, d.spec.delimiter
	var fields []*string
	for i := 0; ; {
		var cur []byte
		quoted := false
		for i < len(line) && line[i] != delim {
			c := line[i]
			if c == q {
				quoted = true
				i++
				for {
					if i >= len(line) {
						return nil, pgerr.New(pgerr.BadCopyFileFormat, "unterminated CSV quoted field")
					}
					c = line[i]
					if c == esc && i+1 < len(line) && (line[i+1] == q || line[i+1] == esc) && (esc != q || line[i+1] == q) {
						cur = append(cur, line[i+1])
						i += 2
						continue
					}
					if c == q {
						i++
						break
					}
					cur = append(cur, c)
					i++
				}
				continue
			}
			cur = append(cur, c)
			i++
		}
		if !quoted && string(cur) == d.spec.null {
			fields = append(fields, nil)
		} else {
			s := string(cur)
			fields = append(fields, &s)
		}
		if i >= len(line) {
			return fields, nil
		}
		i++ // the delimiter
	}
}

// convert parses the text fields of one row into values.
func (d *copyDecoder) convert(fields []*string) (exec.Row, error) {
	spec := d.spec
	if len(fields) > len(spec.types) {
		d.column = ""
		return nil, pgerr.New(pgerr.BadCopyFileFormat, "extra data after last expected column")
	}
	if len(fields) < len(spec.types) {
		d.column = ""
		return nil, pgerr.New(pgerr.BadCopyFileFormat, "missing data for column \"%s\"", spec.table.Columns[spec.slots[len(fields)]].Name)
	}
	row := make(exec.Row, len(fields))
	for i, f := range fields {
		if f == nil {
			continue
		}
		t := spec.types[i]
		d.column, d.value = spec.table.Columns[spec.slots[i]].Name, *f
		v, err := types.ParseTextWith(types.Of(t.OID), *f, d.format)
		if err == nil && t.Mod >= 0 {
			v, err = types.CoerceTypmod(v, t, false)
		}
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	d.column, d.value = "", ""
	return row, nil
}

// binarySignature starts PostgreSQL's binary COPY format.
var binarySignature = []byte("PGCOPY\n\xff\r\n\x00")

func (d *copyDecoder) nextBinary() (exec.Row, error) {
	if !d.sawHeader {
		head := make([]byte, len(binarySignature)+8)
		if _, err := io.ReadFull(d.r, head); err != nil {
			return nil, pgerr.New(pgerr.BadCopyFileFormat, "COPY file signature not recognized")
		}
		if !bytes.Equal(head[:len(binarySignature)], binarySignature) {
			return nil, pgerr.New(pgerr.BadCopyFileFormat, "COPY file signature not recognized")
		}
		extLen := binary.BigEndian.Uint32(head[len(binarySignature)+4:])
		if _, err := io.CopyN(io.Discard, d.r, int64(extLen)); err != nil {
			return nil, pgerr.New(pgerr.BadCopyFileFormat, "invalid COPY file header (missing extension)")
		}
		d.sawHeader = true
	}
	var n [2]byte
	if _, err := io.ReadFull(d.r, n[:]); err != nil {
		if errors.Is(err, io.EOF) {
			d.done = true
			return nil, nil
		}
		return nil, pgerr.New(pgerr.BadCopyFileFormat, "unexpected EOF in COPY data")
	}
	count := int16(binary.BigEndian.Uint16(n[:]))
	if count == -1 {
		d.done = true
		return nil, nil
	}
	d.line++
	if int(count) != len(d.spec.types) {
		return nil, pgerr.New(pgerr.BadCopyFileFormat, "row field count is %d, expected %d", count, len(d.spec.types))
	}
	row := make(exec.Row, count)
	for i := range row {
		var l [4]byte
		if _, err := io.ReadFull(d.r, l[:]); err != nil {
			return nil, pgerr.New(pgerr.BadCopyFileFormat, "unexpected EOF in COPY data")
		}
		size := int32(binary.BigEndian.Uint32(l[:]))
		if size == -1 {
			continue
		}
		if size < 0 || size > 1<<30 {
			return nil, pgerr.New(pgerr.BadCopyFileFormat, "invalid field size")
		}
		buf := make([]byte, size)
		if _, err := io.ReadFull(d.r, buf); err != nil {
			return nil, pgerr.New(pgerr.BadCopyFileFormat, "unexpected EOF in COPY data")
		}
		t := d.spec.types[i]
		d.column, d.value = d.spec.table.Columns[d.spec.slots[i]].Name, ""
		v, err := types.ParseBinary(t, buf)
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	d.column = ""
	return row, nil
}

// CopyTo runs COPY ... TO STDOUT, handing each encoded row (and the
// binary format's header and trailer) to emit. It returns the command
// tag.
func (s *Session) CopyTo(ctx context.Context, st *Statement, emit func([]byte) error) (string, error) {
	tag, err := s.copyTo(ctx, st, emit)
	if err != nil {
		s.fail()
	}
	return tag, err
}

func (s *Session) copyTo(ctx context.Context, st *Statement, emit func([]byte) error) (string, error) {
	if s.failed {
		return "", pgerr.New(pgerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	spec := st.copy
	if spec == nil || spec.dir != CopyOut {
		return "", pgerr.New(pgerr.InternalError, "sql: CopyTo on a statement that is not COPY TO STDOUT")
	}
	s.beginTxn()
	if err := s.refresh(st); err != nil {
		return "", err
	}
	spec = st.copy
	s.txn.StartStatement()
	defer s.txn.EndStatement()
	env := &stmtEnv{s: s, ctx: ctx, start: time.Now()}
	res, err := exec.Start(ctx, spec.query, &exec.Runtime{Txn: s.txn, Env: env, Indexes: sessionIndexes{s}, Format: s.Format()})
	if err != nil {
		return "", err
	}
	defer res.Close()
	enc := copyEncoder{spec: spec, format: s.Format()}
	// The binary header goes out with the first row (or the trailer), in
	// one CopyData message, as PostgreSQL sends it: clients such as
	// psycopg parse each message as whole rows after the header.
	var pending []byte
	if spec.format == CopyBinary {
		pending = append(append([]byte{}, binarySignature...), 0, 0, 0, 0, 0, 0, 0, 0)
	} else if spec.header {
		if err := emit(enc.headerLine(spec.query.Schema())); err != nil {
			return "", err
		}
	}
	var buf []byte
	for {
		row, err := res.Next(ctx)
		if err != nil {
			return "", err
		}
		if row == nil {
			break
		}
		if buf, err = enc.encode(append(buf[:0], pending...), row); err != nil {
			return "", err
		}
		pending = nil
		if err := emit(buf); err != nil {
			return "", err
		}
	}
	if spec.format == CopyBinary {
		if err := emit(append(pending, 0xff, 0xff)); err != nil {
			return "", err
		}
	}
	return "COPY " + strconv.FormatInt(res.Count(), 10), nil
}

type copyEncoder struct {
	spec   *copySpec
	format *types.FormatOptions
}

func (e *copyEncoder) headerLine(cols []planner.OutCol) []byte {
	var b []byte
	for i, c := range cols {
		if i > 0 {
			b = append(b, e.spec.delimiter)
		}
		b = e.appendCSV(b, c.Name)
	}
	return append(b, '\n')
}

func (e *copyEncoder) encode(b []byte, row exec.Row) ([]byte, error) {
	if e.spec.format == CopyBinary {
		b = binary.BigEndian.AppendUint16(b, uint16(len(row)))
		for i, v := range row {
			if v == nil {
				b = binary.BigEndian.AppendUint32(b, 0xffffffff)
				continue
			}
			lenAt := len(b)
			b = append(b, 0, 0, 0, 0)
			var err error
			if b, err = types.AppendBinary(b, e.spec.types[i], v); err != nil {
				return nil, err
			}
			binary.BigEndian.PutUint32(b[lenAt:], uint32(len(b)-lenAt-4))
		}
		return b, nil
	}
	for i, v := range row {
		if i > 0 {
			b = append(b, e.spec.delimiter)
		}
		if v == nil {
			b = append(b, e.spec.null...)
			continue
		}
		text := string(types.AppendText(nil, e.spec.types[i], v, e.format))
		if e.spec.format == CopyCSV {
			b = e.appendCSV(b, text)
		} else {
			b = e.appendText(b, text)
		}
	}
	return append(b, '\n'), nil
}

// appendText escapes a value for the text format.
func (e *copyEncoder) appendText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\v':
			b = append(b, '\\', 'v')
		default:
			if c == e.spec.delimiter {
				b = append(b, '\\')
			}
			b = append(b, c)
		}
	}
	return b
}

// appendCSV quotes a value for CSV when it has to be: when it holds the
// delimiter, the quote, a line break, or equals the NULL string.
func (e *copyEncoder) appendCSV(b []byte, s string) []byte {
	q := e.spec.quote
	needs := s == e.spec.null || strings.ContainsAny(s, string([]byte{e.spec.delimiter, q, '\n', '\r'})) ||
		s == `\.`
	if !needs {
		return append(b, s...)
	}
	b = append(b, q)
	for i := 0; i < len(s); i++ {
		if s[i] == q || s[i] == e.spec.escape {
			b = append(b, e.spec.escape)
		}
		b = append(b, s[i])
	}
	return append(b, q)
}
