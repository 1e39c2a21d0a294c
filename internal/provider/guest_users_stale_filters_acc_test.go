package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// staleGuests are the seeded guests of the stale-filter tests, each
// differing from the others in what one filter looks at.
type staleGuests struct {
	active, inactive, pending, reinvited, fresh, expired, leaving string
	inactiveSuccess                                               time.Time
}

// seedStaleGuests seeds (in this order, which is the listing order):
//   - inactive: accepted 200 days ago, last successful sign-in 100 days ago;
//   - active: accepted 200 days ago, signed in yesterday;
//   - pending: invited 40 days ago, never signed in;
//   - reinvited: created 40 days ago, invitation re-sent 2 days ago, never signed in;
//   - fresh: invited yesterday, never signed in;
//   - expired: signed in yesterday, employeeLeaveDateTime yesterday;
//   - leaving: signed in yesterday, employeeLeaveDateTime tomorrow.
func seedStaleGuests(t *testing.T, env *acctest.Env, srv *emulator.Server) staleGuests {
	t.Helper()
	seed := func(name, state string, created, changed time.Time, props map[string]any) string {
		p := map[string]any{"createdDateTime": rfc(created), "externalUserStateChangeDateTime": rfc(changed)}
		for k, v := range props {
			p[k] = v
		}
		return env.SeedUser(t, emulator.SeedUser{Email: name + "@stale.example", DisplayName: name, ExternalUserState: state, Props: p})
	}
	signIn := func(id string, at time.Time) {
		if err := srv.SetSignInActivity(id, emulator.SignInTimes{LastSignIn: &at, LastSuccessfulSignIn: &at}); err != nil {
			t.Fatal(err)
		}
	}
	var g staleGuests
	g.inactiveSuccess = daysAgo(100)
	g.inactive = seed("inactive", "Accepted", daysAgo(200), daysAgo(200), nil)
	signIn(g.inactive, g.inactiveSuccess)
	g.active = seed("active", "Accepted", daysAgo(200), daysAgo(200), nil)
	signIn(g.active, daysAgo(1))
	g.pending = seed("pending", "PendingAcceptance", daysAgo(40), daysAgo(40), nil)
	g.reinvited = seed("reinvited", "PendingAcceptance", daysAgo(40), daysAgo(2), nil)
	g.fresh = seed("fresh", "PendingAcceptance", daysAgo(1), daysAgo(1), nil)
	g.expired = seed("expired", "Accepted", daysAgo(200), daysAgo(200), map[string]any{"employeeLeaveDateTime": rfc(daysAgo(1))})
	signIn(g.expired, daysAgo(1))
	g.leaving = seed("leaving", "Accepted", daysAgo(200), daysAgo(200), map[string]any{"employeeLeaveDateTime": rfc(daysAgo(-1))})
	signIn(g.leaving, daysAgo(1))
	return g
}

// TestAccGuestUsersDataSource_StaleFilters: each stale-guest filter keeps
// exactly the guests it should, in one plan.
func TestAccGuestUsersDataSource_StaleFilters(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	grantAuditLog(env, srv)
	g := seedStaleGuests(t, env, srv)

	cfg := env.ProviderConfigWith(signInOptIn) + `
data "b2b_guest_users" "inactive" {
  inactive_for_days = 30
}

data "b2b_guest_users" "never" {
  never_signed_in = true
}

data "b2b_guest_users" "signed_in" {
  never_signed_in = false
}

data "b2b_guest_users" "pending" {
  pending_for_days = 30
}

data "b2b_guest_users" "expired" {
  expired = true
}

data "b2b_guest_users" "not_expired" {
  expired = false
}

data "b2b_guest_users" "combined" {
  inactive_for_days = 30
  never_signed_in   = true
  pending_for_days  = 0
}
`
	checks := staleGuestChecks(g, map[string][]string{
		// Never signed in and invited over 30 days ago counts as inactive; fresh does not.
		"inactive":    {g.inactive, g.pending, g.reinvited},
		"never":       {g.pending, g.reinvited, g.fresh},
		"signed_in":   {g.inactive, g.active, g.expired, g.leaving},
		"pending":     {g.pending},
		"expired":     {g.expired},
		"not_expired": {g.inactive, g.active, g.pending, g.reinvited, g.fresh, g.leaving},
		"combined":    {g.pending, g.reinvited},
	})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{{Config: cfg, ConfigStateChecks: checks}},
	})
}

