package main

import (
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/rs/zerolog"
)

// startPprof serves Go's runtime profiles (net/http/pprof) on addr, for
// profiling a running server: `go tool pprof http://ADDR/debug/pprof/profile`.
// It is off unless --pprof is given; the handlers expose internals, so the
// address should be a loopback one. It returns a function that stops it.
func startPprof(addr string, log zerolog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn().Err(err).Msg("pprof server stopped")
		}
	}()
	log.Info().Str("addr", ln.Addr().String()).Msg("serving runtime profiles at /debug/pprof/")
	return func() { _ = srv.Close() }, nil
}
