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

const collabAddr = "b2b_external_collaboration_settings.test"

func collabConfig(env *acctest.Env, body string) string {
	return env.ProviderConfig() + fmt.Sprintf("resource \"b2b_external_collaboration_settings\" \"test\" {\n%s\n}\n", body)
}

// collabEnv is an emulator whose default app may read and write the
// authorization policy and nothing else.
func collabEnv(t *testing.T) (*acctest.Env, *emulator.Server) {
	t.Helper()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermPolicyReadWriteAuthorization))
	return env, env.RequireEmulator(t)
}

// policyIs checks the emulator's authorization policy property by property.
func policyIs(srv *emulator.Server, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := srv.AuthorizationPolicy()
		for k, v := range want {
			if got[k] != v {
				return fmt.Errorf("authorizationPolicy.%s = %v, want %v", k, got[k], v)
			}
		}
		return nil
	}
}

func collabAttr(name string, want knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(collabAddr, tfjsonpath.New(name), want)
}

// Create adopts the policy and sets only what is configured; an update
// patches the change in place; destroy leaves the tenant's values.
func TestAccExternalCollaborationSettings_Lifecycle(t *testing.T) {
	t.Parallel()
	env, srv := collabEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: collabConfig(env, `  allow_invites_from = "adminsAndGuestInviters"
  guest_user_access  = "restricted"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(collabAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					collabAttr("id", knownvalue.StringExact("authorizationPolicy")),
					collabAttr("allow_invites_from", knownvalue.StringExact("adminsAndGuestInviters")),
					collabAttr("guest_user_access", knownvalue.StringExact("restricted")),
					// Not configured: read from the tenant, unchanged.
					collabAttr("allow_email_verified_users_to_join", knownvalue.Bool(true)),
					collabAttr("allowed_to_sign_up_email_based_subscriptions", knownvalue.Bool(true)),
				},
				Check: policyIs(srv, map[string]any{
					"allowInvitesFrom": "adminsAndGuestInviters", "guestUserRoleId": emulator.GuestRoleRestricted,
					"allowEmailVerifiedUsersToJoinOrganization": true,
				}),
			},
			{
				Config: collabConfig(env, `  allow_invites_from                 = "none"
  guest_user_access                  = "restricted"
  allow_email_verified_users_to_join = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(collabAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					collabAttr("allow_invites_from", knownvalue.StringExact("none")),
					collabAttr("allow_email_verified_users_to_join", knownvalue.Bool(false)),
				},
				Check: policyIs(srv, map[string]any{
					"allowInvitesFrom": "none", "guestUserRoleId": emulator.GuestRoleRestricted,
					"allowEmailVerifiedUsersToJoinOrganization": false,
				}),
			},
		},
		// Destroy removes the resource from state only.
		CheckDestroy: policyIs(srv, map[string]any{
			"allowInvitesFrom": "none", "guestUserRoleId": emulator.GuestRoleRestricted,
			"allowEmailVerifiedUsersToJoinOrganization": false,
		}),
	})
}

