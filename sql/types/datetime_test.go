package types

import (
	"encoding/hex"
	"math"
	"testing"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
)

func TestInfinitySentinels(t *testing.T) {
	for _, typ := range []T{TTimestampTZ, TTimestamp, TDate} {
		for _, s := range []string{"infinity", "-infinity", " Infinity ", "-INFINITY"} {
			d, err := ParseText(typ, s)
			if err != nil {
				t.Fatalf("%s %q: %v", typ, s, err)
			}
			v := d.(time.Time)
			if !IsInfinity(v) && !IsNegInfinity(v) {
				t.Errorf("%s %q is not a sentinel", typ, s)
			}
		}
	}
	last, _ := ParseText(TDate, "5874897-12-31")
	if Compare(TDate, last, InfinityTime) >= 0 || Compare(TDate, NegInfinityTime, last) >= 0 {
		t.Error("sentinels do not bound the largest date")
	}
}

func TestDateTimeBinary(t *testing.T) {
	tests := []struct {
		t   T
		in  string
		hex string
	}{
		{TTimestampTZ, "2000-01-01 00:00:00+00", "0000000000000000"},
		{TTimestampTZ, "2000-01-01 00:00:00.000001+00", "0000000000000001"},
		{TTimestampTZ, "1999-12-31 23:59:59.999999+00", "ffffffffffffffff"},
		{TTimestampTZ, "infinity", "7fffffffffffffff"},
		{TTimestampTZ, "-infinity", "8000000000000000"},
		{TTimestamp, "2000-01-02 00:00:00", "000000141dd76000"},
		{TDate, "2000-01-02", "00000001"},
		{TDate, "1999-12-31", "ffffffff"},
		{TDate, "infinity", "7fffffff"},
		{TDate, "-infinity", "80000000"},
	}
	for _, tt := range tests {
		d, err := ParseText(tt.t, tt.in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := AppendBinary(nil, tt.t, d)
		if err != nil || hex.EncodeToString(b) != tt.hex {
			t.Errorf("%s %s sends %x, %v; want %s", tt.t, tt.in, b, err, tt.hex)
		}
		back, err := ParseBinary(tt.t, b)
		if err != nil || !Equal(tt.t, d, back) {
			t.Errorf("%s %s: recv gave %v, %v", tt.t, tt.in, back, err)
		}
	}
	if got := timeFromMicros(math.MinInt64 + 1); IsNegInfinity(got) {
		t.Error("a finite timestamp became -infinity")
	}
}

func TestDateTimeErrors(t *testing.T) {
	runTextCases(t, []textCase{
		{TTimestampTZ, "2024-01-02 03:04:05 Foo/Bar", `time zone "foo/bar" not recognized`, pgerr.InvalidParameterValue},
		{TTimestampTZ, "2024-01-02 03:04:05 +16", `time zone displacement out of range: "2024-01-02 03:04:05 +16"`, pgerr.InvalidTimeZoneDisplacement},
		{TTimestamp, "294277-01-01", `timestamp out of range: "294277-01-01"`, pgerr.DatetimeFieldOverflow},
		{TDate, "2024-02-30", `date/time field value out of range: "2024-02-30"`, pgerr.DatetimeFieldOverflow},
		{TDate, "2024-13-01", `date/time field value out of range: "2024-13-01"`, pgerr.DatetimeFieldOverflow},
		{TDate, "bogus", `invalid input syntax for type date: "bogus"`, pgerr.InvalidDatetimeFormat},
		{TTimestampTZ, "2024-01-02 03:04:05 03:04:05", `invalid input syntax for type timestamp with time zone: "2024-01-02 03:04:05 03:04:05"`, pgerr.InvalidDatetimeFormat},
		{TTimestamp, "2024-01-02 13:00 pm", `date/time field value out of range: "2024-01-02 13:00 pm"`, pgerr.DatetimeFieldOverflow},
		{TTimestamp, "2024-01-02 12:00 am", "2024-01-02 00:00:00", ""},
		{TTimestamp, "2024-01-02 12:00 pm", "2024-01-02 12:00:00", ""},
		{TTimestamp, "Jan 2, 99", "1999-01-02 00:00:00", ""},
		{TTimestamp, "2024-01-02 03:04:05.9999999", "2024-01-02 03:04:06", ""},
	})
	_, err := ParseText(TDate, "2024-13-01")
	if pe, ok := err.(*pgerr.Error); !ok || pe.Hint != `Perhaps you need a different "datestyle" setting.` {
		t.Errorf("month 13: %v, want the datestyle hint", err)
	}
}
