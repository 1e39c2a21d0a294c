package graph

// Test hooks for the external test package (package graph_test).

// FakeClock is a Clock that moves only when AdvanceToNext is called.
type FakeClock = fakeClock

// NewFakeClock returns a fake clock with no timers.
func NewFakeClock() *FakeClock { return newFakeClock() }

// Timers is how many timers wait on the fake clock.
func (c *fakeClock) Timers() int { return c.pending() }

// AdvanceToNext fires the earliest timers; false when none waits.
func (c *fakeClock) AdvanceToNext() bool { return c.advanceToNext() }

// BatcherState reports how many callers are reading through c's batcher
// and how many of them are queued for the next batch.
func BatcherState(c *Client) (inside, queued int) {
	b := c.impl.batcher
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inside, len(b.pending)
}

// PrimeBatcher makes c's batcher behave as if n callers had recently been
// reading at once, so reads wait for company from the first one.
func PrimeBatcher(c *Client, n int) {
	b := c.impl.batcher
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.peaks {
		b.peaks[i] = n
	}
}

// DisableGuestSnapshot makes c batch every read, as before the guest
// snapshot, for tests of the batcher itself.
func DisableGuestSnapshot(c *Client) { c.impl.snapshot = nil }
