package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

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

// migratedGuest is a guest that exists before Terraform, with a profile,
// as the CSV migration finds it: some properties set, some empty.
var migratedGuestProps = map[string]any{
	"jobTitle": "Buyer", "companyName": "Partner Ltd", "department": "Purchasing",
	"usageLocation": "DE", "preferredLanguage": "de-DE", "city": "Berlin",
	"businessPhones": []any{"+49 30 1234"}, "otherMails": []any{"alias@partner.example"},
	"accountEnabled": true,
}

// migratedGuestBody is the configuration that says exactly what the
// directory holds, including an empty property written as "" (an empty
// CSV cell passed through) and the lists.
func migratedGuestBody(jobTitle string) string {
	return fmt.Sprintf(`
  display_name       = "Mia Migrated"
  job_title          = %q
  company_name       = "Partner Ltd"
  department         = "Purchasing"
  usage_location     = "DE"
  preferred_language = "de-DE"
  city               = "Berlin"
  office_location    = ""
  business_phones    = ["+49 30 1234"]
  other_mails        = ["alias@partner.example"]
  account_enabled    = true
`, jobTitle)
}

func seedMigratedGuest(t *testing.T, srv *emulator.Server, email string) string {
	t.Helper()
	id, err := srv.SeedUser(emulator.SeedUser{Email: email, DisplayName: "Mia Migrated", UserType: "Guest",
		ExternalUserState: "Accepted", Props: migratedGuestProps})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// expectChangedAttributes checks that the planned change of the guest
// (guestAddr) differs from its prior state in exactly the named top-level
// attributes: an import that matches the directory changes nothing, and a
// real difference shows alone, not buried among every configured attribute.
func expectChangedAttributes(names ...string) plancheck.PlanCheck {
	return changedAttributesCheck{addr: guestAddr, want: names}
}

type changedAttributesCheck struct {
	addr string
	want []string
}

func (c changedAttributesCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		var got []string
		for k := range after {
			if u, _ := unknown[k].(bool); u || fmt.Sprint(before[k]) != fmt.Sprint(after[k]) {
				got = append(got, k)
			}
		}
		sort.Strings(got)
		want := append([]string{}, c.want...)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			resp.Error = fmt.Errorf("%s: the plan changes %v, want exactly %v", c.addr, got, want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}

// noPatch fails when any PATCH reached the emulator since the last counter reset.
func noPatch(srv *emulator.Server) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := patchCount(srv); n > 0 {
			return fmt.Errorf("%d PATCH requests sent; want none", n)
		}
		return nil
	}
}

// An import block whose configuration says what the directory holds plans
// nothing (issue 11 item 7): not one "+ display_name" per configured
// attribute. The apply only imports, and sends no PATCH.
func TestAccGuestUser_importBlockMatchingConfigIsNoop(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	id := seedMigratedGuest(t, srv, email)
	cfg := importConfig(env, email, migratedGuestBody("Buyer"), fmt.Sprintf(`
import {
  to = b2b_guest_user.test
  id = %q
}
`, id))
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				PreConfig: srv.ResetCounters,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionNoop),
					expectChangedAttributes(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(noPatch(srv),
					resource.TestCheckResourceAttr(guestAddr, "id", id)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("office_location"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("usage_location"), knownvalue.StringExact("DE")),
				},
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// With one real difference, the import plan changes that attribute alone,
// and the apply PATCHes it alone.
func TestAccGuestUser_importBlockShowsOnlyRealDifferences(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	id := seedMigratedGuest(t, srv, email)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			PreConfig: srv.ResetCounters,
			Config: importConfig(env, email, migratedGuestBody("Senior Buyer"), fmt.Sprintf(`
import {
  to = b2b_guest_user.test
  id = %q
}
`, id)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
				expectChangedAttributes("job_title"),
				plancheck.ExpectKnownValue(guestAddr, tfjsonpath.New("job_title"), knownvalue.StringExact("Senior Buyer")),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				expectUserProps(srv, &id, map[string]any{"jobTitle": "Senior Buyer", "companyName": "Partner Ltd", "usageLocation": "DE"}),
				func(*terraform.State) error {
					if n := srv.Counters()["PATCH /v1.0/users/{id}"]; n != 1 {
						return fmt.Errorf("%d PATCH /users/{id}, want 1 (job_title only)", n)
					}
					return nil
				}),
		}},
	})
}

