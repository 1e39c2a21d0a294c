package graph

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"
)

// The bucket must keep every window under the limit, whatever the number of
// senders: that is what keeps Graph from answering 429.
func TestInvitationLimiterNeverFillsAWindow(t *testing.T) {
	const limit, burst, headroom = 20, 3, 2
	window := 500 * time.Millisecond
	l := newInvitationLimiter(limit, window, burst, headroom)

	var mu sync.Mutex
	var sent []time.Time
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Wait(context.Background()); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			sent = append(sent, time.Now())
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(sent, func(i, j int) bool { return sent[i].Before(sent[j]) })
	for i := range sent {
		n := 0
		for j := i; j < len(sent) && sent[j].Sub(sent[i]) < window; j++ {
			n++
		}
		if n > limit-headroom {
			t.Fatalf("%d sends within one %s window starting at send %d; the limit less headroom is %d", n, window, i, limit-headroom)
		}
	}
	// 50 sends at 15 per 500 ms after a burst of 3 take about 1.57 s; much
	// less means the bucket let too much through, much more that it stalls.
	if took := sent[len(sent)-1].Sub(sent[0]); took < 1400*time.Millisecond || took > 4*time.Second {
		t.Errorf("50 sends took %s, want about 1.57 s", took)
	}
}

func TestPaceInvitationFailsAtOnceWhenTheWaitPassesTheDeadline(t *testing.T) {
	c := &client{log: nopLogger{}, invitePacer: newInvitationLimiter(10, 10*time.Second, 1, 0)}
	if err := c.paceInvitation(context.Background()); err != nil {
		t.Fatalf("first invitation paced: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.paceInvitation(ctx)
	var e *Error
	if !errors.As(err, &e) || e.Operation != opInvite.name {
		t.Fatalf("err = %v, want an *Error for %s", err, opInvite.name)
	}
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("waited %s for a slot it could never get", took)
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
