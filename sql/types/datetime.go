package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// Dates and timestamps are time.Time values:
//
//   - timestamptz is an instant, held in UTC;
//   - timestamp (without time zone) holds its wall-clock fields in a UTC
//     time.Time: '2024-01-02 03:04:05'::timestamp is
//     time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC);
//   - date is midnight UTC of the day.
//
// Resolution is the microsecond. Years before 1 AD are astronomical (year
// 0 is 1 BC), as time.Time counts them. 'infinity' and '-infinity' are the
// sentinels InfinityTime and NegInfinityTime, far outside PostgreSQL's
// range, so that time.Time's ordering puts them at the ends; any value at
// or beyond them prints as infinity.
//
// The text forms are PostgreSQL's with DateStyle = 'ISO, MDY': output
// "2024-01-02 03:04:05.5+05:30", "2024-01-02 03:04:05", "2024-01-02", with
// " BC" for years before 1 AD. Input accepts ISO 8601 dates and times
// (with 'T' or space between them), MDY dates with '/' or '-',
// month names, YYYYMMDD, fractional seconds, AM/PM, BC/AD, time zones as
// Z, ±HH[[:]MM[:SS]], common abbreviations or IANA names, and the special
// words epoch, infinity, -infinity, now, today, tomorrow and yesterday.
// Less common forms of PostgreSQL's date/time parser (Julian days, ISO
// week dates, 'allballs', time-only zones...) are not accepted.
var (
	InfinityTime    = time.Date(100000000, 1, 1, 0, 0, 0, 0, time.UTC)
	NegInfinityTime = time.Date(-100000000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// pgEpoch is PostgreSQL's epoch for binary dates and timestamps.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	pgEpochUnix = 946684800
	// minTimestampUnix is 4714-11-24 00:00:00 BC (Julian day 0), the
	// first valid timestamp; endTimestampUnix is 294277-01-01, the first
	// invalid one.
	minTimestampUnix = -210866803200
	endTimestampUnix = 9224318016000
	// endDateUnix is 5874898-01-01, the first invalid date.
	endDateUnix = 185331707078400
)

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
	sec := floorDiv(us, 1e6)
	rem := us - sec*1e6
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

// Binary ranges: days and microseconds since 2000-01-01 of the first
// valid and the first invalid date and timestamp.
const (
	minDateDays    = -2451545
	endDateDays    = 2145031949
	minTimestampUs = -211813488000000000
	endTimestampUs = 9223371331200000000
)

// recvDate is date_recv.
func recvDate(r *reader) (Datum, error) {
	days := int32(r.uint32())
	if r.err != nil {
		return nil, r.err
	}
	if days != math.MinInt32 && days != math.MaxInt32 && (days < minDateDays || days >= endDateDays) {
		return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "date out of range")
	}
	return dateFromDays(days), nil
}

// recvTimestamp is timestamp_recv and timestamptz_recv.
func recvTimestamp(r *reader) (Datum, error) {
	us := int64(r.uint64())
	if r.err != nil {
		return nil, r.err
	}
	if us != math.MinInt64 && us != math.MaxInt64 && (us < minTimestampUs || us >= endTimestampUs) {
		return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range")
	}
	return timeFromMicros(us), nil
}

