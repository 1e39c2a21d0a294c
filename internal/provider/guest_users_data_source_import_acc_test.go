package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// seedImportFlowGuests creates the guests "found" by the import flows:
// three in flow.example (one accepted, with a profile), and one elsewhere
// that the filter must leave alone.
func seedImportFlowGuests(t *testing.T, env *acctest.Env) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, g := range []emulator.SeedUser{
		{Email: "ann@flow.example", DisplayName: "Ann Flow"},
		{Email: "bob@flow.example", DisplayName: "Bob Flow", ExternalUserState: "Accepted",
			Props: map[string]any{"jobTitle": "Buyer", "companyName": "Flow Ltd"}},
		{Email: "cleo@flow.example", DisplayName: "Cleo Flow"},
		{Email: "dora@elsewhere.example", DisplayName: "Dora Elsewhere"},
	} {
		ids[g.Email] = env.SeedUser(t, g)
	}
	return ids
}

// noInvitations fails when anything was invited: adopting existing guests
// must never email them.
func noInvitations(srv *emulator.Server) error {
	if inv := srv.Invitations(); len(inv) != 0 {
		return fmt.Errorf("%d invitation(s) sent (first to %s); importing existing guests must send none", len(inv), inv[0].Email)
	}
	if n := srv.Counters()["POST /v1.0/invitations"]; n != 0 {
		return fmt.Errorf("POST /v1.0/invitations called %d times; want 0", n)
	}
	return nil
}

// TestAccGuestUsersImportFlow_ForEach is the Terraform 1.7+ flow: the data
// source finds the guests, one import block with for_each adopts them all
// into a resource with the same for_each, and nothing else happens.
func TestAccGuestUsersImportFlow_ForEach(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	ids := seedImportFlowGuests(t, env)

	cfg := env.ProviderConfig() + `
data "b2b_guest_users" "flow" {
  email_domain = "flow.example"
}

locals {
  guests = { for g in data.b2b_guest_users.flow.guests : g.email => g }
}

import {
  for_each = local.guests
  to       = b2b_guest_user.flow[each.key]
  id       = each.value.id
}

resource "b2b_guest_user" "flow" {
  for_each = local.guests
  email    = each.value.email
}
`
	// terraform-plugin-testing cannot hold for_each instances in its state
	// shim, so this flow runs the CLI directly.
	cli := newTFCLI(t, "1.7.0")
	cli.write("main.tf", requiredProviders+cfg)
	cli.must("init", "-input=false", "-no-color")
	srv.ResetCounters()
	out := cli.must("plan", "-input=false", "-no-color")
	if !strings.Contains(out, "Plan: 3 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("plan:\n%s", out)
	}
	out = cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	if !strings.Contains(out, "3 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply:\n%s", out)
	}
	if out, code, stderr := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("the plan after importing is not empty (exit %d):\n%s\n%s", code, out, stderr)
	}
	for _, email := range []string{"ann@flow.example", "bob@flow.example", "cleo@flow.example"} {
		addr := fmt.Sprintf("b2b_guest_user.flow[%q]", email)
		show := cli.must("state", "show", "-no-color", addr)
		if !regexp.MustCompile(`(?m)^\s+id\s+= "` + ids[email] + `"$`).MatchString(show) {
			t.Errorf("%s is not the seeded user %s:\n%s", addr, ids[email], show)
		}
	}
	if list := cli.must("state", "list"); strings.Count(list, "b2b_guest_user.flow[") != 3 {
		t.Errorf("state list:\n%s", list)
	}
	if err := noInvitations(srv); err != nil {
		t.Fatal(err)
	}
}

// TestAccGuestUsersImportFlow_GenerateConfig is the flow for Terraform 1.5+
// and for anyone who wants configuration written for them: the data source
// renders one import block per guest, `terraform plan
// -generate-config-out=guests.tf` writes the resources, the apply only
// imports, and the next plan is empty. No invitation is sent.
func TestAccGuestUsersImportFlow_GenerateConfig(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	ids := seedImportFlowGuests(t, env)
	cli := newTFCLI(t, "1.5.0")

	cli.write("main.tf", requiredProviders+env.ProviderConfig()+`
data "b2b_guest_users" "flow" {
  email_domain = "flow.example"
}

output "import_blocks" {
  value = join("", [for g in data.b2b_guest_users.flow.guests : <<-EOT
    import {
      to = b2b_guest_user.${replace(replace(lower(g.email), "@", "_at_"), ".", "_")}
      id = "${g.id}"
    }
  EOT
  ])
}
`)
	cli.must("init", "-input=false", "-no-color")
	cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	imports := cli.must("output", "-raw", "import_blocks")
	if n := strings.Count(imports, "import {"); n != 3 {
		t.Fatalf("rendered %d import blocks; want 3 (flow.example only):\n%s", n, imports)
	}
	cli.write("imports.tf", imports)

	out := cli.must("plan", "-input=false", "-no-color", "-generate-config-out=guests.tf")
	if !regexp.MustCompile(`Plan: 3 to import, 0 to add, 0 to change, 0 to destroy`).MatchString(out) {
		t.Fatalf("plan with generated configuration:\n%s", out)
	}
	generated := cli.read("guests.tf")
	for email, id := range ids {
		name := strings.NewReplacer("@", "_at_", ".", "_").Replace(email)
		has := strings.Contains(generated, fmt.Sprintf("resource \"b2b_guest_user\" %q", name))
		if strings.HasSuffix(email, "@elsewhere.example") == has {
			t.Errorf("guests.tf: resource for %s (%s) present=%v:\n%s", email, id, has, generated)
		}
	}
	if !regexp.MustCompile(`email\s+= "bob@flow.example"`).MatchString(generated) {
		t.Errorf("guests.tf does not carry bob's address:\n%s", generated)
	}

	out = cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	if !strings.Contains(out, "3 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply:\n%s", out)
	}
	out, code, stderr := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if code != 0 {
		t.Fatalf("the plan after importing is not empty (exit %d):\n%s\n%s\ngenerated configuration:\n%s", code, out, stderr, generated)
	}
	if err := noInvitations(srv); err != nil {
		t.Fatal(err)
	}
}
