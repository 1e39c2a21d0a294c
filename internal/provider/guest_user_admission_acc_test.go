package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

const (
	keyInvite       = "POST /v1.0/invitations"
	keyTenantLookup = "GET /v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='{domainName}')"
	keyCTDefault    = "GET /v1.0/policies/crossTenantAccessPolicy/default"
	// planCommands is how many `terraform plan` commands (provider
	// processes) a PlanOnly test step runs.
	planCommands = 2
	// blockAllInbound blocks every user and application of the other
	// organization (Graph requires the applications rule to match a block
	// of all users).
	blockAllInbound = `{"b2bCollaborationInbound":{
  "usersAndGroups":{"accessType":"blocked","targets":[{"target":"AllUsers","targetType":"user"}]},
  "applications":{"accessType":"blocked","targets":[{"target":"AllApplications","targetType":"application"}]}}}`
	allowAllInbound = `{"b2bCollaborationInbound":{
  "usersAndGroups":{"accessType":"allowed","targets":[{"target":"AllUsers","targetType":"user"}]},
  "applications":{"accessType":"allowed","targets":[{"target":"AllApplications","targetType":"application"}]}}}`
)

// admissionEnv is an emulator whose app may invite guests and read the
// cross-tenant access settings and tenant information, with Fabrikam
// (fabrikam.example) registered as a foreign tenant.
func admissionEnv(t *testing.T) (*acctest.Env, *emulator.Server, string) {
	t.Helper()
	env := acctest.New(t, acctest.WithPermissions(
		emulator.PermUserInviteAll, emulator.PermUserReadWriteAll, emulator.PermDirectoryReadWriteAll,
		emulator.PermPolicyReadAll, emulator.PermCrossTenantInformationReadBasicAll))
	srv := env.RequireEmulator(t)
	return env, srv, registerFabrikam(t, srv)
}

// admissionSentNothing fails the test if the emulator received any invitation.
func admissionSentNothing(t *testing.T, srv *emulator.Server) {
	t.Helper()
	if n := srv.Counters()[keyInvite]; n != 0 {
		t.Fatalf("%d invitations were sent for a guest the plan refused", n)
	}
}

// A partner entry that blocks all of Fabrikam's users fails the plan of a
// Fabrikam guest, naming guest, domain, tenant and setting; nothing is sent.
func TestAccGuestUserAdmission_BlockedByPartner(t *testing.T) {
	t.Parallel()
	env, srv, id := admissionEnv(t)
	if err := srv.SeedCrossTenantPartner(id, []byte(blockAllInbound)); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: guestConfig(env, "alice@Fabrikam.example", ""),
			ExpectError: errorRE("Guest Organization Blocked",
				fmt.Sprintf("The guest alice@Fabrikam.example cannot be invited: fabrikam.example belongs to the tenant %s (Fabrikam),", id),
				"whose inbound B2B collaboration is blocked for all users by the tenant's partner entry",
				fmt.Sprintf("(b2b_cross_tenant_access_partner for %s), property b2bCollaborationInbound.usersAndGroups.", id),
				"No invitation was sent."),
		}},
	})
	admissionSentNothing(t, srv)
}

// A default that blocks every organization fails the plan of a guest of a
// tenant without a partner entry, and of any domain of that tenant.
func TestAccGuestUserAdmission_BlockedByDefault(t *testing.T) {
	t.Parallel()
	env, srv, id := admissionEnv(t)
	if err := srv.PatchCrossTenantDefault([]byte(blockAllInbound)); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: guestConfig(env, "bob@fabrikam-partners.example", ""),
			ExpectError: errorRE("Guest Organization Blocked",
				fmt.Sprintf("fabrikam-partners.example belongs to the tenant %s (Fabrikam)", id),
				"blocked for all users by the default cross-tenant access settings (b2b_cross_tenant_access_default),",
				"property b2bCollaborationInbound.usersAndGroups."),
		}},
	})
	admissionSentNothing(t, srv)
}

// A partner entry that allows Fabrikam's users overrides a blocking
// default: the guest is invited. A domain that is no Entra tenant passes.
func TestAccGuestUserAdmission_AllowedPartner(t *testing.T) {
	t.Parallel()
	env, srv, id := admissionEnv(t)
	if err := srv.PatchCrossTenantDefault([]byte(blockAllInbound)); err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedCrossTenantPartner(id, []byte(allowAllInbound)); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: guestConfig(env, "carol@fabrikam.example", "")},
			// Changing the email to a blocked organization is checked too.
			{
				PreConfig: func() {
					if err := srv.PatchCrossTenantPartner(id, []byte(blockAllInbound)); err != nil {
						t.Fatal(err)
					}
				},
				Config:      guestConfig(env, "carol@fabrikam-partners.example", ""),
				ExpectError: errorRE("Guest Organization Blocked", "The guest carol@fabrikam-partners.example cannot be invited"),
			},
			{Config: guestConfig(env, "carol@not-a-tenant.example", "")},
		},
	})
	if n := srv.Counters()[keyInvite]; n != 2 {
		t.Fatalf("%d invitations, want 2 (create, then the new address outside any tenant)", n)
	}
}

// Without Policy.Read.All there is no check: the blocked organization's
// guests are planned and invited, the refused read is made once per run
// (one note, not one per guest) and no tenant is looked up.
func TestAccGuestUserAdmission_PermissionMissing(t *testing.T) {
	t.Parallel()
	env := acctest.New(t) // the default app: no policy or tenant-information permission
	srv := env.RequireEmulator(t)
	id := registerFabrikam(t, srv)
	if err := srv.SeedCrossTenantPartner(id, []byte(blockAllInbound)); err != nil {
		t.Fatal(err)
	}
	cfg := env.ProviderConfig() + `
resource "b2b_guest_user" "test" {
  count        = 3
  email        = "guest${count.index}@fabrikam.example"
  redirect_url = "https://myapps.microsoft.com"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			Config:             cfg,
		}},
	})
	// A plan-only step runs two `terraform plan` commands, each with its
	// own provider process: one refused read each.
	c := srv.Counters()
	if c[keyCTDefault] != planCommands || c[keyTenantLookup] != 0 || c[keyInvite] != 0 {
		t.Fatalf("default reads %d (want 1 per command for 3 guests), tenant look-ups %d (want 0), invitations %d",
			c[keyCTDefault], c[keyTenantLookup], c[keyInvite])
	}
}

// Twenty guests of one domain, planned at once, cost one tenant look-up,
// one default read and one partner read per Terraform command.
func TestAccGuestUserAdmission_OneLookupPerDomain(t *testing.T) {
	t.Parallel()
	env, srv, _ := admissionEnv(t)
	cfg := env.ProviderConfig() + `
resource "b2b_guest_user" "test" {
  count        = 20
  email        = "guest${count.index}@fabrikam.example"
  redirect_url = "https://myapps.microsoft.com"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			Config:             cfg,
		}},
	})
	c := srv.Counters()
	partnerReads := c["GET /v1.0/policies/crossTenantAccessPolicy/partners/{tenantId}"]
	if c[keyTenantLookup] != planCommands || c[keyCTDefault] != planCommands || partnerReads != planCommands {
		t.Fatalf("20 guests of one domain in %d plan commands: %d tenant look-ups, %d default reads, %d partner reads; want one each per command",
			planCommands,
			c[keyTenantLookup], c[keyCTDefault], partnerReads)
	}
}
