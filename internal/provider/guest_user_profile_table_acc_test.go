package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// The attributes added as one row each of the user-property table
// (age_group, consent_provided_for_minor) behave like every profile
// string: set, changed and cleared with "" in Entra, drift shown, removal
// unmanaged, values outside the enumeration refused at plan time.
func TestAccGuestUserProfileTable_newAttributes(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id string
	cfg := func(age, consent, fax string) string {
		return guestConfig(env, email, fmt.Sprintf("age_group = %q\nconsent_provided_for_minor = %q\nfax_number = %q", age, consent, fax))
	}
	state := func(attr string, want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New(attr), knownvalue.StringExact(want))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      guestConfig(env, email, `age_group = "Child"`),
				ExpectError: regexp.MustCompile(`value must be one of: \["Minor" "NotAdult" "Adult"\]`),
			},
			{
				Config: cfg("Adult", "NotRequired", "+1 555 0100"),
				Check: resource.ComposeAggregateTestCheckFunc(stateID(&id),
					expectUserProps(srv, &id, map[string]any{"ageGroup": "Adult", "consentProvidedForMinor": "NotRequired", "faxNumber": "+1 555 0100"})),
				ConfigStateChecks: []statecheck.StateCheck{state("age_group", "Adult"), state("consent_provided_for_minor", "NotRequired")},
			},
			{
				Config: cfg("Minor", "Granted", "+1 555 0199"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
				}},
				Check: expectUserProps(srv, &id, map[string]any{"ageGroup": "Minor", "consentProvidedForMinor": "Granted", "faxNumber": "+1 555 0199"}),
			},
			{
				// "" clears in Entra (sent as null) and reads back as "".
				Config:            cfg("", "", ""),
				Check:             expectUserProps(srv, &id, map[string]any{"ageGroup": nil, "consentProvidedForMinor": nil, "faxNumber": nil}),
				ConfigStateChecks: []statecheck.StateCheck{state("age_group", ""), state("consent_provided_for_minor", "")},
			},
			{
				// Drift: an out-of-band value differs from the configured "".
				PreConfig: func() {
					env.EditUser(t, id, graph.UserUpdate{Profile: map[string]string{"ageGroup": "NotAdult"}})
				},
				Config: cfg("", "", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(guestAddr, tfjsonpath.New("age_group"), knownvalue.StringExact("")),
				}},
				Check: expectUserProps(srv, &id, map[string]any{"ageGroup": nil}),
			},
			{
				// Removed from the configuration: unmanaged, Entra's value kept, no diff.
				PreConfig: func() {
					env.EditUser(t, id, graph.UserUpdate{Profile: map[string]string{"ageGroup": "Adult"}})
				},
				Config: guestConfig(env, email, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{state("age_group", "Adult")},
				Check:             expectUserProps(srv, &id, map[string]any{"ageGroup": "Adult"}),
			},
			{
				// Another change: the unset attributes still plan their state
				// values (UseStateForUnknown), not "known after apply".
				Config: guestConfig(env, email, `job_title = "Buyer"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(guestAddr, tfjsonpath.New("age_group"), knownvalue.StringExact("Adult")),
					plancheck.ExpectKnownValue(guestAddr, tfjsonpath.New("consent_provided_for_minor"), knownvalue.StringExact("")),
				}},
				Check: expectUserProps(srv, &id, map[string]any{"ageGroup": "Adult", "jobTitle": "Buyer"}),
			},
		},
	})
}

// seedValue is a distinct valid value of a profile row: its first allowed
// value, a format the validators accept, or text within its limit.
func seedValue(p userprop.Prop) string {
	switch {
	case len(p.Values) > 0:
		return p.Values[len(p.Values)-1]
	case p.Graph == "usageLocation":
		return "DE"
	case p.Graph == "preferredLanguage":
		return "de-DE"
	case p.Type == userprop.Time:
		return "2021-05-03T07:00:00Z"
	}
	v := "v " + p.Graph
	if len(v) > p.MaxLen {
		v = v[:p.MaxLen]
	}
	return v
}

// profileSeed is every profile row of the table set to its seedValue.
func profileSeed() map[string]any {
	out := map[string]any{}
	for _, p := range userprop.Profiles() {
		out[p.Graph] = seedValue(p)
	}
	return out
}

// An import block whose configuration states every profile string of the
// table as the directory holds it plans nothing and sends no PATCH.
func TestAccGuestUserProfileTable_importPlansClean(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	id, err := srv.SeedUser(emulator.SeedUser{Email: email, DisplayName: "Tabled Guest", UserType: "Guest",
		ExternalUserState: "Accepted", Props: profileSeed()})
	if err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	body.WriteString("  display_name = \"Tabled Guest\"\n")
	for _, p := range userprop.Profiles() {
		fmt.Fprintf(&body, "  %s = %q\n", p.Attr, seedValue(p))
	}
	cfg := importConfig(env, email, body.String(), fmt.Sprintf("import {\n  to = b2b_guest_user.test\n  id = %q\n}\n", id))
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
				Check: noPatch(srv),
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

// Both data sources expose every profile string of the table (fax_number,
// age_group, consent_provided_for_minor among them) as the directory holds it.
func TestAccGuestUserProfileTable_dataSources(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	prefix := "Tabled " + acctest.NewGUID()[:8]
	if _, err := srv.SeedUser(emulator.SeedUser{Email: email, DisplayName: prefix + " Guest", UserType: "Guest", Props: profileSeed()}); err != nil {
		t.Fatal(err)
	}
	cfg := env.ProviderConfig() + dataSourceByEmail(email) + fmt.Sprintf(`
data "b2b_guest_users" "test" {
  display_name_prefix = %q
}
`, prefix)
	var checks []statecheck.StateCheck
	for _, p := range userprop.Profiles() {
		want := knownvalue.StringExact(seedValue(p))
		checks = append(checks,
			statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New(p.Attr), want),
			statecheck.ExpectKnownValue("data.b2b_guest_users.test", tfjsonpath.New("guests").AtSliceIndex(0).AtMapKey(p.Attr), want))
	}
	checks = append(checks, statecheck.ExpectKnownValue("data.b2b_guest_users.test", tfjsonpath.New("total"), knownvalue.Int64Exact(1)))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{{Config: cfg, ConfigStateChecks: checks}},
	})
}

// withProfile adds to checks of a guests element every profile string of
// the table except display_name, expected as the emulator user u holds it.
func withProfile(u map[string]any, checks map[string]knownvalue.Check) map[string]knownvalue.Check {
	for _, p := range userprop.Profiles() {
		if v, ok := u[p.Graph].(string); ok {
			checks[p.Attr] = knownvalue.StringExact(v)
		} else {
			checks[p.Attr] = knownvalue.Null()
		}
	}
	return checks
}

// employee_hire_date, added as one row of the user-property table (a
// DateTimeOffset): refused at plan time in any spelling Graph would read
// back differently, set and changed in Entra, cleared with "", drift
// shown, and removal from the configuration leaves it unmanaged.
func TestAccGuestUserProfileTable_employeeHireDate(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var id string
	cfg := func(v string) string { return guestConfig(env, email, fmt.Sprintf("employee_hire_date = %q", v)) }
	hire := func(want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("employee_hire_date"), knownvalue.StringExact(want))
	}
	update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate)}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg("2026-01-31T09:00:00+01:00"),
				ExpectError: errorRE("Attribute employee_hire_date must be an RFC 3339 time in UTC, e.g. 2026-01-31T00:00:00Z, got: 2026-01-31T09:00:00+01:00"),
			},
			{
				Config:            cfg("2026-01-31T08:00:00Z"),
				Check:             resource.ComposeAggregateTestCheckFunc(stateID(&id), expectUserProps(srv, &id, map[string]any{"employeeHireDate": "2026-01-31T08:00:00Z"})),
				ConfigStateChecks: []statecheck.StateCheck{hire("2026-01-31T08:00:00Z")},
			},
			{
				Config:           cfg("2026-03-01T00:00:00Z"),
				ConfigPlanChecks: update,
				Check:            expectUserProps(srv, &id, map[string]any{"employeeHireDate": "2026-03-01T00:00:00Z"}),
			},
			{
				// "" clears in Entra (sent as null) and reads back as "".
				Config:            cfg(""),
				Check:             expectUserProps(srv, &id, map[string]any{"employeeHireDate": nil}),
				ConfigStateChecks: []statecheck.StateCheck{hire("")},
			},
			{
				// Drift: an out-of-band value differs from the configured "".
				PreConfig: func() {
					env.EditUser(t, id, graph.UserUpdate{Profile: map[string]string{"employeeHireDate": "2025-07-01T00:00:00Z"}})
				},
				Config:           cfg(""),
				ConfigPlanChecks: update,
				Check:            expectUserProps(srv, &id, map[string]any{"employeeHireDate": nil}),
			},
			{
				// Removed from the configuration: unmanaged, Entra's value kept, no diff.
				PreConfig: func() {
					env.EditUser(t, id, graph.UserUpdate{Profile: map[string]string{"employeeHireDate": "2025-07-01T00:00:00Z"}})
				},
				Config:            guestConfig(env, email, ""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{hire("2025-07-01T00:00:00Z")},
			},
		},
	})
}
