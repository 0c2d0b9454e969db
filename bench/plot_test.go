package bench

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"testing"
)

func TestWritePlot(t *testing.T) {
	a := sampleReport()
	b := sampleReport()
	b.Label = "vecgres 0.1.0-dev"
	b.Points = []Point{{EfSearch: 10, Recall: 0.8, QPS: 9000}, {EfSearch: 40, Recall: 0.95, QPS: 4000}, {EfSearch: 80, Recall: 0.97, QPS: 0}}
	var buf bytes.Buffer
	if err := WritePlot(&buf, []*Report{a, b}); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("the plot is not a PNG: %v", err)
	}
	if got := img.Bounds(); got.Dx() != plotWidth || got.Dy() != legendTop+2*legendSpacing+10 {
		t.Errorf("plot is %v", got)
	}
	for i := range 2 {
		if n := countColor(img, seriesColor(i)); n < 100 {
			t.Errorf("series %d's colour covers %d pixels, want a curve", i, n)
		}
	}
	if n := countColor(img, black); n < 1000 {
		t.Errorf("%d black pixels: no frame or text", n)
	}
}

func TestWritePlotNothing(t *testing.T) {
	if err := WritePlot(&bytes.Buffer{}, nil); err == nil {
		t.Error("WritePlot of no reports succeeded")
	}
	// A report without usable points still gives a frame.
	var buf bytes.Buffer
	if err := WritePlot(&buf, []*Report{{Label: "empty"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&buf); err != nil {
		t.Fatal(err)
	}
}

func countColor(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == c {
				n++
			}
		}
	}
	return n
}

func TestPlotAxes(t *testing.T) {
	r := &Report{Points: []Point{{Recall: 0.73, QPS: 95}, {Recall: 0.99, QPS: 3100}}}
	x, y := plotAxes([]*Report{r})
	if x.lo != 0.7 || x.hi != 1 || !slices.Equal(x.ticks, []float64{0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1}) {
		t.Errorf("x axis %v..%v ticks %v", x.lo, x.hi, x.ticks)
	}
	if y.lo != 50 || y.hi != 5000 || !slices.Equal(y.ticks, []float64{50, 100, 200, 500, 1000, 2000, 5000}) {
		t.Errorf("y axis %v..%v ticks %v", y.lo, y.hi, y.ticks)
	}
	if p := x.pixel(1); p != plotRight {
		t.Errorf("recall 1 at x %v, want %d", p, plotRight)
	}
	if p := y.pixel(50); p != plotBottom {
		t.Errorf("QPS 50 at y %v, want %d", p, plotBottom)
	}
	if mid := y.pixel(500); !near(mid, (plotTop+plotBottom)/2) {
		t.Errorf("QPS 500 at y %v, want the middle of the log axis", mid)
	}
}

func TestTicks(t *testing.T) {
	if got := linearTicks(0.9, 1); !slices.Equal(got, []float64{0.9, 0.92, 0.94, 0.96, 0.98, 1}) {
		t.Errorf("linearTicks(0.9, 1) = %v", got)
	}
	if got := linearTicks(0, 1); len(got) != 11 {
		t.Errorf("linearTicks(0, 1) = %v", got)
	}
	if got := logTicks(10, 100000); !slices.Equal(got, []float64{10, 100, 1000, 10000, 100000}) {
		t.Errorf("logTicks(10, 1e5) = %v", got)
	}
	tests := []struct{ v, below, above float64 }{
		{95, 50, 100}, {100, 100, 100}, {3100, 2000, 5000}, {0.3, 0.2, 0.5}, {7, 5, 10},
	}
	for _, tt := range tests {
		if b, a := niceBelow(tt.v), niceAbove(tt.v); !near(b, tt.below) || !near(a, tt.above) {
			t.Errorf("nice(%v) = %v, %v; want %v, %v", tt.v, b, a, tt.below, tt.above)
		}
	}
}

func near(a, b float64) bool { return a > b*(1-1e-12) && a < b*(1+1e-12) }

func TestFormatQPS(t *testing.T) {
	for v, want := range map[float64]string{50: "50", 500: "500", 1000: "1k", 2000: "2k", 20000: "20k", 0.5: "0.5"} {
		if got := formatQPS(v); got != want {
			t.Errorf("formatQPS(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestLegendAndTitle(t *testing.T) {
	r := sampleReport()
	if got, want := legendText(curve{r: r, points: r.Points}), "pgvector 0.8.6: m=16 ef_construction=64, 1 client(s), build 3.25s, index 15.0 MiB"; got != want {
		t.Errorf("legendText = %q, want %q", got, want)
	}
	other := sampleReport()
	other.Rows = 150000
	if got, want := plotTitle([]*Report{r, r, other}), "glove-6b-100-cosine (cosine, 20000 rows), glove-6b-100-cosine (cosine, 150000 rows): recall vs queries per second"; got != want {
		t.Errorf("plotTitle = %q, want %q", got, want)
	}
}

func TestWritePlotFiltered(t *testing.T) {
	filtered := sampleFilteredReport()
	reports := []*Report{filtered, sampleReport(), {Label: "empty"}}
	curves := plotCurves(reports)
	if len(curves) != 5 {
		t.Fatalf("%d curves, want the baseline and one per selectivity of the filtered run, then one per other report", len(curves))
	}
	for i, want := range []struct {
		report, points int
		legend         string
	}{
		{0, 1, "pgvector 0.8.6, unfiltered: m=16"},
		{0, 2, "pgvector 0.8.6, selectivity 0.1: m=16"},
		{0, 2, "pgvector 0.8.6, selectivity 0.001: m=16"},
		{1, 2, "pgvector 0.8.6: m=16"},
		{2, 0, "empty: m=0"},
	} {
		c := curves[i]
		if c.report != want.report || len(c.points) != want.points || !strings.HasPrefix(legendText(c), want.legend) {
			t.Errorf("curve %d: report %d, %d points, legend %q; want %d, %d, %q...", i, c.report, len(c.points), legendText(c), want.report, want.points, want.legend)
		}
	}
	var buf bytes.Buffer
	if err := WritePlot(&buf, reports); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Dy(); got != legendTop+5*legendSpacing+10 {
		t.Errorf("plot height %d: want a legend line per curve", got)
	}
	for i := range 3 {
		if n := countColor(img, seriesColor(i)); n < 50 {
			t.Errorf("curve %d's colour covers %d pixels, want a curve", i, n)
		}
	}
	if got := xLabel(reports); !strings.Contains(got, "the filter admits") {
		t.Errorf("x label %q", got)
	}
	if got := xLabel([]*Report{sampleReport()}); got != "Recall@10 (tie-tolerant)" {
		t.Errorf("x label %q", got)
	}
}
