package provider_test

import (
	"fmt"
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

const (
	syncAddr = "b2b_cross_tenant_identity_sync.test"
	// syncRoute is the emulator's counter name of the policy's path.
	syncRoute = "/v1.0/policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization"
)

func syncConfig(env *acctest.Env, tenantID, body string) string {
	return partnerConfig(env, tenantID, "") + fmt.Sprintf(`
resource "b2b_cross_tenant_identity_sync" "test" {
  tenant_id = b2b_cross_tenant_access_partner.test.tenant_id
%s
}
`, body)
}

// lonelySyncConfig declares a sync policy for tenantID with no partner
// resource in the configuration (it may exist out of band, or not at all).
func lonelySyncConfig(env *acctest.Env, tenantID string) string {
	return env.ProviderConfig() + fmt.Sprintf(`
resource "b2b_cross_tenant_identity_sync" "test" {
  tenant_id                 = %q
  user_sync_inbound_allowed = true
}
`, tenantID)
}

// Create after the partner, update, drift, import, destroy before the partner.
func TestAccCrossTenantIdentitySync_Lifecycle(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	tenant := acctest.NewGUID()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if _, ok := srv.IdentitySyncJSON(tenant); ok {
				return fmt.Errorf("identity synchronization policy of %s still exists", tenant)
			}
			return partnerGone(srv, tenant)(nil)
		},
		Steps: []resource.TestStep{
			{
				Config: syncConfig(env, tenant, `  display_name = "Fabrikam"
  user_sync_inbound_allowed = true`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(syncAddr, tfjsonpath.New("user_sync_inbound_allowed"), knownvalue.Bool(true)),
				},
				Check: func(*terraform.State) error {
					s, ok := srv.IdentitySyncJSON(tenant)
					if !ok || s["displayName"] != "Fabrikam" || jsonObj(s["userSyncInbound"])["isSyncAllowed"] != true {
						return fmt.Errorf("policy in Graph: %v", s)
					}
					return nil
				},
			},
			{
				Config: syncConfig(env, tenant, `  user_sync_inbound_allowed = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(syncAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(syncAddr, tfjsonpath.New("display_name"), knownvalue.Null()),
				},
				// The update is the documented PATCH (display name sent as
				// null to clear it), not a second PUT, which the docs give
				// as the create method only.
				Check: func(*terraform.State) error {
					n := srv.Counters()
					if put, patch := n["PUT "+syncRoute], n["PATCH "+syncRoute]; put != 1 || patch != 1 {
						return fmt.Errorf("PUT sent %d times, PATCH %d times; want 1 and 1", put, patch)
					}
					if s, _ := srv.IdentitySyncJSON(tenant); s["displayName"] != nil || jsonObj(s["userSyncInbound"])["isSyncAllowed"] != false {
						return fmt.Errorf("policy in Graph after the update: %v", s)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					if err := srv.PatchIdentitySync(tenant, []byte(`{"userSyncInbound": {"isSyncAllowed": true}}`)); err != nil {
						t.Fatal(err)
					}
				},
				Config: syncConfig(env, tenant, `  user_sync_inbound_allowed = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(syncAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(syncAddr, tfjsonpath.New("user_sync_inbound_allowed"), knownvalue.Bool(false)),
					},
				},
			},
			{
				ResourceName:            syncAddr,
				ImportState:             true,
				ImportStateId:           tenant,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

// Graph deletes no partner configuration that still has a user
// synchronization policy
// (https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-delete).
// A policy made outside Terraform makes the destroy fail with a diagnostic
// that says what to do; once the policy is gone the destroy succeeds.
func TestAccCrossTenantPartner_DeleteRefusedWhileIdentitySyncExists(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	tenant := acctest.NewGUID()
	cfg := partnerConfig(env, tenant, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		CheckDestroy:             partnerGone(srv, tenant),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					if err := srv.PutIdentitySync(tenant, []byte(`{"userSyncInbound": {"isSyncAllowed": true}}`)); err != nil {
						t.Fatal(err)
					}
				},
				Config:  cfg,
				Destroy: true,
				ExpectError: errorRE("Cross-Tenant Access Partner Has An Identity Sync Policy",
					"still has a user synchronization policy", "Destroy the b2b_cross_tenant_identity_sync for this tenant first"),
			},
			{
				PreConfig: func() {
					if _, ok := srv.CrossTenantPartnerJSON(tenant); !ok {
						t.Fatal("the refused destroy deleted the partner configuration")
					}
					srv.DeleteIdentitySync(tenant)
				},
				Config: cfg,
			},
		},
	})
}

// Without a partner entry Graph answers 404; the diagnostic says to
// create the partner first, and only that: the generic not-found hint
// (replicas, "run terraform plan again to see the deletion") does not
// follow it, since nothing was deleted.
func TestAccCrossTenantIdentitySync_NeedsPartner(t *testing.T) {
	t.Parallel()
	env, _ := ctEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: lonelySyncConfig(env, acctest.NewGUID()),
			ExpectError: errorRE("Error Creating Cross-Tenant Identity Sync", "has no partner configuration for",
				"Create it first with b2b_cross_tenant_access_partner",
				"take a few seconds to become visible; apply again). Cause: PUT"),
		}},
	})
}

// Writing the policy needs Policy.ReadWrite.CrossTenantAccess.
func TestAccPermissions_CrossTenantIdentitySyncNeedsPolicyReadWriteCrossTenantAccess(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t, emulator.PermPolicyReadAll)
	tenant := acctest.NewGUID()
	if err := srv.SeedCrossTenantPartner(tenant, nil); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      lonelySyncConfig(env, tenant),
			ExpectError: missingPermission("Error Creating Cross-Tenant Identity Sync", "Policy.ReadWrite.CrossTenantAccess"),
		}},
	})
}

// Without any policy permission the look-up before the create fails, and
// names the permission the create needs (it covers the look-up), not the
// read-only Policy.Read.All.
func TestAccPermissions_CrossTenantIdentitySyncLookupNamesWritePermission(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t, emulator.PermUserReadAll)
	tenant := acctest.NewGUID()
	if err := srv.SeedCrossTenantPartner(tenant, nil); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: lonelySyncConfig(env, tenant),
			ExpectError: errorRE("Error Reading Cross-Tenant Identity Sync", "before creating one",
				"is missing the Microsoft Graph application permission Policy.ReadWrite.CrossTenantAccess.",
				"This look-up alone needs only Policy.Read.All"),
		}},
	})
}
