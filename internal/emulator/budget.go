package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseRateLimit reads an invitation budget written N/window (e.g. 150/5s,
// Graph's documented limit, or 5/10s for a tenant whose other apps take
// most of it), or "off". It is the form of the emulator's and the
// benchmark's -invitation-limit flags.
func ParseRateLimit(s string) (RateLimit, error) {
	if s == "off" || s == "0" {
		return RateLimit{Disabled: true}, nil
	}
	n, w, ok := strings.Cut(s, "/")
	if !ok {
		return RateLimit{}, fmt.Errorf("invitation limit %q: want N/window like 150/5s, or off", s)
	}
	count, err := strconv.Atoi(n)
	if err != nil || count < 1 {
		return RateLimit{}, fmt.Errorf("invitation limit %q: N must be a positive integer", s)
	}
	window, err := time.ParseDuration(w)
	if err != nil || window <= 0 {
		return RateLimit{}, fmt.Errorf("invitation limit %q: bad window", s)
	}
	return RateLimit{N: count, Window: window}, nil
}

// DuplicateInvitations counts, per email address (case-insensitive), the
// invitations beyond the first that created or re-sent a guest, leaving
// out resetRedemption ones, which re-invite on purpose. A provider that
// invites an address twice (a retry after a lost answer, a create that
// did not look first) shows here.
func (s *Server) DuplicateInvitations() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]int{}
	for _, r := range s.st.Invitations {
		if !r.ResetRedemption {
			seen[strings.ToLower(r.Email)]++
		}
	}
	dups := map[string]int{}
	for email, n := range seen {
		if n > 1 {
			dups[email] = n - 1
		}
	}
	return dups
}
