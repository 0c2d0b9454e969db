package builtins

import (
	"strings"
	"testing"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// settingsEnv knows one setting.
type settingsEnv struct{ testEnv }

func (settingsEnv) Setting(name string) (string, error) {
	if name == "work_mem" {
		return "4MB", nil
	}
	return "", errUnknownSetting(name)
}

func TestSessionFunctions(t *testing.T) {
	env := settingsEnv{}
	for _, tc := range []struct {
		sig  string
		args []types.Datum
		want string
		vol  planner.Volatility
	}{
		{"now()", nil, "2020-09-13 12:26:40+00", planner.Stable},
		{"transaction_timestamp()", nil, "2020-09-13 12:26:40+00", planner.Stable},
		{"statement_timestamp()", nil, "2023-11-14 22:13:20+00", planner.Stable},
		{"clock_timestamp()", nil, "2023-11-14 22:13:20+00", planner.Volatile},
		{"current_user()", nil, "alice", planner.Stable},
		{"session_user()", nil, "alice", planner.Stable},
		{"current_database()", nil, "db", planner.Stable},
		{"current_schema()", nil, "public", planner.Stable},
		{"pg_backend_pid()", nil, "42", planner.Stable},
		{"current_setting(text)", []types.Datum{"work_mem"}, "4MB", planner.Stable},
		{"current_setting(text)", []types.Datum{"nope"}, `ERROR 42704: unrecognized configuration parameter "nope"`, planner.Stable},
		{"current_setting(text,bool)", []types.Datum{"nope", true}, "NULL", planner.Stable},
		{"current_setting(text,bool)", []types.Datum{"nope", false}, "ERROR 42704", planner.Stable},
		{"current_setting(text,bool)", []types.Datum{"work_mem", true}, "4MB", planner.Stable},
		{"set_config(text,text,bool)", []types.Datum{"work_mem", "8MB", false}, "8MB", planner.Volatile},
		{"nextval(regclass)", []types.Datum{int64(16384)}, "1", planner.Volatile},
		{"setval(regclass,int8)", []types.Datum{int64(16384), int64(9)}, "9", planner.Volatile},
		{"random()", nil, "", planner.Volatile},
		{"pi()", nil, "3.141592653589793", planner.Immutable},
	} {
		o, ts := lookup(t, tc.sig)
		if o.Volatility != tc.vol {
			t.Errorf("%s: volatility %c, want %c", tc.sig, o.Volatility, tc.vol)
		}
		got, err := o.Impl(env, tc.args)
		if tc.want == "" {
			continue
		}
		checkResult(t, tc.sig, o.ResultType(ts), got, err, tc.want)
	}
	o, _ := lookup(t, "version()")
	v, err := o.Impl(env, nil)
	if err != nil || !strings.HasPrefix(v.(string), "PostgreSQL "+ServerVersion+" ") {
		t.Errorf("version() = %v, %v", v, err)
	}
}

// TestRandom checks random() stays in [0, 1).
func TestRandom(t *testing.T) {
	o, _ := lookup(t, "random()")
	for range 1000 {
		v, _ := o.Impl(testEnv{}, nil)
		if f := v.(float64); f < 0 || f >= 1 {
			t.Fatalf("random() = %v", f)
		}
	}
}
