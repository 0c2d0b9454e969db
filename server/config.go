package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultListen is the address ListenAndServe uses: loopback only,
	// and not PostgreSQL's 5432, so that vecgres can run beside it.
	DefaultListen = "127.0.0.1:5433"
	// DefaultMaxMessageSize bounds Query, Parse, Bind and CopyData
	// messages. PostgreSQL allows 1 GiB; 64 MiB holds a Bind of thousands
	// of 2000-dimension vectors while keeping what one hostile or broken
	// client can make the server allocate small.
	DefaultMaxMessageSize = 64 << 20
	// DefaultStartupTimeout is how long a client may take to finish
	// startup, like PostgreSQL's authentication_timeout.
	DefaultStartupTimeout = time.Minute
)

// maxMessageSizeLimit is PostgreSQL's PQ_LARGE_MESSAGE_LIMIT: no message
// may be larger, whatever the configuration.
const maxMessageSizeLimit = 1<<30 - 1

// smallMessageLimit is PostgreSQL's PQ_SMALL_MESSAGE_LIMIT, the bound of
// messages that carry only names and counts (Sync, Execute, Describe,
// Close, Flush, Terminate, CopyDone, CopyFail).
const smallMessageLimit = 10000

// Config configures a Server.
type Config struct {
	// Listen is the TCP address ListenAndServe listens on
	// (default DefaultListen).
	Listen string
	// Engine opens a session per connection; required. Use SQLEngine to
	// serve a *sql.Engine.
	Engine Engine
	// Logger receives structured logs; the zero Logger discards them.
	Logger zerolog.Logger
	// MaxMessageSize is the largest frontend message body accepted, in
	// bytes (default DefaultMaxMessageSize, at most 1 GiB - 1). A larger
	// message ends its connection with FATAL 08P01.
	MaxMessageSize int
	// StartupTimeout bounds the startup phase (default
	// DefaultStartupTimeout).
	StartupTimeout time.Duration
	// MaxConnections is how many sessions are served at once (default
	// DefaultMaxConnections); a connection beyond it is refused with
	// FATAL 53300. See limits.go.
	MaxConnections int

	// HBA is the client authentication rule list, first match wins
	// (hba.go); nil means DefaultHBA, chosen again for each connection
	// from whether any role has a password.
	HBA []HBARule
	// Roles is where logins are looked up (auth.go); nil means the
	// Engine when it is a RoleSource, as SQLEngine's is.
	Roles RoleSource
	// TLS, when set, lets clients switch to TLS with SSLRequest (tls.go).
	TLS *tls.Config
	// TLSRequired refuses TCP clients that do not use TLS; it needs TLS.
	TLSRequired bool
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.MaxMessageSize == 0 {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.StartupTimeout == 0 {
		c.StartupTimeout = DefaultStartupTimeout
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	return c
}

// Validate reports whether c can configure a Server. Zero fields are
// valid: New replaces them with their defaults.
func (c Config) Validate() error {
	var errs []error
	if c.Engine == nil {
		errs = append(errs, errors.New("server: Config.Engine is required"))
	}
	if c.MaxMessageSize < 0 || c.MaxMessageSize > maxMessageSizeLimit {
		errs = append(errs, fmt.Errorf("server: Config.MaxMessageSize %d is outside [0, %d]", c.MaxMessageSize, maxMessageSizeLimit))
	}
	if c.MaxConnections < 0 || c.MaxConnections > maxConnectionsLimit {
		errs = append(errs, fmt.Errorf("server: Config.MaxConnections %d is outside [0, %d]", c.MaxConnections, maxConnectionsLimit))
	}
	if c.TLSRequired && c.TLS == nil {
		errs = append(errs, errors.New("server: Config.TLSRequired needs Config.TLS"))
	}
	if c.StartupTimeout < 0 {
		errs = append(errs, fmt.Errorf("server: Config.StartupTimeout %v is negative", c.StartupTimeout))
	}
	return errors.Join(errs...)
}
