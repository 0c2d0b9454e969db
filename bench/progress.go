package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// redrawInterval is how often, at most, a progress line is redrawn.
const redrawInterval = 200 * time.Millisecond

// progressLine is one line on a terminal, redrawn in place while a phase
// runs. Only one goroutine at a time may use it.
type progressLine struct {
	w     io.Writer // nil: draws nothing
	label string
	start time.Time
	last  time.Time
	width int // of the last line drawn, to blank it out
}

// newProgressLine returns a line for the phase label, drawn on w only if
// w is a terminal.
func newProgressLine(w io.Writer, label string) *progressLine {
	if !isTerminal(w) {
		w = nil
	}
	return &progressLine{w: w, label: label, start: time.Now()}
}

// isTerminal reports whether w is a character device, such as a
// terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// update redraws the line, unless it was drawn less than redrawInterval
// ago: done of total units (total 0 when unknown), and a note such as
// the phase the server reports.
func (p *progressLine) update(done, total int64, note string) {
	if p.w == nil {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < redrawInterval {
		return
	}
	p.last = now
	p.draw(formatProgress(p.label, note, done, total, now.Sub(p.start)))
}

// clear blanks the line, leaving the cursor at its start.
func (p *progressLine) clear() {
	if p.w != nil && p.width > 0 {
		p.draw("")
	}
}

func (p *progressLine) draw(line string) {
	pad := max(0, p.width-len(line))
	fmt.Fprintf(p.w, "\r%s%s\r%s", line, strings.Repeat(" ", pad), line)
	p.width = len(line)
}

// formatProgress is the text of a progress line: the rows done, the
// rate and the time left when the total is known, the time spent
// otherwise.
func formatProgress(label, note string, done, total int64, elapsed time.Duration) string {
	var b strings.Builder
	b.WriteString(label)
	if note != "" {
		b.WriteString(": " + note)
	}
	if total <= 0 {
		fmt.Fprintf(&b, "  %s", formatClock(elapsed))
		return b.String()
	}
	fmt.Fprintf(&b, "  %d/%d rows %5.1f%%", done, total, 100*float64(done)/float64(total))
	if rate := float64(done) / elapsed.Seconds(); done > 0 && elapsed > 0 {
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		fmt.Fprintf(&b, "  %.0f rows/s  ETA %s", rate, formatClock(left))
	}
	return b.String()
}

// formatClock formats d as m:ss.
func formatClock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