func dateFromDays(days int32) time.Time {
	switch days {
	case math.MaxInt32:
		return InfinityTime
	case math.MinInt32:
		return NegInfinityTime
	}
	return time.Unix(int64(days)*86400+pgEpochUnix, 0).UTC()
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

// dtError classifies date/time input errors as PostgreSQL's DTERR codes.
type dtError uint8

const (
	dtBadFormat dtError = iota + 1
	dtFieldOverflow
	dtMDFieldOverflow
	dtTZDispOverflow
	dtBadZone
)

// dtFields collects what the date/time parser found.
type dtFields struct {
	year, month, day  int
	year2digits       bool
	hasDate, hasYear  bool
	hour, min, sec    int
	usec              int
	hasTime           bool
	ampm              int // 0, amTok or pmTok
	bc                bool
	zone              *time.Location
	zoneName          string // an unrecognized zone name, for the message
	special           string
	dayOffset         int // today/tomorrow/yesterday
	pendingMonthFirst bool
}

const (
	amTok = 1
	pmTok = 2
)

// ParseTextWith is ParseText with session settings: opts.Location is the
// TimeZone that timestamptz input without a zone is read in, opts.Now the
// time 'now' and 'today' refer to. ParseText uses DefaultFormat (UTC).
func ParseTextWith(t T, s string, opts *FormatOptions) (Datum, error) {
	if IsRegType(t.OID) && opts != nil && opts.Namer != nil {
		return parseReg(t, s, opts.Namer)
	}
	switch t.OID {
	case DateOID, TimestampOID, TimestampTZOID:
		d, err := parseDateTime(t.OID, s, opts)
		if err != nil || t.Mod < 0 {
			return d, err
		}
		return CoerceTypmod(d, t, true)
	}
	if elem, ok := ElemOf(t.OID); ok && isDateTime(elem) {
		return parseArrayWith(T{OID: elem, Mod: t.Mod}, s, opts)
	}
	return ParseText(t, s)
}

func isDateTime(oid OID) bool {
	return oid == DateOID || oid == TimestampOID || oid == TimestampTZOID
}

func parseDate(s string) (Datum, error) { return parseDateTime(DateOID, s, &DefaultFormat) }

func parseTimestamp(s string) (Datum, error) {
	return parseDateTime(TimestampOID, s, &DefaultFormat)
}

func parseTimestampTZ(s string) (Datum, error) {
	return parseDateTime(TimestampTZOID, s, &DefaultFormat)
}

func sessionLocation(opts *FormatOptions) *time.Location {
	if opts == nil || opts.Location == nil {
		return time.UTC
	}
	return opts.Location
}

func sessionNow(opts *FormatOptions) time.Time {
	if opts == nil || opts.Now.IsZero() {
		return time.Now()
	}
	return opts.Now
}

// parseDateTime is date_in, timestamp_in and timestamptz_in.
func parseDateTime(oid OID, s string, opts *FormatOptions) (Datum, error) {
	f, derr := decodeDateTime(s)
	if derr != 0 {
		return nil, dateTimeError(oid, s, derr, f.zoneName)
	}
	loc := sessionLocation(opts)
	if v, ok := specialDateTime(oid, &f, loc, opts); ok {
		return v, nil
	}
	if !f.hasDate {
		return nil, dateTimeError(oid, s, dtBadFormat, "")
	}
	if derr := f.validate(); derr != 0 {
		return nil, dateTimeError(oid, s, derr, "")
	}
	return f.build(oid, s, loc, sessionNow(opts))
}

func dateTimeError(oid OID, s string, e dtError, zone string) error {
	switch e {
	case dtFieldOverflow:
		return pgerr.New(pgerr.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	case dtMDFieldOverflow:
		return pgerr.New(pgerr.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s).
			WithHint("Perhaps you need a different \"datestyle\" setting.")
	case dtTZDispOverflow:
		return pgerr.New(pgerr.InvalidTimeZoneDisplacement, "time zone displacement out of range: \"%s\"", s)
	case dtBadZone:
		return pgerr.New(pgerr.InvalidParameterValue, "time zone \"%s\" not recognized", zone)
	}
	return pgerr.New(pgerr.InvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", Of(oid), s)
}

// specialDateTime handles epoch, infinity, now, today and friends.
func specialDateTime(oid OID, f *dtFields, loc *time.Location, opts *FormatOptions) (Datum, bool) {
	switch f.special {
	case "":
		return nil, false
	case "infinity":
		return InfinityTime, true
	case "-infinity":
		return NegInfinityTime, true
	case "epoch":
		return time.Unix(0, 0).UTC(), true
	case "now":
		now := sessionNow(opts).Truncate(time.Microsecond)
		switch oid {
		case TimestampTZOID:
			return now.UTC(), true
		case TimestampOID:
			return wallClock(now.In(loc)), true
		}
		y, m, d := now.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), true
	}
	return nil, false
}

// wallClock returns t's wall-clock fields as a timestamp without zone.
func wallClock(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)
}

// decodeDateTime tokenizes and interprets s.
func decodeDateTime(s string) (dtFields, dtError) {
	var f dtFields
	trimmed := strings.ToLower(trimSpace(s))
	switch trimmed {
	case "epoch", "infinity", "-infinity", "now":
		f.special = trimmed
		return f, 0
	}
	tokens, ok := dtTokenize(s)
	if !ok || len(tokens) == 0 {
		return f, dtBadFormat
	}
	for _, tok := range tokens {
		if e := f.apply(tok); e != 0 {
			return f, e
		}
	}
	f.finish()
	return f, 0
}

// dtTokenize splits date/time input into fields: numeric fields (dates
// with - / . separators, times with ':'), signed zone offsets and words.
// A 'T' between digits separates an ISO 8601 date from its time.
func dtTokenize(s string) ([]string, bool) {
	var out []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case isSpace(c) || c == ',':
			i++
		case isDigit(c):
			n := scanNumericField(s[i:])
			out = append(out, s[i:i+n])
			i += n
			if i+1 < len(s) && (s[i] == 'T' || s[i] == 't') && isDigit(s[i+1]) {
				i++
			}
		case (c == '+' || c == '-') && i+1 < len(s) && isDigit(s[i+1]):
			j := i + 1
			for j < len(s) && (isDigit(s[j]) || s[j] == ':') {
				j++
			}
			out = append(out, s[i:j])
			i = j
		case isLetter(c):
			j := i
			for j < len(s) && (isLetter(s[j]) || s[j] == '_' || s[j] == '/' ||
				(strings.IndexByte(s[i:j], '/') >= 0 && (isDigit(s[j]) || s[j] == '+' || s[j] == '-'))) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		default:
			return nil, false
		}
	}
	return out, true
}

func isLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// scanNumericField returns the length of a field that starts with a
// digit: a time (digits, ':' and '.'), or a date with '-', '/' or '.'
// separators whose parts may be month names.
func scanNumericField(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < len(s) && s[i] == ':' {
		for i < len(s) && (isDigit(s[i]) || s[i] == ':' || s[i] == '.') {
			i++
		}
		return i
	}
	if i >= len(s) || (s[i] != '-' && s[i] != '/' && s[i] != '.') {
		return i
	}
	for i < len(s) {
		c := s[i]
		if (c == 'T' || c == 't') && i+1 < len(s) && isDigit(s[i+1]) && isDigit(s[i-1]) {
			break
		}
		if !(isDigit(c) || isLetter(c) || c == '-' || c == '/' || c == '.') {
			break
		}
		i++
	}
	return i
}

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var dayNames = map[string]bool{
	"sun": true, "sunday": true, "mon": true, "monday": true, "tue": true, "tues": true,
	"tuesday": true, "wed": true, "wednesday": true, "thu": true, "thur": true,
	"thurs": true, "thursday": true, "fri": true, "friday": true, "sat": true, "saturday": true,
}

// zoneAbbrevs is a subset of PostgreSQL's Default timezone_abbreviations,
// in seconds east of UTC.
var zoneAbbrevs = map[string]int{
	"utc": 0, "ut": 0, "gmt": 0, "z": 0, "zulu": 0,
	"est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
	"mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
	"akst": -9 * 3600, "akdt": -8 * 3600, "hst": -10 * 3600,
	"wet": 0, "west": 3600, "bst": 3600, "cet": 3600, "cest": 2 * 3600,
	"met": 3600, "mest": 2 * 3600, "eet": 2 * 3600, "eest": 3 * 3600,
	"msk": 3 * 3600, "ist": 2 * 3600, "jst": 9 * 3600, "kst": 9 * 3600,
	"hkt": 8 * 3600, "awst": 8 * 3600, "acst": 34200, "aest": 10 * 3600,
	"aedt": 11 * 3600, "nzst": 12 * 3600, "nzdt": 13 * 3600,
}

