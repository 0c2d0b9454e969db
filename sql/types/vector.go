package types

import (
	"math"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func errVectorSyntax(s string) *pgerr.Error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type vector: \"%s\"", s)
}

// parseVector is pgvector's vector_in: '[' elements ']' with white space
// allowed around everything, each element read as C's strtof reads a
// float4.
func parseVector(s string) (Datum, error) {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '[' {
		return nil, errVectorSyntax(s).WithDetail("Vector contents must start with \"[\".")
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		return nil, errVectorDims(0)
	}
	var v Vector
	for {
		if len(v) == VectorMaxDim {
			return nil, errVectorDims(len(v) + 1)
		}
		i = skipSpace(s, i)
		n := scanFloat(s[i:])
		if n == 0 {
			return nil, errVectorSyntax(s)
		}
		f, rangeErr := strtod(s[i:i+n], 32)
		if rangeErr && math.IsInf(f, 0) {
			return nil, pgerr.New(pgerr.NumericValueOutOfRange, "\"%s\" is out of range for type vector", s[i:i+n])
		}
		if err := checkVectorElement(f); err != nil {
			return nil, err
		}
		v = append(v, float32(f))
		i = skipSpace(s, i+n)
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		if i < len(s) && s[i] == ']' {
			i++
			break
		}
		return nil, errVectorSyntax(s)
	}
	if skipSpace(s, i) != len(s) {
		return nil, errVectorSyntax(s).WithDetail("Junk after closing right brace.")
	}
	return v, nil
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// errVectorDims is pgvector's CheckDim error for a vector of dim
// dimensions, or nil if dim is allowed.
func errVectorDims(dim int) error {
	if dim < 1 {
		return pgerr.New(pgerr.DataException, "vector must have at least 1 dimension")
	}
	if dim > VectorMaxDim {
		return pgerr.New(pgerr.ProgramLimitExceeded, "vector cannot have more than %d dimensions", VectorMaxDim)
	}
	return nil
}

// checkVectorElement is pgvector's CheckElement.
func checkVectorElement(f float64) error {
	if math.IsNaN(f) {
		return pgerr.New(pgerr.DataException, "NaN not allowed in vector")
	}
	if math.IsInf(f, 0) {
		return pgerr.New(pgerr.DataException, "infinite value not allowed in vector")
	}
	return nil
}

// checkVectorTypmod is pgvector's CheckExpectedDim.
func checkVectorTypmod(mod int32, dim int) error {
	if mod >= 0 && int(mod) != dim {
		return pgerr.New(pgerr.DataException, "expected %d dimensions, not %d", mod, dim)
	}
	return nil
}

// appendVector is vector_out: '[' shortest float4 texts separated by ','
// ']'.
func appendVector(buf []byte, v Vector) []byte {
	buf = append(buf, '[')
	for i, x := range v {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendShortest(buf, float64(x), 32)
	}
	return append(buf, ']')
}

// arrayToVector is pgvector's array_to_vector for integer[], real[],
// double precision[] and numeric[].
func arrayToVector(a *Array, to T) (Datum, error) {
	v := make(Vector, len(a.Elems))
	for _, e := range a.Elems {
		if e == nil {
			return nil, pgerr.New(pgerr.NullValueNotAllowed, "array must not contain nulls")
		}
	}
	if err := errVectorDims(len(v)); err != nil {
		return nil, err
	}
	if err := checkVectorTypmod(to.Mod, len(v)); err != nil {
		return nil, err
	}
	for i, e := range a.Elems {
		switch x := e.(type) {
		case int64:
			v[i] = float32(x)
		case float64:
			v[i] = float32(x)
		case *Decimal:
			f, err := numericToFloat(x, 32)
			if err != nil {
				return nil, err
			}
			v[i] = float32(f.(float64))
		default:
			return nil, pgerr.New(pgerr.DataException, "unsupported array type")
		}
	}
	for _, x := range v {
		if err := checkVectorElement(float64(x)); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// vectorToArray is pgvector's vector_to_float4.
func vectorToArray(v Vector) *Array {
	a := &Array{Elem: TFloat4, Elems: make([]Datum, len(v)), LowerBound: 1}
	for i, x := range v {
		a.Elems[i] = float64(x)
	}
	return a
}
