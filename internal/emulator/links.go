package emulator

import (
	"fmt"
	"strings"
)

// Out-of-band links: the control API and Go tests add and remove a
// group's members and a user's sponsors directly in the store (no token,
// no replication lag). Both are ordered ID lists on an owner object, so
// one set of methods serves both; a link kind says only how its owner and
// its targets are found.

// linkKind is one relationship changed out of band.
type linkKind struct {
	owner string // the owner's kind in errors: "group", "user"
	role  string // the target's role in errors: "member", "sponsor"
	// list returns the owner's ID list, nil when the owner is unknown.
	list func(s *Server, ownerID string) *[]string
	// target resolves a target to its stored (lower-case) object ID, or
	// returns an ErrNotFound error naming it.
	target func(s *Server, id string) (string, error)
	// max is the most targets an owner can have (0: no limit).
	max int
}

// groupMembers are a group's user members (no nesting).
var groupMembers = linkKind{
	owner: "group", role: "member",
	list: func(s *Server, id string) *[]string {
		if g := s.st.Groups[strings.ToLower(id)]; g != nil {
			return &g.Members
		}
		return nil
	},
	target: func(s *Server, id string) (string, error) {
		if u := s.findUserLocked(id); u != nil {
			return u.id(), nil
		}
		return "", fmt.Errorf("%w: user %s", ErrNotFound, id)
	},
}

// userSponsors are a user's sponsors, users or groups, at most
// maxSponsors of them.
var userSponsors = linkKind{
	owner: "user", role: "sponsor",
	list: func(s *Server, id string) *[]string {
		if u := s.findUserLocked(id); u != nil {
			return &u.Sponsors
		}
		return nil
	},
	target: func(s *Server, id string) (string, error) {
		sid := strings.ToLower(id)
		if s.st.Users[sid] == nil && s.st.Groups[sid] == nil {
			return "", fmt.Errorf("%w: sponsor %s is neither a user nor a group", ErrNotFound, id)
		}
		return sid, nil
	},
	max: maxSponsors,
}

func (k linkKind) ownerLocked(s *Server, ownerID string) (*[]string, error) {
	if l := k.list(s, ownerID); l != nil {
		return l, nil
	}
	return nil, fmt.Errorf("%w: %s %s", ErrNotFound, k.owner, ownerID)
}

// linkedIDs returns the owner's targets in the order they were added.
func (s *Server) linkedIDs(k linkKind, ownerID string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := k.ownerLocked(s, ownerID)
	if err != nil {
		return nil, err
	}
	return append([]string{}, *l...), nil
}

// link adds a target to the owner's list; no-op if it is there already.
func (s *Server) link(k linkKind, ownerID, targetID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := k.ownerLocked(s, ownerID)
	if err != nil {
		return err
	}
	if err := s.linkLocked(k, l, ownerID, targetID); err != nil {
		return err
	}
	s.saveLocked()
	return nil
}

func (s *Server) linkLocked(k linkKind, l *[]string, ownerID, targetID string) error {
	id, err := k.target(s, targetID)
	if err != nil {
		return err
	}
	if containsID(*l, id) {
		return nil
	}
	if k.max > 0 && len(*l) >= k.max {
		return fmt.Errorf("emulator: %s %s already has %d %ss, the maximum", k.owner, ownerID, k.max, k.role)
	}
	*l = append(*l, id)
	return nil
}

// unlink removes a target; ErrNotFound when the owner is unknown or the
// target is not on its list.
func (s *Server) unlink(k linkKind, ownerID, targetID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := k.ownerLocked(s, ownerID)
	if err != nil {
		return err
	}
	if !removeID(l, strings.ToLower(targetID)) {
		return fmt.Errorf("%w: %s is not a %s of %s %s", ErrNotFound, targetID, k.role, k.owner, ownerID)
	}
	s.saveLocked()
	return nil
}
