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

const partnerAddr = "b2b_cross_tenant_access_partner.test"

// ctEnv is an emulator whose default app may write cross-tenant access
// settings. Tenant mode skips these tests: they rewrite tenant-wide policy.
func ctEnv(t *testing.T, perms ...string) (*acctest.Env, *emulator.Server) {
	t.Helper()
	if len(perms) == 0 {
		perms = []string{emulator.PermPolicyReadWriteCrossTenantAccess}
	}
	env := acctest.New(t, acctest.WithPermissions(perms...))
	return env, env.RequireEmulator(t)
}

func partnerConfig(env *acctest.Env, tenantID, body string) string {
	return env.ProviderConfig() + fmt.Sprintf(`
resource "b2b_cross_tenant_access_partner" "test" {
  tenant_id = %q
%s
}
`, tenantID, body)
}

// partnerTrustedMFA: a partner whose MFA is trusted, whose users are all
// allowed in, and whose invitations are redeemed without a prompt.
const partnerTrustedMFA = `
  inbound_trust = {
    mfa_accepted                  = true
    compliant_device_accepted     = false
    hybrid_joined_device_accepted = false
  }
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "allowed"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = "allowed"
      targets     = [{ target = "AllApplications", target_type = "application" }]
    }
  }
  automatic_user_consent = {
    inbound_allowed  = true
    outbound_allowed = false
  }
`

// partnerOneGroup: only one group of the partner may collaborate, to
// Office 365 only; trust and automatic redemption are back to the default.
const partnerOneGroup = `
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "allowed"
      targets     = [{ target = "9a3f4c1e-0b5d-4e2a-8c7f-1d2e3f4a5b6c", target_type = "group" }]
    }
    applications = {
      access_type = "allowed"
      targets     = [{ target = "Office365", target_type = "application" }]
    }
  }
`

func partnerInGraph(t *testing.T, srv *emulator.Server, tenantID string) map[string]any {
	t.Helper()
	p, ok := srv.CrossTenantPartnerJSON(tenantID)
	if !ok {
		t.Fatalf("no partner configuration for %s in the emulator", tenantID)
	}
	return p
}

func jsonObj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func partnerGone(srv *emulator.Server, tenantID string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, ok := srv.CrossTenantPartnerJSON(tenantID); ok {
			return fmt.Errorf("partner configuration for %s still exists after destroy", tenantID)
		}
		return nil
	}
}

// Create, update (a setting removed from the configuration goes back to
// null, i.e. inherits the default), import, and destroy (the entry is
// deleted, so the organization gets the default settings).
func TestAccCrossTenantPartner_Lifecycle(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	tenant := acctest.NewGUID()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		CheckDestroy:             partnerGone(srv, tenant),
		Steps: []resource.TestStep{
			{
				// An upper-case tenant ID names the same tenant; the
				// configured spelling stays, so the plan stays empty.
				Config: partnerConfig(env, strings.ToUpper(tenant), partnerTrustedMFA),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("inbound_trust").AtMapKey("mfa_accepted"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("automatic_user_consent").AtMapKey("inbound_allowed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("b2b_direct_connect_inbound"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					p := partnerInGraph(t, srv, tenant)
					if jsonObj(p["inboundTrust"])["isMfaAccepted"] != true || p["b2bDirectConnectInbound"] != nil ||
						jsonObj(p["automaticUserConsentSettings"])["inboundAllowed"] != true {
						return fmt.Errorf("partner in Graph: %v", p)
					}
					return nil
				},
			},
			{
				Config: partnerConfig(env, tenant, partnerOneGroup),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("inbound_trust"), knownvalue.Null()),
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("automatic_user_consent"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					p := partnerInGraph(t, srv, tenant)
					in := jsonObj(jsonObj(p["b2bCollaborationInbound"])["usersAndGroups"])
					if p["inboundTrust"] != nil || jsonObj(p["automaticUserConsentSettings"])["inboundAllowed"] != nil ||
						fmt.Sprint(in["targets"]) != "[map[target:9a3f4c1e-0b5d-4e2a-8c7f-1d2e3f4a5b6c targetType:group]]" {
						return fmt.Errorf("removed settings should be null (inherit) in Graph: %v", p)
					}
					return nil
				},
			},
			{
				ResourceName:            partnerAddr,
				ImportState:             true,
				ImportStateId:           strings.ToUpper(tenant),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

// A change made in the portal shows in the next plan as an update back to
// the configuration; a partner deleted in the portal is created again.
func TestAccCrossTenantPartner_Drift(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	tenant := acctest.NewGUID()
	cfg := partnerConfig(env, tenant, partnerTrustedMFA)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					err := srv.PatchCrossTenantPartner(tenant, []byte(`{
						"inboundTrust": {"isMfaAccepted": false, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": false},
						"b2bDirectConnectOutbound": {"usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]}},
						"automaticUserConsentSettings": null}`))
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("inbound_trust").AtMapKey("mfa_accepted"), knownvalue.Bool(true)),
						plancheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("b2b_direct_connect_outbound"), knownvalue.Null()),
					},
				},
				Check: func(*terraform.State) error {
					p := partnerInGraph(t, srv, tenant)
					if jsonObj(p["inboundTrust"])["isMfaAccepted"] != true || p["b2bDirectConnectOutbound"] != nil ||
						jsonObj(p["automaticUserConsentSettings"])["inboundAllowed"] != true {
						return fmt.Errorf("apply did not restore the configuration: %v", p)
					}
					return nil
				},
			},
			{
				PreConfig: func() { srv.DeleteCrossTenantPartner(tenant) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

// A partner entry made outside Terraform is not overwritten: create stops
// and says to import it.
func TestAccCrossTenantPartner_ExistingNeedsImport(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	tenant := acctest.NewGUID()
	if err := srv.SeedCrossTenantPartner(tenant, []byte(`{"inboundTrust": {"isMfaAccepted": true}}`)); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: partnerConfig(env, tenant, ""),
			ExpectError: errorRE("Cross-Tenant Access Partner Already Exists",
				"the tenant already has one", "terraform import <address> "+tenant),
		}},
	})
	if p := partnerInGraph(t, srv, tenant); jsonObj(p["inboundTrust"])["isMfaAccepted"] != true {
		t.Fatalf("the existing entry was changed: %v", p)
	}
}