// apply interprets one token.
func (f *dtFields) apply(tok string) dtError {
	switch c := tok[0]; {
	case isDigit(c):
		return f.applyNumber(tok)
	case c == '+' || c == '-':
		return f.applyOffset(tok)
	}
	return f.applyWord(tok)
}

func (f *dtFields) applyNumber(tok string) dtError {
	switch {
	case strings.IndexByte(tok, ':') >= 0:
		if f.hasTime {
			return dtBadFormat
		}
		f.hasTime = true
		return f.parseTime(tok)
	case strings.ContainsAny(tok, "-/."):
		if f.hasDate {
			return dtBadFormat
		}
		f.hasDate = true
		return f.parseDateField(tok)
	}
	switch {
	case !f.hasDate && f.month == 0 && f.day == 0 && !f.hasYear && (len(tok) == 8 || len(tok) == 6):
		f.hasDate, f.hasYear = true, true
		yl := len(tok) - 4
		f.year, _ = strconv.Atoi(tok[:yl])
		f.month, _ = strconv.Atoi(tok[yl : yl+2])
		f.day, _ = strconv.Atoi(tok[yl+2:])
		f.year2digits = yl == 2
		return 0
	case !f.hasDate:
		return f.applyDatePart(tok)
	case !f.hasTime && (len(tok) == 6 || len(tok) == 4):
		// hhmmss or hhmm after a complete date.
		f.hasTime = true
		f.hour, _ = strconv.Atoi(tok[:2])
		f.min, _ = strconv.Atoi(tok[2:4])
		f.sec, _ = strconv.Atoi(tok[4:])
		return 0
	}
	return dtBadFormat
}

// applyDatePart fills day, then year, of a date spelled with a month
// name ("Jan 2 2024", "2 January 2024", "2024 Jan 2"); finish checks that
// the month came too.
func (f *dtFields) applyDatePart(tok string) dtError {
	v, err := strconv.Atoi(tok)
	if err != nil || len(tok) > 9 {
		return dtBadFormat
	}
	switch {
	case f.day == 0 && len(tok) <= 2:
		f.day = v
	case !f.hasYear:
		f.year, f.hasYear, f.year2digits = v, true, len(tok) <= 2
	default:
		return dtBadFormat
	}
	return 0
}

// finish completes a date spelled with a month name.
func (f *dtFields) finish() {
	if !f.hasDate && f.month != 0 && f.day != 0 && f.hasYear {
		f.hasDate = true
	}
}

func (f *dtFields) applyOffset(tok string) dtError {
	if f.zone != nil || !f.hasTime && !f.hasDate {
		return dtBadFormat
	}
	off, e := parseOffset(tok)
	if e != 0 {
		return e
	}
	f.zone = time.FixedZone("", off)
	return 0
}

// parseOffset reads ±H, ±HH, ±HHMM, ±HH:MM or ±HH:MM:SS as seconds east.
func parseOffset(tok string) (int, dtError) {
	sign := 1
	if tok[0] == '-' {
		sign = -1
	}
	body := tok[1:]
	var h, m, sec int
	var err error
	switch {
	case strings.Contains(body, ":"):
		parts := strings.Split(body, ":")
		if len(parts) > 3 {
			return 0, dtBadFormat
		}
		vals := [3]int{}
		for i, p := range parts {
			if p == "" || len(p) > 2 && i > 0 {
				return 0, dtBadFormat
			}
			if vals[i], err = strconv.Atoi(p); err != nil {
				return 0, dtBadFormat
			}
		}
		h, m, sec = vals[0], vals[1], vals[2]
	case len(body) <= 2:
		h, _ = strconv.Atoi(body)
	case len(body) == 4:
		h, _ = strconv.Atoi(body[:2])
		m, _ = strconv.Atoi(body[2:])
	case len(body) == 6:
		h, _ = strconv.Atoi(body[:2])
		m, _ = strconv.Atoi(body[2:4])
		sec, _ = strconv.Atoi(body[4:])
	default:
		return 0, dtBadFormat
	}
	if h > 15 || m > 59 || sec > 59 {
		return 0, dtTZDispOverflow
	}
	return sign * (h*3600 + m*60 + sec), 0
}

