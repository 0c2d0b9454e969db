package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"
)

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int // -1: an error
	}{
		{"0", 0},
		{"1048576", 1 << 20},
		{"512kB", 512 << 10},
		{"64MB", 64 << 20},
		{" 64 mb ", 64 << 20},
		{"1GB", -1},
		{"1023MB", 1023 << 20},
		{"1073741823", 1<<30 - 1},
		{"1073741824", -1},
		{"99999999999999999999", -1},
		{"8TB", -1},
		{"MB", -1},
		{"-1", -1},
		{"", -1},
	}
	for _, tt := range tests {
		got, err := parseBytes(tt.in)
		if tt.want == -1 {
			if err == nil {
				t.Errorf("parseBytes(%q) = %d, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, n := range []int{0, 1000, 1 << 10, 64 << 20, 1 << 30, 3 << 10} {
		if got, err := parseBytes(formatBytes(n)); err != nil && n < 1<<30 || err == nil && got != n {
			t.Errorf("formatBytes(%d) = %q parses back as %d, %v", n, formatBytes(n), got, err)
		}
	}
}

// TestInstanceMaxConnections checks the limit end to end: pgx is refused
// with PostgreSQL's error once every slot is taken.
func TestInstanceMaxConnections(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	in, err := startInstance(instanceConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Logger: log, MaxConnections: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		in.Stop(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 2 {
		conn, err := pgx.Connect(ctx, in.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
	}
	_, err = pgx.Connect(ctx, in.URL())
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "53300" || pgErr.Message != "sorry, too many clients already" {
		t.Fatalf("third connection: %v, want FATAL 53300", err)
	}
}

// TestInstanceMaxMessageSize checks that a message over --max-message-size
// ends its session with FATAL 08P01.
func TestInstanceMaxMessageSize(t *testing.T) {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	in, err := startInstance(instanceConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Logger: log, MaxMessageSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		in.Stop(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, in.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT '"+strings.Repeat("x", 3000)+"'"); err != nil {
		t.Fatalf("a query under the limit: %v", err)
	}
	_, err = conn.Exec(ctx, "SELECT '"+strings.Repeat("x", 5000)+"'")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "08P01" || pgErr.Severity != "FATAL" {
		t.Fatalf("a query over the limit: %v, want FATAL 08P01", err)
	}
}
