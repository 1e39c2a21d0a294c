package provider_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// A create that fails after the invitation must not taint the guest:
// Terraform would replace it (delete it, invite the person again). These
// tests make one step after the invitation fail, then check that the apply
// succeeds (with a warning), the guest is in the state untainted, the next
// plan is an in-place update, the apply after it converges, and the person
// got exactly one invitation and was never deleted.

// notTainted checks that the guest is in the state, untainted, and records its ID.
func notTainted(id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[guestAddr]
		if !ok {
			return fmt.Errorf("the invited guest was not saved to the state")
		}
		if rs.Primary.Tainted {
			return fmt.Errorf("the guest %s is tainted: the next apply would delete it and invite again", rs.Primary.ID)
		}
		*id = rs.Primary.ID
		return nil
	}
}

// invitedOnceNeverDeleted checks the emulator's records: one invitation in
// total, for the guest in the state, and nothing in deleted items.
func invitedOnceNeverDeleted(srv *emulator.Server, id *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		invs := srv.Invitations()
		if len(invs) != 1 {
			return fmt.Errorf("%d invitations were sent, want exactly 1", len(invs))
		}
		if invs[0].UserID != *id {
			return fmt.Errorf("the state holds %s but the invitation created %s", *id, invs[0].UserID)
		}
		if d := srv.DeletedUsers(); len(d) != 0 {
			return fmt.Errorf("%d users in deleted items, want none (the guest was replaced)", len(d))
		}
		return nil
	}
}

// sameID checks that the guest in the state is still the one first saved.
func sameID(first *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if got := s.RootModule().Resources[guestAddr].Primary.ID; got != *first {
			return fmt.Errorf("the guest in the state is %s, was %s: it was replaced", got, *first)
		}
		return nil
	}
}

var expectUpdateInPlace = []plancheck.PlanCheck{plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate)}

// Without User.ReadWrite.All the profile PATCH after the invitation fails
// (403). The guest is kept untainted with the planned job_title; the
// refresh finds none in Entra and plans it as an update, which applies once
// the permission is granted.
func TestAccGuestUser_missingWritePermissionKeepsGuestInState(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadAll))
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	cfg := guestConfig(env, email, `job_title = "Needs PATCH"`)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: expectUpdateInPlace},
				Check: resource.ComposeAggregateTestCheckFunc(notTainted(&id),
					expectUserProps(srv, &id, map[string]any{"jobTitle": nil}),
					invitedOnceNeverDeleted(srv, &id)),
			},
			{
				PreConfig: func() {
					srv.SetPermissions(env.App().ClientID, []string{emulator.PermUserInviteAll, emulator.PermUserReadWriteAll})
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: expectUpdateInPlace},
				Check: resource.ComposeAggregateTestCheckFunc(sameID(&id),
					expectUserProps(srv, &id, map[string]any{"jobTitle": "Needs PATCH"}),
					invitedOnceNeverDeleted(srv, &id)),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// Without GroupMember.ReadWrite.All adding the new guest to its group fails
// (403) after the profile was set. The state keeps the planned group_ids;
// the refresh reads memberOf, finds the guest outside the group and plans
// an update that adds it.
func TestAccGuestUser_incompleteCreateGroupAddFails(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadWriteAll, emulator.PermDirectoryReadAll))
	srv := env.RequireEmulator(t)
	g := env.Group(t, "b2b-acc-incomplete")
	email := env.Email(t, t.Name())
	cfg := guestConfig(env, email, "job_title = \"Member soon\"\n  group_ids = "+hclSet(g))
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: append(expectUpdateInPlace,
					plancheck.ExpectKnownValue(guestAddr, tfjsonpath.New("group_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(g)})))},
				Check: resource.ComposeAggregateTestCheckFunc(notTainted(&id),
					expectUserProps(srv, &id, map[string]any{"jobTitle": "Member soon"}),
					expectMembership(t, env, &id, []string{g}),
					invitedOnceNeverDeleted(srv, &id)),
			},
			{
				PreConfig: func() {
					srv.SetPermissions(env.App().ClientID, []string{emulator.PermUserInviteAll, emulator.PermUserReadWriteAll,
						emulator.PermDirectoryReadAll, emulator.PermGroupMemberReadWriteAll})
				},
				Config:            cfg,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: expectUpdateInPlace},
				ConfigStateChecks: []statecheck.StateCheck{groupIDsAre(g)},
				Check: resource.ComposeAggregateTestCheckFunc(sameID(&id),
					expectMembership(t, env, &id, []string{g}, g),
					invitedOnceNeverDeleted(srv, &id)),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// Graph hides the new guest for longer than timeouts.create. The create
// saves it anyway; the refresh right after the apply meets replication's
// 404 and, because the create marked the guest as not yet seen, waits for
// it instead of dropping it from the state (which would invite again).
func TestAccGuestUser_incompleteCreateReplicationOutlastsTimeout(t *testing.T) {
	t.Parallel()
	const lag = 15 * time.Second
	env := acctest.New(t, acctest.WithReplicationLag(lag))
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	cfg := guestConfig(env, email, "job_title = \"Slow to replicate\"\n  timeouts {\n    create = \"5s\"\n  }")
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: expectUpdateInPlace},
				Check: resource.ComposeAggregateTestCheckFunc(notTainted(&id),
					// Saved from the plan: the job title is not in Entra yet.
					expectUserProps(srv, &id, map[string]any{"jobTitle": nil}),
					invitedOnceNeverDeleted(srv, &id),
					func(*terraform.State) error {
						if srv.Counters()["status:404"] == 0 {
							return fmt.Errorf("no 404 was observed: the replication lag was not exercised")
						}
						return nil
					}),
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: expectUpdateInPlace},
				Check: resource.ComposeAggregateTestCheckFunc(sameID(&id),
					expectUserProps(srv, &id, map[string]any{"jobTitle": "Slow to replicate"}),
					invitedOnceNeverDeleted(srv, &id)),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}