func (f *dtFields) applyWord(tok string) dtError {
	w := strings.ToLower(tok)
	if m, ok := monthNames[w]; ok {
		if f.month != 0 || f.hasDate {
			return dtBadFormat
		}
		f.month = m
		return 0
	}
	switch {
	case dayNames[w]:
		return 0
	case w == "am" || w == "pm":
		if f.ampm != 0 {
			return dtBadFormat
		}
		f.ampm = amTok
		if w == "pm" {
			f.ampm = pmTok
		}
		return 0
	case w == "bc":
		f.bc = true
		return 0
	case w == "ad" || w == "t":
		return 0
	case w == "today" || w == "tomorrow" || w == "yesterday":
		return f.applyRelativeDay(w)
	}
	if off, ok := zoneAbbrevs[w]; ok {
		return f.setZone(time.FixedZone("", off))
	}
	loc, ok := loadZone(tok)
	if !ok {
		if strings.IndexByte(tok, '/') >= 0 {
			f.zoneName = w
			return dtBadZone
		}
		return dtBadFormat
	}
	return f.setZone(loc)
}

func (f *dtFields) setZone(loc *time.Location) dtError {
	if f.zone != nil {
		return dtBadFormat
	}
	f.zone = loc
	return 0
}

func (f *dtFields) applyRelativeDay(w string) dtError {
	if f.hasDate || f.special != "" {
		return dtBadFormat
	}
	f.special = "relative"
	f.hasDate = true
	f.dayOffset = map[string]int{"today": 0, "tomorrow": 1, "yesterday": -1}[w]
	return 0
}

// loadZone finds an IANA time zone, ignoring case as PostgreSQL does.
func loadZone(name string) (*time.Location, bool) {
	if name == "" || strings.Contains(name, "..") || strings.EqualFold(name, "local") {
		return nil, false
	}
	for _, candidate := range []string{name, canonicalZoneName(name), strings.ToUpper(name)} {
		if loc, err := time.LoadLocation(candidate); err == nil {
			return loc, true
		}
	}
	return nil, false
}

// canonicalZoneName capitalises each word of a zone name:
// "america/new_york" -> "America/New_York".
func canonicalZoneName(name string) string {
	b := []byte(strings.ToLower(name))
	for i := range b {
		if i == 0 || b[i-1] == '/' || b[i-1] == '_' || b[i-1] == '-' {
			b[i] = byte(strings.ToUpper(string(b[i]))[0])
		}
	}
	return string(b)
}

