package sql

import (
	"strings"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// lookupSetting finds a setting by name, case-insensitively. Unknown names
// with a dot are custom placeholders; other unknown names are an error.
func (s *Session) lookupSetting(name string) (*setting, error) {
	lname := strings.ToLower(name)
	if st, ok := s.e.settings[lname]; ok {
		return st, nil
	}
	if strings.Contains(lname, ".") {
		return &setting{name: lname}, nil
	}
	return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
}

// setting returns the current value of st.
func (s *Session) setting(st *setting) string {
	if v, ok := s.derivedSetting(st); ok {
		return v
	}
	if v, ok := s.values[strings.ToLower(st.name)]; ok {
		return v
	}
	return st.def
}

// Setting returns the current value of a setting as SHOW prints it.
func (s *Session) Setting(name string) (string, error) {
	if v, ok := s.settingCache[name]; ok {
		return v, nil
	}
	st, err := s.lookupSetting(name)
	if err != nil {
		return "", err
	}
	lname := strings.ToLower(st.name)
	if _, known := s.e.settings[lname]; !known {
		if v, ok := s.values[lname]; ok {
			s.settingCache[name] = v
			return v, nil
		}
		return "", pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
	}
	v := s.setting(st)
	if !isDerivedSetting(st) {
		s.settingCache[name] = v
	}
	return v, nil
}

// isDerivedSetting reports whether st's value follows from more than the
// session's values (derivedSetting): it can change without an assign.
func isDerivedSetting(st *setting) bool { return st.name == "is_superuser" }

// set changes a setting. inTxn records the old value so that a rollback
// restores it (SET is transactional in PostgreSQL); local settings last
// until the end of the transaction.
func (s *Session) set(name, value string, local, inTxn bool) (string, error) {
	if isRoleSetting(name) {
		return s.setRoleSetting(name, value, local, inTxn)
	}
	st, err := s.lookupSetting(name)
	if err != nil {
		return "", err
	}
	if st.readOnly {
		if name == "server_version" || name == "server_encoding" || name == "integer_datetimes" {
			return "", pgerr.New(pgerr.CantChangeRuntimeParam, "parameter \"%s\" cannot be changed", st.name)
		}
		// Drivers send some read-only ones at startup; accept equal values.
		if strings.EqualFold(value, s.setting(st)) {
			return value, nil
		}
		return "", pgerr.New(pgerr.CantChangeRuntimeParam, "parameter \"%s\" cannot be changed", st.name)
	}
	if st.check != nil {
		if value, err = st.check(value); err != nil {
			return "", err
		}
	}
	s.assign(st, value, local, inTxn)
	return value, nil
}

// assign stores a validated value and records what is needed to undo it
// and to report it.
func (s *Session) assign(st *setting, value string, local, inTxn bool) {
	lname := strings.ToLower(st.name)
	old := s.setting(st)
	if inTxn {
		if s.undo == nil {
			s.undo = map[string]settingUndo{}
		}
		if u, seen := s.undo[lname]; !seen {
			s.undo[lname] = settingUndo{value: old, local: local}
		} else if !local && u.local {
			// A plain SET after SET LOCAL makes the value survive commit.
			s.undo[lname] = settingUndo{value: u.value, local: false}
		}
	}
	if value == st.def {
		delete(s.values, lname)
	} else {
		s.values[lname] = value
	}
	s.settingsGen++
	clear(s.settingCache)
	s.formatSet = false
	if lname == "application_name" {
		s.appName.Store(value)
	}
}

// reset returns a setting to its startup value or default.
func (s *Session) reset(name string, inTxn bool) error {
	if isRoleSetting(name) {
		return s.resetRoleSetting(name, inTxn)
	}
	st, err := s.lookupSetting(name)
	if err != nil {
		return err
	}
	if st.readOnly {
		return pgerr.New(pgerr.CantChangeRuntimeParam, "parameter \"%s\" cannot be changed", st.name)
	}
	s.assign(st, s.resetValue(st), false, inTxn)
	return nil
}

// resetAll returns every changeable setting to its startup value or
// default.
func (s *Session) resetAll(inTxn bool) {
	for _, st := range s.e.settings {
		if !st.readOnly {
			s.assign(st, s.resetValue(st), false, inTxn)
		}
	}
}

// resetValue is what RESET returns st to: the value given at startup, or
// else the default.
func (s *Session) resetValue(st *setting) string {
	if v, ok := s.resetValues[strings.ToLower(st.name)]; ok {
		return v
	}
	return st.def
}

// finishSettings applies the end of a transaction to settings: a rollback
// undoes every change made in it, a commit only the SET LOCAL ones.
func (s *Session) finishSettings(committed bool) {
	for lname, u := range s.undo {
		if committed && !u.local {
			continue
		}
		st, err := s.lookupSetting(lname)
		if err != nil {
			continue
		}
		s.assign(st, u.value, false, false)
	}
	s.undo = nil
}

// StatementTimeout is the statement_timeout setting, zero for none. The
// server bounds each statement's context with it, cancelling with 57014
// "canceling statement due to statement timeout".
func (s *Session) StatementTimeout() time.Duration {
	return s.durationSetting("statement_timeout")
}

// IdleInTransactionSessionTimeout is the idle_in_transaction_session_timeout
// setting, zero for none. The server ends a session that waits longer than
// this for its next command inside a transaction block (FATAL 25P03), so
// that a forgotten transaction does not hold the writer lock for ever.
func (s *Session) IdleInTransactionSessionTimeout() time.Duration {
	return s.durationSetting("idle_in_transaction_session_timeout")
}

// durationSetting reads a setting in milliseconds; zero for none.
func (s *Session) durationSetting(name string) time.Duration {
	v, _ := s.Setting(name)
	ms, err := parseDurationMillis(v)
	if err != nil || ms <= 0 {
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}
