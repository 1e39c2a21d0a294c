package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

const guestAddr = "b2b_guest_user.test"

// userProp reads one property of a live user from the emulator.
func userProp(t *testing.T, srv *emulator.Server, id, prop string) any {
	t.Helper()
	u, ok := srv.User(id)
	if !ok {
		t.Fatalf("user %s is not in the emulator", id)
	}
	return u[prop]
}

// stateID captures the guest's object ID from state into *id.
func stateID(id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[guestAddr]
		if !ok {
			return fmt.Errorf("%s not in state", guestAddr)
		}
		*id = rs.Primary.ID
		return nil
	}
}

// expectUserProps checks properties of the user in the emulator (the
// source of truth), not only what the provider wrote to state.
func expectUserProps(srv *emulator.Server, id *string, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		u, ok := srv.User(*id)
		if !ok {
			return fmt.Errorf("user %s is not in the emulator", *id)
		}
		for k, v := range want {
			got := u[k]
			// Timestamps compare as instants (sameInstant): the emulator's
			// Latitude may store them with fractional seconds.
			if !sameInstant(fmt.Sprint(got), fmt.Sprint(v)) {
				return fmt.Errorf("emulator user %s: %s = %#v, want %#v", *id, k, got, v)
			}
		}
		return nil
	}
}

func invitationsFor(srv *emulator.Server, id string) []emulator.InvitationRecord {
	var out []emulator.InvitationRecord
	for _, r := range srv.Invitations() {
		if r.UserID == id {
			out = append(out, r)
		}
	}
	return out
}

// Without any profile attribute, create works with only User.Invite.All and
// a read permission: no PATCH is ever sent (least privilege).
func TestAccGuestUser_createWithoutProfileLeastPrivilege(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadAll))
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			// abandon: deleting needs User.ReadWrite.All, which this app lacks on purpose.
			Config: guestConfig(env, email, `on_destroy = "abandon"`),
			Check: resource.ComposeAggregateTestCheckFunc(
				stateID(&id),
				func(*terraform.State) error {
					c := srv.Counters()
					for k, n := range c {
						if strings.HasPrefix(k, "PATCH ") && n > 0 {
							return fmt.Errorf("create without profile sent %d %s", n, k)
						}
					}
					if got := len(invitationsFor(srv, id)); got != 1 {
						return fmt.Errorf("%d invitations for %s, want 1", got, id)
					}
					if inv := invitationsFor(srv, id)[0]; inv.SendInvitationMessage || inv.ResetRedemption {
						return fmt.Errorf("invitation %+v: want no email (default) and no reset", inv)
					}
					return nil
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("email"), knownvalue.StringExact(email)),
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("mail"), knownvalue.StringExact(email)),
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("user_type"), knownvalue.StringExact("Guest")),
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("invitation_state"), knownvalue.StringExact("PendingAcceptance")),
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("creation_type"), knownvalue.StringExact("Invitation")),
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("user_principal_name"), knownvalue.StringRegexp(regexp.MustCompile(`#EXT#@`))),
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("redeem_url"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
				// Unset profile attributes record Entra's values: "" for an
				// empty nullable property, the name Graph derived.
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("job_title"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("display_name"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("on_destroy"), knownvalue.StringExact("abandon")),
			},
		}},
		CheckDestroy: func(*terraform.State) error {
			if _, ok := srv.User(id); !ok {
				return fmt.Errorf("on_destroy = abandon deleted user %s", id)
			}
			return nil
		},
	})
}

// profileBody sets every profile attribute from a seed so two seeds differ in every field.
func profileBody(seed string) string {
	return fmt.Sprintf(`
  display_name       = "Alice %[1]s"
  given_name         = "Alice%[1]s"
  surname            = "Smith%[1]s"
  job_title          = "Buyer %[1]s"
  department         = "Purchasing %[1]s"
  company_name       = "Partner %[1]s"
  office_location    = "Building %[1]s"
  mobile_phone       = "+1 555 0100 %[1]s"
  fax_number         = "+1 555 0199 %[1]s"
  business_phones    = ["+1 555 0101 %[1]s"]
  usage_location     = "%[2]s"
  employee_id        = "E-%[1]s"
  employee_type      = "Contractor %[1]s"
  street_address     = "%[1]s Main Street"
  city               = "Springfield %[1]s"
  state              = "State %[1]s"
  postal_code        = "1000%[1]s"
  country            = "Country %[1]s"
  preferred_language = "%[3]s"
  other_mails        = ["alias-%[1]s@partner.example"]
  account_enabled    = %[4]t
`, seed, map[string]string{"1": "US", "2": "DE"}[seed], map[string]string{"1": "en-US", "2": "de-DE"}[seed], seed == "1")
}

