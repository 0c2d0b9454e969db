package types

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Interval is an interval value as PostgreSQL keeps it: months, days and
// microseconds held apart, because a month has no fixed number of days and
// (across a daylight-saving change) a day no fixed number of hours. Fields
// may have different signs ('1 mon -2 days').
type Interval struct {
	Months int32
	Days   int32
	Micros int64
}

// IntervalOID and its array type are PostgreSQL's.
const (
	IntervalOID      OID = 1186
	IntervalArrayOID OID = 1187
)

// TInterval is interval without a modifier.
var TInterval = T{IntervalOID, -1}

// Units of an interval's fields, as PostgreSQL's datetime.h defines them.
const (
	usPerSec    = 1_000_000
	usPerMinute = 60 * usPerSec
	usPerHour   = 60 * usPerMinute
	usPerDay    = 24 * usPerHour
	daysPerMon  = 30
	monsPerYear = 12
)

func errIntervalRange() error {
	return pgerr.New(pgerr.DatetimeFieldOverflow, "interval out of range")
}

func errIntervalSyntax(s string) error {
	return pgerr.New(pgerr.InvalidDatetimeFormat, "invalid input syntax for type interval: \"%s\"", s)
}

func errIntervalField(s string) error {
	return pgerr.New(pgerr.IntervalFieldOverflow, "interval field value out of range: \"%s\"", s)
}

// intervalSum accumulates an interval's fields while it is read, wide
// enough that overflow is detected once at the end.
type intervalSum struct {
	months, days float64 // whole values; float64 holds the int32 range exactly
	micros       int64
	overflow     bool
}

func (a *intervalSum) addMonths(v float64) { a.months += v }
func (a *intervalSum) addDays(v float64)   { a.days += v }

// addMicros adds whole microseconds.
func (a *intervalSum) addMicros(v float64) {
	if v < math.MinInt64 || v >= math.MaxInt64 || math.IsNaN(v) {
		a.overflow = true
		return
	}
	a.addExact(int64(v))
}

func (a *intervalSum) addExact(n int64) {
	sum := a.micros + n
	if (sum > a.micros) != (n > 0) && n != 0 {
		a.overflow = true
	}
	a.micros = sum
}

// fracDays spreads a fraction of scale days into whole days and time, as
// PostgreSQL's AdjustFractDays.
func (a *intervalSum) fracDays(frac, scale float64) {
	if frac == 0 {
		return
	}
	d := frac * scale
	whole := math.Trunc(d)
	a.addDays(whole)
	a.fracSeconds(d-whole, 86400)
}

// fracSeconds adds frac*scale seconds, as PostgreSQL's AdjustFractSeconds.
func (a *intervalSum) fracSeconds(frac, scale float64) {
	if frac == 0 {
		return
	}
	s := frac * scale
	whole := math.Trunc(s)
	a.addMicros(whole * usPerSec)
	a.addMicros(math.RoundToEven((s - whole) * usPerSec))
}

// addUnit adds value (integral part whole, fraction frac, same sign) of a
// unit.
func (a *intervalSum) addUnit(unit string, whole, frac float64) {
	switch unit {
	case "millennium":
		a.addMonths(whole*12000 + math.RoundToEven(frac*12000))
	case "century":
		a.addMonths(whole*1200 + math.RoundToEven(frac*1200))
	case "decade":
		a.addMonths(whole*120 + math.RoundToEven(frac*120))
	case "year":
		a.addMonths(whole*12 + math.RoundToEven(frac*12))
	case "month":
		a.addMonths(whole)
		a.fracDays(frac, daysPerMon)
	case "week":
		a.addDays(whole * 7)
		a.fracDays(frac, 7)
	case "day":
		a.addDays(whole)
		a.fracSeconds(frac, 86400)
	case "hour":
		a.addMicros(whole * usPerHour)
		a.fracSeconds(frac, 3600)
	case "minute":
		a.addMicros(whole * usPerMinute)
		a.fracSeconds(frac, 60)
	case "second":
		a.addMicros(whole * usPerSec)
		a.addMicros(math.RoundToEven(frac * usPerSec))
	case "millisecond":
		a.addMicros(whole * 1000)
		a.addMicros(math.RoundToEven(frac * 1000))
	case "microsecond":
		a.addMicros(whole)
		a.addMicros(math.RoundToEven(frac))
	}
}