// staleGuestChecks asserts that each b2b_guest_users data source named in
// want found exactly its guests, and that "inactive" carries the inactive
// guest's last successful sign-in as its first guest.
func staleGuestChecks(g staleGuests, want map[string][]string) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for name, ids := range want {
		checks = append(checks, guestsAre(name, ids...)...)
	}
	return append(checks, statecheck.ExpectKnownValue("data.b2b_guest_users.inactive",
		tfjsonpath.New("guests").AtSliceIndex(0).AtMapKey("last_successful_sign_in_at"), knownvalue.StringExact(rfc(g.inactiveSuccess))))
}

// TestAccGuestUsersDataSource_StaleFiltersInGroup: the sign-in filters
// work on a group's members. Graph documents signInActivity on /users
// only, and the emulator, like a strict Graph, leaves it out of
// /groups/{id}/members: a provider reading it there would see every
// member as never signed in.
func TestAccGuestUsersDataSource_StaleFiltersInGroup(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserReadWriteAll, emulator.PermGroupMemberReadAll))
	srv := env.RequireEmulator(t)
	grantAuditLog(env, srv)
	g := seedStaleGuests(t, env, srv)
	group, err := srv.SeedGroup("Stale review", g.inactive, g.active, g.pending, g.fresh)
	if err != nil {
		t.Fatal(err)
	}
	cfg := env.ProviderConfigWith(signInOptIn) + fmt.Sprintf(`
data "b2b_guest_users" "inactive" {
  member_of_group_id = %[1]q
  inactive_for_days  = 30
}

data "b2b_guest_users" "never" {
  member_of_group_id = %[1]q
  never_signed_in    = true
}

data "b2b_guest_users" "signed_in" {
  member_of_group_id = %[1]q
  never_signed_in    = false
}
`, group)
	checks := staleGuestChecks(g, map[string][]string{
		"inactive":  {g.inactive, g.pending},
		"never":     {g.pending, g.fresh},
		"signed_in": {g.inactive, g.active},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{{Config: cfg, ConfigStateChecks: checks}},
	})
}

// TestAccGuestUsersDataSource_StaleFilterBadInputs: negative days fail at
// plan time, sign-in filters need the opt-in, and pending_for_days refuses
// an invitation_state that contradicts it.
func TestAccGuestUsersDataSource_StaleFilterBadInputs(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      env.ProviderConfigWith(signInOptIn) + "data \"b2b_guest_users\" \"bad\" {\n  inactive_for_days = -1\n}\n",
				ExpectError: errorRE("Invalid Attribute Value", "Attribute inactive_for_days value must be at least 0, got: -1"),
			},
			{
				Config:      env.ProviderConfig() + "data \"b2b_guest_users\" \"bad\" {\n  pending_for_days = -30\n}\n",
				ExpectError: errorRE("Invalid Attribute Value", "Attribute pending_for_days value must be at least 0, got: -30"),
			},
			{
				Config: env.ProviderConfig() + "data \"b2b_guest_users\" \"bad\" {\n  inactive_for_days = 90\n}\n",
				ExpectError: errorRE("Sign-In Activity Not Read",
					"Attribute inactive_for_days filters guests by their sign-ins", "Set read_sign_in_activity = true in the provider block"),
			},
			{
				Config:      env.ProviderConfig() + "data \"b2b_guest_users\" \"bad\" {\n  never_signed_in = true\n}\n",
				ExpectError: errorRE("Sign-In Activity Not Read", "Attribute never_signed_in"),
			},
			{
				Config: env.ProviderConfig() + "data \"b2b_guest_users\" \"bad\" {\n  pending_for_days = 7\n  invitation_state = \"Accepted\"\n}\n",
				ExpectError: errorRE("Invalid Attribute Combination",
					`Attribute pending_for_days finds invitations still pending, but invitation_state is "Accepted"`),
			},
		},
	})
	if n := srv.Counters()["GET /v1.0/users"]; n != 0 {
		t.Errorf("%d listings sent although every configuration was refused", n)
	}
}

