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

const defaultAddr = "b2b_cross_tenant_access_default.test"

func defaultConfig(env *acctest.Env, body string) string {
	return env.ProviderConfig() + fmt.Sprintf(`
resource "b2b_cross_tenant_access_default" "test" {
%s
}
`, body)
}

// defaultLockedDown: only B2B collaboration inbound is changed (blocked
// for everyone), MFA from every organization is trusted, and guests
// redeem with a one-time passcode when no directory fits.
const defaultLockedDown = `
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
  inbound_trust = {
    mfa_accepted                  = true
    compliant_device_accepted     = false
    hybrid_joined_device_accepted = false
  }
  invitation_redemption = {
    primary_identity_provider_precedence_order = ["azureActiveDirectory", "externalFederation"]
    fallback_identity_provider                 = "emailOneTimePasscode"
  }
`

func defaultIsSystem(srv *emulator.Server) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if d := srv.CrossTenantDefaultJSON(); d["isServiceDefault"] != true {
			return fmt.Errorf("default configuration not reset to the system default: %v", d)
		}
		return nil
	}
}

// Create takes the default over, an unset setting keeps the system
// default, an update back to an empty body restores it, import by
// "default", and destroy calls resetToSystemDefault.
func TestAccCrossTenantDefault_Lifecycle(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		CheckDestroy:             defaultIsSystem(srv),
		Steps: []resource.TestStep{
			{
				Config: defaultConfig(env, defaultLockedDown),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(defaultAddr, tfjsonpath.New("id"), knownvalue.StringExact("default")),
					statecheck.ExpectKnownValue(defaultAddr, tfjsonpath.New("is_service_default"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(defaultAddr, tfjsonpath.New("b2b_direct_connect_inbound"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					d := srv.CrossTenantDefaultJSON()
					in := jsonObj(jsonObj(d["b2bCollaborationInbound"])["usersAndGroups"])
					dc := jsonObj(jsonObj(d["b2bDirectConnectInbound"])["usersAndGroups"])
					red := jsonObj(d["invitationRedemptionIdentityProviderConfiguration"])
					if in["accessType"] != "blocked" || dc["accessType"] != "blocked" || jsonObj(d["inboundTrust"])["isMfaAccepted"] != true ||
						red["fallbackIdentityProvider"] != "emailOneTimePasscode" {
						return fmt.Errorf("default in Graph: %v", d)
					}
					return nil
				},
			},
			{
				ResourceName:            defaultAddr,
				ImportState:             true,
				ImportStateId:           "default",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config: defaultConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(defaultAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					d := srv.CrossTenantDefaultJSON()
					if jsonObj(jsonObj(d["b2bCollaborationInbound"])["usersAndGroups"])["accessType"] != "allowed" ||
						jsonObj(d["inboundTrust"])["isMfaAccepted"] != false ||
						jsonObj(d["invitationRedemptionIdentityProviderConfiguration"])["fallbackIdentityProvider"] != "defaultConfiguredIdp" {
						return fmt.Errorf("an empty body should be the system default: %v", d)
					}
					return nil
				},
			},
		},
	})
}

// A change in the portal, to a configured setting or to one left at the
// system default, shows in the next plan.
func TestAccCrossTenantDefault_Drift(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	cfg := defaultConfig(env, defaultLockedDown)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					if err := srv.PatchCrossTenantDefault([]byte(`{
						"inboundTrust": {"isMfaAccepted": false, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false},
						"b2bDirectConnectOutbound": {
						  "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
						  "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}}}`)); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(defaultAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(defaultAddr, tfjsonpath.New("inbound_trust").AtMapKey("mfa_accepted"), knownvalue.Bool(true)),
						plancheck.ExpectKnownValue(defaultAddr, tfjsonpath.New("b2b_direct_connect_outbound"), knownvalue.Null()),
					},
				},
				Check: func(*terraform.State) error {
					d := srv.CrossTenantDefaultJSON()
					if jsonObj(jsonObj(d["b2bDirectConnectOutbound"])["usersAndGroups"])["accessType"] != "blocked" {
						return fmt.Errorf("apply did not restore the system default for the unset setting: %v", d)
					}
					return nil
				},
			},
		},
	})
}

