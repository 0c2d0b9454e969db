package sql

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vecgres/vecgres/sql/pgcatalog"
	"github.com/vecgres/vecgres/sql/types"
)

// activity is what pg_stat_activity shows of a session. The session
// writes it; other sessions read it.
type activity struct {
	mu           sync.Mutex
	state        string
	query        string
	backendStart time.Time
	xactStart    time.Time
	queryStart   time.Time
	stateChange  time.Time
}

func (a *activity) set(state, query string, xactStart time.Time) {
	now := time.Now()
	a.mu.Lock()
	if query != "" {
		a.query, a.queryStart = query, now
	}
	if state != a.state {
		a.state, a.stateChange = state, now
	}
	a.xactStart = xactStart
	a.mu.Unlock()
}

// indexBuild is a CREATE INDEX in progress, for
// pg_stat_progress_create_index.
type indexBuild struct {
	pid          int32
	table, index types.OID
	done, total  atomic.Int64
}

// markActive records that a statement started.
func (s *Session) markActive(query string) {
	s.act.set("active", query, s.txnStart)
}

// markIdle records that the session waits for the client, in the state
// its transaction leaves it.
func (s *Session) markIdle() {
	state := "idle"
	xact := time.Time{}
	switch {
	case s.failed:
		state, xact = "idle in transaction (aborted)", s.txnStart
	case s.explicit:
		state, xact = "idle in transaction", s.txnStart
	}
	s.act.set(state, "", xact)
}

// Backends describes every session of the engine (pg_stat_activity).
func (e *stmtEnv) Backends() []pgcatalog.Backend {
	var out []pgcatalog.Backend
	e.s.e.sessions.Range(func(_, v any) bool {
		s := v.(*Session)
		s.act.mu.Lock()
		b := pgcatalog.Backend{PID: s.pid, User: s.user, Database: s.database, State: s.act.state, Query: s.act.query,
			BackendStart: s.act.backendStart, XactStart: s.act.xactStart, QueryStart: s.act.queryStart,
			StateChange: s.act.stateChange}
		s.act.mu.Unlock()
		if s == e.s {
			b.ApplicationName, _ = s.Setting("application_name")
		} else {
			b.ApplicationName = s.appName.Load().(string)
		}
		out = append(out, b)
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}

// IndexBuilds describes the CREATE INDEX statements running now.
func (e *stmtEnv) IndexBuilds() []pgcatalog.IndexBuild {
	var out []pgcatalog.IndexBuild
	e.s.e.builds.Range(func(_, v any) bool {
		b := v.(*indexBuild)
		phase := "building index"
		if b.done.Load() == 0 {
			phase = "building index: scanning table"
		}
		out = append(out, pgcatalog.IndexBuild{PID: b.pid, Table: b.table, Index: b.index, Phase: phase,
			TuplesDone: b.done.Load(), TuplesTotal: b.total.Load()})
		return true
	})
	return out
}

// RelationSize measures a relation for pg_relation_size and friends. An
// hnsw index reports the memory its graph holds (vectors, quantised
// codes, links), the figure to compare with pgvector's on-disk index;
// tables and btree indexes report their estimated size on disk.
func (e *stmtEnv) RelationSize(oid types.OID) (int64, error) {
	if idx, ok := e.s.catalog().Index(oid); ok && idx.Method == "hnsw" {
		if g, err := (sessionIndexes{e.s}).Graph(idx); err == nil {
			return g.Stats().Bytes(), nil
		}
	}
	return e.s.e.db.RelationSize(oid)
}
