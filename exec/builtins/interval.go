package builtins

import (
	"math/big"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// The interval type's operators and functions, and the date/time
// arithmetic that makes or takes intervals. timestamptz arithmetic works
// in the session's TimeZone, as PostgreSQL's does; timestamp and date in
// their own wall-clock time.

func ivArg(d types.Datum) types.Interval { return d.(types.Interval) }

func ivResult(iv types.Interval, err error) (types.Datum, error) {
	if err != nil {
		return nil, err
	}
	return iv, nil
}

func timeResult(t time.Time, err error) (types.Datum, error) {
	if err != nil {
		return nil, err
	}
	return t, nil
}

// sessionLocation is the TimeZone timestamptz arithmetic uses.
func sessionLocation(env planner.Env) *time.Location {
	if f := env.Format(); f != nil && f.Location != nil {
		return f.Location
	}
	return time.UTC
}

func addIntervalOps(r *Registry) {
	iv := types.IntervalOID
	// Operators on timestamptz read the session's TimeZone: stable, so
	// never folded when a statement is bound.
	bin := func(op string, a, b types.OID, ret types.T, f func(env planner.Env, x, y types.Datum) (types.Datum, error)) {
		vol := planner.Immutable
		if a == types.TimestampTZOID || b == types.TimestampTZOID {
			vol = planner.Stable
		}
		r.addBinary(op, Overload{Args: sig(a, b), Ret: ret, Volatility: vol,
			Impl: func(env planner.Env, args []types.Datum) (types.Datum, error) { return f(env, args[0], args[1]) }})
	}
	bin("+", iv, iv, types.TInterval, func(_ planner.Env, x, y types.Datum) (types.Datum, error) {
		return ivResult(types.AddIntervals(ivArg(x), ivArg(y)))
	})
	bin("-", iv, iv, types.TInterval, func(_ planner.Env, x, y types.Datum) (types.Datum, error) {
		return ivResult(types.SubtractIntervals(ivArg(x), ivArg(y)))
	})
	bin("*", iv, types.Float8OID, types.TInterval, func(_ planner.Env, x, y types.Datum) (types.Datum, error) {
		return ivResult(types.MulInterval(ivArg(x), y.(float64)))
	})
	bin("*", types.Float8OID, iv, types.TInterval, func(_ planner.Env, x, y types.Datum) (types.Datum, error) {
		return ivResult(types.MulInterval(ivArg(y), x.(float64)))
	})
	bin("/", iv, types.Float8OID, types.TInterval, func(_ planner.Env, x, y types.Datum) (types.Datum, error) {
		return ivResult(types.DivInterval(ivArg(x), y.(float64)))
	})
	r.addPrefix("-", Overload{Args: sig(iv), Ret: types.TInterval,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return ivResult(types.NegateInterval(ivArg(a[0])))
		}})
	r.addPrefix("+", Overload{Args: sig(iv), Ret: types.TInterval,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return a[0], nil }})

	// timestamp ± interval. A date is a timestamp at midnight.
	for _, tt := range []types.OID{types.TimestampTZOID, types.TimestampOID, types.DateOID} {
		ret := types.Of(tt)
		if tt == types.DateOID {
			ret = types.TTimestamp
		}
		loc := func(env planner.Env) *time.Location {
			if tt == types.TimestampTZOID {
				return sessionLocation(env)
			}
			return time.UTC
		}
		bin("+", tt, iv, ret, func(env planner.Env, x, y types.Datum) (types.Datum, error) {
			return timeResult(types.AddIntervalToTime(x.(time.Time), ivArg(y), loc(env)))
		})
		bin("+", iv, tt, ret, func(env planner.Env, x, y types.Datum) (types.Datum, error) {
			return timeResult(types.AddIntervalToTime(y.(time.Time), ivArg(x), loc(env)))
		})
		bin("-", tt, iv, ret, func(env planner.Env, x, y types.Datum) (types.Datum, error) {
			neg, err := types.NegateInterval(ivArg(y))
			if err != nil {
				return nil, err
			}
			return timeResult(types.AddIntervalToTime(x.(time.Time), neg, loc(env)))
		})
	}
	for _, tt := range []types.OID{types.TimestampTZOID, types.TimestampOID} {
		bin("-", tt, tt, types.TInterval, func(_ planner.Env, x, y types.Datum) (types.Datum, error) {
			return ivResult(types.SubtractTimes(x.(time.Time), y.(time.Time)))
		})
	}
	// date - date is a number of days; date ± integer moves by days.
	bin("-", types.DateOID, types.DateOID, types.TInt4, func(_ planner.Env, x, y types.Datum) (types.Datum, error) {
		return int64(x.(time.Time).Sub(y.(time.Time)).Hours() / 24), nil
	})
	dateAdd := func(d types.Datum, days int64) (types.Datum, error) {
		t := d.(time.Time)
		if types.IsInfinity(t) || types.IsNegInfinity(t) {
			return t, nil
		}
		out := t.AddDate(0, 0, int(days))
		if out.Year() < -4713 || out.Year() > 5874897 {
			return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "date out of range")
		}
		return out, nil
	}
	bin("+", types.DateOID, types.Int4OID, types.TDate, func(_ planner.Env, x, y types.Datum) (types.Datum, error) {
		return dateAdd(x, y.(int64))
	})
	bin("+", types.Int4OID, types.DateOID, types.TDate, func(_ planner.Env, x, y types.Datum) (types.Datum, error) {
		return dateAdd(y, x.(int64))
	})
	bin("-", types.DateOID, types.Int4OID, types.TDate, func(_ planner.Env, x, y types.Datum) (types.Datum, error) {
		return dateAdd(x, -y.(int64))
	})

	unary := func(name string, f func(types.Interval) (types.Interval, error)) {
		r.addFunc(name, Overload{Args: sig(iv), Ret: types.TInterval,
			Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) { return ivResult(f(ivArg(a[0]))) }})
	}
	unary("justify_days", types.JustifyDays)
	unary("justify_hours", types.JustifyHours)
	unary("justify_interval", types.JustifyInterval)
	r.addFunc("isfinite", Overload{Args: sig(iv), Ret: types.TBool,
		Impl: func(planner.Env, []types.Datum) (types.Datum, error) { return true, nil }})

	// age: the symbolic difference, in years, months and days.
	r.addFunc("age", Overload{Args: sig(types.TimestampTZOID, types.TimestampTZOID), Ret: types.TInterval, Volatility: planner.Stable,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			return ivResult(types.Age(a[0].(time.Time), a[1].(time.Time), sessionLocation(env)))
		}})
	r.addFunc("age", Overload{Args: sig(types.TimestampOID, types.TimestampOID), Ret: types.TInterval,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return ivResult(types.Age(a[0].(time.Time), a[1].(time.Time), time.UTC))
		}})
	// age(t) is age from today's midnight (of the transaction's date).
	r.addFunc("age", Overload{Args: sig(types.TimestampTZOID), Ret: types.TInterval, Volatility: planner.Stable,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			loc := sessionLocation(env)
			y, m, d := env.TransactionTime().In(loc).Date()
			return ivResult(types.Age(time.Date(y, m, d, 0, 0, 0, 0, loc), a[0].(time.Time), loc))
		}})
	r.addFunc("age", Overload{Args: sig(types.TimestampOID), Ret: types.TInterval, Volatility: planner.Stable,
		Impl: func(env planner.Env, a []types.Datum) (types.Datum, error) {
			y, m, d := env.TransactionTime().In(sessionLocation(env)).Date()
			return ivResult(types.Age(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), a[0].(time.Time), time.UTC))
		}})

	r.addFunc("date_part", Overload{Args: sig(types.TextOID, iv), Ret: types.TFloat8,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			d, err := intervalPart(str(a[0]), ivArg(a[1]))
			if err != nil {
				return nil, err
			}
			f, _ := d.Float64()
			return f, nil
		}})
	r.addFunc("extract", Overload{Args: sig(types.TextOID, iv), Ret: types.TNumeric,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			d, err := intervalPart(str(a[0]), ivArg(a[1]))
			if err != nil {
				return nil, err
			}
			return d, nil
		}})
	r.addFunc("date_trunc", Overload{Args: sig(types.TextOID, iv), Ret: types.TInterval,
		Impl: func(_ planner.Env, a []types.Datum) (types.Datum, error) {
			return ivResult(truncInterval(str(a[0]), ivArg(a[1])))
		}})

	// sum and avg: avg divides the sum by the count as interval / float8.
	intervalSum := func(avg bool) func() planner.Accumulator {
		return func() planner.Accumulator {
			var sum types.Interval
			n := 0
			return &accFunc{
				add: func(args []types.Datum) error {
					s, err := types.AddIntervals(sum, ivArg(args[0]))
					sum, n = s, n+1
					return err
				},
				result: func() (types.Datum, error) {
					switch {
					case n == 0:
						return nil, nil
					case avg:
						return ivResult(types.DivInterval(sum, float64(n)))
					}
					return sum, nil
				},
			}
		}
	}
	r.addAgg("sum", AggOverload{Args: sig(iv), Ret: types.TInterval, New: fixed(intervalSum(false))})
	r.addAgg("avg", AggOverload{Args: sig(iv), Ret: types.TInterval, New: fixed(intervalSum(true))})
}

