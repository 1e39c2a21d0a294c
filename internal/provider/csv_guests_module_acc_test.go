package provider_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// TestAccCSVGuestsModule_BadDay runs examples/modules/csv-guests, as users
// get it, through the mistakes a spreadsheet brings: a file saved by Excel
// (byte order mark, CRLF, a capitalised heading, a row of empty cells), a
// second row for an address, a misspelt heading, a row with no address, an
// address corrected, a mistyped address that is a colleague's guest, and a
// row removed. Each must fail the plan with a message naming the problem,
// or plan exactly what the file says, with no guest lost and no second
// invitation.
func TestAccCSVGuestsModule_BadDay(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	cli := newTFCLI(t, "1.5.0")
	copyCSVGuestsModule(t, cli)
	colleague := env.SeedUser(t, emulator.SeedUser{Email: "dana@csv.example", DisplayName: "Dana Colleague", ExternalUserState: "Accepted"})

	cli.write("main.tf", requiredProviders+env.ProviderConfigWith(`default_redirect_url = "https://myapps.microsoft.com"`)+`
module "guests" {
  source = "./csv-guests"
  csv    = file("${path.module}/guests.csv")
}

output "object_ids" {
  value = module.guests.object_ids
}
`)
	const header = "email,display_name,company_name,job_title,department,user_type,groups\n"
	rows := []string{
		"ann@csv.example,Ann,Partner Ltd,,,,\n",
		"ben@csv.example,Ben,Partner Ltd,,,,\n",
		"cat@csv.examle,Cat,Partner Ltd,,,,\n", // the typo corrected below
	}
	csv := func(extra ...string) string { return header + strings.Join(append(slices.Clone(rows), extra...), "") }
	cli.must("init", "-input=false", "-no-color")

	// Excel's "CSV UTF-8": a byte order mark, CRLF, a heading in another
	// case and rows of empty cells below the data.
	excel := "\ufeff" + strings.ReplaceAll(strings.Replace(csv(",,,,,,\n", "\n"), "email", "Email", 1), "\n", "\r\n")
	cli.write("guests.csv", excel)
	out := cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	if !strings.Contains(out, "3 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply of the Excel file:\n%s", out)
	}
	ids := csvModuleIDs(t, cli)
	if len(ids) != 3 || ids["ann@csv.example"] == "" {
		t.Fatalf("module manages %v; want ann, ben and cat", ids)
	}
	cli.write("guests.csv", csv())
	planEmpty(t, cli, "the same rows saved as plain UTF-8 with LF")

	// Each mistake fails the plan with the module's message.
	for name, tc := range map[string]struct{ csv, want string }{
		"second row, other case and spaces": {csv(" Ben@CSV.example ,Ben Again,,,,,\n"),
			`The CSV has more than one row for: ben@csv\.example \(addresses are compared ignoring case and surrounding spaces\)`},
		"misspelt heading": {strings.Replace(csv(), "display_name", "dispaly_name", 1),
			`The CSV's header names columns this module does not read: dispaly_name\. A misspelt column would be ignored`},
		"misspelt group name": {csv("eve@csv.example,Eve,Partner Ltd,,,,partnres\n"),
			`The CSV's groups column names groups that are neither a short name in var\.groups nor a group object ID: eve@csv\.example: partnres\. Known short names: none \(var\.groups is empty\)\.`},
		"header alone": {header,
			`The CSV lists no guest \(a header alone, or only empty rows\), so this plan would delete every guest the module manages\.`},
		"row with no address": {csv(",Nobody,Partner Ltd,,,,\n"),
			`The CSV has rows with no address in the email column \(counting the first row after the header as 1\): 4\.`},
	} {
		cli.write("guests.csv", tc.csv)
		stdout, code, stderr := cli.run("plan", "-input=false", "-no-color")
		if code != 1 || !regexp.MustCompile(tc.want).MatchString(strings.Join(strings.Fields(stderr), " ")) {
			t.Errorf("%s: plan exited %d; want 1 with %q\nstdout:\n%s\nstderr:\n%s", name, code, tc.want, stdout, stderr)
		}
	}

	// Correcting an address with a moved block keeps the guest: an email
	// change in place (the same user re-invited at the new address), not
	// a deletion and a new guest.
	rows[2] = "cat@csv.example,Cat,Partner Ltd,,,,\n"
	cli.write("guests.csv", csv())
	cli.write("moved.tf", `
moved {
  from = module.guests.b2b_guest_user.this["cat@csv.examle"]
  to   = module.guests.b2b_guest_user.this["cat@csv.example"]
}
`)
	srv.ResetCounters()
	out = cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	if !strings.Contains(out, "0 added, 1 changed, 0 destroyed") {
		t.Fatalf("address corrected with a moved block:\n%s", out)
	}
	if got := csvModuleIDs(t, cli)["cat@csv.example"]; got != ids["cat@csv.examle"] {
		t.Errorf("corrected address is user %q; want the same user %s", got, ids["cat@csv.examle"])
	}
	if n := len(srv.DeletedUsers()); n != 0 {
		t.Errorf("%d users deleted by an address correction; want 0", n)
	}

	// A typo that lands on a colleague's guest: adopt_existing (the
	// module's default) takes it over without an invitation, and the
	// apply says so, naming the user and how to let go of it.
	cli.write("guests.csv", csv("dana@csv.example,Dan Typo,,,,,\n"))
	before := len(srv.Invitations())
	out, code, stderr := cli.run("apply", "-input=false", "-no-color", "-auto-approve")
	all := strings.Join(strings.Fields(out+stderr), " ")
	if code != 0 || !strings.Contains(all, "Warning: Existing Guest User Adopted") ||
		!strings.Contains(all, "No invitation was sent to dana@csv.example: the address already belonged to guest user "+colleague+" (Dana Colleague)") ||
		!strings.Contains(all, "only removing the resource from the configuration would delete the guest") {
		t.Errorf("apply adopting a colleague's guest exited %d without the adoption warning:\n%s\n%s", code, out, stderr)
	}
	if n := len(srv.Invitations()); n != before {
		t.Errorf("%d invitations sent by the adoption; want none", n-before)
	}
	// Letting go as the warning says, then removing the row: the
	// colleague's guest stays.
	cli.must("state", "rm", `module.guests.b2b_guest_user.this["dana@csv.example"]`)
	cli.write("guests.csv", csv())
	if out := cli.must("apply", "-input=false", "-no-color", "-auto-approve"); !strings.Contains(out, "0 added, 0 changed, 0 destroyed") {
		t.Errorf("apply after state rm of the adopted colleague and removing the row changed something:\n%s", out)
	}
	if _, ok := srv.User(colleague); !ok {
		t.Errorf("the colleague's guest %s is gone", colleague)
	}

	// A row removed: the plan destroys exactly that guest.
	rows = rows[1:]
	cli.write("guests.csv", csv())
	cli.must("plan", "-input=false", "-no-color", "-out=tfplan")
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(cli.must("show", "-json", "tfplan")), &plan); err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, rc := range plan.ResourceChanges {
		if !slices.Equal(rc.Change.Actions, []string{"no-op"}) {
			changed = append(changed, rc.Address+" "+strings.Join(rc.Change.Actions, ","))
		}
	}
	if want := []string{`module.guests.b2b_guest_user.this["ann@csv.example"] delete`}; !slices.Equal(changed, want) {
		t.Errorf("removing ann's row plans %q; want %q", changed, want)
	}
}

