package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// resendActionConfig invokes b2b_resend_invitation once, from a
// terraform_data created or changed in the same apply (round changes its
// input; a failed action leaves the terraform_data in state), with the given
// target argument (object_id = ... or email = ...).
func resendActionConfig(env *acctest.Env, round int, target string) string {
	return env.ProviderConfig() + fmt.Sprintf(`
action "b2b_resend_invitation" "again" {
  config {
    %s
    redirect_url = "https://myapps.microsoft.com"
  }
}

resource "terraform_data" "trigger" {
  input = %d
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.b2b_resend_invitation.again]
    }
  }
}
`, target, round)
}

// TestAccResendInvitationAction_GuestGone: re-sending to a guest deleted in
// the portal (by object ID) or to an address nobody has says the guest is
// not there and what to do (restore it, or let its resource re-invite it),
// instead of the generic "replication has not caught up ... run terraform
// plan again" hint or "matches 0 (). Use object_id", which sent a newcomer
// looking for an object ID that does not exist.
func TestAccResendInvitationAction_GuestGone(t *testing.T) {
	t.Parallel()
	acctest.SkipUnlessCLISupports(t, acctest.FeatureActions)
	// No delete replication lag: the action must see the guest gone.
	env := acctest.New(t, acctest.WithDeleteReplicationLag(0))
	srv := env.RequireEmulator(t)
	deleted := env.SeedUser(t, emulator.SeedUser{Email: env.Email(t, "gone"), ExternalUserState: "Accepted"})
	if err := srv.DeleteUser(deleted); err != nil {
		t.Fatal(err)
	}
	nobody := env.Email(t, "nobody")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: resendActionConfig(env, 1, fmt.Sprintf("object_id = %q", deleted)),
				ExpectError: errorRE("Guest User Not Found",
					fmt.Sprintf("Reading user %s to re-send its invitation: the directory has no such user, so no invitation was sent.", deleted),
					"deleted items", "restore it there", "run terraform apply, which invites it again"),
			},
			{
				Config: resendActionConfig(env, 2, fmt.Sprintf("email = %q", nobody)),
				ExpectError: errorRE("Guest User Not Found",
					fmt.Sprintf("Looking up %s (mail and otherMails, case-insensitive) to re-send its invitation: no user has it, so no invitation was sent.", nobody),
					"Check the address.", "deleted items"),
			},
		},
	})
	if n := len(srv.Invitations()); n != 0 {
		t.Errorf("%d invitations sent, want none", n)
	}
}

// TestAccResendInvitationAction_AmbiguousEmail: an address two users have
// (one as mail, one in otherMails) names both object IDs and sends nothing.
func TestAccResendInvitationAction_AmbiguousEmail(t *testing.T) {
	t.Parallel()
	acctest.SkipUnlessCLISupports(t, acctest.FeatureActions)
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	shared := env.Email(t, "shared")
	a := env.SeedUser(t, emulator.SeedUser{Email: env.Email(t, "twin-a"), Props: map[string]any{"otherMails": []string{shared}}})
	b := env.SeedUser(t, emulator.SeedUser{Email: shared})
	// Each ID in turn, whatever order Graph lists the two users in.
	for _, id := range []string{a, b} {
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
			ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
			Steps: []resource.TestStep{{
				Config: resendActionConfig(env, 1, fmt.Sprintf("email = %q", shared)),
				ExpectError: errorRE("Guest User Not Found Uniquely",
					fmt.Sprintf("%s must be the mail or one of the otherMails of exactly one user to re-send its invitation, and 2 users have it", shared),
					id, "Use object_id to name the user."),
			}},
		})
	}
	if n := len(srv.Invitations()); n != 0 {
		t.Errorf("%d invitations sent, want none", n)
	}
}

// TestAccResendInvitationAction_InternalAccountRefused: an invitation with
// resetRedemption to an internal account would convert it to B2B
// collaboration for good, so the action refuses it, by email and by
// object_id, and sends nothing.
func TestAccResendInvitationAction_InternalAccountRefused(t *testing.T) {
	t.Parallel()
	acctest.SkipUnlessCLISupports(t, acctest.FeatureActions)
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, "employee")
	// A cloud member: no invitation, no externalUserState, UPN in the
	// tenant's own domain.
	id := env.SeedUser(t, emulator.SeedUser{Email: email, DisplayName: "Employee", UserType: "Member"})
	refused := errorRE("User Is An Internal Account",
		fmt.Sprintf("Re-sending an invitation to user %s", id),
		"was refused: it is an internal account of the tenant, not a B2B guest",
		"converts it to B2B collaboration once redeemed", "Nothing was sent.",
		"b2b_resend_invitation is for B2B guests")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: resendActionConfig(env, 1, fmt.Sprintf("email = %q", email)), ExpectError: refused},
			{Config: resendActionConfig(env, 2, fmt.Sprintf("object_id = %q", id)), ExpectError: refused},
		},
	})
	if n := len(srv.Invitations()); n != 0 {
		t.Errorf("%d invitations sent to an internal account, want none", n)
	}
}
