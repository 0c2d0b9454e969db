package sql

import (
	"strconv"
	"strings"
	"time"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// setting describes one configuration parameter a session can SHOW and
// (unless readOnly) SET.
type setting struct {
	name string
	// def is the value a new session starts with (and RESET returns to).
	def string
	// reported settings are sent to the client with ParameterStatus at
	// startup and whenever they change, as PostgreSQL's GUC_REPORT ones.
	reported bool
	readOnly bool
	// check validates a new value and returns its canonical form.
	check func(v string) (string, error)
}

// settingsTable lists the settings vecgres knows, by lower-case name.
// Names with a dot that are not listed are custom placeholders, which
// PostgreSQL also accepts.
func settingsTable() map[string]*setting {
	list := []*setting{
		{name: "application_name", def: "", reported: true},
		{name: "client_encoding", def: "UTF8", reported: true, check: checkEncoding},
		{name: "DateStyle", def: "ISO, MDY", reported: true, check: checkDateStyle},
		{name: "IntervalStyle", def: "postgres", reported: true, check: oneOf("postgres", "postgres_verbose", "sql_standard", "iso_8601")},
		{name: "TimeZone", def: "UTC", reported: true, check: checkTimeZone},
		{name: "integer_datetimes", def: "on", reported: true, readOnly: true},
		{name: "standard_conforming_strings", def: "on", reported: true, check: checkOnlyOn("standard_conforming_strings")},
		{name: "server_version", def: builtins.ServerVersion, reported: true, readOnly: true},
		{name: "server_version_num", def: builtins.ServerVersionNum, readOnly: true},
		{name: "server_encoding", def: "UTF8", reported: true, readOnly: true},
		{name: "is_superuser", def: "on", reported: true, readOnly: true},
		{name: "session_authorization", def: "", reported: true, readOnly: true},
		{name: "role", def: "none", readOnly: true}, // SET ROLE: roles.go
		{name: "default_transaction_read_only", def: "off", reported: true, check: checkBool},
		{name: "in_hot_standby", def: "off", reported: true, readOnly: true},
		{name: "scram_iterations", def: "4096", reported: true, readOnly: true},
		{name: "search_path", def: `"$user", public`},
		{name: "extra_float_digits", def: "1", check: checkIntRange("extra_float_digits", -15, 3)},
		{name: "statement_timeout", def: "0", check: checkDuration("statement_timeout")},
		{name: "lock_timeout", def: "0", check: checkDuration("lock_timeout")},
		{name: "idle_in_transaction_session_timeout", def: "0", check: checkDuration("idle_in_transaction_session_timeout")},
		{name: "default_transaction_isolation", def: "read committed", check: checkIsolation},
		{name: "transaction_isolation", def: "read committed", check: checkIsolation},
		{name: "max_identifier_length", def: "63", readOnly: true},
		{name: "lc_collate", def: "C", readOnly: true},
		{name: "lc_ctype", def: "C", readOnly: true},
		{name: "lc_messages", def: "C"},
		{name: "lc_monetary", def: "C"},
		{name: "lc_numeric", def: "C"},
		{name: "lc_time", def: "C"},
		{name: "client_min_messages", def: "notice", check: oneOf("debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error")},
		{name: "synchronous_commit", def: "on"},
		{name: "row_security", def: "on", check: checkBool},
		{name: "bytea_output", def: "hex", check: oneOf("hex", "escape")},
		{name: "jit", def: "off", check: checkBool},
		{name: "max_parallel_workers_per_gather", def: "2", check: checkIntRange("max_parallel_workers_per_gather", 0, 1024)},
		{name: "work_mem", def: defaultWorkMem, check: checkMemory("work_mem", 64, 2147483647)},
		{name: "maintenance_work_mem", def: defaultMaintenanceWorkMem, check: checkMemory("maintenance_work_mem", 1024, 2147483647)},
		{name: "hash_mem_multiplier", def: "2", check: checkFloatRange("hash_mem_multiplier", 1, 1000)},
		{name: "enable_seqscan", def: "on", check: checkBool},
		{name: "enable_indexscan", def: "on", check: checkBool},
		{name: "block_size", def: "8192", readOnly: true},
		{name: "max_connections", def: "500", readOnly: true},
		{name: "hnsw.ef_search", def: "40", check: checkIntRange("hnsw.ef_search", 1, 1000)},
		{name: "hnsw.iterative_scan", def: "strict_order", check: oneOf("off", "relaxed_order", "strict_order")},
		{name: "hnsw.max_scan_tuples", def: "20000", check: checkIntRange("hnsw.max_scan_tuples", 1, 2147483647)},
		{name: "hnsw.scan_mem_multiplier", def: "1", check: checkFloatRange("hnsw.scan_mem_multiplier", 1, 1000)},
		// vecgres's own: the least ef_search of a filtered search that
		// tests its filter in the graph (0: hnsw.ef_search alone).
		{name: "vecgres.filtered_ef_search", def: "200", check: checkIntRange("vecgres.filtered_ef_search", 0, 1000)},
	}
	m := make(map[string]*setting, len(list))
	for _, s := range list {
		m[strings.ToLower(s.name)] = s
	}
	return m
}

func invalidValue(name, v string) *pgerr.Error {
	return pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
}

func oneOf(allowed ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		lv := strings.ToLower(v)
		for _, a := range allowed {
			if lv == a {
				return a, nil
			}
		}
		return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value \"%s\"", v).
			WithHint("Available values: %s.", strings.Join(allowed, ", "))
	}
}

