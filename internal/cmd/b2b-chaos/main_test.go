package main

import (
	"testing"
	"time"
)

// One seed replays the soak's random choices: the same draws in the same
// order; another seed gives others.
func TestSeedReplaysTheFaultDraws(t *testing.T) {
	draws := func(seed uint64) []string {
		d := newFaultDraws(options{seed: seed, actedShare: 0.5, maxLag: 20 * time.Second})
		var out []string
		for range 50 {
			acted, lag := d.next()
			out = append(out, lag.String()+map[bool]string{true: "+acted", false: ""}[acted])
		}
		return out
	}
	a, b, c := draws(1234), draws(1234), draws(4321)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("draw %d: seed 1234 gave %s then %s", i, a[i], b[i])
		}
	}
	same := 0
	for i := range a {
		if a[i] == c[i] {
			same++
		}
	}
	if same == len(a) {
		t.Fatal("seeds 1234 and 4321 gave the same draws")
	}
}
