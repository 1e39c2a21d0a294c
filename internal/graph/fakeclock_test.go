package graph

import (
	"sort"
	"sync"
	"time"
)

// fakeClock is a Clock that moves only when told to. Its timers run their
// function in a goroutine of their own, as time.AfterFunc does.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers map[int]fakeTimer
	// started counts every AfterFunc ever registered.
	started int
}

type fakeTimer struct {
	at time.Time
	f  func()
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), timers: map[int]fakeTimer{}}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.started++
	id := c.seq
	c.timers[id] = fakeTimer{at: c.now.Add(d), f: f}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, ok := c.timers[id]
		delete(c.timers, id)
		return ok
	}
}

// pending is how many timers wait to fire.
func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// registered is how many timers were ever set.
func (c *fakeClock) registered() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.started
}

// advanceToNext moves the clock to the earliest timer and fires every
// timer due by then. It reports false when no timer waits.
func (c *fakeClock) advanceToNext() bool {
	c.mu.Lock()
	if len(c.timers) == 0 {
		c.mu.Unlock()
		return false
	}
	ids := make([]int, 0, len(c.timers))
	for id := range c.timers {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return c.timers[ids[i]].at.Before(c.timers[ids[j]].at) })
	c.now = c.timers[ids[0]].at
	var due []func()
	for _, id := range ids {
		if t := c.timers[id]; !t.at.After(c.now) {
			due = append(due, t.f)
			delete(c.timers, id)
		}
	}
	c.mu.Unlock()
	for _, f := range due {
		go f()
	}
	return true
}

// nextTimer is when the earliest timer fires (zero: none).
func (c *fakeClock) nextTimer() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var at time.Time
	for _, t := range c.timers {
		if at.IsZero() || t.at.Before(at) {
			at = t.at
		}
	}
	return at
}