func (a *intervalSum) result(neg bool) (Interval, bool) {
	m, d, us := a.months, a.days, a.micros
	if neg {
		if us == math.MinInt64 {
			return Interval{}, false
		}
		m, d, us = -m, -d, -us
	}
	if a.overflow || m < math.MinInt32 || m > math.MaxInt32 || d < math.MinInt32 || d > math.MaxInt32 {
		return Interval{}, false
	}
	return Interval{Months: int32(m), Days: int32(d), Micros: us}, true
}

// intervalUnits maps the unit words of interval input (PostgreSQL's
// deltatktbl, words truncated to ten characters as its lookup does) to
// units.
var intervalUnits = map[string]string{
	"millennium": "millennium", "millennia": "millennium", "mil": "millennium", "mils": "millennium",
	"century": "century", "centuries": "century", "cent": "century", "c": "century",
	"decade": "decade", "decades": "decade", "dec": "decade", "decs": "decade",
	"year": "year", "years": "year", "y": "year", "yr": "year", "yrs": "year",
	"month": "month", "months": "month", "mon": "month", "mons": "month",
	"week": "week", "weeks": "week", "w": "week",
	"day": "day", "days": "day", "d": "day",
	"hour": "hour", "hours": "hour", "h": "hour", "hr": "hour", "hrs": "hour",
	"minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute", "m": "minute",
	"second": "second", "seconds": "second", "sec": "second", "secs": "second", "s": "second",
	"millisecon": "millisecond", "ms": "millisecond", "msec": "millisecond", "msecs": "millisecond",
	"msecond": "millisecond", "mseconds": "millisecond",
	"microsecon": "microsecond", "us": "microsecond", "usec": "microsecond", "usecs": "microsecond",
	"usecond": "microsecond", "useconds": "microsecond",
}

// ParseInterval reads interval text: PostgreSQL's postgres style
// ('1 year 2 mons -3 days 04:05:06.5', '@ 1 day ago', '1.5 weeks'), the
// SQL standard's year-month and day-time forms ('1-2', '3 4:05:06'), and
// ISO 8601 durations ('P1Y2M3DT4H5M6S').
func ParseInterval(s string) (Interval, error) { return parseInterval(s, "second") }

// parseInterval reads interval text; a number without a unit is in
// bare (seconds unless a type modifier's range says otherwise).
func parseInterval(s, bare string) (Interval, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(in, "p") {
		iv, ok, err := parseISOInterval(in[1:], s)
		if err != nil {
			return Interval{}, err
		}
		if !ok {
			return Interval{}, errIntervalSyntax(s)
		}
		return iv, nil
	}
	toks, ok := intervalTokens(in)
	if !ok || len(toks) == 0 {
		return Interval{}, errIntervalSyntax(s)
	}
	var sum intervalSum
	neg := false
	seen := map[string]bool{}
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		switch {
		case tok == "@":
			if i != 0 {
				return Interval{}, errIntervalSyntax(s)
			}
		case tok == "ago":
			if i != len(toks)-1 || neg {
				return Interval{}, errIntervalSyntax(s)
			}
			neg = true
		case strings.Contains(tok, ":"):
			if seen["time"] {
				return Interval{}, errIntervalSyntax(s)
			}
			seen["time"] = true
			us, err := parseIntervalTime(tok, s)
			if err != nil {
				return Interval{}, err
			}
			sum.addExact(us)
		case isIntervalNumberStart(tok[0]):
			if ym, ok := yearMonth(tok); ok {
				if seen["year"] || seen["month"] {
					return Interval{}, errIntervalSyntax(s)
				}
				seen["year"], seen["month"] = true, true
				sum.addMonths(ym)
				continue
			}
			whole, frac, ok := splitNumber(tok)
			if !ok {
				return Interval{}, errIntervalSyntax(s)
			}
			if whole < math.MinInt32 || whole > math.MaxInt32 {
				return Interval{}, errIntervalField(s)
			}
			unit := ""
			if i+1 < len(toks) {
				if u, ok := intervalUnits[truncateUnit(toks[i+1])]; ok {
					unit = u
					i++
				} else if strings.Contains(toks[i+1], ":") {
					unit = "day" // the SQL standard's '3 04:05:06'
				}
			}
			if unit == "" {
				unit = bare
			}
			if seen[unit] {
				return Interval{}, errIntervalSyntax(s)
			}
			seen[unit] = true
			sum.addUnit(unit, whole, frac)
		default:
			return Interval{}, errIntervalSyntax(s)
		}
	}
	iv, ok := sum.result(neg)
	if !ok {
		return Interval{}, errIntervalRange()
	}
	return iv, nil
}

