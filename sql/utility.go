package sql

import (
	"context"
	"sort"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// bindUtility prepares a statement that runs without a plan. Most of the
// work happens when it is executed, against the catalog of that moment.
func (s *Session) bindUtility(st *Statement, b *binder, n *pg_query.Node) error {
	query := b.query
	// newBinder gives an execution-time binder over the current catalog.
	version := b.pgVersion
	newB := func(s *Session) *binder {
		nb := newBinder(s.catalog(), s.e.reg, query, nil, s.searchPath())
		nb.acc = s.access(nb.cat)
		nb.pgVersion = version
		return nb
	}
	simple := func(kind stmtKind, tag string, f func(ctx context.Context, s *Session) error) {
		st.kind, st.tag = kind, tag
		st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
			return nil, tag, f(ctx, s)
		}
	}
	if ok, err := s.bindRoleStatement(st, n); ok {
		return err
	}
	switch x := n.Node.(type) {
	case *pg_query.Node_TransactionStmt:
		return s.bindTransaction(st, x.TransactionStmt)
	case *pg_query.Node_VariableSetStmt:
		vs := x.VariableSetStmt
		simple(kindSession, "SET", func(ctx context.Context, s *Session) error { return s.execSet(vs) })
		if vs.Kind == pg_query.VariableSetKind_VAR_RESET || vs.Kind == pg_query.VariableSetKind_VAR_RESET_ALL {
			st.tag = "RESET"
			simple(kindSession, "RESET", func(ctx context.Context, s *Session) error { return s.execSet(vs) })
		}
		return nil
	case *pg_query.Node_VariableShowStmt:
		return s.bindShow(st, x.VariableShowStmt)
	case *pg_query.Node_CreateStmt:
		cs := x.CreateStmt
		simple(kindWrite, "CREATE TABLE", func(ctx context.Context, s *Session) error {
			return s.createTable(ctx, newB(s), cs)
		})
		return nil
	case *pg_query.Node_DropStmt:
		ds := x.DropStmt
		tag, err := dropTag(ds)
		if err != nil {
			return err
		}
		simple(kindWrite, tag, func(ctx context.Context, s *Session) error { return s.drop(ctx, newB(s), ds) })
		return nil
	case *pg_query.Node_AlterTableStmt:
		as := x.AlterTableStmt
		simple(kindWrite, "ALTER TABLE", func(ctx context.Context, s *Session) error { return s.alterTable(ctx, newB(s), as) })
		if as.Objtype == pg_query.ObjectType_OBJECT_INDEX {
			st.tag = "ALTER INDEX"
		}
		return nil
	case *pg_query.Node_RenameStmt:
		rs := x.RenameStmt
		tag := "ALTER TABLE"
		switch rs.RenameType {
		case pg_query.ObjectType_OBJECT_INDEX:
			tag = "ALTER INDEX"
		case pg_query.ObjectType_OBJECT_SEQUENCE:
			tag = "ALTER SEQUENCE"
		case pg_query.ObjectType_OBJECT_COLUMN:
			if rs.RelationType == pg_query.ObjectType_OBJECT_INDEX {
				tag = "ALTER INDEX"
			}
		}
		simple(kindWrite, tag, func(ctx context.Context, s *Session) error { return s.rename(ctx, newB(s), rs) })
		return nil
	case *pg_query.Node_TruncateStmt:
		ts := x.TruncateStmt
		simple(kindWrite, "TRUNCATE TABLE", func(ctx context.Context, s *Session) error { return s.truncate(ctx, newB(s), ts) })
		return nil
	case *pg_query.Node_IndexStmt:
		is := x.IndexStmt
		simple(kindWrite, "CREATE INDEX", func(ctx context.Context, s *Session) error {
			return s.createIndex(ctx, newB(s), is)
		})
		return nil
	case *pg_query.Node_CreateSeqStmt:
		cs := x.CreateSeqStmt
		simple(kindWrite, "CREATE SEQUENCE", func(ctx context.Context, s *Session) error {
			return s.createSequence(ctx, newB(s), cs)
		})
		return nil
	case *pg_query.Node_AlterSeqStmt:
		as := x.AlterSeqStmt
		simple(kindWrite, "ALTER SEQUENCE", func(ctx context.Context, s *Session) error {
			return s.alterSequence(ctx, newB(s), as)
		})
		return nil
	case *pg_query.Node_CreateSchemaStmt:
		cs := x.CreateSchemaStmt
		simple(kindWrite, "CREATE SCHEMA", func(ctx context.Context, s *Session) error { return s.createSchema(ctx, cs) })
		return nil
	case *pg_query.Node_CreateExtensionStmt:
		ce := x.CreateExtensionStmt
		simple(kindSession, "CREATE EXTENSION", func(ctx context.Context, s *Session) error { return s.createExtension(ce) })
		return nil
	case *pg_query.Node_VacuumStmt:
		tag := "VACUUM"
		if !x.VacuumStmt.IsVacuumcmd {
			tag = "ANALYZE"
		}
		if !x.VacuumStmt.IsVacuumcmd {
			// There are no planner statistics yet: ANALYZE has nothing
			// to gather.
			simple(kindSession, tag, func(context.Context, *Session) error { return nil })
			return nil
		}
		vs := x.VacuumStmt
		// Not kindWrite: vacuum plans its graph repairs before it takes
		// the writer lock, so that writers wait only for their writing.
		simple(kindQuery, tag, func(ctx context.Context, s *Session) error { return s.vacuum(ctx, newB(s), vs) })
		return nil
	case *pg_query.Node_DiscardStmt:
		switch x.DiscardStmt.Target {
		case pg_query.DiscardMode_DISCARD_ALL:
			simple(kindSession, "DISCARD ALL", func(ctx context.Context, s *Session) error {
				if s.explicit {
					return pgerr.New(pgerr.ActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
				}
				s.resetAll(false)
				s.resetSessionAuthorization()
				s.currvals, s.lastSeq = map[types.OID]int64{}, 0
				return nil
			})
		case pg_query.DiscardMode_DISCARD_SEQUENCES:
			simple(kindSession, "DISCARD SEQUENCES", func(ctx context.Context, s *Session) error {
				s.currvals, s.lastSeq = map[types.OID]int64{}, 0
				return nil
			})
		case pg_query.DiscardMode_DISCARD_TEMP:
			// There are no temporary tables to drop.
			simple(kindSession, "DISCARD TEMP", func(context.Context, *Session) error { return nil })
		default:
			// Plans are re-made when the schema changes; nothing to drop.
			simple(kindSession, "DISCARD PLANS", func(context.Context, *Session) error { return nil })
		}
		return nil
	case *pg_query.Node_CheckPointStmt:
		simple(kindSession, "CHECKPOINT", func(context.Context, *Session) error { return nil })
		return nil
	}
	return b.errAt(-1, pgerr.FeatureNotSupported, "statement %s is not supported by vecgres yet", strings.TrimSuffix(nodeKind(n), "Stmt"))
}

// bindTransaction handles BEGIN, COMMIT, ROLLBACK and savepoints.
func (s *Session) bindTransaction(st *Statement, ts *pg_query.TransactionStmt) error {
	st.kind = kindTxn
	switch ts.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		tag := "BEGIN"
		if ts.Kind == pg_query.TransactionStmtKind_TRANS_STMT_START {
			tag = "START TRANSACTION"
		}
		st.tag = tag
		st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
			if err := checkTxnOptions(ts.Options); err != nil {
				return nil, "", err
			}
			if s.explicit {
				s.warning(pgerr.ActiveSQLTransaction, "there is already a transaction in progress")
				return nil, tag, nil
			}
			s.beginTxn()
			s.explicit = true
			return nil, tag, nil
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		st.tag = "COMMIT"
		st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
			switch {
			case s.failed:
				return nil, "ROLLBACK", s.endTxn(false)
			case !s.explicit:
				s.warning(pgerr.NoActiveSQLTransaction, "there is no transaction in progress")
				return nil, "COMMIT", nil
			}
			return nil, "COMMIT", s.endTxn(true)
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		st.tag = "ROLLBACK"
		st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
			if !s.explicit {
				s.warning(pgerr.NoActiveSQLTransaction, "there is no transaction in progress")
			}
			return nil, "ROLLBACK", s.endTxn(false)
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT, pg_query.TransactionStmtKind_TRANS_STMT_RELEASE,
		pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		s.bindSavepoint(st, ts)
	default:
		return pgerr.New(pgerr.FeatureNotSupported, "two-phase commit is not supported by vecgres yet")
	}
	return nil
}

