package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// Counter keys of the two tenant look-ups, as the emulator counts them.
const (
	keyFindTenantByID     = "GET /v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{tenantId}')"
	keyFindTenantByDomain = "GET /v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='{domainName}')"
)

// tenantCheckEnv may write cross-tenant access settings and look tenants
// up, and knows Fabrikam and Contoso Partner (their tenant IDs returned).
func tenantCheckEnv(t *testing.T) (*acctest.Env, *emulator.Server, string, string) {
	t.Helper()
	env, srv := ctEnv(t, emulator.PermPolicyReadWriteCrossTenantAccess, emulator.PermCrossTenantInformationReadBasicAll)
	fabrikam := registerFabrikam(t, srv)
	contoso := acctest.NewGUID()
	if err := srv.RegisterTenant(emulator.ForeignTenant{TenantID: contoso, DisplayName: "Contoso Partner", DefaultDomainName: "contoso-partner.example"}); err != nil {
		t.Fatal(err)
	}
	return env, srv, fabrikam, contoso
}

// noLookupsByID asserts that the previous step (a plan-only step, whose
// plans run after any Check) sent no tenant look-up by ID, then resets the
// counters; a PreConfig of the next step.
func noLookupsByID(t *testing.T, srv *emulator.Server) func() {
	return func() {
		if n := srv.Counters()[keyFindTenantByID]; n != 0 {
			t.Errorf("no-change plan: %d tenant look-ups by ID, want none", n)
		}
		srv.ResetCounters()
	}
}

// expectTenantNames checks the two computed attributes in a plan.
func expectTenantNames(displayName, domain string) []plancheck.PlanCheck {
	return []plancheck.PlanCheck{
		plancheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("tenant_display_name"), knownvalue.StringExact(displayName)),
		plancheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("tenant_default_domain_name"), knownvalue.StringExact(domain)),
	}
}

// TestAccCrossTenantPartner_TenantChecked: a partner tenant_id that names
// no tenant (a typo) fails the plan on tenant_id and nothing is created;
// a real one shows the tenant's name and default domain in the create
// plan; plans that keep tenant_id (no change, a settings update) send no
// look-up and keep the names; another tenant_id is looked up and its
// names planned with the replacement; an import finds the same names. An identity sync policy for a typo is
// refused the same way.
func TestAccCrossTenantPartner_TenantChecked(t *testing.T) {
	t.Parallel()
	env, srv, fabrikam, contoso := tenantCheckEnv(t)
	typo := acctest.NewGUID()
	notFound := errorRE("Partner Tenant Not Found", "tenant_id "+typo+" (findTenantInformationByTenantId): no tenant has this ID",
		"Nothing is created.", "Check the ID for a typo", "b2b_tenant data source")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		CheckDestroy:             partnerGone(srv, contoso),
		Steps: []resource.TestStep{
			{Config: partnerConfig(env, typo, ""), ExpectError: notFound},
			{
				PreConfig: func() {
					if n := srv.Counters()["POST /v1.0/policies/crossTenantAccessPolicy/partners"]; n != 0 {
						t.Errorf("%d partner creates sent for a tenant ID that names no tenant; want none", n)
					}
				},
				Config: partnerConfig(env, strings.ToUpper(fabrikam), ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(expectTenantNames("Fabrikam", "fabrikam.example"),
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionCreate))},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("tenant_display_name"), knownvalue.StringExact("Fabrikam")),
				},
			},
			{
				// A no-change plan, refresh included: no look-up.
				PreConfig: srv.ResetCounters,
				Config:    partnerConfig(env, strings.ToUpper(fabrikam), ""),
				PlanOnly:  true,
			},
			{
				PreConfig: noLookupsByID(t, srv),
				Config:    partnerConfig(env, strings.ToUpper(fabrikam), partnerTrustedMFA),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(expectTenantNames("Fabrikam", "fabrikam.example"),
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionUpdate))},
				Check: func(*terraform.State) error {
					if n := srv.Counters()[keyFindTenantByID]; n != 0 {
						return fmt.Errorf("%d tenant look-ups by ID for a settings update; want none", n)
					}
					return nil
				},
			},
			{
				PreConfig: srv.ResetCounters,
				Config:    partnerConfig(env, contoso, partnerTrustedMFA),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(expectTenantNames("Contoso Partner", "contoso-partner.example"),
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionDestroyBeforeCreate))},
				Check: func(*terraform.State) error {
					if n := srv.Counters()[keyFindTenantByID]; n == 0 {
						return fmt.Errorf("no tenant look-up by ID for a changed tenant_id")
					}
					return nil
				},
			},
			{
				// Import looks the names up as a create would have planned them.
				ResourceName:            partnerAddr,
				ImportState:             true,
				ImportStateId:           contoso,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config: partnerConfig(env, contoso, partnerTrustedMFA) + fmt.Sprintf(`
resource "b2b_cross_tenant_identity_sync" "typo" {
  tenant_id                 = %q
  user_sync_inbound_allowed = true
}
`, typo),
				ExpectError: notFound,
			},
		},
	})
}

