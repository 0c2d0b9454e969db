package types

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Sparsevec is a pgvector sparsevec value: a vector of Dim dimensions
// whose element Indices[i] (zero-based) is Values[i] and every other
// element zero. A valid sparsevec has 1 <= Dim <= SparsevecMaxDim,
// strictly increasing indices in [0, Dim), at most SparsevecMaxNnz of
// them, and finite non-zero values. The text form numbers elements from
// 1, the binary form from 0.
type Sparsevec struct {
	Dim     int32
	Indices []int32
	Values  []float32
}

// SparsevecMaxNnz is pgvector's SPARSEVEC_MAX_NNZ, the most non-zero
// elements a sparsevec may have.
const SparsevecMaxNnz = 16000

// TSparsevec is sparsevec without a modifier.
var TSparsevec = T{SparsevecOID, -1}

// SparsevecOf returns sparsevec(dim).
func SparsevecOf(dim int) T { return T{OID: SparsevecOID, Mod: int32(dim)} }

func errSparsevecSyntax(s string) *pgerr.Error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type sparsevec: \"%s\"", s)
}

// errSparsevecDims is pgvector's CheckDim for sparsevec.
func errSparsevecDims(dim int64) error {
	if dim < 1 {
		return pgerr.New(pgerr.DataException, "sparsevec must have at least 1 dimension")
	}
	if dim > SparsevecMaxDim {
		return pgerr.New(pgerr.ProgramLimitExceeded, "sparsevec cannot have more than %d dimensions", SparsevecMaxDim)
	}
	return nil
}

func errSparsevecMaxNnz() error {
	return pgerr.New(pgerr.ProgramLimitExceeded, "sparsevec cannot have more than %d non-zero elements", SparsevecMaxNnz)
}

// errSparsevecNnz is pgvector's CheckNnz.
func errSparsevecNnz(nnz, dim int64) error {
	switch {
	case nnz < 0:
		return pgerr.New(pgerr.DataException, "sparsevec cannot have negative number of elements")
	case nnz > SparsevecMaxNnz:
		return errSparsevecMaxNnz()
	case nnz > dim:
		return pgerr.New(pgerr.ProgramLimitExceeded, "sparsevec cannot have more elements than dimensions")
	}
	return nil
}

// errSparsevecIndex is pgvector's CheckIndex for indices[i].
func errSparsevecIndex(indices []int32, i int, dim int32) error {
	index := indices[i]
	if index < 0 || index >= dim {
		return pgerr.New(pgerr.DataException, "sparsevec index out of bounds")
	}
	if i > 0 {
		if index < indices[i-1] {
			return pgerr.New(pgerr.DataException, "sparsevec indices must be in ascending order")
		}
		if index == indices[i-1] {
			return pgerr.New(pgerr.DataException, "sparsevec indices must not contain duplicates")
		}
	}
	return nil
}

// checkSparsevecElement is pgvector's CheckElement for sparsevec.
func checkSparsevecElement(f float32) error {
	if f != f {
		return pgerr.New(pgerr.DataException, "NaN not allowed in sparsevec")
	}
	if math.IsInf(float64(f), 0) {
		return pgerr.New(pgerr.DataException, "infinite value not allowed in sparsevec")
	}
	return nil
}

// scanLong reads an integer as C's strtol(s, &end, 10) does: leading
// white space, an optional sign, decimal digits, saturating at the int64
// range. n is the number of bytes read, 0 if there was no number.
func scanLong(s string) (v int64, n int) {
	i := skipSpace(s, 0)
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var mag uint64
	for i < len(s) && isDigit(s[i]) {
		if mag <= math.MaxInt64 {
			mag = mag*10 + uint64(s[i]-'0')
		}
		i++
	}
	if i == start {
		return 0, 0
	}
	switch {
	case neg && mag > math.MaxInt64:
		return math.MinInt64, i
	case neg:
		return -int64(mag), i
	case mag > math.MaxInt64:
		return math.MaxInt64, i
	}
	return int64(mag), i
}

