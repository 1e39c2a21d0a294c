package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
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

// withAccessPermissions is the app registration group_ids and sponsor_ids
// need: inviting and writing users, writing memberships, and reading them
// back (memberOf of another user needs Directory.Read.All).
func withAccessPermissions() acctest.Option {
	return acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadWriteAll,
		emulator.PermGroupMemberReadWriteAll, emulator.PermDirectoryReadAll)
}

// hclSet renders IDs as an HCL list literal.
func hclSet(ids ...string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// sameIDs compares two ID lists as sets, ignoring case.
func sameIDs(got, want []string) bool {
	norm := func(ids []string) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = strings.ToLower(id)
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	return norm(got) == norm(want)
}

// expectMembership checks, in the directory, which of groups the guest is a
// member of: exactly those in want.
func expectMembership(t *testing.T, env *acctest.Env, id *string, groups []string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, g := range groups {
			member := false
			for _, m := range env.GroupMembers(t, g) {
				member = member || strings.EqualFold(m, *id)
			}
			wanted := false
			for _, w := range want {
				wanted = wanted || w == g
			}
			if member != wanted {
				return fmt.Errorf("user %s member of group %s = %t, want %t", *id, g, member, wanted)
			}
		}
		return nil
	}
}

// expectSponsors checks the guest's sponsors in the directory.
func expectSponsors(t *testing.T, env *acctest.Env, id *string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := env.Sponsors(t, *id); !sameIDs(got, want) {
			return fmt.Errorf("sponsors of %s = %v, want %v", *id, got, want)
		}
		return nil
	}
}

func groupIDsAre(ids ...string) statecheck.StateCheck {
	elems := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		elems[i] = knownvalue.StringExact(id)
	}
	return statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("group_ids"), knownvalue.SetExact(elems))
}

// Memberships: added on create, a membership removed out of band is drift
// that apply restores, a group dropped from the set is left, and a group
// that is not listed is never touched.
func TestAccGuestUser_groupMemberships(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withAccessPermissions())
	g1, g2, unlisted := env.Group(t, "b2b-acc-g1"), env.Group(t, "b2b-acc-g2"), env.Group(t, "b2b-acc-unlisted")
	all := []string{g1, g2, unlisted}
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            guestConfig(env, email, "group_ids = "+hclSet(g1, g2)),
				ConfigStateChecks: []statecheck.StateCheck{groupIDsAre(g1, g2)},
				Check:             resource.ComposeAggregateTestCheckFunc(stateID(&id), expectMembership(t, env, &id, all, g1, g2)),
			},
			{
				// Out of band: the guest leaves g1 and joins the unlisted group.
				PreConfig: func() {
					env.RemoveFromGroup(t, g1, id)
					env.AddToGroup(t, unlisted, id)
				},
				// The refresh sees g1 missing, so the plan updates; the
				// apply restores g1 and leaves the unlisted group alone.
				Config: guestConfig(env, email, "group_ids = "+hclSet(g1, g2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
					expectPriorGroupIDs{want: []string{g2}},
				}},
				ConfigStateChecks: []statecheck.StateCheck{groupIDsAre(g1, g2)},
				Check:             expectMembership(t, env, &id, all, g1, g2, unlisted),
			},
			{
				Config:            guestConfig(env, email, "group_ids = "+hclSet(g2)),
				ConfigStateChecks: []statecheck.StateCheck{groupIDsAre(g2)},
				Check:             expectMembership(t, env, &id, all, g2, unlisted),
			},
			{
				Config:            guestConfig(env, email, "group_ids = []"),
				ConfigStateChecks: []statecheck.StateCheck{groupIDsAre()},
				Check:             expectMembership(t, env, &id, all, unlisted),
			},
			{
				// Unset: memberships are no longer managed, nothing changes.
				PreConfig:         func() { env.AddToGroup(t, g1, id) },
				Config:            guestConfig(env, email, ""),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("group_ids"), knownvalue.Null())},
				Check:             expectMembership(t, env, &id, all, g1, unlisted),
			},
		},
	})
}

// Sponsors are authoritative: a sponsor added out of band is drift that
// apply removes; users and groups can both sponsor.
func TestAccGuestUser_sponsors(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withAccessPermissions())
	s1, s2, stray := env.SponsorUser(t, "b2b-acc-s1"), env.SponsorUser(t, "b2b-acc-s2"), env.SponsorUser(t, "b2b-acc-stray")
	sg := env.Group(t, "b2b-acc-sponsor-group")
	email := env.Email(t, t.Name())
	var id string
	cfg := func(ids ...string) string { return guestConfig(env, email, "sponsor_ids = "+hclSet(ids...)) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: cfg(s1, sg),
				Check:  resource.ComposeAggregateTestCheckFunc(stateID(&id), expectSponsors(t, env, &id, s1, sg)),
			},
			{
				// A sponsor added out of band is drift: the plan updates and
				// the apply removes it.
				PreConfig: func() { env.AddSponsorOOB(t, id, stray) },
				Config:    cfg(s1, sg),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
				}},
				Check: expectSponsors(t, env, &id, s1, sg),
			},
			{
				PreConfig: func() { env.RemoveSponsorOOB(t, id, s1) },
				Config:    cfg(s2, sg),
				Check:     expectSponsors(t, env, &id, s2, sg),
			},
			{
				Config: cfg(),
				Check:  expectSponsors(t, env, &id),
			},
		},
	})
}

