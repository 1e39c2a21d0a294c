package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// One test per row of the permissions table (templates/guides/
// permissions.md.tmpl): with every permission the row needs but one, the
// emulator refuses the call as Graph does (403) and the diagnostic names
// the missing permission. Rows already covered elsewhere: profile
// (TestAccGuestUser_missingWritePermissionKeepsGuestInState), list
// (TestAccGuestUsersDataSource_ForbiddenNamesPermission) and group filter
// (TestAccGuestUsersDataSource_MemberOfGroupForbidden).

// missingPermission matches the diagnostic's summary (when given) and the
// sentence every such diagnostic carries.
func missingPermission(summary, perm string) *regexp.Regexp {
	parts := []string{"is missing the Microsoft Graph application permission " + perm + "."}
	if summary != "" {
		parts = append([]string{summary}, parts...)
	}
	return errorRE(parts...)
}

// guestWith is guestConfig; the permission tests were written with it.
func guestWith(env *acctest.Env, email, body string) string { return guestConfig(env, email, body) }

// Invite only: creating a guest without profile values needs
// User.Invite.All to invite (and User.Read.All to look up and read back).
func TestAccPermissions_InviteNeedsUserInviteAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserReadAll))
	srv := env.RequireEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      guestWith(env, env.Email(t, t.Name()), ""),
			ExpectError: missingPermission("Error Inviting Guest User", "User.Invite.All"),
		}},
	})
	if n := len(srv.Invitations()); n != 0 {
		t.Fatalf("%d invitations recorded although the app may not invite", n)
	}
}

// The look-up before an invitation (so nobody is invited twice) needs a
// read permission: User.Invite.All alone is not enough.
func TestAccPermissions_LookupNeedsUserReadAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll))
	srv := env.RequireEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      guestWith(env, env.Email(t, t.Name()), ""),
			ExpectError: missingPermission("Error Looking Up Guest User", "User.Read.All"),
		}},
	})
	if n := len(srv.Invitations()); n != 0 {
		t.Fatalf("%d invitations sent although the look-up before them failed", n)
	}
}

// Data source b2b_guest_user: reading needs User.Read.All.
func TestAccPermissions_DataSourceNeedsUserReadAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll))
	id := seedGuest(t, env)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      env.ProviderConfig() + dataSourceByID(id),
			ExpectError: missingPermission("Error Reading User", "User.Read.All"),
		}},
	})
}

// destroyRow applies a guest with full rights, narrows the app to perms,
// expects the destroy to fail naming want, then restores the rights so
// the test cleans up.
func destroyRow(t *testing.T, onDestroy string, perms []string, want string) {
	t.Helper()
	env := acctest.New(t, acctest.WithPermissions(
		emulator.PermUserInviteAll, emulator.PermUserReadWriteAll, emulator.PermUserDeleteRestoreAll))
	srv := env.RequireEmulator(t)
	full := env.App().Permissions
	cfg := guestWith(env, env.Email(t, t.Name()), fmt.Sprintf("  on_destroy = %q", onDestroy))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig:   func() { srv.SetPermissions(env.App().ClientID, perms) },
				Config:      cfg,
				Destroy:     true,
				ExpectError: missingPermission("", want),
			},
			{
				PreConfig: func() { srv.SetPermissions(env.App().ClientID, full) },
				Config:    cfg,
			},
		},
	})
}

// on_destroy = "delete" (the default) needs User.ReadWrite.All: Graph's
// v1.0 DELETE /users/{id} lists no smaller application permission.
func TestAccPermissions_DeleteNeedsUserReadWriteAll(t *testing.T) {
	t.Parallel()
	destroyRow(t, "delete", []string{emulator.PermUserInviteAll, emulator.PermUserReadAll}, "User.ReadWrite.All")
}

// on_destroy = "disable" patches accountEnabled: User.ReadWrite.All.
func TestAccPermissions_DisableNeedsUserReadWriteAll(t *testing.T) {
	t.Parallel()
	destroyRow(t, "disable", []string{emulator.PermUserInviteAll, emulator.PermUserReadAll}, "User.ReadWrite.All")
}

