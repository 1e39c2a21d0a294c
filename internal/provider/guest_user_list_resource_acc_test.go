package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
)

// TestAccGuestUserListResource_Query runs `terraform query` through
// terraform-plugin-testing: each filter keeps the right guests, every result
// carries the object ID as identity and a display name with the address,
// include_resource returns what an import would read, and limit is obeyed.
func TestAccGuestUserListResource_Query(t *testing.T) {
	t.Parallel()
	acctest.SkipUnlessCLISupports(t, acctest.FeatureListResources)
	env := acctest.New(t)
	env.RequireEmulator(t)
	ids := seedImportFlowGuests(t, env)
	byID := func(email string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"object_id": knownvalue.StringExact(ids[email])})
	}

	var checks []querycheck.QueryResultCheck
	for _, email := range []string{"ann@flow.example", "bob@flow.example", "cleo@flow.example"} {
		checks = append(checks, querycheck.ExpectIdentity("b2b_guest_user.flow", map[string]knownvalue.Check{
			"object_id": knownvalue.StringExact(ids[email]),
		}))
	}
	checks = append(checks,
		querycheck.ExpectLength("b2b_guest_user.flow", 3),
		querycheck.ExpectLength("b2b_guest_user.accepted", 1),
		querycheck.ExpectIdentity("b2b_guest_user.accepted", map[string]knownvalue.Check{
			"object_id": knownvalue.StringExact(ids["bob@flow.example"]),
		}),
		querycheck.ExpectLength("b2b_guest_user.limited", 2),
		querycheck.ExpectLength("b2b_guest_user.nobody", 0),
		querycheck.ExpectResourceDisplayName("b2b_guest_user.flow", byID("bob@flow.example"),
			knownvalue.StringExact("Bob Flow <bob@flow.example>")),
		// The resource is what import + read gives: identifying and computed
		// values, defaults, and the directory's profile values (bob has a
		// job title), so generated configuration plans clean; redirect_url
		// is not stored by Graph and stays null.
		querycheck.ExpectResourceKnownValues("b2b_guest_user.flow", byID("bob@flow.example"), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(ids["bob@flow.example"])},
			{Path: tfjsonpath.New("email"), KnownValue: knownvalue.StringExact("bob@flow.example")},
			{Path: tfjsonpath.New("user_type"), KnownValue: knownvalue.StringExact("Guest")},
			{Path: tfjsonpath.New("invitation_state"), KnownValue: knownvalue.StringExact("Accepted")},
			{Path: tfjsonpath.New("on_destroy"), KnownValue: knownvalue.StringExact("delete")},
			{Path: tfjsonpath.New("adopt_existing"), KnownValue: knownvalue.Bool(false)},
			{Path: tfjsonpath.New("job_title"), KnownValue: knownvalue.StringExact("Buyer")},
			{Path: tfjsonpath.New("redirect_url"), KnownValue: knownvalue.Null()},
		}),
	)

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				// Query mode needs an initialised configuration first.
				Config: env.ProviderConfig() + "data \"b2b_guest_users\" \"any\" {}\n",
			},
			{
				Query: true,
				// The provider block comes from the previous step's
				// configuration, which stays in the working directory.
				Config: `
list "b2b_guest_user" "flow" {
  provider         = b2b
  include_resource = true
  config {
    email_domain = "flow.example"
  }
}

list "b2b_guest_user" "accepted" {
  provider = b2b
  config {
    invitation_state = "Accepted"
  }
}

list "b2b_guest_user" "limited" {
  provider = b2b
  limit    = 2
  config {}
}

list "b2b_guest_user" "nobody" {
  provider = b2b
  config {
    display_name_prefix = "Nobody"
  }
}
`,
				QueryResultChecks: checks,
			},
		},
	})
}

// TestAccGuestUserListResource_BadFilter: the list block's filters are
// validated like the data source's, before Graph is asked.
func TestAccGuestUserListResource_BadFilter(t *testing.T) {
	t.Parallel()
	acctest.SkipUnlessCLISupports(t, acctest.FeatureListResources)
	env := acctest.New(t)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: env.ProviderConfig() + "data \"b2b_guest_users\" \"any\" {}\n"},
			{
				Query: true,
				// The provider block comes from the previous step's
				// configuration, which stays in the working directory.
				Config: `
list "b2b_guest_user" "bad" {
  provider = b2b
  config {
    created_after  = "2025-01-01T00:00:00Z"
    created_before = "2024-01-01T00:00:00Z"
  }
}
`,
				ExpectError: regexp.MustCompile(`Attribute created_after \(2025-01-01T00:00:00Z\) is later than\s+created_before`),
			},
		},
	})
}

// TestAccGuestUserListResource_GenerateConfig is the whole Terraform 1.14
// flow on the CLI: `terraform query -generate-config-out` writes import
// blocks and resources for the guests found, apply imports them without an
// invitation, and the next plan is empty.
func TestAccGuestUserListResource_GenerateConfig(t *testing.T) {
	t.Parallel()
	acctest.SkipUnlessCLISupports(t, acctest.FeatureListResources)
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	ids := seedImportFlowGuests(t, env)
	cli := newTFCLI(t, "1.14.0")

	cli.write("main.tf", requiredProviders+env.ProviderConfig())
	cli.write("guests.tfquery.hcl", `
list "b2b_guest_user" "flow" {
  provider         = b2b
  include_resource = true
  config {
    email_domain = "flow.example"
  }
}
`)
	cli.must("init", "-input=false", "-no-color")
	out := cli.must("query", "-no-color", "-generate-config-out=generated.tf")
	for email, id := range ids {
		if found := strings.Contains(out, id); found == strings.HasSuffix(email, "@elsewhere.example") {
			t.Errorf("query output lists %s (%s): %v; want only flow.example guests:\n%s", email, id, found, out)
		}
	}
	generated := cli.read("generated.tf")
	if n := strings.Count(generated, "import {"); n != 3 {
		t.Fatalf("generated.tf has %d import blocks; want 3:\n%s", n, generated)
	}
	for _, email := range []string{"ann@flow.example", "bob@flow.example", "cleo@flow.example"} {
		if !strings.Contains(generated, ids[email]) || !regexp.MustCompile(`email\s+= "`+regexp.QuoteMeta(email)+`"`).MatchString(generated) {
			t.Errorf("generated.tf lacks the identity or address of %s:\n%s", email, generated)
		}
	}

	out = cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	if !strings.Contains(out, "3 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply of the generated configuration:\n%s\ngenerated.tf:\n%s", out, generated)
	}
	if out, code, stderr := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("the plan after importing is not empty (exit %d):\n%s\n%s\ngenerated.tf:\n%s", code, out, stderr, generated)
	}
	if err := noInvitations(srv); err != nil {
		t.Fatal(fmt.Errorf("after terraform query and apply: %w", err))
	}
}
