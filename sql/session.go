package sql

import (
	"context"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/sql/pgcatalog"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Engine is the shared state of every session: the store, the registry
// of built-in functions, and the settings table.
type Engine struct {
	db       *storage.DB
	reg      *builtins.Registry
	log      zerolog.Logger
	settings map[string]*setting
	// reported are the settings sent with ParameterStatus, in name order.
	reported []*setting
	nextPID  atomic.Int32
	graphs   *graphs
	// indexDefs binds expression and partial indexes (index_defs.go).
	indexDefs *indexDefs
	// sessions holds every open session by pid, builds the CREATE INDEX
	// statements running, for pg_stat_activity and
	// pg_stat_progress_create_index.
	sessions sync.Map
	builds   sync.Map
	// md5Passwords says new passwords also get an md5 hash (roles.go).
	md5Passwords bool
}

// NewEngine makes an engine over an open store.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	if cfg.DB == nil {
		return nil, pgerr.New(pgerr.InternalError, "sql: EngineConfig.DB is nil")
	}
	e := &Engine{db: cfg.DB, reg: builtins.NewRegistry(), log: cfg.Logger, settings: settingsTable(),
		graphs: newGraphs(cfg.Logger), md5Passwords: cfg.MD5Passwords}
	e.indexDefs = newIndexDefs(cfg.DB, e.reg)
	e.nextPID.Store(1000)
	for _, st := range sortedSettings(e.settings) {
		if st.reported {
			e.reported = append(e.reported, st)
		}
	}
	defer cfg.DB.VerifyInBackground() // after the graphs are loaded
	if err := e.graphs.load(cfg.DB); err != nil {
		return nil, err
	}
	return e, nil
}

// Session is one client's session: its settings, its transaction and the
// statements it runs. A Session is used by one goroutine at a time.
type Session struct {
	e        *Engine
	user     string
	database string
	pid      int32
	// auth is who the session logged in as (roles.go).
	auth sessionAuth

	// values holds the current value of each setting that differs from its
	// default, by lower-case name.
	values map[string]string
	// resetValues holds the values the client gave at startup, which
	// RESET returns to instead of the defaults, as in PostgreSQL.
	resetValues map[string]string
	// undo holds, for settings changed in the current transaction, the
	// value to restore when it rolls back (and, for SET LOCAL, when it
	// commits).
	undo map[string]settingUndo
	// settingsGen counts the changes to values (assign); settingCache
	// holds what Setting returned since the last change, by the name
	// asked for, so that the settings a statement reads (hnsw.ef_search,
	// statement_timeout, ...) cost one map lookup each.
	settingsGen  uint64
	settingCache map[string]string

	txn      *storage.Txn
	txnIdx   *txnIndexes // the transaction's hnsw graph state, made on first use
	explicit bool        // inside BEGIN ... COMMIT
	failed   bool        // an error happened inside BEGIN; only ROLLBACK is accepted
	// savepoints is the transaction's savepoint stack, newest last.
	savepoints []*savepoint
	txnStart   time.Time
	currvals   map[types.OID]int64
	// lastSeq is the sequence nextval last advanced in this session, for
	// lastval (0: none yet).
	lastSeq types.OID
	notices []*pgerr.Error
	// reported holds the value last reported to the client of each
	// setting that is reported with ParameterStatus; reportedGen is the
	// settingsGen it was last compared at.
	reported    map[string]string
	reportedGen uint64
	format      types.FormatOptions
	formatSet   bool
	// act is what other sessions see of this one; appName mirrors
	// application_name for them.
	act     activity
	appName atomic.Value
}

type settingUndo struct {
	value string
	local bool
}

// NewSession starts a session for a client.
func (e *Engine) NewSession(p SessionParams) (*Session, error) {
	s := &Session{
		e:        e,
		user:     p.User,
		database: p.Database,
		pid:      e.nextPID.Add(1),
		values:   map[string]string{},
		currvals: map[types.OID]int64{},

		settingCache: map[string]string{},
	}
	if s.database == "" {
		s.database = s.user
	}
	s.appName.Store("")
	s.act.backendStart = time.Now()
	s.act.set("idle", "", time.Time{})
	s.values["session_authorization"] = s.user
	s.auth = e.newSessionAuth(s.user)
	s.reported = map[string]string{}
	for name, value := range p.Options {
		if name == "options" {
			if err := s.applyCommandLineOptions(value); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := s.set(name, value, false, false); err != nil {
			return nil, err
		}
	}
	s.resetValues = maps.Clone(s.values)
	s.StartupParams()
	e.sessions.Store(s.pid, s)
	return s, nil
}

// applyCommandLineOptions applies "-c name=value" pairs from the startup
// options parameter.
func (s *Session) applyCommandLineOptions(opts string) error {
	fields := strings.Fields(opts)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		var kv string
		switch {
		case f == "-c" && i+1 < len(fields):
			i++
			kv = fields[i]
		case strings.HasPrefix(f, "-c"):
			kv = f[2:]
		case strings.HasPrefix(f, "--"):
			kv = f[2:]
		default:
			continue
		}
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return pgerr.New(pgerr.SyntaxError, "invalid command-line argument for server process: %s", f)
		}
		if _, err := s.set(strings.ReplaceAll(name, "-", "_"), value, false, false); err != nil {
			return err
		}
	}
	return nil
}

// PID is the session's backend process id, as reported in BackendKeyData.
func (s *Session) PID() int32 { return s.pid }

// StartupParams returns the ParameterStatus values to send at startup.
func (s *Session) StartupParams() []ParamStatus {
	var out []ParamStatus
	for _, st := range s.e.reported {
		v := s.setting(st)
		out = append(out, ParamStatus{Name: st.name, Value: v})
		s.reported[st.name] = v
	}
	return out
}

