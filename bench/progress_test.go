package bench

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func TestFormatProgress(t *testing.T) {
	tests := []struct {
		label, note string
		done, total int64
		elapsed     time.Duration
		want        string
	}{
		{"load", "", 5000, 20000, 2 * time.Second, "load  5000/20000 rows  25.0%  2500 rows/s  ETA 0:06"},
		{"load", "", 0, 20000, 0, "load  0/20000 rows   0.0%"},
		{"build", "building index: loading tuples", 150000, 150000, 75 * time.Second,
			"build: building index: loading tuples  150000/150000 rows 100.0%  2000 rows/s  ETA 0:00"},
		{"build", "", 0, 0, 125 * time.Second, "build  2:05"},
		{"build", "initializing", 0, 0, 1500 * time.Millisecond, "build: initializing  0:02"},
	}
	for _, tt := range tests {
		if got := formatProgress(tt.label, tt.note, tt.done, tt.total, tt.elapsed); got != tt.want {
			t.Errorf("formatProgress(%q, %q, %d, %d, %v)\n = %q\nwant %q", tt.label, tt.note, tt.done, tt.total, tt.elapsed, got, tt.want)
		}
	}
}

func TestProgressLineOnlyOnTerminals(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressLine(&buf, "load")
	p.update(1, 2, "")
	p.clear()
	if buf.Len() != 0 {
		t.Errorf("a progress line was drawn into a buffer: %q", buf.String())
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) || isTerminal(nil) || isTerminal(&buf) {
		t.Error("isTerminal is true for a regular file, nil or a buffer")
	}
}

func TestProgressLineRedraw(t *testing.T) {
	var buf bytes.Buffer
	p := &progressLine{w: &buf, label: "load", start: time.Now()}
	p.update(1, 10, "")
	p.update(2, 10, "") // too soon: not drawn
	if n := strings.Count(buf.String(), "\r"); n != 2 {
		t.Errorf("%d carriage returns after two quick updates, want 2 (one draw): %q", n, buf.String())
	}
	buf.Reset()
	p.width = 0
	p.draw("abc")
	p.draw("d") // shorter: blanks out the rest of the longer line
	p.clear()
	if got, want := buf.String(), "\rabc\rabc"+"\rd  \rd"+"\r \r"; got != want {
		t.Errorf("draws then clear wrote %q, want %q", got, want)
	}
}

func TestFormatClock(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0:00", 59 * time.Second: "0:59", 61 * time.Second: "1:01", 2 * time.Hour: "120:00"} {
		if got := formatClock(d); got != want {
			t.Errorf("formatClock(%v) = %q, want %q", d, got, want)
		}
	}
}
