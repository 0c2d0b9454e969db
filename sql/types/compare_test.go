package types

import (
	"hash/maphash"
)

var testSeed = maphash.MakeSeed()

func hashOf(t T, d Datum) uint64 {
	var h maphash.Hash
	h.SetSeed(testSeed)
	Hash(t, d, &h)
	return h.Sum64()
}