// checkTxnOptions accepts the transaction modes that match what vecgres
// gives (READ COMMITTED, READ WRITE) and refuses the others.
func checkTxnOptions(opts []*pg_query.Node) error {
	for _, o := range opts {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		switch d.Defname {
		case "transaction_isolation":
			level := d.Arg.GetAConst().GetSval().GetSval()
			if _, err := checkIsolation(level); err != nil {
				return err
			}
		case "transaction_read_only":
			if d.Arg.GetAConst().GetBoolval().GetBoolval() {
				return pgerr.New(pgerr.FeatureNotSupported, "read-only transactions are not supported by vecgres yet")
			}
		}
	}
	return nil
}

// execSet runs SET, SET LOCAL, RESET and RESET ALL.
func (s *Session) execSet(vs *pg_query.VariableSetStmt) error {
	inTxn := s.explicit
	if vs.IsLocal && !s.explicit {
		s.warning(pgerr.NoActiveSQLTransaction, "SET LOCAL can only be used in transaction blocks")
		return nil
	}
	switch vs.Kind {
	case pg_query.VariableSetKind_VAR_SET_VALUE:
		value, err := setValue(vs)
		if err != nil {
			return err
		}
		_, err = s.set(vs.Name, value, vs.IsLocal, inTxn)
		return err
	case pg_query.VariableSetKind_VAR_SET_DEFAULT, pg_query.VariableSetKind_VAR_RESET:
		return s.reset(vs.Name, inTxn)
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		s.resetAll(inTxn)
		return nil
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		switch vs.Name {
		case "TRANSACTION", "SESSION CHARACTERISTICS":
			return checkTxnOptions(vs.Args)
		}
	}
	return pgerr.New(pgerr.FeatureNotSupported, "this form of SET is not supported by vecgres yet")
}