// Inputs Graph refuses fail the plan, before any request.
func TestAccCrossTenantPartner_BadInputs(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	tenant := acctest.NewGUID()
	rule := func(access, target, typ string) string {
		return fmt.Sprintf(`
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = %q
      targets     = [{ target = %q, target_type = %q }]
    }
  }
`, access, target, typ)
	}
	steps := []resource.TestStep{
		{
			Config:      partnerConfig(env, "partner.example", ""),
			ExpectError: errorRE("Attribute tenant_id must be a tenant ID, a GUID", `got: partner.example`),
		},
		{
			Config:      partnerConfig(env, tenant, rule("denied", "AllUsers", "user")),
			ExpectError: errorRE(`access_type value must be one of: ["allowed" "blocked"], got: "denied"`),
		},
		{
			Config:      partnerConfig(env, tenant, rule("allowed", "AllUsers", "person")),
			ExpectError: errorRE(`target_type value must be one of: ["user" "group"], got: "person"`),
		},
		{
			// An application target in the users-and-groups rule.
			Config:      partnerConfig(env, tenant, rule("allowed", "AllApplications", "application")),
			ExpectError: errorRE(`target_type value must be one of: ["user" "group"], got: "application"`),
		},
		{
			// A keyword with a target_type it does not stand for.
			Config: partnerConfig(env, tenant, rule("blocked", "AllUsers", "group")),
			ExpectError: errorRE("Target Type Does Not Fit The Target",
				`The target "AllUsers" stands for all users, so its target_type must be "user", not "group"`),
		},
		{
			// Neither an object ID nor a keyword: Graph takes nothing else.
			Config:      partnerConfig(env, tenant, rule("allowed", "finance-team", "group")),
			ExpectError: errorRE(`target must be an object ID (a GUID) or one of the keywords AllUsers, got: finance-team`),
		},
		{
			// An application keyword in the users-and-groups rule.
			Config:      partnerConfig(env, tenant, rule("allowed", "Office365", "user")),
			ExpectError: errorRE(`target must be an object ID (a GUID) or one of the keywords AllUsers, got: Office365`),
		},
		{
			Config:      partnerConfig(env, tenant, "  b2b_direct_connect_inbound = {}"),
			ExpectError: errorRE("Empty Cross-Tenant Access Setting", "names neither users_and_groups nor applications"),
		},
	}
	for i := range steps {
		steps[i].PlanOnly = true
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(), Steps: steps})
	if _, ok := srv.CrossTenantPartnerJSON(tenant); ok {
		t.Fatal("a refused configuration reached Graph")
	}
}

// Writing partner settings needs Policy.ReadWrite.CrossTenantAccess:
// Policy.Read.All lets the plan and the look-up through, and the create
// names the missing permission.
func TestAccPermissions_CrossTenantPartnerNeedsPolicyReadWriteCrossTenantAccess(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t, emulator.PermPolicyReadAll)
	tenant := acctest.NewGUID()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      partnerConfig(env, tenant, partnerTrustedMFA),
			ExpectError: missingPermission("Error Creating Cross-Tenant Access Partner", "Policy.ReadWrite.CrossTenantAccess"),
		}},
	})
	if _, ok := srv.CrossTenantPartnerJSON(tenant); ok {
		t.Fatal("partner created without the write permission")
	}
}

