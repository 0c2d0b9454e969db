package types

import (
	"math"
	"time"
)

// Infinite timestamps and dates are time.Time sentinels far outside
// PostgreSQL's range, so that they order correctly with time.Time's
// Compare: any value at or after InfinityTime prints as "infinity", any at
// or before NegInfinityTime as "-infinity".
var (
	InfinityTime    = time.Date(1000000, 1, 1, 0, 0, 0, 0, time.UTC)
	NegInfinityTime = time.Date(-1000000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// pgEpoch is PostgreSQL's epoch for binary dates and timestamps.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

const pgEpochUnix = 946684800

// IsInfinity reports whether t is the +infinity sentinel.
func IsInfinity(t time.Time) bool { return !t.Before(InfinityTime) }

// IsNegInfinity reports whether t is the -infinity sentinel.
func IsNegInfinity(t time.Time) bool { return !t.After(NegInfinityTime) }

func timeFromMicros(us int64) time.Time {
	switch us {
	case math.MaxInt64:
		return InfinityTime
	case math.MinInt64:
		return NegInfinityTime
	}
	sec := us / 1e6
	rem := us % 1e6
	if rem < 0 {
		sec--
		rem += 1e6
	}
	return time.Unix(sec+pgEpochUnix, rem*1000).UTC()
}

func microsFromTime(t time.Time) int64 {
	switch {
	case IsInfinity(t):
		return math.MaxInt64
	case IsNegInfinity(t):
		return math.MinInt64
	}
	return (t.Unix()-pgEpochUnix)*1e6 + int64(t.Nanosecond()/1000)
}

func dateFromDays(days int32) time.Time {
	switch days {
	case math.MaxInt32:
		return InfinityTime
	case math.MinInt32:
		return NegInfinityTime
	}
	return pgEpoch.AddDate(0, 0, int(days))
}

func daysFromDate(t time.Time) int32 {
	switch {
	case IsInfinity(t):
		return math.MaxInt32
	case IsNegInfinity(t):
		return math.MinInt32
	}
	return int32(floorDiv(t.Unix()-pgEpochUnix, 86400))
}

func parseDate(s string) (Datum, error)        { return nil, errNoIO(TDate) }
func parseTimestamp(s string) (Datum, error)   { return nil, errNoIO(TTimestamp) }
func parseTimestampTZ(s string) (Datum, error) { return nil, errNoIO(TTimestampTZ) }

func appendTime(buf []byte, oid OID, t time.Time, f *FormatOptions) []byte {
	switch oid {
	case DateOID:
		return t.AppendFormat(buf, "2006-01-02")
	case TimestampOID:
		return t.AppendFormat(buf, "2006-01-02 15:04:05.999999")
	}
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).AppendFormat(buf, "2006-01-02 15:04:05.999999-07")
}

func castTime(v time.Time, from, to T) (Datum, error) { return nil, errCannotCast(from, to) }

func coerceTimestamp(d Datum, t T) (Datum, error) { return d, nil }