func truncateUnit(w string) string {
	if len(w) > 10 {
		return w[:10]
	}
	return w
}

func isIntervalNumberStart(c byte) bool {
	return c == '+' || c == '-' || c == '.' || ('0' <= c && c <= '9')
}

// intervalTokens splits interval text into numbers (with their sign and
// any ':' or '-' inside), words and '@'. A number directly followed by a
// word ('1day') makes two tokens.
func intervalTokens(s string) ([]string, bool) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
		case c == '@':
			toks = append(toks, "@")
			i++
		case isIntervalNumberStart(c):
			j := i + 1
			for j < len(s) && (s[j] == '.' || s[j] == ':' || s[j] == '-' || ('0' <= s[j] && s[j] <= '9')) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		case isLetter(c):
			j := i + 1
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			return nil, false
		}
	}
	return toks, true
}

// splitNumber reads a signed decimal number into its integral part and
// fraction, both with the number's sign.
func splitNumber(tok string) (whole, frac float64, ok bool) {
	neg := false
	switch tok[0] {
	case '+':
		tok = tok[1:]
	case '-':
		neg, tok = true, tok[1:]
	}
	intPart, fracPart, hasDot := strings.Cut(tok, ".")
	digits := func(s string) bool { return s == "" || allDigits(s) }
	if (intPart == "" && fracPart == "") || !digits(intPart) || !digits(fracPart) || (hasDot && strings.Contains(fracPart, ".")) {
		return 0, 0, false
	}
	if intPart != "" {
		v, err := strconv.ParseFloat(intPart, 64)
		if err != nil || v > 1e18 {
			return 0, 0, false
		}
		whole = v
	}
	if fracPart != "" {
		v, _ := strconv.ParseFloat("0."+fracPart, 64)
		frac = v
	}
	if neg {
		whole, frac = -whole, -frac
	}
	return whole, frac, true
}

// yearMonth reads the SQL standard's year-month form [-]Y-M.
func yearMonth(tok string) (float64, bool) {
	sign := 1.0
	body := tok
	switch body[0] {
	case '-':
		sign, body = -1, body[1:]
	case '+':
		body = body[1:]
	}
	y, m, ok := strings.Cut(body, "-")
	if !ok || y == "" || m == "" || !allDigits(y) || !allDigits(m) || len(y) > 9 || len(m) > 9 {
		return 0, false
	}
	yv, _ := strconv.Atoi(y)
	mv, _ := strconv.Atoi(m)
	if mv > 11 {
		return 0, false
	}
	return sign * float64(yv*12+mv), true
}

// parseIntervalTime reads [-]H:M[:S[.F]] into microseconds, exactly.
func parseIntervalTime(tok, s string) (int64, error) {
	neg := false
	body := tok
	switch body[0] {
	case '-':
		neg, body = true, body[1:]
	case '+':
		body = body[1:]
	}
	parts := strings.Split(body, ":")
	if len(parts) > 3 || len(parts) < 2 {
		return 0, errIntervalSyntax(s)
	}
	var h, m, sec, frac int64
	for i, p := range parts {
		if i < 2 {
			if !allDigits(p) || len(p) > 18 {
				return 0, errIntervalSyntax(s)
			}
			v, _ := strconv.ParseInt(p, 10, 64)
			if i == 0 {
				h = v
			} else {
				m = v
			}
			continue
		}
		whole, fracPart, _ := strings.Cut(p, ".")
		if !allDigits(whole) || len(whole) > 2 || (fracPart != "" && !allDigits(fracPart)) {
			return 0, errIntervalSyntax(s)
		}
		sec, _ = strconv.ParseInt(whole, 10, 64)
		if fracPart != "" {
			f, _ := strconv.ParseFloat("0."+fracPart, 64)
			frac = int64(math.RoundToEven(f * usPerSec))
		}
	}
	if m > 59 || sec > 60 || (sec == 60 && frac > 0) {
		return 0, errIntervalField(s)
	}
	if h > (math.MaxInt64-(m*usPerMinute+sec*usPerSec+frac))/usPerHour {
		return 0, errIntervalSyntax(s)
	}
	us := h*usPerHour + m*usPerMinute + sec*usPerSec + frac
	if neg {
		us = -us
	}
	return us, nil
}

