package provider_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// TestAccCSVMigrationModule runs examples/modules/csv-guests on a CSV of
// 50 rows, 30 of whom already exist in the tenant: the first apply adopts
// the 30 (no email), invites the 20 others and puts the rows with a groups
// cell into those groups, and the next plan is empty.
func TestAccCSVMigrationModule(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadWriteAll,
		emulator.PermGroupMemberReadWriteAll, emulator.PermDirectoryReadAll))
	srv := env.RequireEmulator(t)
	cli := newTFCLI(t, "1.5.0")
	copyCSVGuestsModule(t, cli)

	partners, buyers := env.Group(t, "partners"), env.Group(t, "buyers")
	wantGroups, existing := writeMigrationCSV(t, env, cli, partners, buyers)
	cli.write("main.tf", requiredProviders+env.ProviderConfigWith(`default_redirect_url = "https://myapps.microsoft.com"`)+`
module "guests" {
  source                  = "./csv-guests"
  csv                     = file("${path.module}/guests.csv")
  send_invitation_message = true
  groups                  = { partners = "`+partners+`", buyers = "`+buyers+`" }
}

output "object_ids" {
  value = module.guests.object_ids
}
`)

	cli.must("init", "-input=false", "-no-color")
	srv.ResetCounters()
	out := cli.must("apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=10")
	if !strings.Contains(out, "50 added, 0 changed, 0 destroyed") {
		t.Fatalf("first apply:\n%s", out)
	}
	checkInvitedOnlyNewGuests(t, srv, existing)

	var ids map[string]string
	if err := json.Unmarshal([]byte(cli.must("output", "-json", "object_ids")), &ids); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 50 {
		t.Fatalf("module manages %d guests; want 50", len(ids))
	}
	for email, id := range existing {
		if ids[email] != id {
			t.Errorf("%s: module holds %q; want the existing user %s adopted", email, ids[email], id)
		}
	}
	checkGroupMemberships(t, env, ids, wantGroups, []string{partners, buyers})

	if out, code, stderr := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("second plan is not empty (exit %d):\n%s\n%s", code, out, stderr)
	}
}

// copyCSVGuestsModule copies examples/modules/csv-guests, the module as
// users get it, into the working directory, so Terraform writes nothing
// into examples/.
func copyCSVGuestsModule(t *testing.T, cli *tfCLI) {
	t.Helper()
	src := filepath.Join("..", "..", "examples", "modules", "csv-guests")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(cli.dir, "csv-guests"), 0o700); err != nil {
			t.Fatal(err)
		}
		cli.write(filepath.Join("csv-guests", e.Name()), string(b))
	}
}

// writeMigrationCSV writes guests.csv with 50 rows and seeds the first 30
// as existing users. It returns the groups each row lists and the seeded
// object IDs, both by lower-cased address.
func writeMigrationCSV(t *testing.T, env *acctest.Env, cli *tfCLI, partners, buyers string) (wantGroups map[string][]string, existing map[string]string) {
	t.Helper()
	wantGroups = map[string][]string{} // lower-cased address -> groups its row lists
	existing = map[string]string{}     // lower-cased address -> seeded object ID
	var csv strings.Builder
	csv.WriteString("email,display_name,company_name,job_title,user_type,groups\n")
	for i := 0; i < 50; i++ {
		email := fmt.Sprintf("guest%02d@migrate.example", i)
		name := fmt.Sprintf("Guest %02d", i)
		job := ""
		if i%3 == 0 {
			job = "Buyer"
		}
		if i < 30 {
			props := map[string]any{"companyName": "Partner Ltd"}
			if job != "" {
				props["jobTitle"] = job
			}
			existing[email] = env.SeedUser(t, emulator.SeedUser{Email: email, DisplayName: name, Props: props})
		}
		row := email
		if i%5 == 0 {
			row = strings.ToUpper(email[:1]) + email[1:] // the CSV's case must not matter
		}
		groups := ""
		switch i % 4 {
		case 0:
			groups, wantGroups[email] = "partners", []string{partners}
		case 1:
			// A name from the groups map and a raw object ID, with stray spaces.
			groups, wantGroups[email] = "partners; "+buyers, []string{partners, buyers}
		}
		fmt.Fprintf(&csv, "%s,%s,Partner Ltd,%s,,%s\n", row, name, job, groups)
	}
	cli.write("guests.csv", csv.String())
	return wantGroups, existing
}

// checkInvitedOnlyNewGuests: the apply sent one invitation to each of the
// 20 rows that did not exist, and none to an existing user (a second email).
func checkInvitedOnlyNewGuests(t *testing.T, srv *emulator.Server, existing map[string]string) {
	t.Helper()
	invited := map[string]bool{}
	for _, inv := range srv.Invitations() {
		invited[strings.ToLower(inv.Email)] = true
		if _, ok := existing[strings.ToLower(inv.Email)]; ok {
			t.Errorf("%s already existed but was invited (a second email)", inv.Email)
		}
	}
	if len(invited) != 20 || len(srv.Invitations()) != 20 {
		t.Errorf("%d invitations to %d addresses; want 20 (the rows that did not exist)", len(srv.Invitations()), len(invited))
	}
}

// checkGroupMemberships: each managed guest (ids: address -> object ID) is
// a member of exactly the groups its row lists, among groups.
func checkGroupMemberships(t *testing.T, env *acctest.Env, ids map[string]string, wantGroups map[string][]string, groups []string) {
	t.Helper()
	members := map[string]map[string]bool{}
	for _, g := range groups {
		members[g] = map[string]bool{}
		for _, m := range env.GroupMembers(t, g) {
			members[g][strings.ToLower(m)] = true
		}
	}
	for email, id := range ids {
		for _, g := range groups {
			want := slices.Contains(wantGroups[email], g)
			if got := members[g][strings.ToLower(id)]; got != want {
				t.Errorf("%s (%s): member of group %s = %t, want %t", email, id, g, got, want)
			}
		}
	}
}
