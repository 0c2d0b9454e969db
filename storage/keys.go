package storage

import (
	"encoding/binary"

	"github.com/vecgres/vecgres/sql/types"
)

// Key spaces: the first byte of every key says what the key is. See the
// package documentation for the layout of each space.
const (
	spaceMeta      byte = 0x01 // singletons: OID counter, format version, catalog version
	spaceCatalog   byte = 0x02 // descriptor by OID (JSON)
	spaceRows      byte = 0x03 // table OID, row id -> encoded row
	spaceSequences byte = 0x04 // sequence OID -> sequence state
	spaceBtree     byte = 0x05 // index OID, key datums [, row id] -> row id
	spaceIndexData byte = 0x06 // index OID, key chosen by the index package -> value
)

// Meta keys (space 0x01).
var (
	metaFormatKey   = []byte{spaceMeta, 'f'} // uint32 BE on-disk format version
	metaNextOIDKey  = []byte{spaceMeta, 'o'} // uint32 BE: next OID to hand out
	metaCatalogVers = []byte{spaceMeta, 'v'} // uint64 BE: Catalog.Version
	metaRowCounts   = []byte{spaceMeta, 'n'} // + table OID: uint64 BE row count
)

// formatVersion is the on-disk layout described in doc.go. Open refuses a
// data directory with a different one.
const formatVersion = 1

// RowID identifies a row within its table. Row ids are allocated from a
// per-table counter, increase over time, and are never reused while the
// data directory lives (gaps are normal).
type RowID uint64

func oidKey(space byte, oid types.OID) []byte {
	k := make([]byte, 5, 16)
	k[0] = space
	binary.BigEndian.PutUint32(k[1:], uint32(oid))
	return k
}

func rowCountKey(table types.OID) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), metaRowCounts...), uint32(table))
}

func catalogKey(oid types.OID) []byte { return oidKey(spaceCatalog, oid) }

func sequenceKey(oid types.OID) []byte { return oidKey(spaceSequences, oid) }

// tablePrefix is the common prefix of every row key of the table.
func tablePrefix(table types.OID) []byte { return oidKey(spaceRows, table) }

func rowKey(table types.OID, id RowID) []byte {
	k := make([]byte, 13)
	k[0] = spaceRows
	binary.BigEndian.PutUint32(k[1:], uint32(table))
	binary.BigEndian.PutUint64(k[5:], uint64(id))
	return k
}

func appendRowKey(dst []byte, table types.OID, id RowID) []byte {
	dst = append(dst, spaceRows)
	dst = binary.BigEndian.AppendUint32(dst, uint32(table))
	return binary.BigEndian.AppendUint64(dst, uint64(id))
}

// rowIDFromKey returns the row id of a row key.
func rowIDFromKey(k []byte) RowID {
	return RowID(binary.BigEndian.Uint64(k[len(k)-8:]))
}

func btreePrefix(index types.OID) []byte { return oidKey(spaceBtree, index) }

func indexDataPrefix(index types.OID) []byte { return oidKey(spaceIndexData, index) }

// prefixEnd returns the smallest key greater than every key that starts
// with p, or nil if there is none (p is all 0xff).
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}
