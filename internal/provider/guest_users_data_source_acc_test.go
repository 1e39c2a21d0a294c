package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// guestsAre checks that data.b2b_guest_users.<name> lists exactly ids, in
// the emulator's order (creation order), and that total agrees.
func guestsAre(name string, ids ...string) []statecheck.StateCheck {
	addr := "data.b2b_guest_users." + name
	elems := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		elems[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("guests"), knownvalue.ListExact(elems)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(ids)))),
	}
}

// TestAccGuestUsersDataSource_Filters seeds users that differ in one
// property at a time, then reads one data source per filter (and one
// combining several) in a single plan, so each filter is shown to keep
// exactly the users it should.
func TestAccGuestUsersDataSource_Filters(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)

	seed := func(email, name, userType, state, created string) string {
		return env.SeedUser(t, emulator.SeedUser{
			Email: email, DisplayName: name, UserType: userType, ExternalUserState: state,
			Props: map[string]any{"createdDateTime": created},
		})
	}
	a := seed("ann@partner.example", "Alpha Ann", "Guest", "PendingAcceptance", "2024-01-10T08:00:00Z")
	b := seed("bob@PARTNER.example", "Bob", "Guest", "Accepted", "2024-06-01T00:00:00Z")
	c := seed("cleo@other.example", "alpha cleo", "Guest", "PendingAcceptance", "2025-03-01T12:00:00Z")
	m := seed("max@contoso.example", "Alpha Max", "Member", "", "2024-02-01T00:00:00Z")
	d := seed("dan@sub.partner.example", "Dan", "Guest", "Accepted", "2025-05-05T05:05:05Z")

	cfg := env.ProviderConfig() + `
data "b2b_guest_users" "all" {}

data "b2b_guest_users" "accepted" {
  invitation_state = "Accepted"
}

data "b2b_guest_users" "pending" {
  invitation_state = "PendingAcceptance"
}

data "b2b_guest_users" "domain" {
  email_domain = "Partner.Example"
}

data "b2b_guest_users" "prefix" {
  display_name_prefix = "ALPHA"
}

data "b2b_guest_users" "after" {
  created_after = "2024-06-01T00:00:00Z"
}

data "b2b_guest_users" "window" {
  created_after  = "2024-01-10T09:00:00+01:00"
  created_before = "2025-03-01T12:00:00Z"
}

data "b2b_guest_users" "members" {
  user_type = "Member"
}

data "b2b_guest_users" "combined" {
  display_name_prefix = "alpha"
  invitation_state    = "PendingAcceptance"
  email_domain        = "other.example"
}

data "b2b_guest_users" "none" {
  display_name_prefix = "Zed"
}
`
	checks := []statecheck.StateCheck{}
	checks = append(checks, guestsAre("all", a, b, c, d)...)
	checks = append(checks, guestsAre("accepted", b, d)...)
	checks = append(checks, guestsAre("pending", a, c)...)
	// The domain matches case-insensitively and not on subdomains.
	checks = append(checks, guestsAre("domain", a, b)...)
	// Member "Alpha Max" is left out: user_type defaults to Guest.
	checks = append(checks, guestsAre("prefix", a, c)...)
	checks = append(checks, guestsAre("after", b, c, d)...)
	// Bounds are inclusive; 09:00+01:00 is exactly a's creation time.
	checks = append(checks, guestsAre("window", a, b, c)...)
	checks = append(checks, guestsAre("members", m)...)
	checks = append(checks, guestsAre("combined", c)...)
	checks = append(checks, guestsAre("none")...)
	checks = append(checks,
		statecheck.ExpectKnownValue("data.b2b_guest_users.all", tfjsonpath.New("user_type"), knownvalue.StringExact("Guest")),
		statecheck.ExpectKnownValue("data.b2b_guest_users.members", tfjsonpath.New("user_type"), knownvalue.StringExact("Member")),
		statecheck.ExpectKnownValue("data.b2b_guest_users.none", tfjsonpath.New("guests"), knownvalue.ListSizeExact(0)),
	)
	// Every exported field of one guest, against what the emulator holds.
	ub, _ := srv.User(b)
	checks = append(checks, statecheck.ExpectKnownValue("data.b2b_guest_users.accepted", tfjsonpath.New("guests").AtSliceIndex(0),
		knownvalue.ObjectExact(withProfile(ub, map[string]knownvalue.Check{
			"id":                          knownvalue.StringExact(b),
			"email":                       knownvalue.StringExact(userString(t, ub, "mail")),
			"display_name":                knownvalue.StringExact("Bob"),
			"user_principal_name":         knownvalue.StringExact(userString(t, ub, "userPrincipalName")),
			"invitation_state":            knownvalue.StringExact("Accepted"),
			"invitation_state_changed_at": knownvalue.StringRegexp(rfc3339RE),
			"created_at":                  knownvalue.StringExact("2024-06-01T00:00:00Z"),
			// Sign-in activity is read only with read_sign_in_activity.
			"last_sign_in_at": knownvalue.Null(), "last_non_interactive_sign_in_at": knownvalue.Null(), "last_successful_sign_in_at": knownvalue.Null(),
		}))))
	um, _ := srv.User(m)
	checks = append(checks, statecheck.ExpectKnownValue("data.b2b_guest_users.members", tfjsonpath.New("guests").AtSliceIndex(0),
		knownvalue.ObjectExact(withProfile(um, map[string]knownvalue.Check{
			"id":                          knownvalue.StringExact(m),
			"email":                       knownvalue.StringExact(userString(t, um, "mail")),
			"display_name":                knownvalue.StringExact("Alpha Max"),
			"user_principal_name":         knownvalue.StringExact(userString(t, um, "userPrincipalName")),
			"invitation_state":            knownvalue.Null(),
			"invitation_state_changed_at": knownvalue.Null(),
			"created_at":                  knownvalue.StringExact("2024-02-01T00:00:00Z"),
			// Sign-in activity is read only with read_sign_in_activity.
			"last_sign_in_at": knownvalue.Null(), "last_non_interactive_sign_in_at": knownvalue.Null(), "last_successful_sign_in_at": knownvalue.Null(),
		}))))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:            cfg,
			ConfigStateChecks: checks,
		}},
	})
}

