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
	var v Vector
	err := scanElements(s, errVectorSyntax, errVectorDims, func(f float64, rangeErr bool, text string) error {
		if rangeErr && math.IsInf(f, 0) {
			return pgerr.New(pgerr.NumericValueOutOfRange, "\"%s\" is out of range for type vector", text)
		}
		if err := checkVectorElement(f); err != nil {
			return err
		}
		v = append(v, float32(f))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// scanElements reads the text form that vector and halfvec share: '['
// elements separated by ',' ']' with white space allowed around
// everything, at least one and at most VectorMaxDim elements, each read
// as C's strtof reads a float4 (rangeErr: it overflowed or underflowed)
// and handed to add with its text. syntax and dims make the type's errors.
func scanElements(s string, syntax func(string) *pgerr.Error, dims func(int) error,
	add func(f float64, rangeErr bool, text string) error) error {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '[' {
		return syntax(s).WithDetail("Vector contents must start with \"[\".")
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		return dims(0)
	}
	for count := 0; ; count++ {
		if count == VectorMaxDim {
			return dims(count + 1)
		}
		i = skipSpace(s, i)
		n := scanFloat(s[i:])
		if n == 0 {
			return syntax(s)
		}
		f, rangeErr := strtod(s[i:i+n], 32)
		if err := add(f, rangeErr, s[i:i+n]); err != nil {
			return err
		}
		i = skipSpace(s, i+n)
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		if i < len(s) && s[i] == ']' {
			i++
			break
		}
		return syntax(s)
	}
	if skipSpace(s, i) != len(s) {
		return syntax(s).WithDetail("Junk after closing right brace.")
	}
	return nil
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