func profileGraph(seed string) map[string]any {
	return map[string]any{
		"displayName": "Alice " + seed, "givenName": "Alice" + seed, "surname": "Smith" + seed,
		"jobTitle": "Buyer " + seed, "department": "Purchasing " + seed, "companyName": "Partner " + seed,
		"officeLocation": "Building " + seed, "mobilePhone": "+1 555 0100 " + seed, "faxNumber": "+1 555 0199 " + seed,
		"businessPhones": []any{"+1 555 0101 " + seed}, "usageLocation": map[string]string{"1": "US", "2": "DE"}[seed],
		"employeeId": "E-" + seed, "employeeType": "Contractor " + seed, "streetAddress": seed + " Main Street",
		"city": "Springfield " + seed, "state": "State " + seed, "postalCode": "1000" + seed, "country": "Country " + seed,
		"preferredLanguage": map[string]string{"1": "en-US", "2": "de-DE"}[seed],
		"otherMails":        []any{"alias-" + seed + "@partner.example"}, "accountEnabled": seed == "1",
	}
}

// Create with a full profile, update every field in place (never a
// replacement), then remove the fields: nothing changes in Entra (removing
// stops managing); clearing takes "" or [].
func TestAccGuestUser_profileCreateUpdateInPlace(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id, firstID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: guestConfig(env, email, profileBody("1")),
				Check: resource.ComposeAggregateTestCheckFunc(stateID(&id), stateID(&firstID),
					expectUserProps(srv, &id, profileGraph("1"))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("job_title"), knownvalue.StringExact("Buyer 1")),
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("business_phones"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("+1 555 0101 1")})),
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("other_mails"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("alias-1@partner.example")})),
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("account_enabled"), knownvalue.Bool(true)),
				},
			},
			{
				Config: guestConfig(env, email, profileBody("2")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(stateID(&id),
					func(*terraform.State) error {
						if id != firstID {
							return fmt.Errorf("object ID changed from %s to %s: the guest was replaced", firstID, id)
						}
						return nil
					},
					expectUserProps(srv, &id, profileGraph("2")),
					func(*terraform.State) error {
						if n := len(invitationsFor(srv, id)); n != 1 {
							return fmt.Errorf("a profile update sent an invitation: %d invitations", n)
						}
						return nil
					}),
			},
			{
				PreConfig: srv.ResetCounters,
				Config:    guestConfig(env, email, `display_name = "Alice 2"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(noPatch(srv), expectUserProps(srv, &id, profileGraph("2"))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("job_title"), knownvalue.StringExact("Buyer 2")),
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("account_enabled"), knownvalue.Bool(false)),
				},
			},
			{
				Config: guestConfig(env, email, `
  display_name    = "Alice 2"
  job_title       = ""
  city            = ""
  business_phones = []
  other_mails     = []
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
				}},
				Check: expectUserProps(srv, &id, map[string]any{
					"jobTitle": nil, "city": nil, "businessPhones": []any{}, "otherMails": []any{},
					"accountEnabled": false, "displayName": "Alice 2", "usageLocation": "DE",
				}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("job_title"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("usage_location"), knownvalue.StringExact("DE")),
				},
			},
		},
	})
}