// parseISOInterval reads the part of an ISO 8601 duration after its P.
func parseISOInterval(s, orig string) (Interval, bool, error) {
	var sum intervalSum
	if s == "" {
		return Interval{}, false, nil
	}
	inTime := false
	for len(s) > 0 {
		if s[0] == 't' {
			if inTime {
				return Interval{}, false, nil
			}
			inTime = true
			s = s[1:]
			if s == "" {
				return Interval{}, false, nil
			}
			continue
		}
		j := 0
		for j < len(s) && isIntervalNumberStart(s[j]) && (j == 0 || (s[j] != '+' && s[j] != '-')) {
			j++
		}
		if j == 0 || j == len(s) {
			return Interval{}, false, nil
		}
		whole, frac, ok := splitNumber(s[:j])
		if !ok {
			return Interval{}, false, nil
		}
		unit := s[j]
		s = s[j+1:]
		switch {
		case !inTime && unit == 'y':
			sum.addUnit("year", whole, frac)
		case !inTime && unit == 'm':
			sum.addUnit("month", whole, frac)
		case !inTime && unit == 'w':
			sum.addUnit("week", whole, frac)
		case !inTime && unit == 'd':
			sum.addUnit("day", whole, frac)
		case inTime && unit == 'h':
			sum.addUnit("hour", whole, frac)
		case inTime && unit == 'm':
			sum.addUnit("minute", whole, frac)
		case inTime && unit == 's':
			sum.addUnit("second", whole, frac)
		default:
			return Interval{}, false, nil
		}
	}
	iv, ok := sum.result(false)
	if !ok {
		return Interval{}, false, errIntervalRange()
	}
	return iv, true, nil
}

func parseIntervalDatum(s string, mod int32) (Datum, error) {
	iv, err := parseInterval(s, bareUnit(mod))
	if err != nil {
		return nil, err
	}
	return coerceInterval(iv, mod)
}

// Interval type modifiers, as PostgreSQL encodes them: the field range
// (a mask of the fields named, as in INTERVAL DAY TO SECOND) in the high
// 16 bits and the fractional-second precision in the low 16.
const (
	ivMonth  = 1 << 1
	ivYear   = 1 << 2
	ivDay    = 1 << 3
	ivHour   = 1 << 10
	ivMinute = 1 << 11
	ivSecond = 1 << 12
	// ivFullRange and ivFullPrecision mean no range and no precision.
	ivFullRange     = 0x7FFF
	ivFullPrecision = 0xFFFF
	ivMaxPrecision  = 6
)

func intervalRange(mod int32) int32     { return (mod >> 16) & 0x7FFF }
func intervalPrecision(mod int32) int32 { return mod & 0xFFFF }

var intervalRangeNames = map[int32]string{
	ivYear: " year", ivMonth: " month", ivDay: " day", ivHour: " hour", ivMinute: " minute", ivSecond: " second",
	ivYear | ivMonth: " year to month", ivDay | ivHour: " day to hour", ivDay | ivHour | ivMinute: " day to minute",
	ivDay | ivHour | ivMinute | ivSecond: " day to second", ivHour | ivMinute: " hour to minute",
	ivHour | ivMinute | ivSecond: " hour to second", ivMinute | ivSecond: " minute to second",
}

// intervalTypmod reads INTERVAL [fields] [(p)]: pg_query gives the range
// mask and, when written, the precision.
func intervalTypmod(mods []int64) (T, error) {
	rng, prec := int64(ivFullRange), int64(ivFullPrecision)
	switch len(mods) {
	case 1:
		rng = mods[0]
	case 2:
		rng, prec = mods[0], mods[1]
		if prec < 0 {
			return T{}, pgerr.New(pgerr.InvalidParameterValue, "INTERVAL(%d) precision must not be negative", prec)
		}
		prec = min(prec, ivMaxPrecision)
	default:
		return T{}, invalidTypmod()
	}
	if _, ok := intervalRangeNames[int32(rng)]; !ok && rng != ivFullRange {
		return T{}, invalidTypmod()
	}
	if rng == ivFullRange && prec == ivFullPrecision {
		return TInterval, nil
	}
	return T{OID: IntervalOID, Mod: int32(rng<<16 | prec)}, nil
}

func intervalTypmodString(mod int32) string {
	s := ""
	if mod < 0 {
		return s
	}
	if rng := intervalRange(mod); rng != ivFullRange {
		s = intervalRangeNames[rng]
	}
	if p := intervalPrecision(mod); p != ivFullPrecision {
		s += "(" + strconv.Itoa(int(p)) + ")"
	}
	return s
}

