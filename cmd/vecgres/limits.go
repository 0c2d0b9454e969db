package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/vecgres/vecgres/server"
)

// limitFlags holds the text of serve's resource-limit flags until they
// are parsed.
type limitFlags struct {
	maxConnections string
	maxMessageSize string
}

// addLimitFlags defines --max-connections and --max-message-size on fs,
// defaulting to VECGRES_MAX_CONNECTIONS and VECGRES_MAX_MESSAGE_SIZE, then
// to the server's defaults.
func addLimitFlags(fs *flag.FlagSet, getenv func(string) string) *limitFlags {
	l := &limitFlags{}
	fs.StringVar(&l.maxConnections, "max-connections",
		envOr(getenv, "VECGRES_MAX_CONNECTIONS", strconv.Itoa(server.DefaultMaxConnections)),
		"most `sessions` served at once; more clients are refused with FATAL 53300")
	fs.StringVar(&l.maxMessageSize, "max-message-size",
		envOr(getenv, "VECGRES_MAX_MESSAGE_SIZE", formatBytes(server.DefaultMaxMessageSize)),
		"largest message a client may send (Query, Parse, Bind, CopyData), in `bytes` or with a unit: kB, MB, GB")
	return l
}

// apply parses the flags into cfg.
func (l *limitFlags) apply(cfg *serveConfig) error {
	n, err := strconv.Atoi(strings.TrimSpace(l.maxConnections))
	if err != nil || n < 1 {
		return fmt.Errorf("invalid --max-connections %q: want a positive number", l.maxConnections)
	}
	cfg.MaxConnections = n
	size, err := parseBytes(l.maxMessageSize)
	if err != nil {
		return fmt.Errorf("invalid --max-message-size: %w", err)
	}
	if size < 1<<10 {
		return fmt.Errorf("invalid --max-message-size %q: at least 1kB", l.maxMessageSize)
	}
	cfg.MaxMessageSize = size
	return nil
}

// parseBytes reads a size such as "1048576", "512kB", "64MB" or "1GB"
// (PostgreSQL's memory units, case-insensitive, powers of 1024), up to
// 1GB - 1, PostgreSQL's largest message.
func parseBytes(s string) (int, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	mult := map[string]int64{"": 1, "b": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30}[strings.ToLower(strings.TrimSpace(t[i:]))]
	if mult == 0 {
		return 0, fmt.Errorf("invalid size %q: units are B, kB, MB and GB", s)
	}
	const limit = 1<<30 - 1
	if n > limit/mult+1 || n*mult > limit {
		return 0, fmt.Errorf("size %q is larger than 1GB - 1 byte", s)
	}
	return int(n * mult), nil
}

// formatBytes prints n in the largest unit that divides it.
func formatBytes(n int) string {
	for _, u := range []struct {
		size int
		name string
	}{{1 << 30, "GB"}, {1 << 20, "MB"}, {1 << 10, "kB"}} {
		if n != 0 && n%u.size == 0 {
			return strconv.Itoa(n/u.size) + u.name
		}
	}
	return strconv.Itoa(n)
}