// setValue renders SET's argument list as the setting's text value:
// identifiers and strings as they are, numbers in their text form, lists
// joined with ", ".
func setValue(vs *pg_query.VariableSetStmt) (string, error) {
	parts := make([]string, 0, len(vs.Args))
	for _, a := range vs.Args {
		switch x := a.Node.(type) {
		case *pg_query.Node_AConst:
			switch v := x.AConst.Val.(type) {
			case *pg_query.A_Const_Sval:
				parts = append(parts, v.Sval.Sval)
			case *pg_query.A_Const_Ival:
				parts = append(parts, itoa(int64(v.Ival.Ival)))
			case *pg_query.A_Const_Fval:
				parts = append(parts, v.Fval.Fval)
			case *pg_query.A_Const_Boolval:
				if v.Boolval.Boolval {
					parts = append(parts, "on")
				} else {
					parts = append(parts, "off")
				}
			}
		case *pg_query.Node_TypeCast:
			// SET TIME ZONE INTERVAL '...' and the like.
			if c := x.TypeCast.Arg.GetAConst(); c != nil {
				parts = append(parts, c.GetSval().GetSval())
			}
		default:
			return "", pgerr.New(pgerr.SyntaxError, "unsupported SET value")
		}
	}
	if strings.EqualFold(vs.Name, "search_path") {
		for i, p := range parts {
			if p != strings.ToLower(p) || strings.ContainsAny(p, " ,") || p == "$user" {
				parts[i] = `"` + p + `"`
			}
		}
	}
	return strings.Join(parts, ", "), nil
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}

// bindShow prepares SHOW name / SHOW ALL.
func (s *Session) bindShow(st *Statement, vs *pg_query.VariableShowStmt) error {
	st.kind, st.tag = kindSession, "SHOW"
	name := vs.Name
	if name == "all" {
		st.columns = []Column{{Name: "name", Type: types.TText}, {Name: "setting", Type: types.TText}, {Name: "description", Type: types.TText}}
		st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
			var rows [][]types.Datum
			for _, set := range sortedSettings(s.e.settings) {
				rows = append(rows, []types.Datum{set.name, s.setting(set), ""})
			}
			return rows, "SHOW", nil
		}
		return nil
	}
	colName := strings.ToLower(name)
	if set, err := s.lookupSetting(name); err == nil {
		colName = set.name
	}
	switch strings.ToLower(name) {
	case "timezone":
		colName = "TimeZone"
	case "transaction_isolation", "transaction isolation level":
		colName, name = "transaction_isolation", "transaction_isolation"
	}
	st.columns = []Column{{Name: colName, Type: types.TText}}
	st.run = func(ctx context.Context, s *Session) ([][]types.Datum, string, error) {
		v, err := s.Setting(name)
		if err != nil {
			return nil, "", err
		}
		return [][]types.Datum{{v}}, "SHOW", nil
	}
	return nil
}

