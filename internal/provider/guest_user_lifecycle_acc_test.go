package provider_test

import (
	"context"
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
)

// TestAccGuestUser_deletedGuestRestorable: a guest deleted in the portal
// is planned for re-creation, which would invite a new user. The plan says
// so and that the deleted user can be restored instead; after the restore
// the next plan reads the same guest back and creates nothing. CLI-driven:
// the warning is printed only there.
func TestAccGuestUser_deletedGuestRestorable(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	env.RequireEmulator(t)
	cli := newTFCLI(t, "1.5.0")
	cli.write("main.tf", requiredProviders+env.ProviderConfig()+`
resource "b2b_guest_user" "kim" {
  email        = "kim@lifecycle.example"
  display_name = "Kim Vendor"
  redirect_url = "https://myapps.microsoft.com"
}

output "id" {
  value = b2b_guest_user.kim.id
}
`)
	cli.must("init", "-input=false", "-no-color")
	cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	id := strings.Trim(strings.TrimSpace(cli.must("output", "-json", "id")), `"`)

	env.DeleteUser(t, id) // in the portal
	env.WaitDeleteReplicated()
	out, code, stderr := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
	all := strings.Join(strings.Fields(out+stderr), " ")
	if code != 2 || !strings.Contains(all, "b2b_guest_user.kim will be created") ||
		!strings.Contains(all, "Warning: Guest User Deleted, Still Restorable") ||
		!strings.Contains(all, "User "+id+" (kim@lifecycle.example) is no longer in the directory but is in its deleted items") ||
		!strings.Contains(all, "POST /directory/deletedItems/"+id+"/restore") {
		t.Fatalf("plan after the guest was deleted in the portal (exit %d) does not say it can be restored:\n%s\n%s", code, out, stderr)
	}

	if _, err := env.Graph().RestoreDeletedUser(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	planEmpty(t, cli, "after the deleted guest was restored")
}
