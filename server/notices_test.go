package server

import (
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// settingsStub answers Setting from a map.
type settingsStub map[string]string

func (s settingsStub) Setting(name string) (string, error) {
	v, ok := s[name]
	if !ok {
		return "", pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
	}
	return v, nil
}

// TestClientMinMessages checks which notices each client_min_messages
// lets through.
func TestClientMinMessages(t *testing.T) {
	severities := []string{"", pgerr.SeverityNotice, pgerr.SeverityWarning, "INFO", "LOG", "DEBUG1"}
	tests := []struct {
		setting string
		want    []bool // per severity above
	}{
		{"notice", []bool{true, true, true, true, false, false}},
		{"warning", []bool{false, false, true, true, false, false}},
		{"error", []bool{false, false, false, true, false, false}},
		{"log", []bool{true, true, true, true, true, false}},
		{"debug5", []bool{true, true, true, true, true, true}},
	}
	for _, tc := range tests {
		min := minMessageLevel(settingsStub{"client_min_messages": tc.setting})
		for i, sev := range severities {
			if got := messageLevel(sev) >= min; got != tc.want[i] {
				t.Errorf("client_min_messages=%s, severity %q: sent %v, want %v", tc.setting, sev, got, tc.want[i])
			}
		}
	}
	if min := minMessageLevel(struct{}{}); min != levelNotice {
		t.Errorf("a session without settings: level %d, want NOTICE's", min)
	}
	if min := minMessageLevel(settingsStub{}); min != levelNotice {
		t.Errorf("a session without the setting: level %d, want NOTICE's", min)
	}
}
