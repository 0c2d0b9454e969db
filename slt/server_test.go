package slt

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// serverURL returns the server that TestServer runs against, from
// SLT_TEST_URL; without it the test is skipped.
func serverURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("SLT_TEST_URL")
	if url == "" {
		t.Skip("SLT_TEST_URL is not set: no PostgreSQL server to run against")
	}
	return url
}

func TestServer(t *testing.T) {
	url := serverURL(t)
	var out bytes.Buffer
	opts := Options{Out: &out, Engine: "postgresql"}
	res, err := Run(context.Background(), url,
		[]string{"testdata/server/pass.slt", "testdata/server/fail.slt"}, opts)
	t.Log(out.String())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	const wantFailed = 11
	if res.Failed != wantFailed {
		t.Errorf("failed %d records, want %d", res.Failed, wantFailed)
	}
	for _, f := range res.Failures {
		if f.File != "testdata/server/fail.slt" {
			t.Errorf("unexpected failure:\n%s", f)
		}
	}
	if !strings.Contains(out.String(), "testdata/server/pass.slt: ") {
		t.Errorf("output has no per-file line:\n%s", out.String())
	}
}
