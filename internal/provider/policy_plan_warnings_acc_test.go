package provider_test

import (
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// planOutput runs terraform plan and returns its output with whitespace
// and the box drawing of diagnostics folded, so wrapped lines match.
func planOutput(t *testing.T, cli *tfCLI) string {
	t.Helper()
	out, code, stderr := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if code != 2 {
		t.Fatalf("terraform plan exited %d, want 2 (changes, no error)\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(out+stderr, "│", " ")), " ")
}

// planEmpty fails the test unless a plan finds nothing to change.
func planEmpty(t *testing.T, cli *tfCLI, when string) {
	t.Helper()
	if out, code, stderr := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan %s is not empty (exit %d):\n%s\n%s", when, code, out, stderr)
	}
}

// TestAccCrossTenantDefault_PlanWarnings: the create and the destroy of
// b2b_cross_tenant_access_default change Entra in ways the diff does not
// show (a create sets every unset setting to the system default, whatever
// the portal set; a destroy resets all of them rather than removing them),
// so each plan warns the reviewer and names the safe way (import first;
// removed with destroy = false). The create warning names only the unset
// settings the tenant has changed from the system default: none, for an
// untouched default, and no warning. A create after import does not warn.
// Terraform prints warnings only on the CLI, so the test runs it directly.
func TestAccCrossTenantDefault_PlanWarnings(t *testing.T) {
	t.Parallel()
	env, srv := ctEnv(t)
	cli := newTFCLI(t, "1.5.0") // import blocks
	trustOnly := `
resource "b2b_cross_tenant_access_default" "this" {
  inbound_trust = {
    mfa_accepted                  = true
    compliant_device_accepted     = false
    hybrid_joined_device_accepted = false
  }
}
`
	cli.write("main.tf", requiredProviders+env.ProviderConfig()+trustOnly)
	cli.must("init", "-input=false", "-no-color")

	if untouched := planOutput(t, cli); strings.Contains(untouched, "Warning: Unset Default") {
		t.Fatalf("the create plan warns although the tenant's default is the system default (nothing is replaced):\n%s", untouched)
	}

	// An administrator blocks inbound B2B collaboration in the portal.
	if err := srv.PatchCrossTenantDefault([]byte(`{"b2bCollaborationInbound": {
	  "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
	  "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}}}`)); err != nil {
		t.Fatal(err)
	}
	created := planOutput(t, cli)
	for _, want := range []string{
		"Warning: Unset Default Cross-Tenant Access Settings Become The System Default",
		"The tenant's default differs from the system default in settings this configuration leaves unset, so the create replaces them",
		"b2b_collaboration_inbound (B2B collaboration inbound allowed for all users and applications of every organization).",
		`import it first (an import block with id = "default", or terraform import <address> default)`,
	} {
		if !strings.Contains(created, want) {
			t.Fatalf("the create plan lacks %q:\n%s", want, created)
		}
	}
	for _, unchanged := range []string{"inbound_trust (", "invitation_redemption (", "b2b_collaboration_outbound ("} {
		if strings.Contains(created, unchanged) {
			t.Fatalf("the create plan lists %s, which the configuration sets or the tenant left at the system default:\n%s", unchanged, created)
		}
	}
	cli.must("apply", "-input=false", "-no-color", "-auto-approve")

	cli.write("main.tf", requiredProviders+env.ProviderConfig())
	destroyed := planOutput(t, cli)
	for _, want := range []string{
		"Warning: Default Cross-Tenant Access Settings Will Be Reset",
		"Destroying b2b_cross_tenant_access_default calls resetToSystemDefault",
		"B2B collaboration inbound allowed for all users and applications of every organization;",
		"a removed block (from = b2b_cross_tenant_access_default.<name>) with lifecycle { destroy = false }",
	} {
		if !strings.Contains(destroyed, want) {
			t.Fatalf("the destroy plan lacks %q:\n%s", want, destroyed)
		}
	}
	cli.must("apply", "-input=false", "-no-color", "-auto-approve")

	cli.write("main.tf", requiredProviders+env.ProviderConfig()+trustOnly+`
import {
  to = b2b_cross_tenant_access_default.this
  id = "default"
}
`)
	imported := planOutput(t, cli)
	if strings.Contains(imported, "Warning: Unset Default") || !strings.Contains(imported, "Plan: 1 to import") {
		t.Fatalf("the plan that imports the default first should import it without the create warning:\n%s", imported)
	}
}

// TestAccExternalCollaborationSettings_DestroyPlanWarns: the destroy plan
// shows the settings going to null while destroy leaves the tenant's
// authorization policy as it is, so the plan itself (not only the apply)
// says so. Terraform prints warnings only on the CLI.
func TestAccExternalCollaborationSettings_DestroyPlanWarns(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermPolicyReadWriteAuthorization))
	srv := env.RequireEmulator(t)
	cli := newTFCLI(t, "1.3.0")
	cli.write("main.tf", requiredProviders+env.ProviderConfig()+`
resource "b2b_external_collaboration_settings" "this" {
  allow_invites_from = "adminsAndGuestInviters"
}
`)
	cli.must("init", "-input=false", "-no-color")
	cli.must("apply", "-input=false", "-no-color", "-auto-approve")

	cli.write("main.tf", requiredProviders+env.ProviderConfig())
	destroyed := planOutput(t, cli)
	for _, want := range []string{
		"Warning: External Collaboration Settings Will Be Left As They Are",
		"the plan shows its settings going to null, but the tenant's authorization policy always exists and keeps the values it has now",
		`apply the resource with allow_invites_from = "everyone"`,
	} {
		if !strings.Contains(destroyed, want) {
			t.Fatalf("the destroy plan lacks %q:\n%s", want, destroyed)
		}
	}
	cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	if got := srv.AuthorizationPolicy()["allowInvitesFrom"]; got != "adminsAndGuestInviters" {
		t.Fatalf("allowInvitesFrom after destroy = %v, want it left as adminsAndGuestInviters", got)
	}
}