// parseSparsevec is pgvector's sparsevec_in: '{' index:value pairs '}'
// '/' dimensions, with 1-based indices in any order, zero values dropped.
func parseSparsevec(s string) (Datum, error) {
	maxNnz := 1
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			maxNnz++
		}
	}
	if maxNnz > SparsevecMaxNnz {
		return nil, errSparsevecMaxNnz()
	}
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return nil, errSparsevecSyntax(s).WithDetail("Vector contents must start with \"{\".")
	}
	i = skipSpace(s, i+1)
	type element struct {
		index int32
		value float32
	}
	var elems []element
	if i < len(s) && s[i] == '}' {
		i++
	} else {
		for {
			i = skipSpace(s, i)
			if i >= len(s) {
				return nil, errSparsevecSyntax(s)
			}
			index, n := scanLong(s[i:])
			if n == 0 {
				return nil, errSparsevecSyntax(s)
			}
			index = max(min(index, math.MaxInt32), math.MinInt32+1)
			i = skipSpace(s, i+n)
			if i >= len(s) || s[i] != ':' {
				return nil, errSparsevecSyntax(s)
			}
			i = skipSpace(s, i+1)
			n = scanFloat(s[i:])
			if n == 0 {
				return nil, errSparsevecSyntax(s)
			}
			f, rangeErr := strtod(s[i:i+n], 32)
			if rangeErr && (f == 0 || math.IsInf(f, 0)) {
				return nil, pgerr.New(pgerr.NumericValueOutOfRange, "\"%s\" is out of range for type sparsevec", s[i:i+n])
			}
			value := float32(f)
			if err := checkSparsevecElement(value); err != nil {
				return nil, err
			}
			if value != 0 {
				elems = append(elems, element{int32(index - 1), value})
			}
			i = skipSpace(s, i+n)
			if i < len(s) && s[i] == ',' {
				i++
				continue
			}
			if i < len(s) && s[i] == '}' {
				i++
				break
			}
			return nil, errSparsevecSyntax(s)
		}
	}
	i = skipSpace(s, i)
	if i >= len(s) || s[i] != '/' {
		return nil, errSparsevecSyntax(s).WithDetail("Unexpected end of input.")
	}
	i = skipSpace(s, i+1)
	dim, n := scanLong(s[i:])
	if n == 0 {
		return nil, errSparsevecSyntax(s)
	}
	dim = max(min(dim, math.MaxInt32), math.MinInt32)
	if skipSpace(s, i+n) != len(s) {
		return nil, errSparsevecSyntax(s).WithDetail("Junk after closing.")
	}
	if err := errSparsevecDims(dim); err != nil {
		return nil, err
	}
	slices.SortStableFunc(elems, func(a, b element) int { return int(a.index) - int(b.index) })
	v := Sparsevec{Dim: int32(dim), Indices: make([]int32, len(elems)), Values: make([]float32, len(elems))}
	for k, e := range elems {
		v.Indices[k], v.Values[k] = e.index, e.value
		if err := errSparsevecIndex(v.Indices, k, v.Dim); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// appendSparsevec is sparsevec_out: {index:value,...}/dim with 1-based
// indices and float4's shortest texts.
func appendSparsevec(buf []byte, v Sparsevec) []byte {
	buf = append(buf, '{')
	for k, index := range v.Indices {
		if k > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, int64(index)+1, 10)
		buf = append(buf, ':')
		buf = appendShortest(buf, float64(v.Values[k]), 32)
	}
	buf = append(buf, '}', '/')
	return strconv.AppendInt(buf, int64(v.Dim), 10)
}

// recvSparsevec is sparsevec_recv: int32 dimensions, int32 number of
// non-zero elements, int32 unused (0), the zero-based indices as int32,
// then the values as float4, all big-endian.
func recvSparsevec(r *reader, mod int32) (Datum, error) {
	dim := int32(r.uint32())
	nnz := int32(r.uint32())
	unused := int32(r.uint32())
	if r.err != nil {
		return nil, r.err
	}
	if err := errSparsevecDims(int64(dim)); err != nil {
		return nil, err
	}
	if err := errSparsevecNnz(int64(nnz), int64(dim)); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(mod, int(dim)); err != nil {
		return nil, err
	}
	if unused != 0 {
		return nil, pgerr.New(pgerr.DataException, "expected unused to be 0, not %d", unused)
	}
	v := Sparsevec{Dim: dim, Indices: make([]int32, nnz), Values: make([]float32, nnz)}
	for k := range v.Indices {
		v.Indices[k] = int32(r.uint32())
		if r.err != nil {
			return nil, r.err
		}
		if err := errSparsevecIndex(v.Indices, k, dim); err != nil {
			return nil, err
		}
	}
	for k := range v.Values {
		v.Values[k] = math.Float32frombits(r.uint32())
		if r.err != nil {
			return nil, r.err
		}
		if err := checkSparsevecElement(v.Values[k]); err != nil {
			return nil, err
		}
		if v.Values[k] == 0 {
			return nil, pgerr.New(pgerr.DataException, "binary representation of sparsevec cannot contain zero values")
		}
	}
	return v, nil
}

// appendBinarySparsevec is sparsevec_send.
func appendBinarySparsevec(buf []byte, v Sparsevec) []byte {
	buf = binary.BigEndian.AppendUint32(buf, uint32(v.Dim))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(v.Indices)))
	buf = binary.BigEndian.AppendUint32(buf, 0)
	for _, index := range v.Indices {
		buf = binary.BigEndian.AppendUint32(buf, uint32(index))
	}
	for _, f := range v.Values {
		buf = binary.BigEndian.AppendUint32(buf, float4Bits(f))
	}
	return buf
}

