package provider_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// Sign-in activity (issue 15, part 2): read with the refresh when the
// provider opts in, never a reason to plan, and Graph's two refusals
// (permission, licence) explained.

const signInOptIn = "read_sign_in_activity = true"

// grantAuditLog adds AuditLog.Read.All to the default app.
func grantAuditLog(env *acctest.Env, srv *emulator.Server) {
	srv.SetPermissions(env.App().ClientID, append(append([]string(nil), env.App().Permissions...), emulator.PermAuditLogReadAll))
}

// daysAgo is a whole-second UTC time n days before now.
func daysAgo(n int) time.Time {
	return time.Now().UTC().Truncate(time.Second).Add(-time.Duration(n) * 24 * time.Hour)
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// TestAccSignInActivity_ReadWithRefreshPlansNothing: with the opt-in the
// guest's sign-ins are in the resource and both data sources; a sign-in
// out of band changes them at refresh and the plan stays empty; the reads
// cost no request beyond those made without the opt-in.
func TestAccSignInActivity_ReadWithRefreshPlansNothing(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	grantAuditLog(env, srv)
	email := env.Email(t, t.Name())
	cfg := env.ProviderConfigWith(signInOptIn) + guestResource(email, `  redirect_url = "https://myapps.microsoft.com"`) + `
data "b2b_guest_user" "one" {
  object_id = b2b_guest_user.test.id
}

data "b2b_guest_users" "all" {}
`
	var id string
	var withSignIn, without emulator.Counters
	last, success := daysAgo(3), daysAgo(2)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.TestCheckResourceAttrWith("b2b_guest_user.test", "id", func(v string) error {
					id = v
					return nil
				}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("b2b_guest_user.test", tfjsonpath.New("last_sign_in_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue("b2b_guest_user.test", tfjsonpath.New("last_successful_sign_in_at"), knownvalue.Null()),
				},
			},
			{
				PreConfig: func() {
					if err := srv.SetSignInActivity(id, emulator.SignInTimes{LastSignIn: &last, LastSuccessfulSignIn: &success}); err != nil {
						t.Fatal(err)
					}
					srv.ResetCounters()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("b2b_guest_user.test", tfjsonpath.New("last_sign_in_at"), knownvalue.StringExact(rfc(last))),
					statecheck.ExpectKnownValue("b2b_guest_user.test", tfjsonpath.New("last_successful_sign_in_at"), knownvalue.StringExact(rfc(success))),
					statecheck.ExpectKnownValue("b2b_guest_user.test", tfjsonpath.New("last_non_interactive_sign_in_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.b2b_guest_user.one", tfjsonpath.New("last_successful_sign_in_at"), knownvalue.StringExact(rfc(success))),
					statecheck.ExpectKnownValue("data.b2b_guest_users.all", tfjsonpath.New("guests").AtSliceIndex(0).AtMapKey("last_sign_in_at"),
						knownvalue.StringExact(rfc(last))),
				},
			},
			{
				// A change the resource plans away (the email's letter case)
				// leaves the known sign-in times as they are: still no plan.
				Config: strings.Replace(cfg, email, strings.ToUpper(email), 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// A real update plans the sign-in times as known after apply,
				// so a sign-in during the apply cannot make the result differ.
				Config: strings.Replace(cfg, `redirect_url`, "display_name = \"Renamed\"\n  redirect_url", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("b2b_guest_user.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue("b2b_guest_user.test", tfjsonpath.New("last_sign_in_at")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("b2b_guest_user.test", tfjsonpath.New("last_sign_in_at"), knownvalue.StringExact(rfc(last))),
				},
			},
			{
				// A later sign-in: refresh only, no plan.
				PreConfig: func() {
					now := daysAgo(0)
					if err := srv.SetSignInActivity(id, emulator.SignInTimes{LastSignIn: &now, LastSuccessfulSignIn: &now, LastNonInteractiveSignIn: &now}); err != nil {
						t.Fatal(err)
					}
					srv.ResetCounters()
				},
				Config:   cfg,
				PlanOnly: true,
			},
			{
				// The same plan without the opt-in makes exactly the same
				// requests: sign-in activity comes with the user reads the
				// refresh makes anyway, never as a request of its own.
				PreConfig: func() {
					withSignIn = srv.Counters()
					srv.ResetCounters()
				},
				Config:   env.ProviderConfig() + cfg[len(env.ProviderConfigWith(signInOptIn)):],
				PlanOnly: true,
			},
			{
				PreConfig: func() { without = srv.Counters() },
				Config:    cfg,
				PlanOnly:  true,
			},
		},
	})
	if total(withSignIn) == 0 || total(withSignIn) != total(without) {
		t.Errorf("a plan reading sign-in activity made %d requests %v, one without made %d %v: want the same number",
			total(withSignIn), withSignIn, total(without), without)
	}
}

// TestAccSignInActivity_NotReadPlansNull: without the opt-in the sign-in
// times can only be null, so the plans of a create, a profile update and a
// re-invitation say null rather than "(known after apply)", which would be
// three lines of noise in every plan a reviewer reads.
func TestAccSignInActivity_NotReadPlansNull(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	// Not t.Name(): the emulator takes a $filter that mentions
	// signInActivity anywhere, even inside an address, for a sign-in read.
	email := env.Email(t, "sign-ins-not-read")
	signInsNull := func(addr string) []plancheck.PlanCheck {
		var out []plancheck.PlanCheck
		for _, attr := range []string{"last_sign_in_at", "last_non_interactive_sign_in_at", "last_successful_sign_in_at"} {
			out = append(out, plancheck.ExpectKnownValue(addr, tfjsonpath.New(attr), knownvalue.Null()))
		}
		return out
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: guestConfig(env, email, `  display_name = "Before"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: append(signInsNull(guestAddr), plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionCreate)),
				},
			},
			{
				Config: guestConfig(env, email, `  display_name = "After"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: append(signInsNull(guestAddr), plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate)),
				},
			},
			{
				Config: guestConfig(env, email, "  display_name = \"After\"\n  reinvite_trigger = \"1\""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: append(signInsNull(guestAddr),
						plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(guestAddr, tfjsonpath.New("invitation_state"))),
				},
			},
		},
	})
}