// intervalUnits maps the field names extract, date_part and date_trunc
// accept (any case) to the field.
var intervalUnits = map[string]string{
	"epoch":        "epoch",
	"microseconds": "microseconds", "microsecond": "microseconds", "us": "microseconds", "usec": "microseconds",
	"usecs": "microseconds", "useconds": "microseconds", "usecond": "microseconds",
	"milliseconds": "milliseconds", "millisecond": "milliseconds", "ms": "milliseconds", "msec": "milliseconds",
	"msecs": "milliseconds", "mseconds": "milliseconds", "msecond": "milliseconds",
	"second": "second", "seconds": "second", "s": "second", "sec": "second", "secs": "second",
	"minute": "minute", "minutes": "minute", "m": "minute", "min": "minute", "mins": "minute",
	"hour": "hour", "hours": "hour", "h": "hour", "hr": "hour", "hrs": "hour",
	"day": "day", "days": "day", "d": "day",
	"week": "week", "weeks": "week", "w": "week",
	"month": "month", "months": "month", "mon": "month", "mons": "month",
	"quarter": "quarter", "qtr": "quarter",
	"year": "year", "years": "year", "y": "year", "yr": "year", "yrs": "year",
	"decade": "decade", "decades": "decade", "dec": "decade", "decs": "decade",
	"century": "century", "centuries": "century", "c": "century", "cent": "century",
	"millennium": "millennium", "millennia": "millennium", "mil": "millennium", "mils": "millennium",
	// Recognised, but not fields of an interval.
	"dow": "", "doy": "", "isodow": "", "isoyear": "", "julian": "", "timezone": "", "timezone_hour": "",
	"timezone_minute": "",
}