// user_type changes in place with a PATCH, no new invitation.
func TestAccGuestUser_userTypeChange(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: guestConfig(env, email, ""), Check: stateID(&id)},
			{
				Config: guestConfig(env, email, `user_type = "Member"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectUserProps(srv, &id, map[string]any{"userType": "Member"}),
					resource.TestCheckResourceAttrPtr(guestAddr, "id", &id),
					func(*terraform.State) error {
						if n := len(invitationsFor(srv, id)); n != 1 {
							return fmt.Errorf("%d invitations, want 1", n)
						}
						return nil
					}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("user_type"), knownvalue.StringExact("Member")),
				},
			},
		},
	})
}

// Changing email keeps the object: the new address goes to otherMails and
// the invitation is re-sent with resetRedemption. A case-only change plans nothing.
func TestAccGuestUser_emailChangeWithoutReplacement(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	newEmail := env.Email(t, t.Name()+"-new")
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: guestConfig(env, email, ""), Check: stateID(&id)},
			{
				Config: guestConfig(env, strings.ToUpper(email), ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				Config: guestConfig(env, newEmail, `send_invitation_message = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(guestAddr, tfjsonpath.New("invitation_state")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(guestAddr, "id", &id),
					resource.TestCheckResourceAttr(guestAddr, "email", newEmail),
					func(*terraform.State) error {
						invs := invitationsFor(srv, id)
						if len(invs) != 2 {
							return fmt.Errorf("%d invitations for %s, want 2", len(invs), id)
						}
						last := invs[1]
						if !last.ResetRedemption || !strings.EqualFold(last.Email, newEmail) || !last.SendInvitationMessage {
							return fmt.Errorf("re-invitation %+v: want resetRedemption to %s with an email", last, newEmail)
						}
						mails, _ := userProp(t, srv, id, "otherMails").([]any)
						for _, m := range mails {
							if strings.EqualFold(fmt.Sprint(m), newEmail) {
								return nil
							}
						}
						return fmt.Errorf("otherMails %v lacks the new address %s", mails, newEmail)
					}),
			},
			{
				// Managing other_mails afterwards neither diffs on the invited
				// address nor drops it from the directory.
				Config: guestConfig(env, newEmail, `other_mails = ["alias@partner.example"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("other_mails"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("alias@partner.example")})),
				},
				Check: func(*terraform.State) error {
					mails, _ := userProp(t, srv, id, "otherMails").([]any)
					all := strings.ToLower(fmt.Sprint(mails, " ", userProp(t, srv, id, "mail")))
					if !strings.Contains(all, "alias@partner.example") || !strings.Contains(all, strings.ToLower(newEmail)) {
						return fmt.Errorf("mail and otherMails = %s, want the alias and %s", all, newEmail)
					}
					return nil
				},
			},
		},
	})
}

// Changing reinvite_trigger re-sends the invitation for the same object.
func TestAccGuestUser_reinviteTrigger(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: guestConfig(env, email, `reinvite_trigger = "1"`), Check: stateID(&id)},
			{
				PreConfig: func() { env.Redeem(t, id) },
				Config:    guestConfig(env, email, `reinvite_trigger = "2"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(guestAddr, "id", &id),
					resource.TestCheckResourceAttr(guestAddr, "invitation_state", "PendingAcceptance"),
					func(*terraform.State) error {
						invs := invitationsFor(srv, id)
						if len(invs) != 2 || !invs[1].ResetRedemption {
							return fmt.Errorf("invitations %+v: want a second one with resetRedemption", invs)
						}
						return nil
					}),
			},
			{
				// Removing the trigger sends nothing.
				Config: guestConfig(env, email, ""),
				Check: func(*terraform.State) error {
					if n := len(invitationsFor(srv, id)); n != 2 {
						return fmt.Errorf("removing reinvite_trigger sent an invitation (%d total)", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccGuestUser_onDestroy(t *testing.T) {
	t.Parallel()
	cases := map[string]func(srv *emulator.Server, id string) error{
		"delete": func(srv *emulator.Server, id string) error {
			if _, ok := srv.User(id); ok {
				return fmt.Errorf("user %s still live", id)
			}
			if !hasDeleted(srv, id) {
				return fmt.Errorf("user %s is not in deleted items (soft delete expected)", id)
			}
			return nil
		},
		"purge": func(srv *emulator.Server, id string) error {
			if _, ok := srv.User(id); ok {
				return fmt.Errorf("user %s still live", id)
			}
			if hasDeleted(srv, id) {
				return fmt.Errorf("user %s still in deleted items", id)
			}
			return nil
		},
		"disable": func(srv *emulator.Server, id string) error {
			u, ok := srv.User(id)
			if !ok {
				return fmt.Errorf("user %s was deleted", id)
			}
			if u["accountEnabled"] != false {
				return fmt.Errorf("accountEnabled = %v, want false", u["accountEnabled"])
			}
			return nil
		},
		"abandon": func(srv *emulator.Server, id string) error {
			u, ok := srv.User(id)
			if !ok || u["accountEnabled"] != true {
				return fmt.Errorf("abandon changed user %s: %v", id, u)
			}
			return nil
		},
	}
	for mode, check := range cases {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			env := acctest.New(t)
			srv := env.RequireEmulator(t)
			var id string
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config: guestConfig(env, env.Email(t, t.Name()), fmt.Sprintf("on_destroy = %q", mode)),
					Check:  stateID(&id),
				}},
				CheckDestroy: func(*terraform.State) error { return check(srv, id) },
			})
		})
	}
}

