package bench

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// WritePlot draws recall@k (x) against queries per second (y, log
// scale) as ann-benchmarks does, one curve per report (per report and
// selectivity for a filtered run) through its points in the order they
// were measured, and writes the image as PNG. Each curve has a colour
// of its own, each report a marker shape.
func WritePlot(w io.Writer, reports []*Report) error {
	if len(reports) == 0 {
		return errors.New("nothing to plot")
	}
	return png.Encode(w, drawPlot(reports))
}

// The plot's layout, in pixels.
const (
	plotWidth     = 960
	plotLeft      = 90  // x of the plot area's left edge
	plotRight     = 930 // x of its right edge
	plotTop       = 50
	plotBottom    = 530
	legendTop     = 590 // y of the first legend entry
	legendSpacing = 20
	lineWidth     = 2.5
	markerRadius  = 4
)

// seriesColor is curve i's colour (matplotlib's tab10, which
// ann-benchmarks' plots use too).
func seriesColor(i int) color.RGBA {
	palette := [...]uint32{0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf}
	c := palette[i%len(palette)]
	return color.RGBA{R: uint8(c >> 16), G: uint8(c >> 8), B: uint8(c), A: 0xff}
}

var (
	black     = color.RGBA{A: 0xff}
	gridColor = color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
)

// curve is one line of the plot: a report's points at one selectivity,
// or all of them for an unfiltered run.
type curve struct {
	report int // index of the report, for the marker
	r      *Report
	points []Point
}

// plotCurves splits the reports into curves: a new curve wherever the
// selectivity changes. A report without points still has a curve, for
// its legend entry.
func plotCurves(reports []*Report) []curve {
	var curves []curve
	for i, r := range reports {
		start := len(curves)
		for j, p := range r.Points {
			if j == 0 || p.Selectivity != r.Points[j-1].Selectivity {
				curves = append(curves, curve{report: i, r: r})
			}
			c := &curves[len(curves)-1]
			c.points = append(c.points, p)
		}
		if len(curves) == start {
			curves = append(curves, curve{report: i, r: r})
		}
	}
	return curves
}

// drawPlot renders the chart.
func drawPlot(reports []*Report) *image.RGBA {
	curves := plotCurves(reports)
	height := legendTop + legendSpacing*len(curves) + 10
	img := image.NewRGBA(image.Rect(0, 0, plotWidth, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)

	x, y := plotAxes(reports)
	drawGrid(img, x, y)
	drawText(img, (plotLeft+plotRight)/2, plotTop/2, plotTitle(reports), black, alignCenter)
	drawText(img, (plotLeft+plotRight)/2, plotBottom+40, xLabel(reports), black, alignCenter)
	drawTextUp(img, 20, (plotTop+plotBottom)/2, "Queries per second (1/s), log scale", black)

	z := vector.NewRasterizer(plotWidth, height)
	for i, c := range curves {
		z.Reset(plotWidth, height)
		var prev *point
		for _, p := range c.points {
			if !(p.QPS > 0) {
				continue
			}
			at := point{x.pixel(p.Recall), y.pixel(p.QPS)}
			if prev != nil {
				addSegment(z, *prev, at, lineWidth/2)
			}
			addMarker(z, c.report, at)
			prev = &at
		}
		z.Draw(img, img.Bounds(), image.NewUniform(seriesColor(i)), image.Point{})
		drawLegendEntry(img, z, i, c)
	}
	return img
}

// xLabel names the x axis: recall@k, among the rows the filters admit
// when a run filtered.
func xLabel(reports []*Report) string {
	ks := joinDistinct(reports, func(r *Report) string { return strconv.Itoa(r.K) })
	if slices.ContainsFunc(reports, (*Report).filtered) {
		return fmt.Sprintf("Recall@%s (tie-tolerant, against the exact neighbours the filter admits)", ks)
	}
	return fmt.Sprintf("Recall@%s (tie-tolerant)", ks)
}

// axis maps data values to pixels, linearly or logarithmically.
type axis struct {
	lo, hi     float64 // data range
	from, to   float64 // pixel range
	log        bool
	ticks      []float64
	tickFormat func(float64) string
}

func (a axis) pixel(v float64) float64 {
	lo, hi := a.lo, a.hi
	if a.log {
		v, lo, hi = math.Log10(v), math.Log10(lo), math.Log10(hi)
	}
	return a.from + (v-lo)/(hi-lo)*(a.to-a.from)
}

// plotAxes chooses the ranges and ticks: recall from a tenth below the
// lowest to 1, queries per second on 1-2-5 steps around the data.
func plotAxes(reports []*Report) (x, y axis) {
	minRecall, minQPS, maxQPS := 1.0, math.Inf(1), math.Inf(-1)
	for _, r := range reports {
		for _, p := range r.Points {
			if p.QPS > 0 {
				minRecall = min(minRecall, p.Recall)
				minQPS, maxQPS = min(minQPS, p.QPS), max(maxQPS, p.QPS)
			}
		}
	}
	if math.IsInf(minQPS, 1) { // no points: an empty frame
		minQPS, maxQPS = 1, 1000
	}
	x = axis{lo: min(0.9, math.Floor(minRecall*10)/10), hi: 1, from: plotLeft, to: plotRight,
		tickFormat: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }}
	x.ticks = linearTicks(x.lo, x.hi)
	y = axis{lo: niceBelow(minQPS / 1.1), hi: niceAbove(maxQPS * 1.1), from: plotBottom, to: plotTop, log: true,
		tickFormat: formatQPS}
	y.ticks = logTicks(y.lo, y.hi)
	return x, y
}

