package graph

import (
	"context"
	"time"
)

// Clock is the client's time source for what it measures and waits on by
// itself: the token renewal's and the circuit's ages, the read batcher's
// wait for company, the wait before retrying an operation and the
// invitation pacer. Config.Clock sets it; the default is the wall clock.
// Tests pass a fake one and move it forward instead of sleeping, so that
// what they check does not depend on the machine's load. Context deadlines
// stay on the wall clock: they come from Terraform.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed on this
	// clock. stop cancels the call if it has not started and reports
	// whether it did, as time.Timer.Stop does.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// sleep waits d on clk, or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, clk Clock, d time.Duration) bool {
	fired := make(chan struct{})
	stop := clk.AfterFunc(d, func() { close(fired) })
	select {
	case <-ctx.Done():
		stop()
		return false
	case <-fired:
		return true
	}
}
