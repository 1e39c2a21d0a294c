package graph

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Graph's invitation manager allows 150 POST /invitations per 5 seconds per
// tenant, for all apps together ("Identity and access service limits",
// https://learn.microsoft.com/graph/throttling-limits). Past it Graph answers
// 429 with Retry-After, and a plan that hammers it spends most of its time
// backing off; pacing on the client keeps the sender just under the limit.
const (
	invitationLimit  = 150
	invitationWindow = 5 * time.Second
	// invitationBurst lets a handful of invitations leave at once, so that a
	// small apply does not wait at all.
	invitationBurst = 5
	// invitationHeadroom keeps a few slots of every window free for request
	// arrival jitter and for other apps inviting into the same tenant.
	invitationHeadroom = 5
)

// Other apps share the tenant's budget, so Graph may refuse invitations well
// below the documented rate. The pacer then learns the budget it is left
// from the 429s themselves (see invitationPacer.throttled).
const (
	// budgetMargin stretches a learnt window a little, so that a send does
	// not race the expiry of the one it replaces in Graph's window.
	budgetMargin = 1.02
	// minLearntSpan and maxLearntSpan bound the window a 429 is read over.
	minLearntSpan = time.Second
	maxLearntSpan = time.Minute
	// defaultThrottleWait is the wait after a 429 without Retry-After.
	defaultThrottleWait = time.Second
	// sendMemory is how far back sends are kept for counting.
	sendMemory = 2 * maxLearntSpan
)

// invitationPacer spaces a tenant's invitations. It never sends faster than
// the documented limit (a token bucket in GCRA form: interval and burst), and
// when Graph answers 429 anyway, the budget is shared with other apps:
//
//   - it honours Retry-After for every sender (nothing leaves before it
//     ends);
//   - it takes what Graph accepted as the budget: as many invitations per
//     window as succeeded in the window before the refusal, the first
//     window being from the first send to the end of the Retry-After (a
//     multiplicative decrease, to what was observed rather than a fixed
//     half);
//   - after each window's worth of invitations accepted without a 429 it
//     allows half as many again per window (at least one more): a probe
//     of one or two refusals at a small budget, a climb from 5 per 10 s
//     back to the documented limit in about 11 windows when the budget
//     returns.
//
// Only a 429 to an invitation sent after the last one was learnt from
// teaches anything: invitations already in flight at a refusal are refused
// for the same reason.
type invitationPacer struct {
	clock    Clock
	interval time.Duration // at the documented limit, less headroom
	burst    int

	mu           sync.Mutex
	tat          time.Time // GCRA's theoretical arrival time
	blockedUntil time.Time // Retry-After's end
	gen          int       // bumped at every lesson; older tickets are stale
	// learnt is the budget taught by 429s: n invitations per span. Zero n:
	// the documented limit applies alone.
	learnt struct {
		n    int
		span time.Duration
	}
	slots    []time.Time // reserved send times, for the learnt budget
	sends    []time.Time // invitations sent and not refused, for counting
	obsStart time.Time   // the first send since the documented limit applied
	clean    int         // accepted since the last change of budget
	// lesson is the last one learnt: the window counted, and whether it
	// cut the budget (then a refusal still in flight cuts it by one more).
	lesson struct {
		from, at time.Time
		cut      bool
	}
}

// paceTicket is one sender's slot: the caller reports how Graph answered.
type paceTicket struct {
	at  time.Time
	gen int
}

// newInvitationPacer paces at most limit-headroom sends in any window,
// burst of them at once: a bucket of burst b refilled at r lets at most
// b + r*window through in any window.
func newInvitationPacer(clk Clock, limit int, window time.Duration, burst, headroom int) *invitationPacer {
	perWindow := max(limit-burst-headroom, 1)
	return &invitationPacer{clock: clk, interval: window / time.Duration(perWindow), burst: burst}
}

// invitationPacers holds one pacer per tenant and Graph endpoint, shared by
// every client in the process: Graph counts invitations per tenant, so two
// provider aliases (or configurations) for one tenant share one budget.
var invitationPacers sync.Map // key string -> *invitationPacer

