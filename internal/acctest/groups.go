package acctest

import (
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Groups and sponsors for tests of group_ids and sponsor_ids.
//
// In emulator mode every helper acts on the test's emulator directly. In
// tenant mode the harness cannot create groups or sponsor users (the
// provider's app registration need not be allowed to), so they are
// pre-created by whoever runs the tests and named in two variables:
//
//	B2B_ACC_GROUP_IDS    comma-separated object IDs of security groups the
//	                     app may change the membership of
//	B2B_ACC_SPONSOR_IDS  comma-separated object IDs of member users that may
//	                     sponsor guests
//
// Each Group or SponsorUser call takes the next unused ID of the process;
// a test that needs more than are left is skipped. Tenant groups live
// across runs, so a test must not assume a group starts empty.

// Environment variables naming the pre-created tenant objects.
const (
	EnvGroupIDs   = "B2B_ACC_GROUP_IDS"
	EnvSponsorIDs = "B2B_ACC_SPONSOR_IDS"
)

// idPool hands out the IDs of a comma-separated environment variable, each
// at most once per process, so parallel tests never share a group.
type idPool struct {
	env  string
	once sync.Once
	ids  []string
	next atomic.Int64
}

var (
	groupPool   = &idPool{env: EnvGroupIDs}
	sponsorPool = &idPool{env: EnvSponsorIDs}
)

// take returns the next ID, or "" when the pool is exhausted.
func (p *idPool) take(getenv func(string) string) string {
	p.once.Do(func() { p.ids = splitIDs(getenv(p.env)) })
	i := p.next.Add(1) - 1
	if i >= int64(len(p.ids)) {
		return ""
	}
	return p.ids[i]
}

func splitIDs(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// Group returns the object ID of a group the test may add guests to and
// remove them from: a new security group named after the test in emulator
// mode, the next unused ID of B2B_ACC_GROUP_IDS in tenant mode (the test
// is skipped when none is left; a listed group that does not exist fails it).
func (e *Env) Group(t *testing.T, name string) string {
	t.Helper()
	if e.srv != nil {
		id, err := e.srv.SeedGroup("b2b-acc-" + name)
		if err != nil {
			t.Fatalf("acctest: creating group %s in the emulator: %v", name, err)
		}
		return id
	}
	id := groupPool.take(os.Getenv)
	if id == "" {
		t.Skipf("needs another pre-created group: list more object IDs in %s", EnvGroupIDs)
	}
	if _, err := e.graph.GetGroup(t.Context(), id); err != nil {
		t.Fatalf("acctest: group %s from %s: %v", id, EnvGroupIDs, err)
	}
	return id
}

// SponsorUser returns the object ID of a member user that can sponsor
// guests: a new one in emulator mode, the next unused ID of
// B2B_ACC_SPONSOR_IDS in tenant mode (skipped when none is left).
func (e *Env) SponsorUser(t *testing.T, name string) string {
	t.Helper()
	if e.srv != nil {
		id, err := e.srv.SeedUser(emulator.SeedUser{Email: e.Email(t, name), DisplayName: name, UserType: "Member"})
		if err != nil {
			t.Fatalf("acctest: creating sponsor %s in the emulator: %v", name, err)
		}
		return id
	}
	id := sponsorPool.take(os.Getenv)
	if id == "" {
		t.Skipf("needs another pre-created sponsor user: list more object IDs in %s", EnvSponsorIDs)
	}
	return id
}

// GroupMembers returns the object IDs of the group's user members, lower
// case and sorted, in both modes.
func (e *Env) GroupMembers(t *testing.T, groupID string) []string {
	t.Helper()
	var ids []string
	if e.srv != nil {
		var err error
		if ids, err = e.srv.GroupMemberIDs(groupID); err != nil {
			t.Fatalf("acctest: members of group %s in the emulator: %v", groupID, err)
		}
	} else {
		users, err := e.graph.ListGroupMemberUsers(t.Context(), groupID, graph.GuestFilter{})
		if err != nil {
			t.Fatalf("acctest: members of group %s: %v", groupID, err)
		}
		for _, u := range users {
			ids = append(ids, u.ID)
		}
	}
	return normalizeIDs(ids)
}

// AddToGroup adds a user to a group out of band (drift), in both modes;
// adding a member again is not an error.
func (e *Env) AddToGroup(t *testing.T, groupID, userID string) {
	t.Helper()
	var err error
	if e.srv != nil {
		err = e.srv.AddGroupMember(groupID, userID)
	} else {
		err = e.graph.AddGroupMember(t.Context(), groupID, userID)
	}
	if err != nil {
		t.Fatalf("acctest: adding %s to group %s: %v", userID, groupID, err)
	}
}

// RemoveFromGroup removes a user from a group out of band (drift), in both
// modes; removing a non-member is not an error, an unknown group is.
func (e *Env) RemoveFromGroup(t *testing.T, groupID, userID string) {
	t.Helper()
	var err error
	if e.srv != nil {
		if slices.Contains(e.GroupMembers(t, groupID), strings.ToLower(userID)) {
			err = e.srv.RemoveGroupMember(groupID, userID)
		}
	} else {
		err = e.graph.RemoveGroupMember(t.Context(), groupID, userID)
	}
	if err != nil {
		t.Fatalf("acctest: removing %s from group %s: %v", userID, groupID, err)
	}
}

// Sponsors returns the object IDs of the user's sponsors, lower case and
// sorted, in both modes.
func (e *Env) Sponsors(t *testing.T, userID string) []string {
	t.Helper()
	var ids []string
	var err error
	if e.srv != nil {
		ids, err = e.srv.SponsorIDs(userID)
	} else {
		ids, err = e.graph.ListSponsorIDs(t.Context(), userID)
	}
	if err != nil {
		t.Fatalf("acctest: sponsors of %s: %v", userID, err)
	}
	return normalizeIDs(ids)
}

// AddSponsorOOB makes sponsorID a sponsor of userID out of band (drift),
// in both modes; adding an existing sponsor again is not an error.
func (e *Env) AddSponsorOOB(t *testing.T, userID, sponsorID string) {
	t.Helper()
	var err error
	if e.srv != nil {
		err = e.srv.AddSponsor(userID, sponsorID)
	} else {
		err = e.graph.AddSponsor(t.Context(), userID, sponsorID)
	}
	if err != nil {
		t.Fatalf("acctest: adding sponsor %s to %s: %v", sponsorID, userID, err)
	}
}

// RemoveSponsorOOB removes a sponsor out of band (drift), in both modes;
// removing one that is not a sponsor is not an error.
func (e *Env) RemoveSponsorOOB(t *testing.T, userID, sponsorID string) {
	t.Helper()
	var err error
	if e.srv != nil {
		if slices.Contains(e.Sponsors(t, userID), strings.ToLower(sponsorID)) {
			err = e.srv.RemoveSponsor(userID, sponsorID)
		}
	} else {
		err = e.graph.RemoveSponsor(t.Context(), userID, sponsorID)
	}
	if err != nil {
		t.Fatalf("acctest: removing sponsor %s from %s: %v", sponsorID, userID, err)
	}
}

// normalizeIDs lower-cases and sorts, so tests compare sets with slices.Equal.
func normalizeIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, strings.ToLower(id))
	}
	slices.Sort(out)
	return out
}
