package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// keyPartnerRead is the read of one partner entry, the third request of
// the admission check.
const keyPartnerRead = "GET /v1.0/policies/crossTenantAccessPolicy/partners/{tenantId}"

// admissionReads is how many requests the admission check has made so far.
func admissionReads(c emulator.Counters) int {
	return c[keyCTDefault] + c[keyTenantLookup] + c[keyPartnerRead]
}

// A guest invited while its organization was allowed stays manageable once
// a partner entry blocks the organization: a plan without changes and a
// profile change are not checked (no policy read, no error). Changing
// reinvite_trigger sends a new invitation, so that plan is checked and
// fails on reinvite_trigger (a trigger known only after apply warns), and
// no invitation is sent.
func TestAccGuestUserAdmission_ReinviteBlocked(t *testing.T) {
	t.Parallel()
	env, srv, id := admissionEnv(t)
	const email = "erin@fabrikam.example"
	cfg := func(trigger, name string) string {
		return guestConfig(env, email, fmt.Sprintf("  reinvite_trigger = %q\n  display_name = %q\n", trigger, name))
	}
	var before int // admission reads once the partner is blocked
	unchecked := func(*terraform.State) error {
		if n := admissionReads(srv.Counters()); n != before {
			return fmt.Errorf("%d admission reads (policy or tenant look-up) for a plan that sends no invitation", n-before)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg("1", "Erin")},
			{
				// Nothing changes: the plan is empty and does not fail.
				PreConfig: func() {
					if err := srv.SeedCrossTenantPartner(id, []byte(blockAllInbound)); err != nil {
						t.Fatal(err)
					}
					before = admissionReads(srv.Counters())
				},
				Config:   cfg("1", "Erin"),
				PlanOnly: true,
			},
			{
				// A profile change is an update without an invitation.
				PreConfig: func() {
					if err := unchecked(nil); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg("1", "Erin Blocked"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
				}},
				Check: unchecked,
			},
			{
				// A trigger known only after apply may or may not re-invite:
				// the plan warns and goes on (the warning's text is checked in
				// TestAdmissionReinviteDiagnostics).
				Config: guestConfig(env, email, "  reinvite_trigger = terraform_data.trigger.id\n  display_name = \"Erin Blocked\"\n") +
					"resource \"terraform_data\" \"trigger\" {}\n",
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg("2", "Erin Blocked"),
				ExpectError: errorRE("Error: Guest Organization Blocked",
					`reinvite_trigger = "2"`,
					fmt.Sprintf("The guest %s cannot be re-invited (reinvite_trigger changed): fabrikam.example belongs to the tenant %s (Fabrikam),", email, id),
					"whose inbound B2B collaboration is blocked for all users by the tenant's partner entry",
					fmt.Sprintf("(b2b_cross_tenant_access_partner for %s), property b2bCollaborationInbound.usersAndGroups.", id),
					"No invitation was sent. Leave reinvite_trigger at its value in state, or allow its users in that partner entry"),
			},
		},
	})
	if n := srv.Counters()[keyInvite]; n != 1 {
		t.Fatalf("%d invitations, want 1 (the create): the refused re-invitation must send none", n)
	}
}