// TestAccGuestUserListResource_StaleFilters: `terraform query` takes the
// same filters, so the stale guests come out ready to import, with their
// sign-in times in the resource.
func TestAccGuestUserListResource_StaleFilters(t *testing.T) {
	t.Parallel()
	acctest.SkipUnlessCLISupports(t, acctest.FeatureListResources)
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	grantAuditLog(env, srv)
	g := seedStaleGuests(t, env, srv)
	identity := func(id string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{"object_id": knownvalue.StringExact(id)}
	}
	checks := []querycheck.QueryResultCheck{
		querycheck.ExpectLength("b2b_guest_user.inactive", 3),
		querycheck.ExpectIdentity("b2b_guest_user.inactive", identity(g.inactive)),
		querycheck.ExpectIdentity("b2b_guest_user.inactive", identity(g.pending)),
		querycheck.ExpectIdentity("b2b_guest_user.inactive", identity(g.reinvited)),
		querycheck.ExpectResourceKnownValues("b2b_guest_user.inactive", queryfilter.ByResourceIdentity(identity(g.inactive)),
			[]querycheck.KnownValueCheck{{Path: tfjsonpath.New("last_successful_sign_in_at"), KnownValue: knownvalue.StringExact(rfc(g.inactiveSuccess))}}),
		querycheck.ExpectLength("b2b_guest_user.never", 3),
		querycheck.ExpectLength("b2b_guest_user.pending", 1),
		querycheck.ExpectIdentity("b2b_guest_user.pending", identity(g.pending)),
		querycheck.ExpectLength("b2b_guest_user.expired", 1),
		querycheck.ExpectIdentity("b2b_guest_user.expired", identity(g.expired)),
		// limit applies after the provider's own filtering: the two
		// inactive guests listed first, not two guests of the listing.
		querycheck.ExpectLength("b2b_guest_user.limited", 2),
		querycheck.ExpectIdentity("b2b_guest_user.limited", identity(g.inactive)),
		querycheck.ExpectIdentity("b2b_guest_user.limited", identity(g.pending)),
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: env.ProviderConfigWith(signInOptIn) + "data \"b2b_guest_users\" \"any\" {}\n"},
			{
				Query: true,
				Config: `
list "b2b_guest_user" "inactive" {
  provider         = b2b
  include_resource = true
  config {
    inactive_for_days = 30
  }
}

list "b2b_guest_user" "never" {
  provider = b2b
  config {
    never_signed_in = true
  }
}

list "b2b_guest_user" "pending" {
  provider = b2b
  config {
    pending_for_days = 30
  }
}

list "b2b_guest_user" "expired" {
  provider = b2b
  config {
    expired = true
  }
}

list "b2b_guest_user" "limited" {
  provider = b2b
  limit    = 2
  config {
    inactive_for_days = 30
  }
}
`,
				QueryResultChecks: checks,
			},
			{
				Query: true,
				Config: `
list "b2b_guest_user" "bad" {
  provider = b2b
  config {
    pending_for_days = -1
  }
}
`,
				ExpectError: regexp.MustCompile(`Attribute pending_for_days value must be at least 0, got: -1`),
			},
		},
	})
}

// TestAccGuestUserListResource_StaleFiltersInGroup: `terraform query` with
// member_of_group_id and a sign-in filter keeps the members that signed in,
// with their sign-in times, though Graph documents signInActivity on /users
// only and the emulator leaves it out of /groups/{id}/members.
func TestAccGuestUserListResource_StaleFiltersInGroup(t *testing.T) {
	t.Parallel()
	acctest.SkipUnlessCLISupports(t, acctest.FeatureListResources)
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserReadWriteAll, emulator.PermGroupMemberReadAll))
	srv := env.RequireEmulator(t)
	grantAuditLog(env, srv)
	g := seedStaleGuests(t, env, srv)
	group, err := srv.SeedGroup("Stale review", g.inactive, g.active, g.pending, g.fresh)
	if err != nil {
		t.Fatal(err)
	}
	identity := func(id string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{"object_id": knownvalue.StringExact(id)}
	}
	checks := []querycheck.QueryResultCheck{
		querycheck.ExpectLength("b2b_guest_user.signed_in", 2),
		querycheck.ExpectIdentity("b2b_guest_user.signed_in", identity(g.inactive)),
		querycheck.ExpectIdentity("b2b_guest_user.signed_in", identity(g.active)),
		querycheck.ExpectResourceKnownValues("b2b_guest_user.signed_in", queryfilter.ByResourceIdentity(identity(g.inactive)),
			[]querycheck.KnownValueCheck{{Path: tfjsonpath.New("last_successful_sign_in_at"), KnownValue: knownvalue.StringExact(rfc(g.inactiveSuccess))}}),
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: env.ProviderConfigWith(signInOptIn) + "data \"b2b_guest_users\" \"any\" {}\n"},
			{
				Query: true,
				Config: fmt.Sprintf(`
list "b2b_guest_user" "signed_in" {
  provider         = b2b
  include_resource = true
  config {
    member_of_group_id = %q
    never_signed_in    = false
  }
}
`, group),
				QueryResultChecks: checks,
			},
		},
	})
}