// bareUnit is the unit a number without one is read in under a field
// range: the range's last field ('1' as INTERVAL DAY is a day).
func bareUnit(mod int32) string {
	if mod < 0 {
		return "second"
	}
	rng := intervalRange(mod)
	switch {
	case rng == ivFullRange:
		return "second"
	case rng&ivSecond != 0:
		return "second"
	case rng&ivMinute != 0:
		return "minute"
	case rng&ivHour != 0:
		return "hour"
	case rng&ivDay != 0:
		return "day"
	case rng&ivMonth != 0:
		return "month"
	}
	return "year"
}

// coerceInterval applies a type modifier as AdjustIntervalForTypmod: the
// fields below the range's last are dropped, and the time is rounded to
// the precision.
func coerceInterval(iv Interval, mod int32) (Datum, error) {
	if mod < 0 {
		return iv, nil
	}
	switch rng := intervalRange(mod); {
	case rng == ivFullRange:
	case rng == ivYear:
		iv = Interval{Months: iv.Months / monsPerYear * monsPerYear}
	case rng == ivMonth || rng == ivYear|ivMonth:
		iv = Interval{Months: iv.Months}
	case rng == ivDay:
		iv.Micros = 0
	case rng&ivSecond == 0 && rng&ivMinute != 0:
		iv.Micros = iv.Micros / usPerMinute * usPerMinute
	case rng&ivSecond == 0 && rng&ivHour != 0:
		iv.Micros = iv.Micros / usPerHour * usPerHour
	}
	if p := intervalPrecision(mod); p != ivFullPrecision && p < ivMaxPrecision {
		unit := int64(math.Pow10(ivMaxPrecision - int(p)))
		if iv.Micros >= 0 {
			iv.Micros = (iv.Micros + unit/2) / unit * unit
		} else {
			iv.Micros = -((-iv.Micros + unit/2) / unit * unit)
		}
	}
	return iv, nil
}

// AppendInterval appends iv's text in PostgreSQL's default IntervalStyle,
// postgres: '1 year 2 mons -3 days +04:05:06.5'. A field is signed when
// negative, and + marks a positive field after a negative one.
func AppendInterval(buf []byte, iv Interval) []byte {
	zero, before := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !zero {
			buf = append(buf, ' ')
		}
		if before && v > 0 {
			buf = append(buf, '+')
		}
		buf = strconv.AppendInt(buf, v, 10)
		buf = append(buf, ' ')
		buf = append(buf, unit...)
		if v != 1 {
			buf = append(buf, 's')
		}
		before, zero = v < 0, false
	}
	part(int64(iv.Months/monsPerYear), "year")
	part(int64(iv.Months%monsPerYear), "mon")
	part(int64(iv.Days), "day")
	if zero || iv.Micros != 0 {
		if !zero {
			buf = append(buf, ' ')
		}
		us := iv.Micros
		if us < 0 {
			buf = append(buf, '-')
		} else if before {
			buf = append(buf, '+')
		}
		// |MinInt64| does not fit: work with the unsigned magnitude.
		mag := uint64(us)
		if us < 0 {
			mag = uint64(-(us + 1)) + 1
		}
		hours := mag / usPerHour
		rest := mag % usPerHour
		if hours < 10 {
			buf = append(buf, '0')
		}
		buf = strconv.AppendUint(buf, hours, 10)
		buf = append(buf, ':')
		buf = appendPadded(buf, int(rest/usPerMinute), 2)
		buf = append(buf, ':')
		rest %= usPerMinute
		buf = appendPadded(buf, int(rest/usPerSec), 2)
		if frac := rest % usPerSec; frac != 0 {
			digits := strconv.AppendUint(nil, frac+usPerSec, 10)[1:]
			buf = append(buf, '.')
			buf = append(buf, strings.TrimRight(string(digits), "0")...)
		}
	}
	return buf
}

// String formats iv as AppendInterval does.
func (iv Interval) String() string { return string(AppendInterval(nil, iv)) }

// intervalKey is iv reduced for ordering: PostgreSQL compares intervals
// as a span of microseconds in which a month is 30 days and a day 24
// hours. The span can exceed int64, so it is kept as whole days and the
// microseconds within the last one.
func intervalKey(iv Interval) (days int64, us int64) {
	days = int64(iv.Months)*daysPerMon + int64(iv.Days) + floorDiv(iv.Micros, usPerDay)
	return days, iv.Micros - floorDiv(iv.Micros, usPerDay)*usPerDay
}