// A group sponsor is named by its /groups/{id} read URL (user-post-sponsors)
// even when the plan-time check could not tell what the object is: this app
// may not read groups (no GroupMember.Read.All or Directory.Read.All), so
// the plan only warns, and the apply learns the kind from
// GET /users/{id} answering 404. The emulator refuses a group under
// /users/, which the add sent first before.
func TestAccGuestUser_groupSponsorWithoutGroupRead(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadWriteAll))
	env.RequireEmulator(t)
	sg := env.Group(t, "b2b-acc-sponsor-group-unread")
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: guestConfig(env, email, ""),
				Check:  stateID(&id),
			},
			{
				Config: guestConfig(env, email, "sponsor_ids = "+hclSet(sg)),
				Check:  expectSponsors(t, env, &id, sg),
			},
		},
	})
}

// Right after the invitation Graph may not accept the new user as a member
// or sponsored object yet; create waits for replication instead of failing.
func TestAccGuestUser_accessRightAfterInvitationUnderLag(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withAccessPermissions(), acctest.WithReplicationLag(2*time.Second), acctest.WithLinkReplicationLag(2*time.Second))
	srv := env.RequireEmulator(t)
	g := env.Group(t, "b2b-acc-lag-group")
	s := env.SponsorUser(t, "b2b-acc-lag-sponsor")
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: guestConfig(env, email, "group_ids = "+hclSet(g)+"\nsponsor_ids = "+hclSet(s)),
			Check: resource.ComposeAggregateTestCheckFunc(
				stateID(&id),
				expectMembership(t, env, &id, []string{g}, g),
				expectSponsors(t, env, &id, s),
				func(*terraform.State) error {
					if n := len(invitationsFor(srv, id)); n != 1 {
						return fmt.Errorf("%d invitations, want exactly 1", n)
					}
					// The group add was refused while the user replicated
					// and retried until accepted, not given up on (the
					// sponsor add comes after, once the lag is over).
					const k = "POST /v1.0/groups/{id}/members/$ref"
					if n := srv.Counters()[k]; n < 2 {
						return fmt.Errorf("%s sent %d times; want a refusal during replication, then a retry", k, n)
					}
					return nil
				},
			),
		}},
	})
}

// A group or sponsor that does not exist fails the plan, naming it, before
// any invitation is sent.
func TestAccGuestUser_unknownGroupOrSponsorFailsAtPlan(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withAccessPermissions())
	srv := env.RequireEmulator(t)
	missing := acctest.NewGUID()
	email := env.Email(t, t.Name())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      guestConfig(env, email, "group_ids = "+hclSet(missing)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Group Not Found.*` + missing),
			},
			{
				Config:      guestConfig(env, email, "sponsor_ids = "+hclSet(missing)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Sponsor Not Found.*` + missing),
			},
			{
				Config:      guestConfig(env, email, "group_ids = "+hclSet(missing)),
				ExpectError: regexp.MustCompile(`(?s)Group Not Found.*` + missing),
			},
		},
	})
	if n := len(srv.Invitations()); n != 0 {
		t.Fatalf("%d invitations sent, want none", n)
	}
}

// A group deleted between plan and apply fails the apply with the group
// named (Terraform plans each resource again while applying), and the
// guest keeps the state and memberships it had.
func TestAccGuestUser_groupDeletedAfterPlan(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withAccessPermissions())
	srv := env.RequireEmulator(t)
	g1, g2 := env.Group(t, "b2b-acc-kept"), env.Group(t, "b2b-acc-deleted")
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: guestConfig(env, email, "group_ids = "+hclSet(g1)),
				Check:  stateID(&id),
			},
			{
				// The plan sees g2; the plan check deletes it before apply.
				Config:           guestConfig(env, email, "group_ids = "+hclSet(g1, g2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{deleteGroupCheck{srv: srv, id: g2}}},
				ExpectError:      regexp.MustCompile(`(?s)` + g2),
			},
			{
				Config:            guestConfig(env, email, "group_ids = "+hclSet(g1)),
				ConfigStateChecks: []statecheck.StateCheck{groupIDsAre(g1)},
				Check:             expectMembership(t, env, &id, []string{g1}, g1),
			},
		},
	})
}

// deleteGroupCheck deletes a group when the plan is checked, i.e. after
// Terraform planned and before it applies.
type deleteGroupCheck struct {
	srv *emulator.Server
	id  string
}

func (c deleteGroupCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if err := c.srv.DeleteGroup(c.id); err != nil {
		resp.Error = err
	}
}