// on_destroy = "purge" deletes, then removes the user from deleted items.
// Both permissions that allow the purge (User.DeleteRestore.All,
// User.ReadWrite.All) also allow the delete before it, so an app without
// them is stopped at the delete, and the error names what to grant.
func TestAccPermissions_PurgeWithoutDeletePermission(t *testing.T) {
	t.Parallel()
	destroyRow(t, "purge", []string{emulator.PermUserInviteAll, emulator.PermUserReadAll}, "User.ReadWrite.All")
}

// reinvite_trigger re-sends the invitation: User.Invite.All again, even
// for an app that may otherwise edit users.
func TestAccPermissions_ReinviteNeedsUserInviteAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadAll, emulator.PermUserDeleteRestoreAll))
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	full := env.App().Permissions
	cfg := func(trigger string) string {
		return guestWith(env, email, fmt.Sprintf("  reinvite_trigger = %q\n  on_destroy = \"abandon\"", trigger))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg("v1")},
			{
				PreConfig:   func() { srv.SetPermissions(env.App().ClientID, []string{emulator.PermUserReadAll}) },
				Config:      cfg("v2"),
				ExpectError: missingPermission("", "User.Invite.All"),
			},
			{PreConfig: func() { srv.SetPermissions(env.App().ClientID, full) }, Config: cfg("v2")},
		},
	})
}

// group_ids: changing memberships needs GroupMember.ReadWrite.All. The
// plan-time look-up of the group passes (Directory.Read.All reads groups),
// the invitation goes out once, and the membership write is refused.
func TestAccPermissions_GroupIDsNeedGroupMemberReadWriteAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadWriteAll, emulator.PermDirectoryReadAll))
	srv := env.RequireEmulator(t)
	g := env.Group(t, "b2b-acc-perm-group")
	cfg := guestWith(env, env.Email(t, t.Name()), fmt.Sprintf("  group_ids = [%q]", g))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				// Create never fails once the invitation went out: the
				// guest is saved with a warning and the membership plans
				// as an update...
				Config:             cfg,
				ExpectNonEmptyPlan: true,
			},
			{
				// ...which names the missing permission when applied.
				Config:      cfg,
				ExpectError: missingPermission("Error Updating Guest User Group Memberships", "GroupMember.ReadWrite.All"),
			},
		},
	})
	if n := len(srv.Invitations()); n != 1 {
		t.Fatalf("%d invitations, want exactly 1", n)
	}
}

// group_ids: reading memberships back (memberOf of another user) needs
// Directory.Read.All, the only application permission Graph documents for
// it; the refresh after create says so.
func TestAccPermissions_GroupIDsReadNeedsDirectoryReadAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadWriteAll, emulator.PermGroupMemberReadWriteAll))
	g := env.Group(t, "b2b-acc-perm-read-group")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      guestWith(env, env.Email(t, t.Name()), fmt.Sprintf("  group_ids = [%q]", g)),
			ExpectError: missingPermission("Error Reading Guest User Access", "Directory.Read.All"),
		}},
	})
}

// sponsor_ids: a new guest's sponsors travel with its invitation
// (invitedUserSponsors, under User.Invite.All), so the create needs no
// more; changing them later needs User.ReadWrite.All (User.Read.All reads
// them).
func TestAccPermissions_SponsorIDsNeedUserReadWriteAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadAll))
	s1, s2 := env.SponsorUser(t, "b2b-acc-perm-sponsor"), env.SponsorUser(t, "b2b-acc-perm-sponsor-2")
	email := env.Email(t, t.Name())
	// abandon: deleting needs User.ReadWrite.All, which this app lacks on purpose.
	cfg := func(s string) string {
		return guestWith(env, email, fmt.Sprintf("  sponsor_ids = [%q]\n  on_destroy = \"abandon\"", s))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg(s1)},
			{Config: cfg(s2), ExpectError: missingPermission("Error Updating Guest User Sponsors", "User.ReadWrite.All")},
		},
	})
}