// TestAccCrossTenantPartner_TenantUnverified: without
// CrossTenantInformation.ReadBasic.All the look-up is refused (403); the
// plan goes on with a warning on tenant_id that says what was not checked
// and which permission turns the check on, and apply creates the entry
// with null names. Terraform prints warnings only on the CLI, so the test
// runs it directly.
func TestAccCrossTenantPartner_TenantUnverified(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	tenant := acctest.NewGUID()
	cli := newTFCLI(t, "1.5.0")
	cli.write("main.tf", requiredProviders+partnerConfig(env, tenant, ""))
	cli.must("init", "-input=false", "-no-color")
	out := planOutput(t, cli)
	for _, want := range []string{
		"Warning: Could Not Verify Partner Tenant",
		"The provider looks tenant_id " + tenant + " up at plan time (findTenantInformationByTenantId) to catch a tenant ID that names no tenant, and the look-up failed.",
		"The plan goes on without this check",
		"grant the application the Microsoft Graph application permission CrossTenantInformation.ReadBasic.All",
		"Cause: GET /tenantRelationships/findTenantInformationByTenantId(tenantId='{tenantId}'): 403",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("the plan lacks %q:\n%s", want, out)
		}
	}
	cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	if _, ok := srv.CrossTenantPartnerJSON(tenant); !ok {
		t.Fatal("apply did not create the partner entry after an unverified plan")
	}
	if state := cli.must("state", "show", "-no-color", partnerAddr); !strings.Contains(state, "tenant_id") || strings.Contains(state, "tenant_display_name") {
		t.Fatalf("state after an unverified plan (tenant_display_name should be null, so not shown):\n%s", state)
	}
}

// TestAccCrossTenantPartner_TenantLookedUpOncePerPlan: one plan looks each
// tenant up once, whichever asks: a partner and its identity sync policy
// for one new tenant send one look-up by ID, and a tenant found by the
// b2b_tenant data source's domain is not looked up again by its ID.
func TestAccCrossTenantPartner_TenantLookedUpOncePerPlan(t *testing.T) {
	t.Parallel()
	env, srv, fabrikam, _ := tenantCheckEnv(t)
	cli := newTFCLI(t, "1.5.0")
	cli.write("main.tf", requiredProviders+syncConfig(env, fabrikam, "  user_sync_inbound_allowed = true"))
	cli.must("init", "-input=false", "-no-color")
	planOutput(t, cli)
	if n := srv.Counters()[keyFindTenantByID]; n != 1 {
		t.Fatalf("%d look-ups by ID for a partner and its sync policy in one plan; want 1", n)
	}

	srv.ResetCounters()
	cli.write("main.tf", requiredProviders+env.ProviderConfig()+`
data "b2b_tenant" "fabrikam" {
  domain_name = "fabrikam-partners.example"
}

resource "b2b_cross_tenant_access_partner" "test" {
  tenant_id = data.b2b_tenant.fabrikam.tenant_id
}
`)
	if out := planOutput(t, cli); !strings.Contains(out, `tenant_display_name = "Fabrikam"`) {
		t.Fatalf("the plan does not show the partner's name:\n%s", out)
	}
	if byID, byDomain := srv.Counters()[keyFindTenantByID], srv.Counters()[keyFindTenantByDomain]; byID != 0 || byDomain != 1 {
		t.Fatalf("%d look-ups by ID and %d by domain; want 0 and 1 (the tenant found by domain is known by its ID)", byID, byDomain)
	}
}