func invitationPacerFor(graphHost, tenantID string, clk Clock) *invitationPacer {
	key := strings.ToLower(graphHost) + "|" + strings.ToLower(tenantID)
	if p, ok := invitationPacers.Load(key); ok {
		return p.(*invitationPacer) //nolint:forcetypeassert // only *invitationPacer is stored
	}
	p, _ := invitationPacers.LoadOrStore(key, newInvitationPacer(clk, invitationLimit, invitationWindow, invitationBurst, invitationHeadroom))
	return p.(*invitationPacer) //nolint:forcetypeassert // only *invitationPacer is stored
}

// wait returns when the caller may send. It fails at once, without
// waiting, when the slot would come after ctx's deadline. A lesson learnt
// while the caller waited sends it back for a new slot.
func (p *invitationPacer) wait(ctx context.Context) (paceTicket, error) {
	for {
		p.mu.Lock()
		now := p.clock.Now()
		at := p.reserveLocked(now)
		gen := p.gen
		p.mu.Unlock()
		if d, ok := ctx.Deadline(); ok && at.After(d) {
			return paceTicket{}, fmt.Errorf("the next free slot is %s away", at.Sub(now).Round(time.Millisecond))
		}
		if at.After(now) && !sleep(ctx, p.clock, at.Sub(now)) {
			return paceTicket{}, ctx.Err()
		}
		p.mu.Lock()
		current := gen == p.gen
		if current {
			p.sentLocked(at)
		}
		p.mu.Unlock()
		if current {
			return paceTicket{at: at, gen: gen}, nil
		}
	}
}

// reserveLocked books the earliest slot from now that the documented
// limit, the learnt budget and Retry-After all allow.
func (p *invitationPacer) reserveLocked(now time.Time) time.Time {
	at := now
	if p.blockedUntil.After(at) {
		at = p.blockedUntil
	}
	if tolerance := time.Duration(p.burst-1) * p.interval; p.tat.Add(-tolerance).After(at) {
		at = p.tat.Add(-tolerance)
	}
	if n := p.learnt.n; n > 0 {
		span := time.Duration(float64(p.learnt.span) * budgetMargin)
		if k := len(p.slots); k > 0 && p.slots[k-1].After(at) {
			at = p.slots[k-1]
		}
		if k := len(p.slots); k >= n {
			if free := p.slots[k-n].Add(span); free.After(at) {
				at = free
			}
		}
		p.slots = append(p.slots, at)
		if len(p.slots) > 4*n {
			p.slots = append(p.slots[:0], p.slots[len(p.slots)-n:]...)
		}
	}
	if p.tat.Before(at) {
		p.tat = at
	}
	p.tat = p.tat.Add(p.interval)
	return at
}

// sentLocked records an invitation leaving at at. Sends are counted when
// they leave rather than when Graph accepts them: the answer to a refusal
// can come back before those to the sends ahead of it.
func (p *invitationPacer) sentLocked(at time.Time) {
	if len(p.sends) == 0 && p.learnt.n == 0 {
		p.obsStart = at
	}
	p.sends = append(p.sends, at)
	if cut := p.clock.Now().Add(-sendMemory); p.sends[0].Before(cut) {
		i := 0
		for i < len(p.sends) && p.sends[i].Before(cut) {
			i++
		}
		p.sends = append(p.sends[:0], p.sends[i:]...)
	}
}

// accepted records an invitation Graph accepted, and widens a learnt
// budget after a window's worth of them.
func (p *invitationPacer) accepted(paceTicket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.learnt.n == 0 {
		return
	}
	p.clean++
	if p.clean < p.learnt.n {
		return
	}
	p.clean = 0
	p.learnt.n += max(1, p.learnt.n/2)
	// Back at the documented rate: the budget has returned.
	if float64(p.learnt.n)/p.learnt.span.Seconds() >= 1/p.interval.Seconds() {
		p.learnt.n = 0
		p.slots = nil
		p.obsStart = p.clock.Now()
	}
}

