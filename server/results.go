package server

import (
	"context"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Wire format codes of parameters and result columns.
const (
	textFormat   int16 = 0
	binaryFormat int16 = 1
)

// cancelCheckInterval is how many rows are sent between checks of the
// statement's context, on top of the cursor's own checks.
const cancelCheckInterval = 256

// sendRowDescription describes cols; formats holds one code per column,
// or nil for text throughout.
func (c *conn) sendRowDescription(cols []sql.Column, formats []int16) {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(col.Name),
			TableOID:             uint32(col.TableOID),
			TableAttributeNumber: uint16(col.Attnum),
			DataTypeOID:          uint32(col.Type.OID),
			DataTypeSize:         typeLen(col.Type.OID),
			TypeModifier:         col.Type.Mod,
			Format:               formatOf(formats, i),
		}
	}
	c.send(&pgproto3.RowDescription{Fields: fields})
}

// typeLen is pg_type.typlen, which RowDescription reports.
func typeLen(oid types.OID) int16 {
	if info, ok := types.Lookup(oid); ok {
		return info.Len
	}
	return -1
}

func formatOf(formats []int16, i int) int16 {
	if formats == nil {
		return textFormat
	}
	return formats[i]
}

// sendRows streams rows from cur as DataRow messages, at most limit of
// them when limit > 0. It returns how many it sent and whether it stopped
// at the limit, leaving the cursor open for a later Execute.
func (c *conn) sendRows(ctx context.Context, cur Cursor, cols []sql.Column, formats []int16, limit int) (int, bool, error) {
	opts := c.sess.Format()
	n := 0
	for limit <= 0 || n < limit {
		if n%cancelCheckInterval == cancelCheckInterval-1 && ctx.Err() != nil {
			return n, false, context.Cause(ctx)
		}
		row, err := cur.Next(ctx)
		if err != nil {
			return n, false, err
		}
		if row == nil {
			return n, false, nil
		}
		if err := c.appendDataRow(cols, formats, row, opts); err != nil {
			return n, false, err
		}
		n++
		if err := c.maybeFlush(); err != nil {
			return n, false, fatal(pgerr.ConnectionFailure, "could not send data to client: %v", err)
		}
	}
	return n, true, nil
}

// appendDataRow encodes row straight into the output buffer: no
// allocation per row or per value once the buffer has grown.
func (c *conn) appendDataRow(cols []sql.Column, formats []int16, row []types.Datum, opts *types.FormatOptions) error {
	if len(row) != len(cols) {
		return pgerr.New(pgerr.InternalError, "row has %d values but the statement has %d columns", len(row), len(cols))
	}
	start := len(c.out)
	buf := append(c.out, 'D', 0, 0, 0, 0)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(row)))
	for i, d := range row {
		if d == nil {
			buf = binary.BigEndian.AppendUint32(buf, 0xFFFFFFFF)
			continue
		}
		lenAt := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		switch formatOf(formats, i) {
		case textFormat:
			buf = types.AppendText(buf, cols[i].Type, d, opts)
		case binaryFormat:
			out, err := types.AppendBinary(buf, cols[i].Type, d)
			if err != nil {
				c.out = buf[:start]
				return err
			}
			buf = out
		default:
			c.out = buf[:start]
			return pgerr.New(pgerr.InvalidParameterValue, "unsupported format code: %d", formatOf(formats, i))
		}
		binary.BigEndian.PutUint32(buf[lenAt:], uint32(len(buf)-lenAt-4))
	}
	binary.BigEndian.PutUint32(buf[start+1:], uint32(len(buf)-start-1))
	c.out = buf
	return nil
}

// resultFormats expands a Bind's result format codes to one per column.
// Unknown codes are reported when a row is sent, as PostgreSQL does.
func resultFormats(codes []int16, ncols int) ([]int16, *pgerr.Error) {
	if len(codes) > 1 && len(codes) != ncols {
		return nil, pgerr.New(pgerr.ProtocolViolation, "bind message has %d result formats but query has %d columns", len(codes), ncols)
	}
	if len(codes) == 0 || ncols == 0 {
		return nil, nil
	}
	formats := make([]int16, ncols)
	for i := range formats {
		formats[i] = codes[min(i, len(codes)-1)]
	}
	return formats, nil
}

// decodeParams decodes a Bind's parameter values with the statement's
// parameter types and, for text, the session's settings (the TimeZone of
// timestamptz input without a zone, the catalog names of the reg* types),
// which textOpts gives when the first text value needs them. Parameters
// are numbered from 1 in errors, as in PostgreSQL. The values returned
// share no memory with values.
func decodeParams(ptypes []types.T, codes []int16, values [][]byte, textOpts func() *types.FormatOptions) ([]types.Datum, *pgerr.Error) {
	if len(values) == 0 {
		return nil, nil
	}
	var opts *types.FormatOptions
	args := make([]types.Datum, len(values))
	for i, v := range values {
		var format int16
		switch len(codes) {
		case 0:
		case 1:
			format = codes[0]
		default:
			format = codes[i]
		}
		if format != textFormat && format != binaryFormat {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unsupported format code: %d", format)
		}
		if v == nil {
			continue
		}
		if format == textFormat && opts == nil {
			opts = textOpts()
		}
		d, err := decodeParam(ptypes[i], format, v, i+1, opts)
		if err != nil {
			return nil, err
		}
		args[i] = d
	}
	return args, nil
}

func decodeParam(t types.T, format int16, v []byte, n int, opts *types.FormatOptions) (types.Datum, *pgerr.Error) {
	var d types.Datum
	var err error
	if format == textFormat {
		d, err = types.ParseTextWith(t, string(v), opts)
	} else {
		d, err = types.ParseBinary(t, v)
	}
	if err == nil {
		return d, nil
	}
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		if pe.Code == pgerr.InvalidBinaryRepresentation && format == binaryFormat {
			return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "incorrect binary data format in bind parameter %d", n)
		}
		return nil, pe
	}
	if format == textFormat {
		return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", t, v)
	}
	return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "incorrect binary data format in bind parameter %d", n)
}

// rowsTagFor rewrites the row count of a statement that returns rows to
// the rows sent by this Execute, as PostgreSQL counts them when a portal
// is run in pieces: "SELECT n", and "INSERT 0 n", "UPDATE n", "DELETE n"
// of DML with RETURNING. Other tags are left alone.
func rowsTagFor(tag string, rows int) string {
	for _, prefix := range []string{"SELECT ", "INSERT 0 ", "UPDATE ", "DELETE ", "MERGE "} {
		if strings.HasPrefix(tag, prefix) {
			return prefix + strconv.Itoa(rows)
		}
	}
	return tag
}
