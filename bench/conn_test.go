package bench

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestNoticeLog(t *testing.T) {
	var l noticeLog
	if got := l.take(); got != nil {
		t.Errorf("take of an empty log = %q", got)
	}
	l.add(&pgconn.Notice{Severity: "NOTICE", Message: "hnsw graph no longer fits into maintenance_work_mem", Detail: "Building will take significantly more time."})
	l.add(&pgconn.Notice{Severity: "WARNING", Message: "w"})
	l.add(&pgconn.Notice{Severity: "WARNING", Message: "w"})
	want := []string{
		"notice: hnsw graph no longer fits into maintenance_work_mem (Building will take significantly more time.)",
		"warning: w",
	}
	if got := l.take(); !slices.Equal(got, want) {
		t.Errorf("take = %q, want %q", got, want)
	}
	l.add(&pgconn.Notice{Severity: "WARNING", Message: "w"})
	if got := l.take(); got != nil {
		t.Errorf("a notice seen before came back: %q", got)
	}
}

func TestConnectBadURL(t *testing.T) {
	_, err := connect(context.Background(), "postgres://host:notaport/db", nil, &noticeLog{})
	if err == nil || !strings.Contains(err.Error(), "server URL") {
		t.Errorf("connect with a bad URL: %v", err)
	}
}