func hasDeleted(srv *emulator.Server, id string) bool {
	for _, u := range srv.DeletedUsers() {
		if u["id"] == id {
			return true
		}
	}
	return false
}

// Drift: an out-of-band edit of a managed property shows as an update,
// an unmanaged one never diffs, redemption changes invitation_state with no
// diff, and an out-of-band delete plans a re-create.
func TestAccGuestUser_drift(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	email := env.Email(t, t.Name())
	var id string
	cfg := guestConfig(env, email, `job_title = "Buyer"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: stateID(&id)},
			{
				PreConfig: func() {
					env.EditUser(t, id, graph.UserUpdate{Profile: map[string]string{"department": "Changed outside", "city": "Elsewhere"}})
					env.Redeem(t, id)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("invitation_state"), knownvalue.StringExact("Accepted")),
					// Unmanaged: recorded as Entra holds it, never a diff.
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("department"), knownvalue.StringExact("Changed outside")),
				},
			},
			{
				PreConfig: func() {
					env.EditUser(t, id, graph.UserUpdate{Profile: map[string]string{"jobTitle": "Edited outside"}})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(guestAddr, tfjsonpath.New("job_title"), knownvalue.StringExact("Buyer")),
				}},
			},
			{
				PreConfig: func() { env.DeleteUser(t, id); env.WaitDeleteReplicated() },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// Import by object ID and by email produce state that plans clean against
// a configuration that sets nothing optional, and an import block with
// -generate-config-out writes a configuration that plans clean.
func TestAccGuestUser_import(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	email := env.Email(t, t.Name())
	cfg := guestConfig(env, email, "")
	// Input-only attributes Graph does not store are not in the imported state.
	ignore := []string{"redirect_url", "redeem_url"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{ResourceName: guestAddr, Config: cfg, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: ignore},
			{ResourceName: guestAddr, Config: cfg, ImportState: true, ImportStateId: strings.ToUpper(email), ImportStateVerify: true,
				ImportStateVerifyIgnore: append(ignore, "email")},
		},
	})
}

func TestAccGuestUser_importBlockGenerateConfig(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	id, err := srv.SeedUser(emulator.SeedUser{Email: email, DisplayName: "Seeded Guest", UserType: "Guest",
		Props: map[string]any{"jobTitle": "Seeded"}})
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			ResourceName:    guestAddr,
			ImportStateId:   id,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
			GenerateConfig:  true,
			Config: env.ProviderConfigWith(`default_redirect_url = "https://myapps.microsoft.com"`) + fmt.Sprintf(`
import {
  to = b2b_guest_user.test
  id = %q
}
`, id),
			ImportStateConfigExact: true,
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionNoop),
				plancheck.ExpectKnownValue(guestAddr, tfjsonpath.New("email"), knownvalue.StringExact(email)),
				plancheck.ExpectKnownValue(guestAddr, tfjsonpath.New("job_title"), knownvalue.StringExact("Seeded")),
			}},
		}},
	})
}

// An existing address is an error naming the object ID and the import
// command; with adopt_existing the user is adopted and no invitation is sent.
func TestAccGuestUser_existingEmail(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	id := env.SeedUser(t, emulator.SeedUser{Email: email, DisplayName: "Existing", UserType: "Guest"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      guestConfig(env, email, ""),
				ExpectError: regexp.MustCompile(`(?s)Guest User Already Exists.*` + regexp.QuoteMeta(id) + `.*terraform import\s+b2b_guest_user.<resource\s+name>\s+` + regexp.QuoteMeta(id)),
			},
			{
				Config: guestConfig(env, email, "adopt_existing = true\n  job_title = \"Adopted\"\n  on_destroy = \"abandon\""),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(guestAddr, "id", id),
					func(*terraform.State) error {
						if n := len(srv.Invitations()); n != 0 {
							return fmt.Errorf("adopting sent %d invitations", n)
						}
						if c := srv.Counters()["POST /v1.0/invitations"]; c != 0 {
							return fmt.Errorf("adopting called POST /invitations %d times", c)
						}
						return nil
					},
					expectUserProps(srv, &id, map[string]any{"jobTitle": "Adopted"}),
				),
			},
		},
	})
}

// Graph needs seconds to replicate a new user; create waits for it.
func TestAccGuestUser_replicationLag(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithReplicationLag(6*time.Second))
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: guestConfig(env, email, `job_title = "Lagging"`),
			Check: resource.ComposeAggregateTestCheckFunc(stateID(&id),
				expectUserProps(srv, &id, map[string]any{"jobTitle": "Lagging"}),
				func(*terraform.State) error {
					if c := srv.Counters()["status:404"]; c == 0 {
						return fmt.Errorf("no 404 was observed: the lag was not exercised")
					}
					if n := len(invitationsFor(srv, id)); n != 1 {
						return fmt.Errorf("%d invitations, want exactly 1", n)
					}
					return nil
				}),
		}},
	})
}

// Plan-time validation: each bad input and its exact diagnostic.
func TestAccGuestUser_badInputs(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	cases := []struct {
		name, email, body string
		want              string
	}{
		{"email no at", "alice.partner.example", "", `(?s)Invalid Email Address.*email = "alice.partner.example".*The value of email is not an email address Microsoft Graph accepts: it has no @.*Accepted:`},
		{"email two ats", "a@b@partner.example", "", `(?s)Invalid Email Address.*email.*it has 2 @ characters`},
		{"email forbidden char", "al!ce@partner.example", "", `(?s)Invalid Email Address.*email.*it contains the character '!'`},
		{"email domain without dot", "alice@partner", "", `(?s)Invalid Email Address.*email.*the domain has no dot`},
		{"email leading dot", ".alice@partner.example", "", `(?s)Invalid Email Address.*email.*it starts with \.`},
		{"email trailing dash", "alice@partner.example-", "", `(?s)Invalid Email Address.*email.*it ends with -`},
		{"email whitespace", "al ice@partner.example", "", `(?s)Invalid Email Address.*email.*it contains whitespace`},
		{"redirect http", "a@partner.example", `redirect_url = "http://example.com"`, `(?s)Invalid URL.*redirect_url.*http is only allowed for a loopback host, and this host is not one.*Accepted: an absolute https:// URL`},
		{"redirect relative", "a@partner.example", `redirect_url = "/welcome"`, `(?s)Invalid URL.*redirect_url.*it is not absolute`},
		{"redirect ftp", "a@partner.example", `redirect_url = "ftp://example.com"`, `(?s)Invalid URL.*redirect_url.*its scheme is not https`},
		{"user_type", "a@partner.example", `user_type = "Admin"`, `(?s)user_type.*value must be one of.*"Guest".*"Member".*got: "Admin"`},
		{"on_destroy", "a@partner.example", `on_destroy = "shred"`, `(?s)on_destroy.*value must be one of.*"delete".*"purge".*"disable".*"abandon".*got: "shred"`},
		{"usage_location lower case", "a@partner.example", `usage_location = "us"`, `(?s)Invalid Usage Location.*usage_location.*Write it in upper case\.`},
		{"usage_location unknown", "a@partner.example", `usage_location = "UK"`, `(?s)Invalid Usage Location.*The value of usage_location is not an ISO 3166-1 alpha-2 country code`},
		{"business_phones two", "a@partner.example", `business_phones = ["1", "2"]`, `(?s)business_phones.*list must contain at most 1 elements`},
		{"other_mails bad", "a@partner.example", `other_mails = ["not-an-address"]`, `(?s)Invalid Email Address.*other_mails.*it has no @`},
		{"employee_id too long", "a@partner.example", `employee_id = "12345678901234567"`, `(?s)employee_id.*length must be between 1 and 16 characters as Microsoft Graph counts them.*got: 17`},
		{"usage_location empty", "a@partner.example", `usage_location = ""`, `(?s)Property Cannot Be Cleared.*usage_location is set to "", which would clear it in Entra, but Microsoft Graph documents it as not nullable`},
		{"display_name too long", "a@partner.example", `display_name = "` + strings.Repeat("x", 257) + `"`, `(?s)display_name.*length must be between 1 and 256 characters as Microsoft Graph counts them.*got: 257`},
		{"preferred_language", "a@partner.example", `preferred_language = "english"`, `(?s)Invalid Attribute Value Match.*preferred_language must be an ISO 639-1 language code.*got: english`},
		{"cc_recipient", "a@partner.example", "invitation_message {\n  cc_recipient = \"boss\"\n}", `(?s)Invalid Email Address.*cc_recipient.*it has no @`},
		{"language", "a@partner.example", "invitation_message {\n  language = \"klingon\"\n}", `(?s)Invalid Attribute Value Match.*invitation_message\.language must be an ISO 639 language code.*en-US.*got: klingon`},
		{"reinvite_trigger empty", "a@partner.example", `reinvite_trigger = ""`, `(?s)reinvite_trigger.*string length must be at least 1, got: 0`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:   guestConfig(env, c.email, c.body),
			PlanOnly: true,
			// Terraform wraps diagnostics at any space.
			ExpectError: regexp.MustCompile(strings.ReplaceAll(c.want, " ", `\s+`)),
		})
	}
	// Missing redirect URL when neither the resource nor the provider sets one.
	steps = append(steps, resource.TestStep{
		Config:      env.ProviderConfig() + guestResource("a@partner.example", ""),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Missing\s+Redirect\s+URL.*To\s+create\s+the\s+guest\s+user.*neither\s+redirect_url\s+nor\s+the\s+provider's\s+default_redirect_url\s+is\s+set`),
	})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(), Steps: steps})
}

