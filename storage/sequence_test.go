package storage

import (
	"math"
	"sync"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

func createSeq(t testing.TB, db *DB, s *Sequence) *Sequence {
	t.Helper()
	tx := db.Begin()
	must(t, tx.CreateSequence(bg, s))
	must(t, tx.Commit())
	return s
}

func nextVals(t testing.TB, db *DB, s *Sequence, n int) []int64 {
	t.Helper()
	tx := db.Begin()
	defer tx.Rollback()
	out := make([]int64, n)
	for i := range out {
		v, err := tx.NextVal(bg, s)
		must(t, err)
		out[i] = v
	}
	return out
}

func TestNextValSemantics(t *testing.T) {
	tests := []struct {
		name    string
		seq     Sequence
		n       int
		want    []int64
		errMsg  string // error on the call after want
		errCode pgerr.Code
	}{
		{"serial", Sequence{Start: 1, Increment: 1, Min: 1, Max: math.MaxInt32}, 3, []int64{1, 2, 3}, "", ""},
		{"step", Sequence{Start: 5, Increment: 10, Min: 1, Max: 100}, 3, []int64{5, 15, 25}, "", ""},
		{"max", Sequence{Start: 2147483646, Increment: 1, Min: 1, Max: math.MaxInt32}, 2, []int64{2147483646, 2147483647},
			`nextval: reached maximum value of sequence "s" (2147483647)`, "2200H"},
		{"descending min", Sequence{Start: -1, Increment: -1, Min: -3, Max: -1}, 3, []int64{-1, -2, -3},
			`nextval: reached minimum value of sequence "s" (-3)`, "2200H"},
		{"cycle", Sequence{Start: 2, Increment: 2, Min: 1, Max: 6, Cycle: true}, 5, []int64{2, 4, 6, 1, 3}, "", ""},
		{"cycle descending", Sequence{Start: 3, Increment: -2, Min: 1, Max: 4, Cycle: true}, 4, []int64{3, 1, 4, 2}, "", ""},
		{"int64 overflow", Sequence{Start: math.MaxInt64 - 1, Increment: 5, Min: 1, Max: math.MaxInt64}, 1, []int64{math.MaxInt64 - 1},
			`nextval: reached maximum value of sequence "s" (9223372036854775807)`, "2200H"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openMem(t)
			s := tc.seq
			s.Schema, s.Name, s.Type = "public", "s", types.TInt8
			createSeq(t, db, &s)
			got := nextVals(t, db, &s, tc.n)
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
			if tc.errCode != "" {
				_, err := db.Begin().NextVal(bg, &s)
				pe := wantCode(t, err, tc.errCode)
				if pe.Message != tc.errMsg {
					t.Fatalf("message %q", pe.Message)
				}
			}
		})
	}
}

func TestSetVal(t *testing.T) {
	db := openMem(t)
	s := createSeq(t, db, &Sequence{Schema: "public", Name: "s", Start: 1, Increment: 1, Min: 1, Max: 100})
	tx := db.Begin()
	defer tx.Rollback()
	must(t, tx.SetVal(bg, s, 50, true))
	if v, _ := tx.NextVal(bg, s); v != 51 {
		t.Fatalf("after setval(50, true): %d", v)
	}
	must(t, tx.SetVal(bg, s, 50, false))
	if v, _ := tx.NextVal(bg, s); v != 50 {
		t.Fatalf("after setval(50, false): %d", v)
	}
	pe := wantCode(t, tx.SetVal(bg, s, 0, true), pgerr.NumericValueOutOfRange)
	if pe.Message != `setval: value 0 is out of bounds for sequence "s" (1..100)` {
		t.Fatalf("message %q", pe.Message)
	}
	last, called, err := tx.SequenceState(s)
	if err != nil || last != 50 || !called {
		t.Fatalf("state %d %v %v", last, called, err)
	}
}

// nextval is not transactional: a rollback does not give values back.
func TestNextValNotRolledBack(t *testing.T) {
	db := openMem(t)
	s := createSeq(t, db, &Sequence{Schema: "public", Name: "s", Start: 1, Increment: 1, Min: 1, Max: 100})
	tx := db.Begin()
	must(t, tx.LockForWrite(bg))
	v, err := tx.NextVal(bg, s)
	must(t, err)
	tx.Rollback()
	if got := nextVals(t, db, s, 1)[0]; got != v+1 {
		t.Fatalf("after rollback got %d, want %d", got, v+1)
	}
}

