package main

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// childEnv makes the test binary run as a vecgres server instead of
// running tests, for the crash test's child process.
const childEnv = "VECGRES_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "serve" {
		os.Exit(run([]string{"serve"}, os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}

// startTestInstance runs a vecgres in the test process on a free port
// with a fresh data directory, stopped when the test ends.
func startTestInstance(t testing.TB) *instance {
	t.Helper()
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	in, err := startInstance(instanceConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := in.Stop(ctx); err != nil {
			t.Errorf("stopping vecgres: %v", err)
		}
	})
	return in
}

func envMap(kv map[string]string) func(string) string {
	return func(name string) string { return kv[name] }
}

// defaultAuth is the authentication configuration without flags: the
// server's default rules, no TLS, no initial superuser password.
var defaultAuth = authConfig{Superuser: "postgres"}

func TestParseServeFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want serveConfig
	}{{
		name: "defaults",
		want: serveConfig{Listen: "127.0.0.1:5433", DataDir: "./vecgres-data", LogLevel: "info", MaxConnections: 500, MaxMessageSize: 64 << 20, Auth: defaultAuth},
	}, {
		name: "environment",
		env:  map[string]string{"VECGRES_LISTEN": ":6000", "VECGRES_DATA_DIR": "/d", "VECGRES_LOG_LEVEL": "debug", "VECGRES_SOCKET_DIR": "/s"},
		want: serveConfig{Listen: ":6000", DataDir: "/d", LogLevel: "debug", SocketDir: "/s", MaxConnections: 500, MaxMessageSize: 64 << 20, Auth: defaultAuth},
	}, {
		name: "flags win over environment",
		args: []string{"--listen", ":7000", "-data-dir=/f", "--log-level=warn", "--socket-dir", "/t"},
		env:  map[string]string{"VECGRES_LISTEN": ":6000", "VECGRES_DATA_DIR": "/d", "VECGRES_LOG_LEVEL": "debug", "VECGRES_SOCKET_DIR": "/s"},
		want: serveConfig{Listen: ":7000", DataDir: "/f", LogLevel: "warn", SocketDir: "/t", MaxConnections: 500, MaxMessageSize: 64 << 20, Auth: defaultAuth},
	}, {
		name: "flags and environment mixed",
		args: []string{"--data-dir", "/f"},
		env:  map[string]string{"VECGRES_LISTEN": ":6000"},
		want: serveConfig{Listen: ":6000", DataDir: "/f", LogLevel: "info", MaxConnections: 500, MaxMessageSize: 64 << 20, Auth: defaultAuth},
	}, {
		name: "limits from the environment",
		env:  map[string]string{"VECGRES_MAX_CONNECTIONS": "20", "VECGRES_MAX_MESSAGE_SIZE": "1MB"},
		want: serveConfig{Listen: "127.0.0.1:5433", DataDir: "./vecgres-data", LogLevel: "info", MaxConnections: 20, MaxMessageSize: 1 << 20, Auth: defaultAuth},
	}, {
		name: "limit flags win",
		args: []string{"--max-connections", "7", "--max-message-size=4096"},
		env:  map[string]string{"VECGRES_MAX_CONNECTIONS": "20", "VECGRES_MAX_MESSAGE_SIZE": "1MB"},
		want: serveConfig{Listen: "127.0.0.1:5433", DataDir: "./vecgres-data", LogLevel: "info", MaxConnections: 7, MaxMessageSize: 4096, Auth: defaultAuth},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseServeFlags(tt.args, &bytes.Buffer{}, envMap(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{args: []string{"version"}, wantCode: exitOK, wantStdout: "vecgres " + version},
		{args: []string{"help"}, wantCode: exitOK, wantStdout: "Usage:"},
		{args: []string{"frobnicate"}, wantCode: exitUsage, wantStderr: `unknown command "frobnicate"`},
		{args: []string{"serve", "--no-such-flag"}, wantCode: exitUsage, wantStderr: "no-such-flag"},
		{args: []string{"serve", "extra"}, wantCode: exitUsage, wantStderr: "unexpected arguments"},
		{args: []string{"--log-level", "loud"}, wantCode: exitUsage, wantStderr: `invalid log level "loud"`},
		{args: []string{"slt"}, wantCode: exitUsage, wantStderr: "no files given"},
		{args: []string{"--max-connections", "0"}, wantCode: exitUsage, wantStderr: "invalid --max-connections"},
		{args: []string{"--max-message-size", "2GB"}, wantCode: exitUsage, wantStderr: "larger than 1GB"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr, envMap(nil))
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (stderr: %s)", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout %q does not contain %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeStopsWhenContextEnds(t *testing.T) {
	var logs syncBuffer
	log := zerolog.New(&logs)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, serveConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir()}, log)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "vecgres ready") {
		if time.Now().After(deadline) {
			t.Fatalf("no ready line in logs: %s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
