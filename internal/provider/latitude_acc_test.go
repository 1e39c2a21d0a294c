package provider_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// TestAccGuestUsersDataSource_GroupSignInsOnShortPages: the emulator
// (emulator.FullLatitude) pages every collection two items at a time
// whatever $top asks, as Graph's server-side paging may, and writes
// timestamps with fractional seconds. The sign-ins of a group's members
// are read from /users, all of a chunk in one request with $top; every
// member must still get its own, the ones past the first page included,
// and each time shows in whole seconds.
func TestAccGuestUsersDataSource_GroupSignInsOnShortPages(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserReadWriteAll, emulator.PermGroupMemberReadAll))
	srv := env.RequireEmulator(t)
	grantAuditLog(env, srv)
	const members = 5
	ids := make([]string, members)
	checks := []statecheck.StateCheck{}
	for i := range ids {
		ids[i] = env.SeedUser(t, emulator.SeedUser{Email: fmt.Sprintf("member%d@short.example", i), DisplayName: fmt.Sprint("member ", i), ExternalUserState: "Accepted"})
		at := daysAgo(3 + i).Add(250 * time.Millisecond)
		if err := srv.SetSignInActivity(ids[i], emulator.SignInTimes{LastSignIn: &at, LastSuccessfulSignIn: &at}); err != nil {
			t.Fatal(err)
		}
		checks = append(checks, statecheck.ExpectKnownValue("data.b2b_guest_users.signed_in",
			tfjsonpath.New("guests").AtSliceIndex(i).AtMapKey("last_successful_sign_in_at"), knownvalue.StringExact(rfc(at))))
	}
	group, err := srv.SeedGroup("Short pages", ids...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := env.ProviderConfigWith(signInOptIn) + fmt.Sprintf(`
data "b2b_guest_users" "signed_in" {
  member_of_group_id = %[1]q
  never_signed_in    = false
}

data "b2b_guest_users" "never" {
  member_of_group_id = %[1]q
  never_signed_in    = true
}
`, group)
	checks = append(checks, guestsAre("signed_in", ids...)...)
	checks = append(checks, guestsAre("never")...)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{{Config: cfg, ConfigStateChecks: checks}},
	})
}