// parseDateField reads a date written with '-', '/' or '.' separators:
// Y-M-D when the first part has more than two digits, month names in any
// part, otherwise M-D-Y (DateStyle MDY).
func (f *dtFields) parseDateField(tok string) dtError {
	sep := tok[strings.IndexAny(tok, "-/.")]
	parts := strings.Split(tok, string(sep))
	if len(parts) != 3 {
		return dtBadFormat
	}
	month := func(p string) (int, bool) {
		m, ok := monthNames[strings.ToLower(p)]
		return m, ok
	}
	var y, m, d string
	switch {
	case len(parts[0]) > 2 && allDigits(parts[0]):
		y, d = parts[0], parts[2]
		if mv, ok := month(parts[1]); ok {
			f.month = mv
		} else {
			m = parts[1]
		}
	case !allDigits(parts[0]):
		mv, ok := month(parts[0])
		if !ok {
			return dtBadFormat
		}
		f.month, d, y = mv, parts[1], parts[2]
	case !allDigits(parts[1]):
		mv, ok := month(parts[1])
		if !ok {
			return dtBadFormat
		}
		d, f.month, y = parts[0], mv, parts[2]
	default:
		m, d, y = parts[0], parts[1], parts[2]
	}
	for _, p := range []string{y, m, d} {
		if p != "" && (!allDigits(p) || len(p) > 9) {
			return dtBadFormat
		}
	}
	if y == "" || d == "" {
		return dtBadFormat
	}
	f.year, _ = strconv.Atoi(y)
	f.hasYear = true
	f.year2digits = len(y) <= 2
	f.day, _ = strconv.Atoi(d)
	if m != "" {
		f.month, _ = strconv.Atoi(m)
	}
	return 0
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// parseTime reads H:M, H:M:S or H:M:S.F.
func (f *dtFields) parseTime(tok string) dtError {
	parts := strings.Split(tok, ":")
	if len(parts) > 3 {
		return dtBadFormat
	}
	last := parts[len(parts)-1]
	frac := ""
	if i := strings.IndexByte(last, '.'); i >= 0 {
		if len(parts) < 2 {
			return dtBadFormat
		}
		last, frac = last[:i], last[i:]
		parts[len(parts)-1] = last
		if strings.Count(frac, ".") > 1 || (frac != "." && !allDigits(frac[1:])) {
			return dtBadFormat
		}
	}
	vals := [3]int{}
	for i, p := range parts {
		if !allDigits(p) || len(p) > 9 {
			return dtBadFormat
		}
		vals[i], _ = strconv.Atoi(p)
	}
	f.hour, f.min, f.sec = vals[0], vals[1], vals[2]
	if frac != "" && frac != "." {
		fv, _ := strconv.ParseFloat("0"+frac, 64)
		f.usec = int(math.RoundToEven(fv * 1e6))
	}
	return 0
}

// validate checks field ranges as DecodeDateTime and ValidateDate do.
func (f *dtFields) validate() dtError {
	if f.ampm != 0 {
		if f.hour < 0 || f.hour > 12 {
			return dtFieldOverflow
		}
		if f.ampm == amTok && f.hour == 12 {
			f.hour = 0
		} else if f.ampm == pmTok && f.hour != 12 {
			f.hour += 12
		}
	}
	if f.hour > 24 || f.min > 59 || f.sec > 60 || f.usec > 1e6 ||
		(f.hour == 24 && (f.min > 0 || f.sec > 0 || f.usec > 0)) {
		return dtFieldOverflow
	}
	if f.special == "relative" {
		return 0
	}
	if f.bc {
		if f.year <= 0 {
			return dtFieldOverflow
		}
		f.year = 1 - f.year
	} else if f.year2digits && f.hasYear {
		if f.year < 70 {
			f.year += 2000
		} else if f.year < 100 {
			f.year += 1900
		}
	} else if f.year == 0 {
		return dtFieldOverflow
	}
	if f.month < 1 || f.month > 12 {
		return dtMDFieldOverflow
	}
	if f.day < 1 || f.day > daysIn(f.year, f.month) {
		return dtFieldOverflow
	}
	return 0
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// build assembles the value and checks the type's range.
func (f *dtFields) build(oid OID, s string, loc *time.Location, now time.Time) (Datum, error) {
	y, mo, d := f.year, time.Month(f.month), f.day
	if f.special == "relative" {
		y, mo, d = now.In(loc).Date()
		d += f.dayOffset
	}
	if oid == DateOID {
		t := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
		if t.Unix() < minTimestampUnix || t.Unix() >= endDateUnix {
			return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
		}
		return t, nil
	}
	zone := time.UTC
	if oid == TimestampTZOID {
		zone = loc
		if f.zone != nil {
			zone = f.zone
		}
	}
	t := time.Date(y, mo, d, f.hour, f.min, f.sec, f.usec*1000, zone).UTC()
	if t.Unix() < minTimestampUnix || t.Unix() >= endTimestampUnix {
		return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return t, nil
}

// appendTime writes date_out, timestamp_out or timestamptz_out's ISO
// text; timestamptz is shown in f.Location.
func appendTime(buf []byte, oid OID, t time.Time, f *FormatOptions) []byte {
	switch {
	case IsInfinity(t):
		return append(buf, "infinity"...)
	case IsNegInfinity(t):
		return append(buf, "-infinity"...)
	}
	if oid == TimestampTZOID {
		t = t.In(sessionLocation(f))
	}
	year, month, day := t.Date()
	bc := year <= 0
	if bc {
		year = 1 - year
	}
	buf = appendPadded(buf, year, 4)
	buf = append(buf, '-')
	buf = appendPadded(buf, int(month), 2)
	buf = append(buf, '-')
	buf = appendPadded(buf, day, 2)
	if oid != DateOID {
		buf = appendClock(buf, t)
	}
	if oid == TimestampTZOID {
		_, off := t.Zone()
		buf = appendOffset(buf, off)
	}
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

func appendClock(buf []byte, t time.Time) []byte {
	h, m, s := t.Clock()
	buf = append(buf, ' ')
	buf = appendPadded(buf, h, 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, m, 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, s, 2)
	if us := t.Nanosecond() / 1000; us != 0 {
		frac := []byte{'.'}
		frac = appendPadded(frac, us, 6)
		buf = append(buf, strings.TrimRight(string(frac), "0")...)
	}
	return buf
}

// appendOffset writes a UTC offset as +HH, +HH:MM or +HH:MM:SS.
func appendOffset(buf []byte, off int) []byte {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	buf = append(buf, sign)
	buf = appendPadded(buf, off/3600, 2)
	if off%3600 != 0 {
		buf = append(buf, ':')
		buf = appendPadded(buf, off/60%60, 2)
		if off%60 != 0 {
			buf = append(buf, ':')
			buf = appendPadded(buf, off%60, 2)
		}
	}
	return buf
}

func appendPadded(buf []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for range width - len(s) {
		buf = append(buf, '0')
	}
	return append(buf, s...)
}

// castTime converts between date, timestamp and timestamptz; loc is the
// session TimeZone.
func castTime(v time.Time, from, to T, loc *time.Location) (Datum, error) {
	if IsInfinity(v) || IsNegInfinity(v) {
		if isDateTime(to.OID) {
			return v, nil
		}
		return nil, errCannotCast(from, to)
	}
	switch {
	case to.OID == DateOID && from.OID == TimestampTZOID:
		y, m, d := v.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	case to.OID == DateOID:
		y, m, d := v.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	case to.OID == TimestampOID && from.OID == TimestampTZOID:
		return checkTimestampRange(wallClock(v.In(loc)))
	case to.OID == TimestampOID && from.OID == DateOID:
		return v, nil
	case to.OID == TimestampTZOID && (from.OID == TimestampOID || from.OID == DateOID):
		y, m, d := v.Date()
		h, mi, s := v.Clock()
		return checkTimestampRange(time.Date(y, m, d, h, mi, s, v.Nanosecond(), loc).UTC())
	}
	return nil, errCannotCast(from, to)
}

func checkTimestampRange(t time.Time) (Datum, error) {
	if t.Unix() < minTimestampUnix || t.Unix() >= endTimestampUnix {
		return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range")
	}
	return t, nil
}

// coerceTimestamp rounds to t's fractional-second precision, half away
// from zero, as AdjustTimestampForTypmod does.
func coerceTimestamp(d Datum, t T) (Datum, error) {
	v := d.(time.Time)
	if t.Mod < 0 || t.Mod >= TimestampMaxPrecision || IsInfinity(v) || IsNegInfinity(v) {
		return v, nil
	}
	unit := int64(math.Pow10(TimestampMaxPrecision - int(t.Mod)))
	us := microsFromTime(v)
	if us >= 0 {
		us = (us + unit/2) / unit * unit
	} else {
		us = -((-us + unit/2) / unit * unit)
	}
	return checkTimestampRange(timeFromMicros(us))
}
