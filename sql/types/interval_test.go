package types

import (
	"testing"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// TestIntervalText checks interval input in every accepted form and the
// postgres-style output against what PostgreSQL 15 prints for the same
// input ('...'::interval), errors by SQLSTATE.
func TestIntervalText(t *testing.T) {
	tests := []struct{ in, out, code string }{
		{"1 day 02:03:04", "1 day 02:03:04", ""},
		{"3 mons", "3 mons", ""},
		{"-1 years -2 mons +3 days -04:05:06.5", "-1 years -2 mons +3 days -04:05:06.5", ""},
		{"P1Y2M3DT4H5M6S", "1 year 2 mons 3 days 04:05:06", ""},
		{"P1Y2M3DT4H5M6.5S", "1 year 2 mons 3 days 04:05:06.5", ""},
		{"PT1.5S", "00:00:01.5", ""},
		{"P1W", "7 days", ""},
		{"P1.5Y", "1 year 6 mons", ""},
		{"P0.5M", "15 days", ""},
		{"@ 1 day ago", "-1 days", ""},
		{"1 day ago", "-1 days", ""},
		{"1.5 weeks", "10 days 12:00:00", ""},
		{"1.5 months", "1 mon 15 days", ""},
		{"1.5 years", "1 year 6 mons", ""},
		{"1.25 days", "1 day 06:00:00", ""},
		{"1.5 hours", "01:30:00", ""},
		{"0.5 minutes", "00:00:30", ""},
		{"10", "00:00:10", ""},
		{"1 2:03:04", "1 day 02:03:04", ""},
		{"1-2", "1 year 2 mons", ""},
		{"-1-2", "-1 years -2 mons", ""},
		{"1:30", "01:30:00", ""},
		{"-1:30:15.25", "-01:30:15.25", ""},
		{"1 year 1 month 1 week 1 day 1 hour 1 minute 1 second 1 millisecond 1 microsecond", "1 year 1 mon 8 days 01:01:01.001001", ""},
		{"2 decades 3 centuries 1 millennium", "1320 years", ""},
		{"1d 2h 3m 4s", "1 day 02:03:04", ""},
		{"100 ms", "00:00:00.1", ""},
		{"1000000 us", "00:00:01", ""},
		{"0", "00:00:00", ""},
		{"00:00:00", "00:00:00", ""},
		{"-0.000001 seconds", "-00:00:00.000001", ""},
		{"1 day -1 second", "1 day -00:00:01", ""},
		{"-1 day +1 second", "-1 days +00:00:01", ""},
		{"1 mon -1 days", "1 mon -1 days", ""},
		{"2562047788:00:54.775807", "2562047788:00:54.775807", ""},
		{"-2562047788:00:54.775808", "", "22007"},
		{"2147483647 days", "2147483647 days", ""},
		{"2147483648 days", "", "22015"},
		{"178956970 years", "178956970 years", ""},
		{"178956971 years", "", "22008"},
		{"abc", "", "22007"},
		{"1:60", "", "22015"},
		{"1 fortnight", "", "22007"},
		{"1 day 2 days", "", "22007"},
	}
	for _, tc := range tests {
		iv, err := ParseInterval(tc.in)
		if tc.code != "" {
			if err == nil || pgerr.From(err).Code != pgerr.Code(tc.code) {
				t.Errorf("%q: got %v, %v; want SQLSTATE %s", tc.in, iv, err, tc.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := iv.String(); got != tc.out {
			t.Errorf("%q: printed %q, want %q", tc.in, got, tc.out)
		}
	}
}

func mustInterval(t *testing.T, s string) Interval {
	t.Helper()
	iv, err := ParseInterval(s)
	if err != nil {
		t.Fatal(err)
	}
	return iv
}

// TestIntervalArithmetic checks interval arithmetic, justification and
// ordering against PostgreSQL 15's answers.
func TestIntervalArithmetic(t *testing.T) {
	tests := []struct {
		name string
		f    func() (Interval, error)
		want string
	}{
		{"1 day + 25 hours", func() (Interval, error) { return AddIntervals(mustInterval(t, "1 day"), mustInterval(t, "25 hours")) }, "1 day 25:00:00"},
		{"1 mon - 1 day", func() (Interval, error) { return SubtractIntervals(mustInterval(t, "1 mon"), mustInterval(t, "1 day")) }, "1 mon -1 days"},
		{"1 mon * 1.5", func() (Interval, error) { return MulInterval(mustInterval(t, "1 mon"), 1.5) }, "1 mon 15 days"},
		{"1 day * 0.3", func() (Interval, error) { return MulInterval(mustInterval(t, "1 day"), 0.3) }, "07:12:00"},
		{"1 mon 1 day / 7", func() (Interval, error) { return DivInterval(mustInterval(t, "1 mon 1 day"), 7) }, "4 days 10:17:08.546743"},
		{"1 year / 3", func() (Interval, error) { return DivInterval(mustInterval(t, "1 year"), 3) }, "4 mons"},
		{"-(1 day -2 hours)", func() (Interval, error) { return NegateInterval(mustInterval(t, "1 day -2 hours")) }, "-1 days +02:00:00"},
		{"justify_hours(50 hours)", func() (Interval, error) { return JustifyHours(mustInterval(t, "50 hours")) }, "2 days 02:00:00"},
		{"justify_days(65 days)", func() (Interval, error) { return JustifyDays(mustInterval(t, "65 days")) }, "2 mons 5 days"},
		{"justify_days(1 mon -35 days)", func() (Interval, error) { return JustifyDays(mustInterval(t, "1 mon -35 days")) }, "-5 days"},
		{"justify_interval(1 mon -1 hour)", func() (Interval, error) { return JustifyInterval(mustInterval(t, "1 mon -1 hour")) }, "29 days 23:00:00"},
		{"justify_interval(-1 mon 50 hours)", func() (Interval, error) { return JustifyInterval(mustInterval(t, "-1 mon 50 hours")) }, "-27 days -22:00:00"},
	}
	for _, tc := range tests {
		got, err := tc.f()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got.String() != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, got, tc.want)
		}
	}
	if _, err := DivInterval(mustInterval(t, "1 day"), 0); pgerr.From(err).Code != pgerr.DivisionByZero {
		t.Errorf("1 day / 0: %v", err)
	}
	if _, err := AddIntervals(mustInterval(t, "2147483647 days"), mustInterval(t, "1 day")); pgerr.From(err).Code != pgerr.DatetimeFieldOverflow {
		t.Errorf("2147483647 days + 1 day: %v", err)
	}
	order := []string{"-1 year", "-29 days", "1 day -24 hours", "23:59:59.999999", "24:00:00", "1 day", "29 days 24:00:00", "1 mon", "30 days 00:00:01", "1 year"}
	for i := range order {
		for j := range order {
			a, b := mustInterval(t, order[i]), mustInterval(t, order[j])
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			// "24:00:00" equals "1 day", "29 days 24:00:00" equals "1 mon".
			eq := map[string]string{"24:00:00": "1 day", "29 days 24:00:00": "1 mon"}
			if eq[order[i]] == order[j] || eq[order[j]] == order[i] {
				want = 0
			}
			if order[i] == "1 day -24 hours" && order[j] == "-29 days" {
				want = 1
			}
			if got := CompareInterval(a, b); got != want {
				t.Errorf("compare(%q, %q) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
}

// TestIntervalTimes checks timestamp arithmetic: month-end clamping,
// days across a daylight-saving change, subtraction and age.
func TestIntervalTimes(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	ts := func(s string, loc *time.Location) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	add := []struct {
		from, iv string
		loc      *time.Location
		want     string
	}{
		{"2024-01-31 10:00:00", "1 mon", time.UTC, "2024-02-29 10:00:00"},
		{"2023-01-31 10:00:00", "1 mon", time.UTC, "2023-02-28 10:00:00"},
		{"2024-03-31 00:00:00", "-1 mon", time.UTC, "2024-02-29 00:00:00"},
		{"2024-01-31 00:00:00", "1 mon 1 day", time.UTC, "2024-03-01 00:00:00"},
		{"2024-12-15 00:00:00", "14 mons", time.UTC, "2026-02-15 00:00:00"},
		{"2024-03-09 12:00:00", "1 day", ny, "2024-03-10 12:00:00"},
		{"2024-03-09 12:00:00", "24 hours", ny, "2024-03-10 13:00:00"},
	}
	for _, tc := range add {
		got, err := AddIntervalToTime(ts(tc.from, tc.loc), mustInterval(t, tc.iv), tc.loc)
		if err != nil {
			t.Errorf("%s + %s: %v", tc.from, tc.iv, err)
			continue
		}
		if s := got.In(tc.loc).Format("2006-01-02 15:04:05"); s != tc.want {
			t.Errorf("%s + %s = %s, want %s", tc.from, tc.iv, s, tc.want)
		}
	}
	sub := []struct{ a, b, diff, age string }{
		{"2024-03-01 00:00:00", "2024-01-01 00:00:00", "60 days", "2 mons"},
		{"2024-01-01 00:00:00", "2024-03-01 12:00:00", "-60 days -12:00:00", "-2 mons -12:00:00"},
		{"2001-04-10 00:00:00", "1957-06-13 00:00:00", "16007 days", "43 years 9 mons 27 days"},
		{"2024-03-01 10:00:00", "2024-01-31 11:30:00", "29 days 22:30:00", "1 mon 22:30:00"},
	}
	for _, tc := range sub {
		a, b := ts(tc.a, time.UTC), ts(tc.b, time.UTC)
		d, err := SubtractTimes(a, b)
		if err != nil || d.String() != tc.diff {
			t.Errorf("%s - %s = %v (%v), want %s", tc.a, tc.b, d, err, tc.diff)
		}
		age, err := Age(a, b, time.UTC)
		if err != nil || age.String() != tc.age {
			t.Errorf("age(%s, %s) = %v (%v), want %s", tc.a, tc.b, age, err, tc.age)
		}
	}
}

// TestIntervalBinary checks the wire form: int64 microseconds, int32
// days, int32 months, big-endian.
func TestIntervalBinary(t *testing.T) {
	iv := mustInterval(t, "1 year 2 mons -3 days 04:05:06.5")
	b, err := AppendBinary(nil, TInterval, iv)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 0, 0, 3, 0x6C, 0x93, 0x61, 0xA0, 0xFF, 0xFF, 0xFF, 0xFD, 0, 0, 0, 14}
	if string(b) != string(want) {
		t.Fatalf("binary % x, want % x", b, want)
	}
	back, err := ParseBinary(TInterval, b)
	if err != nil || back.(Interval) != iv {
		t.Fatalf("round trip: %v, %v", back, err)
	}
	if _, err := ParseBinary(TInterval, b[:12]); err == nil {
		t.Fatal("a 12-byte interval was accepted")
	}
}