// A change made in the portal to a managed attribute shows as an update
// and the apply puts the configured value back; a change to an attribute
// the configuration leaves unset is only reported.
func TestAccExternalCollaborationSettings_Drift(t *testing.T) {
	t.Parallel()
	env, srv := collabEnv(t)
	cfg := collabConfig(env, `  allow_invites_from = "adminsAndGuestInviters"
  guest_user_access  = "limited"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					if err := srv.PatchAuthorizationPolicy(map[string]any{
						"allowInvitesFrom": "everyone", "guestUserRoleId": emulator.GuestRoleSameAsMember,
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(collabAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(collabAddr, tfjsonpath.New("allow_invites_from"), knownvalue.StringExact("adminsAndGuestInviters")),
					plancheck.ExpectKnownValue(collabAddr, tfjsonpath.New("guest_user_access"), knownvalue.StringExact("limited")),
				}},
				Check: policyIs(srv, map[string]any{"allowInvitesFrom": "adminsAndGuestInviters", "guestUserRoleId": emulator.GuestRoleLimited}),
			},
			{
				PreConfig: func() {
					if err := srv.PatchAuthorizationPolicy(map[string]any{"allowedToSignUpEmailBasedSubscriptions": false}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					collabAttr("allowed_to_sign_up_email_based_subscriptions", knownvalue.Bool(false)),
				},
			},
		},
	})
}

// The singleton imports by its fixed ID and the plan after is empty; any
// other ID is refused with the one that works.
func TestAccExternalCollaborationSettings_Import(t *testing.T) {
	t.Parallel()
	env, srv := collabEnv(t)
	if err := srv.PatchAuthorizationPolicy(map[string]any{"allowInvitesFrom": "adminsGuestInvitersAndAllMembers"}); err != nil {
		t.Fatal(err)
	}
	cfg := collabConfig(env, `  allow_invites_from = "adminsGuestInvitersAndAllMembers"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				ResourceName:  collabAddr,
				Config:        cfg,
				ImportState:   true,
				ImportStateId: "policy",
				ExpectError:   errorRE("Unexpected Import Identifier", `Import it with the ID "authorizationPolicy".`),
			},
			{
				ResourceName:       collabAddr,
				Config:             cfg,
				ImportState:        true,
				ImportStateId:      "authorizationPolicy",
				ImportStatePersist: true,
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if len(s) != 1 || s[0].Attributes["allow_invites_from"] != "adminsGuestInvitersAndAllMembers" ||
						s[0].Attributes["guest_user_access"] != "limited" {
						return fmt.Errorf("imported %v", s)
					}
					return nil
				},
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Values outside the documented sets are refused at plan time.
func TestAccExternalCollaborationSettings_BadInputs(t *testing.T) {
	t.Parallel()
	env, srv := collabEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      collabConfig(env, `  guest_user_access = "guest"`),
				ExpectError: errorRE(`Attribute guest_user_access value must be one of: ["same_as_member" "limited" "restricted"], got: "guest"`),
			},
			{
				Config: collabConfig(env, `  allow_invites_from = "anyone"`),
				ExpectError: errorRE(`Attribute allow_invites_from value must be one of: ["none" "adminsAndGuestInviters"`,
					`"adminsGuestInvitersAndAllMembers" "everyone"], got: "anyone"`),
			},
		},
	})
	if n := srv.Counters()["PATCH /v1.0/policies/authorizationPolicy"]; n != 0 {
		t.Fatalf("%d PATCH requests sent for refused values", n)
	}
}

// b2b_external_collaboration_settings writes with Policy.ReadWrite.Authorization;
// Policy.Read.All alone is refused and the diagnostic says what to grant.
func TestAccPermissions_ExternalCollaborationSettingsNeedsPolicyReadWriteAuthorization(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermPolicyReadAll))
	srv := env.RequireEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      collabConfig(env, `  allow_invites_from = "none"`),
			ExpectError: missingPermission("Error Setting External Collaboration Settings", "Policy.ReadWrite.Authorization"),
		}},
	})
	if got := srv.AuthorizationPolicy()["allowInvitesFrom"]; got != "everyone" {
		t.Fatalf("allowInvitesFrom = %v after a refused PATCH", got)
	}
}

// Policy.Read.All is enough to import and refresh the settings (the docs
// say it reads only): the plan after the import is empty.
func TestAccExternalCollaborationSettings_ReadWithPolicyReadAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermPolicyReadAll))
	env.RequireEmulator(t)
	cfg := collabConfig(env, `  allow_invites_from = "everyone"
  guest_user_access  = "limited"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				ResourceName:       collabAddr,
				Config:             cfg,
				ImportState:        true,
				ImportStateId:      "authorizationPolicy",
				ImportStatePersist: true,
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