// CompareInterval orders intervals as PostgreSQL's interval_cmp.
func CompareInterval(a, b Interval) int {
	ad, au := intervalKey(a)
	bd, bu := intervalKey(b)
	switch {
	case ad < bd:
		return -1
	case ad > bd:
		return 1
	case au < bu:
		return -1
	case au > bu:
		return 1
	}
	return 0
}

// IntervalSortKey returns iv's ordering key: whole days (a month counted
// as 30) and the microseconds, 0 to one day, within the last. Equal
// intervals have equal keys, and keys order as CompareInterval.
func IntervalSortKey(iv Interval) (days, us int64) { return intervalKey(iv) }

func hashInterval(iv Interval, h *maphash.Hash) {
	d, us := intervalKey(iv)
	var buf [16]byte
	binary.LittleEndian.PutUint64(buf[:8], uint64(d))
	binary.LittleEndian.PutUint64(buf[8:], uint64(us))
	h.Write(buf[:])
}

// recvInterval is interval_recv: int64 microseconds, int32 days, int32
// months.
func recvInterval(r *reader) (Datum, error) {
	us := int64(r.uint64())
	days := int32(r.uint32())
	months := int32(r.uint32())
	if r.err != nil {
		return nil, r.err
	}
	return Interval{Months: months, Days: days, Micros: us}, nil
}

func appendBinaryInterval(buf []byte, iv Interval) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(iv.Micros))
	buf = binary.BigEndian.AppendUint32(buf, uint32(iv.Days))
	return binary.BigEndian.AppendUint32(buf, uint32(iv.Months))
}

// Interval arithmetic. Every result outside the fields' ranges is
// "interval out of range" (22008), as in PostgreSQL.

// AddIntervals returns a+b.
func AddIntervals(a, b Interval) (Interval, error) {
	m := int64(a.Months) + int64(b.Months)
	d := int64(a.Days) + int64(b.Days)
	us := a.Micros + b.Micros
	if m != int64(int32(m)) || d != int64(int32(d)) || (us > a.Micros) != (b.Micros > 0) && b.Micros != 0 {
		return Interval{}, errIntervalRange()
	}
	return Interval{Months: int32(m), Days: int32(d), Micros: us}, nil
}

// NegateInterval returns -a.
func NegateInterval(a Interval) (Interval, error) {
	if a.Months == math.MinInt32 || a.Days == math.MinInt32 || a.Micros == math.MinInt64 {
		return Interval{}, errIntervalRange()
	}
	return Interval{Months: -a.Months, Days: -a.Days, Micros: -a.Micros}, nil
}

// SubtractIntervals returns a-b.
func SubtractIntervals(a, b Interval) (Interval, error) {
	m := int64(a.Months) - int64(b.Months)
	d := int64(a.Days) - int64(b.Days)
	us := a.Micros - b.Micros
	if m != int64(int32(m)) || d != int64(int32(d)) || (us < a.Micros) != (b.Micros > 0) && b.Micros != 0 {
		return Interval{}, errIntervalRange()
	}
	return Interval{Months: int32(m), Days: int32(d), Micros: us}, nil
}

// tsRound rounds to PostgreSQL's TS_PREC_INV (1e-6) to hide float noise.
func tsRound(v float64) float64 { return math.RoundToEven(v*1e6) / 1e6 }

func fitsInt32(v float64) bool { return !math.IsNaN(v) && v >= math.MinInt32 && v <= math.MaxInt32 }

// MulInterval returns a*f as PostgreSQL's interval_mul: fractions of
// months cascade into days and fractions of days into time.
func MulInterval(a Interval, f float64) (Interval, error) {
	mf := float64(a.Months) * f
	df := float64(a.Days) * f
	if !fitsInt32(mf) || !fitsInt32(df) {
		return Interval{}, errIntervalRange()
	}
	return cascadeInterval(a, mf, df, float64(a.Micros)*f)
}

// DivInterval returns a/f as PostgreSQL's interval_div.
func DivInterval(a Interval, f float64) (Interval, error) {
	if f == 0 {
		return Interval{}, pgerr.New(pgerr.DivisionByZero, "division by zero")
	}
	mf := float64(a.Months) / f
	df := float64(a.Days) / f
	if !fitsInt32(mf) || !fitsInt32(df) {
		return Interval{}, errIntervalRange()
	}
	return cascadeInterval(a, mf, df, float64(a.Micros)/f)
}