func sortedSettings(m map[string]*setting) []*setting {
	out := make([]*setting, 0, len(m))
	for _, s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].name) < strings.ToLower(out[j].name) })
	return out
}

// createExtension accepts the extensions whose features are built in.
// They are always installed (pg_extension lists them), so IF NOT EXISTS
// says so; without it the statement succeeds too, since applications run
// it on fresh databases where PostgreSQL would create the extension.
func (s *Session) createExtension(ce *pg_query.CreateExtensionStmt) error {
	switch ce.Extname {
	case "vector", "plpgsql":
		if ce.IfNotExists {
			s.notice(pgerr.DuplicateObject, "extension \"%s\" already exists, skipping", ce.Extname)
		}
		return nil
	}
	return pgerr.New(pgerr.FeatureNotSupported, "extension \"%s\" is not available", ce.Extname).
		WithHint("vecgres has the vector extension built in; other extensions cannot be installed.")
}

// vacuum runs VACUUM [table, ...]: storage removes deleted rows at once,
// so what is left to do is the HNSW graphs' repair: nodes of deleted rows
// are unlinked, their neighbours reconnected and their slots reclaimed.
//
// As pgvector's VACUUM, it does not hold up writers while it works: the
// new neighbour lists are chosen first, from the committed graphs and
// without the writer lock (hnsw.Graph.PlanVacuum); then the statement
// takes the lock and writes them (hnsw.Tx.ApplyVacuum, which chooses again
// only the lists that writers changed meanwhile), which takes a small part
// of the time.
func (s *Session) vacuum(ctx context.Context, b *binder, vs *pg_query.VacuumStmt) error {
	if s.explicit {
		return pgerr.New(pgerr.ActiveSQLTransaction, "VACUUM cannot run inside a transaction block")
	}
	cat := s.txn.Catalog()
	tables := cat.Tables()
	if len(vs.Rels) > 0 {
		tables = nil
		for _, r := range vs.Rels {
			rv := r.GetVacuumRelation().GetRelation()
			t, err := b.resolveTable(rv)
			if err != nil {
				return err
			}
			tables = append(tables, t)
		}
	}
	type planned struct {
		oid  types.OID
		plan *hnsw.VacuumPlan
	}
	var plans []planned
	for _, t := range tables {
		for _, idx := range cat.TableIndexes(t.OID) {
			if idx.Method != "hnsw" {
				continue
			}
			gr, ok := s.e.graphs.get(idx.OID)
			if !ok {
				return pgerr.New(pgerr.InternalError, "hnsw index \"%s\" has no graph loaded", idx.Name)
			}
			// Deleted nodes are reclaimed once settled: no running
			// statement can see them any more.
			settle(s.e.db, gr)
			p, err := gr.PlanVacuum(ctx)
			if err != nil {
				return err
			}
			plans = append(plans, planned{idx.OID, p})
		}
	}
	if len(plans) == 0 {
		return nil
	}
	if err := s.txn.LockForWrite(ctx); err != nil {
		return err
	}
	// Indexes dropped meanwhile are skipped; a graph replaced meanwhile
	// (TRUNCATE) is vacuumed from scratch, under the lock.
	cat = s.txn.Catalog()
	for _, pl := range plans {
		idx, ok := cat.Index(pl.oid)
		if !ok {
			continue
		}
		tx, err := s.indexes().Writer(idx)
		if err != nil {
			return err
		}
		var st hnsw.VacuumStats
		if pl.plan.Graph() == tx.Graph() {
			st, err = tx.ApplyVacuum(ctx, pl.plan)
		} else {
			st, err = tx.Vacuum(ctx)
		}
		if err != nil {
			return err
		}
		s.e.log.Info().Str("index", idx.Name).Int("reclaimed", st.Reclaimed).Int("repaired", st.Repaired).
			Int("replanned", st.Replanned).Int("reconnected", st.Reconnected).Msg("hnsw index vacuumed")
	}
	return nil
}
