package graph

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeRound answers a batch after rtt, as Graph would, and records what
// was sent and how long its oldest read had waited.
type fakeRound struct {
	rtt   time.Duration
	mu    sync.Mutex
	sizes []int
	waits []time.Duration
}

func (f *fakeRound) send(queued map[*batchRead]time.Time, qmu *sync.Mutex) func([]*batchRead) {
	return func(reads []*batchRead) {
		now := time.Now()
		oldest := time.Duration(0)
		qmu.Lock()
		for _, r := range reads {
			oldest = max(oldest, now.Sub(queued[r]))
		}
		qmu.Unlock()
		f.mu.Lock()
		f.sizes = append(f.sizes, len(reads))
		f.waits = append(f.waits, oldest)
		f.mu.Unlock()
		time.Sleep(f.rtt)
		for _, r := range reads {
			r.done <- batchAnswer{user: &User{ID: r.id}}
		}
	}
}

// snapshot is the batch sizes sent so far.
func (f *fakeRound) snapshot() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.sizes...)
}

// refresh runs Terraform's refresh pattern against b: workers that each
// read, then spend up to spread on other work (planning the resource), then
// read again, until reads have been made. It returns what the fake sent.
func refresh(t *testing.T, b *userBatcher, f *fakeRound, workers, reads int, spread time.Duration) {
	t.Helper()
	var qmu sync.Mutex
	queued := map[*batchRead]time.Time{}
	b.send = f.send(queued, &qmu)
	var left atomic.Int64
	left.Store(int64(reads))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for left.Add(-1) >= 0 {
				if spread > 0 {
					time.Sleep(time.Duration(rng.Int64N(int64(spread))))
				}
				u, err := getStamped(b, queued, &qmu, "user")
				if err != nil || u.ID != "user" {
					t.Errorf("read: %+v, %v", u, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// getStamped is b.get with the read's queueing time recorded for the fake.
func getStamped(b *userBatcher, queued map[*batchRead]time.Time, qmu *sync.Mutex, id string) (*User, error) {
	ctx := context.Background()
	r := &batchRead{ctx: ctx, id: id, done: make(chan batchAnswer, 1)}
	qmu.Lock()
	queued[r] = time.Now()
	qmu.Unlock()
	return b.getRead(r)
}

func meanSize(sizes []int) float64 {
	n := 0
	for _, s := range sizes {
		n += s
	}
	return float64(n) / float64(len(sizes))
}

// Ten workers whose next reads arrive up to 25 ms apart (a busy machine):
// a fixed idle gap of 10 ms split such rounds into batches of 2-3
// (BENCHMARKS.md); the learnt concurrency keeps them whole.
func TestBatcherWaitsForTheWholeRound(t *testing.T) {
	b := newUserBatcher(nil, 80*time.Millisecond, wallClock{})
	f := &fakeRound{rtt: 5 * time.Millisecond}
	refresh(t, b, f, 10, 300, 25*time.Millisecond)
	steady := f.sizes[min(len(f.sizes), 5):]
	if m := meanSize(steady); m < 8 {
		t.Errorf("300 reads by 10 workers went in %d batches, %.1f reads each after warm-up (%v); want at least 8", len(f.sizes), m, f.sizes)
	}
}

// One caller reading alone (a create waiting for its user) must not wait
// for company that never comes.
func TestBatcherDoesNotHoldALoneReader(t *testing.T) {
	b := newUserBatcher(nil, 200*time.Millisecond, wallClock{})
	f := &fakeRound{rtt: time.Millisecond}
	refresh(t, b, f, 1, 20, 0)
	var total time.Duration
	for i, w := range f.waits {
		if f.sizes[i] != 1 {
			t.Fatalf("a lone reader's read went in a batch of %d", f.sizes[i])
		}
		total += w
	}
	if avg := total / time.Duration(len(f.waits)); avg > 20*time.Millisecond {
		t.Errorf("a lone reader's reads waited %s on average before going (max wait 200 ms)", avg)
	}
}

// When callers drop from ten to three, the batcher waits maxWait for the
// missing ones only for a few batches, then sends threes at once.
func TestBatcherForgetsLostConcurrency(t *testing.T) {
	b := newUserBatcher(nil, 100*time.Millisecond, wallClock{})
	f := &fakeRound{rtt: 2 * time.Millisecond}
	refresh(t, b, f, 10, 100, 5*time.Millisecond)
	learnt := len(f.sizes)
	refresh(t, b, f, 3, 60, 0)
	after := f.waits[learnt:]
	if len(after) < concurrencyMemory+3 {
		t.Fatalf("only %d batches after the drop: %v", len(after), f.sizes[learnt:])
	}
	slow := 0
	for _, w := range after[concurrencyMemory+1:] {
		if w >= 50*time.Millisecond {
			slow++
		}
	}
	if slow > 1 {
		t.Errorf("%d batches still waited for the lost callers after %d batches: waits %v", slow, concurrencyMemory+1, after)
	}
	// And the first batches after the drop did go, after at most maxWait.
	if after[0] > 400*time.Millisecond {
		t.Errorf("the first batch after the drop waited %s (max wait 100 ms)", after[0])
	}
}

// BenchmarkBatcherRound measures the coalescer's own cost per read: ten
// workers reading back to back, answered at once.
func BenchmarkBatcherRound(b *testing.B) {
	ub := newUserBatcher(nil, 50*time.Millisecond, wallClock{})
	var batches atomic.Int64
	ub.send = func(reads []*batchRead) {
		batches.Add(1)
		for _, r := range reads {
			r.done <- batchAnswer{user: &User{ID: r.id}}
		}
	}
	b.ReportAllocs()
	b.SetParallelism(10)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ub.get(context.Background(), "u"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(batches.Load())/float64(b.N), "batches/read")
}

// Two or three callers reading now and then (creates waiting for their new
// users) gain too little from a batch to hold a read for maxWait. On a fake
// clock that never moves, a read held for company would never be answered:
// every read must go at once and no flush timer may ever be set.
func TestBatcherDoesNotHoldFewReaders(t *testing.T) {
	clk := newFakeClock()
	b := newUserBatcher(nil, 200*time.Millisecond, clk)
	// The round trip keeps the three callers inside together, so a
	// batcher that held groups of three would hold here.
	f := &fakeRound{rtt: 5 * time.Millisecond}
	done := make(chan struct{})
	go func() {
		defer close(done)
		refresh(t, b, f, 3, 30, 0)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("with 3 callers a read was held for company: %d flush timers set, sizes so far %v", clk.registered(), f.snapshot())
	}
	if n := clk.registered(); n != 0 {
		t.Errorf("with 3 callers the batcher set %d flush timers (batch sizes %v); want none", n, f.sizes)
	}
	if len(f.sizes) == 0 {
		t.Fatal("no read was sent")
	}
}
