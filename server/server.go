package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown.
var ErrServerClosed = errors.New("server: closed")

// Server accepts PostgreSQL clients and runs one session per connection.
type Server struct {
	cfg Config
	log zerolog.Logger

	// baseCtx is the parent of every connection's context; cancelling it
	// (with an admin-shutdown cause) aborts every running statement.
	baseCtx    context.Context
	baseCancel context.CancelCauseFunc

	addr atomic.Pointer[net.Addr]

	mu        sync.Mutex
	closing   bool
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	byPID     map[uint32]*conn
	nextPID   uint32
	active    sync.WaitGroup // one per connection goroutine
	sessions  atomic.Int64   // session slots taken (limits.go)
	// mockKey salts the made-up SCRAM secrets of failing logins (auth.go).
	mockKey [32]byte
}

// New returns a Server for cfg, with defaults applied to its zero fields.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	srv := &Server{
		cfg:        cfg,
		log:        cfg.Logger,
		baseCtx:    ctx,
		baseCancel: cancel,
		listeners:  make(map[net.Listener]struct{}),
		conns:      make(map[*conn]struct{}),
		byPID:      make(map[uint32]*conn),
	}
	rand.Read(srv.mockKey[:])
	return srv, nil
}

// Addr returns the address of the first listener Serve was given, or nil
// before that.
func (s *Server) Addr() net.Addr {
	if a := s.addr.Load(); a != nil {
		return *a
	}
	return nil
}

// ListenAndServe listens on Config.Listen and serves it until Shutdown.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Shutdown, which closes ln. It
// always returns a non-nil error: ErrServerClosed after Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if !s.trackListener(ln) {
		ln.Close()
		return ErrServerClosed
	}
	addr := ln.Addr()
	s.addr.CompareAndSwap(nil, &addr)
	s.log.Debug().Str("addr", addr.String()).Msg("accepting connections")
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn().Err(err).Dur("retry_in", backoff).Msg("accept failed")
				time.Sleep(backoff)
				continue
			}
			s.untrackListener(ln)
			return err
		}
		backoff = 0
		s.start(nc)
	}
}

// start runs a new connection in its own goroutine, or turns it away when
// the server is shutting down.
func (s *Server) start(nc net.Conn) {
	c := newConn(s, nc)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		c.reject(pgerr.New(pgerr.CannotConnectNow, "the database system is shutting down"))
		return
	}
	s.conns[c] = struct{}{}
	s.active.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.active.Done()
		defer s.forget(c)
		c.serve()
	}()
}

// Shutdown stops accepting connections and ends every session: idle ones
// at once with FATAL 57P01, busy ones when their current message is done.
// When ctx ends first, running statements are cancelled and the remaining
// connections closed, and Shutdown returns ctx's error without waiting
// further.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for ln := range s.listeners {
		ln.Close()
	}
	clear(s.listeners)
	for c := range s.conns {
		c.requestTermination()
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		s.active.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.baseCancel(nil)
		return nil
	case <-ctx.Done():
		s.baseCancel(errAdminShutdown)
		s.mu.Lock()
		for c := range s.conns {
			c.forceClose()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

func (s *Server) trackListener(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.listeners[ln] = struct{}{}
	return true
}

func (s *Server) untrackListener(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.listeners, ln)
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// register makes c's session findable by CancelRequest under pid, its
// session's process id. Should that be taken (sessions of two engines
// behind one server), a fresh id is drawn instead.
func (s *Server) register(c *conn, pid uint32) uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.byPID[pid]; pid != 0 && !taken {
		s.byPID[pid] = c
		return pid
	}
	for {
		s.nextPID++
		if s.nextPID == 0 {
			continue
		}
		if _, taken := s.byPID[s.nextPID]; !taken {
			s.byPID[s.nextPID] = c
			return s.nextPID
		}
	}
}

func (s *Server) forget(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if pid := c.pid; pid != 0 && s.byPID[pid] == c {
		delete(s.byPID, pid)
	}
}

// cancel cancels the running statement of the session with the given
// process id if secret matches its key. Like PostgreSQL it reports nothing:
// a wrong key is indistinguishable from an idle session.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.byPID[pid]
	s.mu.Unlock()
	if c == nil || subtle.ConstantTimeCompare(secret, c.secret[:]) != 1 {
		s.log.Debug().Uint32("pid", pid).Msg("cancel request for unknown session")
		return
	}
	s.log.Debug().Uint32("pid", pid).Msg("cancel request")
	c.cancelStatement(errQueryCanceled)
}