// A sequence created in a transaction exists only if it commits.
func TestSequenceCreatedInTxn(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	s := &Sequence{Schema: "public", Name: "s", Start: 1, Increment: 1, Min: 1, Max: 100}
	must(t, tx.CreateSequence(bg, s))
	for want := int64(1); want <= 3; want++ {
		if v, err := tx.NextVal(bg, s); err != nil || v != want {
			t.Fatalf("nextval = %d, %v", v, err)
		}
	}
	if _, err := db.Begin().NextVal(bg, s); err == nil {
		t.Fatal("another txn used an uncommitted sequence")
	}
	tx.Rollback()
	if _, err := db.Begin().NextVal(bg, s); err == nil {
		t.Fatal("rolled back sequence exists")
	}

	tx = db.Begin()
	s.OID = 0
	must(t, tx.CreateSequence(bg, s))
	_, err := tx.NextVal(bg, s)
	must(t, err)
	must(t, tx.Commit())
	if v := nextVals(t, db, s, 1)[0]; v != 2 {
		t.Fatalf("after commit: %d", v)
	}
}

func TestSequencePersistence(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	s := createSeq(t, db, &Sequence{Schema: "public", Name: "s", Start: 1, Increment: 1, Min: 1, Max: math.MaxInt64})
	got := nextVals(t, db, s, 10)
	must(t, db.Close())

	// A clean restart continues exactly.
	db = openDir(t, dir)
	if v := nextVals(t, db, s, 1)[0]; v != got[9]+1 {
		t.Fatalf("after clean restart: %d, want %d", v, got[9]+1)
	}
	tx := db.Begin()
	must(t, tx.SetVal(bg, s, 500, false))
	must(t, db.Close())
	db = openDir(t, dir)
	defer db.Close()
	if v := nextVals(t, db, s, 1)[0]; v != 500 {
		t.Fatalf("setval not persisted: %d", v)
	}
}

// After a crash no value is handed out twice, however the values were
// taken (many quickly, in committing and rolled back transactions).
func TestSequenceNoReuseAfterCrash(t *testing.T) {
	cfs := newCrashFS()
	db := cfs.open(t)
	s := createSeq(t, db, &Sequence{Schema: "public", Name: "s", Start: 1, Increment: 1, Min: 1, Max: math.MaxInt64})
	seen := map[int64]bool{}
	for round := range 5 {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				vals := nextVals(t, db, s, 200)
				mu.Lock()
				defer mu.Unlock()
				for _, v := range vals {
					if seen[v] {
						t.Errorf("round %d: value %d handed out twice", round, v)
					}
					seen[v] = true
				}
			}()
		}
		wg.Wait()
		db = cfs.crash(t, db)
	}
	must(t, db.Close())
}

func TestDropSequence(t *testing.T) {
	db := openMem(t)
	s := createSeq(t, db, &Sequence{Schema: "public", Name: "s", Start: 1, Increment: 1, Min: 1, Max: 10})
	nextVals(t, db, s, 1)
	tx := db.Begin()
	must(t, tx.DropSequence(bg, s.OID))
	// Others still use it until the DROP commits.
	nextVals(t, db, s, 1)
	must(t, tx.Commit())
	_, err := db.Begin().NextVal(bg, s)
	wantCode(t, err, pgerr.UndefinedTable)
	if _, ok := db.Catalog().Sequence(s.OID); ok {
		t.Fatal("dropped sequence in catalog")
	}
}

func TestDropTableDropsOwnedSequence(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	tbl := &Table{Schema: "public", Name: "t", Columns: []Column{{Name: "id", Type: types.TInt4, Attnum: 1}}}
	must(t, tx.CreateTable(bg, tbl))
	s := &Sequence{Schema: "public", Name: "t_id_seq", Start: 1, Increment: 1, Min: 1, Max: math.MaxInt32,
		OwnedByTable: tbl.OID, OwnedBySlot: 0}
	must(t, tx.CreateSequence(bg, s))
	must(t, tx.Commit())
	tx = db.Begin()
	must(t, tx.DropTable(bg, tbl.OID))
	must(t, tx.Commit())
	if _, _, ok := db.Catalog().RelationOID("public", "t_id_seq"); ok {
		t.Fatal("owned sequence survived DROP TABLE")
	}
}