// throttled records a 429 to the invitation sent with t, which came with
// Retry-After ra (zero: none). It returns whether it taught a new budget.
func (p *invitationPacer) throttled(t paceTicket, ra time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	if ra <= 0 {
		ra = defaultThrottleWait
	}
	end := now.Add(ra)
	if end.After(p.blockedUntil) {
		p.blockedUntil = end
	}
	// A refused send does not count against the budget.
	for i := len(p.sends) - 1; i >= 0; i-- {
		if p.sends[i].Equal(t.at) {
			p.sends = append(p.sends[:i], p.sends[i+1:]...)
			break
		}
	}
	if t.gen != p.gen {
		// In flight at the last lesson and counted in it as accepted: the
		// budget was one smaller.
		if p.lesson.cut && t.gen == p.gen-1 && !t.at.Before(p.lesson.from) && !t.at.After(p.lesson.at) {
			p.learnt.n = max(1, p.learnt.n-1)
		}
		return false
	}
	// The first lesson reads from the first send to the end of the wait:
	// Graph's window then spans all the sends it accepted. Later ones count
	// the sends in the learnt window before the refusal.
	span, from := p.learnt.span, now.Add(-p.learnt.span)
	if p.learnt.n == 0 {
		span, from = end.Sub(p.obsStart), p.obsStart
	}
	span = min(max(span, minLearntSpan), maxLearntSpan)
	// Sends still in flight count as accepted (the answer to a refusal can
	// overtake theirs); those refused later are taken off then (above).
	n := 0
	for _, s := range p.sends {
		if !s.Before(from) && !s.After(now) {
			n++
		}
	}
	if p.learnt.n > 0 && n >= p.learnt.n {
		// As many of ours as the budget allows were in the window: the
		// sends reached Graph closer together than they left (a busy
		// machine, a slow network). The budget stands; Retry-After
		// re-spaces them.
		n = p.learnt.n
	}
	p.lesson.cut = p.learnt.n == 0 || n < p.learnt.n
	p.lesson.from, p.lesson.at = from, now
	p.learnt.n, p.learnt.span = max(n, 1), span
	p.gen++
	p.clean = 0
	// Slots booked for the future are void: their holders book again.
	for len(p.slots) > 0 && p.slots[len(p.slots)-1].After(now) {
		p.slots = p.slots[:len(p.slots)-1]
	}
	p.tat = end
	return true
}

// paceInvitation waits for the tenant's invitation budget. It fails at once,
// without waiting, when the wait would end after ctx's deadline, so a
// Terraform timeout reports the pacing rather than "context deadline exceeded".
func (c *client) paceInvitation(ctx context.Context) (paceTicket, error) {
	if c.invitePacer == nil {
		return paceTicket{}, nil
	}
	start := c.clock.Now()
	t, err := c.invitePacer.wait(ctx)
	if err != nil {
		return t, &Error{
			Operation: opInvite.name,
			Message: fmt.Sprintf("waiting for the tenant's invitation budget (Graph allows %d invitations per %s, less when other apps share it) would pass the operation's deadline: %v",
				invitationLimit, invitationWindow, err),
			cause: err,
		}
	}
	if waited := c.clock.Now().Sub(start); waited >= 50*time.Millisecond {
		c.log.Debug(ctx, "graph: paced the invitation to the tenant's invitation budget", map[string]any{"wait_ms": waited.Milliseconds()})
	}
	return t, nil
}

// invitationAnswered tells the pacer how Graph answered the invitation sent
// with t.
func (c *client) invitationAnswered(ctx context.Context, t paceTicket, err error) {
	if c.invitePacer == nil {
		return
	}
	if err == nil {
		c.invitePacer.accepted(t)
		return
	}
	e := c.toError(opInvite, err)
	if e.StatusCode != 429 {
		return
	}
	if c.invitePacer.throttled(t, e.retryAfter) {
		p := c.invitePacer
		p.mu.Lock()
		n, span := p.learnt.n, p.learnt.span
		p.mu.Unlock()
		c.log.Warn(ctx, "graph: Graph refused an invitation below its documented rate; pacing to the budget it left", map[string]any{
			"budget": n, "window_ms": span.Milliseconds(), "retry_after_ms": e.retryAfter.Milliseconds(),
		})
	}
}
