package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// The admission check judges a guest by the planned value of a policy
// changed in the same plan, when the guest depends on the policy.

// plannedAdmissionEnv is admissionEnv whose app may also write the
// cross-tenant access settings.
func plannedAdmissionEnv(t *testing.T) (*acctest.Env, *emulator.Server, string) {
	t.Helper()
	env := acctest.New(t, acctest.WithPermissions(
		emulator.PermUserInviteAll, emulator.PermUserReadWriteAll, emulator.PermDirectoryReadWriteAll,
		emulator.PermPolicyReadAll, emulator.PermPolicyReadWriteCrossTenantAccess, emulator.PermCrossTenantInformationReadBasicAll))
	srv := env.RequireEmulator(t)
	return env, srv, registerFabrikam(t, srv)
}

// fabrikamPartner is a partner entry for tenant id whose inbound B2B
// collaboration rules have access (an HCL expression).
func fabrikamPartner(id, access string) string {
	return fmt.Sprintf(`
resource "b2b_cross_tenant_access_partner" "fabrikam" {
  tenant_id = %q
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = %s
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = %s
      targets     = [{ target = "AllApplications", target_type = "application" }]
    }
  }
}
`, id, access, access)
}

// dependentGuest is a Fabrikam guest that depends on the partner entry, so
// Terraform plans it after the partner.
const dependentGuest = `
resource "b2b_guest_user" "test" {
  email        = "dana@fabrikam.example"
  redirect_url = "https://myapps.microsoft.com"
  depends_on   = [b2b_cross_tenant_access_partner.fabrikam]
}
`

// (a) The partner entry blocks Fabrikam in Entra, and the plan that adds a
// Fabrikam guest also allows Fabrikam: the plan succeeds and apply invites.
func TestAccGuestUserAdmission_PlannedAllow(t *testing.T) {
	t.Parallel()
	env, srv, id := plannedAdmissionEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: env.ProviderConfig() + fabrikamPartner(id, `"blocked"`)},
			{
				Config: env.ProviderConfig() + fabrikamPartner(id, `"allowed"`) + dependentGuest,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("b2b_cross_tenant_access_partner.fabrikam", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("b2b_guest_user.test", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
	if n := srv.Counters()[keyInvite]; n != 1 {
		t.Fatalf("%d invitations, want 1: the guest allowed by the planned partner entry is invited", n)
	}
}

// (b) The partner entry allows Fabrikam in Entra, and the plan that adds a
// Fabrikam guest also blocks Fabrikam: the plan fails naming the planned
// setting, and nothing is sent.
func TestAccGuestUserAdmission_PlannedBlock(t *testing.T) {
	t.Parallel()
	env, srv, id := plannedAdmissionEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: env.ProviderConfig() + fabrikamPartner(id, `"allowed"`)},
			{
				Config: env.ProviderConfig() + fabrikamPartner(id, `"blocked"`) + dependentGuest,
				ExpectError: errorRE("Guest Organization Blocked",
					fmt.Sprintf("The guest dana@fabrikam.example cannot be invited: fabrikam.example belongs to the tenant %s (Fabrikam),", id),
					"whose inbound B2B collaboration is blocked for all users by the value this plan gives the tenant's partner entry",
					fmt.Sprintf("(b2b_cross_tenant_access_partner for %s), property b2bCollaborationInbound.usersAndGroups.", id),
					"No invitation was sent."),
			},
		},
	})
	admissionSentNothing(t, srv)
}

// (c) The plan gives the partner's inbound rule a value known only after
// apply: the guest's plan gets a warning naming it, not an error. Terraform
// prints warnings only on the CLI, so the test runs it directly.
func TestAccGuestUserAdmission_PlannedUnknown(t *testing.T) {
	t.Parallel()
	env, srv, id := plannedAdmissionEnv(t)
	cli := newTFCLI(t, "1.4.0") // terraform_data
	cli.write("main.tf", requiredProviders+env.ProviderConfig()+`
resource "terraform_data" "access" {
  input = "blocked"
}
`+fabrikamPartner(id, "terraform_data.access.output")+dependentGuest)
	cli.must("init", "-input=false", "-no-color")
	out, code, stderr := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if code != 2 {
		t.Fatalf("terraform plan exited %d, want 2 (a plan with changes, no error)\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	all := strings.Join(strings.Fields(out+stderr), " ")
	for _, want := range []string{
		"Warning: Guest Admission Known Only After Apply",
		fmt.Sprintf("The guest dana@fabrikam.example belongs to the tenant %s (Fabrikam) through fabrikam.example.", id),
		fmt.Sprintf("This plan sets the tenant's partner entry (b2b_cross_tenant_access_partner for %s), property b2bCollaborationInbound.usersAndGroups, to a value known only after apply", id),
	} {
		if !strings.Contains(all, want) {
			t.Fatalf("the plan output lacks %q:\n%s\n%s", want, out, stderr)
		}
	}
	admissionSentNothing(t, srv)
}

// The default blocks every organization in Entra, and the plan that adds a
// guest of a tenant without a partner entry leaves the default's inbound
// rule unset, which is the system default (allowed): the plan succeeds and
// apply invites.
func TestAccGuestUserAdmission_PlannedDefault(t *testing.T) {
	t.Parallel()
	env, srv, _ := plannedAdmissionEnv(t)
	blocked := `
resource "b2b_cross_tenant_access_default" "this" {
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "blocked"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = "blocked"
      targets     = [{ target = "AllApplications", target_type = "application" }]
    }
  }
}
`
	systemDefault := `
resource "b2b_cross_tenant_access_default" "this" {}

resource "b2b_guest_user" "test" {
  email        = "erin@fabrikam.example"
  redirect_url = "https://myapps.microsoft.com"
  depends_on   = [b2b_cross_tenant_access_default.this]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: env.ProviderConfig() + blocked},
			{Config: env.ProviderConfig() + systemDefault},
		},
	})
	if n := srv.Counters()[keyInvite]; n != 1 {
		t.Fatalf("%d invitations, want 1: the guest admitted by the planned default is invited", n)
	}
}