func intervalUnit(name string) (string, error) {
	unit, ok := intervalUnits[strings.ToLower(name)]
	if !ok {
		return "", pgerr.New(pgerr.InvalidParameterValue, "unit \"%s\" not recognized for type interval", name)
	}
	return unit, nil
}

// intervalPart is extract(field from iv) as a numeric with PostgreSQL's
// scales: 6 decimals for second and epoch, 3 for milliseconds.
func intervalPart(name string, iv types.Interval) (*apd.Decimal, error) {
	unit, err := intervalUnit(name)
	if err != nil {
		return nil, err
	}
	f := iv.Fields()
	secMicros := f.Seconds*1_000_000 + f.Micros
	switch unit {
	case "microseconds":
		return apd.New(secMicros, 0), nil
	case "milliseconds":
		return apd.New(secMicros, -3), nil
	case "second":
		return apd.New(secMicros, -6), nil
	case "minute":
		return apd.New(f.Minutes, 0), nil
	case "hour":
		return apd.New(f.Hours, 0), nil
	case "day":
		return apd.New(f.Days, 0), nil
	case "month":
		return apd.New(f.Months, 0), nil
	case "quarter":
		return apd.New(f.Months/3+1, 0), nil
	case "year":
		return apd.New(f.Years, 0), nil
	case "decade":
		return apd.New(f.Years/10, 0), nil
	case "century":
		return apd.New(f.Years/100, 0), nil
	case "millennium":
		return apd.New(f.Years/1000, 0), nil
	case "epoch":
		// A year is 365.25 days, a month 30: in microseconds, exactly.
		us := big.NewInt(f.Years)
		us.Mul(us, big.NewInt(31_557_600_000_000))
		us.Add(us, new(big.Int).Mul(big.NewInt(f.Months), big.NewInt(2_592_000_000_000)))
		us.Add(us, new(big.Int).Mul(big.NewInt(f.Days), big.NewInt(86_400_000_000)))
		us.Add(us, big.NewInt(iv.Micros))
		d := new(apd.Decimal)
		d.Coeff.SetMathBigInt(new(big.Int).Abs(us))
		d.Negative = us.Sign() < 0
		d.Exponent = -6
		return d, nil
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "unit \"%s\" not supported for type interval", name)
}

// truncInterval is date_trunc(field, iv): the fields below field are
// zeroed.
func truncInterval(name string, iv types.Interval) (types.Interval, error) {
	unit, err := intervalUnit(name)
	if err != nil {
		return types.Interval{}, err
	}
	f := iv.Fields()
	switch unit {
	case "millennium":
		f = types.IntervalFields{Years: f.Years / 1000 * 1000}
	case "century":
		f = types.IntervalFields{Years: f.Years / 100 * 100}
	case "decade":
		f = types.IntervalFields{Years: f.Years / 10 * 10}
	case "year":
		f = types.IntervalFields{Years: f.Years}
	case "quarter":
		f = types.IntervalFields{Years: f.Years, Months: 3 * (f.Months / 3)}
	case "month":
		f = types.IntervalFields{Years: f.Years, Months: f.Months}
	case "day":
		f = types.IntervalFields{Years: f.Years, Months: f.Months, Days: f.Days}
	case "hour":
		f.Minutes, f.Seconds, f.Micros = 0, 0, 0
	case "minute":
		f.Seconds, f.Micros = 0, 0
	case "second":
		f.Micros = 0
	case "milliseconds":
		f.Micros = f.Micros / 1000 * 1000
	case "microseconds":
	case "week":
		return types.Interval{}, pgerr.New(pgerr.FeatureNotSupported, "unit \"%s\" not supported for type interval", name).
			WithDetail("Months usually have fractional weeks.")
	default:
		return types.Interval{}, pgerr.New(pgerr.FeatureNotSupported, "unit \"%s\" not supported for type interval", name)
	}
	return types.IntervalFromFields(f)
}
