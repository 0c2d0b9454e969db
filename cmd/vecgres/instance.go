package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/server"
	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// instanceConfig says what a running vecgres needs.
type instanceConfig struct {
	// Listen is the TCP address; port 0 picks a free one.
	Listen string
	// SocketDir, when set, is where the Unix socket .s.PGSQL.<port> is
	// made, as PostgreSQL's unix_socket_directories.
	SocketDir string
	// DataDir is the data directory, created if missing.
	DataDir string
	Logger  zerolog.Logger
	// MaxConnections and MaxMessageSize are the server's limits; zero
	// means the server's defaults.
	MaxConnections int
	MaxMessageSize int
	// Auth is how clients authenticate and whether they use TLS
	// (auth.go); the zero value is the server's defaults.
	Auth authConfig
}

// instance is a running vecgres: storage, engine and server, started and
// stopped together. The binary runs one; tests run as many as they like.
type instance struct {
	// Addr is the TCP address the server accepts connections on.
	Addr string
	// Socket is the path of the Unix socket, or "".
	Socket string
	log    zerolog.Logger
	db     *storage.DB
	srv    *server.Server

	serving  sync.WaitGroup // one per listener
	stopped  sync.Once
	done     chan struct{} // closed when a listener stops accepting
	serveErr error         // why it stopped; set before done is closed
}

// startInstance opens the data directory and starts serving on listeners
// bound before it returns, so that Addr can be dialled at once.
func startInstance(cfg instanceConfig) (*instance, error) {
	db, err := storage.Open(storage.Options{
		Dir:       cfg.DataDir,
		Logger:    cfg.Logger,
		FormatKey: formatKey,
	})
	if err != nil {
		return nil, fmt.Errorf("opening data directory %s: %w", cfg.DataDir, err)
	}
	srv, err := newServer(cfg, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	lns, err := listen(cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	in := &instance{Addr: lns[0].Addr().String(), log: cfg.Logger, db: db, srv: srv, done: make(chan struct{})}
	if len(lns) > 1 {
		in.Socket = lns[1].Addr().String()
	}
	in.serving.Add(len(lns))
	for _, ln := range lns {
		go func() {
			defer in.serving.Done()
			err := srv.Serve(ln)
			in.stopped.Do(func() {
				in.serveErr = err
				close(in.done)
			})
		}()
	}
	return in, nil
}

// listen binds the TCP address and, when asked for, the Unix socket on
// the same port.
func listen(cfg instanceConfig) ([]net.Listener, error) {
	tcp, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, err
	}
	if cfg.SocketDir == "" {
		return []net.Listener{tcp}, nil
	}
	port := tcp.Addr().(*net.TCPAddr).Port
	unix, err := listenUnix(filepath.Join(cfg.SocketDir, fmt.Sprintf(".s.PGSQL.%d", port)))
	if err != nil {
		tcp.Close()
		return nil, err
	}
	return []net.Listener{tcp, unix}, nil
}

// listenUnix listens on a Unix socket at path, replacing a socket file
// that a crashed server left behind but refusing one that a live server
// still answers on.
func listenUnix(path string) (net.Listener, error) {
	if _, err := os.Stat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("another server is listening on %s", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	return net.Listen("unix", path)
}

func newServer(cfg instanceConfig, db *storage.DB) (*server.Server, error) {
	// md5 authentication needs an md5 hash beside each SCRAM secret.
	md5 := cfg.Auth.HBA != nil && server.UsesMethod(cfg.Auth.HBA, server.AuthMD5)
	eng, err := sql.NewEngine(sql.EngineConfig{DB: db, Logger: cfg.Logger, MD5Passwords: md5})
	if err != nil {
		return nil, err
	}
	if err := ensureSuperuser(context.Background(), eng, cfg.Auth, cfg.Logger); err != nil {
		return nil, err
	}
	warnIfExposed(cfg.Listen, cfg.Auth, eng.HasPasswords(), cfg.Logger)
	return server.New(server.Config{Listen: cfg.Listen, Engine: server.SQLEngine(eng), Logger: cfg.Logger,
		MaxConnections: cfg.MaxConnections, MaxMessageSize: cfg.MaxMessageSize,
		HBA: cfg.Auth.HBA, TLS: cfg.Auth.TLS, TLSRequired: cfg.Auth.TLSRequired})
}

// formatKey renders key values in constraint errors' details with the
// types' own text output, as PostgreSQL does.
func formatKey(t types.T, d types.Datum) string {
	return types.FormatText(t, d, nil)
}

// URL is a connection string for the instance.
func (in *instance) URL() string {
	return fmt.Sprintf("postgres://vecgres@%s/vecgres?sslmode=disable", in.Addr)
}

// Done is closed when the server stops accepting connections, after Stop
// or because its listener failed.
func (in *instance) Done() <-chan struct{} { return in.done }

// Err returns why the server stopped accepting connections, once Done is
// closed: server.ErrServerClosed after Stop.
func (in *instance) Err() error {
	<-in.done
	return in.serveErr
}

// Stop ends every session (waiting for running statements until ctx is
// done) and then closes the data directory.
func (in *instance) Stop(ctx context.Context) error {
	shutdownErr := in.srv.Shutdown(ctx)
	if shutdownErr != nil {
		in.log.Warn().Err(shutdownErr).Msg("sessions did not end in time")
	}
	in.serving.Wait()
	if err := in.Err(); !errors.Is(err, server.ErrServerClosed) {
		in.log.Error().Err(err).Msg("server had stopped accepting connections")
	}
	return errors.Join(shutdownErr, in.db.Close())
}
