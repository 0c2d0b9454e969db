package hnsw

import (
	"errors"
	"maps"
	"slices"
	"sync"
)

// memStore is an in-memory Store, a stand-in for a storage transaction's
// batch.
type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMemStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) Put(key, value []byte) error {
	s.mu.Lock()
	s.m[string(key)] = append([]byte{}, value...)
	s.mu.Unlock()
	return nil
}

func (s *memStore) Delete(key []byte) error {
	s.mu.Lock()
	delete(s.m, string(key))
	s.mu.Unlock()
	return nil
}

// iter yields the records in key order, as a storage scan would.
func (s *memStore) iter(yield func(key, value []byte) error) error {
	for _, k := range slices.Sorted(maps.Keys(s.m)) {
		if err := yield([]byte(k), s.m[k]); err != nil {
			return err
		}
	}
	return nil
}

// clone returns a copy of s.
func (s *memStore) clone() *memStore {
	return &memStore{m: maps.Clone(s.m)}
}

// failStore fails every write after the first ok ones.
type failStore struct {
	ok int
}

var errFail = errors.New("disk on fire")

func (s *failStore) Put(key, value []byte) error { return s.write() }
func (s *failStore) Delete(key []byte) error     { return s.write() }

func (s *failStore) write() error {
	if s.ok == 0 {
		return errFail
	}
	s.ok--
	return nil
}
