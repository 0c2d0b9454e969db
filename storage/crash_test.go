package storage

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/types"
)

// The kill -9 test runs this file's child in another process, which
// commits transactions of crashRowsPerTxn rows and prints "committed N"
// after each Commit returns; the parent kills it with SIGKILL mid-stream
// and checks that every acknowledged transaction is on disk, whole, and
// nothing else is.
const (
	crashChildEnv   = "VECGRES_STORAGE_CRASH_CHILD_DIR"
	crashRowsPerTxn = 7
)

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("run by TestKill9")
	}
	round := os.Getenv(crashChildEnv + "_ROUND")
	db, err := Open(Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		fmt.Println("error: open:", err)
		os.Exit(2)
	}
	if _, ok := db.Catalog().TableByName("public", "items"); !ok {
		newFixture(t, db)
		createSeq(t, db, &Sequence{Schema: "public", Name: "ids", Start: 1, Increment: 1, Min: 1, Max: 1 << 62})
	}
	tbl, _ := db.Catalog().TableByName("public", "items")
	oid, _, _ := db.Catalog().RelationOID("public", "ids")
	seq, _ := db.Catalog().Sequence(oid)
	out := bufio.NewWriter(os.Stdout)
	fail := func(err error) {
		fmt.Fprintln(out, "error:", err)
		out.Flush()
		os.Exit(2)
	}
	for n := 1; ; n++ {
		tx := db.Begin()
		for range crashRowsPerTxn {
			id, err := tx.NextVal(bg, seq)
			if err != nil {
				fail(err)
			}
			// A reused sequence value would fail here with 23505.
			if _, err = tx.Insert(bg, tbl, []types.Datum{id, round + "/" + strconv.Itoa(n), types.Vector{1, 2, 3}}); err != nil {
				fail(err)
			}
		}
		if err := tx.Commit(); err != nil {
			fail(err)
		}
		fmt.Fprintf(out, "committed %d\n", n)
		out.Flush()
	}
}

func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashChildEnv+"_ROUND="+strconv.Itoa(round))
		stdout, err := cmd.StdoutPipe()
		must(t, err)
		must(t, cmd.Start())
		sc := bufio.NewScanner(stdout)
		deadline := time.Now().Add(20 * time.Second)
		acked := 0
		for sc.Scan() {
			line := sc.Text()
			if n, ok := strings.CutPrefix(line, "committed "); ok {
				acked, _ = strconv.Atoi(n)
			} else if strings.HasPrefix(line, "error") {
				_ = cmd.Process.Kill()
				t.Fatalf("round %d: child: %s", round, line)
			}
			if acked >= 40 || time.Now().After(deadline) {
				break
			}
		}
		must(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		if acked == 0 {
			t.Fatalf("round %d: child acknowledged nothing", round)
		}

		db := openDir(t, dir)
		tbl, ok := db.Catalog().TableByName("public", "items")
		if !ok {
			t.Fatal("table lost")
		}
		tx := db.Begin()
		perTxn := map[string]int{}
		for _, r := range scanAll(t, tx, tbl) {
			perTxn[r[1].(string)]++
		}
		tx.Rollback()
		must(t, db.Close())
		for n := 1; n <= acked; n++ {
			if c := perTxn[fmt.Sprintf("%d/%d", round, n)]; c != crashRowsPerTxn {
				t.Fatalf("round %d: acknowledged txn %d has %d rows, want %d", round, n, c, crashRowsPerTxn)
			}
		}
		for name, c := range perTxn {
			if c != crashRowsPerTxn {
				t.Fatalf("txn %s is torn: %d rows", name, c)
			}
		}
	}
}
