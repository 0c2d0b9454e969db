package sql

import (
	"slices"
	"testing"
)

// TestSettingFollowsChanges checks that Setting, which remembers what it
// returned until a setting is assigned, and TakeParamChanges, which looks
// only at derived settings while none was, follow every way a value
// changes: SET, rollback, SET LOCAL at commit, ROLLBACK TO SAVEPOINT,
// RESET, placeholders, and a role made superuser by another session.
func TestSettingFollowsChanges(t *testing.T) {
	s := newTestSession(t)
	other, err := s.e.NewSession(SessionParams{User: "test", Database: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	s.TakeParamChanges()

	tests := []struct {
		sql     string
		session *Session // nil: s
		name    string   // setting then read from s
		want    string
		changes []ParamStatus // TakeParamChanges of s after the statement
	}{
		{sql: "SELECT 1", name: "hnsw.ef_search", want: "40"},
		{sql: "SET hnsw.ef_search = 30", name: "hnsw.ef_search", want: "30"},
		{sql: "BEGIN", name: "hnsw.ef_search", want: "30"},
		{sql: "SET hnsw.ef_search = 50", name: "hnsw.ef_search", want: "50"},
		{sql: "ROLLBACK", name: "hnsw.ef_search", want: "30"},
		{sql: "BEGIN", name: "hnsw.ef_search", want: "30"},
		{sql: "SET LOCAL hnsw.ef_search = 60", name: "HNSW.EF_SEARCH", want: "60"},
		{sql: "COMMIT", name: "HNSW.EF_SEARCH", want: "30"},
		{sql: "BEGIN", name: "hnsw.ef_search", want: "30"},
		{sql: "SAVEPOINT a", name: "hnsw.ef_search", want: "30"},
		{sql: "SET hnsw.ef_search = 70", name: "hnsw.ef_search", want: "70"},
		{sql: "ROLLBACK TO SAVEPOINT a", name: "hnsw.ef_search", want: "30"},
		{sql: "COMMIT", name: "hnsw.ef_search", want: "30"},
		{sql: "RESET hnsw.ef_search", name: "hnsw.ef_search", want: "40"},
		{sql: "SET myapp.mode = 'a'", name: "myapp.mode", want: "a"},
		{sql: "SET myapp.mode = 'b'", name: "myapp.mode", want: "b"},
		{sql: "SET TimeZone = 'Asia/Tokyo'", name: "timezone", want: "Asia/Tokyo", changes: []ParamStatus{{Name: "TimeZone", Value: "Asia/Tokyo"}}},
		{sql: "SELECT 1", name: "timezone", want: "Asia/Tokyo"},
		{sql: "BEGIN", name: "TimeZone", want: "Asia/Tokyo"},
		{sql: "SET TimeZone = 'Europe/Paris'", name: "TimeZone", want: "Europe/Paris", changes: []ParamStatus{{Name: "TimeZone", Value: "Europe/Paris"}}},
		{sql: "ROLLBACK", name: "TimeZone", want: "Asia/Tokyo", changes: []ParamStatus{{Name: "TimeZone", Value: "Asia/Tokyo"}}},
		{sql: "CREATE ROLE h1_plain NOSUPERUSER", name: "is_superuser", want: "on"},
		{sql: "SET ROLE h1_plain", name: "is_superuser", want: "off", changes: []ParamStatus{{Name: "is_superuser", Value: "off"}}},
		{sql: "ALTER ROLE h1_plain SUPERUSER", session: other, name: "is_superuser", want: "on", changes: []ParamStatus{{Name: "is_superuser", Value: "on"}}},
		{sql: "SELECT 1", name: "is_superuser", want: "on"},
	}
	for _, tt := range tests {
		run := s
		if tt.session != nil {
			run = tt.session
		}
		if _, _, err := runQuery(run, tt.sql); err != nil {
			t.Fatalf("%s: %v", tt.sql, err)
		}
		for range 2 { // the second read comes from the cache
			if got, err := s.Setting(tt.name); err != nil || got != tt.want {
				t.Fatalf("after %s: Setting(%q) = %q, %v; want %q", tt.sql, tt.name, got, err, tt.want)
			}
		}
		if got := s.TakeParamChanges(); !slices.Equal(got, tt.changes) {
			t.Fatalf("after %s: TakeParamChanges = %v, want %v", tt.sql, got, tt.changes)
		}
	}
	if _, err := s.Setting("no_such_setting"); err == nil {
		t.Fatal("Setting of an unknown name did not fail")
	}
}
