package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
)

// The chart is drawn with the standard library alone (a 3x5 pixel font
// below), to keep a charting dependency out of the module for one PNG.
// One row per N and phase: wall time on the left, Graph requests per guest
// on the right, each scaled to its own largest value.

var (
	colBG    = color.RGBA{255, 255, 255, 255}
	colText  = color.RGBA{30, 30, 30, 255}
	colWall  = color.RGBA{52, 101, 164, 255}
	colReqs  = color.RGBA{245, 121, 0, 255}
	colRule  = color.RGBA{200, 200, 200, 255}
	fontSize = 2 // pixels per font dot
)

func writeChart(path string, r *report) error {
	type row struct {
		label      string
		wall, reqs float64
	}
	var rows []row
	var maxWall, maxReqs float64
	for _, run := range r.Runs {
		for _, p := range run.Phases {
			rows = append(rows, row{fmt.Sprintf("N=%d %s", run.N, p.Name), p.WallSeconds, p.RequestsPerGuest})
			maxWall, maxReqs = max(maxWall, p.WallSeconds), max(maxReqs, p.RequestsPerGuest)
		}
	}
	const rowH, labelW, barW, pad = 22, 300, 300, 20
	w := pad + labelW + barW + pad + barW + pad
	h := pad*3 + rowH*(len(rows)+1)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill(img, img.Bounds(), colBG)
	drawText(img, pad, pad, "B2B PROVIDER BENCHMARK", colText)
	x1, x2 := pad+labelW, pad+labelW+barW+pad
	drawText(img, x1, pad+rowH, "WALL TIME (S)", colWall)
	drawText(img, x2, pad+rowH, "GRAPH REQUESTS PER GUEST", colReqs)
	for i, rw := range rows {
		y := pad*2 + rowH*(i+1)
		if i > 0 && i%4 == 0 {
			fill(img, image.Rect(pad, y-3, w-pad, y-2), colRule)
		}
		drawText(img, pad, y+4, rw.label, colText)
		bar := func(x int, v, top float64, c color.RGBA, txt string) {
			n := 0
			if top > 0 {
				n = int(v / top * float64(barW-70))
			}
			fill(img, image.Rect(x, y+2, x+max(n, 1), y+rowH-4), c)
			drawText(img, x+max(n, 1)+4, y+4, txt, colText)
		}
		bar(x1, rw.wall, maxWall, colWall, fmt.Sprintf("%.1f", rw.wall))
		bar(x2, rw.reqs, maxReqs, colReqs, fmt.Sprintf("%.3f", rw.reqs))
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

func drawText(img *image.RGBA, x, y int, s string, c color.RGBA) {
	for _, ch := range strings.ToUpper(s) {
		g, ok := glyphs[ch]
		if !ok {
			g = glyphs['?']
		}
		for gy, line := range g {
			for gx, dot := range line {
				if dot == '#' {
					fill(img, image.Rect(x+gx*fontSize, y+gy*fontSize, x+(gx+1)*fontSize, y+(gy+1)*fontSize), c)
				}
			}
		}
		x += 4 * fontSize
	}
}

var glyphs = map[rune][5]string{
	' ': {"...", "...", "...", "...", "..."},
	'?': {"##.", "..#", ".#.", "...", ".#."},
	'.': {"...", "...", "...", "...", ".#."},
	'%': {"#.#", "..#", ".#.", "#..", "#.#"},
	'(': {".#.", "#..", "#..", "#..", ".#."},
	')': {".#.", "..#", "..#", "..#", ".#."},
	'=': {"...", "###", "...", "###", "..."},
	'-': {"...", "...", "###", "...", "..."},
	'/': {"..#", "..#", ".#.", "#..", "#.."},
	'0': {"###", "#.#", "#.#", "#.#", "###"},
	'1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"},
	'3': {"###", "..#", ".##", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"},
	'5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"},
	'7': {"###", "..#", ".#.", ".#.", ".#."},
	'8': {"###", "#.#", "###", "#.#", "###"},
	'9': {"###", "#.#", "###", "..#", "###"},
	'A': {".#.", "#.#", "###", "#.#", "#.#"},
	'B': {"##.", "#.#", "##.", "#.#", "##."},
	'C': {".##", "#..", "#..", "#..", ".##"},
	'D': {"##.", "#.#", "#.#", "#.#", "##."},
	'E': {"###", "#..", "##.", "#..", "###"},
	'F': {"###", "#..", "##.", "#..", "#.."},
	'G': {".##", "#..", "#.#", "#.#", ".##"},
	'H': {"#.#", "#.#", "###", "#.#", "#.#"},
	'I': {"###", ".#.", ".#.", ".#.", "###"},
	'J': {"..#", "..#", "..#", "#.#", ".#."},
	'K': {"#.#", "#.#", "##.", "#.#", "#.#"},
	'L': {"#..", "#..", "#..", "#..", "###"},
	'M': {"#.#", "###", "###", "#.#", "#.#"},
	'N': {"##.", "#.#", "#.#", "#.#", "#.#"},
	'O': {".#.", "#.#", "#.#", "#.#", ".#."},
	'P': {"##.", "#.#", "##.", "#..", "#.."},
	'Q': {".#.", "#.#", "#.#", "##.", ".##"},
	'R': {"##.", "#.#", "##.", "#.#", "#.#"},
	'S': {".##", "#..", ".#.", "..#", "##."},
	'T': {"###", ".#.", ".#.", ".#.", ".#."},
	'U': {"#.#", "#.#", "#.#", "#.#", "###"},
	'V': {"#.#", "#.#", "#.#", "#.#", ".#."},
	'W': {"#.#", "#.#", "###", "###", "#.#"},
	'X': {"#.#", "#.#", ".#.", "#.#", "#.#"},
	'Y': {"#.#", "#.#", ".#.", ".#.", ".#."},
	'Z': {"###", "..#", ".#.", "#..", "###"},
}
