package provider_test

import (
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// TestAccGuestUser_adoptionShownAtPlan: a create with adopt_existing = true
// whose address a guest already has is a take-over, not an invitation, and
// the plan says so, naming the guest whose profile the apply will write
// over (a typo onto a colleague's address is caught in review, not after
// the apply). A free address plans a plain invitation without the warning,
// and an internal account's address fails the plan before anything is
// sent. CLI-driven: Terraform prints plan warnings only there.
func TestAccGuestUser_adoptionShownAtPlan(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	taken := env.Email(t, t.Name()+"-taken")
	free := env.Email(t, t.Name()+"-free")
	staff := env.Email(t, t.Name()+"-staff")
	guestID := env.SeedUser(t, emulator.SeedUser{Email: taken, DisplayName: "Colleague Guest", UserType: "Guest"})
	staffID := env.SeedUser(t, emulator.SeedUser{Email: staff, DisplayName: "Employee", UserType: "Member"})

	block := func(name, email string) string {
		return `
resource "b2b_guest_user" "` + name + `" {
  email          = "` + email + `"
  display_name   = "Typed In Config"
  redirect_url   = "https://myapps.microsoft.com"
  adopt_existing = true
}
`
	}
	cli := newTFCLI(t, "1.5.0")
	cli.write("main.tf", requiredProviders+env.ProviderConfig()+block("taken", taken)+block("free", free))
	cli.must("init", "-input=false", "-no-color")

	out := planOutput(t, cli)
	if n := strings.Count(out, "Warning: Existing Guest User Will Be Adopted"); n != 1 ||
		!strings.Contains(out, "with b2b_guest_user.taken") ||
		!strings.Contains(out, taken+" already belongs to guest user "+guestID+" (Colleague Guest)") {
		t.Fatalf("the plan does not warn exactly once, for the taken address, naming the guest:\n%s", out)
	}
	if strings.Contains(out, free+" already belongs") {
		t.Fatalf("the plan warns about the free address:\n%s", out)
	}

	cli.write("main.tf", requiredProviders+env.ProviderConfig()+block("staff", staff))
	stdout, code, stderr := cli.run("plan", "-input=false", "-no-color")
	all := strings.Join(strings.Fields(strings.ReplaceAll(stdout+stderr, "│", " ")), " ")
	if code != 1 || !strings.Contains(all, "Error: User Is An Internal Account") ||
		!strings.Contains(all, "adopting or importing it is refused: user "+staffID) {
		t.Fatalf("the plan for an internal account's address (exit %d) does not fail naming it:\n%s", code, all)
	}
	if n := srv.Counters()["POST /v1.0/invitations"]; n != 0 {
		t.Fatalf("planning sent %d invitations", n)
	}
	if n := patchCount(srv); n != 0 {
		t.Fatalf("planning sent %d PATCH requests", n)
	}
}
