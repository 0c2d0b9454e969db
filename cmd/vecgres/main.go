package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/bench"
	"github.com/vecgres/vecgres/kernels"
	"github.com/vecgres/vecgres/slt"
)

// version is the release this source tree is.
const version = "0.1.0-dev"

// shutdownTimeout is how long running statements get to finish after
// SIGINT or SIGTERM before they are cancelled.
const shutdownTimeout = 30 * time.Second

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run executes one vecgres command and returns its exit code.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(args, stderr, getenv)
	case "slt":
		return runSLT(args, stdout, stderr, getenv)
	case "bench":
		return runBench(args, stdout, stderr, getenv)
	case "soak":
		return runSoak(args, stdout, stderr, getenv)
	case "version":
		fmt.Fprintln(stdout, versionString())
		return exitOK
	case "help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "vecgres: unknown command %q\n", cmd)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  vecgres [serve] [--listen ADDR] [--socket-dir DIR] [--data-dir DIR] [--log-level LEVEL]
                [--max-connections N] [--max-message-size SIZE]
        run the server (environment: VECGRES_LISTEN, VECGRES_SOCKET_DIR,
        VECGRES_DATA_DIR, VECGRES_LOG_LEVEL, VECGRES_MAX_CONNECTIONS,
        VECGRES_MAX_MESSAGE_SIZE; flags win)
  vecgres slt [--url URL] [--engine NAME] [--verbose] [--stop-on-failure] FILE...
        run sqllogictest files against URL, or against a temporary
        in-process server when no URL is given
  vecgres bench [--url URL] --dataset NAME [flags]
        load a dataset, build an HNSW index and measure recall, QPS and
        latency per hnsw.ef_search (vecgres bench -h lists the flags)
  vecgres soak [--url URL] [--duration 5m] [--clients 64] [flags]
        run inserts, deletes and vector searches from many clients for
        minutes and check errors, memory, goroutines and recall
        (vecgres soak -h lists the flags)
  vecgres version