// TestAccGuestUsersDataSource_Paging seeds more guests than Graph's default
// page (100), so the total is only right if every @odata.nextLink is followed.
func TestAccGuestUsersDataSource_Paging(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	const guests = 234
	for i := 0; i < guests; i++ {
		env.SeedUser(t, emulator.SeedUser{Email: fmt.Sprintf("guest%03d@paging.example", i), DisplayName: fmt.Sprintf("Paged %03d", i)})
	}
	env.SeedUser(t, emulator.SeedUser{Email: "member@paging.example", UserType: "Member"})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			PreConfig: srv.ResetCounters,
			Config: env.ProviderConfig() + `
data "b2b_guest_users" "all" {}

data "b2b_guest_users" "filtered" {
  display_name_prefix = "Paged 1"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.b2b_guest_users.all", tfjsonpath.New("total"), knownvalue.Int64Exact(guests)),
				statecheck.ExpectKnownValue("data.b2b_guest_users.all", tfjsonpath.New("guests"), knownvalue.ListSizeExact(guests)),
				statecheck.ExpectKnownValue("data.b2b_guest_users.filtered", tfjsonpath.New("total"), knownvalue.Int64Exact(100)),
			},
			Check: resource.ComposeTestCheckFunc(
				func(*terraform.State) error {
					// Each read of "all" is 3 pages and of "filtered" 1 page;
					// at least one full read of both has happened.
					if n := srv.Counters()["GET /v1.0/users"]; n < 4 {
						return fmt.Errorf("GET /v1.0/users was called %d times; want at least 4 (3 pages + 1)", n)
					}
					return nil
				},
				distinctIDs("data.b2b_guest_users.all", guests),
			),
		}},
	})
}

// distinctIDs fails when a page was served twice (duplicate IDs) or lost.
func distinctIDs(addr string, want int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		seen := map[string]bool{}
		for k, v := range rs.Primary.Attributes {
			if strings.HasPrefix(k, "guests.") && strings.HasSuffix(k, ".id") {
				seen[v] = true
			}
		}
		if len(seen) != want {
			return fmt.Errorf("%s lists %d distinct ids; want %d", addr, len(seen), want)
		}
		return nil
	}
}

// TestAccGuestUsersDataSource_BadInputs checks that every filter is
// validated at plan time, with a diagnostic naming the attribute, what was
// wrong and what is accepted, before any call to Graph.
func TestAccGuestUsersDataSource_BadInputs(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	cases := []struct {
		body string
		want string
	}{
		{`invitation_state = "Pending"`, `Attribute invitation_state value must be one of: \["PendingAcceptance"\s+"Accepted"\],\s+got: "Pending"`},
		{`user_type = "guest"`, `Attribute user_type value must be one of: \["Guest"\s+"Member"\], got:\s+"guest"`},
		{`email_domain = "@partner.example"`, `Attribute email_domain: "@partner.example" contains @: expected only the\s+domain part of the addresses, e.g. partner.example`},
		{`email_domain = "partner"`, `Attribute email_domain: "partner" is not a domain name: expected labels of\s+letters, digits and hyphens separated by dots, e.g. partner.example`},
		{`display_name_prefix = ""`, `Attribute display_name_prefix length must be between 1\s+and\s+256\s+characters\s+as\s+Microsoft\s+Graph\s+counts\s+them[^,]*,\s+got:\s+0`},
		{`created_after = "2024-01-31"`, `Attribute created_after: "2024-01-31" is not an RFC 3339 timestamp: expected\s+a date, time and offset such as 2024-01-31T00:00:00Z`},
		{`created_before = "yesterday"`, `Attribute created_before: "yesterday" is not an RFC 3339 timestamp`},
		{"created_after = \"2025-01-01T00:00:00Z\"\n  created_before = \"2024-01-01T00:00:00Z\"",
			`Attribute created_after \(2025-01-01T00:00:00Z\) is later than created_before\s+\(2024-01-01T00:00:00Z\), so no user can match: expected created_after at or\s+before created_before`},
		{`member_of_group_id = "sales"`, `Attribute member_of_group_id: the value is not a GUID: expected the object ID\s+of the group in the form 00000000-0000-0000-0000-000000000000`},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.ProviderConfig() + "data \"b2b_guest_users\" \"bad\" {\n  " + tc.body + "\n}\n",
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	srv := env.Emulator()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps:                    steps,
		CheckDestroy: func(*terraform.State) error {
			// Validation failed every step before the provider asked Graph anything.
			if srv != nil {
				if n := srv.Counters()["GET /v1.0/users"]; n != 0 {
					return fmt.Errorf("GET /v1.0/users called %d times; want 0: a bad filter must fail at plan time", n)
				}
			}
			return nil
		},
	})
}

// TestAccGuestUsersDataSource_ForbiddenNamesPermission: an app without a
// read permission gets an error naming User.Read.All.
func TestAccGuestUsersDataSource_ForbiddenNamesPermission(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll))
	env.RequireEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      env.ProviderConfig() + "data \"b2b_guest_users\" \"all\" {}\n",
			ExpectError: regexp.MustCompile(`(?s)Error Listing Guest Users.*User\.Read\.All`),
		}},
	})
}

// TestAccGuestUsersDataSource_MemberOfGroup lists a group's guests,
// combined with another filter, and names the group or the permission
// when the listing cannot be done.
func TestAccGuestUsersDataSource_MemberOfGroup(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserReadWriteAll, emulator.PermGroupMemberReadAll))
	srv := env.RequireEmulator(t)
	a := env.SeedUser(t, emulator.SeedUser{Email: "ann@group.example", DisplayName: "Ann"})
	b := env.SeedUser(t, emulator.SeedUser{Email: "bob@group.example", DisplayName: "Bob", ExternalUserState: "Accepted"})
	m := env.SeedUser(t, emulator.SeedUser{Email: "max@group.example", DisplayName: "Max", UserType: "Member"})
	env.SeedUser(t, emulator.SeedUser{Email: "out@group.example", DisplayName: "Outsider"})
	group, err := srv.SeedGroup("Project X", a, b, m)
	if err != nil {
		t.Fatal(err)
	}
	const unknownGroup = "00000000-1111-2222-3333-444444444444"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderConfig() + fmt.Sprintf(`
data "b2b_guest_users" "group" {
  member_of_group_id = %[1]q
}

data "b2b_guest_users" "group_accepted" {
  member_of_group_id = %[1]q
  invitation_state   = "Accepted"
}

data "b2b_guest_users" "group_members" {
  member_of_group_id = %[1]q
  user_type          = "Member"
}
`, group),
				ConfigStateChecks: append(append(guestsAre("group", a, b), guestsAre("group_accepted", b)...), guestsAre("group_members", m)...),
			},
			{
				Config:      env.ProviderConfig() + fmt.Sprintf("data \"b2b_guest_users\" \"x\" {\n  member_of_group_id = %q\n}\n", unknownGroup),
				ExpectError: regexp.MustCompile(`(?s)Group Not Found.*` + unknownGroup),
			},
		},
	})
}

// TestAccGuestUsersDataSource_MemberOfGroupForbidden: without a group read
// permission the error names the one to grant.
func TestAccGuestUsersDataSource_MemberOfGroupForbidden(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserReadWriteAll))
	srv := env.RequireEmulator(t)
	group, err := srv.SeedGroup("Project Y")
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      env.ProviderConfig() + fmt.Sprintf("data \"b2b_guest_users\" \"x\" {\n  member_of_group_id = %q\n}\n", group),
			ExpectError: regexp.MustCompile(`(?s)Error Listing Guest Users.*GroupMember\.Read\.All`),
		}},
	})
}