// csvModuleIDs reads the root output object_ids (address -> object ID).
func csvModuleIDs(t *testing.T, cli *tfCLI) map[string]string {
	t.Helper()
	var ids map[string]string
	if err := json.Unmarshal([]byte(cli.must("output", "-json", "object_ids")), &ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestAccCSVGuestsModule_MoveFromForExpression: a configuration applied
// with the CSV guide's own for expression switches to the module with the
// moved block the guide gives: the plan moves each guest and destroys
// none, and nobody is invited again.
func TestAccCSVGuestsModule_MoveFromForExpression(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	cli := newTFCLI(t, "1.5.0")
	copyCSVGuestsModule(t, cli)
	cli.write("guests.csv", "email,display_name,company_name,job_title,user_type\n"+
		"uma@move.example,Uma,Partner Ltd,Buyer,Guest\nvik@move.example,Vik,Partner Ltd,,Guest\n")
	provider := requiredProviders + env.ProviderConfigWith(`default_redirect_url = "https://myapps.microsoft.com"`)
	cli.write("main.tf", provider+`
locals {
  guests = {
    for row in csvdecode(file("${path.module}/guests.csv")) :
    lower(trimspace(row.email)) => {
      for column, cell in row : column => trimspace(cell) != "" ? trimspace(cell) : null
    }
  }
}

resource "b2b_guest_user" "partner" {
  for_each = local.guests

  email        = each.value.email
  display_name = each.value.display_name
  company_name = each.value.company_name
  job_title    = each.value.job_title
  user_type    = each.value.user_type
}
`)
	cli.must("init", "-input=false", "-no-color")
	cli.must("apply", "-input=false", "-no-color", "-auto-approve")

	cli.write("main.tf", provider+`
module "partner_guests" {
  source = "./csv-guests"
  csv    = file("${path.module}/guests.csv")
}

moved {
  from = b2b_guest_user.partner
  to   = module.partner_guests.b2b_guest_user.this
}
`)
	cli.must("init", "-input=false", "-no-color")
	invited := len(srv.Invitations())
	out := cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	if !strings.Contains(out, "0 added, 2 changed, 0 destroyed") { // adopt_existing: the module's default
		t.Fatalf("switch to the module with the guide's moved block:\n%s", out)
	}
	if n := len(srv.Invitations()) - invited; n != 0 {
		t.Errorf("%d invitations sent by the switch; want none", n)
	}
	if n := len(srv.DeletedUsers()); n != 0 {
		t.Errorf("%d guests deleted by the switch; want none", n)
	}
	planEmpty(t, cli, "after the switch to the module")
}