// An imported guest already in listed groups plans only the memberships it
// lacks, and applying adds them without error (adds are idempotent).
func TestAccGuestUser_importThenManageGroups(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withAccessPermissions())
	email := env.Email(t, t.Name())
	id := env.SeedUser(t, emulator.SeedUser{Email: email, DisplayName: "Imported"})
	g1, g2 := env.Group(t, "b2b-acc-i1"), env.Group(t, "b2b-acc-i2")
	env.AddToGroup(t, g1, id)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:             guestConfig(env, email, `display_name = "Imported"`+"\ngroup_ids = "+hclSet(g1, g2)),
				ResourceName:       guestAddr,
				ImportState:        true,
				ImportStateId:      id,
				ImportStatePersist: true,
			},
			{
				Config:            guestConfig(env, email, `display_name = "Imported"`+"\ngroup_ids = "+hclSet(g1, g2)),
				ConfigStateChecks: []statecheck.StateCheck{groupIDsAre(g1, g2)},
				Check:             expectMembership(t, env, &id, []string{g1, g2}, g1, g2),
			},
			{
				Config:   guestConfig(env, email, `display_name = "Imported"`+"\ngroup_ids = "+hclSet(g1, g2)),
				PlanOnly: true,
			},
		},
	})
}

// expectPriorGroupIDs checks the refreshed state the plan starts from:
// group_ids as read back from Graph, i.e. the drift the plan repairs.
type expectPriorGroupIDs struct{ want []string }

func (c expectPriorGroupIDs) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != guestAddr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		var got []string
		raw, _ := before["group_ids"].([]any)
		for _, v := range raw {
			got = append(got, fmt.Sprint(v))
		}
		if !sameIDs(got, c.want) {
			resp.Error = fmt.Errorf("refreshed group_ids = %v, want %v", got, c.want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s not in the plan", guestAddr)
}

// Many guests in one group cost one plan-time look-up of the group per
// Terraform command, not one per guest.
func TestAccGuestUser_sharedGroupLookedUpOncePerRun(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withAccessPermissions())
	srv := env.RequireEmulator(t)
	g := env.Group(t, "b2b-acc-shared")
	cfg := env.ProviderConfig() + fmt.Sprintf(`
resource "b2b_guest_user" "many" {
  count        = 5
  email        = "b2b-acc-shared-${count.index}@%s"
  redirect_url = "https://myapps.microsoft.com"
  group_ids    = [%q]
}
`, strings.SplitN(env.Email(t, "x"), "@", 2)[1], g)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			PreConfig: srv.ResetCounters,
			Config:    cfg,
			Check: func(*terraform.State) error {
				members := env.GroupMembers(t, g)
				if len(members) != 5 {
					return fmt.Errorf("group has %d members, want 5", len(members))
				}
				// terraform plan, then apply (which plans again): at most
				// one look-up each, whatever the number of guests.
				if n := srv.Counters()["GET /v1.0/groups/{id}"]; n > 3 {
					return fmt.Errorf("GET /groups/{id} sent %d times for 5 guests in one group", n)
				}
				return nil
			},
		}},
	})
}

// Adopting an existing guest makes its sponsors exactly the listed ones
// (sponsor_ids is authoritative) and its listed memberships hold, without
// an invitation.
func TestAccGuestUser_adoptSetsAccess(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withAccessPermissions())
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	id := env.SeedUser(t, emulator.SeedUser{Email: email, DisplayName: "Existing"})
	old, s := env.SponsorUser(t, "b2b-acc-old-sponsor"), env.SponsorUser(t, "b2b-acc-new-sponsor")
	g := env.Group(t, "b2b-acc-adopt-group")
	env.AddSponsorOOB(t, id, old)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: guestConfig(env, email, "adopt_existing = true\ngroup_ids = "+hclSet(g)+"\nsponsor_ids = "+hclSet(s)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(guestAddr, "id", id),
				expectSponsors(t, env, &id, s),
				expectMembership(t, env, &id, []string{g}, g),
				func(*terraform.State) error {
					if n := len(srv.Invitations()); n != 0 {
						return fmt.Errorf("%d invitations for an adopted guest", n)
					}
					return nil
				},
			),
		}},
	})
}

// sponsor_ids = [] right after an invitation: the read of the current
// sponsors (create starts from what Entra holds, to remove them) answers
// 404 until the user's relationships replicate, and create waits instead
// of failing. (Listed sponsors travel with the invitation and need no read:
// TestAccGuestUser_sponsorsAtInvitation.)
func TestAccGuestUser_sponsorsReadRightAfterInvitationUnderLag(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withAccessPermissions(), acctest.WithLinkReplicationLag(2*time.Second))
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			PreConfig: srv.ResetCounters,
			Config:    guestConfig(env, email, "sponsor_ids = []"),
			Check: resource.ComposeAggregateTestCheckFunc(
				stateID(&id),
				expectSponsors(t, env, &id),
				func(*terraform.State) error {
					const k = "GET /v1.0/users/{id}/sponsors"
					if n := srv.Counters()[k]; n < 2 { // at least one refusal, then the retry
						return fmt.Errorf("%s sent %d times; want a 404 during replication, then a retry", k, n)
					}
					if n := len(invitationsFor(srv, id)); n != 1 {
						return fmt.Errorf("%d invitations, want exactly 1", n)
					}
					return nil
				},
			),
		}},
	})
}