func checkBool(v string) (string, error) {
	switch strings.ToLower(v) {
	case "on", "true", "yes", "1", "t", "y":
		return "on", nil
	case "off", "false", "no", "0", "f", "n":
		return "off", nil
	}
	return "", pgerr.New(pgerr.InvalidParameterValue, "parameter requires a Boolean value")
}

func checkOnlyOn(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		b, err := checkBool(v)
		if err != nil {
			return "", err
		}
		if b != "on" {
			return "", pgerr.New(pgerr.FeatureNotSupported, "vecgres supports only %s = on", name)
		}
		return b, nil
	}
}

func checkIntRange(name string, lo, hi int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
		}
		if n < lo || n > hi {
			return "", pgerr.New(pgerr.InvalidParameterValue, "%d is outside the valid range for parameter \"%s\" (%d .. %d)", n, name, lo, hi)
		}
		return strconv.FormatInt(n, 10), nil
	}
}

func checkFloatRange(name string, lo, hi float64) func(string) (string, error) {
	return func(v string) (string, error) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
		}
		if f < lo || f > hi {
			return "", pgerr.New(pgerr.InvalidParameterValue, "%s is outside the valid range for parameter \"%s\" (%s .. %s)",
				v, name, strconv.FormatFloat(lo, 'g', -1, 64), strconv.FormatFloat(hi, 'g', -1, 64))
		}
		return strconv.FormatFloat(f, 'g', -1, 64), nil
	}
}

// checkDuration accepts a number of milliseconds or a number with a unit
// (ms, s, min, h, d) and returns the form SHOW prints.
func checkDuration(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		ms, err := parseDurationMillis(v)
		if err != nil || ms < 0 || ms > 2147483647 {
			return "", invalidValue(name, v)
		}
		return formatMillis(ms), nil
	}
}

func parseDurationMillis(v string) (int64, error) {
	s := strings.TrimSpace(v)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || (i == 0 && s[i] == '-')) {
		i++
	}
	num, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, err
	}
	unit := strings.TrimSpace(s[i:])
	mult := map[string]float64{"": 1, "ms": 1, "s": 1000, "min": 60000, "h": 3600000, "d": 86400000}[unit]
	if mult == 0 {
		return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid unit")
	}
	return int64(num*mult + 0.5), nil
}

// formatMillis prints a duration the way SHOW does: in the largest unit
// that divides it exactly.
func formatMillis(ms int64) string {
	if ms == 0 {
		return "0"
	}
	for _, u := range []struct {
		n    int64
		unit string
	}{{86400000, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}} {
		if ms%u.n == 0 {
			return strconv.FormatInt(ms/u.n, 10) + u.unit
		}
	}
	return strconv.FormatInt(ms, 10) + "ms"
}

func checkEncoding(v string) (string, error) {
	// PostgreSQL ignores everything but letters and digits in encoding
	// names ('utf-8', "UTF_8").
	var name strings.Builder
	for _, c := range strings.ToUpper(v) {
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			name.WriteRune(c)
		}
	}
	switch name.String() {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	case "SQLASCII":
		// No conversion at all: bytes go out as stored, which for an
		// ASCII client is what it expects.
		return "SQL_ASCII", nil
	}
	return "", pgerr.New(pgerr.FeatureNotSupported, "vecgres supports only the UTF8 client encoding, not \"%s\"", v)
}

func checkDateStyle(v string) (string, error) {
	// Only ISO output is implemented; accept the usual spellings of it.
	parts := strings.Split(strings.ToUpper(v), ",")
	order := "MDY"
	iso := false
	for _, p := range parts {
		switch strings.TrimSpace(p) {
		case "ISO":
			iso = true
		case "MDY", "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		case "DMY", "EURO", "EUROPEAN":
			order = "DMY"
		case "YMD":
			order = "YMD"
		default:
			return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"DateStyle\": \"%s\"", v)
		}
	}
	if !iso && len(parts) > 0 && strings.TrimSpace(parts[0]) != "MDY" && strings.TrimSpace(parts[0]) != "DMY" && strings.TrimSpace(parts[0]) != "YMD" {
		return "", pgerr.New(pgerr.FeatureNotSupported, "vecgres supports only the ISO DateStyle")
	}
	return "ISO, " + order, nil
}

func checkTimeZone(v string) (string, error) {
	name := strings.TrimSpace(v)
	if strings.EqualFold(name, "utc") || strings.EqualFold(name, "gmt") || name == "Z" {
		return strings.ToUpper(name), nil
	}
	if _, err := time.LoadLocation(name); err != nil {
		return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": \"%s\"", v)
	}
	return name, nil
}

func checkIsolation(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "read committed", "read uncommitted":
		return "read committed", nil
	case "repeatable read", "serializable":
		// Writers are serialised and each statement reads a snapshot:
		// stronger levels would need transaction-wide snapshots. Refuse
		// rather than pretend.
		return "", pgerr.New(pgerr.FeatureNotSupported, "vecgres supports only the READ COMMITTED isolation level, not %s", strings.ToUpper(v))
	}
	return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"transaction_isolation\": \"%s\"", v)
}

// timeZoneLocation returns the location for a TimeZone setting.
func timeZoneLocation(name string) *time.Location {
	switch strings.ToUpper(name) {
	case "UTC", "GMT", "Z", "":
		return time.UTC
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}