func cascadeInterval(a Interval, mf, df, usf float64) (Interval, error) {
	out := Interval{Months: int32(mf), Days: int32(df)}
	monthRemDays := tsRound((mf - float64(out.Months)) * daysPerMon)
	secRem := tsRound((df - float64(out.Days) + monthRemDays - math.Trunc(monthRemDays)) * 86400)
	if math.Abs(secRem) >= 86400 {
		out.Days += int32(secRem / 86400)
		secRem -= math.Trunc(secRem/86400) * 86400
	}
	out.Days += int32(monthRemDays)
	us := math.RoundToEven(usf + secRem*usPerSec)
	if math.IsNaN(us) || us < math.MinInt64 || us >= math.MaxInt64 {
		return Interval{}, errIntervalRange()
	}
	out.Micros = int64(us)
	return out, nil
}

// JustifyHours moves whole 24-hour periods of time into days.
func JustifyHours(a Interval) (Interval, error) {
	whole := a.Micros / usPerDay
	us := a.Micros - whole*usPerDay
	d := int64(a.Days) + whole
	if d > 0 && us < 0 {
		us += usPerDay
		d--
	} else if d < 0 && us > 0 {
		us -= usPerDay
		d++
	}
	if d != int64(int32(d)) {
		return Interval{}, errIntervalRange()
	}
	return Interval{Months: a.Months, Days: int32(d), Micros: us}, nil
}

// JustifyDays moves whole 30-day periods into months.
func JustifyDays(a Interval) (Interval, error) {
	whole := int64(a.Days) / daysPerMon
	d := int64(a.Days) - whole*daysPerMon
	m := int64(a.Months) + whole
	if m > 0 && d < 0 {
		d += daysPerMon
		m--
	} else if m < 0 && d > 0 {
		d -= daysPerMon
		m++
	}
	if m != int64(int32(m)) {
		return Interval{}, errIntervalRange()
	}
	return Interval{Months: int32(m), Days: int32(d), Micros: a.Micros}, nil
}

// JustifyInterval does both, with the signs of all fields made to agree.
func JustifyInterval(a Interval) (Interval, error) {
	wholeDay := a.Micros / usPerDay
	us := a.Micros - wholeDay*usPerDay
	d := int64(a.Days) + wholeDay
	wholeMonth := d / daysPerMon
	d -= wholeMonth * daysPerMon
	m := int64(a.Months) + wholeMonth
	if m > 0 && (d < 0 || (d == 0 && us < 0)) {
		d += daysPerMon
		m--
	} else if m < 0 && (d > 0 || (d == 0 && us > 0)) {
		d -= daysPerMon
		m++
	}
	if d > 0 && us < 0 {
		us += usPerDay
		d--
	} else if d < 0 && us > 0 {
		us -= usPerDay
		d++
	}
	if m != int64(int32(m)) || d != int64(int32(d)) {
		return Interval{}, errIntervalRange()
	}
	return Interval{Months: int32(m), Days: int32(d), Micros: us}, nil
}

// AddIntervalToTime returns t+iv as timestamp_pl_interval and
// timestamptz_pl_interval do: months are added to the calendar date (the
// day clamped to the new month's last), then days, both in loc (the
// session TimeZone for timestamptz, UTC for timestamp), then the time as
// elapsed microseconds. Infinite timestamps stay as they are.
func AddIntervalToTime(t time.Time, iv Interval, loc *time.Location) (time.Time, error) {
	if IsInfinity(t) || IsNegInfinity(t) {
		return t, nil
	}
	if iv.Months != 0 {
		lt := t.In(loc)
		y, mo, d := lt.Date()
		months := int64(y)*12 + int64(mo-1) + int64(iv.Months)
		ny, nm := int(floorDiv(months, 12)), int(months-floorDiv(months, 12)*12)+1
		if ny < -4800 || ny > 300000 {
			return time.Time{}, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range")
		}
		if last := daysIn(ny, nm); d > last {
			d = last
		}
		t = time.Date(ny, time.Month(nm), d, lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), loc)
	}
	if iv.Days != 0 {
		lt := t.In(loc)
		y, mo, d := lt.Date()
		t = time.Date(y, mo, d+int(iv.Days), lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), loc)
	}
	sec := iv.Micros / usPerSec
	t = t.Add(time.Duration(iv.Micros-sec*usPerSec) * time.Microsecond)
	t = time.Unix(t.Unix()+sec, int64(t.Nanosecond())).UTC()
	if _, err := checkTimestampRange(t); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// SubtractTimes returns a-b as timestamp_mi does: the elapsed time, with
