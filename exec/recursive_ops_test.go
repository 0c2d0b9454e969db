package exec

import (
	"slices"
	"testing"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// recursivePlan is WITH RECURSIVE t(n) AS (VALUES (1), (2) UNION [ALL]
// SELECT n % mod + 1 FROM t WHERE n < limit) SELECT * FROM t.
func recursivePlan(t *testing.T, distinct bool, mod, limit string) *planner.RecursiveUnion {
	out := []planner.OutCol{{Name: "n", T: types.TInt4}}
	wt := &planner.WorkTableScan{ID: 7, Name: "t", Out: out}
	next := binop(t, "+", binop(t, "%", col(0, types.TInt4), i4(mod)), i4("1"))
	step := &planner.Project{
		Input: &planner.Filter{Input: wt, Cond: binop(t, "<", col(0, types.TInt4), i4(limit))},
		Exprs: []planner.Expr{next}, Out: out,
	}
	return &planner.RecursiveUnion{
		Init: &planner.Values{Rows: [][]planner.Expr{{i4("1")}, {i4("2")}}, Out: out},
		Step: step, ID: 7, Name: "t", Distinct: distinct, Out: out,
	}
}

// TestRecursiveUnion checks the iteration: UNION ALL keeps every row of
// every iteration, UNION drops rows seen in any earlier one (which ends a
// cycle), and the operator runs again when the plan is started again.
func TestRecursiveUnion(t *testing.T) {
	db := openDB(t)
	txn := db.Begin()
	defer txn.Rollback()
	tests := []struct {
		name       string
		distinct   bool
		mod, limit string
		want       []string
	}{
		// 1,2 -> 2,3 -> 3,4 -> 4 -> (none below 4)
		{"union all", false, "100", "4", []string{"1", "2", "2", "3", "3", "4", "4"}},
		{"union", true, "100", "4", []string{"1", "2", "3", "4"}},
		// n % 3 + 1 cycles 1 -> 2 -> 3 -> 1: UNION stops once all are seen.
		{"union over a cycle", true, "3", "100", []string{"1", "2", "3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := recursivePlan(t, tc.distinct, tc.mod, tc.limit)
			for range 2 {
				if got := mustRun(t, plan, rt(txn)); !slices.Equal(got, tc.want) {
					t.Fatalf("rows %v, want %v", got, tc.want)
				}
			}
		})
	}
}
