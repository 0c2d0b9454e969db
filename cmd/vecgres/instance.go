package main

import (
	"context"
	"errors"
	"fmt"
	"net"

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
	// DataDir is the data directory, created if missing.
	DataDir string
	Logger  zerolog.Logger
}

// instance is a running vecgres: storage, engine and server, started and
// stopped together. The binary runs one; tests run as many as they like.
type instance struct {
	// Addr is the address the server accepts connections on.
	Addr string
	log  zerolog.Logger
	db   *storage.DB
	srv  *server.Server

	done     chan struct{} // closed when the server stops accepting
	serveErr error         // why it stopped; set before done is closed
}

// startInstance opens the data directory and starts serving on a listener
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
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		db.Close()
		return nil, err
	}
	in := &instance{Addr: ln.Addr().String(), log: cfg.Logger, db: db, srv: srv, done: make(chan struct{})}
	go func() {
		in.serveErr = srv.Serve(ln)
		close(in.done)
	}()
	return in, nil
}

func newServer(cfg instanceConfig, db *storage.DB) (*server.Server, error) {
	eng, err := sql.NewEngine(sql.EngineConfig{DB: db, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	return server.New(server.Config{Listen: cfg.Listen, Engine: server.SQLEngine(eng), Logger: cfg.Logger})
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
	if err := in.Err(); !errors.Is(err, server.ErrServerClosed) {
		in.log.Error().Err(err).Msg("server had stopped accepting connections")
	}
	return errors.Join(shutdownErr, in.db.Close())
}
