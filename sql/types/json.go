package types

import (
	"hash/maphash"
	"strings"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func parseJSON(s string) (Datum, error)  { return nil, errNoIO(TJSON) }
func parseJSONB(s string) (Datum, error) { return nil, errNoIO(TJSONB) }

func castJSON(v JSON, from, to T) (Datum, error) {
	switch {
	case from.OID == JSONOID && to.OID == JSONBOID:
		return parseJSONB(string(v))
	case from.OID == JSONBOID && to.OID == JSONOID:
		return v, nil
	}
	return nil, errCannotCast(from, to)
}

func compareJSONB(a, b JSON) int { return strings.Compare(string(a), string(b)) }

func hashJSONB(a JSON, h *maphash.Hash) { h.WriteString(string(a)) }

func recvJSONB(r *reader) (Datum, error) {
	b := r.take(len(r.b))
	if len(b) == 0 || b[0] != 1 {
		return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "unsupported jsonb version number %d", firstByte(b))
	}
	return parseJSONB(string(b[1:]))
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	return int(b[0])
}
