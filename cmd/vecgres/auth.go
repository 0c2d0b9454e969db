package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/server"
	"github.com/vecgres/vecgres/sql"
)

// authConfig says how clients authenticate and whether they use TLS.
type authConfig struct {
	// HBA is the rule list read from --hba-file; nil: the server's
	// defaults (trust on loopback while no role has a password, SCRAM
	// for everyone after).
	HBA []server.HBARule
	// Superuser and SuperuserPassword, when the password is set, make
	// sure that a superuser of that name exists at start-up, created
	// with that password if it does not.
	Superuser         string
	SuperuserPassword string
	// TLS is the server's certificate configuration; nil: no TLS.
	TLS *tls.Config
	// TLSRequired refuses TCP clients that do not use TLS.
	TLSRequired bool
}

// authFlags holds serve's authentication flags until they are parsed.
type authFlags struct {
	hbaFile, authFile        string
	superuser, superuserPass string
	tlsCert, tlsKey          string
	tlsRequired              bool
	// tlsRequiredEnv is VECGRES_TLS_REQUIRED, checked by apply.
	tlsRequiredEnv string
}

// addAuthFlags defines the authentication and TLS flags on fs, each
// defaulting to its environment variable.
func addAuthFlags(fs *flag.FlagSet, getenv func(string) string) *authFlags {
	a := &authFlags{}
	fs.StringVar(&a.hbaFile, "hba-file", envOr(getenv, "VECGRES_HBA_FILE", ""),
		"client authentication rules `file`, pg_hba.conf syntax: 'host DATABASE USER ADDRESS METHOD' lines (default: trust on loopback while no role has a password, then scram-sha-256)")
	fs.StringVar(&a.authFile, "auth-file", envOr(getenv, "VECGRES_AUTH_FILE", ""),
		"`file` whose first line is 'name:password' of the initial superuser, created at start-up if missing")
	fs.StringVar(&a.superuser, "superuser", envOr(getenv, "VECGRES_SUPERUSER", "postgres"),
		"`name` of the initial superuser that --superuser-password creates")
	fs.StringVar(&a.superuserPass, "superuser-password", getenv("VECGRES_SUPERUSER_PASSWORD"),
		"`password` of the initial superuser (prefer VECGRES_SUPERUSER_PASSWORD or --auth-file: a flag shows in ps)")
	fs.StringVar(&a.tlsCert, "tls-cert", envOr(getenv, "VECGRES_TLS_CERT", ""), "server certificate `file` (PEM) for TLS")
	fs.StringVar(&a.tlsKey, "tls-key", envOr(getenv, "VECGRES_TLS_KEY", ""), "server private key `file` (PEM) for TLS")
	a.tlsRequiredEnv = getenv("VECGRES_TLS_REQUIRED")
	envRequired, _ := strconv.ParseBool(a.tlsRequiredEnv)
	fs.BoolVar(&a.tlsRequired, "tls-required", envRequired, "refuse TCP clients that do not use TLS")
	return a
}

// apply reads the files the flags name into cfg.
func (a *authFlags) apply(cfg *authConfig) error {
	cfg.Superuser, cfg.SuperuserPassword = a.superuser, a.superuserPass
	if a.authFile != "" {
		name, pw, err := readAuthFile(a.authFile)
		if err != nil {
			return err
		}
		cfg.Superuser, cfg.SuperuserPassword = name, pw
	}
	if cfg.Superuser == "" {
		return fmt.Errorf("--superuser is empty")
	}
	if a.hbaFile != "" {
		f, err := os.Open(a.hbaFile)
		if err != nil {
			return fmt.Errorf("--hba-file: %w", err)
		}
		defer f.Close()
		rules, err := server.ParseHBA(f)
		if err != nil {
			return fmt.Errorf("--hba-file %s: %w", a.hbaFile, err)
		}
		if rules == nil {
			rules = []server.HBARule{} // no rule: every client is refused
		}
		cfg.HBA = rules
	}
	switch {
	case a.tlsCert != "" && a.tlsKey != "":
		cert, err := tls.LoadX509KeyPair(a.tlsCert, a.tlsKey)
		if err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	case a.tlsCert != "" || a.tlsKey != "":
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if _, err := strconv.ParseBool(a.tlsRequiredEnv); a.tlsRequiredEnv != "" && err != nil {
		return fmt.Errorf("invalid VECGRES_TLS_REQUIRED %q", a.tlsRequiredEnv)
	}
	if a.tlsRequired && cfg.TLS == nil {
		return fmt.Errorf("--tls-required needs --tls-cert and --tls-key")
	}
	cfg.TLSRequired = a.tlsRequired
	return nil
}

// readAuthFile reads "name:password" from the first line of path.
func readAuthFile(path string) (string, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", fmt.Errorf("--auth-file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return "", "", fmt.Errorf("--auth-file %s: empty; want a 'name:password' line", path)
	}
	name, pw, ok := strings.Cut(strings.TrimRight(sc.Text(), "\r"), ":")
	if !ok || name == "" || pw == "" {
		return "", "", fmt.Errorf("--auth-file %s: want a 'name:password' line", path)
	}
	return name, pw, nil
}

// ensureSuperuser creates the initial superuser when a password is
// configured for it, and says what it found.
func ensureSuperuser(ctx context.Context, eng *sql.Engine, cfg authConfig, log zerolog.Logger) error {
	if cfg.SuperuserPassword == "" {
		return nil
	}
	status, err := eng.EnsureSuperuser(ctx, cfg.Superuser, cfg.SuperuserPassword)
	if err != nil {
		return fmt.Errorf("creating superuser %q: %w", cfg.Superuser, err)
	}
	switch status {
	case sql.SuperuserNotSuper:
		return fmt.Errorf("role %q exists and is not a superuser", cfg.Superuser)
	case sql.SuperuserPasswordDiffers:
		log.Warn().Str("role", cfg.Superuser).
			Msg("the superuser exists with another password, which stays in force; change it with ALTER ROLE ... PASSWORD")
	}
	return nil
}

// warnIfExposed logs a warning when the server listens beyond loopback
// and either lets clients from elsewhere in without a password, or will
// refuse them all because no password is configured.
func warnIfExposed(listen string, cfg authConfig, passwords bool, log zerolog.Logger) {
	if isLoopbackListen(listen) {
		return
	}
	switch {
	case cfg.HBA != nil && server.TrustsRemote(cfg.HBA):
		log.Warn().Str("listen", listen).
			Msg("listening beyond loopback without authentication: a trust rule in --hba-file lets clients from other hosts in as any user without a password")
	case cfg.HBA == nil && !passwords:
		log.Warn().Str("listen", listen).
			Msg("listening beyond loopback without authentication: no role has a password, so clients from other hosts are refused; set one (--superuser-password, VECGRES_SUPERUSER_PASSWORD, --auth-file or ALTER ROLE ... PASSWORD) or allow them with --hba-file")
	}
	if cfg.TLS == nil {
		log.Info().Str("listen", listen).Msg("TLS is off: passwords and data cross the network in clear (see --tls-cert)")
	}
}

// isLoopbackListen reports whether a listen address accepts only local
// clients.
func isLoopbackListen(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