// Values Graph refuses fail the plan.
func TestAccCrossTenantDefault_BadInputs(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	redemption := func(order, fallback string) string {
		return fmt.Sprintf(`
  invitation_redemption = {
    primary_identity_provider_precedence_order = %s
    fallback_identity_provider                 = %q
  }
`, order, fallback)
	}
	steps := []resource.TestStep{
		{
			// A fallback provider in the primary order.
			Config:      defaultConfig(env, redemption(`["emailOneTimePasscode"]`, "defaultConfiguredIdp")),
			ExpectError: errorRE(`value must be one of: ["azureActiveDirectory" "externalFederation" "socialIdentityProviders"], got: "emailOneTimePasscode"`),
		},
		{
			Config:      defaultConfig(env, redemption(`["azureActiveDirectory", "azureActiveDirectory"]`, "defaultConfiguredIdp")),
			ExpectError: errorRE("This attribute contains duplicate values of", `"azureActiveDirectory"`),
		},
		{
			Config:      defaultConfig(env, redemption(`["azureActiveDirectory"]`, "externalFederation")),
			ExpectError: errorRE(`fallback_identity_provider value must be one of: ["defaultConfiguredIdp" "emailOneTimePasscode" "microsoftAccount"], got: "externalFederation"`),
		},
		{
			// Automatic redemption cannot be set on the default.
			Config:      defaultConfig(env, "  automatic_user_consent = { inbound_allowed = true, outbound_allowed = true }"),
			ExpectError: errorRE(`An argument named "automatic_user_consent" is not expected here.`),
		},
	}
	for i := range steps {
		steps[i].PlanOnly = true
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(), Steps: steps})
	if d := srv.CrossTenantDefaultJSON(); d["isServiceDefault"] != true {
		t.Fatal("a refused configuration reached Graph")
	}
}

// Changing the default needs Policy.ReadWrite.CrossTenantAccess.
func TestAccPermissions_CrossTenantDefaultNeedsPolicyReadWriteCrossTenantAccess(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t, emulator.PermPolicyReadAll)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      defaultConfig(env, defaultLockedDown),
			ExpectError: missingPermission("Error Updating Cross-Tenant Access Default", "Policy.ReadWrite.CrossTenantAccess"),
		}},
	})
	if d := srv.CrossTenantDefaultJSON(); d["isServiceDefault"] != true {
		t.Fatal("default changed without the write permission")
	}
}

// TestAccCrossTenantDefault_ServiceDefaultTrusted: when Graph reports the
// tenant's default as the untouched system default (isServiceDefault), the
// create replaces nothing and its plan does not warn, even when the
// default's representation differs from the provider's own copy of the
// system default. That can happen: no page documents the service default's
// redemption order, which the emulator is set to show differently here.
// Terraform prints warnings only on the CLI, so the test runs it directly.
func TestAccCrossTenantDefault_ServiceDefaultTrusted(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	if err := srv.SetServiceDefaultRedemption([]string{"externalFederation", "azureActiveDirectory", "socialIdentityProviders"}, "emailOneTimePasscode"); err != nil {
		t.Fatal(err)
	}
	if d := srv.CrossTenantDefaultJSON(); d["isServiceDefault"] != true {
		t.Fatalf("the emulator's default is not the service default: %v", d)
	}
	cli := newTFCLI(t, "1.5.0")
	cli.write("main.tf", requiredProviders+env.ProviderConfig()+`
resource "b2b_cross_tenant_access_default" "this" {
  inbound_trust = {
    mfa_accepted                  = true
    compliant_device_accepted     = false
    hybrid_joined_device_accepted = false
  }
}
`)
	cli.must("init", "-input=false", "-no-color")
	if out := planOutput(t, cli); strings.Contains(out, "Warning: Unset Default") {
		t.Fatalf("the create plan warns although Graph reports the default as the untouched system default:\n%s", out)
	}
}
