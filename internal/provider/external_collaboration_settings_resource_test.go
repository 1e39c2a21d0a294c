package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Each guest_user_access name maps to its documented role and back.
func TestGuestAccessLevelsRoundTrip(t *testing.T) {
	want := map[string]string{
		"same_as_member": graph.GuestRoleSameAsMember,
		"limited":        graph.GuestRoleLimited,
		"restricted":     graph.GuestRoleRestricted,
	}
	if len(guestAccessLevels) != len(want) {
		t.Fatalf("%d levels, want %d", len(guestAccessLevels), len(want))
	}
	for name, id := range want {
		if got := guestRoleID(name); got != id {
			t.Errorf("guestRoleID(%q) = %q, want %q", name, got, id)
		}
		if got, ok := guestRoleName(id); !ok || got != name {
			t.Errorf("guestRoleName(%q) = %q, %v", id, got, ok)
		}
	}
	if _, ok := guestRoleName("62e90394-69f5-4237-9190-012177145e10"); ok {
		t.Error("an unknown role has a name")
	}
}

// A create sends every attribute set; an update only the changed ones;
// unset (null) and unknown attributes are never sent.
func TestPolicyUpdate(t *testing.T) {
	plan := externalCollaborationSettingsModelV0{
		AllowInvitesFrom:              types.StringValue("none"),
		GuestUserAccess:               types.StringValue("restricted"),
		AllowEmailVerifiedUsersToJoin: types.BoolUnknown(),
	}
	upd := policyUpdate(plan, nil)
	if upd.AllowInvitesFrom == nil || *upd.AllowInvitesFrom != "none" || upd.GuestUserRoleID == nil ||
		*upd.GuestUserRoleID != graph.GuestRoleRestricted || upd.AllowEmailVerifiedUsersToJoinOrganization != nil ||
		upd.AllowedToSignUpEmailBasedSubscriptions != nil {
		t.Fatalf("create: %+v", upd)
	}
	state := plan
	state.AllowInvitesFrom = types.StringValue("everyone")
	upd = policyUpdate(plan, &state)
	if upd.AllowInvitesFrom == nil || upd.GuestUserRoleID != nil || updatedFields(upd) != "allowInvitesFrom" {
		t.Fatalf("update: %+v", upd)
	}
	if upd := policyUpdate(plan, &plan); !upd.IsEmpty() {
		t.Fatalf("no change: %+v", upd)
	}
}