// Reading partner settings needs Policy.Read.All (or the write permission):
// importing an existing partner without it names that permission.
func TestAccPermissions_CrossTenantPartnerNeedsPolicyReadAll(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t, emulator.PermUserReadAll)
	tenant := acctest.NewGUID()
	if err := srv.SeedCrossTenantPartner(tenant, nil); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:        partnerConfig(env, tenant, ""),
			ResourceName:  "b2b_cross_tenant_access_partner.test",
			ImportState:   true,
			ImportStateId: tenant,
			ExpectError:   missingPermission("Error Reading Cross-Tenant Access Partner", "Policy.Read.All"),
		}},
	})
}

// Creating a partner without any policy permission stops at the look-up
// before the create. That look-up needs only Policy.Read.All, but the error
// names Policy.ReadWrite.CrossTenantAccess, which the create needs and which
// covers the look-up: naming the read permission sent an administrator back
// for a second grant at the next apply.
func TestAccPermissions_CrossTenantPartnerLookupNamesWritePermission(t *testing.T) {
	t.Parallel()
	env, _ := ctEnv(t, emulator.PermUserReadAll)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: partnerConfig(env, acctest.NewGUID(), ""),
			ExpectError: errorRE("Error Reading Cross-Tenant Access Partner", "before creating one",
				"is missing the Microsoft Graph application permission Policy.ReadWrite.CrossTenantAccess.",
				"This look-up alone needs only Policy.Read.All, but the create that follows needs Policy.ReadWrite.CrossTenantAccess"),
		}},
	})
}

// TestAccCrossTenantPartner_OwnTenantRefusedAtPlan: a partner entry for the
// tenant the provider signs in to (an ID pasted from the wrong place) is
// refused by the plan, in any letter case, with the provider's tenant_id
// given as a GUID or as one of the tenant's domain names (resolved with
// CrossTenantInformation.ReadBasic.All, as the guests' admission check
// does); nothing is sent.
func TestAccCrossTenantPartner_OwnTenantRefusedAtPlan(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t, emulator.PermPolicyReadWriteCrossTenantAccess, emulator.PermCrossTenantInformationReadBasicAll)
	byDomain := env.ProviderConfig()
	byDomain = strings.Replace(byDomain, fmt.Sprintf("%q", srv.TenantID()), fmt.Sprintf("%q", srv.TenantDomain()), 1)
	if byDomain == env.ProviderConfig() {
		t.Fatal("the provider block does not name the tenant by its ID")
	}
	partner := fmt.Sprintf("\nresource \"b2b_cross_tenant_access_partner\" \"test\" {\n  tenant_id = %q\n}\n", strings.ToUpper(srv.TenantID()))
	want := errorRE("Partner Tenant Is This Tenant", "is the tenant this provider signs in to", "b2b_tenant data source")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: env.ProviderConfig() + partner, ExpectError: want},
			{Config: byDomain + partner, ExpectError: want},
		},
	})
	if n := srv.Counters()["POST /v1.0/policies/crossTenantAccessPolicy/partners"]; n != 0 {
		t.Errorf("%d partner creates sent; want none", n)
	}
}

// A partner created while a proxy passes Graph's 201 on without the body:
// the entry exists, keyed by the tenant ID the provider sent, so the
// apply reads it back and saves it (it had crashed the provider, reading
// a partner that was not there), and the next plan is empty.
func TestAccCrossTenantPartner_createAnswerWithoutBody(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	tenant := acctest.NewGUID()
	srv.SetFaults(emulator.Faults{
		Routes: []string{"POST /v1.0/policies/crossTenantAccessPolicy/partners"}, Limit: 1, RateGateway: 1,
		Gateway: emulator.GatewayFault{Status: 201, Body: emulator.GatewayBodyEmpty, AfterActing: true},
	})
	cfg := partnerConfig(env, tenant, partnerTrustedMFA)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("id"), knownvalue.StringExact(tenant)),
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("inbound_trust").AtMapKey("mfa_accepted"), knownvalue.Bool(true)),
				},
				Check: func(*terraform.State) error {
					if jsonObj(partnerInGraph(t, srv, tenant)["inboundTrust"])["isMfaAccepted"] != true {
						return fmt.Errorf("the partner in the directory lacks its configuration")
					}
					return nil
				},
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
	if n := srv.Counters()["status:201"]; n != 1 {
		t.Fatalf("%d answers of 201 went out, want the gateway's 1: the test did not exercise it", n)
	}
}
