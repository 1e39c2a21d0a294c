package graph

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
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

// newInvitationLimiter sizes a token bucket so that no window of length
// window ever holds more than limit-headroom sends: a bucket of burst b
// refilled at r lets at most b + r*window through in any such window.
func newInvitationLimiter(limit int, window time.Duration, burst, headroom int) *rate.Limiter {
	perWindow := limit - burst - headroom
	if perWindow < 1 {
		perWindow = 1
	}
	return rate.NewLimiter(rate.Limit(float64(perWindow)/window.Seconds()), burst)
}

// invitationPacers holds one limiter per tenant and Graph endpoint, shared by
// every client in the process: Graph counts invitations per tenant, so two
// provider aliases (or configurations) for one tenant share one budget.
var invitationPacers sync.Map // key string -> *rate.Limiter

func invitationPacerFor(graphHost, tenantID string) *rate.Limiter {
	key := strings.ToLower(graphHost) + "|" + strings.ToLower(tenantID)
	if l, ok := invitationPacers.Load(key); ok {
		return l.(*rate.Limiter) //nolint:forcetypeassert // only *rate.Limiter is stored
	}
	l, _ := invitationPacers.LoadOrStore(key, newInvitationLimiter(invitationLimit, invitationWindow, invitationBurst, invitationHeadroom))
	return l.(*rate.Limiter) //nolint:forcetypeassert // only *rate.Limiter is stored
}

// paceInvitation waits for the tenant's invitation budget. It fails at once,
// without waiting, when the wait would end after ctx's deadline, so a
// Terraform timeout reports the pacing rather than "context deadline exceeded".
func (c *client) paceInvitation(ctx context.Context) error {
	if c.invitePacer == nil {
		return nil
	}
	start := time.Now()
	if err := c.invitePacer.Wait(ctx); err != nil {
		return &Error{
			Operation: opInvite.name,
			Message: fmt.Sprintf("waiting for the tenant's invitation budget (Graph allows %d invitations per %s) would pass the operation's deadline: %v",
				invitationLimit, invitationWindow, err),
			cause: err,
		}
	}
	if waited := time.Since(start); waited >= 50*time.Millisecond {
		c.log.Debug(ctx, "graph: paced the invitation to Graph's per-tenant limit", map[string]any{"wait_ms": waited.Milliseconds()})
	}
	return nil
}