// terraform import (the command), by object ID and by email, then a plan
// against a configuration equal to the directory: empty. An attribute the
// configuration does not set (department, city) is recorded, never diffs.
func TestAccGuestUser_importCommandMatchingConfigIsNoop(t *testing.T) {
	t.Parallel()
	for name, byEmail := range map[string]bool{"by_id": false, "by_email": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := acctest.New(t)
			srv := env.RequireEmulator(t)
			email := env.Email(t, t.Name())
			id := seedMigratedGuest(t, srv, email)
			importID := id
			if byEmail {
				importID = strings.ToUpper(email)
			}
			body := strings.NewReplacer(`  department         = "Purchasing"`+"\n", "", `  city               = "Berlin"`+"\n", "").Replace(migratedGuestBody("Buyer"))
			cfg := importConfig(env, email, body, "")
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{
					{ResourceName: guestAddr, Config: cfg, ImportState: true, ImportStateId: importID, ImportStatePersist: true},
					{
						PreConfig: srv.ResetCounters,
						Config:    cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("department"), knownvalue.StringExact("Purchasing")),
						},
						Check: noPatch(srv),
					},
				},
			})
		})
	}
}

// Import by resource identity (Terraform 1.12+) with a configuration equal
// to the directory plans nothing.
func TestAccGuestUser_importByIdentityMatchingConfigIsNoop(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	id := seedMigratedGuest(t, srv, email)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: importConfig(env, email, migratedGuestBody("Buyer"), fmt.Sprintf(`
import {
  to       = b2b_guest_user.test
  identity = { object_id = %q }
}
`, id)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionNoop),
				expectChangedAttributes(),
			}},
		}},
	})
}

// Removing a profile attribute from the configuration stops managing it
// and leaves Entra's value, for every class of property: nullable strings
// (job_title), a not-nullable one (usage_location: Graph answers 400 to
// null), one that cannot be cleared (display_name), the lists and
// account_enabled. The plan is empty and no PATCH is sent, so no
// `"usageLocation": null` ever reaches Graph (issue 17 item 1). Clearing
// is explicit: "" for a nullable string, [] for a list; "" on
// usage_location is refused at plan time.
func TestAccGuestUser_removeAttributeKeepsEntraValue(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id string
	full := guestConfig(env, email, profileBody("1"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: full, Check: stateID(&id)},
			{
				PreConfig: srv.ResetCounters,
				Config:    guestConfig(env, email, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(noPatch(srv), expectUserProps(srv, &id, profileGraph("1"))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("usage_location"), knownvalue.StringExact("US")),
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("job_title"), knownvalue.StringExact("Buyer 1")),
				},
			},
			{
				// Unmanaged now: an out-of-band edit never diffs.
				PreConfig: func() {
					env.EditUser(t, id, graph.UserUpdate{Profile: map[string]string{"jobTitle": "Edited outside", "usageLocation": "FR"}})
				},
				Config: guestConfig(env, email, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("job_title"), knownvalue.StringExact("Edited outside")),
				},
			},
			{
				Config:      guestConfig(env, email, `usage_location = ""`),
				ExpectError: regexp.MustCompile(`(?s)Property Cannot Be Cleared.*usage_location is set to "", which would clear it.*documents it\s+as not nullable`),
			},
			{
				Config:      guestConfig(env, email, `display_name = ""`),
				ExpectError: regexp.MustCompile(`(?s)Property Cannot Be Cleared.*display_name is set to "".*cannot be\s+cleared during updates`),
			},
			{
				PreConfig: srv.ResetCounters,
				Config: guestConfig(env, email, `
  job_title       = ""
  fax_number      = ""
  business_phones = []
  other_mails     = []
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
					expectChangedAttributes("job_title", "fax_number", "business_phones", "other_mails"),
				}},
				Check: expectUserProps(srv, &id, map[string]any{
					"jobTitle": nil, "faxNumber": nil, "businessPhones": []any{}, "otherMails": []any{},
					"usageLocation": "FR", "displayName": "Alice 1", "accountEnabled": true,
				}),
			},
			{
				Config: guestConfig(env, email, `
  job_title       = ""
  fax_number      = ""
  business_phones = []
  other_mails     = []
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}