// whole 24-hour periods shown as days.
func SubtractTimes(a, b time.Time) (Interval, error) {
	if IsInfinity(a) || IsNegInfinity(a) || IsInfinity(b) || IsNegInfinity(b) {
		return Interval{}, pgerr.New(pgerr.DatetimeFieldOverflow, "cannot subtract infinite timestamps")
	}
	us := microsFromTime(a) - microsFromTime(b)
	return JustifyHours(Interval{Micros: us})
}

// Age returns age(a, b) as PostgreSQL computes it: the difference of the
// two calendar dates and clocks field by field (in loc), borrowing from
// the next larger field, so that whole months and years come out as such.
func Age(a, b time.Time, loc *time.Location) (Interval, error) {
	if IsInfinity(a) || IsNegInfinity(a) || IsInfinity(b) || IsNegInfinity(b) {
		return Interval{}, pgerr.New(pgerr.DatetimeFieldOverflow, "cannot subtract infinite timestamps")
	}
	la, lb := a.In(loc), b.In(loc)
	type fields struct{ year, mon, day, hour, min, sec, usec int }
	get := func(t time.Time) fields {
		y, m, d := t.Date()
		return fields{y, int(m), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1000}
	}
	f1, f2 := get(la), get(lb)
	r := fields{f1.year - f2.year, f1.mon - f2.mon, f1.day - f2.day, f1.hour - f2.hour, f1.min - f2.min, f1.sec - f2.sec, f1.usec - f2.usec}
	before := a.Before(b)
	if before {
		r = fields{-r.year, -r.mon, -r.day, -r.hour, -r.min, -r.sec, -r.usec}
	}
	for r.usec < 0 {
		r.usec += usPerSec
		r.sec--
	}
	for r.sec < 0 {
		r.sec += 60
		r.min--
	}
	for r.min < 0 {
		r.min += 60
		r.hour--
	}
	for r.hour < 0 {
		r.hour += 24
		r.day--
	}
	for r.day < 0 {
		// Borrow the length of the month of the earlier of the two.
		if before {
			r.day += daysIn(f1.year, f1.mon)
		} else {
			r.day += daysIn(f2.year, f2.mon)
		}
		r.mon--
	}
	for r.mon < 0 {
		r.mon += 12
		r.year--
	}
	if before {
		r = fields{-r.year, -r.mon, -r.day, -r.hour, -r.min, -r.sec, -r.usec}
	}
	m := int64(r.year)*12 + int64(r.mon)
	if m != int64(int32(m)) {
		return Interval{}, errIntervalRange()
	}
	us := ((int64(r.hour)*60+int64(r.min))*60+int64(r.sec))*usPerSec + int64(r.usec)
	return Interval{Months: int32(m), Days: int32(r.day), Micros: us}, nil
}

// IntervalFields are an interval's fields as interval2tm splits them:
// years and months from Months (signs kept), then days, then hours
// (unbounded), minutes, seconds and microseconds from Micros.
type IntervalFields struct {
	Years, Months, Days, Hours, Minutes, Seconds, Micros int64
}

// Fields splits iv as PostgreSQL's interval2tm.
func (iv Interval) Fields() IntervalFields {
	us := iv.Micros
	f := IntervalFields{Years: int64(iv.Months / monsPerYear), Months: int64(iv.Months % monsPerYear), Days: int64(iv.Days)}
	f.Hours = us / usPerHour
	us -= f.Hours * usPerHour
	f.Minutes = us / usPerMinute
	us -= f.Minutes * usPerMinute
	f.Seconds = us / usPerSec
	f.Micros = us - f.Seconds*usPerSec
	return f
}

// IntervalFromFields is the inverse of Fields (tm2interval).
func IntervalFromFields(f IntervalFields) (Interval, error) {
	m := f.Years*monsPerYear + f.Months
	if m != int64(int32(m)) || f.Days != int64(int32(f.Days)) {
		return Interval{}, errIntervalRange()
	}
	us := ((f.Hours*60+f.Minutes)*60+f.Seconds)*usPerSec + f.Micros
	return Interval{Months: int32(m), Days: int32(f.Days), Micros: us}, nil
}