// TakeParamChanges returns the reported settings whose value differs from
// the one last reported, as PostgreSQL reports them before ReadyForQuery:
// a change undone by a rollback is not reported at all. While no setting
// was assigned since the last call, only the derived ones (is_superuser,
// which follows the catalog) can have changed.
func (s *Session) TakeParamChanges() []ParamStatus {
	var out []ParamStatus
	unchanged := s.reportedGen == s.settingsGen
	for _, st := range s.e.reported {
		if unchanged && !isDerivedSetting(st) {
			continue
		}
		if v := s.setting(st); v != s.reported[st.name] {
			out = append(out, ParamStatus{Name: st.name, Value: v})
			s.reported[st.name] = v
		}
	}
	s.reportedGen = s.settingsGen
	return out
}

// TakeNotices returns (and forgets) the notices of the last statements.
func (s *Session) TakeNotices() []*pgerr.Error {
	out := s.notices
	s.notices = nil
	return out
}

func (s *Session) notice(code pgerr.Code, format string, args ...any) {
	n := pgerr.New(code, format, args...)
	n.Severity = pgerr.SeverityNotice
	s.notices = append(s.notices, n)
}

func (s *Session) warning(code pgerr.Code, format string, args ...any) {
	n := pgerr.New(code, format, args...)
	n.Severity = pgerr.SeverityWarning
	s.notices = append(s.notices, n)
}

// Status is the transaction status for ReadyForQuery. The server asks for
// it when it waits for the client again, so it also marks the session
// idle for pg_stat_activity.
func (s *Session) Status() TxnStatus {
	s.markIdle()
	switch {
	case s.failed:
		return TxnFailed
	case s.explicit:
		return TxnActive
	}
	return TxnIdle
}

// Format returns the output settings for result values.
func (s *Session) Format() *types.FormatOptions {
	if !s.formatSet {
		efd := 1
		if v, err := s.Setting("extra_float_digits"); err == nil {
			if n, ok := parseSmallInt(v); ok {
				efd = n
			}
		}
		tz, _ := s.Setting("TimeZone")
		// The Namer reads and prints reg* values (regclass, regtype, ...)
		// through the catalog and search path the session sees.
		s.format = types.FormatOptions{ExtraFloatDigits: efd, Location: timeZoneLocation(tz),
			Namer: pgcatalog.NewNamer(&stmtEnv{s: s})}
		s.formatSet = true
	}
	return &s.format
}

func parseSmallInt(v string) (int, bool) {
	n, neg := 0, false
	if strings.HasPrefix(v, "-") {
		neg, v = true, v[1:]
	}
	if v == "" {
		return 0, false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// Close ends the session, rolling back any open transaction.
func (s *Session) Close() {
	if s.txn != nil {
		s.txn.Rollback()
		s.txn, s.txnIdx = nil, nil
	}
	s.e.sessions.Delete(s.pid)
}

// catalog is the catalog the session's next statement sees.
func (s *Session) catalog() *storage.Catalog {
	if s.txn != nil {
		return s.txn.Catalog()
	}
	return s.e.db.Catalog()
}

// beginTxn makes sure a transaction is open for the next statement.
func (s *Session) beginTxn() {
	if s.txn == nil {
		s.txn = s.e.db.Begin()
		s.txn.SetIndexKeyer(s.e.indexDefs)
		s.txnStart = time.Now()
	}
}

// endTxn commits or rolls back the open transaction and applies the
// settings rules for its end.
func (s *Session) endTxn(commit bool) error {
	var err error
	if s.txn != nil {
		if commit {
			err = s.txn.Commit()
		} else {
			s.txn.Rollback()
		}
		s.txn, s.txnIdx = nil, nil
	}
	s.finishSettings(commit && err == nil)
	s.explicit, s.failed = false, false
	s.savepoints = nil
	return err
}

// CommitImplicit ends the implicit transaction of the statements run since
// the last call, if they did not run inside BEGIN.
func (s *Session) CommitImplicit(ctx context.Context) error {
	if s.explicit || s.failed {
		return nil
	}
	return s.endTxn(true)
}

// fail handles an error of a statement: inside BEGIN the transaction is
// rolled back at once (releasing its locks) and the session waits for
// ROLLBACK, unless it has a savepoint to return to with ROLLBACK TO: it
// then stays open (and keeps its locks) until then; outside BEGIN, the
// implicit transaction is rolled back.
func (s *Session) fail() {
	if s.explicit && len(s.savepoints) > 0 && s.txn != nil {
		s.txn.EndStatement()
		s.failed = true
		return
	}
	s.savepoints = nil
	if s.txn != nil {
		s.txn.Rollback()
		s.txn, s.txnIdx = nil, nil
	}
	if s.explicit {
		s.failed = true
		return
	}
	s.finishSettings(false)
}

func (s *Session) searchPath() []string {
	v, _ := s.Setting("search_path")
	var out []string
	for _, part := range strings.Split(v, ",") {
		p := strings.Trim(strings.TrimSpace(part), `"`)
		switch p {
		case "":
			continue
		case "$user":
			p = s.user
		}
		out = append(out, p)
	}
	// pg_catalog is always searched (first, unless listed).
	return out
}

// creationSchema is the schema new objects go to: the first schema of the
// search path that exists.
func (s *Session) creationSchema() (string, error) {
	cat := s.catalog()
	for _, name := range s.searchPath() {
		if _, ok := cat.Schema(name); ok {
			return name, nil
		}
	}
	return "", pgerr.New(pgerr.InvalidSchemaName, "no schema has been selected to create in")
}