// total is the number of Graph requests that crossed the wire: each
// counter less the $batch items counted under the same key.
func total(c emulator.Counters) int {
	n := 0
	for k, v := range c {
		if strings.HasPrefix(k, "GET /v1.0/") || strings.HasPrefix(k, "POST /v1.0/") {
			n += v - c[emulator.BatchItemCounterPrefix+k]
		}
	}
	return n
}

// TestAccSignInActivity_MissingPermission: without AuditLog.Read.All the
// read fails naming the permission and the way out; without the opt-in the
// same app reads the guest, with null sign-in attributes.
func TestAccSignInActivity_MissingPermission(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	id := seedGuest(t, env)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderConfigWith(signInOptIn) + dataSourceByID(id),
				ExpectError: errorRE("Error Reading User",
					"returns sign-in activity only to an application with the permission AuditLog.Read.All",
					"or set read_sign_in_activity = false",
					"Authentication_MSGraphPermissionMissing"),
			},
			{
				Config: env.ProviderConfig() + dataSourceByID(id),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("last_sign_in_at"), knownvalue.Null()),
				},
			},
		},
	})
}

// TestAccSignInActivity_NoPremiumLicence: with the permission but in a
// tenant without Entra ID P1/P2, the read fails saying so.
func TestAccSignInActivity_NoPremiumLicence(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	grantAuditLog(env, srv)
	srv.SetPremiumLicense(false)
	id := seedGuest(t, env)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfigWith(signInOptIn) + dataSourceByID(id),
			ExpectError: errorRE("Error Reading User",
				"only in a tenant with a Microsoft Entra ID P1 or P2 licence",
				"or set read_sign_in_activity = false",
				"Authentication_RequestFromNonPremiumTenantOrB2CTenant"),
		}},
	})
}
