package server

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/vecgres/vecgres/sql"
	"github.com/vecgres/vecgres/sql/pgerr"
)

// Request codes that take the place of a protocol version in the first
// packet of a connection.
const (
	cancelRequestCode = 80877102
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
)

// The protocol versions served: 3.0 only, as PostgreSQL 16 and 17.
const (
	protocolMajor       = 3
	protocolLatestMinor = 0
)

// Startup packet bounds, PostgreSQL's MAX_STARTUP_PACKET_LENGTH and the
// size of a bare request code.
const (
	minStartupPacket = 4
	maxStartupPacket = 10000
)

// errCancelHandled ends a connection that carried a CancelRequest.
var errCancelHandled = errors.New("cancel request handled")

// startupPacket is a parsed StartupMessage.
type startupPacket struct {
	minor uint16
	// params holds the name/value pairs in the order sent, apart from
	// protocol options.
	params []startupParam
	// protocolOptions are the _pq_. options, none of which vecgres knows.
	protocolOptions []string
}

type startupParam struct{ name, value string }

// startup runs the connection's startup phase, answering an SSL request
// with 'S' and a TLS handshake when TLS is configured (tls.go), with 'N'
// otherwise, and GSS encryption requests with 'N'; then it authenticates
// the client (auth.go) and reports whether a session is ready.
func (c *conn) startup() bool {
	if t := c.srv.cfg.StartupTimeout; t > 0 {
		c.netConn.SetReadDeadline(time.Now().Add(t))
	}
	// Checked after setting the deadline: a Shutdown that set its own
	// deadline before ours has already marked the connection.
	if c.terminating.Load() {
		c.endStartup(errAdminShutdown)
		return false
	}
	pkt, err := c.readStartup()
	if err == nil {
		err = c.admit()
	}
	if err != nil {
		c.endStartup(err)
		return false
	}
	if err := c.beginSession(pkt); err != nil {
		c.endStartup(err)
		return false
	}
	c.netConn.SetReadDeadline(time.Time{})
	return true
}

// endStartup reports why startup failed. Like PostgreSQL, packets with an
// impossible length or a failed cancel get no answer, only a log line.
func (c *conn) endStartup(err error) {
	if c.terminating.Load() {
		err = errAdminShutdown
	}
	switch {
	case errors.Is(err, errCancelHandled):
	case errors.Is(err, errBadStartupLength):
		c.log.Warn().Err(err).Msg("closing connection")
	case errors.Is(err, errTLSHandshake):
	case errors.Is(err, errAuthClientLeft):
		c.log.Debug().Err(err).Msg("closing connection")
	default:
		c.endWith(err)
	}
}

var errBadStartupLength = errors.New("invalid length of startup packet")

// readStartup reads packets until a StartupMessage, handling encryption
// requests and CancelRequest on the way.
func (c *conn) readStartup() (*startupPacket, error) {
	var sslDone, gssDone bool
	for {
		body, err := c.readStartupPacket()
		if err != nil {
			return nil, err
		}
		code := binary.BigEndian.Uint32(body)
		switch {
		case code == cancelRequestCode:
			c.handleCancelRequest(body)
			return nil, errCancelHandled
		case code == sslRequestCode && !sslDone:
			sslDone = true
			if c.srv.cfg.TLS != nil {
				if err := c.startTLS(); err != nil {
					return nil, err
				}
				continue
			}
		case code == gssEncRequestCode && !gssDone:
			gssDone = true
		default:
			return parseStartupPacket(code, body[4:])
		}
		if _, err := c.netConn.Write([]byte{'N'}); err != nil {
			return nil, err
		}
	}
}

// readStartupPacket reads one length-prefixed packet without a type byte.
func (c *conn) readStartupPacket() ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(c.rd, hdr[:]); err != nil {
		return nil, err
	}
	n := int64(int32(binary.BigEndian.Uint32(hdr[:]))) - 4
	if n < minStartupPacket || n > maxStartupPacket {
		return nil, errBadStartupLength
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.rd, body); err != nil {
		return nil, eofIsUnexpected(err)
	}
	return body, nil
}

// handleCancelRequest cancels the statement a CancelRequest names.
// PostgreSQL 16 and 17 accept only the 16-byte form of protocol 3.0.
func (c *conn) handleCancelRequest(body []byte) {
	if len(body) != 12 {
		c.log.Warn().Int("length", len(body)+4).Msg("invalid length of cancel request")
		return
	}
	c.srv.cancel(binary.BigEndian.Uint32(body[4:8]), body[8:12])
}

