package main

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func sampleReport(sizes ...int) *report {
	r := &report{}
	for _, n := range sizes {
		r.Runs = append(r.Runs, sizeRun{N: n, Phases: []phase{
			{Name: phaseCreate, WallSeconds: float64(n) / 30, RequestsPerGuest: 3, ProviderPeakRSSMB: 50},
			{Name: phaseRefresh, WallSeconds: float64(n) / 100, RequestsPerGuest: 0.1, ProviderPeakRSSMB: 40},
		}})
	}
	return r
}

// TestChartSeriesFollowsN checks each phase becomes one series with a
// point per size, in increasing N, whatever order the runs came in.
func TestChartSeriesFollowsN(t *testing.T) {
	series, names := chartSeries(sampleReport(10000, 100, 1000), chartMetrics[0])
	if len(names) != 2 || names[0] != phaseCreate || names[1] != phaseRefresh {
		t.Fatalf("names = %v", names)
	}
	xys := series[phaseCreate]
	if len(xys) != 3 || xys[0].X != 100 || xys[1].X != 1000 || xys[2].X != 10000 || xys[2].Y != 10000.0/30 {
		t.Fatalf("create series = %v", xys)
	}
}

// TestWriteChartWritesAPNG draws the chart and decodes it back.
func TestWriteChartWritesAPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.png")
	if err := writeChart(path, sampleReport(100, 1000, 10000)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 200 {
		t.Fatalf("chart is %v", b)
	}
}

// TestMergeReportsOrdersRunsByN combines two results files.
func TestMergeReportsOrdersRunsByN(t *testing.T) {
	dir := t.TempDir()
	a, b := sampleReport(10000), sampleReport(100, 1000)
	a.Parallelism = 10
	if err := a.write(filepath.Join(dir)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "results.json"), filepath.Join(dir, "a.json")); err != nil {
		t.Fatal(err)
	}
	if err := b.write(dir); err != nil {
		t.Fatal(err)
	}
	m, err := mergeReports([]string{filepath.Join(dir, "a.json"), filepath.Join(dir, "results.json")})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Runs) != 3 || m.Runs[0].N != 100 || m.Runs[2].N != 10000 || m.Parallelism != 10 {
		t.Fatalf("merged runs %+v, parallelism %d", m.Runs, m.Parallelism)
	}
	if _, err := mergeReports(nil); err == nil {
		t.Fatal("merging nothing did not fail")
	}
}