// linearTicks returns ticks from lo to hi on the largest step of 0.1,
// 0.05, 0.02 or 0.01 that gives at least five.
func linearTicks(lo, hi float64) []float64 {
	step := 0.01
	for _, s := range []float64{0.1, 0.05, 0.02} {
		if (hi-lo)/s >= 5-1e-9 {
			step = s
			break
		}
	}
	var ticks []float64
	for i := 0; ; i++ {
		v := math.Round((lo+float64(i)*step)*1000) / 1000
		if v > hi+1e-9 {
			return ticks
		}
		ticks = append(ticks, v)
	}
}

// logTicks returns the powers of ten from lo to hi, or, when the range
// is under three decades, the 1-2-5 values.
func logTicks(lo, hi float64) []float64 {
	mantissas := []float64{1, 2, 5}
	if hi/lo > 1000 {
		mantissas = []float64{1}
	}
	var ticks []float64
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range mantissas {
			if v := m * math.Pow(10, e); v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				ticks = append(ticks, v)
			}
		}
	}
	return ticks
}

// niceBelow is the largest 1, 2 or 5 times a power of ten not above v.
func niceBelow(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{5, 2, 1} {
		if m*p <= v {
			return m * p
		}
	}
	return p
}

// niceAbove is the smallest 1, 2 or 5 times a power of ten not below v.
func niceAbove(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// formatQPS writes thousands as k: 500, 2k, 10k.
func formatQPS(v float64) string {
	if v >= 1000 {
		return strconv.FormatFloat(v/1000, 'g', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// plotTitle names the datasets and the dataset sizes drawn.
func plotTitle(reports []*Report) string {
	datasets := joinDistinct(reports, func(r *Report) string {
		return fmt.Sprintf("%s (%s, %d rows)", r.Dataset, r.Metric, r.Rows)
	})
	return datasets + ": recall vs queries per second"
}

// joinDistinct joins the distinct values of f over reports.
func joinDistinct(reports []*Report, f func(*Report) string) string {
	var values []string
	for _, r := range reports {
		if v := f(r); !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	return strings.Join(values, ", ")
}

// drawGrid draws the frame, the grid lines and the tick labels.
func drawGrid(img *image.RGBA, x, y axis) {
	for _, t := range x.ticks {
		px := int(math.Round(x.pixel(t)))
		fillRect(img, image.Rect(px, plotTop, px+1, plotBottom), gridColor)
		drawText(img, px, plotBottom+14, x.tickFormat(t), black, alignCenter)
	}
	for _, t := range y.ticks {
		py := int(math.Round(y.pixel(t)))
		fillRect(img, image.Rect(plotLeft, py, plotRight, py+1), gridColor)
		drawText(img, plotLeft-6, py, y.tickFormat(t), black, alignRight)
	}
	fillRect(img, image.Rect(plotLeft, plotTop, plotRight+1, plotTop+1), black)
	fillRect(img, image.Rect(plotLeft, plotBottom, plotRight+1, plotBottom+1), black)
	fillRect(img, image.Rect(plotLeft, plotTop, plotLeft+1, plotBottom+1), black)
	fillRect(img, image.Rect(plotRight, plotTop, plotRight+1, plotBottom+1), black)
}

// drawLegendEntry draws curve i's line sample and description below
// the plot.
func drawLegendEntry(img *image.RGBA, z *vector.Rasterizer, i int, c curve) {
	cy := float64(legendTop + legendSpacing*i)
	z.Reset(img.Bounds().Dx(), img.Bounds().Dy())
	addSegment(z, point{plotLeft, cy}, point{plotLeft + 30, cy}, lineWidth/2)
	addMarker(z, c.report, point{plotLeft + 15, cy})
	z.Draw(img, img.Bounds(), image.NewUniform(seriesColor(i)), image.Point{})
	drawText(img, plotLeft+40, int(cy), legendText(c), black, alignLeft)
}

// legendText describes a curve in one line: its run, and its
// selectivity in a filtered run.
func legendText(c curve) string {
	r, name := c.r, c.r.Label
	switch {
	case len(c.points) == 0 || !r.filtered():
	case c.points[0].Selectivity > 0:
		name += ", selectivity " + formatSelectivity(c.points[0].Selectivity)
	default:
		name += ", unfiltered"
	}
	s := fmt.Sprintf("%s: m=%d ef_construction=%d, %d client(s)", name, r.M, r.EfConstruction, r.Clients)
	if r.BuildSeconds > 0 {
		s += ", build " + formatSeconds(r.BuildSeconds)
	}
	if r.IndexBytes > 0 {
		s += ", index " + formatBytes(r.IndexBytes)
	}
	return s
}

// point is a position in pixels.
type point struct{ x, y float64 }

// addSegment adds the rectangle of half-width hw around segment a-b.
func addSegment(z *vector.Rasterizer, a, b point, hw float64) {
	dx, dy := b.x-a.x, b.y-a.y
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l*hw, dx/l*hw
	addPolygon(z, []point{{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}})
}

// addMarker adds the marker of report i: a disc, a square, a triangle
// or a diamond, in turn.
func addMarker(z *vector.Rasterizer, i int, c point) {
	r := float64(markerRadius)
	switch i % 4 {
	case 0:
		addCircle(z, c, r)
	case 1:
		addPolygon(z, []point{{c.x - r, c.y - r}, {c.x + r, c.y - r}, {c.x + r, c.y + r}, {c.x - r, c.y + r}})
	case 2:
		r *= 1.3
		addPolygon(z, []point{{c.x, c.y - r}, {c.x + r, c.y + r*0.8}, {c.x - r, c.y + r*0.8}})
	case 3:
		r *= 1.3
		addPolygon(z, []point{{c.x, c.y - r}, {c.x + r, c.y}, {c.x, c.y + r}, {c.x - r, c.y}})
	}
}

// addCircle adds a disc as a 24-gon.
func addCircle(z *vector.Rasterizer, c point, r float64) {
	const n = 24
	pts := make([]point, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / n
		pts[i] = point{c.x + r*math.Cos(a), c.y + r*math.Sin(a)}
	}
	addPolygon(z, pts)
}

// addPolygon adds a closed polygon, always wound the same way: the
// rasterizer adds up signed coverage, so oppositely wound shapes of one
// path would cancel where they overlap.
func addPolygon(z *vector.Rasterizer, pts []point) {
	var area float64
	for i, p := range pts {
		q := pts[(i+1)%len(pts)]
		area += p.x*q.y - q.x*p.y
	}
	if area < 0 {
		pts = slices.Clone(pts)
		slices.Reverse(pts)
	}
	z.MoveTo(float32(pts[0].x), float32(pts[0].y))
	for _, p := range pts[1:] {
		z.LineTo(float32(p.x), float32(p.y))
	}
	z.ClosePath()
}

func fillRect(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// alignment places text horizontally about its x.
type alignment int

const (
	alignLeft alignment = iota
	alignCenter
	alignRight
)

// drawText draws s with its vertical middle at y.
func drawText(img draw.Image, x, y int, s string, c color.Color, align alignment) {
	face := basicfont.Face7x13
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face}
	width := d.MeasureString(s).Round()
	switch align {
	case alignCenter:
		x -= width / 2
	case alignRight:
		x -= width
	}
	d.Dot = fixed.P(x, y+(face.Ascent-face.Descent)/2)
	d.DrawString(s)
}

// drawTextUp draws s reading upwards, centred on (x, y).
func drawTextUp(img *image.RGBA, x, y int, s string, c color.Color) {
	face := basicfont.Face7x13
	width := font.MeasureString(face, s).Round()
	text := image.NewRGBA(image.Rect(0, 0, width, face.Height))
	drawText(text, 0, face.Height/2, s, c, alignLeft)
	for ty := range face.Height {
		for tx := range width {
			if px := text.RGBAAt(tx, ty); px.A != 0 {
				img.SetRGBA(x-face.Height/2+ty, y+width/2-tx, px)
			}
		}
	}
}