// parseStartupPacket parses a StartupMessage after its version.
func parseStartupPacket(version uint32, rest []byte) (*startupPacket, error) {
	major, minor := version>>16, version&0xffff
	if major != protocolMajor {
		return nil, fatal(pgerr.FeatureNotSupported,
			"unsupported frontend protocol %d.%d: server supports %d.0 to %d.%d",
			major, minor, protocolMajor, protocolMajor, protocolLatestMinor)
	}
	pkt := &startupPacket{minor: uint16(minor)}
	for len(rest) > 1 {
		name, afterName, ok := cutCString(rest)
		if !ok || name == "" {
			break
		}
		value, afterValue, ok := cutCString(afterName)
		if !ok {
			break
		}
		rest = afterValue
		if strings.HasPrefix(name, "_pq_.") {
			pkt.protocolOptions = append(pkt.protocolOptions, name)
			continue
		}
		pkt.params = append(pkt.params, startupParam{name, value})
	}
	if len(rest) != 1 || rest[0] != 0 {
		return nil, protocolViolation("invalid startup packet layout: expected terminator as last byte")
	}
	return pkt, nil
}

// cutCString splits b after its first NUL-terminated string.
func cutCString(b []byte) (string, []byte, bool) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return "", b, false
	}
	return string(b[:i]), b[i+1:], true
}

// sessionParams turns startup parameters into what sql needs: user and
// database, and every other setting (including those of the "options"
// parameter) as Options.
func sessionParams(pkt *startupPacket) (sql.SessionParams, error) {
	p := sql.SessionParams{Options: make(map[string]string)}
	for _, kv := range pkt.params {
		switch kv.name {
		case "user":
			p.User = kv.value
		case "database":
			p.Database = kv.value
		case "replication":
			if err := checkReplication(kv.value); err != nil {
				return p, err
			}
		case "options":
			if err := parseCommandLineOptions(kv.value, p.Options); err != nil {
				return p, err
			}
		default:
			p.Options[kv.name] = kv.value
		}
	}
	if p.User == "" {
		return p, fatal(pgerr.InvalidAuthorizationSpec, "no PostgreSQL user name specified in startup packet")
	}
	if p.Database == "" {
		p.Database = p.User
	}
	return p, nil
}

// checkReplication refuses replication connections, which vecgres does
// not serve.
func checkReplication(v string) error {
	switch strings.ToLower(v) {
	case "false", "off", "no", "0":
		return nil
	case "true", "on", "yes", "1", "database":
		return fatal(pgerr.FeatureNotSupported, "replication connections are not supported")
	}
	return fatal(pgerr.InvalidParameterValue, "invalid value for parameter \"replication\": \"%s\"", v)
}

// parseCommandLineOptions reads the "options" startup parameter, a
// command line of "-c name=value" and "--name=value" settings with
// backslash-escaped spaces, into opts.
func parseCommandLineOptions(s string, opts map[string]string) error {
	args := splitCommandLine(s)
	for i := 0; i < len(args); i++ {
		arg := args[i]
		var setting string
		switch {
		case arg == "-c" && i+1 < len(args):
			i++
			setting = args[i]
		case strings.HasPrefix(arg, "-c") && len(arg) > 2:
			setting = arg[2:]
		case strings.HasPrefix(arg, "--") && len(arg) > 2:
			setting = arg[2:]
		default:
			return fatal(pgerr.SyntaxError, "invalid command-line argument for server process: %s", arg)
		}
		name, value, ok := strings.Cut(setting, "=")
		if !ok {
			return fatal(pgerr.SyntaxError, "-c %s requires a value", setting)
		}
		opts[strings.ReplaceAll(name, "-", "_")] = value
	}
	return nil
}

// splitCommandLine splits s at unescaped white space, as PostgreSQL's
// pg_split_opts does.
func splitCommandLine(s string) []string {
	var args []string
	var cur strings.Builder
	inArg, escaped := false, false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped, inArg = true, true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

// beginSession authenticates the client, opens the session and sends
// what a client expects before its first query.
func (c *conn) beginSession(pkt *startupPacket) error {
	params, err := sessionParams(pkt)
	if err != nil {
		return err
	}
	if pkt.minor > protocolLatestMinor || len(pkt.protocolOptions) > 0 {
		c.send(&pgproto3.NegotiateProtocolVersion{
			NewestMinorProtocol: protocolMajor<<16 | protocolLatestMinor,
			UnrecognizedOptions: pkt.protocolOptions,
		})
	}
	if err := c.authenticate(params.User, params.Database); err != nil {
		return err
	}
	c.send(&pgproto3.AuthenticationOk{})
	sess, err := c.srv.cfg.Engine.NewSession(params)
	if err != nil {
		return asFatal(c.toPgError(nil, err))
	}
	c.sess = sess
	for _, p := range sess.StartupParams() {
		c.send(&pgproto3.ParameterStatus{Name: p.Name, Value: p.Value})
	}
	c.newSecret()
	c.pid = c.srv.register(c, uint32(sess.PID()))
	c.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret[:]})
	c.log.Debug().Str("user", params.User).Str("database", params.Database).Uint32("pid", c.pid).Msg("session started")
	return c.readyForQuery()
}

// asFatal returns e with severity FATAL.
func asFatal(e *pgerr.Error) *pgerr.Error {
	if isFatal(e) {
		return e
	}
	f := *e
	f.Severity = pgerr.SeverityFatal
	return &f
}