// The provider's default_redirect_url and default_send_invitation_message apply.
func TestAccGuestUser_providerDefaults(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfigWith("default_redirect_url = \"https://myapps.microsoft.com\"\ndefault_send_invitation_message = true") +
				guestResource(email, `  invitation_message {
    body         = "Welcome aboard"
    cc_recipient = "sponsor@contoso.example"
  }`),
			Check: resource.ComposeAggregateTestCheckFunc(stateID(&id), func(*terraform.State) error {
				invs := invitationsFor(srv, id)
				if len(invs) != 1 || !invs[0].SendInvitationMessage || invs[0].Body != "Welcome aboard" ||
					len(invs[0].CcRecipients) != 1 || invs[0].CcRecipients[0] != "sponsor@contoso.example" {
					return fmt.Errorf("invitation %+v: want the provider default (email sent) and the message", invs)
				}
				return nil
			}),
		}},
	})
}

// Terraform 1.12+ imports by identity (object_id).
func TestAccGuestUser_importByIdentity(t *testing.T) {
	t.Parallel()
	acctest.SkipUnlessCLISupports(t, acctest.FeatureResourceIdentity)
	env := acctest.New(t)
	email := env.Email(t, t.Name())
	// A plannable import must be a no-op; redirect_url is not stored by
	// Graph, so it comes from the provider default here.
	cfg := importConfig(env, email, "", "")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectIdentityValueMatchesStateAtPath(guestAddr, tfjsonpath.New("object_id"), tfjsonpath.New("id")),
			}},
			{ResourceName: guestAddr, Config: cfg, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

// The b2b_resend_invitation action (Terraform 1.14+) re-sends with
// resetRedemption and changes no state.
func TestAccResendInvitationAction(t *testing.T) {
	t.Parallel()
	acctest.SkipUnlessCLISupports(t, acctest.FeatureActions)
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id string
	base := guestConfig(env, email, "")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: base, Check: stateID(&id)},
			{
				Config: base + fmt.Sprintf(`
action "b2b_resend_invitation" "again" {
  config {
    email        = %q
    redirect_url = "https://myapps.microsoft.com"
  }
}

resource "terraform_data" "trigger" {
  input = "1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.b2b_resend_invitation.again]
    }
  }
}
`, email),
				Check: func(*terraform.State) error {
					invs := invitationsFor(srv, id)
					if len(invs) != 2 || !invs[1].ResetRedemption || !invs[1].SendInvitationMessage {
						return fmt.Errorf("invitations %+v: want a second one with resetRedemption and an email", invs)
					}
					return nil
				},
			},
		},
	})
}