// compareSparsevec is pgvector's sparsevec_cmp_internal, which orders
// sparse vectors as their dense forms: element by element, then the
// shorter first.
func compareSparsevec(a, b Sparsevec) int {
	nnz := min(len(a.Indices), len(b.Indices))
	for k := range nnz {
		ai, bi := a.Indices[k], b.Indices[k]
		switch {
		case ai < bi:
			return signOf(a.Values[k])
		case ai > bi:
			return -signOf(b.Values[k])
		case a.Values[k] < b.Values[k]:
			return -1
		case a.Values[k] > b.Values[k]:
			return 1
		}
	}
	if len(a.Indices) < len(b.Indices) && b.Indices[nnz] < a.Dim {
		return -signOf(b.Values[nnz])
	}
	if len(a.Indices) > len(b.Indices) && a.Indices[nnz] < b.Dim {
		return signOf(a.Values[nnz])
	}
	switch {
	case a.Dim < b.Dim:
		return -1
	case a.Dim > b.Dim:
		return 1
	}
	return 0
}

// signOf is -1 for a negative value and 1 otherwise (sparsevec values
// are never zero).
func signOf(f float32) int {
	if f < 0 {
		return -1
	}
	return 1
}

// sparseFromDense is vector_to_sparsevec and halfvec_to_sparsevec: the
// non-zero elements of a dense vector of dim elements, elem(i) giving
// element i.
func sparseFromDense(dim int, elem func(i int) float32, to T) (Datum, error) {
	if err := errSparsevecDims(int64(dim)); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(to.Mod, dim); err != nil {
		return nil, err
	}
	nnz := 0
	for i := range dim {
		if elem(i) != 0 {
			nnz++
		}
	}
	if err := errSparsevecNnz(int64(nnz), int64(dim)); err != nil {
		return nil, err
	}
	v := Sparsevec{Dim: int32(dim), Indices: make([]int32, 0, nnz), Values: make([]float32, 0, nnz)}
	for i := range dim {
		if f := elem(i); f != 0 {
			v.Indices = append(v.Indices, int32(i))
			v.Values = append(v.Values, f)
		}
	}
	return v, nil
}

// sparsevecToVector is pgvector's sparsevec_to_vector.
func sparsevecToVector(v Sparsevec, to T) (Datum, error) {
	if err := errVectorDims(int(v.Dim)); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(to.Mod, int(v.Dim)); err != nil {
		return nil, err
	}
	out := make(Vector, v.Dim)
	for k, index := range v.Indices {
		out[index] = v.Values[k]
	}
	return out, nil
}

// sparsevecToHalfvec is pgvector's sparsevec_to_halfvec.
func sparsevecToHalfvec(v Sparsevec, to T) (Datum, error) {
	if err := errHalfvecDims(int(v.Dim)); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(to.Mod, int(v.Dim)); err != nil {
		return nil, err
	}
	out := make(Halfvec, v.Dim)
	for k, index := range v.Indices {
		h, err := HalfFromFloat32(v.Values[k])
		if err != nil {
			return nil, err
		}
		out[index] = h
	}
	return out, nil
}

// arrayToSparsevec is pgvector's array_to_sparsevec.
func arrayToSparsevec(a *Array, to T) (Datum, error) {
	if err := checkArrayNoNulls(a); err != nil {
		return nil, err
	}
	n := len(a.Elems)
	if err := errSparsevecDims(int64(n)); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(to.Mod, n); err != nil {
		return nil, err
	}
	fs := make([]float32, n)
	nnz := 0
	for i, e := range a.Elems {
		f, err := arrayElemFloat32(e)
		if err != nil {
			return nil, err
		}
		fs[i] = f
		// NaN counts as non-zero, as in C.
		if f != 0 {
			nnz++
		}
	}
	if err := errSparsevecNnz(int64(nnz), int64(n)); err != nil {
		return nil, err
	}
	v := Sparsevec{Dim: int32(n), Indices: make([]int32, 0, nnz), Values: make([]float32, 0, nnz)}
	for i, f := range fs {
		if f != 0 {
			v.Indices = append(v.Indices, int32(i))
			v.Values = append(v.Values, f)
		}
	}
	for _, f := range v.Values {
		if err := checkSparsevecElement(f); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// CheckSparsevec reports whether v satisfies sparsevec's invariants
// (see Sparsevec), returning pgvector's error for the first violation.
func CheckSparsevec(v Sparsevec) error {
	if err := errSparsevecDims(int64(v.Dim)); err != nil {
		return err
	}
	if len(v.Indices) != len(v.Values) {
		return pgerr.New(pgerr.InternalError, "sparsevec with %d indices and %d values", len(v.Indices), len(v.Values))
	}
	if err := errSparsevecNnz(int64(len(v.Indices)), int64(v.Dim)); err != nil {
		return err
	}
	for k := range v.Indices {
		if err := errSparsevecIndex(v.Indices, k, v.Dim); err != nil {
			return err
		}
	}
	for _, f := range v.Values {
		if err := checkSparsevecElement(f); err != nil {
			return err
		}
		if f == 0 {
			return pgerr.New(pgerr.DataException, "binary representation of sparsevec cannot contain zero values")
		}
	}
	return nil
}
