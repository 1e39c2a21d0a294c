package graph

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The bucket must keep every window under the limit, whatever the number of
// senders: that is what keeps Graph from answering 429. The send times are
// the limiter's own reservations on a clock the test holds still, so the
// check is exact and independent of the machine's load.
func TestInvitationLimiterNeverFillsAWindow(t *testing.T) {
	const limit, burst, headroom = 20, 3, 2
	window := 500 * time.Millisecond
	l := newInvitationLimiter(limit, window, burst, headroom)

	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sent := make([]time.Time, 50)
	for i := range sent {
		r := l.ReserveN(t0, 1)
		if !r.OK() {
			t.Fatalf("reservation %d refused", i)
		}
		sent[i] = t0.Add(r.DelayFrom(t0))
	}
	for i := range sent {
		n := 0
		for j := i; j < len(sent) && sent[j].Sub(sent[i]) < window; j++ {
			n++
		}
		if n > limit-headroom {
			t.Fatalf("%d sends within one %s window starting at send %d; the limit less headroom is %d", n, window, i, limit-headroom)
		}
	}
	// After the burst of 3, the other 47 leave one every 500/15 ms: the
	// last at 47*500/15 ms, about 1.57 s. Any other span means the bucket
	// lets too much through or stalls.
	want := time.Duration(47) * window / 15
	if took := sent[len(sent)-1].Sub(sent[0]); took < want-time.Millisecond || took > want+time.Millisecond {
		t.Errorf("50 sends span %s, want %s", took, want)
	}
}

// A wait that cannot end before the deadline is refused at once: the call
// returns while its context is still alive, rather than when it expires.
func TestPaceInvitationFailsAtOnceWhenTheWaitPassesTheDeadline(t *testing.T) {
	c := &client{log: nopLogger{}, invitePacer: newInvitationLimiter(2, time.Minute, 1, 0)}
	if err := c.paceInvitation(context.Background()); err != nil {
		t.Fatalf("first invitation paced: %v", err)
	}
	// One invitation a minute after the burst of one: the next slot is a
	// minute away, the deadline closer.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.paceInvitation(ctx)
	var e *Error
	if !errors.As(err, &e) || e.Operation != opInvite.name {
		t.Fatalf("err = %v, want an *Error for %s", err, opInvite.name)
	}
	if ctx.Err() != nil {
		t.Errorf("paceInvitation returned only after its deadline (%v); want it to refuse at once", ctx.Err())
	}
}

func TestInvitationPacerIsSharedPerTenant(t *testing.T) {
	a := invitationPacerFor("graph.example:443", "tenant-a")
	if b := invitationPacerFor("GRAPH.example:443", "TENANT-A"); a != b {
		t.Error("two clients for one tenant got separate budgets")
	}
	if other := invitationPacerFor("graph.example:443", "tenant-b"); a == other {
		t.Error("two tenants share one budget")
	}
}