`)
}

func versionString() string {
	s := fmt.Sprintf("vecgres %s (%s %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, setting := range info.Settings {
			if setting.Key == "vcs.revision" {
				s += " " + setting.Value
			}
		}
	}
	return s
}

// serveConfig is what the serve command is told.
type serveConfig struct {
	Listen    string
	SocketDir string
	DataDir   string
	LogLevel  string
	// MaxConnections and MaxMessageSize are server limits (limits.go).
	MaxConnections int
	MaxMessageSize int
	// Pprof is the address of the runtime profile endpoint (pprof.go);
	// empty: none.
	Pprof string
	// Auth is authentication and TLS (auth.go).
	Auth authConfig
}

// parseServeFlags reads serve's flags; each defaults to its environment
// variable, then to the built-in default, so a flag wins over the
// environment.
func parseServeFlags(args []string, stderr io.Writer, getenv func(string) string) (serveConfig, error) {
	var cfg serveConfig
	fs := flag.NewFlagSet("vecgres serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Listen, "listen", envOr(getenv, "VECGRES_LISTEN", "127.0.0.1:5433"), "TCP `address` to accept clients on")
	fs.StringVar(&cfg.SocketDir, "socket-dir", envOr(getenv, "VECGRES_SOCKET_DIR", ""), "`directory` for the Unix socket .s.PGSQL.<port> (default: none)")
	fs.StringVar(&cfg.DataDir, "data-dir", envOr(getenv, "VECGRES_DATA_DIR", "./vecgres-data"), "data `directory`")
	fs.StringVar(&cfg.LogLevel, "log-level", envOr(getenv, "VECGRES_LOG_LEVEL", "info"), "log `level`: trace, debug, info, warn, error")
	fs.StringVar(&cfg.Pprof, "pprof", envOr(getenv, "VECGRES_PPROF", ""), "serve Go runtime profiles on this loopback `address` (default: off)")
	limits := addLimitFlags(fs, getenv)
	auth := addAuthFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if err := auth.apply(&cfg.Auth); err != nil {
		return cfg, err
	}
	return cfg, limits.apply(&cfg)
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// newLogger logs to w at level: readable lines on a terminal, JSON
// otherwise.
func newLogger(w io.Writer, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Nop(), fmt.Errorf("invalid log level %q", level)
	}
	if isTerminal(w) {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func runServe(args []string, stderr io.Writer, getenv func(string) string) int {
	cfg, err := parseServeFlags(args, stderr, getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "vecgres serve: %v\n", err)
		return exitUsage
	}
	log, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		fmt.Fprintf(stderr, "vecgres serve: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, log); err != nil {
		log.Error().Err(err).Msg("vecgres stopped")
		return exitFailure
	}
	return exitOK
}

// serve runs vecgres until ctx is done, then shuts it down cleanly:
// sessions first, then storage.
func serve(ctx context.Context, cfg serveConfig, log zerolog.Logger) error {
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return err
	}
	in, err := startInstance(instanceConfig{Listen: cfg.Listen, SocketDir: cfg.SocketDir, DataDir: dataDir, Logger: log,
		MaxConnections: cfg.MaxConnections, MaxMessageSize: cfg.MaxMessageSize, Auth: cfg.Auth})
	if err != nil {
		return err
	}
	if cfg.Pprof != "" {
		stop, err := startPprof(cfg.Pprof, log)
		if err != nil {
			_ = in.Stop(context.Background())
			return fmt.Errorf("--pprof: %w", err)
		}
		defer stop()
	}
	ready := log.Info().Str("addr", in.Addr)
	if in.Socket != "" {
		ready = ready.Str("socket", in.Socket)
	}
	ready.Str("data_dir", dataDir).Str("version", version).Str("kernels", kernels.Name()).Msg("vecgres ready")
	log.Info().Str("kernels", kernels.Name()).Msg(kernels.Reason())
	select {
	case <-ctx.Done():
		log.Info().Msg("shutting down")
	case <-in.Done():
		log.Error().Err(in.Err()).Msg("server stopped accepting connections")
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := in.Stop(stopCtx); err != nil {
		return err
	}
	log.Info().Msg("shut down")
	return nil
}

// sltConfig is what the slt command is told.
type sltConfig struct {
	URL           string
	Engine        string
	LogLevel      string
	Verbose       bool
	StopOnFailure bool
	Files         []string
}

func parseSLTFlags(args []string, stderr io.Writer, getenv func(string) string) (sltConfig, error) {
	var cfg sltConfig
	fs := flag.NewFlagSet("vecgres slt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.URL, "url", "", "server to run against (default: a temporary in-process vecgres)")
	fs.StringVar(&cfg.Engine, "engine", slt.DefaultEngine, "engine `name` that skipif/onlyif records test (use postgresql against PostgreSQL)")
	fs.StringVar(&cfg.LogLevel, "log-level", envOr(getenv, "VECGRES_LOG_LEVEL", "warn"), "log `level` of the in-process server")
	fs.BoolVar(&cfg.Verbose, "verbose", false, "print every record as it runs")
	fs.BoolVar(&cfg.StopOnFailure, "stop-on-failure", false, "stop a file at its first failure")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.Files = fs.Args()
	if len(cfg.Files) == 0 {
		return cfg, errors.New("no files given")
	}
	return cfg, nil
}

func runSLT(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg, err := parseSLTFlags(args, stderr, getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "vecgres slt: %v\n", err)
		return exitUsage
	}
	log, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		fmt.Fprintf(stderr, "vecgres slt: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := runSLTFiles(ctx, cfg, stdout, log)
	if err != nil {
		fmt.Fprintf(stderr, "vecgres slt: %v\n", err)
	}
	fmt.Fprintln(stdout, res.Summary())
	if err != nil || res.Failed > 0 {
		return exitFailure
	}
	return exitOK
}

// runSLTFiles runs the files against cfg.URL, or against a vecgres started
// for the purpose on a free port with a temporary data directory that is
// removed afterwards.
func runSLTFiles(ctx context.Context, cfg sltConfig, out io.Writer, log zerolog.Logger) (slt.Result, error) {
	opts := slt.Options{Out: out, Verbose: cfg.Verbose, StopOnFailure: cfg.StopOnFailure, Engine: cfg.Engine}
	if cfg.URL != "" {
		return slt.Run(ctx, cfg.URL, cfg.Files, opts)
	}
	dir, err := os.MkdirTemp("", "vecgres-slt-")
	if err != nil {
		return slt.Result{}, err
	}
	defer os.RemoveAll(dir)
	in, err := startInstance(instanceConfig{Listen: "127.0.0.1:0", DataDir: dir, Logger: log})
	if err != nil {
		return slt.Result{}, err
	}
	res, runErr := slt.Run(ctx, in.URL(), cfg.Files, opts)
	stopCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return res, errors.Join(runErr, in.Stop(stopCtx))
}

// runBench runs the benchmark against --url, or against a vecgres started
// in the process with a temporary data directory.
func runBench(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg, err := bench.ParseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "vecgres bench: %v\n", err)
		return exitUsage
	}
	log, err := newLogger(stderr, envOr(getenv, "VECGRES_LOG_LEVEL", "warn"))
	if err != nil {
		fmt.Fprintf(stderr, "vecgres bench: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runBenchAgainst(ctx, cfg, stdout, log); err != nil {
		fmt.Fprintf(stderr, "vecgres bench: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func runBenchAgainst(ctx context.Context, cfg bench.Config, out io.Writer, log zerolog.Logger) error {
	if cfg.URL != "" || cfg.Dataset == "" {
		_, err := bench.Run(ctx, cfg, out)
		return err
	}
	dir, err := os.MkdirTemp("", "vecgres-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in, err := startInstance(instanceConfig{Listen: "127.0.0.1:0", DataDir: dir, Logger: log})
	if err != nil {
		return err
	}
	cfg.URL = in.URL()
	_, runErr := bench.Run(ctx, cfg, out)
	stopCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return errors.Join(runErr, in.Stop(stopCtx))
}
