package sql

import (
	"github.com/vecgres/vecgres/exec"
	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// hnswKindTypes is the SQL type of each hnsw element kind: the type an
// operator class of that kind accepts.
var hnswKindTypes = map[hnsw.Kind]types.OID{
	hnsw.Vector:    types.VectorOID,
	hnsw.Halfvec:   types.HalfvecOID,
	hnsw.Sparsevec: types.SparsevecOID,
	hnsw.Bit:       types.BitOID,
}

// checkHNSWOpclass checks an operator class against the type of what the
// index holds (a column's, or an expression's), as PostgreSQL and
// pgvector do, in their order: a missing class (no type has a default
// one), an unknown class, a class of another type, a type the class
// accepts but hnsw does not (bit varying, which converts to bit without a
// cast), and then (checkHNSWDims) the dimensions.
func checkHNSWOpclass(col storage.Column, opclass string) error {
	if opclass == "" {
		return pgerr.New(pgerr.UndefinedObject, "data type %s has no default operator class for access method \"hnsw\"", types.Of(col.Type.OID)).
			WithHint("You must specify an operator class for the index or define a default operator class for the data type.")
	}
	_, kind, ok := hnsw.OpclassInfo(opclass)
	if !ok {
		return pgerr.New(pgerr.UndefinedObject, "operator class \"%s\" does not exist for access method \"hnsw\"", opclass)
	}
	if kind == hnsw.Bit && col.Type.OID == types.VarbitOID {
		return pgerr.New(pgerr.FeatureNotSupported, "type not supported for hnsw index")
	}
	if col.Type.OID != hnswKindTypes[kind] {
		return pgerr.New(pgerr.DatatypeMismatch, "operator class \"%s\" does not accept data type %s", opclass, typeNameForError(col.Type.OID))
	}
	return nil
}

// typeNameForError is a type's name as PostgreSQL's format_type_be writes
// it in messages: without a modifier, and bit unquoted (its output form
// "bit" is quoted only where a modifier is known to be absent).
func typeNameForError(oid types.OID) string {
	if oid == types.BitOID {
		return "bit"
	}
	return types.Of(oid).String()
}

// scanHNSWValues yields the row id and value of every row an hnsw index
// holds: its column's value, or for an expression index the expression's;
// rows outside a partial index's predicate, NULLs, and zero vectors under
// cosine distance are skipped (see exec.HNSWIndexed). Vector columns are
// read without decoding the row.
func (s *Session) scanHNSWValues(t *storage.Table, idx *storage.Index, yield func(id uint64, v hnsw.Value) error) error {
	it, err := s.txn.Scan(t)
	if err != nil {
		return err
	}
	defer it.Close()
	col := idx.Columns[0]
	metric, _, _ := hnsw.OpclassInfo(col.Opclass)
	vectorColumn := !idx.Derived() && t.Columns[col.Slot].Type.OID == types.VectorOID
	for it.Next() {
		var v hnsw.Value
		var ok bool
		switch {
		case vectorColumn:
			vec, null, err := storage.VectorColumn(it.Raw(), col.Slot, len(t.Columns))
			if err != nil {
				return err
			}
			v = hnsw.VectorValue(vec)
			ok = !null && !(metric == hnsw.Cosine && v.IsZero())
		case !idx.Derived():
			d, err := storage.DecodeColumn(it.Raw(), col.Slot)
			if err != nil {
				return err
			}
			v, ok = exec.HNSWIndexed(col.Opclass, d)
		default:
			row, err := it.Row()
			if err != nil {
				return err
			}
			key, in, err := s.txn.IndexKey(t, idx, row)
			if err != nil {
				return err
			}
			if in {
				v, ok = exec.HNSWIndexed(col.Opclass, key[0])
			}
		}
		if !ok {
			continue
		}
		if err := yield(uint64(it.ID()), v); err != nil {
			return err
		}
	}
	return it.Err()
}

// chargeValues wraps the yield of a build's rows so that the budget is
// charged for each row first, with what the graph keeps of its value (a
// halfvec's float16s, a sparsevec's elements, a bit string's bytes).
func chargeValues(b *indexBuildBudget, yield func(id uint64, v hnsw.Value) error) func(id uint64, v hnsw.Value) error {
	return func(id uint64, v hnsw.Value) error {
		if err := b.chargeBytes(int64(v.StoredBytes())); err != nil {
			return err
		}
		return yield(id, v)
	}
}
