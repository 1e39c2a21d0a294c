package provider

import (
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// A user this process deleted no longer counts as holding its address,
// whatever a look-up that lags behind the DELETE still lists, so a
// re-create of the address in the same run invites again instead of
// failing "already exists"; users it did not delete still count.
func TestAddressGuardIgnoresUsersThisProcessDeleted(t *testing.T) {
	var g addressGuard
	listed := []graph.User{{ID: "AAAA-1"}, {ID: "bbbb-2"}}
	if got := g.live(listed); len(got) != 2 {
		t.Fatalf("before any delete live = %v; want both users", got)
	}
	g.forgetDeleted("aaaa-1") // Graph IDs compare case-insensitively
	got := g.live(listed)
	if len(got) != 1 || got[0].ID != "bbbb-2" {
		t.Errorf("after deleting aaaa-1 live = %v; want only bbbb-2", got)
	}
	if listed[0].ID != "AAAA-1" || listed[1].ID != "bbbb-2" {
		t.Errorf("live changed its argument: %v", listed)
	}
}
