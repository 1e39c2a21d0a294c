package main

import (
	"fmt"
	"image/color"
	"os"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// metric is one panel of the chart: a figure of a phase, against N.
type metric struct {
	title string
	logY  bool
	value func(phase) float64
}

// chartMetrics are what issue 13 asks to see grow with N: wall time,
// Graph requests per guest, and the provider's peak RSS.
var chartMetrics = []metric{
	{"Wall time (s)", true, func(p phase) float64 { return p.WallSeconds }},
	{"Graph requests per guest", false, func(p phase) float64 { return p.RequestsPerGuest }},
	{"Provider peak RSS (MB)", false, func(p phase) float64 { return p.ProviderPeakRSSMB }},
}

// phaseColours keep each phase the same colour in every panel.
var phaseColours = []color.RGBA{
	{52, 101, 164, 255}, {245, 121, 0, 255}, {78, 154, 6, 255}, {204, 0, 0, 255},
	{117, 80, 123, 255}, {193, 125, 17, 255},
}

// chartSeries groups the runs' phases by name: for each phase, its points
// (N, value) in increasing N, and the phase names in the order they ran.
func chartSeries(r *report, m metric) (map[string]plotter.XYs, []string) {
	series := map[string]plotter.XYs{}
	var names []string
	for _, run := range r.Runs {
		for _, p := range run.Phases {
			if _, ok := series[p.Name]; !ok {
				names = append(names, p.Name)
			}
			series[p.Name] = append(series[p.Name], plotter.XY{X: float64(run.N), Y: m.value(p)})
		}
	}
	for _, xys := range series {
		sort.Slice(xys, func(i, j int) bool { return xys[i].X < xys[j].X })
	}
	return series, names
}

// writeChart draws one panel per metric, N on a logarithmic axis, one line
// per phase, and writes the PNG to path.
func writeChart(path string, r *report) error {
	row := make([]*plot.Plot, 0, len(chartMetrics))
	for k, m := range chartMetrics {
		p := plot.New()
		p.Title.Text = m.title
		p.X.Label.Text = "guests (N)"
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		if m.logY {
			p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		} else {
			p.Y.Min = 0
		}
		p.Legend.Top, p.Legend.Left = true, true
		p.Legend.TextStyle.Font.Size = vg.Points(9)
		series, names := chartSeries(r, m)
		for i, name := range names {
			xys := series[name]
			if m.logY {
				xys = positive(xys)
			}
			if len(xys) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(xys)
			if err != nil {
				return fmt.Errorf("chart %q, %s: %w", m.title, name, err)
			}
			c := phaseColours[i%len(phaseColours)]
			line.Color, points.Color = c, c
			p.Add(line, points)
			if k == 0 { // one legend: the colours are the same in every panel
				p.Legend.Add(name, line, points)
			}
		}
		row = append(row, p)
	}
	img := vgimg.New(vg.Points(float64(360*len(row))), vg.Points(300))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2,
		PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{row}, tiles, dc)
	for i, p := range row {
		p.Draw(canvases[0][i])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// positive drops the points a logarithmic axis cannot show.
func positive(xys plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, 0, len(xys))
	for _, xy := range xys {
		if xy.Y > 0 {
			out = append(out, xy)
		}
	}
	return out
}
